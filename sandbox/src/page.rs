//! The hosted payment / card registration page, the sandbox's own result pages, and
//! completing a hosted page (from the card form, from `/_sandbox/complete` or from
//! `Sandbox::complete`): the ledger settles it, then its callback is signed and delivered.
//!
//! It may import [`super::state`], [`super::ledger`], [`super::callbacks`] and
//! [`super::model`].

use std::sync::Arc;

use axum::{
    Form,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde::{Deserialize, Serialize};

use super::{
    callbacks::{self, Callback, CallbackDelivery},
    ledger::{CardInput, CardStatus, INVOICE_WAITING, Invoice, SavedCard, Settled, Transaction},
    model::{Outcome, SEEDED_MERCHANTS, SandboxError, TEST_CARDS},
    state::Shared,
};
use epoint_az::{Language, PaymentStatus};

/// The hosted page's own words in the payment's `language`. These are the sandbox's labels
/// (EPoint's real page is not published); the status lines of the result pages are EPoint's
/// official texts (`PaymentStatus::text`, from `openapi/texts.json`).
struct Ui {
    lang: &'static str,
    pay: &'static str,
    pay_and_save: &'static str,
    save: &'static str,
    save_for_payouts: &'static str,
    merchant: &'static str,
    amount: &'static str,
    card_number: &'static str,
    expiry: &'static str,
    cvv: &'static str,
    card_name: &'static str,
    pay_button: &'static str,
    save_button: &'static str,
    note: &'static str,
}

const UI_AZ: Ui = Ui {
    lang: "az",
    pay: "Ödəniş",
    pay_and_save: "Ödəniş və kartın yadda saxlanması",
    save: "Kartın yadda saxlanması",
    save_for_payouts: "Ödənişlər almaq üçün kartın yadda saxlanması",
    merchant: "Satıcı",
    amount: "Məbləğ",
    card_number: "Kartın nömrəsi",
    expiry: "Bitmə tarixi (AA/İİ)",
    cvv: "CVV",
    card_name: "Kart sahibinin adı",
    pay_button: "Ödə",
    save_button: "Kartı yadda saxla",
    note: "EPoint sandbox — real pul hərəkət etmir",
};

const UI_EN: Ui = Ui {
    lang: "en",
    pay: "Pay",
    pay_and_save: "Pay and save your card",
    save: "Save your card",
    save_for_payouts: "Save your card for payouts",
    merchant: "Merchant",
    amount: "Amount",
    card_number: "Card number",
    expiry: "Expiry (MM/YY)",
    cvv: "CVV",
    card_name: "Name on card",
    pay_button: "Pay",
    save_button: "Save card",
    note: "EPoint sandbox — no real money moves",
};

const UI_RU: Ui = Ui {
    lang: "ru",
    pay: "Оплата",
    pay_and_save: "Оплата и сохранение карты",
    save: "Сохранение карты",
    save_for_payouts: "Сохранение карты для выплат",
    merchant: "Продавец",
    amount: "Сумма",
    card_number: "Номер карты",
    expiry: "Срок действия (ММ/ГГ)",
    cvv: "CVV",
    card_name: "Имя владельца карты",
    pay_button: "Оплатить",
    save_button: "Сохранить карту",
    note: "EPoint sandbox — реальные деньги не списываются",
};

fn ui(language: Language) -> &'static Ui {
    match language {
        Language::Az => &UI_AZ,
        Language::En => &UI_EN,
        Language::Ru => &UI_RU,
    }
}

/// What completing a hosted page did.
///
/// ```no_run
/// # async fn run(sandbox: epoint_az_sandbox::Sandbox) -> Result<(), epoint_az_sandbox::SandboxError> {
/// let done = sandbox.complete("te000000001", epoint_az_sandbox::Outcome::Paid).await?;
/// println!("browser goes to {}", done.redirect_to);
/// assert!(done.callback.is_some_and(|c| c.delivered()));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Completion {
    /// `true` when the payment (or registration) succeeded.
    pub approved: bool,
    /// The transaction after completion (hosted payments).
    pub transaction: Option<Transaction>,
    /// The card after completion (card flows).
    pub card: Option<SavedCard>,
    /// The callback delivery.
    pub callback: Option<CallbackDelivery>,
    /// Where the customer's browser is sent (the success / error URL, or a sandbox page).
    pub redirect_to: String,
}

/// Completes a hosted page as an [`Outcome`] says.
pub(crate) async fn complete(
    shared: &Shared,
    id: &str,
    outcome: Outcome,
) -> Result<Completion, SandboxError> {
    let card = CardInput::from_outcome(outcome)?;
    complete_with_card(shared, id, card).await
}

