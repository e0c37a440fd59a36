//! The gateway's business rules: one handler per EPoint operation (typed payload in →
//! [`Ledger`] → typed answer out), and [`dispatch`] from operationId to handler, which
//! decodes the payload as EPoint validates it and encodes the answer as JSON.
//!
//! No HTTP here: `wire` has checked the envelope, the merchant and the signature before a
//! handler runs. It may import [`super::ledger`] and [`super::model`]. It is the one place
//! that reads the client's operation table ([`operation_named`], [`dispatch`] on
//! [`OperationId`]); the
//! payload and answer types are the spec's (`crate::types`).
//!
//! A new operation costs one handler and one row of [`dispatch`]; until it has them, it is
//! answered "not simulated" with its operationId.

mod payment_variants;

pub(crate) mod wallets_invoices;

pub(crate) mod tokens_b2b;

use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

use super::{
    ledger::{Ledger, Transaction, checked, operation_code},
    model::{Merchant, Merchants},
};
use epoint_az::{Money, OperationId, PaymentStatus, generated::types};

/// The operation named by any spelling [`OperationId`] accepts: operationId
/// (`execute_pay`), path (`/api/1/execute-pay`), path tail (`execute-pay`) or domain name
/// (`pay_with_saved_card`).
pub(crate) fn operation_named(name: &str) -> Option<OperationId> {
    name.parse().ok()
}

/// Who asks (verified), and what a handler may read beside the ledger.
pub(crate) struct Caller<'a> {
    /// The merchant whose signature matched.
    pub(crate) merchant: &'a Merchant,
    /// Every merchant (to find split partners).
    pub(crate) merchants: &'a Merchants,
    /// Where the hosted pages are served (`http://IP:PORT`).
    pub(crate) base_url: &'a str,
}

impl Caller<'_> {
    fn key(&self) -> &str {
        self.merchant.public_key()
    }
}

/// Why a request is refused: EPoint answers `{"status":"error","message":…}`.
#[derive(Debug)]
pub(crate) struct Refused(String);

impl From<String> for Refused {
    fn from(message: String) -> Self {
        Self(message)
    }
}

impl From<&str> for Refused {
    fn from(message: &str) -> Self {
        Self(message.to_owned())
    }
}

/// What a handler answers: its typed answer, or why the request is refused.
pub(crate) type Answer<T> = Result<T, Refused>;

/// `{"status":"error","message":…}`: a request EPoint refuses.
pub(crate) fn error(message: &str) -> Value {
    json!({"status": "error", "message": message})
}

/// `{"status":"server_error","message":…}`: an unknown merchant, a bad signature, a fault.
pub(crate) fn server_error(message: &str) -> Value {
    json!({"status": "server_error", "message": message})
}

/// The answer to a signature that did not match: EPoint's `{"status":"server_error",
/// "message":"Signature did not match"}`, plus a sandbox-only `hint` naming the common mistake
/// the signature matches ([`epoint_az::signing::explain_mismatch`], the other merchants' keys
/// tried too), when one does. EPoint itself sends no `hint`.
pub(crate) fn signature_refused(
    merchants: &Merchants,
    merchant: &Merchant,
    data: &str,
    signature: &str,
) -> Value {
    let mut answer = server_error("Signature did not match");
    let own = merchant.keys();
    let others: Vec<&epoint_az::Keys> = merchants
        .values()
        .map(Merchant::keys)
        .filter(|keys| keys.public_key() != own.public_key())
        .collect();
    if let Some(mistake) = epoint_az::signing::explain_mismatch(data, signature, own, &others) {
        answer["hint"] = Value::from(mistake.to_string());
    }
    answer
}

