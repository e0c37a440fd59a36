//! The standalone server: `epoint sandbox --port 0 --result-url URL` prints the base URL on
//! its first line, serves the client, delivers callbacks, and stops cleanly on SIGTERM or
//! SIGINT, even one sent the moment its banner starts.
#![cfg(unix)]

#[path = "../../tests/sandbox_support/mod.rs"]
mod sandbox_support;

use std::{
    io::{BufRead, BufReader, Read},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use epoint_az::dec;
use sandbox_support::Merchant;

#[tokio::test]
async fn standalone_server_prints_its_url_serves_and_stops_on_sigterm() {
    let merchant = Merchant::start().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_epoint"))
        .args([
            "sandbox",
            "--port",
            "0",
            "--result-url",
            &merchant.result_url(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start epoint sandbox");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    let base = first.trim_end().to_owned();
    let port = base
        .strip_prefix("http://127.0.0.1:")
        .unwrap_or_else(|| panic!("first line is the base URL, got {first:?}"));
    assert!(port.parse::<u16>().is_ok_and(|p| p > 0), "{first:?}");

    let client = epoint_az::Client::new(
        epoint_az::Config::new("i000000001", "sandbox_private_key_0000000001").base_url(&base),
    )
    .expect("client");
    let tx = client
        .pay(dec!(3.00), "cli-1")
        .await
        .expect("the server answers the client")
        .transaction;
    let done = epoint_az::http_client_builder()
        .expect("tls")
        .build()
        .expect("http client")
        .post(format!("{base}/_sandbox/complete/{tx}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("outcome=paid")
        .send()
        .await
        .expect("complete");
    assert_eq!(done.status(), 200);
    let received = merchant.received();
    assert_eq!(received.len(), 1, "the callback went to --result-url");
    sandbox_support::keys1()
        .verify_callback(received[0].as_bytes())
        .expect("signed with the seeded key");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the server stops promptly on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "clean exit: {exit:?}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("rest of stdout");
    assert!(rest.contains("i000000001") && rest.contains("sandbox_private_key_0000000001"));
    assert!(rest.contains("4169738800000116"), "test cards are listed");
    assert!(rest.trim_end().ends_with("sandbox stopped"), "{rest}");
    assert!(
        epoint_az::http_client_builder()
            .expect("tls")
            .build()
            .expect("http client")
            .get(&base)
            .send()
            .await
            .is_err(),
        "nothing listens after shutdown"
    );
}

#[test]
fn a_bad_result_url_is_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_epoint"))
        .args(["sandbox", "--result-url", "ftp://example"])
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--result-url"));
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_epoint"))
        .args(["sandbox", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start epoint sandbox");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    assert!(first.starts_with("http://127.0.0.1:"), "{first:?}");
    let mut banner = String::new();
    while !banner.contains("Press Ctrl-C") {
        stdout.read_line(&mut banner).expect("banner");
    }
    assert!(banner.contains("(none: pass --result-url URL)"));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "stops on SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).expect("rest");
    assert_eq!(rest.trim(), "sandbox stopped");
}

/// SIGINT the instant the first banner line (the base URL) is read: the handlers exist before
/// anything is printed, so every run ends with a clean exit and "sandbox stopped", never the
/// default action that kills the process. Many runs, since the window is small.
#[test]
fn sigint_the_moment_the_banner_appears_stops_cleanly_every_time() {
    for run in 0..30 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_epoint"))
            .args(["sandbox", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start epoint sandbox");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("first line");
        let pid = libc::pid_t::try_from(child.id()).expect("pid");
        // SAFETY: `kill` only sends a signal to our own child, which has not been reaped yet.
        let sent = unsafe { libc::kill(pid, libc::SIGINT) };
        assert_eq!(sent, 0, "run {run}: SIGINT sent");
        assert!(
            first.starts_with("http://127.0.0.1:"),
            "run {run}: {first:?}"
        );
        // A guard against a hang, not a timing assertion: a stuck server fails the test
        // instead of blocking it forever.
        let started = Instant::now();
        let exit = loop {
            if let Some(exit) = child.try_wait().expect("wait") {
                break exit;
            }
            if started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                panic!("run {run}: still running a minute after SIGINT");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).expect("rest of stdout");
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut stderr)
            .expect("stderr");
        assert_eq!(
            exit.code(),
            Some(0),
            "run {run}: a clean exit, not killed by the signal ({exit:?}); stderr: {stderr}"
        );
        assert!(
            rest.contains("Press Ctrl-C to stop.") && rest.trim_end().ends_with("sandbox stopped"),
            "run {run}: the whole banner, then a clean stop: {rest}"
        );
    }
}
