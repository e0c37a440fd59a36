//! The ledger: transactions and saved cards, their ids, amounts, and the state machine
//! that moves them (a payment `new` → `success` / `error` → `returned` by refunds that never
//! exceed what remains; a card `pending` → `active` / `rejected`; synchronous charges and
//! payouts to active cards).
//!
//! It knows no HTTP, signs nothing and delivers no callback. It may import only
//! [`super::model`] and the crate's own types.

use std::collections::BTreeMap;

use rand::Rng;
use rust_decimal::Decimal;
use serde::Serialize;

use super::model::{APPROVED_CARD, Outcome, SandboxError};
use epoint_az::{BankCode, Language, Money, PaymentStatus};

mod payment_variants;
pub(crate) mod tokens_b2b;

/// The state of a saved card.
///
/// ```
/// use epoint_az_sandbox::CardStatus;
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

/// A transaction as the sandbox keeps it.
///
/// ```no_run
/// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
/// for tx in sandbox.transactions() {
///     println!("{} {} {} refunded {}", tx.id, tx.status, tx.amount, tx.refunded);
/// }
/// # }
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Transaction {
    /// `te…` id.
    pub id: String,
    /// The merchant's public key.
    pub merchant: String,
    /// The operationId that created it.
    pub operation: &'static str,
    /// The merchant's order id.
    pub order_id: String,
    /// The amount.
    pub amount: Money,
    /// How much was refunded (reversed) so far.
    pub refunded: Decimal,
    /// `new`, `success`, `error` or `returned`.
    pub status: PaymentStatus,
    /// The bank code, once completed.
    pub code: Option<String>,
    /// The status message, once completed.
    pub message: Option<String>,
    /// Split partner.
    pub split_user: Option<String>,
    /// Split partner's share.
    pub split_amount: Option<Money>,
    /// The card saved by this payment, or charged / paid out to.
    pub card_id: Option<String>,
    /// Retrieval reference number (success only).
    pub rrn: Option<String>,
    /// The bank's transaction id (success only).
    pub bank_transaction: Option<String>,
    /// Masked card number.
    pub card_mask: Option<String>,
    /// Cardholder name.
    pub card_name: Option<String>,
    /// Description sent by the merchant.
    pub description: Option<String>,
    /// `other_attr` sent by the merchant.
    pub other_attr: Option<serde_json::Value>,
    /// Page language.
    pub language: Language,
    /// Where the browser goes after success.
    pub success_redirect_url: Option<String>,
    /// Where the browser goes after failure.
    pub error_redirect_url: Option<String>,
}

impl Transaction {
    /// What can still be refunded: the amount less refunds, for a paid transaction.
    ///
    /// ```no_run
    /// # fn f(tx: epoint_az_sandbox::Transaction) {
    /// println!("{} left to refund", tx.remaining());
    /// # }
    /// ```
    pub fn remaining(&self) -> Decimal {
        match self.status {
            PaymentStatus::Success | PaymentStatus::Returned => {
                self.amount.amount() - self.refunded
            }
            _ => Decimal::ZERO,
        }
    }

