//! The Rust client for [EPoint](https://epoint.az), Azerbaijan's payment gateway: every
//! operation of its API (36), typed and signed, generated at build time from an OpenAPI 3.0.3
//! contract; and verification of EPoint's signed callbacks. Its companion crates are the
//! EPoint sandbox for tests (`epoint-az-sandbox`) and the `epoint` command (`epoint-az-cli`). Money is exact, the private key never reaches a log, and a call that moves money is
//! never retried behind your back.
//!
//! ```no_run
//! use epoint_az::{Client, dec};
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::from_env()?; // EPOINT_PUBLIC_KEY, EPOINT_PRIVATE_KEY
//! let payment = client.pay(dec!(30.75), "order-1001").description("2 coffees").await?;
//! println!("send the customer to {}", payment.redirect_url);
//! # Ok(()) }
//! ```
//!
//! # Where to start
//!
//! - [`Client`]: one method per operation ([`Client::pay`], [`Client::refund`],
//!   [`Client::payout`], [`Client::get_transaction_status`], …). Each returns a [`Call`]: set
//!   its optional fields, then `.await` it, or [`Call::preview`] what it would send.
//! - [`Config`]: the keys and settings, explicit or from `EPOINT_*` variables
//!   ([`Client::from_env`]).
//! - [`Error`]: what went wrong and whether money may have moved
//!   ([`Error::may_have_reached_epoint`]). When a money-moving call's outcome is unknown,
//!   [`Client::resolve`] settles it ([`Resolution`]) before you pay again; [`reconcile`] looks
//!   many orders up at once.
//! - [`Keys::verify_callback`] and the [`callback`] module: EPoint's signed callbacks; with the
//!   `axum` feature, the [`axum::EpointCallback`](axum/struct.EpointCallback.html) extractor.
//! - [`OPERATIONS`], [`OperationId`] and [`ops`]: the operation table generated from the spec;
//!   [`generated`]: the raw client and wire types; [`Client::operation`] calls any operation.
//! - [`Money`], [`PaymentStatus`], [`BankCode`]: exact amounts, EPoint's open status set, and
//!   the bank response codes with their meanings in each [`Language`].
//! - With `blocking`, `Call::send_blocking`. For your tests, the crate `epoint-az-sandbox`
//!   simulates EPoint over real HTTP on loopback.
//!
//! # Features
//!
//! `rustls` (default: TLS through rustls with the ring provider), `rustls-aws-lc`,
//! `native-tls`, `axum` (the callback extractor) and `blocking`.
//!
//! # Guides
//!
//! The repository's `README.md` teaches the set-up, the quick start, callbacks in an axum
//! handler, unknown outcomes and testing with the sandbox. The reference is in its `docs/`
//! directory, which the published package includes too: `operations.md`, `callbacks.md`,
//! `errors.md`, `configuration.md`, `languages.md`, `sandbox.md`, `cli.md` (the `epoint`
//! command), `other-languages.md`, `changing-the-spec.md` and `architecture.md`.
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod answer;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
mod bank_code;
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
pub mod callback;
mod client;
pub mod config;
mod error;
mod flag;
pub mod generated;
mod money;
pub mod operation;
mod order_id;
pub mod reconcile;
pub mod signing;
mod status;
mod texts;
mod tls;

// What successful calls return, by operation family (the spec's tags).
pub use answer::{
    ApplePayMerchantSession, B2bTransfer, B2bTransferState, B2bTransferStatus, B2bWebhookCheck,
    CardPage, Charge, InstallmentOptions, InvoiceCreated, PaymentAndCardPage, PaymentPage, Refund,
    SavedCardState, SavedCardStatus, TokenPayment, TransactionStatus, Wallet, WalletList, Widget,
};
pub use generated::types::HostedPageCurrency;

pub use bank_code::{Advice, BankCode};
pub use callback::{Callback, CallbackError};
pub use client::{
    B2bTransferRequest, Call, CheckoutForm, Client, DEFAULT_SETTLE_WINDOW, Preview, Resolution,
    Resolve, Traced,
};
pub use config::{Config, ConfigError};
pub use error::{Delivery, Error, Result};
pub use flag::Flag;
pub use generated::types::{Currency, Language};
pub use money::{AmountError, Money};
pub use operation::{OPERATIONS, OperationId, ops};
pub use order_id::validate_order_id;
/// Exact decimal numbers (the type of every amount); `epoint_az::dec!(30.75)` builds one.
pub use rust_decimal::Decimal;
pub use signing::{Keys, SignatureError};
pub use status::PaymentStatus;
pub use texts::Localized;
pub use tls::http_client_builder;

/// The OpenAPI 3.0.3 document this crate was generated from, as YAML text: `openapi/epoint.yaml`,
/// or the file `EPOINT_SPEC` named at build time. The wire types, the operation table and
/// `epoint probe`'s schema checks all follow it.
///
/// ```
/// assert!(epoint_az::SPEC_YAML.starts_with("openapi: 3.0.3"));
/// assert!(epoint_az::SPEC_YAML.contains("/api/1/get-status:"));
/// ```
pub const SPEC_YAML: &str = include_str!(env!("EPOINT_SPEC_PATH"));

#[doc(hidden)]
pub mod __private {
    pub use crate::money::parse_decimal;
}

/// The Rust blocks of README.md and docs/*.md, compiled (and, unless `no_run`, run) by
/// `cargo test --doc`: the crate's front page is the doc comment above, so these pages are
/// doc-tested here. A page whose blocks need a feature is included only with it.
#[cfg(doctest)]
mod guides {
    #[cfg(feature = "axum")]
    #[doc = include_str!("../README.md")]
    struct Readme;
    #[doc = include_str!("../docs/architecture.md")]
    struct Architecture;
    #[cfg(feature = "axum")]
    #[doc = include_str!("../docs/callbacks.md")]
    struct Callbacks;
    #[doc = include_str!("../docs/changing-the-spec.md")]
    struct ChangingTheSpec;
    #[doc = include_str!("../docs/cli.md")]
    struct Cli;
    #[doc = include_str!("../docs/configuration.md")]
    struct Configuration;
    #[doc = include_str!("../docs/errors.md")]
    struct Errors;
    #[doc = include_str!("../docs/languages.md")]
    struct Languages;
    #[doc = include_str!("../docs/operations.md")]
    struct Operations;
    #[doc = include_str!("../docs/other-languages.md")]
    struct OtherLanguages;
    #[doc = include_str!("../docs/sandbox.md")]
    struct Sandbox;
}
