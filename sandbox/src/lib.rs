//! An in-process EPoint simulator, for your tests and for manual testing without keys.
//!
//! [`Sandbox`] serves every operation of `openapi/epoint.yaml` over real HTTP on a loopback
//! port, keeps transactions and saved cards like the real gateway, serves a **hosted payment
//! page** with a card form, POSTs **signed callbacks** to the merchant's result URL, can
//! **inject faults** (latency, HTTP 5xx, non-JSON answers, truncated bodies, dropped
//! connections) and records everything it received for **inspection**.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use epoint_az_sandbox::{Outcome, Sandbox};
//! use rust_decimal_macros::dec;
//!
//! let sandbox = Sandbox::start().await?;          // 127.0.0.1, a free port
//! let client = sandbox.client()?;                 // merchant i000000001, pointed at the sandbox
//! let payment = client.pay(dec!(30.75), "order-1").await?;
//! let tx = payment.transaction;
//!
//! // Complete the hosted page without a browser (or open `payment.redirect_url` in one).
//! sandbox.complete(&tx, Outcome::Paid).await?;
//! let status = client.get_transaction_status(&tx).await?;
//! assert_eq!(status.status, epoint_az::PaymentStatus::Success);
//!
//! client.refund(&tx).amount(dec!(10.00)).await?;   // partial refund
//! assert_eq!(sandbox.request_count(epoint_az::OperationId::Reverse), 1);
//! # Ok(()) }
//! ```
//!
//! # Merchants
//!
//! Two merchants are seeded (their keys are public test keys, not secrets):
//!
//! | public key | private key | role |
//! |---|---|---|
//! | `i000000001` | `sandbox_private_key_0000000001` | the default merchant |
//! | `i000000002` | `sandbox_private_key_0000000002` | a split partner (`split_user`) |
//!
//! Add or replace merchants and set their result URL with [`SandboxBuilder`].
//!
//! # Verification, like EPoint
//!
//! Every operation accepts the form body `data=…&signature=…` and also a JSON envelope
//! `{"data": "…", "signature": "…"}`. Answers are always HTTP 200:
//!
//! * unknown `public_key`: `{"status":"server_error","message":"Merchant not found"}`;
//! * wrong signature: `{"status":"server_error","message":"Signature did not match"}`, and,
//!   when the signature matches a common signing mistake, a **sandbox-only** `hint` field
//!   naming it (a hex digest, the key on one side only, the JSON signed instead of `data`,
//!   URL encoding, JSON whitespace, another merchant's key; see
//!   [`epoint_az::signing::explain_mismatch`]). EPoint sends no `hint`: never rely on it outside
//!   the sandbox;
//! * every `{status, …}` answer of the signed operations carries a `trace_id` (random, as
//!   EPoint's developer site shows), and every response an `X-Request-ID` header (a random
//!   UUID-shaped id), so that clients can be tested keeping both for support tickets;
//! * missing or invalid fields (bad amount, unknown `split_user`, `order_id` over 255
//!   characters, currency other than `AZN`, …): `{"status":"error","message":"…"}`.
//!
//! # Test cards
//!
//! On the hosted page any card number of 12 to 19 digits is accepted, with any
//! expiry (`MM/YY`), any 3–4 digit CVV and any name. **The last three digits choose the bank
//! code**; the answer's `message` is that code's meaning from [`epoint_az::BankCode::meaning`]:
//!
//! | card number | bank code | result |
//! |---|---|---|
//! | `4169 7388 0000 0000` | `000` | approved |
//! | `4169 7388 0000 0116` | `116` | declined, insufficient funds |
//! | `4169 7388 0000 0101` | `101` | declined, card expired |
//! | `4169 7388 0000 0100` | `100` | rejected (general) |
//! | `4169 7388 0000 0102` | `102` | rejected, suspected fraud |
//! | `4169 7388 0000 0121` | `121` | declined, withdrawal limit exceeded |
//! | `…NNN` | `NNN` | declined with code `NNN` (its meaning if the table lists it) |
//!
//! See [`TEST_CARDS`]. Saving a card (`/api/1/card-registration`) moves no money, so the page
//! saves any test card; the card's code then decides every later charge
//! (`execute-pay`, `split-execute-pay`) and payout (`refund-request`) to it. To test a failed
//! registration, call [`Sandbox::complete`] with [`Outcome::Declined`] (the callback then has
//! code `500`, as EPoint documents).
//!
//! # State
//!
//! * Transactions (`te…`) start `new`; the hosted page (or [`Sandbox::complete`]) makes them
//!   `success` or `error`; `/api/1/reverse` refunds fully or partly, never more than what
//!   remains, and the transaction then reports `returned` (`get-status` keeps the original
//!   `amount`; the refunded total is [`Transaction::refunded`]).
//! * Cards (`ce…`) are pending until the page completes, then active (or rejected). Payouts
//!   (`/api/1/refund-request`) need a card registered with `refund: 1`; charges need one
//!   registered without it.
//! * `execute-pay`, `split-execute-pay` and `refund-request` are synchronous: the answer is
//!   final and no callback follows. Each creates a transaction that `get-status` reports.
//! * A reused `order_id` is accepted (EPoint's behaviour is undocumented).
//!
//! # Callbacks
//!
//! When a hosted page completes, the sandbox POSTs the form `data=…&signature=…`, signed with
//! the merchant's private key, to the merchant's result URL, with exactly the fields EPoint
//! sends for that flow (`status` `success` or `failed`, as EPoint's document says, while
//! `get-status` reports a failed payment as `error`; `amount` as a JSON number; `rrn` and the
//! bank fields only on success; `other_attr` only when the merchant sent one):
//!
//! | flow | absent |
//! |---|---|
//! | `/request` | `card_id`, `split_amount` |
//! | `/card-registration` | `order_id`, `transaction`, `amount`, `other_attr`, `split_amount` |
//! | `/card-registration-with-pay` | `message`, `split_amount` |
//! | `/split-request` | nothing (`card_id` names the card used; it is not saved) |
//! | `/split-card-registration-with-pay` | `message` |
//!
//! Each delivery (one attempt, 5 s timeout) is recorded with the HTTP status or the error:
//! see [`Sandbox::callbacks`].
//!
//! # Faults
//!
//! [`Sandbox::inject`] makes an operation misbehave, to test error handling over real
//! sockets: see [`Fault`].
//!
//! # Limits
//!
//! A long-running sandbox stays small: the request log and the callback log keep the newest
//! [`DEFAULT_REQUEST_LOG_LIMIT`] entries ([`SandboxBuilder::request_log_limit`]) while
//! [`Sandbox::request_count`] counts them all; a connection is closed when half a request's
//! headers (the first request's, or one pipelined behind another) take longer than
//! [`SandboxBuilder::header_read_timeout`] (10 s), or when it has no
//! request in progress, or a request whose body stopped arriving, and no traffic for
//! [`SandboxBuilder::idle_timeout`] (60 s), or when a request's body takes longer than
//! [`SandboxBuilder::body_read_timeout`] (30 s) to arrive. Bodies over
//! 2 MB are answered 413 and unreadable `/_sandbox` forms 422, as JSON.
//!
//! # Inspection over HTTP
//!
//! For tests in other languages the same data is served as JSON: `GET /_sandbox/requests`,
//! `/_sandbox/transactions`, `/_sandbox/cards`, `/_sandbox/callbacks`, and
//! `POST /_sandbox/complete/{id}` with the form `outcome=paid` or `outcome=declined&code=116`.
//! Faults too: `POST /_sandbox/faults/{operation}` (operationId, or the path's last segment
//! such as `execute-pay`; every operation, the unsigned `heartbeat` and
//! `b2b_payment_status` and the JSON-bodied `b2b_payment` included) with
//! `kind=latency&ms=500`, `kind=status&status=502&body=…`, `kind=not_json&body=…`,
//! `kind=truncated` or `kind=drop` (plus `times=N` to limit it), and `DELETE /_sandbox/faults`.
//!
//! `GET /_sandbox/transactions` is **paged** (a ledger can hold 100 000 transactions): it
//! answers a JSON array of at most `limit` transactions, oldest first
//! ([`DEFAULT_TRANSACTIONS_PAGE`], 1000, by default; `limit` from 1 to
//! [`MAX_TRANSACTIONS_PAGE`], 10 000, else HTTP 400), after the transaction id `after` when
//! given. When more follow, the answer carries `Link: </_sandbox/transactions?limit=N&after=ID>;
//! rel="next"` (ID is the page's last id); without that header the page is the last.
//! `X-Total-Count` says how many the ledger keeps. In Rust: [`Sandbox::transactions_page`].
//!
//! ```text
//! curl -si "$BASE/_sandbox/transactions?limit=500"                  # the first 500
//! curl -si "$BASE/_sandbox/transactions?limit=500&after=te000000500" # the next 500
//! ```