    /// A transaction of `amount`, status `new`, with nothing else known yet.
    fn new(
        id: String,
        merchant: &str,
        operation: &'static str,
        order_id: &str,
        amount: Money,
    ) -> Self {
        Self {
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

    /// Whether paying it also saves a card (the card registration with payment flows).
    pub(crate) fn saves_card(&self) -> bool {
        matches!(
            self.operation,
            "card_registration_with_pay" | "split_card_registration_with_pay"
        )
    }
}

/// A saved card as the sandbox keeps it.
///
/// ```no_run
/// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
/// for card in sandbox.cards() {
///     println!("{} {:?} payouts={}", card.id, card.status, card.for_payouts);
/// }
/// # }
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct SavedCard {
    /// `ce…` id.
    pub id: String,
    /// The merchant's public key.
    pub merchant: String,
    /// The operationId that created it.
    pub operation: &'static str,
    /// Pending, active or rejected.
    pub status: CardStatus,
    /// Registered with `refund: 1` (a payout card).
    pub for_payouts: bool,
    /// The bank code charges to this card get (from the test card's last three digits).
    pub bank_code: Option<String>,
    /// Masked card number.
    pub card_mask: Option<String>,
    /// Cardholder name.
    pub card_name: Option<String>,
    /// The transaction that saved it (card registration with payment).
    pub transaction: Option<String>,
    /// Description sent by the merchant.
    pub description: Option<String>,
    /// Page language.
    pub language: Language,
    /// Where the browser goes after success.
    pub success_redirect_url: Option<String>,
    /// Where the browser goes after failure.
    pub error_redirect_url: Option<String>,
}

/// What settling a hosted page did to the ledger (see [`Ledger::settle`]).
pub(crate) enum Settled {
    /// A hosted payment, and the card it saved (or failed to), if it saves one.
    Payment {
        /// The payment succeeded.
        approved: bool,
        /// The transaction after settlement (boxed: it is the big one).
        transaction: Box<Transaction>,
        /// The card after settlement.
        card: Option<SavedCard>,
    },
    /// A card registration without payment.
    Registration {
        /// The card was saved.
        approved: bool,
        /// The card after settlement.
        card: SavedCard,
    },
}

impl Settled {
    /// The public key of the merchant whose page it was.
    pub(crate) fn merchant(&self) -> &str {
        match self {
            Self::Payment { transaction, .. } => &transaction.merchant,
            Self::Registration { card, .. } => &card.merchant,
        }
    }
}

/// Every transaction and saved card, and the counters that number them.
#[derive(Default)]
pub(crate) struct Ledger {
    transactions: BTreeMap<String, Transaction>,
    cards: BTreeMap<String, SavedCard>,
    next_transaction: u64,
    next_card: u64,
    variants: payment_variants::State,

    /// Invoices by id (`ledger/invoices.rs`).
    invoices: BTreeMap<u64, invoices::Invoice>,
    next_invoice: u64,

    /// Token payments and B2B transfers (`gateway/tokens_b2b.rs`).
    pub(crate) tokens_b2b: tokens_b2b::TokensB2b,

    /// How many transactions (and, apart, saved cards) are kept; `None`: [`DEFAULT_LEDGER_LIMIT`].
    limit: Option<usize>,
}

/// How many transactions, and as many saved cards, invoices, token payments and B2B transfers,
/// the sandbox keeps by default; past it the oldest of each kind are forgotten (see
/// `SandboxBuilder::ledger_limit`).
///
/// ```
/// assert_eq!(epoint_az_sandbox::DEFAULT_LEDGER_LIMIT, 100_000);
/// ```
pub const DEFAULT_LEDGER_LIMIT: usize = 100_000;

/// Makes room for one more record in a map whose first key is its oldest (ids that grow):
/// forgets the oldest until fewer than `limit` (at least 1) remain.
pub(crate) fn make_room<K: Ord, V>(map: &mut BTreeMap<K, V>, limit: usize) {
    while map.len() >= limit.max(1) {
        map.pop_first();
    }
}

mod invoices;
pub(crate) use invoices::{Invoice, InvoiceFields, WAITING as INVOICE_WAITING};

impl Ledger {
    /// An empty ledger keeping at most `limit` transactions and cards each.
    pub(crate) fn with_limit(limit: Option<usize>) -> Self {
        Self {
            limit,
            ..Self::default()
        }
    }

    /// How many of each kind of record (transactions, cards, invoices, token payments, B2B
    /// transfers) are kept.
    pub(crate) fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_LEDGER_LIMIT)
    }

    /// Every transaction, by id.
    pub(crate) fn transactions(&self) -> impl Iterator<Item = &Transaction> {
        self.transactions.values()
    }