/// Runs `operation` for a verified caller: decodes the payload `json`, calls the handler,
/// and returns the JSON answer EPoint would send.
pub(crate) fn dispatch(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    operation: OperationId,
    json: &Value,
) -> Value {
    use OperationId as Op;
    match operation {
        Op::PaymentRequest => handle(json, |p| payment_request(ledger, caller, p)),
        Op::SplitRequest => handle(json, |p| split_request(ledger, caller, p)),
        Op::CardRegistration => handle(json, |p| card_registration(ledger, caller, p)),
        Op::CardRegistrationWithPay => {
            handle(json, |p| card_registration_with_pay(ledger, caller, p))
        }
        Op::SplitCardRegistrationWithPay => handle(json, |p| {
            split_card_registration_with_pay(ledger, caller, p)
        }),
        Op::GetStatus => match (json.get("transaction"), json.get("order_id")) {
            (Some(_), None) | (None, Some(_)) => handle(json, |p| get_status(ledger, caller, p)),
            _ => error("Invalid request: exactly one of `transaction` or `order_id` is required"),
        },
        Op::ExecutePay => handle(json, |p| execute_pay(ledger, caller, p)),
        Op::SplitExecutePay => handle(json, |p| split_execute_pay(ledger, caller, p)),
        Op::RefundRequest => handle(json, |p| refund_request(ledger, caller, p)),
        Op::Reverse => handle(json, |p| reverse(ledger, caller, p)),
        Op::Checkout => handle(json, |p| payment_variants::checkout(ledger, caller, p)),
        Op::DeveloperPaymentRequest => handle(json, |p| {
            payment_variants::developer_payment_request(ledger, caller, p)
        }),
        Op::AmexRequest => handle(json, |p| payment_variants::amex_request(ledger, caller, p)),
        Op::PaymentChangeSum => handle(json, |p| {
            payment_variants::payment_change_sum(ledger, caller, p)
        }),
        Op::PreAuthRequest => handle(json, |p| {
            payment_variants::pre_auth_request(ledger, caller, p)
        }),
        Op::PreAuthComplete => handle(json, |p| {
            payment_variants::pre_auth_complete(ledger, caller, p)
        }),
        Op::GetInstallmentRequest => handle(json, |p| {
            payment_variants::get_installment_request(ledger, caller, p)
        }),
        Op::InstallmentRequest => handle(json, |p| {
            payment_variants::installment_request(ledger, caller, p)
        }),

        Op::WalletStatus => handle(json, |p| wallets_invoices::wallet_status(ledger, caller, p)),
        Op::WalletPayment => handle(json, |p| {
            wallets_invoices::wallet_payment(ledger, caller, p)
        }),
        Op::InvoicesCreate => handle(json, |p| {
            wallets_invoices::invoices_create(ledger, caller, p)
        }),
        Op::InvoicesUpdate => handle(json, |p| {
            wallets_invoices::invoices_update(ledger, caller, p)
        }),
        Op::InvoicesView => handle(json, |p| wallets_invoices::invoices_view(ledger, caller, p)),
        Op::InvoicesList => handle(json, |p| wallets_invoices::invoices_list(ledger, caller, p)),
        Op::InvoicesSendSms => handle(json, |p| {
            wallets_invoices::invoices_send_sms(ledger, caller, p)
        }),
        Op::InvoicesSendEmail => handle(json, |p| {
            wallets_invoices::invoices_send_email(ledger, caller, p)
        }),
        Op::GetStatusCard => handle(json, |p| {
            wallets_invoices::get_status_card(ledger, caller, p)
        }),
        Op::TokenWidget => handle(json, |p| wallets_invoices::token_widget(ledger, caller, p)),

        Op::TokenPayment
        | Op::ApplePaySession
        | Op::ApplePay
        | Op::GooglePay
        | Op::TokenSplitPayment => tokens_b2b::dispatch(ledger, caller, operation, json),
        // An operation the spec gained that the sandbox does not simulate yet.
        other => server_error(&format!(
            "operation {} is not simulated",
            other.operation_id()
        )),
    }
}