// The parts, each importing only those listed below it (none imports this file):
// wire (HTTP) → page (hosted page, completion) → state (the one lock) → callbacks →
// gateway (operations) → ledger (transactions, cards) → model (shared plain data).
mod callbacks;
mod gateway;
mod ledger;
mod model;
mod page;
mod state;
mod wire;

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use tokio::{sync::watch, task::JoinHandle};

#[doc(hidden)]
pub use self::wire::parse_envelope_for_fuzzing;
pub use self::{
    callbacks::CallbackDelivery,
    ledger::{CardStatus, SavedCard, Transaction},
    model::{APPROVED_CARD, Fault, Merchant, Outcome, SEEDED_MERCHANTS, SandboxError, TEST_CARDS},
    page::Completion,
    state::ReceivedRequest,
};
use self::{model::Merchants, state::Shared};
use epoint_az::{Client, Config, OperationId};

/// How many requests a sandbox keeps for inspection unless
/// [`SandboxBuilder::request_log_limit`] says otherwise.
///
/// ```
/// assert_eq!(epoint_az_sandbox::DEFAULT_REQUEST_LOG_LIMIT, 1000);
/// ```
pub const DEFAULT_REQUEST_LOG_LIMIT: usize = 1000;

pub use self::ledger::DEFAULT_LEDGER_LIMIT;

