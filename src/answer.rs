//! What a successful call returns: the fields success guarantees, typed and not optional, with
//! the whole generated answer beside them (`.answer`) for everything else, including fields
//! EPoint adds later (`.answer.extra`).
//!
//! An answer whose `status` says success but that lacks a guaranteed field (say, a payment page
//! without `redirect_url`) is [`crate::Error::IncompleteAnswer`], which keeps the body.

use serde::Serialize;

use crate::{
    BankCode, Money, PaymentStatus,
    generated::types::{ChargeResponse, RedirectResponse, ReverseResponse, StatusResponse},
};

/// Builds a success type from the generated answer (implemented for the types of this module
/// and, for operations the spec gives no `x-epoint-answer`, for the generated answer itself).
pub trait Success<A>: Sized {
    /// `Err(field)` names the guaranteed field the answer lacks.
    fn from_answer(answer: A) -> Result<Self, (&'static str, A)>;
}

impl<A> Success<A> for A {
    fn from_answer(answer: A) -> Result<Self, (&'static str, A)> {
        Ok(answer)
    }
}

fn required(value: Option<&String>, field: &'static str) -> Result<String, &'static str> {
    match value {
        Some(v) if !v.is_empty() => Ok(v.clone()),
        _ => Err(field),
    }
}

/// A payment created on EPoint's hosted page ([`crate::Client::pay`],
/// [`crate::Client::split_pay`]): send the customer to `redirect_url`; the result arrives as a
/// callback.
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// let page = client.pay(epoint_az::dec!(30.75), "order-1").await?;
/// println!("{} → {}", page.transaction, page.redirect_url);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PaymentPage {
    /// EPoint's transaction id (`te…`).
    pub transaction: String,
    /// EPoint's hosted card page: send the customer's browser here.
    pub redirect_url: String,
    /// The whole answer as EPoint sent it.
    pub answer: RedirectResponse,
}

impl Success<RedirectResponse> for PaymentPage {
    fn from_answer(answer: RedirectResponse) -> Result<Self, (&'static str, RedirectResponse)> {
        match (
            required(answer.transaction.as_ref(), "transaction"),
            required(answer.redirect_url.as_ref(), "redirect_url"),
        ) {
            (Ok(transaction), Ok(redirect_url)) => Ok(Self {
                transaction,
                redirect_url,
                answer,
            }),
            (Err(f), _) | (_, Err(f)) => Err((f, answer)),
        }
    }
}

/// A card registration opened on EPoint's hosted page ([`crate::Client::save_card`]): the card
/// is usable once the customer completes the page (a callback follows).
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// let page = client.save_card().await?;
/// println!("card {} pending, customer goes to {}", page.card_id, page.redirect_url);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CardPage {
    /// The id the card will have (`ce…`), usable after the customer completes the page.
    pub card_id: String,
    /// EPoint's hosted card page.
    pub redirect_url: String,
    /// The whole answer as EPoint sent it.
    pub answer: RedirectResponse,
}

impl Success<RedirectResponse> for CardPage {
    fn from_answer(answer: RedirectResponse) -> Result<Self, (&'static str, RedirectResponse)> {
        match (
            required(answer.card_id.as_ref(), "card_id"),
            required(answer.redirect_url.as_ref(), "redirect_url"),
        ) {
            (Ok(card_id), Ok(redirect_url)) => Ok(Self {
                card_id,
                redirect_url,
                answer,
            }),
            (Err(f), _) | (_, Err(f)) => Err((f, answer)),
        }
    }
}

/// A payment that also saves the card, on EPoint's hosted page
/// ([`crate::Client::pay_and_save_card`], [`crate::Client::split_pay_and_save_card`]).
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// let page = client.pay_and_save_card(epoint_az::dec!(5), "sub-1").await?;
/// println!("{} saves card {}", page.transaction, page.card_id);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PaymentAndCardPage {
    /// EPoint's transaction id (`te…`).
    pub transaction: String,
    /// The id the saved card will have (`ce…`).
    pub card_id: String,
    /// EPoint's hosted card page.
    pub redirect_url: String,
    /// The whole answer as EPoint sent it.
    pub answer: RedirectResponse,
}

