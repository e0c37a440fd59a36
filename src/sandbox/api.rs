//! The ten operations of the spec, the envelope checks, faults and the JSON inspection routes.

use std::{sync::Arc, time::Duration};

use axum::{
    Extension, Form, Json, Router,
    body::{Body, Bytes},
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

use super::{
    CardStatus, Fault, Outcome, ReceivedRequest, SavedCard, Shared, Transaction, page,
    server::{ConnControl, truncated_body},
    state::{self, State as Gateway, bank_refs, checked, code_message, operation_code},
};
use crate::{Language, OPERATIONS, PaymentStatus, generated::types, signing::decode_data};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut router = Router::new();
    for &crate::operation::OperationInfo {
        operation_id: operation,
        path,
        ..
    } in OPERATIONS
    {
        router = router.route(
            path,
            post(
                move |State(shared): State<Arc<Shared>>,
                      control: Option<Extension<ConnControl>>,
                      headers: HeaderMap,
                      body: Bytes| {
                    endpoint(shared, operation, path, control.map(|c| c.0), headers, body)
                },
            ),
        );
    }
    router
        .route("/", get(page::index))
        .route("/pay/{id}", get(page::show).post(page::submit))
        .route("/card/{id}", get(page::show).post(page::submit))
        .route("/_sandbox/result/{kind}", get(page::result))
        .route("/_sandbox/requests", get(requests))
        .route("/_sandbox/transactions", get(transactions))
        .route("/_sandbox/cards", get(cards))
        .route("/_sandbox/callbacks", get(callbacks))
        .route("/_sandbox/complete/{id}", post(complete))
        .route("/_sandbox/faults/{operation}", post(inject_fault))
        .route("/_sandbox/faults", axum::routing::delete(clear_faults))
        .with_state(shared)
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

/// One of the ten operations: faults, verification, processing, recording.
async fn endpoint(
    shared: Arc<Shared>,
    operation: &'static str,
    path: &'static str,
    control: Option<ConnControl>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fault = shared.lock().take_fault(operation);
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
    let early = match &fault {
        Some(Fault::HttpStatus { status, body }) => Some(
            (
                StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY),
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                body.clone(),
            )
                .into_response(),
        ),
        Some(Fault::NotJson(text)) => Some(
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                text.clone(),
            )
                .into_response(),
        ),
        _ => None,
    };
    if let Some(response) = early {
        shared.lock().requests.push(record);
        return response;
    }

    let answer = {
        let mut state = shared.lock();
        let (answer, verified) = match envelope {
            Ok(envelope) => process(&mut state, &shared.base_url, operation, &envelope),
            Err(message) => (error(&message), false),
        };
        record.verified = verified;
        record.answer = Some(answer.clone());
        state.requests.push(record);
        answer
    };
    let text = wire_json(&answer);
    match (fault, control) {
        (Some(Fault::TruncatedBody), Some(control)) => truncated_body(control, text),
        (Some(Fault::DropConnection), Some(control)) => {
            control.kill();
            // The connection is closed under this handler; it never answers.
            std::future::pending::<Response>().await
        }
        _ => json_text(text),
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

/// Serialises an answer or callback payload as EPoint does: `amount` and `split_amount` as
/// JSON numbers (their exact decimal text), everything else as usual.
pub(crate) fn wire_json(value: &Value) -> String {
    let Value::Object(map) = value else {
        return value.to_string();
    };
    let mut out = String::from("{");
    for (i, (key, field)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::String(key.clone()).to_string());
        out.push(':');
        match field {
            Value::String(text)
                if matches!(key.as_str(), "amount" | "split_amount")
                    && Decimal::from_str_exact(text).is_ok() =>
            {
                out.push_str(text);
            }
            other => out.push_str(&other.to_string()),
        }
    }
    out.push('}');
    out
}

fn error(message: &str) -> Value {
    json!({"status": "error", "message": message})
}

fn server_error(message: &str) -> Value {
    json!({"status": "server_error", "message": message})
}

fn to_value<T: Serialize>(answer: &T) -> Value {
    serde_json::to_value(answer).unwrap_or_else(|e| server_error(&e.to_string()))
}

fn decode<T: DeserializeOwned>(json: &Value) -> Result<T, String> {
    // The spec's length limits, checked first so the message names the field.
    for (field, max) in [
        ("public_key", 64),
        ("split_user", 64),
        ("order_id", 255),
        ("description", 1000),
    ] {
        if let Some(text) = json.get(field).and_then(Value::as_str) {
            if text.is_empty() && field != "description" {
                return Err(format!("Invalid request: `{field}` is empty"));
            }
            if text.chars().count() > max {
                return Err(format!(
                    "Invalid request: `{field}` is longer than {max} characters"
                ));
            }
        }
    }
    serde_json::from_value(json.clone()).map_err(|e| format!("Invalid request: {e}"))
}

