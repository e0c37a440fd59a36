//! The HTTP side: the axum router, the envelope of each operation (form `data` +
//! `signature`, or a JSON envelope), the merchant and signature checks, fault injection,
//! the JSON answer, and the routes of the hosted page and of `/_sandbox/*` ([`inspect`]).
//! [`conn`] serves the router and lets a handler drop its own connection.
//!
//! It may import `gateway`, `page`, `state`, `ledger`, `callbacks` and `model`; only the
//! sandbox's `mod.rs` imports it.

mod conn;
mod inspect;

use std::sync::Arc;

use axum::{
    Extension, Router,
    body::{Body, Bytes},
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{delete, get, post},
};
use serde_json::Value;

use self::conn::{ConnControl, truncated_body};

mod b2b;
pub(crate) use self::conn::{Limits, serve};
use super::{
    gateway::{self, Caller, error, server_error},
    model::{Fault, wire_json},
    page,
    state::{self, ReceivedRequest, Shared},
};
use epoint_az::{
    OPERATIONS, OperationId, generated::types, operation::OperationInfo, signing::decode_data,
};

/// Every route: the spec's operations, the hosted page, and `/_sandbox/*`.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut router = Router::new();
    // The signed-form operations; the few that are not (GET reads, JSON bodies) add their
    // own routes below.
    for &OperationInfo { id, path, .. } in OPERATIONS.iter().filter(|op| op.payload.is_some()) {
        router = router.route(
            path,
            post(
                move |State(shared): State<Arc<Shared>>,
                      control: Option<Extension<ConnControl>>,
                      headers: HeaderMap,
                      body: Bytes| {
                    endpoint(shared, id, path, control.map(|c| c.0), headers, body)
                },
            ),
        );
    }
    // `/api/1/checkout` is posted by the customer's browser: a created payment is answered
    // with a 303 to its hosted page (refusals stay HTTP 200 JSON, recorded as usual).
    async fn checkout_redirect(
        request: axum::extract::Request,
        next: axum::middleware::Next,
    ) -> Response {
        let is_checkout = request.uri().path() == "/api/1/checkout";
        let response = next.run(request).await;
        if !is_checkout || response.status() != StatusCode::OK {
            return response;
        }
        let (parts, body) = response.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
            return StatusCode::BAD_GATEWAY.into_response();
        };
        let answer: Option<Value> = serde_json::from_slice(&bytes).ok();
        let location = answer
            .as_ref()
            .filter(|a| a["status"] == "success")
            .and_then(|a| a["redirect_url"].as_str());
        match location.and_then(|l| HeaderValue::from_str(l).ok()) {
            Some(location) => (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, location)],
                Body::empty(),
            )
                .into_response(),
            None => Response::from_parts(parts, Body::from(bytes)),
        }
    }
    router = router.route_layer(axum::middleware::from_fn(checkout_redirect));
    // `GET /api/heartbeat` (unsigned): `{"status":"ok"}`, recorded; faults apply.
    async fn heartbeat(
        State(shared): State<Arc<Shared>>,
        control: Option<Extension<ConnControl>>,
    ) -> Response {
        let request = unanswered("heartbeat", "/api/heartbeat", "none", None);
        faulted(
            shared,
            control.map(|c| c.0),
            request,
            |shared, fault| async move {
                let answer = serde_json::json!({"status": "ok"});
                shared.lock().requests.push(ReceivedRequest {
                    answer: Some(answer.clone()),
                    fault,
                    ..unanswered("heartbeat", "/api/heartbeat", "none", None)
                });
                json_text(wire_json(&answer))
            },
        )
        .await
    }
    router = router.route("/api/heartbeat", get(heartbeat));

    // The widget page completes its payment like `/pay/{id}`; invoices are paid or canceled on
    // `/invoice/{id}`; `/_sandbox/invoices` shows every invoice and the SMS/emails asked for.
    router = router
        .route("/widget/{id}", get(page::show).post(page::submit))
        .route(
            "/invoice/{id}",
            get(
                |State(shared): State<Arc<Shared>>,
                 axum::extract::Path(id): axum::extract::Path<u64>| async move {
                    let state = shared.lock();
                    match state.ledger.invoice(id) {
                        Some(invoice) => {
                            axum::response::Html(page::invoice_page(invoice)).into_response()
                        }
                        None => (StatusCode::NOT_FOUND, format!("Invoice {id} not found"))
                            .into_response(),
                    }
                },
            )
            .post(
                |State(shared): State<Arc<Shared>>,
                 axum::extract::Path(id): axum::extract::Path<u64>,
                 axum::Form(form): axum::Form<std::collections::HashMap<String, String>>| async move {
                    let pay = form.get("action").map(String::as_str) != Some("cancel");
                    let mut state = shared.lock();
                    if state.ledger.invoice(id).is_none() {
                        return (StatusCode::NOT_FOUND, format!("Invoice {id} not found"))
                            .into_response();
                    }
                    match state.ledger.settle_invoice(id, pay) {
                        Ok(invoice) => {
                            axum::response::Html(page::invoice_page(invoice)).into_response()
                        }
                        Err(message) => (StatusCode::CONFLICT, message).into_response(),
                    }
                },
            ),
        )
        .route(
            "/_sandbox/invoices",
            get(|State(shared): State<Arc<Shared>>| async move {
                axum::Json(gateway::wallets_invoices::invoices_json(&shared.lock().ledger))
            }),
        );

    // The B2B operations read their own JSON body or path; faults apply like elsewhere.
    router = router
        .route(
            "/api/1/b2b/payment",
            post(
                |State(shared): State<Arc<Shared>>,
                 control: Option<Extension<ConnControl>>,
                 body: Bytes| async move {
                    let payload = serde_json::from_slice::<types::SignedEnvelope>(&body)
                        .ok()
                        .and_then(|e| decode_data(&e.data).ok());
                    let request = unanswered("b2b_payment", "/api/1/b2b/payment", "json", payload);
                    faulted(shared, control.map(|c| c.0), request, |shared, fault| {
                        b2b::b2b_post(shared, body, fault)
                    })
                    .await
                },
            ),
        )
        .route(
            "/api/1/b2b/payment/{order_id}",
            get(
                |State(shared): State<Arc<Shared>>,
                 control: Option<Extension<ConnControl>>,
                 axum::extract::Path(order_id): axum::extract::Path<String>| async move {
                    let request = unanswered(
                        "b2b_payment_status",
                        "/api/1/b2b/payment/{order_id}",
                        "none",
                        Some(serde_json::json!({"order_id": order_id})),
                    );
                    faulted(shared, control.map(|c| c.0), request, |shared, fault| {
                        b2b::b2b_get(shared, order_id, fault)
                    })
                    .await
                },
            ),
        )
        .route(
            "/_sandbox/b2b/{order_id}/settle",
            post(
                |State(shared): State<Arc<Shared>>,
                 axum::extract::Path(order_id): axum::extract::Path<String>,
                 body: Bytes| {
                    let success = !form_urlencoded::parse(&body)
                        .any(|(k, v)| k == "outcome" && v == "failed");
                    b2b::b2b_settle_route(shared, order_id, success)
                },
            ),
        );
    router
        .route("/", get(page::index))
        .route("/pay/{id}", get(page::show).post(page::submit))
        .route("/card/{id}", get(page::show).post(page::submit))
        .route("/_sandbox/result/{kind}", get(page::result))
        .route("/_sandbox/requests", get(inspect::requests))
        .route("/_sandbox/transactions", get(inspect::transactions))
        .route("/_sandbox/cards", get(inspect::cards))
        .route("/_sandbox/callbacks", get(inspect::callbacks))
        .route("/_sandbox/complete/{id}", post(inspect::complete))
        .route("/_sandbox/faults/{operation}", post(inspect::inject_fault))
        .route("/_sandbox/faults", delete(inspect::clear_faults))
        .layer(axum::middleware::map_response(json_rejections))
        .layer(axum::middleware::map_response(request_id_header))
        .with_state(shared)
}

