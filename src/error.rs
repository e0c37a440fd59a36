//! One error type for every call: what went wrong, and whether money may have moved.

use std::{fmt, time::SystemTime};

use crate::{BankCode, PaymentStatus};

/// Whether a failed request may have reached EPoint.
///
/// A request that [`Delivery::MaybeSent`] must not be repeated blindly if it moves money:
/// check [`crate::Client::get_transaction_status`] (or your `order_id`) first.
///
/// ```
/// assert_eq!(epoint_az::Delivery::NotSent.to_string(), "the request was not sent");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The connection was never made: EPoint did not see the request.
    NotSent,
    /// The request was (or may have been) sent; its outcome is unknown.
    MaybeSent,
}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotSent => "the request was not sent",
            Self::MaybeSent => "the request may have reached EPoint",
        })
    }
}

/// Everything a call to EPoint can fail with.
///
/// ```
/// # async fn run(client: epoint_az::Client) {
/// match client.pay(rust_decimal::Decimal::new(3075, 2), "order-1").await {
///     Ok(payment) => println!("send the customer to {}", payment.redirect_url),
///     Err(epoint_az::Error::Declined { code, .. }) => println!("declined: {code:?}"),
///     Err(e) if e.may_have_reached_epoint() => println!("unknown outcome, reconcile: {e}"),
///     Err(e) => println!("failed, nothing happened: {e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument is invalid; nothing was sent.
    #[error("invalid `{field}`: {reason} (nothing was sent)")]
    InvalidInput {
        /// The payload field (or argument) at fault.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// EPoint refused the request itself (`server_error`, or `error` about the request):
    /// e.g. "Signature did not match", "Merchant not found". Nothing was charged.
    #[error("EPoint rejected the request (status `{status}`): {message}")]
    Rejected {
        /// The answer's `status`.
        status: PaymentStatus,
        /// EPoint's `message` (empty if it sent none).
        message: String,
        /// The whole answer as EPoint sent it.
        response: Box<serde_json::Value>,
    },

    /// The bank declined the payment, charge or payout.
    #[error("declined by the bank: {} (status `{status}`{})", code.as_ref().map_or_else(|| "no bank code".to_owned(), ToString::to_string), transaction.as_ref().map(|t| format!(", transaction {t}")).unwrap_or_default())]
    Declined {
        /// The answer's `status` (`failed` or `error`).
        status: PaymentStatus,
        /// The bank response code, with its meaning via [`BankCode::meaning`].
        code: Option<BankCode>,
        /// EPoint's `message`.
        message: Option<String>,
        /// EPoint's transaction id, when it created one.
        transaction: Option<String>,
        /// The whole answer as EPoint sent it.
        response: Box<serde_json::Value>,
    },

    /// EPoint answered with a `status` this operation does not define; the answer is kept.
    #[error(
        "EPoint answered with unexpected status `{status}`; the outcome is unknown, check the transaction status"
    )]
    UnexpectedStatus {
        /// The status received.
        status: PaymentStatus,
        /// The whole answer as EPoint sent it.
        response: Box<serde_json::Value>,
    },

    /// EPoint said `success` but left out a field success guarantees (e.g. a payment page
    /// without `redirect_url`); the answer is kept. The request reached EPoint.
    #[error(
        "EPoint's success answer lacks `{missing}`; the request reached EPoint, check the transaction status"
    )]
    IncompleteAnswer {
        /// The guaranteed field that is missing or empty.
        missing: &'static str,
        /// The whole answer as EPoint sent it.
        response: Box<serde_json::Value>,
    },

    /// EPoint's answer is about something other than what was asked (e.g. a B2B status read
    /// whose `order_id` is another transfer's); it is not used. The answer is kept.
    #[error(
        "EPoint's answer names {field} {}, not the {asked:?} asked about; it was not used (the request reached EPoint)",
        answered.as_ref().map_or_else(|| "nothing".to_owned(), |a| format!("{a:?}"))
    )]
    AnswerMismatch {
        /// The field that must match.
        field: &'static str,
        /// The value asked about.
        asked: String,
        /// The value EPoint answered with (`None`: it named none).
        answered: Option<String>,
        /// The whole answer as EPoint sent it.
        response: Box<serde_json::Value>,
    },

    /// The HTTP exchange failed (connect, TLS, timeout, connection dropped, truncated body).
    /// After [`Delivery::MaybeSent`], settle the outcome with [`crate::Client::resolve`] (by
    /// `order_id`, waiting out the settle window from `sent_at`) before trying again.
    ///
    /// The message begins with what happened in plain words ("timed out …", "connection
    /// refused …", "could not connect …"), since reqwest's own text reads the same for all of
    /// them; its detail follows, and [`std::error::Error::source`] has the whole chain.
    #[error("{}, {delivery}{}: {source}", what_failed(source), order_id.as_ref().map(|o| format!(" (order_id {o})")).unwrap_or_default())]
    Transport {
        /// Whether the request may have reached EPoint.
        delivery: Delivery,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
        /// The call's `order_id`, when its payload has one: the key that resolves the outcome.
        order_id: Option<String>,
        /// When the request was sent (its last attempt began): EPoint may still be processing
        /// it after the client gave up, so the settle window counts from here.
        sent_at: SystemTime,
    },

    /// EPoint (or a proxy in front of it) answered with a non-200 HTTP status.
    #[error("EPoint answered HTTP {status}; the request may have reached EPoint; body: {body}")]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The response body (lossy UTF-8).
        body: String,
    },

    /// The answer is not the JSON this operation returns.
    #[error(
        "EPoint's answer is not valid JSON for this operation ({source}); the request reached EPoint; body: {}",
        String::from_utf8_lossy(body)
    )]
    Decode {
        /// The raw response body.
        body: bytes::Bytes,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// `true` when EPoint may have received the request, so a money-moving call must not be
    /// repeated without checking its status first.
    ///
    /// ```
    /// let e = epoint_az::Error::InvalidInput { field: "amount", reason: "must be greater than zero".into() };
    /// assert!(!e.may_have_reached_epoint());
    /// ```
    pub fn may_have_reached_epoint(&self) -> bool {
        match self {
            Self::InvalidInput { .. } => false,
            Self::Transport { delivery, .. } => *delivery == Delivery::MaybeSent,
            _ => true,
        }
    }

    /// The `order_id` of the call that failed in transit ([`Error::Transport`]), the key to
    /// look its outcome up with [`crate::Client::get_order_status`].
    ///
    /// ```
    /// let e = epoint_az::Error::InvalidInput { field: "amount", reason: "x".into() };
    /// assert_eq!(e.order_id(), None);
    /// ```
    pub fn order_id(&self) -> Option<&str> {
        match self {
            Self::Transport { order_id, .. } => order_id.as_deref(),
            _ => None,
        }
    }

    /// When the request that failed in transit was sent ([`Error::Transport`]): the start of
    /// the settle window of [`crate::Client::resolve`].
    ///
    /// ```
    /// let e = epoint_az::Error::InvalidInput { field: "amount", reason: "x".into() };
    /// assert_eq!(e.sent_at(), None);
    /// ```
    pub fn sent_at(&self) -> Option<SystemTime> {
        match self {
            Self::Transport { sent_at, .. } => Some(*sent_at),
            _ => None,
        }
    }

    /// The one rule for a failed HTTP exchange: a connection that was never made (or a
    /// request that could not be built) did not reach EPoint; anything later (TLS, a timeout,
    /// a dropped connection, a truncated answer) may have.
    pub(crate) fn transport(source: reqwest::Error, sent_at: SystemTime) -> Self {
        let delivery = if source.is_connect() || source.is_builder() {
            Delivery::NotSent
        } else {
            Delivery::MaybeSent
        };
        Self::Transport {
            delivery,
            source,
            order_id: None,
            sent_at,
        }
    }

    /// Records the call's `order_id` on a transport error (see [`Error::order_id`]).
    pub(crate) fn with_order_id(mut self, payload: &impl serde::Serialize) -> Self {
        if let Self::Transport { order_id, .. } = &mut self
            && order_id.is_none()
        {
            *order_id = serde_json::to_value(payload).ok().and_then(|v| {
                v.get("order_id")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
            });
        }
        self
    }

    /// A short text to show the customer, in `language`: for a decline with a known bank code,
    /// its meaning (EPoint publishes those in English only, so [`crate::Localized::language`]
    /// may be `En`); otherwise EPoint's own text for a failed payment ("An error occurred during
    /// payment", "Ödəniş zamanı xəta baş verdi", "Во время платежа возникла ошибка"). Never
    /// EPoint's raw message or any detail of the request.
    ///
    /// ```
    /// use epoint_az::{Error, Language};
    /// let e = Error::InvalidInput { field: "amount", reason: "x".into() };
    /// assert_eq!(e.customer_message(Language::Az).text, "Ödəniş zamanı xəta baş verdi");
    /// assert_eq!(e.customer_message(Language::Ru).text, "Во время платежа возникла ошибка");
    /// ```
    pub fn customer_message(&self, language: crate::Language) -> crate::Localized {
        self.bank_code()
            .filter(|code| !code.is_approved())
            .and_then(|code| code.meaning_in(language))
            .unwrap_or_else(|| crate::texts::payment_error(language))
    }

    /// What the shop should do after a decline: the advice of its bank code
    /// ([`BankCode::advice`]); `None` for other errors and declines without a code. What the
    /// customer reads stays [`Error::customer_message`].
    ///
    /// ```
    /// use epoint_az::{Advice, BankCode, Error, PaymentStatus};
    /// let e = Error::Declined {
    ///     status: PaymentStatus::Failed,
    ///     code: Some(BankCode::new("116")),
    ///     message: None,
    ///     transaction: None,
    ///     response: Box::new(serde_json::json!({"status": "failed", "code": "116"})),
    /// };
    /// assert_eq!(e.advice(), Some(Advice::UseAnotherCard));
    /// ```
    pub fn advice(&self) -> Option<crate::Advice> {
        self.bank_code().and_then(BankCode::advice)
    }

    /// EPoint's `trace_id` for the request, from the answer the error keeps ([`Error::Rejected`],
    /// [`Error::Declined`], [`Error::UnexpectedStatus`], [`Error::IncompleteAnswer`],
    /// [`Error::AnswerMismatch`]); `None` when the answer has none (older API versions) or no
    /// answer was kept. Quote it in a support ticket. The `X-Request-ID` header, when EPoint
    /// sends one, comes with every outcome from [`crate::Call::send_traced`] and is on the
    /// `"EPoint call finished"` tracing event (`request_id`).
    ///
    /// ```
    /// use epoint_az::{Error, PaymentStatus};
    /// let e = Error::Rejected {
    ///     status: PaymentStatus::ServerError,
    ///     message: "Signature did not match".into(),
    ///     response: Box::new(serde_json::json!({"status": "server_error", "trace_id": "4bf92f35"})),
    /// };
    /// assert_eq!(e.trace_id(), Some("4bf92f35"));
    /// ```
    pub fn trace_id(&self) -> Option<&str> {
        match self {
            Self::Rejected { response, .. }
            | Self::Declined { response, .. }
            | Self::UnexpectedStatus { response, .. }
            | Self::IncompleteAnswer { response, .. }
            | Self::AnswerMismatch { response, .. } => response
                .get("trace_id")
                .and_then(serde_json::Value::as_str)
                .filter(|id| !id.is_empty()),
            _ => None,
        }
    }

    /// The bank response code, for declines.
    ///
    /// ```
    /// let e = epoint_az::Error::InvalidInput { field: "amount", reason: "x".into() };
    /// assert!(e.bank_code().is_none());
    /// ```
    pub fn bank_code(&self) -> Option<&BankCode> {
        match self {
            Self::Declined { code, .. } => code.as_ref(),
            _ => None,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl fmt::Display) -> Self {
        Self::InvalidInput {
            field,
            reason: reason.to_string(),
        }
    }
}

/// The first words of a transport error's message: a timeout, a refused connection and a
/// dropped one all read "error sending request for url (…)" in reqwest's own text.
fn what_failed(error: &reqwest::Error) -> &'static str {
    let io_kind = io_error_kind(error);
    if error.is_timeout() {
        if error.is_connect() {
            "timed out connecting to EPoint"
        } else {
            "timed out before EPoint answered"
        }
    } else if io_kind == Some(std::io::ErrorKind::ConnectionRefused) {
        "connection refused (nothing accepts connections at that address)"
    } else if error.is_connect() {
        "could not connect to EPoint"
    } else if matches!(
        io_kind,
        Some(
            std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof
        )
    ) {
        "the connection was closed before EPoint answered"
    } else {
        "transport error"
    }
}

/// The kind of the first `std::io::Error` in an error's source chain.
fn io_error_kind(error: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cause = error.source();
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cause = c.source();
    }
    None
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