/// Verifies like EPoint, then runs the operation. Returns the answer and whether the
/// signature matched.
fn process(
    state: &mut Gateway,
    base_url: &str,
    operation: &'static str,
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
        return (server_error("Signature did not match"), false);
    }
    let merchant = public_key.to_owned();
    let answer = match run(state, base_url, operation, &merchant, &json) {
        Ok(answer) | Err(answer) => answer,
    };
    (answer, true)
}

type Answer = Result<Value, Value>;

fn invalid(message: impl AsRef<str>) -> Value {
    error(message.as_ref())
}

fn run(
    state: &mut Gateway,
    base_url: &str,
    operation: &'static str,
    merchant: &str,
    json: &Value,
) -> Answer {
    match operation {
        "payment_request" => {
            let p: types::PaymentRequest = decode(json).map_err(invalid)?;
            let amount = checked("amount", p.amount).map_err(invalid)?;
            let id = new_payment(state, merchant, operation, &p.order_id, amount, |tx| {
                tx.description = p.description.as_ref().map(|d| d.to_string());
                tx.other_attr = p.other_attr.clone().map(|a| Value::Object(a.0));
                tx.language = p.language;
                tx.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
                tx.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
            });
            Ok(hosted(base_url, Some(id), None))
        }
        "split_request" => {
            let p: types::SplitPaymentRequest = decode(json).map_err(invalid)?;
            let (amount, split) = split(state, merchant, &p.split_user, p.amount, p.split_amount)?;
            let id = new_payment(state, merchant, operation, &p.order_id, amount, |tx| {
                tx.split_user = Some(p.split_user.to_string());
                tx.split_amount = Some(split);
                tx.description = p.description.as_ref().map(|d| d.to_string());
                tx.other_attr = p.other_attr.clone().map(|a| Value::Object(a.0));
                tx.language = p.language;
                tx.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
                tx.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
            });
            Ok(hosted(base_url, Some(id), None))
        }
        "card_registration" => {
            let p: types::CardRegistrationRequest = decode(json).map_err(invalid)?;
            // `Flag` only decodes 0 or 1, so anything else was already refused.
            let for_payouts = p.refund.is_some_and(crate::Flag::is_set);
            let card_id = new_card(state, merchant, operation, None, |card| {
                card.for_payouts = for_payouts;
                card.description = p.description.as_ref().map(|d| d.to_string());
                card.language = p.language;
                card.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
                card.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
            });
            Ok(hosted(base_url, None, Some(card_id)))
        }
        "card_registration_with_pay" => {
            let p: types::CardRegistrationWithPayRequest = decode(json).map_err(invalid)?;
            let amount = checked("amount", p.amount).map_err(invalid)?;
            let id = new_payment(state, merchant, operation, &p.order_id, amount, |tx| {
                tx.description = p.description.as_ref().map(|d| d.to_string());
                tx.language = p.language;
                tx.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
                tx.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
            });
            let card_id = attach_card(state, merchant, operation, &id);
            Ok(hosted(base_url, Some(id), Some(card_id)))
        }
        "split_card_registration_with_pay" => {
            let p: types::SplitCardRegistrationWithPayRequest = decode(json).map_err(invalid)?;
            let (amount, split) = split(state, merchant, &p.split_user, p.amount, p.split_amount)?;
            let id = new_payment(state, merchant, operation, &p.order_id, amount, |tx| {
                tx.split_user = Some(p.split_user.to_string());
                tx.split_amount = Some(split);
                tx.description = p.description.as_ref().map(|d| d.to_string());
                tx.language = p.language;
                tx.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
                tx.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
            });
            let card_id = attach_card(state, merchant, operation, &id);
            Ok(hosted(base_url, Some(id), Some(card_id)))
        }
        "get_status" => {
            let p: types::StatusRequest = decode(json).map_err(invalid)?;
            let tx = find_transaction(state, merchant, &p.transaction)?;
            Ok(status_answer(tx))
        }
        "execute_pay" => {
            let p: types::ExecutePayRequest = decode(json).map_err(invalid)?;
            let amount = checked("amount", p.amount).map_err(invalid)?;
            charge(
                state,
                merchant,
                operation,
                &p.card_id,
                &p.order_id,
                amount,
                None,
            )
        }
        "split_execute_pay" => {
            let p: types::SplitExecutePayRequest = decode(json).map_err(invalid)?;
            let (amount, split) = split(state, merchant, &p.split_user, p.amount, p.split_amount)?;
            let split = Some((p.split_user.to_string(), split));
            charge(
                state,
                merchant,
                operation,
                &p.card_id,
                &p.order_id,
                amount,
                split,
            )
        }
        "refund_request" => {
            let p: types::PayoutRequest = decode(json).map_err(invalid)?;
            let amount = checked("amount", p.amount).map_err(invalid)?;
            charge(
                state,
                merchant,
                operation,
                &p.card_id,
                &p.order_id,
                amount,
                None,
            )
        }
        "reverse" => {
            let p: types::ReverseRequest = decode(json).map_err(invalid)?;
            reverse(state, merchant, &p)
        }
        other => Err(server_error(&format!("operation {other} is not simulated"))),
    }
}

