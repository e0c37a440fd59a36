//! The payment journal: the intent of every money-moving call, written before the call is
//! sent, and its outcome, written after.

use std::{fmt, future::Future, str::FromStr, time::Duration, time::SystemTime};

use epoint_az::{
    Call, Client, Decimal, Error, OperationId, PaymentPage, Resolution, operation::Operation,
};
use futures_util::{StreamExt, stream};
use serde::Serialize;
use sqlx::Row;

use crate::{
    JournalError, Store,
    store::{from_ms, now_ms, on_pool, to_ms},
};

/// How many unresolved intents [`Journal::resolve`] settles at once.
const RESOLVE_CONCURRENCY: usize = 8;

/// Where an intent stands.
///
/// ```
/// use epoint_az_journal::State;
/// assert_eq!(State::Unknown.to_string(), "unknown");
/// assert!(State::Failed.frees_the_order());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// Written, the call not finished: in flight, or left by a crash.
    Pending,
    /// EPoint answered: the transaction and its status are recorded.
    Done,
    /// The call may have reached EPoint and its outcome is not known: settle it with
    /// [`Journal::resolve`] before paying the order again.
    Unknown,
    /// Definitely not made: nothing was sent, EPoint refused the request or the bank declined
    /// it, or the settle-window resolution found the request never arrived. The order may be
    /// paid again (a new intent).
    Failed,
}

impl State {
    /// The stored text: `pending`, `done`, `unknown` or `failed`.
    ///
    /// ```
    /// assert_eq!(epoint_az_journal::State::Done.as_str(), "done");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Done => "done",
            Self::Unknown => "unknown",
            Self::Failed => "failed",
        }
    }

    /// `true` only for [`State::Failed`]: the one state after which a new intent for the same
    /// order is accepted.
    ///
    /// ```
    /// assert!(!epoint_az_journal::State::Unknown.frees_the_order());
    /// ```
    pub fn frees_the_order(self) -> bool {
        self == Self::Failed
    }

    /// `true` for [`State::Pending`] and [`State::Unknown`]: what [`Journal::unresolved`]
    /// lists.
    ///
    /// ```
    /// assert!(epoint_az_journal::State::Pending.is_unresolved());
    /// ```
    pub fn is_unresolved(self) -> bool {
        matches!(self, Self::Pending | Self::Unknown)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for State {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "pending" => Self::Pending,
            "done" => Self::Done,
            "unknown" => Self::Unknown,
            "failed" => Self::Failed,
            other => return Err(format!("unknown journal state {other:?}")),
        })
    }
}

/// What is about to be sent: the operation, the order it is for, and the money.
///
/// ```
/// use epoint_az::{OperationId, dec};
/// let intent = epoint_az_journal::Intent::new(OperationId::PaymentRequest, "order-1").amount(dec!(12.00));
/// assert_eq!(intent.order_id(), "order-1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intent {
    operation: OperationId,
    order_id: String,
    amount: Option<Decimal>,
    currency: Option<String>,
}

impl Intent {
    /// An intent for a money-moving `operation` on `order_id`.
    ///
    /// ```
    /// let intent = epoint_az_journal::Intent::new(epoint_az::OperationId::PaymentRequest, "order-1");
    /// ```
    pub fn new(operation: OperationId, order_id: impl Into<String>) -> Self {
        Self {
            operation,
            order_id: order_id.into(),
            amount: None,
            currency: None,
        }
    }

    /// The amount.
    ///
    /// ```
    /// # use epoint_az::{OperationId, dec};
    /// let intent = epoint_az_journal::Intent::new(OperationId::PaymentRequest, "o").amount(dec!(1.50));
    /// ```
    pub fn amount(mut self, amount: Decimal) -> Self {
        self.amount = Some(amount);
        self
    }

