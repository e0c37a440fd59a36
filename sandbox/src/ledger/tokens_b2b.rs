//! The ledger's token payments (Apple Pay / Google Pay) and B2B transfers.
//! Plain data; the rules that change it live with the handlers in `gateway/tokens_b2b.rs`.

use std::collections::{BTreeMap, VecDeque};

use epoint_az::Money;

/// Token payments and B2B transfers, by id; each kind keeps at most the ledger's limit, the
/// oldest forgotten first (a forgotten one answers like an unknown one).
#[derive(Default)]
pub(crate) struct TokensB2b {
    pub(crate) tokens: BTreeMap<i64, TokenRecord>,
    next_token: i64,
    pub(crate) b2b: BTreeMap<String, B2bRecord>,
    /// The keys of `b2b`, oldest first (order ids do not sort by age).
    b2b_created: VecDeque<String>,
}

impl TokensB2b {
    /// Records a token payment, forgetting the oldest past `limit`; its id.
    pub(crate) fn add_token(&mut self, limit: usize, record: TokenRecord) -> i64 {
        self.next_token += 1;
        let id = 1_000_000 + self.next_token;
        // Ids grow: the first is the oldest.
        super::make_room(&mut self.tokens, limit);
        self.tokens.insert(id, record);
        id
    }

    /// Records a B2B transfer under its (unused) order id, forgetting the oldest past `limit`.
    pub(crate) fn add_b2b(&mut self, limit: usize, record: B2bRecord) {
        while self.b2b.len() >= limit.max(1) {
            let Some(oldest) = self.b2b_created.pop_front() else {
                break;
            };
            self.b2b.remove(&oldest);
        }
        self.b2b_created.push_back(record.order_id.clone());
        self.b2b.insert(record.order_id.clone(), record);
    }
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
