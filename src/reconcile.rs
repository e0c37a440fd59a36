//! Reconciliation: look many orders up by `order_id`, a few at a time, and say for each what
//! EPoint knows: found (with its status), not found, or the lookup failed. The stream a service
//! runs from its own scheduler (a nightly job, after an incident), and what
//! `epoint reconcile` prints as CSV. [`OrderList`] reads the order ids from a file (a plain
//! list, or a spreadsheet's CSV export) with every line accounted for.
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
//!         Lookup::Unreachable { .. } => eprintln!("{}: not looked up, EPoint unreachable", row.order_id),
//!         // `Lookup` is non-exhaustive: a later version may say more.
//!         other => eprintln!("{}: {other:?}", row.order_id),
//!     }
//! }
//! # }
//! ```

mod input;

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use futures_util::stream;
/// The stream traits [`reconcile`] needs (`.next()`, `.collect()`), so that no other crate is
/// needed to read it.
pub use futures_util::{Stream, StreamExt};

pub use input::{InputFormat, InputRefused, OrderLine, OrderList, UnreadableLine};

use crate::{Client, Delivery, Error, TransactionStatus};

/// How many lookups run at once when the caller has no opinion: gentle on EPoint.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// After this many lookups in a row that could not connect to EPoint
/// ([`Delivery::NotSent`], each already retried per [`crate::Config::status_retries`]), the
/// rest are not looked up ([`Lookup::Unreachable`]).
///
/// Twenty is five rounds at the default concurrency, sixty refused connections counting the
/// retries: far more than a gateway that drops the odd connection while it restarts, and
/// reached in a second or two against a dead one (where 5 000 orders would otherwise take
/// minutes of retries to learn nothing).
pub const DEFAULT_UNREACHABLE_AFTER: usize = 20;

/// How [`reconcile_with`] runs: how many lookups at once, and when to stop trying an
/// unreachable gateway.
///
/// ```
/// use epoint_az::reconcile::Options;
/// let options = Options::default().concurrency(8).unreachable_after(50);
/// assert_eq!((options.get_concurrency(), options.get_unreachable_after()), (8, 50));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    concurrency: usize,
    unreachable_after: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            unreachable_after: DEFAULT_UNREACHABLE_AFTER,
        }
    }
}

impl Options {
    /// At most this many lookups at once (at least 1; default [`DEFAULT_CONCURRENCY`]).
    ///
    /// ```
    /// assert_eq!(epoint_az::reconcile::Options::default().concurrency(0).get_concurrency(), 1);
    /// ```
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Stop looking up after this many lookups in a row (in input order) failed without
    /// reaching EPoint ([`Delivery::NotSent`]: connection refused, no route, DNS); every
    /// order after that is still yielded, as [`Lookup::Unreachable`]. Any other answer or
    /// failure starts the count again; an invalid order id (nothing sent) neither counts nor
    /// resets it. `0` never stops. Default [`DEFAULT_UNREACHABLE_AFTER`].
    ///
    /// ```
    /// assert_eq!(epoint_az::reconcile::Options::default().unreachable_after(0).get_unreachable_after(), 0);
    /// ```
    pub fn unreachable_after(mut self, lookups: usize) -> Self {
        self.unreachable_after = lookups;
        self
    }

    /// See [`Options::concurrency`].
    ///
    /// ```
    /// assert_eq!(epoint_az::reconcile::Options::default().get_concurrency(), 4);
    /// ```
    pub fn get_concurrency(&self) -> usize {
        self.concurrency
    }

