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
#[cfg(feature = "sandbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
pub mod sandbox;
pub mod signing;
mod status;
mod tls;

pub use answer::{CardPage, Charge, PaymentAndCardPage, PaymentPage, Refund, TransactionStatus};
// ── group A re-exports: hosted-page variants, checkout, pre-authorisation, installments, heartbeat ──
pub use crate::{
    answer::InstallmentOptions, client::CheckoutForm, generated::types::HostedPageCurrency,
};
// ── end of group A ──

// ── group B re-exports: wallets, invoices, saved-card status, widget ──
pub use answer::{InvoiceCreated, SavedCardState, SavedCardStatus, Wallet, WalletList, Widget};
// ── end of group B ──

// ── group C re-exports: Apple Pay / Google Pay tokens, token split payment, B2B transfers ──
mod b2b;
pub use crate::{
    answer::{
        ApplePayMerchantSession, B2bTransfer, B2bTransferState, B2bTransferStatus, B2bWebhookCheck,
        TokenPayment,
    },
    b2b::B2bTransferRequest,
};
// ── end of group C ──

pub use bank_code::BankCode;
pub use callback::{Callback, CallbackError};
pub use client::{Call, Client, Preview};
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
pub use tls::http_client_builder;

#[doc(hidden)]
pub mod __private {
    pub use crate::money::parse_decimal;
}
