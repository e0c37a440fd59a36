//! The callback inbox: every verified callback stored once, and each order's status moved
//! only forward.

use std::time::SystemTime;

use epoint_az::Callback;
use sqlx::Row;

use crate::{
    JournalError, Store,
    store::{from_ms, now_ms, on_pool},
};

/// What [`Inbox::receive`] made of a callback.
///
/// ```
/// use epoint_az_journal::Received;
/// assert!(Received::New.is_new());
/// assert!(!Received::Repeat.is_new());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Received {
    /// First time seen (on any replica), and it moved its order's status: act on it.
    New,
    /// Seen before, on this replica or another: already handled, answer EPoint `OK`.
    Repeat,
    /// First time seen and stored, but it would move the order's status back (a `failed` after
    /// `success`, anything after `returned`), or it is for another transaction than the one the
    /// journal recorded for the order: kept, not applied.
    Stale,
}

impl Received {
    /// `true` only for [`Received::New`].
    ///
    /// ```
    /// assert!(!epoint_az_journal::Received::Stale.is_new());
    /// ```
    pub fn is_new(self) -> bool {
        self == Self::New
    }
}

/// An order's status as its callbacks moved it.
///
/// ```no_run
/// # async fn run(inbox: epoint_az_journal::Inbox) -> Result<(), epoint_az_journal::JournalError> {
/// if let Some(order) = inbox.status("order-1").await? {
///     println!("{}: {}", order.subject, order.status);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderStatus {
    /// The order id (or `card:ID` / `transaction:ID` for a callback that names no order).
    pub subject: String,
    /// The status: `new`, `success`, `returned`, `failed`, `error`, …
    pub status: String,
    /// The transaction of the callback that set it.
    pub transaction: Option<String>,
    /// When it was set.
    pub updated_at: SystemTime,
}

/// A stored callback.
///
/// ```no_run
/// # async fn run(inbox: epoint_az_journal::Inbox) -> Result<(), epoint_az_journal::JournalError> {
/// for cb in inbox.callbacks("order-1").await? {
///     println!("{} applied={} {}", cb.key, cb.applied, cb.body);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredCallback {
    /// Its idempotency key ([`Callback::idempotency_key`]).
    pub key: String,
    /// Its order (or `card:ID` / `transaction:ID`).
    pub subject: String,
    /// Its transaction.
    pub transaction: Option<String>,
    /// Its status.
    pub status: String,
    /// The authentic JSON EPoint signed, exactly as received.
    pub body: String,
    /// Whether it moved the order's status ([`Received::New`]) or was kept only
    /// ([`Received::Stale`]).
    pub applied: bool,
    /// When it was first received.
    pub received_at: SystemTime,
    /// When [`Inbox::processed`] marked it handled.
    pub processed_at: Option<SystemTime>,
}

/// The callback inbox: every verified callback stored once with its body, keyed by
/// [`Callback::idempotency_key`]; a repeat is caught by the database's unique key, so two
/// replicas never both act on one callback. Cheap to clone.
///
/// ```no_run
/// use axum::extract::State;
/// use epoint_az::axum::EpointCallback;
/// use epoint_az_journal::{Inbox, Received};
///
/// async fn result_url(State(inbox): State<Inbox>, EpointCallback(cb): EpointCallback) -> &'static str {
///     match inbox.receive(&cb).await {
///         Ok(Received::New) => { /* act on cb: ship the order, once */ "OK" }
///         Ok(Received::Repeat | Received::Stale) => "OK",
///         Err(_) => "retry later", // answer non-2xx in a real handler so EPoint sends it again
///     }
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Inbox {
    pub(crate) store: Store,
}

/// How far a status moves an order: a callback applies only if it does not move it back.
fn rank(status: &str) -> i64 {
    match status {
        "new" => 0,
        "success" => 2,
        "returned" => 3,
        // failed, error, server_error, and statuses EPoint adds.
        _ => 1,
    }
}

const COLUMNS: &str =
    "idempotency_key, subject, transaction_id, status, body, applied, received_at, processed_at";

fn stored<R>(row: &R) -> Result<StoredCallback, sqlx::Error>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let applied: i64 = row.try_get("applied")?;
    let processed: Option<i64> = row.try_get("processed_at")?;
    Ok(StoredCallback {
        key: row.try_get("idempotency_key")?,
        subject: row.try_get("subject")?,
        transaction: row.try_get("transaction_id")?,
        status: row.try_get("status")?,
        body: row.try_get("body")?,
        applied: applied != 0,
        received_at: from_ms(row.try_get("received_at")?),
        processed_at: processed.map(from_ms),
    })
}