    /// See [`Options::unreachable_after`].
    ///
    /// ```
    /// assert_eq!(epoint_az::reconcile::Options::default().get_unreachable_after(), 20);
    /// ```
    pub fn get_unreachable_after(&self) -> usize {
        self.unreachable_after
    }
}

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
    /// Not looked up, nothing sent: the `after` lookups before it in a row could not connect
    /// to EPoint ([`Options::unreachable_after`]). The outcome is unknown; look again once
    /// EPoint is reachable.
    Unreachable {
        /// How many lookups in a row failed to connect before the run stopped trying.
        after: usize,
    },
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

    /// `true` when EPoint answered the question (found or not found); `false` when the
    /// lookup failed or was not made.
    ///
    /// ```
    /// use epoint_az::reconcile::Lookup;
    /// assert!(Lookup::NotFound { message: "Order not found".into() }.is_answered());
    /// assert!(!Lookup::Unreachable { after: 20 }.is_answered());
    /// ```
    pub fn is_answered(&self) -> bool {
        matches!(self, Self::Found(_) | Self::NotFound { .. })
    }

    /// `true` for a lookup that failed without reaching EPoint ([`Delivery::NotSent`]): what
    /// [`Options::unreachable_after`] counts.
    ///
    /// ```
    /// use epoint_az::reconcile::Lookup;
    /// assert!(!Lookup::Unreachable { after: 20 }.is_not_sent());
    /// ```
    pub fn is_not_sent(&self) -> bool {
        matches!(
            self,
            Self::Failed(Error::Transport {
                delivery: Delivery::NotSent,
                ..
            })
        )
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
/// status query ([`crate::Config::status_retries`]). Stops looking up after
/// [`DEFAULT_UNREACHABLE_AFTER`] lookups in a row could not connect (the rest are yielded as
/// [`Lookup::Unreachable`]); [`reconcile_with`] chooses.
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
    reconcile_with(
        client,
        order_ids,
        Options::default().concurrency(concurrency),
    )
}

/// [`reconcile`] with [`Options`]: how many lookups at once, and after how many lookups in a
/// row that could not connect to stop trying. Every order is still yielded, in the order
/// given: the ones after the stop as [`Lookup::Unreachable`] (nothing sent for them). The
/// lookups already under way when the run stops (fewer than the concurrency) finish and
/// report what they found.
///
/// A nightly job that must not spend the night retrying a dead gateway:
///
/// ```no_run
/// # async fn run(client: epoint_az::Client, ids: Vec<String>) {
/// use epoint_az::reconcile::{Lookup, Options, StreamExt, reconcile_with};
///
/// let options = Options::default().concurrency(8).unreachable_after(20);
/// let mut rows = std::pin::pin!(reconcile_with(&client, ids, options));
/// let mut look_again = Vec::new();
/// while let Some(row) = rows.next().await {
///     if let Lookup::Unreachable { after } = row.lookup {
///         eprintln!("{after} lookups in a row could not reach EPoint; {} not looked up", row.order_id);
///     }
///     if !row.lookup.is_answered() {
///         look_again.push(row.order_id);
///     }
/// }
/// # }
/// ```
pub fn reconcile_with<'c, I>(
    client: &'c Client,
    order_ids: I,
    options: Options,
) -> impl Stream<Item = Reconciled> + 'c
where
    I: IntoIterator<Item = String>,
    I::IntoIter: 'c,
{
    let stopped = Arc::new(AtomicBool::new(false));
    let unreachable_after = options.unreachable_after;
    let started = Arc::clone(&stopped);
    stream::iter(order_ids)
        .map(move |order_id| {
            let stopped = Arc::clone(&started);
            async move {
                // Checked when the lookup starts: the ones not yet started are never sent.
                let lookup = if stopped.load(Ordering::Relaxed) {
                    Lookup::Unreachable {
                        after: unreachable_after,
                    }
                } else {
                    Lookup::from_result(client.get_order_status(order_id.as_str()).await)
                };
                Reconciled { order_id, lookup }
            }
        })
        .buffered(options.concurrency.max(1))
        .scan(0usize, move |run, row| {
            // Counted in input order, as the rows are yielded.
            match &row.lookup {
                lookup if lookup.is_not_sent() => *run += 1,
                Lookup::Failed(Error::InvalidInput { .. }) | Lookup::Unreachable { .. } => {}
                _ => *run = 0,
            }
            if unreachable_after > 0 && *run >= unreachable_after {
                stopped.store(true, Ordering::Relaxed);
            }
            std::future::ready(Some(row))
        })
}