impl Success<RedirectResponse> for PaymentAndCardPage {
    fn from_answer(answer: RedirectResponse) -> Result<Self, (&'static str, RedirectResponse)> {
        match (
            required(answer.transaction.as_ref(), "transaction"),
            required(answer.card_id.as_ref(), "card_id"),
            required(answer.redirect_url.as_ref(), "redirect_url"),
        ) {
            (Ok(transaction), Ok(card_id), Ok(redirect_url)) => Ok(Self {
                transaction,
                card_id,
                redirect_url,
                answer,
            }),
            (Err(f), _, _) | (_, Err(f), _) | (_, _, Err(f)) => Err((f, answer)),
        }
    }
}

/// A completed synchronous charge or payout ([`crate::Client::pay_with_saved_card`],
/// [`crate::Client::payout`], [`crate::Client::split_pay_with_saved_card`]): final, no callback.
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// let charge = client.pay_with_saved_card("ce1", epoint_az::dec!(9.99), "sub-2").await?;
/// println!("charged: {} (rrn {:?})", charge.transaction, charge.answer.rrn);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Charge {
    /// EPoint's transaction id of the charge or payout.
    pub transaction: String,
    /// The whole answer as EPoint sent it (`amount`, `rrn`, `card_mask`, bank fields…).
    pub answer: ChargeResponse,
}

impl Charge {
    /// The amount EPoint reports, when it sends one.
    ///
    /// ```
    /// # fn f(charge: epoint_az::Charge) { let _ = charge.amount(); }
    /// ```
    pub fn amount(&self) -> Option<rust_decimal::Decimal> {
        self.answer.amount.map(Money::amount)
    }
}

impl Success<ChargeResponse> for Charge {
    fn from_answer(answer: ChargeResponse) -> Result<Self, (&'static str, ChargeResponse)> {
        match required(answer.transaction.as_ref(), "transaction") {
            Ok(transaction) => Ok(Self {
                transaction,
                answer,
            }),
            Err(f) => Err((f, answer)),
        }
    }
}

/// An accepted refund ([`crate::Client::refund`]). Success guarantees nothing more than its
/// status; EPoint's `message` and (from some versions) `transaction` are in `answer`.
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// let refund = client.refund("te000000001").amount(epoint_az::dec!(10)).await?;
/// println!("refunded: {:?}", refund.answer.message);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Refund {
    /// The whole answer as EPoint sent it.
    pub answer: ReverseResponse,
}

impl Success<ReverseResponse> for Refund {
    fn from_answer(answer: ReverseResponse) -> Result<Self, (&'static str, ReverseResponse)> {
        Ok(Self { answer })
    }
}

/// A transaction's current state ([`crate::Client::get_transaction_status`]). Every payment
/// state is a successful answer, including a failed payment (`error`): read `status`.
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// let state = client.get_transaction_status("te000000001").await?;
/// if state.is_paid() { /* ship it */ }
/// println!("{} {:?}", state.status, state.bank_code().map(|c| c.meaning()));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TransactionStatus {
    /// The transaction's state (`new`, `success`, `returned`, `error`, or one EPoint adds).
    pub status: PaymentStatus,
    /// The whole answer as EPoint sent it (`code`, `rrn`, `card_mask`, `amount`…).
    pub answer: StatusResponse,
}

impl TransactionStatus {
    /// `status` is `success`.
    ///
    /// ```
    /// # fn f(s: epoint_az::TransactionStatus) { let _ = s.is_paid(); }
    /// ```
    pub fn is_paid(&self) -> bool {
        self.status == PaymentStatus::Success
    }