/// `n` random lowercase hex digits.
fn random_hex(n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// Every response carries an `X-Request-ID` header (a random UUID-shaped id), as
/// developer.epoint.az's conventions describe, so clients can be tested keeping it.
async fn request_id_header(mut response: Response) -> Response {
    let hex = random_hex(32);
    let id = format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    );
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .entry("x-request-id")
            .or_insert(value);
    }
    response
}

/// axum answers a body it cannot read (over 2 MB: 413; a form it cannot decode: 422; …) in
/// `text/plain`. Here every such answer becomes JSON with the same status: EPoint's error
/// shape `{"status":"error","message":…}` on the operations, `{"error":…}` on `/_sandbox/*`
/// like its other errors.
async fn json_rejections(uri: axum::http::Uri, response: Response) -> Response {
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !response.status().is_client_error() || !plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    let message = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_else(|_| parts.status.to_string());
    let json = if uri.path().starts_with("/_sandbox") {
        serde_json::json!({ "error": message })
    } else {
        serde_json::json!({ "status": "error", "message": message })
    };
    let mut answer = json_text(wire_json(&json));
    *answer.status_mut() = parts.status;
    answer
}

/// `data` + `signature`, and which envelope carried them.
struct Envelope {
    data: String,
    signature: String,
    kind: &'static str,
}

fn parse_envelope(headers: &HeaderMap, body: &[u8]) -> Result<Envelope, String> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    parse_envelope_bytes(is_json, body)
}