/// `amount` and `split_amount`, checked, with a known partner that is not the merchant.
fn split(
    state: &Gateway,
    merchant: &str,
    split_user: &types::PublicKey,
    amount: crate::Money,
    split_amount: crate::Money,
) -> Result<(crate::Money, crate::Money), Value> {
    let amount = checked("amount", amount).map_err(invalid)?;
    let split_amount = checked("split_amount", split_amount).map_err(invalid)?;
    if split_amount.amount() > amount.amount() {
        return Err(invalid(format!(
            "`split_amount` {split_amount} is more than `amount` {amount}"
        )));
    }
    let partner = split_user.to_string();
    if partner == merchant {
        return Err(invalid("`split_user` must be another merchant"));
    }
    if !state.merchants.contains_key(&partner) {
        return Err(invalid(format!("Split user {partner} not found")));
    }
    Ok((amount, split_amount))
}

fn blank_transaction(
    id: String,
    merchant: &str,
    operation: &'static str,
    order_id: &str,
    amount: crate::Money,
) -> Transaction {
    Transaction {
        id,
        merchant: merchant.to_owned(),
        operation,
        order_id: order_id.to_owned(),
        amount,
        refunded: Decimal::ZERO,
        status: PaymentStatus::New,
        code: None,
        message: None,
        split_user: None,
        split_amount: None,
        card_id: None,
        rrn: None,
        bank_transaction: None,
        card_mask: None,
        card_name: None,
        description: None,
        other_attr: None,
        language: Language::Az,
        success_redirect_url: None,
        error_redirect_url: None,
    }
}

fn new_payment(
    state: &mut Gateway,
    merchant: &str,
    operation: &'static str,
    order_id: &str,
    amount: crate::Money,
    fill: impl FnOnce(&mut Transaction),
) -> String {
    let id = state.transaction_id();
    let mut tx = blank_transaction(id.clone(), merchant, operation, order_id, amount);
    fill(&mut tx);
    state.transactions.insert(id.clone(), tx);
    id
}

fn new_card(
    state: &mut Gateway,
    merchant: &str,
    operation: &'static str,
    transaction: Option<&str>,
    fill: impl FnOnce(&mut SavedCard),
) -> String {
    let id = state.card_id();
    let mut card = SavedCard {
        id: id.clone(),
        merchant: merchant.to_owned(),
        operation,
        status: CardStatus::Pending,
        for_payouts: false,
        bank_code: None,
        card_mask: None,
        card_name: None,
        transaction: transaction.map(str::to_owned),
        description: None,
        language: Language::Az,
        success_redirect_url: None,
        error_redirect_url: None,
    };
    fill(&mut card);
    state.cards.insert(id.clone(), card);
    id
}

/// A pending card saved by the payment `transaction`.
fn attach_card(
    state: &mut Gateway,
    merchant: &str,
    operation: &'static str,
    transaction: &str,
) -> String {
    let (language, success, error) = state
        .transactions
        .get(transaction)
        .map(|tx| {
            (
                tx.language,
                tx.success_redirect_url.clone(),
                tx.error_redirect_url.clone(),
            )
        })
        .unwrap_or((Language::Az, None, None));
    let card_id = new_card(state, merchant, operation, Some(transaction), |card| {
        card.language = language;
        card.success_redirect_url = success;
        card.error_redirect_url = error;
    });
    if let Some(tx) = state.transactions.get_mut(transaction) {
        tx.card_id = Some(card_id.clone());
    }
    card_id
}

