//! Test helpers for the sandbox tests: a merchant's callback endpoint on 127.0.0.1 and raw
//! signed requests.
#![allow(dead_code)]

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    Router, body::Bytes, extract::State, http::StatusCode, response::Html, routing::get,
    routing::post,
};
use epoint_az::Keys;
use epoint_az_sandbox::Sandbox;

type Shared = (Arc<Mutex<Vec<String>>>, Arc<Mutex<StatusCode>>);

/// A merchant's server: `POST /epoint/result` stores callbacks (answering `status`),
/// `GET /shop/success` and `GET /shop/error` are the redirect pages.
pub struct Merchant {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<String>>>,
    answer: Arc<Mutex<StatusCode>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Merchant {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Merchant {
    pub async fn start() -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(Mutex::new(StatusCode::OK));
        let app = Router::new()
            .route(
                "/epoint/result",
                post(
                    |State((received, answer)): State<Shared>, body: Bytes| async move {
                        received
                            .lock()
                            .expect("lock")
                            .push(String::from_utf8_lossy(&body).into_owned());
                        *answer.lock().expect("lock")
                    },
                ),
            )
            .route(
                "/shop/success",
                get(|| async { Html("<h1 id=\"shop\">Thank you, paid</h1>") }),
            )
            .route(
                "/shop/error",
                get(|| async { Html("<h1 id=\"shop\">Payment failed</h1>") }),
            )
            .with_state((received.clone(), answer.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind merchant");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("merchant server");
        });
        Self {
            addr,
            received,
            answer,
            task,
        }
    }

    pub fn result_url(&self) -> String {
        format!("http://{}/epoint/result", self.addr)
    }

    pub fn success_url(&self) -> String {
        format!("http://{}/shop/success", self.addr)
    }

    pub fn error_url(&self) -> String {
        format!("http://{}/shop/error", self.addr)
    }

    /// Raw callback bodies received so far.
    pub fn received(&self) -> Vec<String> {
        self.received.lock().expect("lock").clone()
    }

    /// The HTTP status the endpoint answers from now on.
    pub fn answer_with(&self, status: StatusCode) {
        *self.answer.lock().expect("lock") = status;
    }
}

/// A sandbox whose merchants send callbacks to `merchant`.
pub async fn sandbox_with(merchant: &Merchant) -> Sandbox {
    Sandbox::builder()
        .result_url(merchant.result_url())
        .start()
        .await
        .expect("sandbox starts")
}

pub fn keys1() -> Keys {
    Keys::new("i000000001", "sandbox_private_key_0000000001")
}

/// POSTs `data`+`signature` as a form to `path`, returns the JSON answer.
pub async fn post_form(base: &str, path: &str, data: &str, signature: &str) -> serde_json::Value {
    let body = epoint_az::signing::form_body(&epoint_az::generated::types::SignedEnvelope {
        data: data.to_owned(),
        signature: signature.to_owned(),
    });
    let response = http()
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200, "EPoint always answers HTTP 200");
    response.json().await.expect("JSON answer")
}

/// Seals `payload` with `keys` and POSTs it as a form.
pub async fn post_signed(
    base: &str,
    path: &str,
    keys: &Keys,
    payload: &serde_json::Value,
) -> serde_json::Value {
    let envelope = keys.seal(payload).expect("seal");
    post_form(base, path, &envelope.data, &envelope.signature).await
}

/// POSTs an HTML form (as a browser would) without following redirects.
pub async fn submit_form(
    http: &reqwest::Client,
    url: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    http.post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("form POST")
}

thread_local! {
    // One HTTP client per test thread (each `#[tokio::test]` runtime has its own thread):
    // building a client loads the TLS roots, which is slow in debug builds.
    // The crate's builder: with the default `rustls` feature reqwest has no crypto provider of
    // its own.
    static HTTP: reqwest::Client = epoint_az::http_client_builder()
        .expect("tls")
        .build()
        .expect("http client");
}

/// This test's shared HTTP client.
pub fn http() -> reqwest::Client {
    HTTP.with(Clone::clone)
}

/// The status and message of an [`epoint_az::Error::Rejected`]; panics on any other error.
pub fn rejected(err: epoint_az::Error) -> (epoint_az::PaymentStatus, String) {
    match err {
        epoint_az::Error::Rejected {
            status, message, ..
        } => (status, message),
        other => panic!("expected Rejected, got {other:?}"),
    }
}
