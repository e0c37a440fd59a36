//! Reconciliation: look many orders up by `order_id`, a few at a time, and say for each what
//! EPoint knows: found (with its status), not found, or the lookup failed. The stream a service
//! runs from its own scheduler (a nightly job, after an incident), and what
//! `epoint reconcile` prints as CSV.
//!
//! ```no_run
//! # async fn run(client: epoint_az::Client) {
//! use epoint_az::reconcile::{Lookup, StreamExt, reconcile};
//!
//! let orders = vec!["order-1001".to_owned(), "order-1002".to_owned()];
//! let mut results = std::pin::pin!(reconcile(&client, orders, 4));
//! while let Some(row) = results.next().await {
//!     match &row.lookup {
//!         Lookup::Found(state) => println!("{}: {}", row.order_id, state.status),
//!         Lookup::NotFound { .. } => println!("{}: EPoint has no such order", row.order_id),
//!         Lookup::Failed(e) => eprintln!("{}: lookup failed: {e}", row.order_id),
//!         // `Lookup` is non-exhaustive: a later version may say more.
//!         other => eprintln!("{}: {other:?}", row.order_id),
//!     }
//! }
//! # }
//! ```

use futures_util::stream;
/// The stream traits [`reconcile`] needs (`.next()`, `.collect()`), so that no other crate is
/// needed to read it.
pub use futures_util::{Stream, StreamExt};

use crate::{Client, Error, TransactionStatus};

/// How many lookups run at once when the caller has no opinion: gentle on EPoint.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// One order, looked up.
#[derive(Debug)]
#[non_exhaustive]
pub struct Reconciled {
    /// The order id as given.
    pub order_id: String,
    /// What EPoint said.
    pub lookup: Lookup,
}

/// What EPoint said about one order.
#[derive(Debug)]
#[non_exhaustive]
pub enum Lookup {
    /// EPoint knows the order: its latest transaction and that transaction's state.
    Found(Box<TransactionStatus>),
    /// EPoint refused the lookup saying the order is not found. EPoint documents no answer
    /// for an unknown order; a refusal ([`Error::Rejected`]) whose message says "not found"
    /// (English, Azerbaijani `tapılmadı` or Russian `не найден`) is read as this.
    NotFound {
        /// EPoint's message.
        message: String,
    },
    /// The lookup failed (network, another refusal, an invalid order id): the outcome is
    /// still unknown; look again later.
    Failed(Error),
}

impl Lookup {
    /// Reads a status lookup's result.
    ///
    /// ```
    /// use epoint_az::{Error, PaymentStatus, reconcile::Lookup};
    /// let refused = Error::Rejected {
    ///     status: PaymentStatus::Error,
    ///     message: "Order not found".into(),
    ///     response: Box::new(serde_json::json!({"status": "error", "message": "Order not found"})),
    /// };
    /// assert!(matches!(Lookup::from_result(Err(refused)), Lookup::NotFound { .. }));
    /// ```
    pub fn from_result(result: Result<TransactionStatus, Error>) -> Self {
        match result {
            Ok(state) => Self::Found(Box::new(state)),
            Err(Error::Rejected { message, .. }) if says_not_found(&message) => {
                Self::NotFound { message }
            }
            Err(e) => Self::Failed(e),
        }
    }

    /// `true` unless the lookup failed (found or not found: EPoint answered the question).
    ///
    /// ```
    /// use epoint_az::reconcile::Lookup;
    /// assert!(Lookup::NotFound { message: "Order not found".into() }.is_answered());
    /// ```
    pub fn is_answered(&self) -> bool {
        !matches!(self, Self::Failed(_))
    }
}

fn says_not_found(message: &str) -> bool {
    let message = message.to_lowercase();
    ["not found", "tapılmadı", "не найден"]
        .iter()
        .any(|m| message.contains(m))
}

/// Looks each order up with [`Client::get_order_status`], at most `concurrency` at a time
/// (at least 1), and yields one [`Reconciled`] per order, in the order given: no order is
/// dropped, a failed lookup is a row too. Read-only; each lookup is retried like every
/// status query ([`crate::Config::status_retries`]).
///
/// ```no_run
/// # async fn run(client: epoint_az::Client) {
/// use epoint_az::reconcile::StreamExt;
/// let rows: Vec<_> = epoint_az::reconcile::reconcile(&client, ["o-1".to_owned()], 2)
///     .collect()
///     .await;
/// assert_eq!(rows.len(), 1);
/// # }
/// ```
pub fn reconcile<'c, I>(
    client: &'c Client,
    order_ids: I,
    concurrency: usize,
) -> impl Stream<Item = Reconciled> + 'c
where
    I: IntoIterator<Item = String>,
    I::IntoIter: 'c,
{
    stream::iter(order_ids)
        .map(move |order_id| async move {
            let lookup = Lookup::from_result(client.get_order_status(order_id.as_str()).await);
            Reconciled { order_id, lookup }
        })
        .buffered(concurrency.max(1))
}
