//! The axum extractor over real HTTP: a signed callback reaches the handler, decoded;
//! tampered or malformed ones are refused with 401 / 400 and never reach it.

use std::sync::{Arc, Mutex};

use axum::{Router, extract::FromRef, routing::post};
use epoint::{Keys, axum::EpointCallback, callback::CallbackFlow};
use serde_json::json;

/// What the handler saw: each callback's flow and transaction id.
type Seen = Arc<Mutex<Vec<(CallbackFlow, Option<String>)>>>;

#[derive(Clone)]
struct AppState {
    keys: Keys,
    seen: Seen,
}

impl FromRef<AppState> for Keys {
    fn from_ref(state: &AppState) -> Keys {
        state.keys.clone()
    }
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
    let keys = Keys::new("i000000001", "axum_test_private_key");
    let state = AppState {
        keys: keys.clone(),
        seen: Arc::default(),
    };
    let app = Router::new()
        .route("/epoint/result", post(handler))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/epoint/result",
        listener.local_addr().expect("addr")
    );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let http = reqwest::Client::new();
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