    /// The bank response code, with its meaning via [`BankCode::meaning`].
    ///
    /// ```
    /// # fn f(s: epoint_az::TransactionStatus) { let _ = s.bank_code(); }
    /// ```
    pub fn bank_code(&self) -> Option<BankCode> {
        self.answer.code.as_deref().map(BankCode::new)
    }
}

impl Success<StatusResponse> for TransactionStatus {
    fn from_answer(answer: StatusResponse) -> Result<Self, (&'static str, StatusResponse)> {
        Ok(Self {
            status: answer.status.clone(),
            answer,
        })
    }
}

/// The installment cards and month counts EPoint offers for an order
/// ([`crate::Client::installment_options`]). EPoint answers a JSON array on success.
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// let offer = client.installment_options("tv-1").amount(epoint_az::dec!(600)).await?;
/// for option in &offer.options {
///     println!("{:?}: {:?} months", option.name, option.installment_months);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct InstallmentOptions {
    /// The options, as EPoint sent them (unknown fields kept in each option's `extra`).
    pub options: Vec<crate::generated::types::InstallmentOption>,
}

impl Success<crate::generated::types::InstallmentOptionsResponse> for InstallmentOptions {
    fn from_answer(
        answer: crate::generated::types::InstallmentOptionsResponse,
    ) -> Result<
        Self,
        (
            &'static str,
            crate::generated::types::InstallmentOptionsResponse,
        ),
    > {
        use crate::generated::types::InstallmentOptionsResponse as R;
        match answer {
            R::OptionList(list) => Ok(Self { options: list.0 }),
            // An object that says `success` but carries no options.
            other @ R::Refusal(_) => Err(("installment options (a JSON array)", other)),
        }
    }
}

impl crate::operation::Answer for crate::generated::types::InstallmentOptionsResponse {
    fn status(&self) -> Option<&PaymentStatus> {
        match self {
            Self::OptionList(_) => None,
            Self::Refusal(refusal) => Some(&refusal.status),
        }
    }
    fn message(&self) -> Option<&str> {
        match self {
            Self::OptionList(_) => None,
            Self::Refusal(refusal) => refusal.message.as_deref(),
        }
    }
    fn transaction(&self) -> Option<&str> {
        None
    }
    fn code(&self) -> Option<&str> {
        None
    }
    fn trace_id(&self) -> Option<&str> {
        match self {
            Self::OptionList(_) => None,
            Self::Refusal(refusal) => refusal.trace_id.as_deref(),
        }
    }
}

use crate::generated::types::{
    CardStatusResponse, InvoiceCreateResponse, WalletStatusResponse, WidgetResponse,
};

/// One e-wallet the merchant can take payments from ([`crate::Client::wallets`]).
///
/// ```
/// let w = epoint_az::Wallet { id: "9".into(), name: "M10".into() };
/// assert_eq!(w.name, "M10");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Wallet {
    /// The id to pass to [`crate::Client::pay_with_wallet`] (seen: `8`, `9`, `10`).
    pub id: String,
    /// Its name (seen: `Portmanat`, `M10`, `BirBank`).
    pub name: String,
}

/// The wallets `/api/1/wallet/status` lists ([`crate::Client::wallets`]). The answer's shape is
/// uncertain, so both shapes in use are read: a bare map of id to name (the real output seen)
/// and a `wallets` field (an object of id to name, or an array of `{id, name}` objects). The
/// raw answer is kept in `answer`.
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// for wallet in client.wallets().await?.wallets {
///     println!("{} {}", wallet.id, wallet.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct WalletList {
    /// The wallets, by id as EPoint sent them (numeric ids in numeric order).
    pub wallets: Vec<Wallet>,
    /// The whole answer as EPoint sent it.
    pub answer: WalletStatusResponse,
}

