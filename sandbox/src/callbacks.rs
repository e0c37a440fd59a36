//! Callbacks: the signed form EPoint POSTs to the merchant's result URL when a hosted page
//! settles, with exactly the fields of that flow, and its delivery (one attempt), recorded
//! as a [`CallbackDelivery`].
//!
//! It may import [`super::ledger`] and [`super::model`]; it keeps no state of its own.

use serde::Serialize;

use super::{
    ledger::{CardInput, Settled, Transaction, bank_refs},
    model::{Merchant, SandboxError, wire_json},
};
use epoint_az::{
    OperationId,
    callback::{CallbackFlow, Example},
    generated::types::CallbackPayload,
};

use crate::gateway::tokens_b2b::Webhook;

/// One callback delivery attempt.
///
/// ```no_run
/// # async fn run(sandbox: epoint_az_sandbox::Sandbox) {
/// for cb in sandbox.callbacks() {
///     println!("{:?} -> {:?} {:?}", cb.url, cb.status, cb.error);
/// }
/// # }
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct CallbackDelivery {
    /// The merchant it was for.
    pub merchant: String,
    /// The operationId of the flow (`payment_request`, `card_registration`, …).
    pub operation: &'static str,
    /// The transaction or card id it reports on.
    pub id: String,
    /// The result URL it was POSTed to (`None`: the merchant has none, nothing was sent).
    pub url: Option<String>,
    /// The decoded payload JSON, exactly as signed.
    pub payload: serde_json::Value,
    /// The form body sent (`data=…&signature=…`).
    pub body: String,
    /// The HTTP status the merchant answered.
    pub status: Option<u16>,
    /// Why delivery failed (connection refused, timeout, …), if it did.
    pub error: Option<String>,
}

impl CallbackDelivery {
    /// `true` when the merchant answered 2xx.
    ///
    /// ```no_run
    /// # fn f(cb: epoint_az_sandbox::CallbackDelivery) {
    /// if !cb.delivered() { eprintln!("callback failed: {:?}", cb.error); }
    /// # }
    /// ```
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// A callback signed and ready to send.
pub(crate) struct Callback {
    merchant: String,
    operation: &'static str,
    id: String,
    url: Option<String>,
    json: String,
    body: String,
}

impl Callback {
    /// The callback for a settled hosted page, signed with the merchant's private key.
    pub(crate) fn for_settled(
        merchant: &Merchant,
        settled: &Settled,
        card: &CardInput,
    ) -> Result<Self, SandboxError> {
        match settled {
            Settled::Payment {
                approved,
                transaction,
                ..
            } => Self::sealed(
                merchant,
                transaction.operation,
                &transaction.id,
                &payment(*approved, transaction, card),
            ),
            Settled::Registration {
                approved,
                card: saved,
            } => Self::sealed(
                merchant,
                saved.operation,
                &saved.id,
                &registration(*approved, &saved.id, card),
            ),
        }
    }

    /// Signs the callback payload with the merchant's key.
    fn sealed(
        merchant: &Merchant,
        operation: &'static str,
        id: &str,
        payload: &CallbackPayload,
    ) -> Result<Self, SandboxError> {
        let json = wire_json(&serde_json::to_value(payload).map_err(|e| {
            SandboxError::Io(std::io::Error::other(format!(
                "callback payload not serialisable: {e}"
            )))
        })?);
        let envelope = merchant.keys().seal_json(json.as_bytes());
        Ok(Self {
            merchant: merchant.public_key().to_owned(),
            operation,
            id: id.to_owned(),
            url: merchant.result_url.clone(),
            body: epoint_az::signing::form_body(&envelope),
            json,
        })
    }
}

/// The callback of a hosted payment, built by the client's one example builder from the
/// flow the spec gives the transaction's operation (`x-epoint-callback`).
fn payment(approved: bool, tx: &Transaction, card: &CardInput) -> CallbackPayload {
    let flow = tx
        .operation
        .parse::<OperationId>()
        .ok()
        .and_then(|op| op.callback_flow())
        .unwrap_or(CallbackFlow::Payment);
    let mut example = Example::new(approved);
    example.code = Some(card.code.clone());
    example.order_id = Some(tx.order_id.clone());
    example.transaction = Some(tx.id.clone());
    example.amount = Some(tx.amount);
    example.split_amount = tx.split_amount;
    example.card_id.clone_from(&tx.card_id);
    example.other_attr.clone_from(&tx.other_attr);
    example.bank_transaction.clone_from(&tx.bank_transaction);
    example.rrn.clone_from(&tx.rrn);
    example.card_name.clone_from(&tx.card_name);
    example.card_mask.clone_from(&tx.card_mask);
    flow.example_payload(&example)
}

/// The callback of a card registration without payment (`/card-registration`): code `000`,
/// or `500` when registration failed (its message names the card's own decline).
fn registration(approved: bool, card_id: &str, card: &CardInput) -> CallbackPayload {
    let (rrn, bank_transaction) = bank_refs();
    let mut example = Example::new(approved);
    example.code = Some(if approved { "000" } else { "500" }.to_owned());
    example.reason = Some(if approved { "000" } else { card.code.as_str() }.to_owned());
    example.card_id = Some(card_id.to_owned());
    example.bank_transaction = Some(bank_transaction);
    example.rrn = Some(rrn);
    example.card_name = Some(card.name.clone());
    example.card_mask = Some(card.mask());
    CallbackFlow::CardRegistration.example_payload(&example)
}

/// POSTs the callback once and records what happened.
pub(crate) async fn deliver(http: &reqwest::Client, callback: Callback) -> CallbackDelivery {
    let (status, error) = match &callback.url {
        None => (None, Some("the merchant has no result URL".to_owned())),
        Some(url) => match http
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(callback.body.clone())
            .send()
            .await
        {
            Ok(response) => {
                let status = response.status();
                let error = (!status.is_success()).then(|| format!("merchant answered {status}"));
                (Some(status.as_u16()), error)
            }
            Err(e) => (None, Some(error_chain(&e))),
        },
    };
    CallbackDelivery {
        merchant: callback.merchant,
        operation: callback.operation,
        id: callback.id,
        url: callback.url,
        payload: serde_json::from_str(&callback.json).unwrap_or(serde_json::Value::Null),
        body: callback.body,
        status,
        error,
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// POSTs a settled B2B transfer's **unsigned** JSON webhook once to its `webhook_url`; the
/// caller records the delivery in the state.
pub(crate) async fn deliver_b2b_webhook(
    http: &reqwest::Client,
    webhook: Webhook,
) -> CallbackDelivery {
    let body = webhook.payload.to_string();
    let (status, error) = match &webhook.url {
        None => (None, Some("the transfer has no webhook_url".to_owned())),
        Some(url) => match http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.clone())
            .send()
            .await
        {
            Ok(r) => (
                Some(r.status().as_u16()),
                (!r.status().is_success()).then(|| format!("merchant answered {}", r.status())),
            ),
            Err(e) => (None, Some(e.to_string())),
        },
    };
    CallbackDelivery {
        merchant: webhook.merchant,
        operation: "b2b_payment",
        id: webhook.order_id,
        url: webhook.url,
        payload: webhook.payload,
        body,
        status,
        error,
    }
}