/// Completes a hosted page with this card: the ledger, then the callback (awaited).
pub(crate) async fn complete_with_card(
    shared: &Shared,
    id: &str,
    card: CardInput,
) -> Result<Completion, SandboxError> {
    let (callback, mut completion) = {
        let mut guard = shared.lock();
        let state = &mut *guard;
        let settled = state.ledger.settle(id, &card)?;
        let merchant = state
            .merchants
            .get(settled.merchant())
            .ok_or_else(|| SandboxError::UnknownMerchant(settled.merchant().to_owned()))?;
        let callback = Callback::for_settled(merchant, &settled, &card)?;
        (callback, completion(&shared.base_url, settled))
    };
    let delivery = callbacks::deliver(&shared.http, callback).await;
    shared.lock().record_callback(delivery.clone());
    completion.callback = Some(delivery);
    Ok(completion)
}

/// The completion of a settled page, its callback not yet delivered.
fn completion(base_url: &str, settled: Settled) -> Completion {
    match settled {
        Settled::Payment {
            approved,
            transaction,
            card,
        } => Completion {
            approved,
            redirect_to: redirect(
                base_url,
                approved,
                &transaction.id,
                &transaction.success_redirect_url,
                &transaction.error_redirect_url,
            ),
            transaction: Some(*transaction),
            card,
            callback: None,
        },
        Settled::Registration { approved, card } => Completion {
            approved,
            redirect_to: redirect(
                base_url,
                approved,
                &card.id,
                &card.success_redirect_url,
                &card.error_redirect_url,
            ),
            transaction: None,
            card: Some(card),
            callback: None,
        },
    }
}

/// Where the browser goes: the merchant's success / error URL, or the sandbox's result page.
fn redirect(
    base_url: &str,
    approved: bool,
    id: &str,
    success: &Option<String>,
    error: &Option<String>,
) -> String {
    let (chosen, kind) = if approved {
        (success, "success")
    } else {
        (error, "error")
    };
    chosen
        .clone()
        .unwrap_or_else(|| format!("{base_url}/_sandbox/result/{kind}?id={id}"))
}

/// What a page is for.
struct PageInfo {
    ui: &'static Ui,
    title: String,
    merchant: String,
    amount: Option<String>,
    description: Option<String>,
    done: Option<String>,
}

fn page_info(shared: &Shared, id: &str) -> Option<PageInfo> {
    let state = shared.lock();
    if let Some(tx) = state.ledger.transaction(id) {
        let saves_card = tx.card_id.is_some();
        let ui = ui(tx.language);
        return Some(PageInfo {
            ui,
            title: if saves_card { ui.pay_and_save } else { ui.pay }.into(),
            merchant: tx.merchant.clone(),
            amount: Some(format!("{} AZN", tx.amount)),
            description: tx.description.clone(),
            done: (tx.status != PaymentStatus::New).then(|| tx.status.to_string()),
        });
    }
    state.ledger.card(id).map(|card| PageInfo {
        ui: ui(card.language),
        title: if card.for_payouts {
            ui(card.language).save_for_payouts
        } else {
            ui(card.language).save
        }
        .into(),
        merchant: card.merchant.clone(),
        amount: None,
        description: card.description.clone(),
        done: (card.status != CardStatus::Pending || card.operation != "card_registration")
            .then(|| format!("{:?}", card.status).to_lowercase()),
    })
}