/// What [`parse_envelope`] reads, as a pure function of the body (for the fuzz targets).
/// `Ok((data, signature, kind))`, or the error message the sandbox answers.
///
/// ```
/// use epoint_az_sandbox::parse_envelope_for_fuzzing as parse;
/// assert_eq!(parse(false, b"data=e30%3D&signature=c2ln").unwrap().0, "e30=");
/// assert!(parse(true, b"[1]").is_err());
/// ```
#[doc(hidden)]
pub fn parse_envelope_for_fuzzing(
    is_json: bool,
    body: &[u8],
) -> Result<(String, String, &'static str), String> {
    parse_envelope_bytes(is_json, body).map(|e| (e.data, e.signature, e.kind))
}

fn parse_envelope_bytes(is_json: bool, body: &[u8]) -> Result<Envelope, String> {
    if is_json {
        let envelope: types::SignedEnvelope = serde_json::from_slice(body)
            .map_err(|e| format!("The JSON envelope is invalid: {e}"))?;
        return Ok(Envelope {
            data: envelope.data,
            signature: envelope.signature,
            kind: "json",
        });
    }
    let (mut data, mut signature) = (None, None);
    for (key, value) in form_urlencoded::parse(body) {
        let slot = match key.as_ref() {
            "data" => &mut data,
            "signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err(format!("The `{key}` field is given more than once"));
        }
    }
    let data = data
        .filter(|d: &String| !d.is_empty())
        .ok_or("The `data` field is required")?;
    let signature = signature
        .filter(|s: &String| !s.is_empty())
        .ok_or("The `signature` field is required")?;
    Ok(Envelope {
        data,
        signature,
        kind: "form",
    })
}

/// One of the spec's operations, processed in its own task: a client that gives up (during
/// an injected latency, say) drops this future, not the processing, so the request is still
/// processed and recorded, as [`Fault::Latency`] promises.
async fn endpoint(
    shared: Arc<Shared>,
    id: OperationId,
    path: &'static str,
    control: Option<ConnControl>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let task = tokio::spawn(handle(shared, id, path, control, headers, body));
    match task.await {
        Ok(Some(response)) => response,
        // The connection is closed under this handler; it never answers.
        Ok(None) => std::future::pending::<Response>().await,
        Err(e) => json_text(wire_json(&server_error(&format!(
            "sandbox task failed: {e}"
        )))),
    }
}

/// Faults, verification, processing, recording; `None` when the connection was dropped.
async fn handle(
    shared: Arc<Shared>,
    id: OperationId,
    path: &'static str,
    control: Option<ConnControl>,
    headers: HeaderMap,
    body: Bytes,
) -> Option<Response> {
    let operation = id.operation_id();
    let fault = shared.lock().faults.take(operation);
    if let Some(Fault::Latency(delay)) = &fault {
        tokio::time::sleep(*delay).await;
    }
    let envelope = parse_envelope(&headers, &body);
    let mut record = ReceivedRequest {
        operation,
        path,
        envelope: envelope.as_ref().map_or("form", |e| e.kind),
        payload: envelope
            .as_ref()
            .ok()
            .and_then(|e| decode_data(&e.data).ok()),
        verified: false,
        answer: None,
        fault: fault.as_ref().map(|f| format!("{f:?}")),
    };
    if let Some(response) = fault.as_ref().and_then(answered_instead) {
        shared.lock().requests.push(record);
        return Some(response);
    }

    let answer = {
        let mut state = shared.lock();
        let (mut answer, verified) = match envelope {
            Ok(envelope) => process(&mut state, &shared.base_url, id, &envelope),
            Err(message) => (error(&message), false),
        };
        // Like EPoint's developer site: every `{status, …}` answer carries a `trace_id`,
        // except where the spec's answer schema declares none (the token API's answers).
        const NO_TRACE_ID: [&str; 2] = ["token_payment", "apple_pay_session"];
        if let Value::Object(fields) = &mut answer
            && fields.contains_key("status")
            && !NO_TRACE_ID.contains(&operation)
        {
            fields
                .entry("trace_id")
                .or_insert_with(|| Value::from(random_hex(32)));
        }
        record.verified = verified;
        record.answer = Some(answer.clone());
        state.requests.push(record);
        answer
    };
    let text = wire_json(&answer);
    match (fault, control) {
        (Some(Fault::TruncatedBody), Some(control)) => Some(truncated_body(control, text)),
        (Some(Fault::DropConnection), Some(control)) => {
            control.kill();
            None
        }
        _ => Some(json_text(text)),
    }
}

/// The answer of a fault that answers **instead of** processing the request (`HttpStatus`,
/// `NotJson`); `None` for the others.
fn answered_instead(fault: &Fault) -> Option<Response> {
    let (status, body) = match fault {
        Fault::HttpStatus { status, body } => (
            StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY),
            body,
        ),
        Fault::NotJson(text) => (StatusCode::OK, text),
        _ => return None,
    };
    Some(
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body.clone(),
        )
            .into_response(),
    )
}