    /// The currency (e.g. `AZN`).
    ///
    /// ```
    /// # use epoint_az::OperationId;
    /// let intent = epoint_az_journal::Intent::new(OperationId::PaymentRequest, "o").currency("AZN");
    /// ```
    pub fn currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = Some(currency.into());
        self
    }

    /// The order id.
    ///
    /// ```
    /// # use epoint_az::OperationId;
    /// assert_eq!(epoint_az_journal::Intent::new(OperationId::PaymentRequest, "o").order_id(), "o");
    /// ```
    pub fn order_id(&self) -> &str {
        &self.order_id
    }

    /// The intent of a prepared call: its operation, and the `order_id`, `amount` and
    /// `currency` of its payload. Refuses a call that does not move money, has no `order_id`,
    /// or has an invalid argument (nothing is sent).
    ///
    /// ```
    /// use epoint_az::dec;
    /// let client = epoint_az::Client::new(epoint_az::Config::new("i000000001", "k")).unwrap();
    /// let intent = epoint_az_journal::Intent::of(&client.pay(dec!(12.00), "order-1")).unwrap();
    /// assert_eq!(intent.order_id(), "order-1");
    /// assert!(epoint_az_journal::Intent::of(&client.get_order_status("order-1")).is_err());
    /// ```
    pub fn of<O: Operation>(call: &Call<'_, O>) -> Result<Self, JournalError> {
        let operation = O::ID;
        if !operation.info().moves_money {
            return Err(JournalError::NotMoneyMoving {
                operation: operation.operation_id(),
            });
        }
        let preview = call
            .preview()
            .map_err(|e| JournalError::Invalid(Box::new(e)))?;
        let payload = &preview.payload;
        let Some(order_id) = payload.get("order_id").and_then(|v| v.as_str()) else {
            return Err(JournalError::NoOrderId {
                operation: operation.operation_id(),
            });
        };
        let amount = match payload.get("amount") {
            Some(serde_json::Value::String(s)) => Decimal::from_str(s).ok(),
            Some(serde_json::Value::Number(n)) => Decimal::from_str(&n.to_string()).ok(),
            _ => None,
        };
        let currency = payload
            .get("currency")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        Ok(Self {
            operation,
            order_id: order_id.to_owned(),
            amount,
            currency,
        })
    }
}

/// One row of the journal.
///
/// ```no_run
/// # async fn run(journal: epoint_az_journal::Journal) -> Result<(), epoint_az_journal::JournalError> {
/// for entry in journal.entries().await? {
///     println!("{} {} {}", entry.order_id, entry.state, entry.transaction.as_deref().unwrap_or(""));
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The row's id (increasing).
    pub id: i64,
    /// The order id.
    pub order_id: String,
    /// The operation's id, e.g. `PaymentRequest`.
    pub operation: String,
    /// The amount, when the call had one.
    pub amount: Option<Decimal>,
    /// The currency, when the call had one.
    pub currency: Option<String>,
    /// Where it stands.
    pub state: State,
    /// EPoint's transaction, once known.
    pub transaction: Option<String>,
    /// The transaction's status (`new` for a payment page nobody has paid yet, `success`, …).
    pub status: Option<String>,
    /// The error, for an unknown or failed outcome.
    pub error: Option<String>,
    /// When the intent was written.
    pub created_at: SystemTime,
    /// When the request was sent, once it was.
    pub sent_at: Option<SystemTime>,
    /// When the row last changed.
    pub updated_at: SystemTime,
}

/// The outcome of a call, as [`Journal::finish`] records it.
///
/// ```
/// let outcome = epoint_az_journal::Outcome::Done { transaction: Some("te1".into()), status: Some("new".into()) };
/// assert_eq!(outcome.state(), epoint_az_journal::State::Done);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// EPoint answered.
    Done {
        /// Its transaction.
        transaction: Option<String>,
        /// Its status.
        status: Option<String>,
    },
    /// Definitely not made (nothing sent, refused, declined, never arrived).
    Failed {
        /// Why.
        error: String,
        /// The transaction EPoint created for a declined call, if any.
        transaction: Option<String>,
    },
    /// May have reached EPoint; not known.
    Unknown {
        /// The error.
        error: String,
        /// When the request was sent.
        sent_at: SystemTime,
    },
}

impl Outcome {
    /// The state this outcome records.
    ///
    /// ```
    /// let o = epoint_az_journal::Outcome::Failed { error: "not sent".into(), transaction: None };
    /// assert!(o.state().frees_the_order());
    /// ```
    pub fn state(&self) -> State {
        match self {
            Self::Done { .. } => State::Done,
            Self::Failed { .. } => State::Failed,
            Self::Unknown { .. } => State::Unknown,
        }
    }