/// How many transactions one page of `GET /_sandbox/transactions` holds when the request
/// gives no `limit` (see the module docs, "Inspection over HTTP").
///
/// ```
/// assert_eq!(epoint_az_sandbox::DEFAULT_TRANSACTIONS_PAGE, 1000);
/// ```
pub const DEFAULT_TRANSACTIONS_PAGE: usize = 1000;

/// The largest `limit` `GET /_sandbox/transactions` accepts (a larger one is answered 400).
///
/// ```
/// assert_eq!(epoint_az_sandbox::MAX_TRANSACTIONS_PAGE, 10_000);
/// ```
pub const MAX_TRANSACTIONS_PAGE: usize = 10_000;

/// Configures a [`Sandbox`] before it starts.
///
/// ```no_run
/// # async fn run() -> Result<(), epoint_az_sandbox::SandboxError> {
/// use epoint_az_sandbox::{Merchant, Sandbox};
/// let sandbox = Sandbox::builder()
///     .result_url("http://127.0.0.1:8000/epoint/result") // every merchant's callbacks
///     .merchant(Merchant::new("i000000042", "my_test_key"))
///     .port(0)
///     .start()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct SandboxBuilder {
    ip: IpAddr,
    port: u16,
    merchants: Merchants,
    default_result_url: Option<String>,
    limits: wire::Limits,
    request_log_limit: usize,
    ledger_limit: Option<usize>,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        let merchants = SEEDED_MERCHANTS
            .iter()
            .map(|(public, private)| (public.to_string(), Merchant::new(*public, *private)))
            .collect();
        Self {
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            merchants,
            default_result_url: None,
            limits: wire::Limits::default(),
            request_log_limit: DEFAULT_REQUEST_LOG_LIMIT,
            ledger_limit: None,
        }
    }
}

impl SandboxBuilder {
    /// The port to listen on; 0 (the default) picks a free one.
    ///
    /// ```
    /// let builder = epoint_az_sandbox::Sandbox::builder().port(8089);
    /// # let _ = builder;
    /// ```
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The address to listen on (default `127.0.0.1`).
    ///
    /// ```
    /// let builder = epoint_az_sandbox::Sandbox::builder().ip([127, 0, 0, 1].into());
    /// # let _ = builder;
    /// ```
    pub fn ip(mut self, ip: IpAddr) -> Self {
        self.ip = ip;
        self
    }

