//! Settling an unknown outcome: a money-moving call failed in transit after its request may
//! have reached EPoint ([`Error::Transport`] with [`Delivery::MaybeSent`]). EPoint may still
//! be processing it, so an order that is "not found" right away is not an answer; it is an
//! answer only once the settle window, counted from when the request was sent, has passed.

use std::{
    fmt,
    future::{Future, IntoFuture},
    pin::Pin,
    time::{Duration, SystemTime},
};

use crate::{
    Client, TransactionStatus,
    error::{Delivery, Error, Result},
    reconcile::Lookup,
};

/// How long after sending a request EPoint is assumed to have recorded it, if it received it:
/// 120 seconds.
///
/// EPoint publishes no such bound (nor any idempotency promise for a repeated `order_id`), so
/// this is a chosen margin, not a documented fact: the client's own default timeout (30 s,
/// as in every peer client) plus the longest time a card authorisation is commonly allowed
/// upstream (60 s), rounded up. Waiting longer costs a slower "never arrived" verdict in a
/// rare incident; waiting too little costs a second payment. Set it with
/// [`crate::Config::settle_window`], or per call with [`Resolve::settle_window`].
///
/// ```
/// assert_eq!(epoint_az::DEFAULT_SETTLE_WINDOW.as_secs(), 120);
/// ```
pub const DEFAULT_SETTLE_WINDOW: Duration = Duration::from_secs(120);

/// The first pause between two lookups; it doubles up to [`MAX_POLL_INTERVAL`].
const FIRST_POLL_INTERVAL: Duration = Duration::from_millis(250);
/// The longest pause between two lookups.
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// What EPoint knows about an order whose outcome was unknown.
///
/// ```
/// # fn f(resolution: epoint_az::Resolution) {
/// use epoint_az::Resolution;
/// match resolution {
///     Resolution::Found(state) => println!("EPoint has it: {}", state.status),
///     Resolution::NeverArrived { .. } => println!("not found after the window: safe to pay again"),
///     Resolution::StillUnknown { error, .. } => println!("lookups fail ({error}); try later"),
///     _ => {}
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Resolution {
    /// EPoint knows the order: its latest transaction and that transaction's state (the
    /// payment may still be `new`, a page the customer has not paid yet).
    Found(Box<TransactionStatus>),
    /// EPoint still did not know the order once the settle window had passed: the request
    /// never arrived. Paying again (under the same or a new order id) cannot double-charge.
    NeverArrived {
        /// EPoint's "not found" message, from the last lookup.
        message: String,
        /// How many lookups were made.
        lookups: u32,
    },
    /// The lookups themselves failed (EPoint unreachable, refused, …) up to the end of the
    /// window: nothing is settled. Do not pay again; resolve later.
    StillUnknown {
        /// The last lookup's error.
        error: Error,
        /// How many lookups were made.
        lookups: u32,
    },
}

impl Resolution {
    /// `true` only for [`Resolution::NeverArrived`]: the one outcome after which the order
    /// may be paid again.
    ///
    /// ```
    /// let r = epoint_az::Resolution::NeverArrived { message: "Order not found".into(), lookups: 3 };
    /// assert!(r.is_safe_to_retry());
    /// ```
    pub fn is_safe_to_retry(&self) -> bool {
        matches!(self, Self::NeverArrived { .. })
    }
}

/// A prepared resolution of one order (see [`Client::resolve_order`]); `.await` it.
#[must_use = "a Resolve does nothing until it is awaited"]
pub struct Resolve<'c> {
    client: &'c Client,
    order_id: String,
    sent_at: SystemTime,
    window: Duration,
}