fn json_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn wallets_of(value: &serde_json::Value) -> Vec<Wallet> {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .filter_map(|(id, name)| {
                let name = json_text(name).or_else(|| name.get("name").and_then(json_text))?;
                Some(Wallet {
                    id: id.clone(),
                    name,
                })
            })
            .collect(),
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(|item| {
                let id = item
                    .get("id")
                    .or_else(|| item.get("wallet_id"))
                    .and_then(json_text)?;
                let name = item
                    .get("name")
                    .or_else(|| item.get("title"))
                    .and_then(json_text)
                    .unwrap_or_default();
                Some(Wallet { id, name })
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl Success<WalletStatusResponse> for WalletList {
    fn from_answer(
        answer: WalletStatusResponse,
    ) -> Result<Self, (&'static str, WalletStatusResponse)> {
        let mut wallets = match &answer.wallets {
            Some(value) => wallets_of(value),
            None => wallets_of(&serde_json::Value::Object(
                answer
                    .extra
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )),
        };
        wallets.sort_by(|a, b| match (a.id.parse::<u64>(), b.id.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => a.id.cmp(&b.id),
        });
        Ok(Self { wallets, answer })
    }
}

/// A created invoice ([`crate::Client::create_invoice`]): its id, for
/// [`crate::Client::view_invoice`], [`crate::Client::update_invoice`] and the send methods.
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// use epoint_az::dec;
/// let invoice = client.create_invoice(dec!(150), "2026-12-01", "2026-12-31").await?;
/// let seen = client.view_invoice(invoice.id).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct InvoiceCreated {
    /// The invoice's id (EPoint sends a number; a numeric string is read too).
    pub id: u64,
    /// The whole answer as EPoint sent it.
    pub answer: InvoiceCreateResponse,
}

impl Success<InvoiceCreateResponse> for InvoiceCreated {
    fn from_answer(
        answer: InvoiceCreateResponse,
    ) -> Result<Self, (&'static str, InvoiceCreateResponse)> {
        let id = match &answer.id {
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        match id {
            Some(id) => Ok(Self { id, answer }),
            None => Err(("id", answer)),
        }
    }
}

/// A saved card's state, as `/api/1/get-status-card` reports it: an open set.
///
/// ```
/// use epoint_az::SavedCardState;
/// assert_eq!(SavedCardState::from("active"), SavedCardState::Active);
/// assert_eq!(SavedCardState::from("frozen"), SavedCardState::Other("frozen".into()));
/// assert_eq!(SavedCardState::SessionExpired.as_str(), "session_expired");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
#[non_exhaustive]
pub enum SavedCardState {
    /// Registered, nothing more yet.
    New,
    /// Usable.
    Active,
    /// The customer has not completed the card page yet.
    Pending,
    /// The registration failed.
    Rejected,
    /// The card has expired.
    Expired,
    /// The card page's session expired before the customer completed it.
    SessionExpired,
    /// A state EPoint added, kept as sent.
    Other(String),
}

impl SavedCardState {
    /// The wire name, e.g. `session_expired`.
    ///
    /// ```
    /// assert_eq!(epoint_az::SavedCardState::Pending.as_str(), "pending");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            Self::New => "new",
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
            Self::SessionExpired => "session_expired",
            Self::Other(s) => s,
        }
    }
}

impl From<&str> for SavedCardState {
    fn from(value: &str) -> Self {
        match value {
            "new" => Self::New,
            "active" => Self::Active,
            "pending" => Self::Pending,
            "rejected" => Self::Rejected,
            "expired" => Self::Expired,
            "session_expired" => Self::SessionExpired,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl From<SavedCardState> for String {
    fn from(state: SavedCardState) -> Self {
        state.as_str().to_owned()
    }
}

impl std::fmt::Display for SavedCardState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A saved card's state ([`crate::Client::get_card_status`]). Every card state is a successful
/// answer; only a rejected call (`error`, `server_error`) is an `Err`.
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// let card = client.get_card_status("ce000000001").await?;
/// if card.state == epoint_az::SavedCardState::Active { /* charge it */ }
/// println!("{:?}", card.answer.mask);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SavedCardStatus {
    /// The card's state (`status` of the answer).
    pub state: SavedCardState,
    /// The whole answer as EPoint sent it (`id`, `name`, `mask`, `expired_date`…).
    pub answer: CardStatusResponse,
}

impl SavedCardStatus {
    /// The card can be charged (or paid out to): its state is `active`.
    ///
    /// ```
    /// # fn f(s: epoint_az::SavedCardStatus) { let _ = s.is_active(); }
    /// ```
    pub fn is_active(&self) -> bool {
        self.state == SavedCardState::Active
    }
}

impl Success<CardStatusResponse> for SavedCardStatus {
    fn from_answer(answer: CardStatusResponse) -> Result<Self, (&'static str, CardStatusResponse)> {
        Ok(Self {
            state: SavedCardState::from(answer.status.as_str()),
            answer,
        })
    }
}

/// An Apple Pay / Google Pay widget ([`crate::Client::create_widget`]): open `widget_url` in an
/// iframe or web view; the result arrives as a callback.
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// use epoint_az::dec;
/// let widget = client.create_widget(dec!(2.50), "order-7", "Coffee").await?;
/// println!("<iframe src=\"{}\">", widget.widget_url);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Widget {
    /// The widget page.
    pub widget_url: String,
    /// The whole answer as EPoint sent it.
    pub answer: WidgetResponse,
}

impl Success<WidgetResponse> for Widget {
    fn from_answer(answer: WidgetResponse) -> Result<Self, (&'static str, WidgetResponse)> {
        match required(answer.widget_url.as_ref(), "widget_url") {
            Ok(widget_url) => Ok(Self { widget_url, answer }),
            Err(f) => Err((f, answer)),
        }
    }
}

/// A token payment created for Apple Pay / Google Pay ([`crate::Client::create_token_payment`]).
/// EPoint's success answer is the payment object itself, without `status`; success guarantees
/// its `id`, which the EPoint JS SDK and [`crate::Client::apple_pay`] /
/// [`crate::Client::google_pay`] take.
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// let payment = client
///     .create_token_payment(epoint_az::dec!(2.50), "order-7")
///     .description("Coffee")
///     .await?;
/// println!("initTokenPay({{payment: {{id: {}}}}})", payment.id);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TokenPayment {
    /// EPoint's id of the token payment.
    pub id: i64,
    /// The whole answer as EPoint sent it (`transaction`, `short_link`, `total`, …).
    pub answer: crate::generated::types::TokenPaymentResponse,
}

impl Success<crate::generated::types::TokenPaymentResponse> for TokenPayment {
    fn from_answer(
        answer: crate::generated::types::TokenPaymentResponse,
    ) -> Result<Self, (&'static str, crate::generated::types::TokenPaymentResponse)> {
        match answer.id {
            Some(id) => Ok(Self { id, answer }),
            None => Err(("id", answer)),
        }
    }
}

/// Apple's merchant session for the Apple Pay sheet ([`crate::Client::apple_pay_session`]):
/// return `session` to the browser unchanged (it is exactly the JSON EPoint sent).
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// let session = client.apple_pay_session("https://shop.example.com").await?;
/// let body = serde_json::to_string(&session.session).unwrap(); // the HTTP answer to the JS SDK
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ApplePayMerchantSession {
    /// The merchant session as raw JSON, every field kept.
    pub session: serde_json::Value,
    /// The same answer, with Apple's usual fields typed (`answer.extra` has the rest).
    pub answer: crate::generated::types::ApplePaySessionResponse,
}

impl Success<crate::generated::types::ApplePaySessionResponse> for ApplePayMerchantSession {
    fn from_answer(
        answer: crate::generated::types::ApplePaySessionResponse,
    ) -> Result<
        Self,
        (
            &'static str,
            crate::generated::types::ApplePaySessionResponse,
        ),
    > {
        match serde_json::to_value(&answer) {
            Ok(session @ serde_json::Value::Object(_)) => Ok(Self { session, answer }),
            _ => Err(("session", answer)),
        }
    }
}

/// A B2B bank transfer EPoint accepted ([`crate::Client::b2b_transfer`]). Accepted is not
/// settled: read [`crate::Client::b2b_transfer_status`] until `SUCCESS` or `FAILED`.
///
/// ```
/// # fn f(t: epoint_az::B2bTransfer) { println!("{} in bulk {:?}", t.order_id, t.bulk_id); }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct B2bTransfer {
    /// The transfer's `order_id`.
    pub order_id: String,
    /// EPoint's bulk id (`bulkId`), when sent.
    pub bulk_id: Option<String>,
    /// The whole answer as EPoint sent it.
    pub answer: crate::generated::types::B2bPaymentResponse,
}