/// Decodes the payload, runs the handler, encodes its answer.
fn handle<P: DeserializeOwned, A: Serialize>(
    json: &Value,
    handler: impl FnOnce(&P) -> Answer<A>,
) -> Value {
    match decode(json).map_err(Refused).and_then(|p| handler(&p)) {
        Ok(answer) => to_value(&answer),
        Err(Refused(message)) => error(&message),
    }
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
    // An `order_id` follows the client's rule (`validate_order_id`).
    if let Some(order_id) = json.get("order_id").and_then(Value::as_str) {
        epoint_az::validate_order_id(order_id).map_err(|e| match e {
            epoint_az::Error::InvalidInput { reason, .. } => {
                format!("Invalid request: `order_id` {reason}")
            }
            other => format!("Invalid request: {other}"),
        })?;
    }
    // Amounts are never null (a full refund is an absent `amount`, not a null one).
    for field in ["amount", "split_amount", "sum"] {
        if json.get(field).is_some_and(Value::is_null) {
            return Err(format!("Invalid request: `{field}` is null"));
        }
    }
    // Redirect URLs are checked as the client checks them, before anything is created.
    for field in ["success_redirect_url", "error_redirect_url"] {
        match json.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(url)) => epoint_az::config::check_url(url)
                .map_err(|reason| format!("Invalid request: `{field}` {reason}"))?,
            Some(_) => return Err(format!("Invalid request: `{field}` is not a string")),
        }
    }
    serde_json::from_value(json.clone()).map_err(|e| format!("Invalid request: {e}"))
}

fn to_value<T: Serialize>(answer: &T) -> Value {
    serde_json::to_value(answer).unwrap_or_else(|e| server_error(&e.to_string()))
}

/// `/api/1/request`: a payment on the hosted page.
fn payment_request(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::PaymentRequest,
) -> Answer<types::RedirectResponse> {
    let amount = checked("amount", p.amount)?;
    let id = ledger.open_payment(caller.key(), "payment_request", &p.order_id, amount, |tx| {
        tx.description = p.description.as_ref().map(|d| d.to_string());
        tx.other_attr = p.other_attr.clone().map(|a| Value::Object(a.0));
        tx.language = p.language;
        tx.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
        tx.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
    });
    hosted(caller.base_url, Some(id), None)
}

/// `/api/1/split-request`: a payment shared with a partner, on the hosted page.
fn split_request(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::SplitPaymentRequest,
) -> Answer<types::RedirectResponse> {
    let (amount, share) = split(caller, &p.split_user, p.amount, p.split_amount)?;
    let id = ledger.open_payment(caller.key(), "split_request", &p.order_id, amount, |tx| {
        tx.split_user = Some(p.split_user.to_string());
        tx.split_amount = Some(share);
        tx.description = p.description.as_ref().map(|d| d.to_string());
        tx.other_attr = p.other_attr.clone().map(|a| Value::Object(a.0));
        tx.language = p.language;
        tx.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
        tx.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
    });
    hosted(caller.base_url, Some(id), None)
}

/// `/api/1/card-registration`: saves a card on the hosted page, moving no money.
fn card_registration(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::CardRegistrationRequest,
) -> Answer<types::RedirectResponse> {
    // `Flag` only decodes 0 or 1, so anything else was already refused.
    let for_payouts = p.refund.is_some_and(epoint_az::Flag::is_set);
    let card_id = ledger.open_card(caller.key(), "card_registration", |card| {
        card.for_payouts = for_payouts;
        card.description = p.description.as_ref().map(|d| d.to_string());
        card.language = p.language;
        card.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
        card.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
    });
    hosted(caller.base_url, None, Some(card_id))
}