fn hosted(base_url: &str, transaction: Option<String>, card_id: Option<String>) -> Value {
    let redirect_url = match (&transaction, &card_id) {
        (Some(tx), _) => format!("{base_url}/pay/{tx}"),
        (None, Some(card)) => format!("{base_url}/card/{card}"),
        (None, None) => base_url.to_owned(),
    };
    to_value(&types::RedirectResponse {
        extra: Default::default(),
        status: PaymentStatus::Success,
        transaction,
        card_id,
        redirect_url: Some(redirect_url),
        message: None,
        trace_id: None,
    })
}

fn find_transaction<'s>(
    state: &'s mut Gateway,
    merchant: &str,
    id: &str,
) -> Result<&'s mut Transaction, Value> {
    state
        .transactions
        .get_mut(id)
        .filter(|tx| tx.merchant == merchant)
        .ok_or_else(|| invalid("Transaction not found"))
}

fn status_answer(tx: &Transaction) -> Value {
    let success = matches!(tx.status, PaymentStatus::Success | PaymentStatus::Returned);
    to_value(&types::StatusResponse {
        extra: Default::default(),
        status: tx.status.clone(),
        code: tx.code.clone(),
        message: tx.message.clone(),
        transaction: Some(tx.id.clone()),
        order_id: None,
        bank_transaction: tx.bank_transaction.clone(),
        bank_response: tx.message.clone().filter(|_| success),
        operation_code: operation_code(tx.operation).map(str::to_owned),
        rrn: tx.rrn.clone(),
        card_name: tx.card_name.clone(),
        card_mask: tx.card_mask.clone(),
        amount: Some(tx.amount),
        other_attr: tx.other_attr.clone(),
        trace_id: None,
    })
}

/// A synchronous charge (`execute_pay`, `split_execute_pay`) or payout (`refund_request`).
fn charge(
    state: &mut Gateway,
    merchant: &str,
    operation: &'static str,
    card_id: &types::CardId,
    order_id: &types::OrderId,
    amount: crate::Money,
    split: Option<(String, crate::Money)>,
) -> Answer {
    let payout = operation == "refund_request";
    let card = state
        .cards
        .get(card_id.as_str())
        .filter(|card| card.merchant == merchant)
        .ok_or_else(|| invalid("Card not found"))?;
    if card.status != CardStatus::Active {
        return Err(invalid(format!(
            "Card {} is not active (its registration was not completed)",
            card.id
        )));
    }
    if payout && !card.for_payouts {
        return Err(invalid(
            "Card is not registered for payouts (register it with refund = 1)",
        ));
    }
    if !payout && card.for_payouts {
        return Err(invalid(
            "Card is registered for payouts and cannot be charged",
        ));
    }
    let code = card.bank_code.clone().unwrap_or_else(|| "000".to_owned());
    let (card_mask, card_name, card_id) = (
        card.card_mask.clone(),
        card.card_name.clone(),
        card.id.clone(),
    );
    let approved = code == "000";
    let message = code_message(&code);
    let id = state.transaction_id();
    let mut tx = blank_transaction(id.clone(), merchant, operation, order_id, amount);
    tx.card_id = Some(card_id);
    tx.code = Some(code.clone());
    tx.message = Some(message.clone());
    if let Some((user, share)) = &split {
        tx.split_user = Some(user.clone());
        tx.split_amount = Some(*share);
    }
    let answer = if approved {
        let (rrn, bank_transaction) = bank_refs();
        tx.status = PaymentStatus::Success;
        tx.rrn = Some(rrn);
        tx.bank_transaction = Some(bank_transaction);
        tx.card_mask = card_mask;
        tx.card_name = card_name;
        types::ChargeResponse {
            extra: Default::default(),
            status: PaymentStatus::Success,
            code: Some(code),
            message: Some(message.clone()),
            transaction: Some(id.clone()),
            bank_transaction: tx.bank_transaction.clone(),
            bank_response: Some(message),
            rrn: tx.rrn.clone(),
            card_name: tx.card_name.clone(),
            card_mask: tx.card_mask.clone(),
            amount: Some(amount),
            split_amount: tx.split_amount,
            trace_id: None,
        }
    } else {
        tx.status = PaymentStatus::Error;
        types::ChargeResponse {
            extra: Default::default(),
            status: PaymentStatus::Failed,
            code: Some(code),
            message: Some(message),
            transaction: Some(id.clone()),
            bank_transaction: None,
            bank_response: None,
            rrn: None,
            card_name: None,
            card_mask: None,
            amount: None,
            split_amount: None,
            trace_id: None,
        }
    };
    state.transactions.insert(id, tx);
    Ok(to_value(&answer))
}

