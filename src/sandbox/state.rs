//! The sandbox's in-memory gateway state, and completing hosted pages (with callbacks).

use std::collections::{BTreeMap, HashMap};

use rand::Rng;
use serde::Serialize;

use super::{
    APPROVED_CARD, CallbackDelivery, Fault, Merchant, Outcome, ReceivedRequest, SandboxError,
    SavedCard, Shared, Transaction,
};
use crate::{BankCode, Money, PaymentStatus, generated::types::CallbackPayload};

/// A fault rule: the fault, and how many more requests it applies to (`None`: all).
#[derive(Clone, Debug)]
pub(crate) struct FaultRule {
    pub(crate) fault: Fault,
    pub(crate) times: Option<u32>,
}

/// The state of a saved card.
///
/// ```
/// use epoint::sandbox::CardStatus;
/// assert_eq!(serde_json::to_string(&CardStatus::Active).unwrap(), r#""active""#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CardStatus {
    /// Registered; the customer has not completed the page yet.
    Pending,
    /// Usable for charges (or payouts, if registered for payouts).
    Active,
    /// Registration failed (or the payment that would have saved it was declined).
    Rejected,
}

/// What completing a hosted page did.
///
/// ```no_run
/// # async fn run(sandbox: epoint::sandbox::Sandbox) -> Result<(), epoint::sandbox::SandboxError> {
/// let done = sandbox.complete("te000000001", epoint::sandbox::Outcome::Paid).await?;
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

/// The gateway's data.
pub(crate) struct State {
    pub(crate) merchants: BTreeMap<String, Merchant>,
    pub(crate) transactions: BTreeMap<String, Transaction>,
    pub(crate) cards: BTreeMap<String, SavedCard>,
    pub(crate) requests: Vec<ReceivedRequest>,
    pub(crate) callbacks: Vec<CallbackDelivery>,
    pub(crate) faults: HashMap<&'static str, FaultRule>,
    next_transaction: u64,
    next_card: u64,
}

impl State {
    pub(crate) fn new(merchants: BTreeMap<String, Merchant>) -> Self {
        Self {
            merchants,
            transactions: BTreeMap::new(),
            cards: BTreeMap::new(),
            requests: Vec::new(),
            callbacks: Vec::new(),
            faults: HashMap::new(),
            next_transaction: 0,
            next_card: 0,
        }
    }

    pub(crate) fn transaction_id(&mut self) -> String {
        self.next_transaction += 1;
        format!("te{:09}", self.next_transaction)
    }

    pub(crate) fn card_id(&mut self) -> String {
        self.next_card += 1;
        format!("ce{:09}", self.next_card)
    }

    /// The fault for this request, counting it down.
    pub(crate) fn take_fault(&mut self, operation: &'static str) -> Option<Fault> {
        let rule = self.faults.get_mut(operation)?;
        let fault = rule.fault.clone();
        match &mut rule.times {
            Some(0) => {
                self.faults.remove(operation);
                return None;
            }
            Some(n) => {
                *n -= 1;
                if *n == 0 {
                    self.faults.remove(operation);
                }
            }
            None => {}
        }
        Some(fault)
    }
}

/// The card the customer "typed", and what it does.
#[derive(Clone, Debug)]
pub(crate) struct CardInput {
    pub(crate) number: String,
    pub(crate) name: String,
    /// The bank code the payment gets.
    pub(crate) code: String,
    /// For card registrations: fail the registration.
    pub(crate) fail_registration: bool,
}

