//! What the client logs: one `epoint` debug event per call, and never the private key, the
//! signature or the signed `data` — checked by capturing every tracing event at TRACE level,
//! from every crate, during real calls over loopback.

use crate::capture;

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use capture::{CaptureServer, Reply};
use epoint_az::{Client, Config};
use rust_decimal_macros::dec;
use serde_json::json;

const PRIVATE_KEY: &str = "logging_test_private_key_5f2a9c";

/// A `MakeWriter` that appends everything to a shared buffer.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn calls_log_their_outcome_and_never_secrets_or_signed_data() {
    let logs = Buffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = CaptureServer::start(Reply::json(json!({
        "status": "server_error", "message": "Signature did not match"
    })))
    .await;
    let client = Client::new(Config::new("i000000001", PRIVATE_KEY).base_url(server.base_url()))
        .expect("client");
    let preview = client
        .pay(dec!(30.75), "order-log-1")
        .preview()
        .expect("preview");
    let err = client
        .pay(dec!(30.75), "order-log-1")
        .await
        .expect_err("rejected");
    let body = client
        .keys()
        .sign_callback(&json!({"status": "success", "transaction": "te1"}))
        .expect("sign");
    client
        .keys()
        .verify_callback(body.as_bytes())
        .expect("verifies");
    drop(_guard);

    let text = String::from_utf8(logs.0.lock().expect("lock").clone()).expect("utf-8 logs");
    assert!(
        text.contains("EPoint call finished") && text.contains("payment_request"),
        "one event per call, naming the operation:\n{text}"
    );
    assert!(text.contains("ok=false"), "the outcome is logged:\n{text}");
    for secret in [
        PRIVATE_KEY,
        preview.envelope.signature.as_str(),
        preview.envelope.data.as_str(),
        preview
            .envelope
            .signature
            .replace('/', "%2F")
            .replace('+', "%2B")
            .as_str(),
    ] {
        assert!(!text.contains(secret), "logged {secret:?}:\n{text}");
    }
    assert!(!err.to_string().contains(PRIVATE_KEY));
}

/// The value of `field=` in a log line (quotes stripped), e.g. `trace_id="abc"` → `abc`.
fn logged<'a>(line: &'a str, field: &str) -> Option<&'a str> {
    let start = line.find(&format!(" {field}="))? + field.len() + 2;
    let rest = &line[start..];
    let value = rest.split(' ').next()?;
    Some(value.trim_matches('"'))
}

fn uuid_shaped(id: &str) -> bool {
    let parts: Vec<usize> = id.split('-').map(str::len).collect();
    parts == [8, 4, 4, 4, 12] && id.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

/// A refused call to the sandbox: the error keeps EPoint's `trace_id`, and the
/// "EPoint call finished" event carries it with the answer's `X-Request-ID` header, for the
/// operation methods and for `send_signed` alike.
#[tokio::test]
async fn errors_and_call_events_carry_the_trace_id_and_request_id() {
    use epoint_az_sandbox::Sandbox;

    let sandbox = Sandbox::start().await.expect("sandbox");
    // The sandbox sends both on every answer.
    let raw = epoint_az::http_client_builder()
        .expect("tls")
        .build()
        .expect("http client")
        .post(format!("{}/api/1/request", sandbox.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("data=eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSJ9&signature=AAAAAAAAAAAAAAAAAAAAAAAAAAA%3D")
        .send()
        .await
        .expect("send");
    let header = raw
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("an X-Request-ID header")
        .to_owned();
    assert!(uuid_shaped(&header), "{header}");
    let answer: serde_json::Value = raw.json().await.expect("json");
    assert_eq!(answer["message"], "Signature did not match");
    assert_eq!(
        answer["trace_id"].as_str().map(str::len),
        Some(32),
        "{answer}"
    );

    let logs = Buffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let wrong_key =
        Client::new(Config::new("i000000001", PRIVATE_KEY).base_url(sandbox.base_url()))
            .expect("client");
    let err = wrong_key
        .pay(dec!(1.00), "trace-1")
        .await
        .expect_err("rejected");
    assert!(matches!(err, epoint_az::Error::Rejected { .. }), "{err:?}");
    let first = err
        .trace_id()
        .expect("the error keeps the trace_id")
        .to_owned();
    let err = wrong_key
        .send_signed::<serde_json::Value>(
            "/api/1/get-status",
            &json!({"public_key": "i000000001", "transaction": "te000000001"}),
        )
        .await
        .expect_err("rejected");
    let second = err.trace_id().expect("send_signed's error too").to_owned();
    // `send_traced` returns both with the error, and with a success.
    let traced = wrong_key.refund("te000000001").send_traced().await;
    let err = traced.result.as_ref().expect_err("rejected");
    assert!(err.trace_id().is_some());
    assert_eq!(traced.trace_id.as_deref(), err.trace_id());
    assert!(
        traced.request_id.as_deref().is_some_and(uuid_shaped),
        "{traced:?}"
    );
    let paid = sandbox
        .client()
        .expect("client")
        .pay(dec!(1.00), "trace-2")
        .send_traced()
        .await;
    assert!(paid.result.is_ok(), "{paid:?}");
    assert_eq!(paid.trace_id.as_deref().map(str::len), Some(32), "{paid:?}");
    assert!(
        paid.request_id.as_deref().is_some_and(uuid_shaped),
        "{paid:?}"
    );
    assert_ne!(paid.request_id, traced.request_id);
    drop(_guard);
    assert_ne!(first, second, "one trace_id per answer");

    let text = String::from_utf8(logs.0.lock().expect("lock").clone()).expect("utf-8 logs");
    let finished: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("EPoint call finished"))
        .collect();
    assert_eq!(finished.len(), 4, "{text}");
    for (line, trace_id) in finished.iter().zip([&first, &second]) {
        assert_eq!(logged(line, "trace_id"), Some(trace_id.as_str()), "{line}");
        let request_id = logged(line, "request_id").expect("request_id logged");
        assert!(uuid_shaped(request_id), "{line}");
        assert_ne!(request_id, header, "one X-Request-ID per response");
        assert!(!line.contains(PRIVATE_KEY));
    }
}
