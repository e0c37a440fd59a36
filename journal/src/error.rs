//! One error type for the journal and the inbox.

use crate::State;

/// Everything opening a journal, recording a call or storing a callback can fail with. Each
/// says what happened to the money: whether anything was sent.
///
/// ```
/// let e = epoint_az_journal::JournalError::Unkeyed;
/// assert!(e.to_string().contains("not stored"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// The journal URL is not one the crate opens (only `sqlite:` and `postgres://`).
    #[error(
        "the journal URL {url:?} is not understood: {reason}; use sqlite:FILE, sqlite::memory: or postgres://USER@HOST/DATABASE (nothing was sent)"
    )]
    BadUrl {
        /// The URL as given, with any password hidden.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The database could not be opened or reached.
    #[error("cannot open the journal database {url}: {reason} (nothing was sent)")]
    Unreachable {
        /// The URL, with any password hidden.
        url: String,
        /// The driver's reason.
        reason: String,
    },

    /// The database was set up by a newer version of this crate: its schema is not read.
    #[error(
        "the journal database {url} has schema version {found}, newer than version {supported} that epoint-az-journal {} understands; upgrade epoint-az-journal to use it (nothing was changed and nothing was sent)",
        env!("CARGO_PKG_VERSION")
    )]
    NewerSchema {
        /// The URL, with any password hidden.
        url: String,
        /// The version the database has.
        found: i64,
        /// The newest version this crate knows ([`crate::SCHEMA_VERSION`]).
        supported: i64,
    },

    /// A query failed. `action` says what was being done (and whether anything was sent).
    #[error("the journal could not {action}: {source}")]
    Database {
        /// What was being done, e.g. "record the intent (nothing was sent)".
        action: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },

    /// The order already has an intent that is in flight, unknown or done: a second one is
    /// refused by the store (on every replica), and nothing was sent.
    #[error(
        "order {order_id:?} already has a {operation} that is {state} in the journal{}; nothing was sent",
        transaction.as_ref().map(|t| format!(" (transaction {t})")).unwrap_or_default()
    )]
    OrderTaken {
        /// The order id.
        order_id: String,
        /// The operation of the intent that holds it.
        operation: String,
        /// Its state.
        state: State,
        /// Its transaction, when known.
        transaction: Option<String>,
    },

    /// The operation does not move money; the journal records only those that do.
    #[error(
        "{operation} does not move money; the journal records only money-moving calls (nothing was sent)"
    )]
    NotMoneyMoving {
        /// The operation's id.
        operation: &'static str,
    },

    /// The call has no `order_id`, the key the journal and the settle-window resolution use.
    #[error(
        "{operation} names no order_id, and the journal keys every payment by its order_id (nothing was sent)"
    )]
    NoOrderId {
        /// The operation's id.
        operation: &'static str,
    },

    /// The call's own arguments are invalid: nothing was recorded and nothing was sent.
    #[error("{0}")]
    Invalid(Box<epoint_az::Error>),

    /// The call was made and failed; its outcome is in the journal as `recorded`
    /// ([`State::Unknown`]: settle it with [`crate::Journal::resolve`] before paying again;
    /// [`State::Failed`]: definite, the order may be paid again).
    #[error("{error} (recorded in the journal as {recorded})")]
    Call {
        /// The client's error.
        error: Box<epoint_az::Error>,
        /// How the journal recorded the outcome.
        recorded: State,
    },

    /// A callback that names no transaction, card or order cannot be deduplicated.
    #[error(
        "the callback names no transaction, card or order, so it cannot be deduplicated; it was not stored"
    )]
    Unkeyed,
}

impl JournalError {
    /// The client's error, when the call itself failed ([`JournalError::Call`],
    /// [`JournalError::Invalid`]).
    ///
    /// ```
    /// let e = epoint_az_journal::JournalError::Unkeyed;
    /// assert!(e.call_error().is_none());
    /// ```
    pub fn call_error(&self) -> Option<&epoint_az::Error> {
        match self {
            Self::Call { error, .. } | Self::Invalid(error) => Some(error),
            _ => None,
        }
    }

    /// `true` when the call may have reached EPoint and its outcome is not known yet: do not
    /// pay the order again before [`crate::Journal::resolve`] has settled it.
    ///
    /// ```
    /// let e = epoint_az_journal::JournalError::Unkeyed;
    /// assert!(!e.is_unknown_outcome());
    /// ```
    pub fn is_unknown_outcome(&self) -> bool {
        matches!(
            self,
            Self::Call {
                recorded: State::Unknown,
                ..
            }
        )
    }

    pub(crate) fn db(action: &'static str) -> impl FnOnce(sqlx::Error) -> Self {
        move |source| Self::Database { action, source }
    }
}

/// An axum handler can return `Result<_, JournalError>` and use `?` (feature `axum`): a
/// database failure answers 503 (EPoint sends the callback again later), a taken order 409,
/// a failed call 502, anything else 400. The body is the error's sentence.
///
/// ```
/// use axum::response::IntoResponse;
/// assert_eq!(epoint_az_journal::JournalError::Unkeyed.into_response().status(), 400);
/// ```
#[cfg(feature = "axum")]
impl axum::response::IntoResponse for JournalError {
    fn into_response(self) -> axum::response::Response {
        use axum::http::StatusCode;
        let status = match &self {
            Self::Database { .. } | Self::Unreachable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::OrderTaken { .. } => StatusCode::CONFLICT,
            Self::Call { .. } => StatusCode::BAD_GATEWAY,
            _ => StatusCode::BAD_REQUEST,
        };
        tracing::warn!(target: "epoint_az_journal", error = %self, "journal error answered {status}");
        (status, self.to_string()).into_response()
    }
}