    /// The outcome of a call's result: a success's transaction and status (a hosted page is
    /// `new`: nothing is paid yet); an error that did not reach EPoint, or that EPoint answered
    /// definitely (refused, declined), is [`Outcome::Failed`]; any other error is
    /// [`Outcome::Unknown`].
    ///
    /// ```
    /// let err = epoint_az::Error::InvalidInput { field: "amount", reason: "x".into() };
    /// let outcome = epoint_az_journal::Outcome::of::<()>(&Err(err), std::time::SystemTime::now());
    /// assert_eq!(outcome.state(), epoint_az_journal::State::Failed);
    /// ```
    pub fn of<T: Serialize>(result: &Result<T, Error>, sent_at: SystemTime) -> Self {
        match result {
            Ok(value) => {
                let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
                let text = |v: Option<&serde_json::Value>| {
                    v.and_then(|v| v.as_str())
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                };
                let answer = value.get("answer");
                let transaction = text(value.get("transaction"))
                    .or_else(|| text(answer.and_then(|a| a.get("transaction"))));
                // A hosted page's `success` means "page created": the payment itself is `new`.
                let status = if value.get("redirect_url").is_some() {
                    Some("new".to_owned())
                } else {
                    text(value.get("status")).or_else(|| text(answer.and_then(|a| a.get("status"))))
                };
                Self::Done {
                    transaction,
                    status,
                }
            }
            Err(error @ Error::Declined { transaction, .. }) => Self::Failed {
                error: error.to_string(),
                transaction: transaction.clone(),
            },
            Err(error @ Error::Rejected { .. }) => Self::Failed {
                error: error.to_string(),
                transaction: None,
            },
            Err(error) if !error.may_have_reached_epoint() => Self::Failed {
                error: error.to_string(),
                transaction: None,
            },
            Err(error) => Self::Unknown {
                error: error.to_string(),
                sent_at: error.sent_at().unwrap_or(sent_at),
            },
        }
    }
}

/// A written intent, to complete with [`Journal::finish`].
///
/// ```no_run
/// # async fn run(journal: epoint_az_journal::Journal) -> Result<(), epoint_az_journal::JournalError> {
/// let ticket = journal.begin(epoint_az_journal::Intent::new(epoint_az::OperationId::PaymentRequest, "o-1")).await?;
/// println!("intent {} written", ticket.id());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    id: i64,
    order_id: String,
}

impl Ticket {
    /// The journal row's id.
    ///
    /// ```no_run
    /// # fn f(t: epoint_az_journal::Ticket) { let _ = t.id(); }
    /// ```
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The order id.
    ///
    /// ```no_run
    /// # fn f(t: epoint_az_journal::Ticket) { let _ = t.order_id(); }
    /// ```
    pub fn order_id(&self) -> &str {
        &self.order_id
    }
}

/// What [`Journal::prune`] deleted.
///
/// ```
/// let p = epoint_az_journal::Pruned::default();
/// assert_eq!(p.intents + p.callbacks + p.orders, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pruned {
    /// Settled intents (done or failed) deleted.
    pub intents: u64,
    /// Stored callbacks deleted.
    pub callbacks: u64,
    /// Order statuses (from callbacks) deleted.
    pub orders: u64,
}

/// The payment journal: every money-moving call's intent, written durably before the call is
/// sent, and its outcome after. A second intent for an order that is in flight, unknown or
/// done is refused by the database itself, on every replica. Cheap to clone.
///
/// ```no_run
/// # async fn run(client: epoint_az::Client) -> Result<(), epoint_az_journal::JournalError> {
/// let journal = epoint_az_journal::Journal::open("sqlite:shop.db").await?;
/// let page = journal.pay(&client, epoint_az::dec!(12.00), "order-1001").await?;
/// println!("send the customer to {}", page.redirect_url);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Journal {
    pub(crate) store: Store,
}

const COLUMNS: &str = "id, order_id, operation, amount, currency, state, transaction_id, status, error, created_at, sent_at, updated_at";