/// The state of a B2B transfer, as `GET /api/1/b2b/payment/{order_id}` reports it.
///
/// ```
/// use epoint_az::B2bTransferState;
/// assert_eq!(B2bTransferState::from("SUCCESS"), B2bTransferState::Success);
/// assert!(B2bTransferState::from("failed").is_final());
/// assert_eq!(B2bTransferState::from("ON_HOLD"), B2bTransferState::Other("ON_HOLD".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum B2bTransferState {
    /// Accepted, not yet sent to the bank.
    Pending,
    /// Sent to the bank.
    Processing,
    /// Money delivered to the payee.
    Success,
    /// The transfer failed.
    Failed,
    /// A state this crate does not know, kept as sent.
    Other(String),
}

impl B2bTransferState {
    /// `SUCCESS` or `FAILED`: it will not change any more.
    ///
    /// ```
    /// assert!(!epoint_az::B2bTransferState::Pending.is_final());
    /// ```
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Success | Self::Failed)
    }
}

impl From<&str> for B2bTransferState {
    fn from(status: &str) -> Self {
        match status.to_ascii_uppercase().as_str() {
            "PENDING" => Self::Pending,
            "PROCESSING" => Self::Processing,
            "SUCCESS" => Self::Success,
            "FAILED" => Self::Failed,
            _ => Self::Other(status.to_owned()),
        }
    }
}