/// The record of a request not answered yet (no answer, not verified, no fault).
fn unanswered(
    operation: &'static str,
    path: &'static str,
    envelope: &'static str,
    payload: Option<Value>,
) -> ReceivedRequest {
    ReceivedRequest {
        operation,
        path,
        envelope,
        payload,
        verified: false,
        answer: None,
        fault: None,
    }
}

/// An operation whose route reads its own request (heartbeat, the B2B JSON body and status
/// read) gets the fault armed for it exactly as the signed forms do in [`handle`]: a latency
/// delays it, `HttpStatus` and `NotJson` answer instead of `run` (recording `request`), a
/// truncated body or a dropped connection loses the answer of a request that `run` processed
/// and recorded. `run` gets the fault's description for its record. Processed in its own task,
/// so a client that gives up does not stop it.
async fn faulted<F, Fut>(
    shared: Arc<Shared>,
    control: Option<ConnControl>,
    request: ReceivedRequest,
    run: F,
) -> Response
where
    F: FnOnce(Arc<Shared>, Option<String>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Response> + Send + 'static,
{
    let task = tokio::spawn(async move {
        let fault = shared.lock().faults.take(request.operation);
        if let Some(Fault::Latency(delay)) = &fault {
            tokio::time::sleep(*delay).await;
        }
        let described = fault.as_ref().map(|f| format!("{f:?}"));
        if let Some(response) = fault.as_ref().and_then(answered_instead) {
            shared.lock().requests.push(ReceivedRequest {
                fault: described,
                ..request
            });
            return Some(response);
        }
        let response = run(shared, described).await;
        match (fault, control) {
            (Some(Fault::TruncatedBody), Some(control)) => {
                let (parts, body) = response.into_parts();
                let bytes = axum::body::to_bytes(body, usize::MAX)
                    .await
                    .unwrap_or_default();
                let mut truncated =
                    truncated_body(control, String::from_utf8_lossy(&bytes).into_owned());
                *truncated.status_mut() = parts.status;
                Some(truncated)
            }
            (Some(Fault::DropConnection), Some(control)) => {
                control.kill();
                None
            }
            _ => Some(response),
        }
    });
    match task.await {
        Ok(Some(response)) => response,
        // The connection is closed under this handler; it never answers.
        Ok(None) => std::future::pending::<Response>().await,
        Err(e) => json_text(wire_json(&server_error(&format!(
            "sandbox task failed: {e}"
        )))),
    }
}

/// A JSON answer, HTTP 200.
fn json_text(text: String) -> Response {
    let mut response = Response::new(Body::from(text));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Verifies like EPoint, then lets the gateway run the operation. Returns the answer and
/// whether the signature matched.
fn process(
    state: &mut state::State,
    base_url: &str,
    operation: OperationId,
    envelope: &Envelope,
) -> (Value, bool) {
    let json: Value = match decode_data(&envelope.data) {
        Ok(json @ Value::Object(_)) => json,
        _ => return (error("`data` is not base64 of a JSON object"), false),
    };
    let Some(public_key) = json.get("public_key").and_then(Value::as_str) else {
        return (error("The `public_key` field is required"), false);
    };
    let Some(merchant) = state.merchants.get(public_key) else {
        return (server_error("Merchant not found"), false);
    };
    if merchant
        .keys()
        .verify(&envelope.data, &envelope.signature)
        .is_err()
    {
        let answer = gateway::signature_refused(
            &state.merchants,
            merchant,
            &envelope.data,
            &envelope.signature,
        );
        return (answer, false);
    }
    let caller = Caller {
        merchant,
        merchants: &state.merchants,
        base_url,
    };
    let answer = gateway::dispatch(&mut state.ledger, &caller, operation, &json);
    (answer, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_from_forms_and_json() {
        let mut headers = HeaderMap::new();
        let form = parse_envelope(&headers, b"data=eyJhIjoxfQ%3D%3D&signature=c2ln").expect("form");
        assert_eq!((form.data.as_str(), form.kind), ("eyJhIjoxfQ==", "form"));
        assert!(parse_envelope(&headers, b"data=a&data=b&signature=s").is_err());
        assert!(parse_envelope(&headers, b"signature=s").is_err());
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        let json_env = parse_envelope(&headers, br#"{"data":"eyJhIjoxfQ==","signature":"c2ln"}"#)
            .expect("json");
        assert_eq!(
            (json_env.signature.as_str(), json_env.kind),
            ("c2ln", "json")
        );
        assert!(parse_envelope(&headers, b"data=x&signature=y").is_err());
    }
}