fn layout(ui: &Ui, title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · EPoint sandbox</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f4f6f8; margin: 0; }}
main {{ max-width: 26rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; }}
label {{ display: block; margin-top: 1rem; font-size: .9rem; color: #333; }}
input {{ width: 100%; padding: .5rem; font-size: 1rem; box-sizing: border-box; }}
button {{ margin-top: 1.5rem; width: 100%; padding: .7rem; font-size: 1rem; background: #0a6cff; color: #fff; border: 0; border-radius: 4px; }}
.error {{ color: #b00020; }} .note {{ color: #666; font-size: .85rem; }}
table {{ border-collapse: collapse; font-size: .85rem; }} td, th {{ padding: .2rem .5rem; border-bottom: 1px solid #eee; text-align: left; }}
</style>
</head>
<body><main>
<p class="note" id="sandbox-note">{note}</p>
{body}
</main></body>
</html>
"#,
        lang = ui.lang,
        note = text(ui.note),
        title = text(title),
    )
}

fn card_table() -> String {
    let rows: String = TEST_CARDS
        .iter()
        .map(|(number, code, what)| {
            format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                text(number),
                text(code),
                text(what)
            )
        })
        .collect();
    format!(
        "<table><tr><th>Test card</th><th>Code</th><th>Result</th></tr>{rows}</table>\
         <p class=\"note\">Any expiry (MM/YY), any CVV. The last three digits of any other \
         number are used as the bank code.</p>"
    )
}

fn form_page(id: &str, info: &PageInfo, error: Option<&str>) -> String {
    let amount = info
        .amount
        .as_deref()
        .map(|a| {
            format!(
                "<p>{}: <strong id=\"amount\">{}</strong></p>",
                text(info.ui.amount),
                text(a)
            )
        })
        .unwrap_or_default();
    let description = info
        .description
        .as_deref()
        .map(|d| format!("<p id=\"description\">{}</p>", text(d)))
        .unwrap_or_default();
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"error\">{}</p>", text(e)))
        .unwrap_or_default();
    let ui = info.ui;
    let button = if info.amount.is_some() {
        ui.pay_button
    } else {
        ui.save_button
    };
    let body = format!(
        r#"<h1>{title}</h1>
<p>{merchant_label} <code>{merchant}</code></p>
{amount}{description}{error}
<form method="post" action="" id="card-form">
<label for="card_number">{card_number}</label>
<input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" required>
<label for="expiry">{expiry}</label>
<input id="expiry" name="expiry" placeholder="12/30" autocomplete="cc-exp" required>
<label for="cvv">{cvv}</label>
<input id="cvv" name="cvv" inputmode="numeric" autocomplete="cc-csc" required>
<label for="card_name">{card_name}</label>
<input id="card_name" name="card_name" autocomplete="cc-name" required>
<input type="hidden" name="id" value="{id}">
<button type="submit" id="pay">{button}</button>
</form>
{cards}"#,
        title = text(&info.title),
        merchant_label = text(ui.merchant),
        card_number = text(ui.card_number),
        expiry = text(ui.expiry),
        cvv = text(ui.cvv),
        card_name = text(ui.card_name),
        button = text(button),
        merchant = text(&info.merchant),
        id = attr(id),
        cards = card_table(),
    );
    layout(ui, &info.title, &body)
}

fn message_page(status: StatusCode, title: &str, message: &str) -> Response {
    localized_message_page(&UI_EN, status, title, message)
}

fn localized_message_page(ui: &Ui, status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<h1 id=\"title\">{}</h1><p id=\"message\">{}</p>",
        text(title),
        text(message)
    );
    (status, Html(layout(ui, title, &body))).into_response()
}

/// `GET /`: what this server is.
pub(crate) async fn index(State(shared): State<Arc<Shared>>) -> Html<String> {
    let merchants: String = shared
        .lock()
        .merchants
        .values()
        .map(|m| {
            let seeded = SEEDED_MERCHANTS
                .iter()
                .find(|(public, _)| *public == m.public_key())
                .map(|(_, private)| format!(" / <code>{}</code>", text(private)))
                .unwrap_or_default();
            format!(
                "<li><code>{}</code>{seeded} → result URL {}</li>",
                text(m.public_key()),
                text(m.result_url_str().unwrap_or("(none)"))
            )
        })
        .collect();
    Html(layout(
        &UI_EN,
        "EPoint sandbox",
        &format!(
            "<h1>EPoint sandbox</h1><p>Base URL <code>{}</code></p><h2>Merchants</h2><ul>{merchants}</ul><h2>Test cards</h2>{}",
            text(&shared.base_url),
            card_table()
        ),
    ))
}

/// `GET /pay/{id}` and `GET /card/{id}`: the card form.
pub(crate) async fn show(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match page_info(&shared, &id) {
        None => message_page(
            StatusCode::NOT_FOUND,
            "Not found",
            &format!("No payment or card registration {id}."),
        ),
        Some(PageInfo {
            done: Some(status), ..
        }) => message_page(
            StatusCode::CONFLICT,
            "Already completed",
            &format!("{id} is already completed (status {status})."),
        ),
        Some(info) => Html(form_page(&id, &info, None)).into_response(),
    }
}

/// The card form as submitted.
#[derive(Debug, Deserialize)]
pub(crate) struct CardForm {
    card_number: Option<String>,
    expiry: Option<String>,
    cvv: Option<String>,
    card_name: Option<String>,
}

fn check_form(form: &CardForm) -> Result<CardInput, String> {
    let expiry = form.expiry.as_deref().unwrap_or_default().trim();
    let (month, year) = expiry.split_once('/').ok_or("The expiry must be MM/YY")?;
    let month: u8 = month
        .trim()
        .parse()
        .map_err(|_| "The expiry month must be a number")?;
    let year = year.trim();
    if !(1..=12).contains(&month)
        || !(year.len() == 2 || year.len() == 4)
        || !year.chars().all(|c| c.is_ascii_digit())
    {
        return Err("The expiry must be MM/YY".into());
    }
    let cvv = form.cvv.as_deref().unwrap_or_default().trim();
    if !(3..=4).contains(&cvv.len()) || !cvv.chars().all(|c| c.is_ascii_digit()) {
        return Err("The CVV must have 3 or 4 digits".into());
    }
    CardInput::typed(
        form.card_number.as_deref().unwrap_or_default(),
        form.card_name.as_deref().unwrap_or_default(),
    )
    .map_err(|e| match e {
        SandboxError::InvalidCard(reason) => reason,
        other => other.to_string(),
    })
}

/// `POST /pay/{id}` and `POST /card/{id}`: completes the page, sends the callback, and
/// redirects the browser (303) to the success or error URL.
pub(crate) async fn submit(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    let Some(info) = page_info(&shared, &id) else {
        return message_page(
            StatusCode::NOT_FOUND,
            "Not found",
            &format!("No payment or card registration {id}."),
        );
    };
    let card = match check_form(&form) {
        Ok(card) => card,
        Err(reason) => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(form_page(&id, &info, Some(&reason))),
            )
                .into_response();
        }
    };
    match complete_with_card(&shared, &id, card).await {
        Ok(done) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, done.redirect_to)],
        )
            .into_response(),
        Err(e @ SandboxError::AlreadyCompleted { .. }) => {
            message_page(StatusCode::CONFLICT, "Already completed", &e.to_string())
        }
        Err(e) => message_page(StatusCode::BAD_REQUEST, "Cannot complete", &e.to_string()),
    }
}

