#![doc = include_str!("../README.md")]
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
pub mod reconcile;
#[cfg(feature = "sandbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
pub mod sandbox;
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
/// Exact decimal numbers (the type of every amount); `epoint_az::dec!(30.75)` builds one.
pub use rust_decimal::Decimal;
pub use signing::{Keys, SignatureError};
pub use status::PaymentStatus;
pub use texts::Localized;
pub use tls::http_client_builder;

#[doc(hidden)]
pub mod __private {
    pub use crate::money::parse_decimal;
}