/// A B2B transfer's state read from EPoint ([`crate::Client::b2b_transfer_status`]).
///
/// ```
/// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
/// let state = client.b2b_transfer_status("b2b-1").await?;
/// if state.state == epoint_az::B2bTransferState::Success { /* mark the invoice paid */ }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct B2bTransferStatus {
    /// `status`, typed.
    pub state: B2bTransferState,
    /// The whole answer as EPoint sent it (`amount`, `payee_iban`, `webhook_sent`, …).
    pub answer: crate::generated::types::B2bPaymentStatusResponse,
}

/// What [`crate::Client::confirm_b2b_webhook`] found: the (UNSIGNED, untrusted) webhook and
/// the state read back from EPoint, which is the only part to act on.
///
/// ```
/// # async fn run(client: epoint_az::Client, body: bytes::Bytes) -> epoint_az::Result<()> {
/// let checked = client.confirm_b2b_webhook(&body).await?;
/// if checked.confirmed.state == epoint_az::B2bTransferState::Success { /* trust this */ }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct B2bWebhookCheck {
    /// The webhook as received: unsigned, so only a hint (its `order_id` was looked up).
    pub webhook: crate::generated::types::B2bWebhookPayload,
    /// The transfer's state as EPoint reports it now: trust this.
    pub confirmed: B2bTransferStatus,
    /// Whether the webhook's `status` agrees with EPoint's (`success` ↔ `SUCCESS`,
    /// `failed` ↔ `FAILED`). `false` means a forged, stale or garbled webhook.
    pub agrees: bool,
}