/// `/api/1/card-registration-with-pay`: a payment that saves the card, on the hosted page.
fn card_registration_with_pay(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::CardRegistrationWithPayRequest,
) -> Answer<types::RedirectResponse> {
    const OPERATION: &str = "card_registration_with_pay";
    let amount = checked("amount", p.amount)?;
    let id = ledger.open_payment(caller.key(), OPERATION, &p.order_id, amount, |tx| {
        tx.description = p.description.as_ref().map(|d| d.to_string());
        tx.language = p.language;
        tx.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
        tx.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
    });
    let card_id = ledger.attach_card(caller.key(), OPERATION, &id);
    if p.refund.is_some_and(epoint_az::Flag::is_set) {
        ledger.register_for_payouts(&card_id);
    }
    hosted(caller.base_url, Some(id), Some(card_id))
}

/// `/api/1/split-card-registration-with-pay`: a split payment that saves the card.
fn split_card_registration_with_pay(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::SplitCardRegistrationWithPayRequest,
) -> Answer<types::RedirectResponse> {
    const OPERATION: &str = "split_card_registration_with_pay";
    let (amount, share) = split(caller, &p.split_user, p.amount, p.split_amount)?;
    let id = ledger.open_payment(caller.key(), OPERATION, &p.order_id, amount, |tx| {
        tx.split_user = Some(p.split_user.to_string());
        tx.split_amount = Some(share);
        tx.description = p.description.as_ref().map(|d| d.to_string());
        tx.language = p.language;
        tx.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
        tx.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
    });
    let card_id = ledger.attach_card(caller.key(), OPERATION, &id);
    hosted(caller.base_url, Some(id), Some(card_id))
}

/// `/api/1/get-status`: a transaction's status (read-only), by `transaction` or by the
/// merchant's `order_id` (its latest transaction). An unknown one is EPoint's usual refusal.
fn get_status(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::StatusRequest,
) -> Answer<types::StatusResponse> {
    let tx = match p {
        types::StatusRequest::Transaction(by) => ledger
            .transaction_of(caller.key(), &by.transaction)
            .ok_or("Transaction not found")?,
        types::StatusRequest::OrderId(by) => ledger
            .latest_transaction_of_order(caller.key(), &by.order_id)
            .ok_or("Order not found")?,
    };
    let registers_card = matches!(
        tx.operation,
        "card_registration_with_pay" | "split_card_registration_with_pay"
    );
    let success = matches!(tx.status, PaymentStatus::Success | PaymentStatus::Returned);
    built(
        types::StatusResponse::builder()
            .status(tx.status.clone())
            .code(tx.code.clone())
            .message(tx.message.clone())
            .transaction(Some(tx.id.clone()))
            .order_id(Some(tx.order_id.clone()))
            .card_id(tx.card_id.clone().filter(|_| registers_card))
            .bank_transaction(tx.bank_transaction.clone())
            .bank_response(tx.message.clone().filter(|_| success))
            .operation_code(operation_code(tx.operation).map(str::to_owned))
            .rrn(tx.rrn.clone())
            .card_name(tx.card_name.clone())
            .card_mask(tx.card_mask.clone())
            .amount(Some(tx.amount))
            .other_attr(tx.other_attr.clone())
            .extra(serde_json::Map::new()),
    )
}

/// `/api/1/execute-pay`: charges a saved card, synchronously.
fn execute_pay(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::ExecutePayRequest,
) -> Answer<types::ChargeResponse> {
    let amount = checked("amount", p.amount)?;
    let tx = ledger.charge(
        caller.key(),
        "execute_pay",
        p.card_id.as_str(),
        &p.order_id,
        amount,
        None,
    )?;
    charge_answer(tx)
}

/// `/api/1/split-execute-pay`: charges a saved card, shared with a partner, synchronously.
fn split_execute_pay(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::SplitExecutePayRequest,
) -> Answer<types::ChargeResponse> {
    let (amount, share) = split(caller, &p.split_user, p.amount, p.split_amount)?;
    let tx = ledger.charge(
        caller.key(),
        "split_execute_pay",
        p.card_id.as_str(),
        &p.order_id,
        amount,
        Some((p.split_user.to_string(), share)),
    )?;
    charge_answer(tx)
}