impl CardInput {
    /// A typed card: 12 to 19 digits (spaces and dashes ignored); the last three choose the code.
    pub(crate) fn typed(number: &str, name: &str) -> Result<Self, SandboxError> {
        let digits: String = number.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if !(12..=19).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(SandboxError::InvalidCard(
                "the card number must have 12 to 19 digits".into(),
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(SandboxError::InvalidCard(
                "the cardholder name must have 1 to 100 characters".into(),
            ));
        }
        let code = digits[digits.len() - 3..].to_owned();
        Ok(Self {
            number: digits,
            name: name.to_uppercase(),
            code,
            fail_registration: false,
        })
    }

    fn from_outcome(outcome: Outcome) -> Result<Self, SandboxError> {
        match outcome {
            Outcome::Paid => Self::typed(APPROVED_CARD, "TEST CARDHOLDER"),
            Outcome::Declined(code) => Ok(Self {
                number: format!("4169738800000{code:0>3}"),
                name: "TEST CARDHOLDER".into(),
                code,
                fail_registration: true,
            }),
            Outcome::Card { number, name } => Self::typed(&number, &name),
        }
    }

    fn mask(&self) -> String {
        let n = &self.number;
        let (head, tail) = (
            n.get(..6).unwrap_or(n),
            n.get(n.len().saturating_sub(4)..).unwrap_or(n),
        );
        format!("{head}******{tail}")
    }
}

/// The message for a bank code: its meaning, or a generic decline text.
pub(crate) fn code_message(code: &str) -> String {
    BankCode::new(code).meaning().map_or_else(
        || format!("Declined (bank code {code})"),
        std::borrow::ToOwned::to_owned,
    )
}

/// Fresh bank reference numbers for an approved operation: `(rrn, bank_transaction)`.
pub(crate) fn bank_refs() -> (String, String) {
    let mut rng = rand::rng();
    (
        format!("{:012}", rng.random_range(0..1_000_000_000_000_u64)),
        format!("BT{:010}", rng.random_range(0..10_000_000_000_u64)),
    )
}

/// `operation_code` of a transaction created by this operation.
pub(crate) fn operation_code(operation: &str) -> Option<&'static str> {
    match operation {
        "card_registration" => Some("001"),
        "card_registration_with_pay" | "split_card_registration_with_pay" => Some("200"),
        "payment_request" | "split_request" | "execute_pay" | "split_execute_pay" => Some("100"),
        _ => None,
    }
}

/// A callback ready to send.
struct Plan {
    merchant: String,
    operation: &'static str,
    id: String,
    url: Option<String>,
    json: String,
    body: String,
}

/// Completes a hosted page from [`super::Sandbox::complete`].
pub(crate) async fn complete(
    shared: &Shared,
    id: &str,
    outcome: Outcome,
) -> Result<Completion, SandboxError> {
    let card = CardInput::from_outcome(outcome)?;
    complete_with_card(shared, id, card).await
}

/// Completes a hosted page with this card: state, then the callback (awaited).
pub(crate) async fn complete_with_card(
    shared: &Shared,
    id: &str,
    card: CardInput,
) -> Result<Completion, SandboxError> {
    let (plan, mut completion) = {
        let mut state = shared.lock();
        if state.transactions.contains_key(id) {
            finish_payment(&mut state, &shared.base_url, id, &card)?
        } else if state.cards.contains_key(id) {
            finish_registration(&mut state, &shared.base_url, id, &card)?
        } else {
            return Err(SandboxError::NotFound(id.to_owned()));
        }
    };
    let delivery = deliver(shared, plan).await;
    shared.lock().callbacks.push(delivery.clone());
    completion.callback = Some(delivery);
    Ok(completion)
}

