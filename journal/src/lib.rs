//! **Nothing lost across crashes and replicas**: a durable payment journal and callback inbox
//! for [`epoint_az`], on SQLite (embedded, the default) or PostgreSQL (several replicas).
//!
//! - [`Journal`]: before a money-moving call is sent, its intent is written; after it, its
//!   outcome. A second intent for an order that is in flight, unknown or done is refused by
//!   the database's unique index, so two replicas cannot create two payments for one order.
//!   [`Journal::unresolved`] lists what a timeout or a crash left unknown;
//!   [`Journal::resolve`] settles it with the client's settle-window resolution.
//! - [`Inbox`]: every verified callback is stored once with its body, keyed by its
//!   idempotency key; [`Inbox::receive`] says whether it is [`Received::New`], a
//!   [`Received::Repeat`] (from any replica) or [`Received::Stale`]; an order's status only
//!   moves forward (new → failed → success → returned).
//!
//! ```no_run
//! # async fn run(client: epoint_az::Client) -> Result<(), epoint_az_journal::JournalError> {
//! use epoint_az::dec;
//! let store = epoint_az_journal::Store::open("sqlite:shop.db").await?;
//! let journal = store.journal();
//! match journal.pay(&client, dec!(12.00), "order-1001").await {
//!     Ok(page) => println!("send the customer to {}", page.redirect_url),
//!     Err(e) if e.is_unknown_outcome() => println!("recorded as unknown; `journal.resolve(&client)` settles it"),
//!     Err(e) => println!("{e}"),
//! }
//! # Ok(()) }
//! ```

mod error;
mod inbox;
mod journal;
mod store;

pub use error::JournalError;
pub use inbox::{Inbox, OrderStatus, Received, StoredCallback};
pub use journal::{Entry, Intent, Journal, Outcome, Pruned, State, Ticket};
pub use store::{SCHEMA_VERSION, Store, redact};

/// The README's examples, compiled as doctests (its axum handler uses the `axum` feature).
#[cfg(all(doctest, feature = "axum"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