fn entry<R>(row: &R) -> Result<Entry, sqlx::Error>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let state: String = row.try_get("state")?;
    let amount: Option<String> = row.try_get("amount")?;
    let sent_at: Option<i64> = row.try_get("sent_at")?;
    Ok(Entry {
        id: row.try_get("id")?,
        order_id: row.try_get("order_id")?,
        operation: row.try_get("operation")?,
        amount: amount.and_then(|a| Decimal::from_str(&a).ok()),
        currency: row.try_get("currency")?,
        state: State::from_str(&state).map_err(|e| sqlx::Error::Decode(e.into()))?,
        transaction: row.try_get("transaction_id")?,
        status: row.try_get("status")?,
        error: row.try_get("error")?,
        created_at: from_ms(row.try_get("created_at")?),
        sent_at: sent_at.map(from_ms),
        updated_at: from_ms(row.try_get("updated_at")?),
    })
}

impl Journal {
    /// Opens the journal at `url` (see [`Store::open`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let journal = epoint_az_journal::Journal::open("sqlite::memory:").await.unwrap();
    /// assert!(journal.unresolved().await.unwrap().is_empty());
    /// # }
    /// ```
    pub async fn open(url: &str) -> Result<Self, JournalError> {
        Ok(Store::open(url).await?.journal())
    }

    /// The database under it (for [`Store::inbox`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let journal = epoint_az_journal::Journal::open("sqlite::memory:").await.unwrap();
    /// let inbox = journal.store().inbox();
    /// # }
    /// ```
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// **A hosted-page payment, journaled**: [`Client::pay`] between its intent and its
    /// outcome. The one-line common case of [`Journal::send`].
    ///
    /// ```no_run
    /// # async fn run(journal: epoint_az_journal::Journal, client: epoint_az::Client) -> Result<(), epoint_az_journal::JournalError> {
    /// let page = journal.pay(&client, epoint_az::dec!(12.00), "order-1001").await?;
    /// # Ok(()) }
    /// ```
    pub async fn pay(
        &self,
        client: &Client,
        amount: Decimal,
        order_id: &str,
    ) -> Result<PaymentPage, JournalError> {
        self.send(client.pay(amount, order_id)).await
    }

    /// **Any money-moving call with an `order_id`, journaled**: writes its intent (refused if
    /// the order is taken: [`JournalError::OrderTaken`], nothing sent), sends it once, and
    /// records the outcome. A call that fails comes back as [`JournalError::Call`] with the
    /// state it was recorded in.
    ///
    /// ```no_run
    /// # async fn run(journal: epoint_az_journal::Journal, client: epoint_az::Client) -> Result<(), epoint_az_journal::JournalError> {
    /// let page = journal.send(client.pay(epoint_az::dec!(12.00), "order-1001").description("2 books")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send<O>(&self, call: Call<'_, O>) -> Result<O::Output, JournalError>
    where
        O: Operation,
        O::Output: Serialize,
    {
        let intent = Intent::of(&call)?;
        self.record(intent, move || call.send()).await
    }

    /// **Wraps any call**: writes `intent`, runs `call` once, records its [`Outcome::of`].
    /// The intent's order must be free (no intent in flight, unknown or done).
    ///
    /// ```no_run
    /// # async fn run(journal: epoint_az_journal::Journal, client: epoint_az::Client) -> Result<(), epoint_az_journal::JournalError> {
    /// use epoint_az::{OperationId, dec};
    /// let intent = epoint_az_journal::Intent::new(OperationId::PaymentRequest, "order-1").amount(dec!(5.00)).currency("AZN");
    /// let page = journal.record(intent, || client.pay(dec!(5.00), "order-1").send()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn record<T, F, Fut>(&self, intent: Intent, call: F) -> Result<T, JournalError>
    where
        T: Serialize,
        F: FnOnce() -> Fut,
        Fut: Future<Output = epoint_az::Result<T>>,
    {
        let ticket = self.begin(intent).await?;
        let sent_at = SystemTime::now();
        let result = call().await;
        let outcome = Outcome::of(&result, sent_at);
        let recorded = outcome.state();
        if let Err(e) = self.finish_at(&ticket, &outcome, Some(sent_at)).await {
            // The intent stays `pending`: `resolve` settles it like one left by a crash.
            tracing::error!(target: "epoint_az_journal", order_id = %ticket.order_id, error = %e, "the outcome of a call could not be recorded; the intent stays pending");
        }
        result.map_err(|error| JournalError::Call {
            error: Box::new(error),
            recorded,
        })
    }