    /// The transactions after the id `after` (all with `None`), oldest first: ids are
    /// zero-padded and grow, so their order is their age, and a forgotten `after` still works.
    pub(crate) fn transactions_after(
        &self,
        after: Option<&str>,
    ) -> impl Iterator<Item = &Transaction> {
        use std::ops::Bound;
        let from = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.transactions
            .range::<str, _>((from, Bound::Unbounded))
            .map(|(_, tx)| tx)
    }

    /// How many transactions are kept.
    pub(crate) fn transaction_count(&self) -> usize {
        self.transactions.len()
    }

    /// One transaction.
    pub(crate) fn transaction(&self, id: &str) -> Option<&Transaction> {
        self.transactions.get(id)
    }

    /// One transaction, if it is this merchant's.
    pub(crate) fn transaction_of(&self, merchant: &str, id: &str) -> Option<&Transaction> {
        self.transactions
            .get(id)
            .filter(|tx| tx.merchant == merchant)
    }

    /// The merchant's latest transaction for `order_id` (transaction ids grow, so the last).
    pub(crate) fn latest_transaction_of_order(
        &self,
        merchant: &str,
        order_id: &str,
    ) -> Option<&Transaction> {
        self.transactions
            .values()
            .rev()
            .find(|tx| tx.merchant == merchant && tx.order_id == order_id)
    }

    /// Marks a saved card as one to pay out to (`refund: 1`).
    pub(crate) fn register_for_payouts(&mut self, card_id: &str) {
        if let Some(card) = self.cards.get_mut(card_id) {
            card.for_payouts = true;
        }
    }

    /// Every saved card, by id.
    pub(crate) fn cards(&self) -> impl Iterator<Item = &SavedCard> {
        self.cards.values()
    }

    /// One saved card.
    pub(crate) fn card(&self, id: &str) -> Option<&SavedCard> {
        self.cards.get(id)
    }

    fn transaction_id(&mut self) -> String {
        self.next_transaction += 1;
        format!("te{:09}", self.next_transaction)
    }

    fn card_id(&mut self) -> String {
        self.next_card += 1;
        format!("ce{:09}", self.next_card)
    }

    /// A payment awaiting its hosted page (status `new`); `fill` adds what the payload says.
    pub(crate) fn open_payment(
        &mut self,
        merchant: &str,
        operation: &'static str,
        order_id: &str,
        amount: Money,
        fill: impl FnOnce(&mut Transaction),
    ) -> String {
        let id = self.transaction_id();
        let mut tx = Transaction::new(id.clone(), merchant, operation, order_id, amount);
        fill(&mut tx);
        // Ids are zero-padded and increasing: the first key is the oldest.
        let limit = self.limit();
        make_room(&mut self.transactions, limit);
        self.transactions.insert(id.clone(), tx);
        id
    }

    /// A pending card awaiting its hosted page; `fill` adds what the payload says.
    pub(crate) fn open_card(
        &mut self,
        merchant: &str,
        operation: &'static str,
        fill: impl FnOnce(&mut SavedCard),
    ) -> String {
        self.new_card(merchant, operation, None, fill)
    }

    fn new_card(
        &mut self,
        merchant: &str,
        operation: &'static str,
        transaction: Option<&str>,
        fill: impl FnOnce(&mut SavedCard),
    ) -> String {
        let id = self.card_id();
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
        let limit = self.limit();
        make_room(&mut self.cards, limit);
        self.cards.insert(id.clone(), card);
        id
    }

    /// A pending card saved by the payment `transaction`, on the same page.
    pub(crate) fn attach_card(
        &mut self,
        merchant: &str,
        operation: &'static str,
        transaction: &str,
    ) -> String {
        let (language, success, error) = self
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
        let card_id = self.new_card(merchant, operation, Some(transaction), |card| {
            card.language = language;
            card.success_redirect_url = success;
            card.error_redirect_url = error;
        });
        if let Some(tx) = self.transactions.get_mut(transaction) {
            tx.card_id = Some(card_id.clone());
        }
        card_id
    }

