//! The axum extractor over real HTTP: a signed callback reaches the handler, decoded;
//! tampered or malformed ones are refused with 401 / 400, oversized ones with 413, and never
//! reach it. The keys come from the router state: a `Client`, or the user's own struct
//! holding one (the documented one-impl recipe).

use std::sync::{Arc, Mutex};

use axum::{
    Router,
    extract::{DefaultBodyLimit, FromRef},
    routing::post,
};
use epoint_az::{Client, Config, Keys, axum::EpointCallback, callback::CallbackFlow};
use serde_json::json;

/// What the handler saw: each callback's flow and transaction id.
type Seen = Arc<Mutex<Vec<(CallbackFlow, Option<String>)>>>;

/// The user's own state, holding a `Client` (not `Keys`): the recipe of `epoint_az::axum`.
#[derive(Clone)]
struct AppState {
    client: Client,
    seen: Seen,
}

impl FromRef<AppState> for Keys {
    fn from_ref(state: &AppState) -> Keys {
        state.client.keys().clone()
    }
}

fn client(private_key: &str) -> Client {
    Client::new(Config::new("i000000001", private_key)).expect("client")
}

/// Serves `app` on a free loopback port; answers the callback URL.
async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/epoint/result",
        listener.local_addr().expect("addr")
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

async fn post_form(url: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
    epoint_az::http_client_builder()
        .expect("tls")
        .build()
        .expect("http")
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("post")
}

async fn handler(
    axum::extract::State(state): axum::extract::State<AppState>,
    EpointCallback(cb): EpointCallback,
) -> &'static str {
    state
        .seen
        .lock()
        .expect("lock")
        .push((cb.flow, cb.payload.transaction.clone()));
    "OK"
}

#[tokio::test]
async fn the_extractor_verifies_before_the_handler_runs() {
    let state = AppState {
        client: client("axum_test_private_key"),
        seen: Arc::default(),
    };
    let keys = state.client.keys().clone();
    let url = serve(
        Router::new()
            .route("/epoint/result", post(handler))
            .with_state(state.clone()),
    )
    .await;

    let http = epoint_az::http_client_builder()
        .expect("tls")
        .build()
        .expect("http");
    let post = |body: String| {
        http.post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };

    let good = keys
        .sign_callback(&json!({"order_id": "o-1", "status": "success", "transaction": "te1", "operation_code": "100"}))
        .expect("sign");
    let response = post(good.clone()).await.expect("post");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("text"), "OK");

    let forged = Keys::new("i000000001", "attacker")
        .sign_callback(&json!({"status": "success", "transaction": "te2"}))
        .expect("sign");
    let response = post(forged).await.expect("post");
    assert_eq!(response.status(), 401);
    let text = response.text().await.expect("text");
    assert!(!text.contains("axum_test_private_key"), "{text}");

    let response = post("data=only".to_owned()).await.expect("post");
    assert_eq!(response.status(), 400);

    let seen = state.seen.lock().expect("lock").clone();
    assert_eq!(seen, vec![(CallbackFlow::Payment, Some("te1".to_owned()))]);
}

#[tokio::test]
async fn a_client_as_the_whole_router_state_is_enough() {
    async fn result_url(
        axum::extract::State(client): axum::extract::State<Client>,
        EpointCallback(cb): EpointCallback,
    ) -> String {
        format!(
            "{} {}",
            client.keys().public_key(),
            cb.payload.transaction.unwrap_or_default()
        )
    }
    let client = client("state_is_client_key");
    let keys = client.keys().clone();
    let url = serve(
        Router::new()
            .route("/epoint/result", post(result_url))
            .with_state(client),
    )
    .await;

    let good = keys
        .sign_callback(&json!({"status": "success", "transaction": "te7", "order_id": "o-7"}))
        .expect("sign");
    let response = post_form(&url, good).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("text"), "i000000001 te7");

    let forged = Keys::new("i000000001", "attacker")
        .sign_callback(&json!({"status": "success", "transaction": "te8"}))
        .expect("sign");
    assert_eq!(post_form(&url, forged).await.status(), 401);
}