    /// Adds a merchant, or replaces the one with the same public key.
    ///
    /// ```
    /// use epoint_az_sandbox::{Merchant, Sandbox};
    /// let builder = Sandbox::builder().merchant(Merchant::new("i000000003", "key3"));
    /// # let _ = builder;
    /// ```
    pub fn merchant(mut self, merchant: Merchant) -> Self {
        self.merchants
            .insert(merchant.public_key().to_owned(), merchant);
        self
    }

    /// Removes every merchant, the seeded ones included.
    ///
    /// ```
    /// use epoint_az_sandbox::{Merchant, Sandbox};
    /// let builder = Sandbox::builder().no_merchants().merchant(Merchant::new("i9", "k9"));
    /// # let _ = builder;
    /// ```
    pub fn no_merchants(mut self) -> Self {
        self.merchants.clear();
        self
    }

    /// The result URL of every merchant that has none of its own.
    ///
    /// ```
    /// let builder = epoint_az_sandbox::Sandbox::builder().result_url("http://127.0.0.1:8000/cb");
    /// # let _ = builder;
    /// ```
    pub fn result_url(mut self, url: impl Into<String>) -> Self {
        self.default_result_url = Some(url.into());
        self
    }

    /// How long a client may take to send a request's headers, from its first byte (default
    /// 10 s). A connection that sends half a request and stops is closed after this, also when
    /// the half request is pipelined behind a complete one on a keep-alive connection (timed
    /// from its first byte, and never before this long after the request before it ended).
    ///
    /// ```
    /// use std::time::Duration;
    /// let builder = epoint_az_sandbox::Sandbox::builder().header_read_timeout(Duration::from_secs(2));
    /// # let _ = builder;
    /// ```
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read = timeout;
        self
    }

    /// How long a connection may stay open with nothing sent or received while it has no
    /// request in progress, or while a request's body has stopped arriving (default 60 s);
    /// then it is closed. A request being processed, its body read (an injected latency, say),
    /// is never cut.
    ///
    /// ```
    /// use std::time::Duration;
    /// let builder = epoint_az_sandbox::Sandbox::builder().idle_timeout(Duration::from_secs(5));
    /// # let _ = builder;
    /// ```
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle = timeout;
        self
    }

    /// How long a request's body may take to arrive, from its first byte after the headers
    /// (default 30 s); then the connection is closed. This catches a body that trickles in (a
    /// byte every few seconds is never quiet long enough for [`SandboxBuilder::idle_timeout`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// let builder = epoint_az_sandbox::Sandbox::builder().body_read_timeout(Duration::from_secs(5));
    /// # let _ = builder;
    /// ```
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.body_read = timeout;
        self
    }

    /// How many requests the sandbox keeps for [`Sandbox::requests`],
    /// [`Sandbox::all_requests`] and `GET /_sandbox/requests` (default
    /// [`DEFAULT_REQUEST_LOG_LIMIT`], 1000): the newest are kept, the oldest dropped first.
    /// [`Sandbox::request_count`] counts every request, kept or not. `0` keeps none. The
    /// callback log ([`Sandbox::callbacks`], `GET /_sandbox/callbacks`) keeps as many.
    ///
    /// ```
    /// let builder = epoint_az_sandbox::Sandbox::builder().request_log_limit(10_000);
    /// # let _ = builder;
    /// ```
    pub fn request_log_limit(mut self, limit: usize) -> Self {
        self.request_log_limit = limit;
        self
    }

    /// How many transactions the sandbox keeps, and as many of each other record: saved cards,
    /// invoices, token payments, B2B transfers (default [`DEFAULT_LEDGER_LIMIT`], 100 000
    /// each): past it the oldest of that kind are forgotten, and looking one of them up
    /// answers as for an unknown one (a forgotten B2B `order_id` may be used again). Keeps a
    /// sandbox that runs for days (the standalone server, a load test) from growing without
    /// end. At least 1.
    ///
    /// ```
    /// let builder = epoint_az_sandbox::Sandbox::builder().ledger_limit(1_000_000);
    /// # let _ = builder;
    /// ```
    pub fn ledger_limit(mut self, limit: usize) -> Self {
        self.ledger_limit = Some(limit.max(1));
        self
    }

    /// Binds the listener and starts serving (on the current tokio runtime).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), epoint_az_sandbox::SandboxError> {
    /// let sandbox = epoint_az_sandbox::Sandbox::builder().start().await?;
    /// println!("{}", sandbox.base_url());
    /// # Ok(()) }
    /// ```
    pub async fn start(self) -> Result<Sandbox, SandboxError> {
        for (key, merchant) in &self.merchants {
            let url = merchant
                .result_url
                .as_ref()
                .or(self.default_result_url.as_ref());
            if let Some(url) = url {
                epoint_az::config::check_url(url).map_err(|reason| {
                    SandboxError::InvalidResultUrl {
                        merchant: key.clone(),
                        reason,
                    }
                })?;
            }
        }
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(self.ip, self.port)).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let merchants = self
            .merchants
            .into_iter()
            .map(|(key, mut merchant)| {
                if merchant.result_url.is_none() {
                    merchant.result_url.clone_from(&self.default_result_url);
                }
                (key, merchant)
            })
            .collect();
        let http = epoint_az::http_client_builder()
            .map_err(|e| SandboxError::Io(std::io::Error::other(e)))?
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SandboxError::Io(std::io::Error::other(e)))?;
        let shared = Arc::new(Shared::new(
            merchants,
            base_url.clone(),
            http,
            self.request_log_limit,
            self.ledger_limit,
        ));
        let (stop, stopped) = watch::channel(false);
        let router = wire::router(shared.clone());
        let task = tokio::spawn(wire::serve(listener, router, stopped, self.limits));
        Ok(Sandbox {
            shared,
            addr,
            base_url,
            stop,
            task: Some(task),
        })
    }
}

