//! Token payments and B2B transfers: Apple Pay / Google Pay token payments, the token split payment, and B2B bank
//! transfers.
//!
//! * A token payment (`/api/1/token/payment`) opens a `new` payment in the ledger (kept as a
//!   hosted payment, so its `short_link` page and `get-status` work) and answers the payment
//!   object **without `status`**. `/api/1/token/apple/pay` or `/api/1/token/google/pay` with
//!   its `id` settles it at once: approved (`000`) unless the token's JSON text contains
//!   `decline-NNN`, which declines it with bank code `NNN`. No callback is sent (none is
//!   documented).
//! * `/api/1/token/apple/session` answers a fake but well-formed Apple merchant session.
//! * `/api/1/token/split-payment` opens a `new` split payment, answerable the same way; its
//!   answer shape is a guess (`status`, `transaction`, `redirect_url`, `id`).
//! * B2B transfers (`POST /api/1/b2b/payment`, JSON envelope, real HTTP status codes) go
//!   `PENDING → PROCESSING → SUCCESS | FAILED`: each status read returns the current state and
//!   then advances it one step (the second read settles it: `FAILED` when the payee name
//!   contains `FAIL`, else `SUCCESS`), and [`Sandbox::settle_b2b`] settles at once. Settling
//!   POSTs the UNSIGNED JSON webhook to `webhook_url` once and records the delivery with the
//!   callbacks.

use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;
use serde_json::{Value, json};

use super::{Answer, Caller, Refused, handle, hosted, split};
use epoint_az::{PaymentStatus, generated::types, signing::decode_data};

use crate::{
    SandboxError,
    ledger::{
        CardInput, Ledger, Settled, checked,
        tokens_b2b::{B2bRecord, TokenRecord, TokensB2b},
    },
    model::{Merchants, Outcome},
};

/// A settled transfer's webhook, to deliver (the callbacks part delivers it).
pub(crate) struct Webhook {
    pub(crate) merchant: String,
    pub(crate) order_id: String,
    pub(crate) url: Option<String>,
    pub(crate) payload: Value,
}

/// Runs a signed token operation (Apple Pay, Google Pay, the token split payment).
pub(crate) fn dispatch(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    operation: epoint_az::OperationId,
    json: &Value,
) -> Value {
    use epoint_az::OperationId as Op;
    match operation {
        Op::TokenPayment => handle(json, |p| token_payment(ledger, caller, p)),
        Op::ApplePaySession => handle(json, |p| apple_pay_session(caller, p)),
        Op::ApplePay => handle(json, |p| token_pay(ledger, caller, p, "apple_pay")),
        Op::GooglePay => handle(json, |p| token_pay(ledger, caller, p, "google_pay")),
        Op::TokenSplitPayment => handle(json, |p| token_split_payment(ledger, caller, p)),
        other => super::server_error(&format!(
            "operation {} is not simulated",
            other.operation_id()
        )),
    }
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) for a Unix time.
fn timestamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn now() -> (u64, String) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    (secs, timestamp(secs))
}

/// `/api/1/token/payment`: a pending payment for a wallet token.
fn token_payment(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::TokenPaymentRequest,
) -> Answer<types::TokenPaymentResponse> {
    let amount = checked("amount", p.amount)?;
    let transaction =
        ledger.open_payment(caller.key(), "payment_request", &p.order_id, amount, |tx| {
            tx.description = p.description.as_ref().map(|d| d.to_string());
            tx.language = p.language;
        });
    let limit = ledger.limit();
    let id = ledger.tokens_b2b.add_token(
        limit,
        TokenRecord {
            merchant: caller.key().to_owned(),
            transaction: transaction.clone(),
        },
    );
    let (_, created_at) = now();
    Ok(types::TokenPaymentResponse {
        extra: Default::default(),
        status: None,
        message: None,
        id: Some(id),
        short_link: Some(format!("{}/pay/{transaction}", caller.base_url)),
        transaction: Some(transaction),
        rrn: None,
        bank_order_id: None,
        total: Some(amount),
        card_name: None,
        card_mask: None,
        description: p.description.as_ref().map(|d| d.to_string()),
        merchant_order_id: Some(p.order_id.to_string()),
        other_attr: None,
        updated_at: Some(created_at.clone()),
        created_at: Some(created_at),
    })
}