/// `/api/1/reverse`: a full or partial refund of what remains.
fn reverse(state: &mut Gateway, merchant: &str, p: &types::ReverseRequest) -> Answer {
    let tx = find_transaction(state, merchant, &p.transaction)?;
    if tx.operation == "refund_request" {
        return Err(invalid("A payout cannot be reversed"));
    }
    if !matches!(tx.status, PaymentStatus::Success | PaymentStatus::Returned) {
        return Err(invalid(format!(
            "Transaction {} cannot be reversed: its status is {}",
            tx.id, tx.status
        )));
    }
    let remaining = tx.remaining();
    if remaining <= Decimal::ZERO {
        return Err(invalid(format!(
            "Transaction {} is already fully refunded",
            tx.id
        )));
    }
    let amount = match p.amount {
        None => remaining,
        Some(amount) => checked("amount", amount).map_err(invalid)?.amount(),
    };
    if amount > remaining {
        return Err(invalid(format!(
            "The refund amount {amount} is more than the refundable amount {remaining}"
        )));
    }
    tx.refunded += amount;
    tx.status = PaymentStatus::Returned;
    Ok(to_value(&types::ReverseResponse {
        extra: Default::default(),
        status: PaymentStatus::Success,
        message: None,
        transaction: Some(tx.id.clone()),
        trace_id: None,
    }))
}

async fn requests(State(shared): State<Arc<Shared>>) -> Json<Vec<ReceivedRequest>> {
    Json(shared.lock().requests.clone())
}

async fn transactions(State(shared): State<Arc<Shared>>) -> Json<Vec<Transaction>> {
    Json(shared.lock().transactions.values().cloned().collect())
}

async fn cards(State(shared): State<Arc<Shared>>) -> Json<Vec<SavedCard>> {
    Json(shared.lock().cards.values().cloned().collect())
}

async fn callbacks(State(shared): State<Arc<Shared>>) -> Json<Vec<super::CallbackDelivery>> {
    Json(shared.lock().callbacks.clone())
}

#[derive(Deserialize)]
struct CompleteForm {
    outcome: Option<String>,
    code: Option<String>,
    number: Option<String>,
    name: Option<String>,
}

/// `POST /_sandbox/complete/{id}`: `outcome=paid`, `outcome=declined&code=116`, or
/// `number=…&name=…`.
async fn complete(
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
    match state::complete(&shared, &id, outcome).await {
        Ok(done) => Json(done).into_response(),
        Err(e) => (StatusCode::CONFLICT, Json(json!({"error": e.to_string()}))).into_response(),
    }
}

#[derive(Deserialize)]
struct FaultForm {
    kind: String,
    ms: Option<u64>,
    status: Option<u16>,
    body: Option<String>,
    times: Option<u32>,
}

/// `POST /_sandbox/faults/{operation}` with `kind=latency&ms=500`, `kind=status&status=502&body=…`,
/// `kind=not_json&body=…`, `kind=truncated` or `kind=drop` (and optionally `times=N`).
async fn inject_fault(
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
    let Some((op, _)) = super::operation_named(&operation)
        .or_else(|| super::operation_named(&format!("/api/1/{operation}")))
    else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("{operation:?} is not an operation")})),
        )
            .into_response();
    };
    let description = format!("{fault:?}");
    shared.lock().faults.insert(
        op,
        state::FaultRule {
            fault,
            times: form.times,
        },
    );
    Json(json!({"operation": op, "fault": description, "times": form.times})).into_response()
}

/// `DELETE /_sandbox/faults`: removes every fault.
async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.lock().faults.clear();
    StatusCode::NO_CONTENT
}

/// How long the truncated-body fault waits before closing (lets the partial body flush).
pub(crate) const TRUNCATE_CLOSE_DELAY: Duration = Duration::from_millis(50);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_json_writes_amounts_as_exact_numbers() {
        let value = json!({"amount": "30.75", "split_amount": "100.00", "code": "000",
                           "message": "amount \"1\"", "other_attr": {"amount": "7"}});
        let text = wire_json(&value);
        assert!(text.contains(r#""amount":30.75"#), "{text}");
        assert!(text.contains(r#""split_amount":100.00"#), "{text}");
        assert!(
            text.contains(r#""code":"000""#),
            "other strings stay strings: {text}"
        );
        assert!(
            text.contains(r#""other_attr":{"amount":"7"}"#),
            "only top-level money: {text}"
        );
        let back: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back["message"], "amount \"1\"");
        let not_money = wire_json(&json!({"amount": "1e5; DROP"}));
        assert!(not_money.contains(r#""amount":"1e5; DROP""#), "{not_money}");
    }

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
