#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

#[cfg(feature = "axum")]
pub mod axum;
pub mod bank_code;
#[cfg(feature = "blocking")]
pub mod blocking;
pub mod callback;
pub mod client;
pub mod config;
mod error;
mod flag;
pub mod generated;
mod money;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod signing;
mod status;

pub use bank_code::BankCode;
pub use callback::{Callback, CallbackError};
pub use client::{Call, Client, Preview};
pub use config::{Config, ConfigError};
pub use error::{Delivery, Error, Result};
pub use flag::Flag;
pub use generated::types;
pub use money::{AmountError, Money};
pub use signing::{Keys, SignatureError};
pub use status::PaymentStatus;