/// `/api/1/token/apple/session`: a fake, well-formed Apple merchant session.
fn apple_pay_session(
    caller: &Caller<'_>,
    p: &types::ApplePaySessionRequest,
) -> Answer<types::ApplePaySessionResponse> {
    epoint_az::config::check_url(&p.origin).map_err(|e| format!("`origin` {e}"))?;
    let domain = p
        .origin
        .split("://")
        .nth(1)
        .unwrap_or_default()
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .to_owned();
    let (secs, _) = now();
    let mut rng = rand::rng();
    let hex = |n: usize, rng: &mut rand::rngs::ThreadRng| -> String {
        (0..n)
            .map(|_| format!("{:x}", rng.random_range(0..16u8)))
            .collect()
    };
    let mut extra = serde_json::Map::new();
    extra.insert(
        "operationalAnalyticsIdentifier".into(),
        json!(format!("{}:sandbox", caller.key())),
    );
    extra.insert("retries".into(), json!(0));
    extra.insert("pspId".into(), json!(hex(64, &mut rng)));
    Ok(types::ApplePaySessionResponse {
        extra,
        status: None,
        message: None,
        merchant_session_identifier: Some(format!("SSH{}", hex(32, &mut rng).to_uppercase())),
        epoch_timestamp: Some((secs * 1000) as i64),
        expires_at: Some(((secs + 3600) * 1000) as i64),
        nonce: Some(hex(8, &mut rng)),
        merchant_identifier: Some(hex(64, &mut rng).to_uppercase()),
        domain_name: Some(domain),
        display_name: Some(format!("EPoint sandbox merchant {}", caller.key())),
        signature: Some(hex(128, &mut rng)),
    })
}

/// The bank code a sandbox wallet token asks for: `decline-NNN` anywhere in its JSON text.
fn token_code(token: &Value) -> String {
    let text = token.to_string();
    text.find("decline-")
        .map(|at| {
            text[at + 8..]
                .chars()
                .take_while(char::is_ascii_digit)
                .take(3)
                .collect::<String>()
        })
        .filter(|code| !code.is_empty())
        .unwrap_or_else(|| "000".to_owned())
}

