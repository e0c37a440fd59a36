//! Handlers of wallets, invoices, saved-card status and the Apple Pay / Google Pay widget.

use serde_json::{Map, Value, json};

use super::{Answer, Caller, hosted};
use epoint_az::{Money, PaymentStatus, generated::types};

use crate::ledger::{Invoice, InvoiceFields, Ledger, checked};

/// The wallets the sandbox offers: the catalogue seen in faganchalabizada/epoint-api.
pub(crate) const WALLETS: [(&str, &str); 3] = [("8", "Portmanat"), ("9", "M10"), ("10", "BirBank")];

/// `/api/1/wallet/status`: the wallet catalogue, as the bare map EPoint was seen to send.
pub(super) fn wallet_status(
    _ledger: &mut Ledger,
    _caller: &Caller<'_>,
    _p: &types::WalletStatusRequest,
) -> Answer<types::WalletStatusResponse> {
    Ok(types::WalletStatusResponse {
        extra: WALLETS
            .iter()
            .map(|(id, name)| ((*id).to_owned(), json!(name)))
            .collect(),
        message: None,
        status: None,
        trace_id: None,
        wallets: None,
    })
}

/// `/api/1/wallet/payment`: a payment from a listed wallet, on the hosted page.
pub(super) fn wallet_payment(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::WalletPaymentRequest,
) -> Answer<types::RedirectResponse> {
    let wallet = p.wallet_id.as_str();
    if !WALLETS.iter().any(|(id, _)| *id == wallet) {
        return Err(format!("Wallet {wallet} not found").into());
    }
    let amount = checked("amount", p.amount)?;
    let id = ledger.open_payment(caller.key(), "wallet_payment", &p.order_id, amount, |tx| {
        tx.description = p.description.as_ref().map(|d| d.to_string());
        tx.language = p.language;
    });
    hosted(caller.base_url, Some(id), None)
}

/// `/api/1/token/widget`: a payment opened in the widget page (`/widget/{transaction}`).
pub(super) fn token_widget(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::WidgetRequest,
) -> Answer<types::WidgetResponse> {
    let amount = checked("amount", p.amount)?;
    if p.description.trim().is_empty() {
        return Err("Invalid request: `description` is required".into());
    }
    let id = ledger.open_payment(caller.key(), "token_widget", &p.order_id, amount, |tx| {
        tx.description = Some(p.description.to_string());
    });
    Ok(types::WidgetResponse {
        extra: Default::default(),
        status: PaymentStatus::Success,
        widget_url: Some(format!("{}/widget/{id}", caller.base_url)),
        message: None,
        trace_id: None,
    })
}

/// `/api/1/get-status-card`: a saved card's state (`pending` until its page completes,
/// then `active`, or `rejected`).
pub(super) fn get_status_card(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::CardStatusRequest,
) -> Answer<types::CardStatusResponse> {
    let card = ledger
        .card(p.card_id.as_str())
        .filter(|c| c.merchant == caller.key())
        .ok_or("Card not found")?;
    Ok(types::CardStatusResponse {
        extra: Default::default(),
        status: PaymentStatus::from(format!("{:?}", card.status).to_lowercase()),
        id: Some(card.id.clone()),
        name: card.card_name.clone(),
        mask: card.card_mask.clone(),
        expired_date: None,
        description: card.description.clone(),
        message: None,
        trace_id: None,
    })
}

fn flag(f: epoint_az::Flag) -> u8 {
    u8::from(f.is_set())
}

fn fields(
    sum: Money,
    display: epoint_az::Flag,
    save_as_template: epoint_az::Flag,
    status_installment: Option<epoint_az::Flag>,
    text: [&Option<String>; 6],
    description: Option<&types::Description>,
    period: (&types::InvoiceDate, &types::InvoiceDate),
) -> Answer<InvoiceFields> {
    let sum = checked("sum", sum)?;
    let (from, to) = (period.0.to_string(), period.1.to_string());
    for (name, date) in [("period_from", &from), ("period_to", &to)] {
        let ok = date.len() == 10
            && date.bytes().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !ok {
            return Err(format!("Invalid request: `{name}` must be a date YYYY-MM-DD").into());
        }
    }
    if from > to {
        return Err("Invalid request: `period_from` is after `period_to`".into());
    }
    let [name, phone, email, inn, contract_number, merchant_order_id] = text.map(Clone::clone);
    Ok(InvoiceFields {
        sum,
        display: flag(display),
        save_as_template: flag(save_as_template),
        status_installment: status_installment.map(flag),
        name,
        description: description.map(|d| d.to_string()),
        phone,
        email,
        inn,
        contract_number,
        merchant_order_id,
        period_from: from,
        period_to: to,
    })
}

/// An invoice as the answers show it.
fn invoice_answer(invoice: &Invoice) -> types::Invoice {
    let f = &invoice.fields;
    let mut extra = Map::new();
    extra.insert("display".into(), json!(f.display));
    extra.insert("save_as_template".into(), json!(f.save_as_template));
    for (key, value) in [
        ("status_installment", f.status_installment.map(|v| json!(v))),
        ("phone", f.phone.as_ref().map(|v| json!(v))),
        ("email", f.email.as_ref().map(|v| json!(v))),
        ("inn", f.inn.as_ref().map(|v| json!(v))),
        (
            "contract_number",
            f.contract_number.as_ref().map(|v| json!(v)),
        ),
        (
            "merchant_order_id",
            f.merchant_order_id.as_ref().map(|v| json!(v)),
        ),
    ] {
        if let Some(value) = value {
            extra.insert(key.into(), value);
        }
    }
    types::Invoice {
        id: Some(json!(invoice.id)),
        status: Some(invoice.status.to_owned()),
        sum: Some(f.sum),
        name: f.name.clone(),
        description: f.description.clone(),
        period_from: Some(f.period_from.clone()),
        period_to: Some(f.period_to.clone()),
        extra,
    }
}