impl fmt::Debug for Resolve<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolve")
            .field("order_id", &self.order_id)
            .field("sent_at", &self.sent_at)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl Resolve<'_> {
    /// When the request whose outcome is unknown was sent (default: now, which waits the
    /// whole window). [`Error::sent_at`] has it for a failed call.
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let resolve = client.resolve_order("order-1").sent_at(std::time::SystemTime::now());
    /// ```
    pub fn sent_at(mut self, sent_at: SystemTime) -> Self {
        self.sent_at = sent_at;
        self
    }

    /// The settle window for this resolution (default: the config's,
    /// [`DEFAULT_SETTLE_WINDOW`] unless set).
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let resolve = client.resolve_order("order-1").settle_window(std::time::Duration::from_secs(300));
    /// ```
    pub fn settle_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Looks the order up until EPoint knows it, or until the window (from `sent_at`) has
    /// passed, with pauses from 250 ms doubling to 5 s. Fails only on an invalid order id
    /// (nothing sent); every lookup outcome is a [`Resolution`].
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let resolution = client.resolve_order("order-1").send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Resolution> {
        // Invalid order ids fail here, before any request.
        self.client
            .get_order_status(self.order_id.as_str())
            .preview()?;
        let deadline = self.sent_at + self.window;
        let mut pause = FIRST_POLL_INTERVAL;
        let mut lookups = 0u32;
        loop {
            let started = SystemTime::now();
            lookups += 1;
            let lookup =
                Lookup::from_result(self.client.get_order_status(self.order_id.as_str()).await);
            // A lookup that began after the deadline is the last word.
            let settled = started >= deadline;
            match lookup {
                Lookup::Found(state) => return Ok(Resolution::Found(state)),
                Lookup::NotFound { message } if settled => {
                    return Ok(Resolution::NeverArrived { message, lookups });
                }
                Lookup::Failed(error) if settled => {
                    return Ok(Resolution::StillUnknown { error, lookups });
                }
                _ => {}
            }
            let left = deadline
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO);
            tracing::debug!(target: "epoint_az", order_id = %self.order_id, lookups, left_ms = left.as_millis() as u64, "order not settled yet");
            // Sleep to the next lookup, or to just past the deadline for the last one.
            tokio::time::sleep(pause.min(left + Duration::from_millis(1))).await;
            pause = (pause * 2).min(MAX_POLL_INTERVAL);
        }
    }
}

impl<'c> IntoFuture for Resolve<'c> {
    type Output = Result<Resolution>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl Client {
    /// **Settles an unknown outcome** by `order_id`: looks the order up
    /// ([`Client::get_order_status`]) until EPoint knows it, or until the settle window
    /// ([`DEFAULT_SETTLE_WINDOW`], counted from [`Resolve::sent_at`]) has passed. A request
    /// that timed out may still be processed by EPoint after the client gave up, so "not
    /// found" right away does not mean "never arrived"; only
    /// [`Resolution::NeverArrived`] does. Read-only.
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let resolve = client.resolve_order("order-1001").settle_window(std::time::Duration::from_secs(60));
    /// ```
    pub fn resolve_order(&self, order_id: impl Into<String>) -> Resolve<'_> {
        Resolve {
            client: self,
            order_id: order_id.into(),
            sent_at: SystemTime::now(),
            window: self.config.settle_window,
        }
    }

    /// **Settles the outcome of a failed call**: for an error that may have reached EPoint and
    /// names its `order_id` ([`Error::Transport`] with [`Delivery::MaybeSent`]),
    /// [`Client::resolve_order`] with the error's `sent_at`; `None` for any other error (an
    /// answered error is already an outcome; a call with no order id is looked up by other
    /// means, e.g. its card's or transaction's status).
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::{Resolution, dec};
    /// match client.pay(dec!(12.00), "order-1001").await {
    ///     Ok(page) => println!("send the customer to {}", page.redirect_url),
    ///     Err(e) => match client.resolve(&e) {
    ///         Some(resolve) => match resolve.await? {
    ///             Resolution::Found(state) => println!("it arrived: {}", state.status),
    ///             Resolution::NeverArrived { .. } => println!("it never arrived: pay again"),
    ///             other => println!("still unknown, do not pay again: {other:?}"),
    ///         },
    ///         None => return Err(e),
    ///     },
    /// }
    /// # Ok(()) }
    /// ```
    pub fn resolve(&self, error: &Error) -> Option<Resolve<'_>> {
        match error {
            Error::Transport {
                delivery: Delivery::MaybeSent,
                order_id: Some(order_id),
                sent_at,
                ..
            } => Some(self.resolve_order(order_id.as_str()).sent_at(*sent_at)),
            _ => None,
        }
    }
}