    /// A synchronous charge (`execute_pay`, `split_execute_pay`) or payout (`refund_request`)
    /// to one of the merchant's active cards: a transaction born `success` or `error`, as the
    /// card's bank code decides. `Err` is why it is refused.
    pub(crate) fn charge(
        &mut self,
        merchant: &str,
        operation: &'static str,
        card_id: &str,
        order_id: &str,
        amount: Money,
        split: Option<(String, Money)>,
    ) -> Result<&Transaction, String> {
        let payout = operation == "refund_request";
        let card = self
            .cards
            .get(card_id)
            .filter(|card| card.merchant == merchant)
            .ok_or("Card not found")?;
        if card.status != CardStatus::Active {
            return Err(format!(
                "Card {} is not active (its registration was not completed)",
                card.id
            ));
        }
        if payout && !card.for_payouts {
            return Err("Card is not registered for payouts (register it with refund = 1)".into());
        }
        if !payout && card.for_payouts {
            return Err("Card is registered for payouts and cannot be charged".into());
        }
        let code = card.bank_code.clone().unwrap_or_else(|| "000".to_owned());
        let (card_mask, card_name, card_id) = (
            card.card_mask.clone(),
            card.card_name.clone(),
            card.id.clone(),
        );
        let id = self.transaction_id();
        let mut tx = Transaction::new(id.clone(), merchant, operation, order_id, amount);
        tx.card_id = Some(card_id);
        tx.message = Some(code_message(&code));
        if let Some((user, share)) = split {
            tx.split_user = Some(user);
            tx.split_amount = Some(share);
        }
        if code == "000" {
            let (rrn, bank_transaction) = bank_refs();
            tx.status = PaymentStatus::Success;
            tx.rrn = Some(rrn);
            tx.bank_transaction = Some(bank_transaction);
            tx.card_mask = card_mask;
            tx.card_name = card_name;
        } else {
            tx.status = PaymentStatus::Error;
        }
        tx.code = Some(code);
        Ok(self.transactions.entry(id).or_insert(tx))
    }

    /// Refunds the merchant's transaction `id` fully (`amount` `None`) or partly, never more
    /// than what remains; it then reports `returned`. `Err` is why it is refused.
    pub(crate) fn refund(
        &mut self,
        merchant: &str,
        id: &str,
        amount: Option<Money>,
    ) -> Result<&Transaction, String> {
        let tx = self
            .transactions
            .get_mut(id)
            .filter(|tx| tx.merchant == merchant)
            .ok_or("Transaction not found")?;
        if tx.operation == "refund_request" {
            return Err("A payout cannot be reversed".into());
        }
        if !matches!(tx.status, PaymentStatus::Success | PaymentStatus::Returned) {
            return Err(format!(
                "Transaction {} cannot be reversed: its status is {}",
                tx.id, tx.status
            ));
        }
        let remaining = tx.remaining();
        if remaining <= Decimal::ZERO {
            return Err(format!("Transaction {} is already fully refunded", tx.id));
        }
        let amount = match amount {
            None => remaining,
            Some(amount) => checked("amount", amount)?.amount(),
        };
        if amount > remaining {
            return Err(format!(
                "The refund amount {amount} is more than the refundable amount {remaining}"
            ));
        }
        tx.refunded += amount;
        tx.status = PaymentStatus::Returned;
        Ok(tx)
    }

    /// Settles a hosted page (a `te…` payment or a `ce…` card registration) with the card
    /// the customer typed.
    pub(crate) fn settle(&mut self, id: &str, card: &CardInput) -> Result<Settled, SandboxError> {
        if self.transactions.contains_key(id) {
            self.settle_payment(id, card)
        } else if self.cards.contains_key(id) {
            self.settle_registration(id, card)
        } else {
            Err(SandboxError::NotFound(id.to_owned()))
        }
    }