fn finish_payment(
    state: &mut State,
    base_url: &str,
    id: &str,
    card: &CardInput,
) -> Result<(Plan, Completion), SandboxError> {
    // A split payment's callback names the card used (`card_id`) though it saves none.
    let used_card = match state.transactions.get(id) {
        Some(tx) if tx.operation == "split_request" && tx.status == PaymentStatus::New => {
            Some(state.card_id())
        }
        _ => None,
    };
    let tx = state
        .transactions
        .get_mut(id)
        .ok_or_else(|| SandboxError::NotFound(id.to_owned()))?;
    if !matches!(
        tx.operation,
        "payment_request"
            | "card_registration_with_pay"
            | "split_request"
            | "split_card_registration_with_pay"
    ) {
        return Err(SandboxError::NoHostedPage(id.to_owned()));
    }
    if tx.status != PaymentStatus::New {
        return Err(SandboxError::AlreadyCompleted {
            id: id.to_owned(),
            status: tx.status.to_string(),
        });
    }
    let approved = card.code == "000";
    let message = code_message(&card.code);
    tx.code = Some(card.code.clone());
    tx.message = Some(message.clone());
    if used_card.is_some() {
        tx.card_id = used_card;
    }
    if approved {
        let (rrn, bank_transaction) = bank_refs();
        tx.status = PaymentStatus::Success;
        tx.rrn = Some(rrn);
        tx.bank_transaction = Some(bank_transaction);
        tx.card_mask = Some(card.mask());
        tx.card_name = Some(card.name.clone());
    } else {
        tx.status = PaymentStatus::Error;
    }
    let tx = tx.clone();
    let saves_card = matches!(
        tx.operation,
        "card_registration_with_pay" | "split_card_registration_with_pay"
    );
    let mut saved = None;
    if let Some(card_id) = tx.card_id.as_deref().filter(|_| saves_card)
        && let Some(saved_card) = state.cards.get_mut(card_id)
    {
        if approved {
            saved_card.status = super::CardStatus::Active;
            saved_card.card_mask = Some(card.mask());
            saved_card.card_name = Some(card.name.clone());
            saved_card.bank_code = Some(card.code.clone());
        } else {
            saved_card.status = super::CardStatus::Rejected;
        }
        saved = Some(saved_card.clone());
    }

    let mut payload = CallbackPayload {
        order_id: Some(tx.order_id.clone()),
        status: if approved {
            PaymentStatus::Success
        } else {
            PaymentStatus::Failed
        },
        code: Some(card.code.clone()),
        message: (!saves_card).then(|| message.clone()),
        transaction: Some(tx.id.clone()),
        bank_transaction: None,
        bank_response: None,
        operation_code: operation_code(tx.operation).map(str::to_owned),
        rrn: None,
        card_name: None,
        card_mask: None,
        amount: Some(tx.amount),
        split_amount: tx.split_amount,
        card_id: tx.card_id.clone(),
        other_attr: tx.other_attr.clone(),
        trace_id: None,
    };
    if approved {
        payload.bank_transaction.clone_from(&tx.bank_transaction);
        payload.bank_response = Some(message);
        payload.rrn.clone_from(&tx.rrn);
        payload.card_name.clone_from(&tx.card_name);
        payload.card_mask.clone_from(&tx.card_mask);
    }
    let redirect_to = redirect(
        base_url,
        approved,
        &tx.id,
        &tx.success_redirect_url,
        &tx.error_redirect_url,
    );
    let plan = plan(state, &tx.merchant, tx.operation, &tx.id, &payload)?;
    Ok((
        plan,
        Completion {
            approved,
            transaction: Some(tx),
            card: saved,
            callback: None,
            redirect_to,
        },
    ))
}

fn finish_registration(
    state: &mut State,
    base_url: &str,
    id: &str,
    card: &CardInput,
) -> Result<(Plan, Completion), SandboxError> {
    let saved = state
        .cards
        .get_mut(id)
        .ok_or_else(|| SandboxError::NotFound(id.to_owned()))?;
    if saved.operation != "card_registration" {
        // Cards saved with a payment complete through their transaction's page.
        return Err(match saved.transaction.clone() {
            Some(tx) => SandboxError::NoHostedPage(format!("{id} (use its transaction {tx})")),
            None => SandboxError::NoHostedPage(id.to_owned()),
        });
    }
    if saved.status != super::CardStatus::Pending {
        return Err(SandboxError::AlreadyCompleted {
            id: id.to_owned(),
            status: format!("{:?}", saved.status).to_lowercase(),
        });
    }
    let approved = !card.fail_registration;
    let mut payload = CallbackPayload {
        order_id: None,
        status: if approved {
            PaymentStatus::Success
        } else {
            PaymentStatus::Failed
        },
        code: Some(if approved { "000" } else { "500" }.to_owned()),
        message: Some(if approved {
            code_message("000")
        } else {
            format!("Card registration failed: {}", code_message(&card.code))
        }),
        transaction: None,
        bank_transaction: None,
        bank_response: None,
        operation_code: operation_code("card_registration").map(str::to_owned),
        rrn: None,
        card_name: None,
        card_mask: None,
        amount: None,
        split_amount: None,
        card_id: Some(saved.id.clone()),
        other_attr: None,
        trace_id: None,
    };
    if approved {
        let (rrn, bank_transaction) = bank_refs();
        saved.status = super::CardStatus::Active;
        saved.card_mask = Some(card.mask());
        saved.card_name = Some(card.name.clone());
        saved.bank_code = Some(card.code.clone());
        payload.bank_transaction = Some(bank_transaction);
        payload.bank_response = Some(code_message("000"));
        payload.rrn = Some(rrn);
        payload.card_name = Some(card.name.clone());
        payload.card_mask = Some(card.mask());
    } else {
        saved.status = super::CardStatus::Rejected;
    }
    let saved = saved.clone();
    let redirect_to = redirect(
        base_url,
        approved,
        &saved.id,
        &saved.success_redirect_url,
        &saved.error_redirect_url,
    );
    let plan = plan(state, &saved.merchant, saved.operation, &saved.id, &payload)?;
    Ok((
        plan,
        Completion {
            approved,
            transaction: None,
            card: Some(saved),
            callback: None,
            redirect_to,
        },
    ))
}

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