/// `/api/1/token/apple/pay`, `/api/1/token/google/pay`: settles the token payment `id`.
fn token_pay(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::TokenPayRequest,
    wallet: &str,
) -> Answer<types::TokenPayResponse> {
    if p.token.is_null() || p.token == json!("") {
        return Err("Invalid request: `token` is required".into());
    }
    let record = ledger
        .tokens_b2b
        .tokens
        .get(&p.id)
        .filter(|r| r.merchant == caller.key())
        .ok_or_else(|| Refused::from(format!("Payment {} not found", p.id)))?;
    let transaction = record.transaction.clone();
    let code = token_code(&p.token);
    let mut card = CardInput::from_outcome(if code == "000" {
        Outcome::Paid
    } else {
        Outcome::Declined(code.clone())
    })
    .map_err(|e| e.to_string())?;
    let contact = p.billing_contact.as_ref();
    let name = ["givenName", "familyName"]
        .iter()
        .filter_map(|k| contact.and_then(|c| c.get(k)).and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    card.name = if name.trim().is_empty() {
        format!("{} CUSTOMER", wallet.replace('_', " ")).to_uppercase()
    } else {
        name.to_uppercase()
    };
    let settled = ledger.settle(&transaction, &card).map_err(|e| match e {
        SandboxError::AlreadyCompleted { status, .. } => {
            format!("Payment {} is already completed (status {status})", p.id)
        }
        other => other.to_string(),
    })?;
    let Settled::Payment {
        approved,
        transaction: tx,
        ..
    } = settled
    else {
        return Err("Payment not found".into());
    };
    let result = json!({
        "wallet": wallet,
        "transaction": tx.id,
        "code": tx.code,
        "message": tx.message,
        "rrn": tx.rrn,
        "card_mask": tx.card_mask,
    });
    Ok(types::TokenPayResponse {
        extra: Default::default(),
        status: if approved {
            PaymentStatus::Success
        } else {
            PaymentStatus::Failed
        },
        message: Some(if approved {
            "Payment is finished successfully".to_owned()
        } else {
            tx.message.clone().unwrap_or_else(|| "Declined".to_owned())
        }),
        result: Some(result),
        redirect_url: None,
        trace_id: None,
    })
}

/// `/api/1/token/split-payment`: a pending split payment for a wallet token (answer guessed).
fn token_split_payment(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::TokenSplitPaymentRequest,
) -> Answer<types::TokenSplitPaymentResponse> {
    let (amount, share) = split(caller, &p.split_user, p.amount, p.split_amount)?;
    let transaction =
        ledger.open_payment(caller.key(), "split_request", &p.order_id, amount, |tx| {
            tx.split_user = Some(p.split_user.to_string());
            tx.split_amount = Some(share);
            tx.description = p.description.as_ref().map(|d| d.to_string());
            tx.other_attr = p.other_attr.clone().map(|a| Value::Object(a.0));
            tx.language = p.language;
            tx.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
            tx.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
        });
    let limit = ledger.limit();
    let id = ledger.tokens_b2b.add_token(
        limit,
        TokenRecord {
            merchant: caller.key().to_owned(),
            transaction: transaction.clone(),
        },
    );
    let page = hosted(caller.base_url, Some(transaction), None)?;
    Ok(types::TokenSplitPaymentResponse {
        extra: Default::default(),
        status: Some(PaymentStatus::Success),
        transaction: page.transaction,
        redirect_url: page.redirect_url,
        id: Some(id),
        message: None,
        trace_id: None,
    })
}

// ── B2B ──────────────────────────────────────────────────────────────────────────────────

fn b2b_refusal(status: u16, message: &str) -> (u16, Value) {
    (status, json!({"status": "error", "message": message}))
}

impl TokensB2b {
    /// Validates and records a B2B transfer (`PENDING`); `Err` is (HTTP status, JSON body).
    fn b2b_create(
        &mut self,
        limit: usize,
        merchant: &str,
        json: &Value,
    ) -> Result<Value, (u16, Value)> {
        let text = |f: &str| {
            json.get(f)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        for f in [
            "order_id",
            "description",
            "iban",
            "name",
            "tin",
            "bank_code",
        ] {
            if text(f).is_none() {
                return Err(b2b_refusal(
                    422,
                    &format!("Missing required parameter: {f}"),
                ));
            }
        }
        if json.get("amount").is_none_or(Value::is_null) {
            return Err(b2b_refusal(422, "Missing required parameter: amount"));
        }
        // The IBAN and tax id rules first, for their own messages; the typed payload then
        // checks every other limit of the spec's `B2bPaymentRequest` (description 1–255, …).
        let iban = text("iban").unwrap_or_default().to_ascii_uppercase();
        let body = iban.strip_prefix("AZ").unwrap_or("");
        if !iban.starts_with("AZ")
            || !(18..=32).contains(&body.len())
            || !body.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(b2b_refusal(
                422,
                &format!("iban must start with AZ and be a valid length, got {iban}"),
            ));
        }
        let tin = text("tin").unwrap_or_default();
        if tin.len() != 10
            || !tin.chars().all(|c| c.is_ascii_digit())
            || !(tin.ends_with('1') || tin.ends_with('2'))
        {
            return Err(b2b_refusal(
                422,
                "tin must be 10 digits ending in 1 (individual) or 2 (legal entity)",
            ));
        }
        let p: types::B2bPaymentRequest = serde_json::from_value(json.clone())
            .map_err(|e| b2b_refusal(422, &format!("Invalid request: {e}")))?;
        let amount = checked("amount", p.amount).map_err(|e| b2b_refusal(422, &e))?;
        if amount.amount() > rust_decimal::Decimal::from(40_000) {
            return Err(b2b_refusal(422, "amount must be between 0.01 and 40000"));
        }
        if let Some(url) = &p.webhook_url {
            epoint_az::config::check_url(url)
                .map_err(|e| b2b_refusal(422, &format!("webhook_url {e}")))?;
        }
        let order_id = p.order_id.to_string();
        if self.b2b.contains_key(&order_id) {
            return Err(b2b_refusal(
                422,
                &format!("order_id {order_id} has already been used"),
            ));
        }
        let bulk_id = format!("44{:08}", rand::rng().random_range(0..100_000_000u32));
        let (secs, _) = now();
        let created_at = timestamp(secs).replace(' ', "T");
        self.add_b2b(
            limit,
            B2bRecord {
                merchant: merchant.to_owned(),
                order_id: order_id.clone(),
                amount,
                name: p.name.to_string(),
                iban,
                webhook_url: p.webhook_url.clone(),
                status: "PENDING",
                bulk_id: bulk_id.clone(),
                webhook_sent: false,
                created_at,
                error_message: None,
            },
        );
        Ok(json!({"status": "success", "order_id": order_id, "bulkId": bulk_id}))
    }

    fn b2b_answer(record: &B2bRecord) -> Value {
        let mut answer = json!({
            "status": record.status,
            "order_id": record.order_id,
            "bulkId": record.bulk_id,
            "amount": record.amount.to_string(),
            "payee_iban": record.iban,
            "payee_name": record.name,
            "webhook_sent": record.webhook_sent,
            "created_at": record.created_at,
        });
        if let Some(message) = &record.error_message {
            answer["error_message"] = json!(message);
        }
        answer
    }

    /// Moves a transfer to `SUCCESS` / `FAILED`; the webhook to deliver.
    pub(crate) fn b2b_settle(
        &mut self,
        order_id: &str,
        success: bool,
        reason: Option<String>,
    ) -> Result<Webhook, SandboxError> {
        let record = self
            .b2b
            .get_mut(order_id)
            .ok_or_else(|| SandboxError::NotFound(order_id.to_owned()))?;
        if matches!(record.status, "SUCCESS" | "FAILED") {
            return Err(SandboxError::AlreadyCompleted {
                id: order_id.to_owned(),
                status: record.status.to_owned(),
            });
        }
        record.status = if success { "SUCCESS" } else { "FAILED" };
        if !success {
            record.error_message =
                Some(reason.unwrap_or_else(|| "The payee bank rejected the transfer".to_owned()));
        }
        let mut payload = json!({
            "order_id": record.order_id,
            "status": if success { "success" } else { "failed" },
            "amount": record.amount.to_string(),
            "payee_iban": record.iban,
            "payee_name": record.name,
        });
        if let Some(message) = &record.error_message {
            payload["error_message"] = json!(message);
        }
        Ok(Webhook {
            merchant: record.merchant.clone(),
            order_id: record.order_id.clone(),
            url: record.webhook_url.clone(),
            payload,
        })
    }

    /// The answer of a status read, then the transfer advances one step (the webhook of a
    /// settlement, if it settled).
    pub(crate) fn b2b_read(&mut self, order_id: &str) -> Option<(Value, Option<Webhook>)> {
        let record = self.b2b.get_mut(order_id)?;
        let answer = Self::b2b_answer(record);
        let webhook = match record.status {
            "PENDING" => {
                record.status = "PROCESSING";
                None
            }
            "PROCESSING" => {
                let fail = record.name.to_uppercase().contains("FAIL");
                let reason = fail.then(|| {
                    "Payee account is closed (sandbox: the payee name contains FAIL)".to_owned()
                });
                self.b2b_settle(order_id, !fail, reason).ok()
            }
            _ => None,
        };
        Some((answer, webhook))
    }
}

/// What `POST /api/1/b2b/payment` (a JSON envelope, verified like every request) answers: the
/// HTTP status, the answer, the decoded payload (for the request log) and whether the signature
/// was verified.
pub(crate) fn b2b_transfer(
    merchants: &Merchants,
    ledger: &mut Ledger,
    body: &[u8],
) -> (u16, Value, Option<Value>, bool) {
    let envelope: Result<types::SignedEnvelope, _> = serde_json::from_slice(body);
    let payload: Option<Value> = envelope
        .as_ref()
        .ok()
        .and_then(|e| decode_data(&e.data).ok())
        .filter(Value::is_object);
    let mut verified = false;
    let (status, answer) = match (&envelope, &payload) {
        (Err(_), _) => b2b_refusal(400, "Both data and signature are required (a JSON body)"),
        (Ok(_), None) => b2b_refusal(400, "`data` is not base64 of a JSON object"),
        (Ok(envelope), Some(json)) => match json.get("public_key").and_then(Value::as_str) {
            None => b2b_refusal(400, "public_key is missing from data"),
            Some(key) => match merchants.get(key).cloned() {
                None => b2b_refusal(403, &format!("Unknown public_key: {key}")),
                Some(merchant) => {
                    if merchant
                        .keys()
                        .verify(&envelope.data, &envelope.signature)
                        .is_err()
                    {
                        let mut answer = super::signature_refused(
                            merchants,
                            &merchant,
                            &envelope.data,
                            &envelope.signature,
                        );
                        // The B2B answer to a bad signature is `error`, not `server_error`.
                        answer["status"] = Value::from("error");
                        (200, answer)
                    } else {
                        verified = true;
                        let limit = ledger.limit();
                        match ledger.tokens_b2b.b2b_create(limit, key, json) {
                            Ok(answer) => (200, answer),
                            Err(refusal) => refusal,
                        }
                    }
                }
            },
        },
    };
    (status, answer, payload, verified)
}

/// What `GET /api/1/b2b/payment/{order_id}` answers (unsigned), and the webhook to deliver when
/// the read settled the transfer (each read advances it one step).
pub(crate) fn b2b_status(ledger: &mut Ledger, order_id: &str) -> (Value, Option<Webhook>) {
    match ledger.tokens_b2b.b2b_read(order_id) {
        Some((answer, webhook)) => (answer, webhook),
        None => (
            json!({"status": "error", "message": format!("Unknown order_id: {order_id}")}),
            None,
        ),
    }
}
