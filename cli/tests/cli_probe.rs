//! `epoint probe`, run as the real binary over loopback: against the embedded sandbox every
//! answer conforms (exit 0) and no money-moving operation is called; behind a proxy that alters
//! the sandbox's answers (a field renamed, a type changed) it exits 8 and names the field; a
//! closed port is "could not reach EPoint" (exit 5).

use std::{
    net::SocketAddr,
    process::{Command, Stdio},
    sync::Arc,
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, Method, StatusCode, Uri, header},
    response::IntoResponse,
};
use epoint_az::OPERATIONS;
use epoint_az_sandbox::{SEEDED_MERCHANTS, Sandbox};
use serde_json::Value;

const PUBLIC: &str = SEEDED_MERCHANTS[0].0;
const PRIVATE: &str = SEEDED_MERCHANTS[0].1;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("one JSON object on stdout ({e}): {}", self.stdout))
    }
}

/// Runs `epoint probe --base-url BASE ARGS` with the first seeded merchant's keys.
async fn probe(base: &str, args: &[&str]) -> Run {
    let mut all = vec!["probe".to_owned(), "--base-url".to_owned(), base.to_owned()];
    all.extend(args.iter().map(|a| (*a).to_owned()));
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_epoint"))
            .args(&all)
            .env_remove("EPOINT_BASE_URL")
            .env("EPOINT_PUBLIC_KEY", PUBLIC)
            .env("EPOINT_PRIVATE_KEY", PRIVATE)
            .stdin(Stdio::null())
            .output()
            .expect("run epoint")
    })
    .await
    .expect("join");
    let run = Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stdout.contains(PRIVATE) && !run.stderr.contains(PRIVATE),
        "the private key is never printed"
    );
    run
}

/// How the proxy alters each JSON object answer.
type Alter = fn(&mut serde_json::Map<String, Value>);

struct Proxy {
    upstream: String,
    http: reqwest::Client,
    alter: Alter,
}

/// Forwards every request to the sandbox and alters its JSON answers.
async fn forward(
    State(proxy): State<Arc<Proxy>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let url = format!("{}{}", proxy.upstream, uri);
    let mut request = proxy.http.request(method, url).body(body);
    if let Some(kind) = headers.get(header::CONTENT_TYPE) {
        request = request.header(header::CONTENT_TYPE, kind);
    }
    let response = request.send().await.expect("the sandbox answers");
    let status = StatusCode::from_u16(response.status().as_u16()).expect("status");
    let text = response.text().await.expect("body");
    let text = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(mut object)) => {
            (proxy.alter)(&mut object);
            Value::Object(object).to_string()
        }
        _ => text,
    };
    (status, [(header::CONTENT_TYPE, "application/json")], text)
}