/// The extractor reads the body with axum's `Bytes`, so `DefaultBodyLimit` (2 MB) applies:
/// one byte over is 413 before any verification, and the handler never runs. Below it, the
/// verifier's own cap (64 KiB) answers 413 too.
#[tokio::test]
async fn a_body_over_axums_default_limit_is_413_and_never_reaches_the_handler() {
    const DEFAULT_LIMIT: usize = 2 * 1024 * 1024;
    let state = AppState {
        client: client("body_limit_key"),
        seen: Arc::default(),
    };
    let keys = state.client.keys().clone();
    let url = serve(
        Router::new()
            .route("/epoint/result", post(handler))
            .with_state(state.clone()),
    )
    .await;
    let signed = keys
        .sign_callback(&json!({"status": "success", "transaction": "te9"}))
        .expect("sign");

    // A valid callback padded with an ignored field, exactly at the verifier's own cap
    // (64 KiB, `MAX_CALLBACK_BODY`): read and verified; one byte more is 413 from the
    // verifier (`CallbackError::BodyTooLarge`), before the signature is checked.
    let cap = epoint_az::callback::MAX_CALLBACK_BODY;
    let padding = cap - signed.len() - "&pad=".len();
    let at_cap = format!("{signed}&pad={}", "x".repeat(padding));
    assert_eq!(at_cap.len(), cap);
    let response = post_form(&url, at_cap.clone()).await;
    assert_eq!(response.status(), 200);
    let response = post_form(&url, format!("{at_cap}x")).await;
    assert_eq!(response.status(), 413);

    // Exactly at axum's limit: read by axum, refused by the verifier's cap.
    let padding = DEFAULT_LIMIT - signed.len() - "&pad=".len();
    let at_limit = format!("{signed}&pad={}", "x".repeat(padding));
    assert_eq!(at_limit.len(), DEFAULT_LIMIT);
    let response = post_form(&url, at_limit.clone()).await;
    assert_eq!(response.status(), 413);

    // One byte more: 413 Payload Too Large, with the reason.
    let over = format!("{at_limit}x");
    let response = post_form(&url, over.clone()).await;
    assert_eq!(response.status(), 413);
    let text = response.text().await.expect("text");
    assert!(text.contains("larger than the server accepts"), "{text}");

    // The same without a Content-Length (chunked): 413 as well, once the limit is crossed.
    assert_eq!(post_chunked(&url, over.as_bytes()).await, 413);

    let seen = state.seen.lock().expect("lock").clone();
    assert_eq!(seen, vec![(CallbackFlow::Payment, Some("te9".to_owned()))]);
}

/// A route can lower the limit with the usual axum layer.
#[tokio::test]
async fn a_lowered_body_limit_applies_to_the_extractor() {
    let client = client("lowered_limit_key");
    let keys = client.keys().clone();
    let url = serve(
        Router::new()
            .route(
                "/epoint/result",
                post(|EpointCallback(_): EpointCallback| async { "OK" })
                    .layer(DefaultBodyLimit::max(1024)),
            )
            .with_state(client),
    )
    .await;
    let signed = keys
        .sign_callback(&json!({"status": "success", "transaction": "te10"}))
        .expect("sign");
    assert_eq!(post_form(&url, signed.clone()).await.status(), 200);
    let padded = format!("{signed}&pad={}", "x".repeat(1024));
    assert_eq!(post_form(&url, padded).await.status(), 413);
}

/// POSTs `body` with `Transfer-Encoding: chunked` (no Content-Length) over a raw socket and
/// answers the response's status code.
async fn post_chunked(url: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest.split_at(rest.find('/').expect("path"));
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    for chunk in body.chunks(64 * 1024) {
        stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await
            .expect("write");
        // The server may answer 413 and close before the whole body is sent.
        if stream.write_all(chunk).await.is_err() || stream.write_all(b"\r\n").await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status in {answer:?}"))
}