#[derive(Deserialize)]
pub(crate) struct ResultQuery {
    id: Option<String>,
}

/// `GET /_sandbox/result/{success|error}`: where the browser lands without redirect URLs.
pub(crate) async fn result(
    State(shared): State<Arc<Shared>>,
    Path(kind): Path<String>,
    Query(query): Query<ResultQuery>,
) -> Response {
    let id = query.id.unwrap_or_default();
    let (language, detail) = {
        let state = shared.lock();
        state
            .ledger
            .transaction(&id)
            .map(|tx| {
                let detail = format!(
                    "{id}: status {}, {}",
                    tx.status,
                    tx.message.clone().unwrap_or_default()
                );
                (tx.language, detail)
            })
            .or_else(|| {
                state.ledger.card(&id).map(|c| {
                    let detail = format!("{id}: card {:?}", c.status).to_lowercase();
                    (c.language, detail)
                })
            })
            .unwrap_or((Language::En, id))
    };
    // The title is EPoint's own text of the outcome, in the payment's language.
    let title = |status: PaymentStatus| {
        status
            .text(language)
            .map_or_else(|| status.to_string(), |t| t.text.to_owned())
    };
    let ui = ui(language);
    match kind.as_str() {
        "success" => {
            localized_message_page(ui, StatusCode::OK, &title(PaymentStatus::Success), &detail)
        }
        "error" => {
            localized_message_page(ui, StatusCode::OK, &title(PaymentStatus::Error), &detail)
        }
        _ => message_page(StatusCode::NOT_FOUND, "Not found", &kind),
    }
}

/// The sandbox's invoice page (`GET /invoice/{id}`): the invoice, and for one waiting for
/// payment a form to pay it or to cancel it (`POST`, field `action` = `pay` / `cancel`).
pub(crate) fn invoice_page(invoice: &Invoice) -> String {
    let f = &invoice.fields;
    let form = if invoice.status == INVOICE_WAITING {
        r#"<form method="post" action=""><button name="action" value="pay">Pay</button> <button name="action" value="cancel">Cancel</button></form>"#
    } else {
        ""
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Invoice {id} · EPoint sandbox</title></head>\n<body><p>EPoint sandbox — no real money moves</p><h1>Invoice {id}</h1>\n<p>{name}</p><p>{sum} AZN, {from} – {to}</p><p>{description}</p>\n<p>Status: <strong id=\"status\">{status}</strong></p>\n{form}\n</body></html>\n",
        id = invoice.id,
        name = text(f.name.as_deref().unwrap_or("")),
        sum = f.sum,
        from = text(&f.period_from),
        to = text(&f.period_to),
        description = text(f.description.as_deref().unwrap_or("")),
        status = invoice.status,
    )
}