/// A running sandbox. Stops when dropped (or, cleanly, with [`Sandbox::shutdown`]).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let sandbox = epoint_az_sandbox::Sandbox::start().await?;
/// let client = sandbox.client()?;
/// // … use `client` like the real one …
/// sandbox.shutdown().await;
/// # Ok(()) }
/// ```
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    base_url: String,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl Sandbox {
    /// A builder (seeded merchants, `127.0.0.1`, a free port, no result URL).
    ///
    /// ```
    /// let builder = epoint_az_sandbox::Sandbox::builder();
    /// # let _ = builder;
    /// ```
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// Starts a sandbox with the defaults: seeded merchants, `127.0.0.1`, a free port.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), epoint_az_sandbox::SandboxError> {
    /// let sandbox = epoint_az_sandbox::Sandbox::start().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start() -> Result<Self, SandboxError> {
        Self::builder().start().await
    }

    /// `http://127.0.0.1:PORT`: the `base_url` for [`Config::base_url`].
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// let config = epoint_az::Config::new("i000000001", "sandbox_private_key_0000000001")
    ///     .base_url(sandbox.base_url());
    /// # }
    /// ```
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// println!("port {}", sandbox.addr().port());
    /// # }
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A [`Client`] for the first seeded merchant (`i000000001`), pointed at the sandbox.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) -> Result<(), epoint_az_sandbox::SandboxError> {
    /// let client = sandbox.client()?;
    /// # Ok(()) }
    /// ```
    pub fn client(&self) -> Result<Client, SandboxError> {
        self.client_for(SEEDED_MERCHANTS[0].0)
    }

    /// A [`Client`] for this merchant, pointed at the sandbox.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) -> Result<(), epoint_az_sandbox::SandboxError> {
    /// let partner = sandbox.client_for("i000000002")?;
    /// # Ok(()) }
    /// ```
    pub fn client_for(&self, public_key: &str) -> Result<Client, SandboxError> {
        Ok(Client::new(self.config_for(public_key)?)?)
    }

    /// A client [`Config`] for this merchant, pointed at the sandbox (to adjust before
    /// building the client).
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) -> Result<(), Box<dyn std::error::Error>> {
    /// let config = sandbox.config_for("i000000001")?.success_redirect_url("http://127.0.0.1:9/ok");
    /// let client = epoint_az::Client::new(config)?;
    /// # Ok(()) }
    /// ```
    pub fn config_for(&self, public_key: &str) -> Result<Config, SandboxError> {
        Ok(self.merchant(public_key)?.config(&self.base_url))
    }

    /// A merchant by public key.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) -> Result<(), epoint_az_sandbox::SandboxError> {
    /// let keys = sandbox.merchant("i000000001")?.keys().clone(); // to verify callbacks
    /// # Ok(()) }
    /// ```
    pub fn merchant(&self, public_key: &str) -> Result<Merchant, SandboxError> {
        self.shared
            .lock()
            .merchants
            .get(public_key)
            .cloned()
            .ok_or_else(|| SandboxError::UnknownMerchant(public_key.to_owned()))
    }

    /// Every merchant.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// for m in sandbox.merchants() { println!("{}", m.public_key()); }
    /// # }
    /// ```
    pub fn merchants(&self) -> Vec<Merchant> {
        self.shared.lock().merchants.values().cloned().collect()
    }

    /// Changes (or, with `None`, removes) a merchant's result URL.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) -> Result<(), epoint_az_sandbox::SandboxError> {
    /// sandbox.set_result_url("i000000001", Some("http://127.0.0.1:8000/epoint".into()))?;
    /// # Ok(()) }
    /// ```
    pub fn set_result_url(
        &self,
        public_key: &str,
        url: Option<String>,
    ) -> Result<(), SandboxError> {
        let mut state = self.shared.lock();
        let merchant = state
            .merchants
            .get_mut(public_key)
            .ok_or_else(|| SandboxError::UnknownMerchant(public_key.to_owned()))?;
        merchant.result_url = url;
        Ok(())
    }

    /// Completes a hosted page (a `te…` transaction or a `ce…` card registration) as the
    /// customer would, without a browser: updates the state and delivers the callback
    /// (awaited, so it has been received or has failed when this returns).
    ///
    /// ```no_run
    /// # async fn run(sandbox: epoint_az_sandbox::Sandbox) -> Result<(), epoint_az_sandbox::SandboxError> {
    /// use epoint_az_sandbox::Outcome;
    /// let done = sandbox.complete("te000000001", Outcome::Declined("116".into())).await?;
    /// assert!(done.callback.is_some());
    /// # Ok(()) }
    /// ```
    pub async fn complete(&self, id: &str, outcome: Outcome) -> Result<Completion, SandboxError> {
        page::complete(&self.shared, id, outcome).await
    }

    /// Injects a fault into an operation, for every later request until
    /// [`Sandbox::clear_faults`]. Operations are named by the typed [`OperationId`], so a typo
    /// does not compile (over HTTP, any spelling works: see the module docs).
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// use epoint_az::OperationId;
    /// use epoint_az_sandbox::Fault;
    /// sandbox.inject(OperationId::GetStatus, Fault::HttpStatus { status: 503, body: "busy".into() });
    /// # }
    /// ```
    pub fn inject(&self, operation: OperationId, fault: Fault) {
        self.inject_times(operation, fault, None);
    }

    /// Like [`Sandbox::inject`], for the next `times` requests only (`None`: until cleared).
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// use epoint_az::OperationId;
    /// use epoint_az_sandbox::Fault;
    /// sandbox.inject_times(OperationId::ExecutePay, Fault::DropConnection, Some(1));
    /// # }
    /// ```
    pub fn inject_times(&self, operation: OperationId, fault: Fault, times: Option<u32>) {
        self.shared
            .lock()
            .faults
            .arm(operation.operation_id(), state::FaultRule { fault, times });
    }

    /// Removes every injected fault.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) { sandbox.clear_faults(); }
    /// ```
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// The requests one operation received that the log still keeps (the newest
    /// [`SandboxBuilder::request_log_limit`] of all operations), oldest first.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// let sent = sandbox.requests(epoint_az::OperationId::ExecutePay);
    /// assert_eq!(sent.len(), 1, "a money-moving call must be sent exactly once");
    /// # }
    /// ```
    pub fn requests(&self, operation: OperationId) -> Vec<ReceivedRequest> {
        let id = operation.operation_id();
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|r| r.operation == id)
            .cloned()
            .collect()
    }

    /// How many requests one operation received: every one, including those the bounded
    /// log no longer keeps.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// assert_eq!(sandbox.request_count(epoint_az::OperationId::Reverse), 0);
    /// # }
    /// ```
    pub fn request_count(&self, operation: OperationId) -> usize {
        self.shared.lock().requests.count(operation.operation_id())
    }

    /// Every request the log keeps (the newest [`SandboxBuilder::request_log_limit`]),
    /// oldest first.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// println!("{} requests", sandbox.all_requests().len());
    /// # }
    /// ```
    pub fn all_requests(&self) -> Vec<ReceivedRequest> {
        self.shared.lock().requests.to_vec()
    }

    /// Every transaction, by id.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// let paid = sandbox.transactions().into_iter().filter(|t| t.status == epoint_az::PaymentStatus::Success).count();
    /// # }
    /// ```
    pub fn transactions(&self) -> Vec<Transaction> {
        self.shared.lock().ledger.transactions().cloned().collect()
    }

    /// One page of transactions, oldest first: at most `limit` of those whose id comes after
    /// `after` (from the first with `None`). Pass the last id of a page to get the next; a
    /// page shorter than `limit` is the last. Only the page is copied, so a ledger of 100 000
    /// transactions is read without holding the sandbox for the whole of it.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// let mut after = None;
    /// loop {
    ///     let page = sandbox.transactions_page(after.as_deref(), 500);
    ///     for tx in &page { println!("{} {}", tx.id, tx.status); }
    ///     if page.len() < 500 { break; }
    ///     after = page.last().map(|tx| tx.id.clone());
    /// }
    /// # }
    /// ```
    pub fn transactions_page(&self, after: Option<&str>, limit: usize) -> Vec<Transaction> {
        self.shared
            .lock()
            .ledger
            .transactions_after(after)
            .take(limit)
            .cloned()
            .collect()
    }

    /// One transaction.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// if let Some(tx) = sandbox.transaction("te000000001") { println!("{}", tx.status); }
    /// # }
    /// ```
    pub fn transaction(&self, id: &str) -> Option<Transaction> {
        self.shared.lock().ledger.transaction(id).cloned()
    }

    /// Every saved card (pending, active or rejected), by id.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// println!("{} cards", sandbox.cards().len());
    /// # }
    /// ```
    pub fn cards(&self) -> Vec<SavedCard> {
        self.shared.lock().ledger.cards().cloned().collect()
    }

    /// One saved card.
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// let active = sandbox.card("ce000000001").is_some_and(|c| c.status == epoint_az_sandbox::CardStatus::Active);
    /// # }
    /// ```
    pub fn card(&self, id: &str) -> Option<SavedCard> {
        self.shared.lock().ledger.card(id).cloned()
    }

    /// The callback delivery attempts, oldest first: the newest
    /// [`SandboxBuilder::request_log_limit`] (1000 by default).
    ///
    /// ```no_run
    /// # fn f(sandbox: &epoint_az_sandbox::Sandbox) {
    /// assert!(sandbox.callbacks().iter().all(|c| c.delivered()));
    /// # }
    /// ```
    pub fn callbacks(&self) -> Vec<CallbackDelivery> {
        self.shared.lock().callbacks.iter().cloned().collect()
    }

    /// Stops accepting connections, closes open ones and waits for the server task.
    ///
    /// ```no_run
    /// # async fn run(sandbox: epoint_az_sandbox::Sandbox) { sandbox.shutdown().await; }
    /// ```
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Sandbox {
    /// Settles a B2B transfer now (`SUCCESS` when `success`, else `FAILED`) and POSTs its
    /// **unsigned** JSON webhook to the transfer's `webhook_url` (awaited; recorded with
    /// [`Sandbox::callbacks`], operation `b2b_payment`). Without it, each status read advances
    /// a transfer one step (`PENDING → PROCESSING → SUCCESS`, or `FAILED` when the payee name
    /// contains `FAIL`). Over HTTP: `POST /_sandbox/b2b/{order_id}/settle` with
    /// `outcome=success` or `outcome=failed`.
    ///
    /// ```no_run
    /// # async fn run(sandbox: epoint_az_sandbox::Sandbox) -> Result<(), epoint_az_sandbox::SandboxError> {
    /// let webhook = sandbox.settle_b2b("b2b-1", true).await?;
    /// assert_eq!(webhook.payload["status"], "success");
    /// # Ok(()) }
    /// ```
    pub async fn settle_b2b(
        &self,
        order_id: &str,
        success: bool,
    ) -> Result<CallbackDelivery, SandboxError> {
        let webhook = self
            .shared
            .lock()
            .ledger
            .tokens_b2b
            .b2b_settle(order_id, success, None)?;
        let delivery = callbacks::deliver_b2b_webhook(&self.shared.http, webhook).await;
        self.shared.lock().record_b2b_webhook(delivery.clone());
        Ok(delivery)
    }
}

/// The README's Rust block, compiled by `cargo test --doc`.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;