fn done(message: &str) -> types::InvoiceActionResponse {
    types::InvoiceActionResponse {
        extra: Default::default(),
        status: PaymentStatus::Success,
        message: Some(message.to_owned()),
        trace_id: None,
    }
}

/// `/api/1/invoices/create`: a new invoice, `waiting_for_payment`, payable at `/invoice/{id}`.
pub(super) fn invoices_create(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::InvoiceRequest,
) -> Answer<types::InvoiceCreateResponse> {
    let fields = fields(
        p.sum,
        p.display,
        p.save_as_template,
        p.status_installment,
        [
            &p.name,
            &p.phone,
            &p.email,
            &p.inn,
            &p.contract_number,
            &p.merchant_order_id,
        ],
        p.description.as_ref(),
        (&p.period_from, &p.period_to),
    )?;
    let id = ledger.create_invoice(caller.key(), fields);
    Ok(types::InvoiceCreateResponse {
        extra: Default::default(),
        status: Some(PaymentStatus::Success),
        id: Some(json!(id)),
        message: None,
        trace_id: None,
    })
}

/// `/api/1/invoices/update`: replaces an invoice that still waits for payment.
pub(super) fn invoices_update(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::InvoiceUpdateRequest,
) -> Answer<types::InvoiceActionResponse> {
    let fields = fields(
        p.sum,
        p.display,
        p.save_as_template,
        p.status_installment,
        [
            &p.name,
            &p.phone,
            &p.email,
            &p.inn,
            &p.contract_number,
            &p.merchant_order_id,
        ],
        p.description.as_ref(),
        (&p.period_from, &p.period_to),
    )?;
    ledger.update_invoice(caller.key(), p.id.0, fields)?;
    Ok(done("Invoice updated"))
}

/// `/api/1/invoices/view`: one invoice and its state.
pub(super) fn invoices_view(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::InvoiceViewRequest,
) -> Answer<types::InvoiceViewResponse> {
    let invoice = ledger.invoice_of(caller.key(), p.id.0)?;
    Ok(types::InvoiceViewResponse {
        extra: Default::default(),
        status: Some(PaymentStatus::Success),
        invoice: Some(invoice_answer(invoice)),
        message: None,
        trace_id: None,
    })
}

/// `/api/1/invoices/list`: the merchant's invoices. `outgoing`: those it issued that are not
/// templates; `static`: its templates (`save_as_template` 1); `incoming`: none (no one
/// invoices a sandbox merchant). `order` `asc` (default) or `desc` by id.
pub(super) fn invoices_list(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::InvoiceListRequest,
) -> Answer<Value> {
    let descending = match p.order.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc" | "ascending") => false,
        Some("desc" | "descending") => true,
        Some(other) => {
            return Err(
                format!("Invalid request: `order` must be asc or desc, not {other}").into(),
            );
        }
    };
    let mut invoices: Vec<types::Invoice> = ledger
        .invoices_of(caller.key())
        .filter(|i| match p.type_ {
            None => true,
            Some(types::InvoiceType::Outgoing) => i.fields.save_as_template == 0,
            Some(types::InvoiceType::Static) => i.fields.save_as_template == 1,
            Some(types::InvoiceType::Incoming) => false,
        })
        .map(invoice_answer)
        .collect();
    if descending {
        invoices.reverse();
    }
    // `invoices` is always present, `[]` when there are none (the generated type would omit an
    // empty list, and clients read the field).
    let mut answer = serde_json::to_value(types::InvoiceListResponse {
        extra: Default::default(),
        status: Some(PaymentStatus::Success),
        invoices,
        message: None,
        trace_id: None,
    })
    .map_err(|e| e.to_string())?;
    if let Some(map) = answer.as_object_mut() {
        map.entry("invoices").or_insert_with(|| json!([]));
    }
    Ok(answer)
}

/// `/api/1/invoices/send-sms`: recorded on the invoice, never sent.
pub(super) fn invoices_send_sms(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::InvoiceSendSmsRequest,
) -> Answer<types::InvoiceActionResponse> {
    let phone = p.phone.as_str();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if digits < 7
        || phone
            .chars()
            .any(|c| !(c.is_ascii_digit() || "+ -()".contains(c)))
    {
        return Err(format!("Invalid request: `phone` {phone} is not a phone number").into());
    }
    ledger.record_invoice_message(caller.key(), p.id.0, "sms", phone)?;
    Ok(done("SMS sent"))
}

/// `/api/1/invoices/send-email`: recorded on the invoice, never sent.
pub(super) fn invoices_send_email(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::InvoiceSendEmailRequest,
) -> Answer<types::InvoiceActionResponse> {
    let email = p.email.as_str();
    let valid = email
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
    if !valid {
        return Err(format!("Invalid request: `email` {email} is not an email address").into());
    }
    ledger.record_invoice_message(caller.key(), p.id.0, "email", email)?;
    Ok(done("Email sent"))
}

/// What `/_sandbox/invoices` shows: every invoice with its state and the messages asked for.
pub(crate) fn invoices_json(ledger: &Ledger) -> Value {
    serde_json::to_value(ledger.invoices().collect::<Vec<_>>()).unwrap_or(Value::Null)
}
