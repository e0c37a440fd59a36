pub mod bank_code;
pub mod generated;
mod money;
mod status;
pub use bank_code::BankCode;
pub use money::{AmountError, Money};
pub use status::PaymentStatus;
pub use generated::types;