    /// Writes an intent (`pending`) before its call is sent. Refuses, with
    /// [`JournalError::OrderTaken`], an order that already has one in flight, unknown or done
    /// — in this process or any other on the same database.
    ///
    /// ```no_run
    /// # async fn run(journal: epoint_az_journal::Journal) -> Result<(), epoint_az_journal::JournalError> {
    /// use epoint_az::OperationId;
    /// let ticket = journal.begin(epoint_az_journal::Intent::new(OperationId::PaymentRequest, "o-1")).await?;
    /// assert!(journal.begin(epoint_az_journal::Intent::new(OperationId::PaymentRequest, "o-1")).await.is_err());
    /// # Ok(()) }
    /// ```
    pub async fn begin(&self, intent: Intent) -> Result<Ticket, JournalError> {
        if !intent.operation.info().moves_money {
            return Err(JournalError::NotMoneyMoving {
                operation: intent.operation.operation_id(),
            });
        }
        let action = "record the intent (nothing was sent)";
        let amount = intent.amount.map(|a| a.to_string());
        // A taken order whose intent fails in between is free on the next attempt.
        for _ in 0..3 {
            let now = now_ms();
            let id: Option<i64> = on_pool!(&self.store.pool, p => {
                sqlx::query_scalar(
                    "INSERT INTO epoint_intents (order_id, operation, amount, currency, state, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, 'pending', $5, $5) ON CONFLICT DO NOTHING RETURNING id",
                )
                .bind(&intent.order_id)
                .bind(intent.operation.operation_id())
                .bind(&amount)
                .bind(&intent.currency)
                .bind(now)
                .fetch_optional(p)
                .await
                .map_err(JournalError::db(action))?
            });
            if let Some(id) = id {
                return Ok(Ticket {
                    id,
                    order_id: intent.order_id,
                });
            }
            if let Some(live) = self.live(&intent.order_id).await? {
                return Err(JournalError::OrderTaken {
                    order_id: live.order_id,
                    operation: live.operation,
                    state: live.state,
                    transaction: live.transaction,
                });
            }
        }
        Err(JournalError::OrderTaken {
            order_id: intent.order_id,
            operation: intent.operation.operation_id().to_owned(),
            state: State::Pending,
            transaction: None,
        })
    }