impl Inbox {
    /// Opens the inbox at `url` (see [`Store::open`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = epoint_az_journal::Inbox::open("sqlite::memory:").await.unwrap();
    /// # }
    /// ```
    pub async fn open(url: &str) -> Result<Self, JournalError> {
        Ok(Store::open(url).await?.inbox())
    }

    /// The database under it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = epoint_az_journal::Inbox::open("sqlite::memory:").await.unwrap();
    /// let journal = inbox.store().journal();
    /// # }
    /// ```
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// **Stores a verified callback once** and tells whether it is new, a repeat or stale
    /// (see [`Received`]). The store and the status move are one transaction: a crash leaves
    /// both or neither. Fails with [`JournalError::Unkeyed`] for a callback that names no
    /// transaction, card or order.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use epoint_az_journal::{Inbox, Received};
    /// let keys = epoint_az::Keys::new("i000000001", "k");
    /// let body = keys.sign_callback(&serde_json::json!({"status": "success", "order_id": "o-1", "transaction": "te1"})).unwrap();
    /// let callback = keys.verify_callback(body.as_bytes()).unwrap();
    /// let inbox = Inbox::open("sqlite::memory:").await.unwrap();
    /// assert_eq!(inbox.receive(&callback).await.unwrap(), Received::New);
    /// assert_eq!(inbox.receive(&callback).await.unwrap(), Received::Repeat);
    /// # }
    /// ```
    pub async fn receive(&self, callback: &Callback) -> Result<Received, JournalError> {
        let key = callback.idempotency_key().ok_or(JournalError::Unkeyed)?;
        let payload = &callback.payload;
        let subject = match (&payload.order_id, &payload.card_id, &payload.transaction) {
            (Some(order), _, _) => order.clone(),
            (None, Some(card), _) => format!("card:{card}"),
            (None, None, Some(transaction)) => format!("transaction:{transaction}"),
            (None, None, None) => return Err(JournalError::Unkeyed),
        };
        let status = payload.status.as_str().to_owned();
        let transaction = payload.transaction.clone();
        let action = "store the callback";
        let begin = self.store.begin_sql();
        let now = now_ms();
        let received = on_pool!(&self.store.pool, p => {
            let mut tx = p.begin_with(begin).await.map_err(JournalError::db(action))?;
            let inserted: Option<i64> = sqlx::query_scalar(
                "INSERT INTO epoint_callbacks (idempotency_key, subject, transaction_id, status, body, applied, received_at) \
                 VALUES ($1, $2, $3, $4, $5, 0, $6) ON CONFLICT DO NOTHING RETURNING received_at",
            )
            .bind(&key)
            .bind(&subject)
            .bind(&transaction)
            .bind(&status)
            .bind(&callback.json)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await
            .map_err(JournalError::db(action))?;
            if inserted.is_none() {
                tx.rollback().await.map_err(JournalError::db(action))?;
                Received::Repeat
            } else {
                // A callback for another transaction than the one the journal recorded for
                // this order (an older attempt's, or a forged order id) does not move it.
                let recorded: Option<String> = sqlx::query_scalar(
                    "SELECT transaction_id FROM epoint_intents WHERE order_id = $1 AND state <> 'failed' AND transaction_id IS NOT NULL",
                )
                .bind(&subject)
                .fetch_optional(&mut *tx)
                .await
                .map_err(JournalError::db(action))?;
                let foreign = match (&recorded, &transaction) {
                    (Some(recorded), Some(transaction)) => recorded != transaction,
                    _ => false,
                };
                let moved = !foreign
                    && sqlx::query(
                        "INSERT INTO epoint_orders (subject, status, status_rank, transaction_id, updated_at) \
                         VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (subject) DO UPDATE SET status = excluded.status, status_rank = excluded.status_rank, \
                         transaction_id = excluded.transaction_id, updated_at = excluded.updated_at \
                         WHERE epoint_orders.status_rank <= excluded.status_rank",
                    )
                    .bind(&subject)
                    .bind(&status)
                    .bind(rank(&status))
                    .bind(&transaction)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(JournalError::db(action))?
                    .rows_affected()
                        > 0;
                if moved {
                    sqlx::query("UPDATE epoint_callbacks SET applied = 1 WHERE idempotency_key = $1")
                        .bind(&key)
                        .execute(&mut *tx)
                        .await
                        .map_err(JournalError::db(action))?;
                }
                tx.commit().await.map_err(JournalError::db(action))?;
                if moved { Received::New } else { Received::Stale }
            }
        });
        tracing::debug!(target: "epoint_az_journal", key = %key, received = ?received, "callback received");
        Ok(received)
    }

