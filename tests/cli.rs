//! `epoint sign` / `epoint verify`: the signature debugging tools for other-language teams,
//! run as the real binary. Checked against the §6.2 S5 vector (computed with Python hashlib).
#![cfg(feature = "cli")]

use std::process::{Command, Output};

const KEY: &str = "test_private_key";
const S5_JSON: &str = r#"{"public_key":"i000000001","transaction":"te000000001"}"#;
const S5_DATA: &str =
    "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsInRyYW5zYWN0aW9uIjoidGUwMDAwMDAwMDEifQ==";
const S5_SIGNATURE: &str = "Og6A7Ce/EWmdqTzyXTTZeypSD4E=";

fn epoint(args: &[&str], key: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_epoint"));
    cmd.args(args).env_remove("EPOINT_PRIVATE_KEY");
    if let Some(key) = key {
        cmd.env("EPOINT_PRIVATE_KEY", key);
    }
    cmd.output().expect("run epoint")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn sign_prints_data_signature_and_form_body() {
    let out = epoint(&["sign", S5_JSON], Some(KEY));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(&format!("data={S5_DATA}\n")), "{stdout}");
    assert!(
        stdout.contains(&format!("signature={S5_SIGNATURE}\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains("signature=Og6A7Ce%2FEWmdqTzyXTTZeypSD4E%3D"),
        "form body is percent-encoded: {stdout}"
    );
    assert!(!stdout.contains(KEY), "the private key is never printed");
}

#[test]
fn verify_accepts_a_good_form_and_explains_a_bad_one() {
    let good = format!(
        "data={}&signature={}",
        S5_DATA.replace('=', "%3D"),
        S5_SIGNATURE.replace('/', "%2F").replace('=', "%3D")
    );
    let out = epoint(&["verify", &good], Some(KEY));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(S5_JSON));

    let wrong_key = epoint(&["verify", &good], Some("another_key"));
    assert!(!wrong_key.status.success());
    assert!(
        text(&wrong_key.stderr).contains("does not match"),
        "{}",
        text(&wrong_key.stderr)
    );

    let hex = format!(
        "data={}&signature=6bbe8636e76a6e566d57ca85d7df6172d03e706d",
        S5_DATA.replace('=', "%3D")
    );
    let out = epoint(&["verify", &hex], Some(KEY));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("not base64 of a 20-byte SHA-1 digest"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_key_comes_only_from_the_environment() {
    let out = epoint(&["sign", "{}"], None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("EPOINT_PRIVATE_KEY is not set"));
    let out = epoint(&["sign", "not json"], Some(KEY));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not JSON"));
}