    fn settle_payment(&mut self, id: &str, card: &CardInput) -> Result<Settled, SandboxError> {
        // A split payment's callback names the card used (`card_id`) though it saves none.
        let used_card = match self.transactions.get(id) {
            Some(tx) if tx.operation == "split_request" && tx.status == PaymentStatus::New => {
                Some(self.card_id())
            }
            _ => None,
        };
        let tx = self
            .transactions
            .get_mut(id)
            .ok_or_else(|| SandboxError::NotFound(id.to_owned()))?;
        if !matches!(
            tx.operation,
            "payment_request"
                | "card_registration_with_pay"
                | "split_request"
                | "split_card_registration_with_pay"
                | "wallet_payment"
                | "token_widget"
        ) && !payment_variants::has_hosted_page(tx.operation)
        {
            return Err(SandboxError::NoHostedPage(id.to_owned()));
        }
        if tx.status != PaymentStatus::New {
            return Err(SandboxError::AlreadyCompleted {
                id: id.to_owned(),
                status: tx.status.to_string(),
            });
        }
        let approved = card.code == "000";
        tx.code = Some(card.code.clone());
        tx.message = Some(code_message(&card.code));
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
        payment_variants::settled(tx, approved); // an approved pre-authorisation holds the money
        let tx = tx.clone();
        let mut saved = None;
        if let Some(card_id) = tx.card_id.as_deref().filter(|_| tx.saves_card())
            && let Some(saved_card) = self.cards.get_mut(card_id)
        {
            if approved {
                saved_card.status = CardStatus::Active;
                saved_card.card_mask = Some(card.mask());
                saved_card.card_name = Some(card.name.clone());
                saved_card.bank_code = Some(card.code.clone());
            } else {
                saved_card.status = CardStatus::Rejected;
            }
            saved = Some(saved_card.clone());
        }
        Ok(Settled::Payment {
            approved,
            transaction: Box::new(tx),
            card: saved,
        })
    }

    fn settle_registration(&mut self, id: &str, card: &CardInput) -> Result<Settled, SandboxError> {
        let saved = self
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
        if saved.status != CardStatus::Pending {
            return Err(SandboxError::AlreadyCompleted {
                id: id.to_owned(),
                status: format!("{:?}", saved.status).to_lowercase(),
            });
        }
        let approved = !card.fail_registration;
        if approved {
            saved.status = CardStatus::Active;
            saved.card_mask = Some(card.mask());
            saved.card_name = Some(card.name.clone());
            saved.bank_code = Some(card.code.clone());
        } else {
            saved.status = CardStatus::Rejected;
        }
        Ok(Settled::Registration {
            approved,
            card: saved.clone(),
        })
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

    /// The card an [`Outcome`] stands for.
    pub(crate) fn from_outcome(outcome: Outcome) -> Result<Self, SandboxError> {
        match outcome {
            Outcome::Paid => Self::typed(APPROVED_CARD, "TEST CARDHOLDER"),
            // `000` is the approval code: a decline with it would approve.
            Outcome::Declined(code) if code.is_empty() || code.bytes().all(|b| b == b'0') => {
                Err(SandboxError::InvalidCard(format!(
                    "a decline needs a bank code other than 000 (got {code:?}), e.g. 116"
                )))
            }
            Outcome::Declined(code) => Ok(Self {
                number: format!("4169738800000{code:0>3}"),
                name: "TEST CARDHOLDER".into(),
                code,
                fail_registration: true,
            }),
            Outcome::Card { number, name } => Self::typed(&number, &name),
        }
    }

    /// The masked number, `416973******0116`.
    pub(crate) fn mask(&self) -> String {
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
        "payment_request" | "split_request" | "execute_pay" | "split_execute_pay"
        | "wallet_payment" | "token_widget" => Some("100"),
        "checkout"
        | "developer_payment_request"
        | "amex_request"
        | "installment_request"
        | "pre_auth_request" => Some("100"),
        _ => None,
    }
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
    fn ids_are_numbered_per_kind() {
        let mut ledger = Ledger::default();
        assert_eq!(ledger.transaction_id(), "te000000001");
        assert_eq!(ledger.card_id(), "ce000000001");
    }
}
