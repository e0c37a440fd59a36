//! The ledger's token payments (Apple Pay / Google Pay) and B2B transfers.
//! Plain data; the rules that change it live with the handlers in `gateway/tokens_b2b.rs`.

use std::collections::BTreeMap;

use crate::Money;

/// Token payments and B2B transfers, by id.
#[derive(Default)]
pub(crate) struct TokensB2b {
    pub(crate) tokens: BTreeMap<i64, TokenRecord>,
    pub(crate) next_token: i64,
    pub(crate) b2b: BTreeMap<String, B2bRecord>,
}

pub(crate) struct TokenRecord {
    pub(crate) merchant: String,
    pub(crate) transaction: String,
}

#[derive(Clone)]
pub(crate) struct B2bRecord {
    pub(crate) merchant: String,
    pub(crate) order_id: String,
    pub(crate) amount: Money,
    pub(crate) name: String,
    pub(crate) iban: String,
    pub(crate) webhook_url: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) bulk_id: String,
    pub(crate) webhook_sent: bool,
    pub(crate) created_at: String,
    pub(crate) error_message: Option<String>,
}
