//! The `/_sandbox/*` endpoints: the requests, transactions, cards and callbacks as JSON,
//! completing a hosted page, and arming or clearing faults (for tests in other languages).
//!
//! It may import `state`, `page` (to complete a page), `gateway` (operation names),
//! `ledger`, `callbacks` and `model`.

use std::{sync::Arc, time::Duration};

use axum::{
    Form, Json,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;

use crate::{
    DEFAULT_TRANSACTIONS_PAGE, MAX_TRANSACTIONS_PAGE,
    callbacks::CallbackDelivery,
    gateway::operation_named,
    ledger::{SavedCard, Transaction},
    model::{Fault, Outcome},
    page,
    state::{FaultRule, ReceivedRequest, Shared},
};

/// `GET /_sandbox/requests`.
pub(super) async fn requests(State(shared): State<Arc<Shared>>) -> Json<Vec<ReceivedRequest>> {
    Json(shared.lock().requests.to_vec())
}

#[derive(Deserialize)]
pub(super) struct PageQuery {
    limit: Option<String>,
    after: Option<String>,
}

/// `GET /_sandbox/transactions?limit=N&after=ID`: one page, oldest first, of at most `limit`
/// transactions ([`DEFAULT_TRANSACTIONS_PAGE`] by default, at most
/// [`MAX_TRANSACTIONS_PAGE`]) after the id `after`. When more follow, the answer has the
/// header `Link: </_sandbox/transactions?limit=N&after=LAST>; rel="next"`; `X-Total-Count`
/// is how many the ledger keeps. Only the page is copied under the lock, and it is
/// serialised after the lock is released.
pub(super) async fn transactions(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<PageQuery>,
) -> Response {
    let limit = match query.limit.as_deref().map(str::parse::<usize>) {
        None => DEFAULT_TRANSACTIONS_PAGE,
        Some(Ok(n)) if (1..=MAX_TRANSACTIONS_PAGE).contains(&n) => n,
        Some(_) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": format!(
                    "limit must be a whole number from 1 to {MAX_TRANSACTIONS_PAGE}, got {:?}",
                    query.limit.unwrap_or_default()
                )})),
            )
                .into_response();
        }
    };
    let (mut page, total) = {
        let state = shared.lock();
        let page: Vec<Transaction> = state
            .ledger
            .transactions_after(query.after.as_deref())
            .take(limit + 1)
            .cloned()
            .collect();
        (page, state.ledger.transaction_count())
    };
    let more = page.len() > limit;
    page.truncate(limit);
    let mut response = Json(&page).into_response();
    let headers = response.headers_mut();
    headers.insert("x-total-count", HeaderValue::from(total));
    if let Some(last) = page.last().filter(|_| more) {
        let link = format!(
            "</_sandbox/transactions?limit={limit}&after={}>; rel=\"next\"",
            form_urlencoded::byte_serialize(last.id.as_bytes()).collect::<String>()
        );
        if let Ok(link) = HeaderValue::from_str(&link) {
            headers.insert(header::LINK, link);
        }
    }
    response
}

/// `GET /_sandbox/cards`.
pub(super) async fn cards(State(shared): State<Arc<Shared>>) -> Json<Vec<SavedCard>> {
    Json(shared.lock().ledger.cards().cloned().collect())
}

/// `GET /_sandbox/callbacks`.
pub(super) async fn callbacks(State(shared): State<Arc<Shared>>) -> Json<Vec<CallbackDelivery>> {
    Json(shared.lock().callbacks.iter().cloned().collect::<Vec<_>>())
}

#[derive(Deserialize)]
pub(super) struct CompleteForm {
    outcome: Option<String>,
    code: Option<String>,
    number: Option<String>,
    name: Option<String>,
}

/// `POST /_sandbox/complete/{id}`: `outcome=paid`, `outcome=declined&code=116`, or
/// `number=…&name=…`.
pub(super) async fn complete(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Form(form): Form<CompleteForm>,
) -> Response {
    let outcome = match (form.outcome.as_deref(), form.number) {
        (_, Some(number)) => Outcome::Card {
            number,
            name: form.name.unwrap_or_else(|| "TEST CARDHOLDER".into()),
        },
        (Some("declined"), None) => Outcome::Declined(form.code.unwrap_or_else(|| "100".into())),
        (Some("paid") | None, None) => Outcome::Paid,
        (Some(other), None) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": format!("unknown outcome {other:?}: use paid or declined")})),
            )
                .into_response();
        }
    };
    match page::complete(&shared, &id, outcome).await {
        Ok(done) => Json(done).into_response(),
        Err(e @ crate::SandboxError::InvalidCard(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
        Err(e) => (StatusCode::CONFLICT, Json(json!({"error": e.to_string()}))).into_response(),
    }
}

#[derive(Deserialize)]
pub(super) struct FaultForm {
    kind: String,
    ms: Option<u64>,
    status: Option<u16>,
    body: Option<String>,
    times: Option<u32>,
}

/// `POST /_sandbox/faults/{operation}` with `kind=latency&ms=500`, `kind=status&status=502&body=…`,
/// `kind=not_json&body=…`, `kind=truncated` or `kind=drop` (and optionally `times=N`).
pub(super) async fn inject_fault(
    State(shared): State<Arc<Shared>>,
    Path(operation): Path<String>,
    Form(form): Form<FaultForm>,
) -> Response {
    let fault = match form.kind.as_str() {
        "latency" => Fault::Latency(Duration::from_millis(form.ms.unwrap_or(1000))),
        "status" => Fault::HttpStatus {
            status: form.status.unwrap_or(502),
            body: form.body.unwrap_or_default(),
        },
        "not_json" => Fault::NotJson(form.body.unwrap_or_else(|| "<html>error</html>".into())),
        "truncated" => Fault::TruncatedBody,
        "drop" => Fault::DropConnection,
        other => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": format!(
                    "unknown fault kind {other:?}: latency, status, not_json, truncated or drop"
                )})),
            )
                .into_response();
        }
    };
    let Some(op) = operation_named(&operation) else {
        let error = crate::SandboxError::UnknownOperation(operation);
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": error.to_string()})),
        )
            .into_response();
    };
    let description = format!("{fault:?}");
    shared.lock().faults.arm(
        op.operation_id(),
        FaultRule {
            fault,
            times: form.times,
        },
    );
    Json(json!({"operation": op.operation_id(), "fault": description, "times": form.times}))
        .into_response()
}

/// `DELETE /_sandbox/faults`: removes every fault.
pub(super) async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.lock().faults.clear();
    StatusCode::NO_CONTENT
}