/// Signs the callback payload with the merchant's key.
fn plan(
    state: &State,
    merchant: &str,
    operation: &'static str,
    id: &str,
    payload: &CallbackPayload,
) -> Result<Plan, SandboxError> {
    let merchant = state
        .merchants
        .get(merchant)
        .ok_or_else(|| SandboxError::UnknownMerchant(merchant.to_owned()))?;
    let json = super::api::wire_json(&serde_json::to_value(payload).map_err(|e| {
        SandboxError::Io(std::io::Error::other(format!(
            "callback payload not serialisable: {e}"
        )))
    })?);
    let envelope = merchant.keys().seal_json(json.as_bytes());
    Ok(Plan {
        merchant: merchant.public_key().to_owned(),
        operation,
        id: id.to_owned(),
        url: merchant.result_url.clone(),
        body: crate::signing::form_body(&envelope),
        json,
    })
}

/// POSTs the callback once and records what happened.
async fn deliver(shared: &Shared, plan: Plan) -> CallbackDelivery {
    let (status, error) = match &plan.url {
        None => (None, Some("the merchant has no result URL".to_owned())),
        Some(url) => match shared
            .http
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(plan.body.clone())
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
        merchant: plan.merchant,
        operation: plan.operation,
        id: plan.id,
        url: plan.url,
        payload: serde_json::from_str(&plan.json).unwrap_or(serde_json::Value::Null),
        body: plan.body,
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

/// The amount a payment carries, checked as EPoint would.
pub(crate) fn checked(field: &str, amount: Money) -> Result<Money, String> {
    Money::new(amount.amount()).map_err(|e| format!("`{field}` {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_cards_choose_the_code_by_their_last_three_digits() {
        let card = CardInput::typed("4169 7388-0000 0116", " Ada Lovelace ").expect("valid");
        assert_eq!(card.code, "116");
        assert_eq!(card.name, "ADA LOVELACE");
        assert_eq!(card.mask(), "416973******0116");
        for bad in ["", "1234", "4169 7388 0000 011x", "12345678901234567890"] {
            assert!(CardInput::typed(bad, "A").is_err(), "{bad:?}");
        }
        assert!(CardInput::typed("4169738800000000", "  ").is_err());
        let declined = CardInput::from_outcome(Outcome::Declined("5".into())).expect("ok");
        assert_eq!(
            (declined.code.as_str(), declined.fail_registration),
            ("5", true)
        );
    }

    #[test]
    fn messages_come_from_the_bank_code_table() {
        assert_eq!(code_message("000"), "Confirmed");
        assert_eq!(code_message("116"), "Declined, insufficient funds");
        assert_eq!(code_message("777"), "Declined (bank code 777)");
    }

    #[test]
    fn faults_count_down_and_disappear() {
        let mut state = State::new(BTreeMap::new());
        state.faults.insert(
            "reverse",
            FaultRule {
                fault: Fault::DropConnection,
                times: Some(2),
            },
        );
        assert_eq!(state.take_fault("reverse"), Some(Fault::DropConnection));
        assert_eq!(state.take_fault("reverse"), Some(Fault::DropConnection));
        assert_eq!(state.take_fault("reverse"), None);
        assert_eq!(state.take_fault("get_status"), None);
        assert_eq!(state.transaction_id(), "te000000001");
        assert_eq!(state.card_id(), "ce000000001");
    }
}