/// A loopback proxy in front of `sandbox`; returns its base URL.
async fn proxy(sandbox: &Sandbox, alter: Alter) -> String {
    let state = Arc::new(Proxy {
        upstream: sandbox.base_url().trim_end_matches('/').to_owned(),
        http: epoint_az::http_client_builder()
            .expect("tls")
            .build()
            .expect("http client"),
        alter,
    });
    let app = Router::new().fallback(forward).with_state(state);
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

/// Renames `transaction` to `transaction_id` wherever an answer carries it.
fn rename_transaction(answer: &mut serde_json::Map<String, Value>) {
    if let Some(id) = answer.remove("transaction") {
        answer.insert("transaction_id".into(), id);
    }
}

/// `message` arrives as an object, as it has in the wild.
fn message_as_object(answer: &mut serde_json::Map<String, Value>) {
    if let Some(text) = answer.remove("message") {
        answer.insert("message".into(), serde_json::json!({"en": text}));
    }
}

/// A transaction of the merchant's, created in the sandbox by the test (not by the probe).
async fn a_payment(sandbox: &Sandbox) -> String {
    let client = sandbox.client().expect("client");
    client
        .pay(epoint_az::dec!(1.00), "probe-test-order")
        .await
        .expect("pay")
        .transaction
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sandbox_answer_conforms_and_no_money_moves() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let run = probe(sandbox.base_url(), &[]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("moves no money"), "{}", run.stderr);
    for name in [
        "heartbeat",
        "status-unknown-transaction",
        "status-unknown-order",
        "card-status-unknown-card",
        "status-long-order-id",
        "installments-zero-amount",
        "installments-negative-amount",
        "signature-wrong-key",
        "signature-hex-digest",
        "signature-truncated",
        "signature-empty",
    ] {
        assert!(
            run.stderr.contains(name),
            "{name} listed up front: {}",
            run.stderr
        );
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with("ok") && l.contains(name)),
            "{name} ok: {}",
            run.stdout
        );
    }
    assert!(!run.stdout.contains("DRIFT"), "{}", run.stdout);

    // Every request the sandbox received was to an operation that moves no money, and nothing
    // was created.
    let received = sandbox.all_requests();
    assert_eq!(received.len(), 11, "every request, the heartbeat included");
    for request in &received {
        let info = OPERATIONS
            .iter()
            .find(|o| o.operation_id == request.operation)
            .expect("a spec operation");
        assert!(!info.moves_money, "{} moves money", request.operation);
    }
    assert!(sandbox.transactions().is_empty(), "nothing was created");
    assert_eq!(
        received
            .iter()
            .filter(|r| r.operation != "heartbeat" && !r.verified)
            .count(),
        4,
        "the four broken signatures were refused as such"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_lists_the_requests_and_every_verdict() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let transaction = a_payment(&sandbox).await;
    let run = probe(
        sandbox.base_url(),
        &["--json", "--transaction", &transaction],
    )
    .await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["outcome"], "conforms");
    assert_eq!(json["exit_code"], 0);
    assert_eq!(json["moves_money"], false);
    let requests = json["requests"].as_array().expect("requests");
    assert_eq!(requests.len(), 12);
    assert_eq!(requests[11]["name"], "status-known-transaction");
    assert_eq!(requests[11]["path"], "/api/1/get-status");
    let probes = json["probes"].as_array().expect("probes");
    assert_eq!(probes.len(), 12);
    for p in probes {
        assert_eq!(p["result"], "ok", "{p}");
        assert_eq!(p["http_status"], 200, "{p}");
    }
    assert_eq!(probes[1]["schema"], "StatusResponse");
    // The sandbox's `hint` on a bad signature is not in the spec: reported, not drift.
    assert_eq!(probes[8]["name"], "signature-hex-digest");
    assert_eq!(probes[8]["new_fields"], serde_json::json!(["hint"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renamed_transaction_is_named() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let transaction = a_payment(&sandbox).await;
    let base = proxy(&sandbox, rename_transaction).await;

    let run = probe(&base, &["--transaction", &transaction]).await;
    assert_eq!(run.code, 8, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("DRIFT  status-known-transaction (StatusResponse)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("`/transaction`: missing (required)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("`/transaction_id`: not in the spec (a new or renamed field)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("differ from the spec (exit 8)"),
        "{}",
        run.stderr
    );

    let json = probe(&base, &["--json", "--transaction", &transaction])
        .await
        .json();
    assert_eq!(json["exit_code"], 8);
    assert_eq!(json["outcome"], "drift");
    let known = &json["probes"][11];
    assert_eq!(known["result"], "drift");
    assert_eq!(
        known["findings"],
        serde_json::json!([{"pointer": "/transaction", "expected": "required", "actual": "missing"}])
    );
    assert_eq!(known["new_fields"], serde_json::json!(["transaction_id"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_type_is_named() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let base = proxy(&sandbox, message_as_object).await;
    let run = probe(&base, &["--json"]).await;
    assert_eq!(run.code, 8, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    let probes = json["probes"].as_array().expect("probes");
    let unknown = probes
        .iter()
        .find(|p| p["name"] == "status-unknown-transaction")
        .expect("probe");
    assert_eq!(unknown["result"], "drift");
    assert_eq!(
        unknown["findings"],
        serde_json::json!([{"pointer": "/message", "expected": "string", "actual": "object"}])
    );
    assert_eq!(
        probes
            .iter()
            .find(|p| p["name"] == "heartbeat")
            .expect("heartbeat")["result"],
        "ok",
        "the heartbeat carries no message"
    );

    let text = probe(&base, &[]).await;
    assert_eq!(text.code, 8);
    assert!(
        text.stdout
            .contains("`/message`: expected string, got object"),
        "{}",
        text.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_port_is_unreachable_and_bad_arguments_are_usage_errors() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let closed = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let run = probe(&closed, &["--json"]).await;
    assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["outcome"], "unreachable");
    assert!(
        json["probes"]
            .as_array()
            .expect("probes")
            .iter()
            .all(|p| p["result"] == "unreachable"),
        "{json}"
    );

    let bad = probe("ftp://127.0.0.1:1", &[]).await;
    assert_eq!(bad.code, 64, "{}", bad.stderr);
    assert!(bad.stderr.contains("base URL"), "{}", bad.stderr);
}