    /// Marks a new callback as handled (after the handler acted on it), so
    /// [`Inbox::unprocessed`] no longer lists it.
    ///
    /// ```no_run
    /// # async fn run(inbox: epoint_az_journal::Inbox, cb: epoint_az::Callback) -> Result<(), epoint_az_journal::JournalError> {
    /// if inbox.receive(&cb).await?.is_new() {
    ///     // … act …
    ///     inbox.processed(&cb.idempotency_key().unwrap_or_default()).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn processed(&self, key: &str) -> Result<(), JournalError> {
        let action = "mark the callback processed";
        on_pool!(&self.store.pool, p => {
            sqlx::query("UPDATE epoint_callbacks SET processed_at = $2 WHERE idempotency_key = $1 AND processed_at IS NULL")
                .bind(key)
                .bind(now_ms())
                .execute(p)
                .await
                .map_err(JournalError::db(action))?;
        });
        Ok(())
    }

    /// Callbacks that moved their order but were not marked [`Inbox::processed`]: those a
    /// handler may have died on before acting, oldest first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = epoint_az_journal::Inbox::open("sqlite::memory:").await.unwrap();
    /// assert!(inbox.unprocessed().await.unwrap().is_empty());
    /// # }
    /// ```
    pub async fn unprocessed(&self) -> Result<Vec<StoredCallback>, JournalError> {
        self.select("WHERE applied = 1 AND processed_at IS NULL", None)
            .await
    }

    /// Every stored callback for an order (or `card:ID` / `transaction:ID`), oldest first.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = epoint_az_journal::Inbox::open("sqlite::memory:").await.unwrap();
    /// assert!(inbox.callbacks("order-1").await.unwrap().is_empty());
    /// # }
    /// ```
    pub async fn callbacks(&self, subject: &str) -> Result<Vec<StoredCallback>, JournalError> {
        self.select("WHERE subject = $1", Some(subject)).await
    }

    async fn select(
        &self,
        filter: &str,
        bind: Option<&str>,
    ) -> Result<Vec<StoredCallback>, JournalError> {
        let action = "read the inbox";
        let sql = format!(
            "SELECT {COLUMNS} FROM epoint_callbacks {filter} ORDER BY received_at, idempotency_key"
        );
        let rows = on_pool!(&self.store.pool, p => {
            let mut query = sqlx::query(&sql);
            if let Some(value) = bind {
                query = query.bind(value);
            }
            query
                .fetch_all(p)
                .await
                .map_err(JournalError::db(action))?
                .iter()
                .map(stored)
                .collect::<Result<Vec<_>, _>>()
                .map_err(JournalError::db(action))?
        });
        Ok(rows)
    }

    /// The order's status as its callbacks moved it, if any arrived.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let inbox = epoint_az_journal::Inbox::open("sqlite::memory:").await.unwrap();
    /// assert!(inbox.status("order-1").await.unwrap().is_none());
    /// # }
    /// ```
    pub async fn status(&self, subject: &str) -> Result<Option<OrderStatus>, JournalError> {
        let action = "read the inbox";
        let found = on_pool!(&self.store.pool, p => {
            match sqlx::query("SELECT subject, status, transaction_id, updated_at FROM epoint_orders WHERE subject = $1")
                .bind(subject)
                .fetch_optional(p)
                .await
                .map_err(JournalError::db(action))?
            {
                Some(row) => Some(OrderStatus {
                    subject: row.try_get("subject").map_err(JournalError::db(action))?,
                    status: row.try_get("status").map_err(JournalError::db(action))?,
                    transaction: row.try_get("transaction_id").map_err(JournalError::db(action))?,
                    updated_at: from_ms(row.try_get("updated_at").map_err(JournalError::db(action))?),
                }),
                None => None,
            }
        });
        Ok(found)
    }
}