    /// Records the outcome of a call whose intent [`Journal::begin`] wrote. An intent that is
    /// already done or failed is left as it is.
    ///
    /// ```no_run
    /// # async fn run(journal: epoint_az_journal::Journal, ticket: epoint_az_journal::Ticket) -> Result<(), epoint_az_journal::JournalError> {
    /// journal.finish(&ticket, &epoint_az_journal::Outcome::Done { transaction: Some("te1".into()), status: Some("new".into()) }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn finish(&self, ticket: &Ticket, outcome: &Outcome) -> Result<(), JournalError> {
        self.finish_at(ticket, outcome, None).await
    }

    async fn finish_at(
        &self,
        ticket: &Ticket,
        outcome: &Outcome,
        sent_at: Option<SystemTime>,
    ) -> Result<(), JournalError> {
        let (transaction, status, error, sent_at) = match outcome {
            Outcome::Done {
                transaction,
                status,
            } => (transaction.clone(), status.clone(), None, sent_at),
            Outcome::Failed { error, transaction } => {
                (transaction.clone(), None, Some(error.clone()), sent_at)
            }
            Outcome::Unknown { error, sent_at } => {
                (None, None, Some(error.clone()), Some(*sent_at))
            }
        };
        self.update(
            ticket.id,
            outcome.state(),
            transaction,
            status,
            error,
            sent_at.map(to_ms),
        )
        .await
    }

    async fn update(
        &self,
        id: i64,
        state: State,
        transaction: Option<String>,
        status: Option<String>,
        error: Option<String>,
        sent_at: Option<i64>,
    ) -> Result<(), JournalError> {
        let action = "record the outcome";
        on_pool!(&self.store.pool, p => {
            sqlx::query(
                "UPDATE epoint_intents SET state = $2, transaction_id = COALESCE($3, transaction_id), \
                 status = COALESCE($4, status), error = $5, sent_at = COALESCE($6, sent_at), updated_at = $7 \
                 WHERE id = $1 AND state IN ('pending', 'unknown')",
            )
            .bind(id)
            .bind(state.as_str())
            .bind(transaction)
            .bind(status)
            .bind(error)
            .bind(sent_at)
            .bind(now_ms())
            .execute(p)
            .await
            .map_err(JournalError::db(action))?;
        });
        Ok(())
    }

    /// The intent that holds `order_id` (in flight, unknown or done), if any.
    async fn live(&self, order_id: &str) -> Result<Option<Entry>, JournalError> {
        let action = "read the journal";
        let sql = format!(
            "SELECT {COLUMNS} FROM epoint_intents WHERE order_id = $1 AND state <> 'failed'"
        );
        let found = on_pool!(&self.store.pool, p => {
            match sqlx::query(&sql).bind(order_id).fetch_optional(p).await.map_err(JournalError::db(action))? {
                Some(row) => Some(entry(&row).map_err(JournalError::db(action))?),
                None => None,
            }
        });
        Ok(found)
    }

    async fn select(&self, filter: &str, bind: Option<&str>) -> Result<Vec<Entry>, JournalError> {
        let action = "read the journal";
        let sql = format!("SELECT {COLUMNS} FROM epoint_intents {filter} ORDER BY id");
        let entries = on_pool!(&self.store.pool, p => {
            let mut query = sqlx::query(&sql);
            if let Some(value) = bind {
                query = query.bind(value);
            }
            query
                .fetch_all(p)
                .await
                .map_err(JournalError::db(action))?
                .iter()
                .map(entry)
                .collect::<Result<Vec<_>, _>>()
                .map_err(JournalError::db(action))?
        });
        Ok(entries)
    }

    /// Every intent, oldest first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let journal = epoint_az_journal::Journal::open("sqlite::memory:").await.unwrap();
    /// assert!(journal.entries().await.unwrap().is_empty());
    /// # }
    /// ```
    pub async fn entries(&self) -> Result<Vec<Entry>, JournalError> {
        self.select("", None).await
    }

    /// Every intent for `order_id` (failed attempts and the live one), oldest first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let journal = epoint_az_journal::Journal::open("sqlite::memory:").await.unwrap();
    /// assert!(journal.order("order-1").await.unwrap().is_empty());
    /// # }
    /// ```
    pub async fn order(&self, order_id: &str) -> Result<Vec<Entry>, JournalError> {
        self.select("WHERE order_id = $1", Some(order_id)).await
    }

    /// The intents whose outcome is unknown: `unknown` ones, and `pending` ones (in flight
    /// now, or written by a process that died before the answer), oldest first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let journal = epoint_az_journal::Journal::open("sqlite::memory:").await.unwrap();
    /// assert!(journal.unresolved().await.unwrap().is_empty());
    /// # }
    /// ```
    pub async fn unresolved(&self) -> Result<Vec<Entry>, JournalError> {
        self.select("WHERE state IN ('pending', 'unknown')", None)
            .await
    }

    /// **Settles every unresolved intent** with the settle-window resolution
    /// ([`Client::resolve_order`] by its order id, counted from when it was sent, or written if
    /// the send time is unknown), with the client's settle window, and records each result:
    /// found → `done` (or `failed` when EPoint says the payment failed), never arrived →
    /// `failed` (the order may be paid again), lookups failing → stays `unknown`. Returns
    /// the entries as they now stand. Read-only towards EPoint.
    ///
    /// ```no_run
    /// # async fn run(journal: epoint_az_journal::Journal, client: epoint_az::Client) -> Result<(), epoint_az_journal::JournalError> {
    /// for entry in journal.resolve(&client).await? {
    ///     println!("{}: {}", entry.order_id, entry.state);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn resolve(&self, client: &Client) -> Result<Vec<Entry>, JournalError> {
        self.resolve_with(client, None).await
    }

    /// [`Journal::resolve`] with this settle window instead of the client's.
    ///
    /// ```no_run
    /// # async fn run(journal: epoint_az_journal::Journal, client: epoint_az::Client) -> Result<(), epoint_az_journal::JournalError> {
    /// let settled = journal.resolve_with(&client, Some(std::time::Duration::from_secs(300))).await?;
    /// # Ok(()) }
    /// ```
    pub async fn resolve_with(
        &self,
        client: &Client,
        window: Option<Duration>,
    ) -> Result<Vec<Entry>, JournalError> {
        let unresolved = self.unresolved().await?;
        let ids: Vec<i64> = unresolved.iter().map(|e| e.id).collect();
        let results: Vec<Result<(), JournalError>> = stream::iter(unresolved)
            .map(|entry| self.settle(client, entry, window))
            .buffer_unordered(RESOLVE_CONCURRENCY)
            .collect()
            .await;
        for result in results {
            result?;
        }
        let all = self.entries().await?;
        Ok(all.into_iter().filter(|e| ids.contains(&e.id)).collect())
    }

    async fn settle(
        &self,
        client: &Client,
        entry: Entry,
        window: Option<Duration>,
    ) -> Result<(), JournalError> {
        let mut resolve = client
            .resolve_order(entry.order_id.as_str())
            .sent_at(entry.sent_at.unwrap_or(entry.created_at));
        if let Some(window) = window {
            resolve = resolve.settle_window(window);
        }
        let (state, transaction, status, error) = match resolve.await {
            Ok(Resolution::Found(found)) => {
                let status = found.status.as_str().to_owned();
                let state = if matches!(status.as_str(), "failed" | "error") {
                    State::Failed
                } else {
                    State::Done
                };
                (state, found.answer.transaction.clone(), Some(status), None)
            }
            Ok(Resolution::NeverArrived { message, lookups }) => (
                State::Failed,
                None,
                None,
                Some(format!(
                    "never arrived: EPoint did not know the order after the settle window ({lookups} lookups, last: {message})"
                )),
            ),
            Ok(Resolution::StillUnknown { error, .. }) => (
                State::Unknown,
                None,
                None,
                Some(format!("still unknown, the lookups fail: {error}")),
            ),
            Ok(other) => (
                State::Unknown,
                None,
                None,
                Some(format!("still unknown: {other:?}")),
            ),
            Err(error) => (State::Unknown, None, None, Some(error.to_string())),
        };
        tracing::info!(target: "epoint_az_journal", order_id = %entry.order_id, state = %state, "journal entry resolved");
        self.update(entry.id, state, transaction, status, error, None)
            .await
    }

    /// Deletes settled intents (`done`, `failed`) last changed more than `older_than` ago,
    /// with the callbacks received and order statuses changed before then. Unresolved
    /// intents are never deleted.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let journal = epoint_az_journal::Journal::open("sqlite::memory:").await.unwrap();
    /// let pruned = journal.prune(std::time::Duration::from_secs(400 * 24 * 3600)).await.unwrap();
    /// assert_eq!(pruned.intents, 0);
    /// # }
    /// ```
    pub async fn prune(&self, older_than: Duration) -> Result<Pruned, JournalError> {
        let action = "prune";
        let cutoff = to_ms(
            SystemTime::now()
                .checked_sub(older_than)
                .unwrap_or(std::time::UNIX_EPOCH),
        );
        let (intents, callbacks, orders) = on_pool!(&self.store.pool, p => {
            let intents = sqlx::query("DELETE FROM epoint_intents WHERE state IN ('done', 'failed') AND updated_at < $1")
                .bind(cutoff).execute(p).await.map_err(JournalError::db(action))?.rows_affected();
            let callbacks = sqlx::query("DELETE FROM epoint_callbacks WHERE received_at < $1")
                .bind(cutoff).execute(p).await.map_err(JournalError::db(action))?.rows_affected();
            let orders = sqlx::query("DELETE FROM epoint_orders WHERE updated_at < $1")
                .bind(cutoff).execute(p).await.map_err(JournalError::db(action))?.rows_affected();
            (intents, callbacks, orders)
        });
        Ok(Pruned {
            intents,
            callbacks,
            orders,
        })
    }
}
