//! The B2B transfer's own routes: `POST /api/1/b2b/payment` takes a JSON envelope and answers
//! with real HTTP status codes, `GET /api/1/b2b/payment/{order_id}` is unsigned, and
//! `POST /_sandbox/b2b/{order_id}/settle` settles a transfer. The gateway decides every answer
//! ([`crate::gateway::tokens_b2b`]); this layer locks the state, records the request, delivers
//! the webhook and writes the HTTP answer.

use std::sync::Arc;

use axum::{
    body::Bytes,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::{
    callbacks::deliver_b2b_webhook,
    gateway::tokens_b2b::{b2b_status, b2b_transfer},
    model::wire_json,
    state::{ReceivedRequest, Shared},
};

/// `POST /api/1/b2b/payment`: the JSON envelope, verified like every request.
/// `fault`: the description of the fault applied to it, for the request log.
pub(crate) async fn b2b_post(shared: Arc<Shared>, body: Bytes, fault: Option<String>) -> Response {
    let mut guard = shared.lock();
    let state = &mut *guard;
    let (status, answer, payload, verified) =
        b2b_transfer(&state.merchants, &mut state.ledger, &body);
    state.requests.push(ReceivedRequest {
        operation: "b2b_payment",
        path: "/api/1/b2b/payment",
        envelope: "json",
        payload,
        verified,
        answer: Some(answer.clone()),
        fault,
    });
    drop(guard);
    json_response(status, &answer)
}

/// `GET /api/1/b2b/payment/{order_id}`: unsigned; answers, then advances the transfer (and
/// delivers its webhook when that settled it).
/// `fault`: the description of the fault applied to it, for the request log.
pub(crate) async fn b2b_get(
    shared: Arc<Shared>,
    order_id: String,
    fault: Option<String>,
) -> Response {
    let (answer, webhook) = b2b_status(&mut shared.lock().ledger, &order_id);
    if let Some(webhook) = webhook {
        let delivery = deliver_b2b_webhook(&shared.http, webhook).await;
        shared.lock().record_b2b_webhook(delivery);
    }
    shared.lock().requests.push(ReceivedRequest {
        operation: "b2b_payment_status",
        path: "/api/1/b2b/payment/{order_id}",
        envelope: "none",
        payload: Some(json!({"order_id": order_id})),
        verified: false,
        answer: Some(answer.clone()),
        fault,
    });
    json_response(200, &answer)
}

/// `POST /_sandbox/b2b/{order_id}/settle?outcome=success|failed`: settles a transfer.
pub(crate) async fn b2b_settle_route(
    shared: Arc<Shared>,
    order_id: String,
    success: bool,
) -> Response {
    let settled = shared
        .lock()
        .ledger
        .tokens_b2b
        .b2b_settle(&order_id, success, None);
    match settled {
        Ok(webhook) => {
            let delivery = deliver_b2b_webhook(&shared.http, webhook).await;
            shared.lock().record_b2b_webhook(delivery.clone());
            json_response(200, &serde_json::to_value(delivery).unwrap_or_default())
        }
        Err(e) => json_response(409, &json!({"error": e.to_string()})),
    }
}

fn json_response(status: u16, answer: &Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, "application/json")],
        wire_json(answer),
    )
        .into_response()
}
