//! What the client logs: one `epoint` debug event per call, and never the private key, the
//! signature or the signed `data` — checked by capturing every tracing event at TRACE level,
//! from every crate, during real calls over loopback.

mod capture;

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