/// `/api/1/refund-request`: pays out to a card saved for payouts, synchronously.
fn refund_request(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::PayoutRequest,
) -> Answer<types::ChargeResponse> {
    let amount = checked("amount", p.amount)?;
    let tx = ledger.charge(
        caller.key(),
        "refund_request",
        p.card_id.as_str(),
        &p.order_id,
        amount,
        None,
    )?;
    charge_answer(tx)
}

/// `/api/1/reverse`: a full or partial refund of what remains.
fn reverse(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::ReverseRequest,
) -> Answer<types::ReverseResponse> {
    let tx = ledger.refund(caller.key(), &p.transaction, p.amount)?;
    built(
        types::ReverseResponse::builder()
            .status(PaymentStatus::Success)
            .transaction(Some(tx.id.clone()))
            .extra(serde_json::Map::new()),
    )
}

/// `amount` and `split_amount`, checked, with a known partner that is not the merchant.
fn split(
    caller: &Caller<'_>,
    split_user: &types::PublicKey,
    amount: Money,
    split_amount: Money,
) -> Answer<(Money, Money)> {
    let amount = checked("amount", amount)?;
    let split_amount = checked("split_amount", split_amount)?;
    if split_amount.amount() > amount.amount() {
        return Err(format!("`split_amount` {split_amount} is more than `amount` {amount}").into());
    }
    let partner = split_user.to_string();
    if partner == caller.key() {
        return Err("`split_user` must be another merchant".into());
    }
    if !caller.merchants.contains_key(&partner) {
        return Err(format!("Split user {partner} not found").into());
    }
    Ok((amount, split_amount))
}

/// The answer of the hosted-page operations: where to send the customer. Built with the
/// generated builder, so fields the spec adds to the answer need no change here.
fn hosted(
    base_url: &str,
    transaction: Option<String>,
    card_id: Option<String>,
) -> Answer<types::RedirectResponse> {
    let redirect_url = match (&transaction, &card_id) {
        (Some(tx), _) => format!("{base_url}/pay/{tx}"),
        (None, Some(card)) => format!("{base_url}/card/{card}"),
        (None, None) => base_url.to_owned(),
    };
    let page = types::RedirectResponse::builder()
        .status(PaymentStatus::Success)
        .transaction(transaction)
        .card_id(card_id)
        .redirect_url(Some(redirect_url))
        .extra(serde_json::Map::new());
    built(page)
}

/// The answer of a synchronous charge or payout, from the transaction it made (the bank's
/// details only on success).
fn charge_answer(tx: &Transaction) -> Answer<types::ChargeResponse> {
    let approved = tx.status == PaymentStatus::Success;
    let on_success = |v: Option<String>| v.filter(|_| approved);
    built(
        types::ChargeResponse::builder()
            .status(if approved {
                PaymentStatus::Success
            } else {
                PaymentStatus::Failed
            })
            .code(tx.code.clone())
            .message(tx.message.clone())
            .transaction(Some(tx.id.clone()))
            .bank_transaction(on_success(tx.bank_transaction.clone()))
            .bank_response(on_success(tx.message.clone()))
            .rrn(on_success(tx.rrn.clone()))
            .card_name(on_success(tx.card_name.clone()))
            .card_mask(on_success(tx.card_mask.clone()))
            .amount(Some(tx.amount).filter(|_| approved))
            .split_amount(tx.split_amount.filter(|_| approved))
            .extra(serde_json::Map::new()),
    )
}

/// Finishes a generated answer builder: answers are built with the builders, so fields the
/// spec adds to an answer need no change here.
pub(crate) fn built<B, T>(builder: B) -> Answer<T>
where
    B: TryInto<T, Error = types::error::ConversionError>,
{
    builder.try_into().map_err(|e| Refused(e.to_string()))
}
