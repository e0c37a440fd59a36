//! What the running sandbox remembers, behind one lock: the merchants, the [`Ledger`], the
//! requests received, the callbacks delivered and the faults armed; beside it the base URL
//! and the HTTP client that delivers callbacks.
//!
//! It may import [`super::ledger`], [`super::callbacks`] (the delivery record) and
//! [`super::model`].

use std::{
    collections::{HashMap, VecDeque},
    sync::{Mutex, MutexGuard, PoisonError},
};

use serde::Serialize;

use super::{
    callbacks::CallbackDelivery,
    ledger::Ledger,
    model::{Fault, Merchants},
};

/// State shared by the HTTP handlers, the hosted page and the `Sandbox` handle.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// `http://IP:PORT`, where the sandbox serves.
    pub(crate) base_url: String,
    /// Delivers callbacks.
    pub(crate) http: reqwest::Client,
}

impl Shared {
    pub(crate) fn new(
        merchants: Merchants,
        base_url: String,
        http: reqwest::Client,
        request_log_limit: usize,
        ledger_limit: Option<usize>,
    ) -> Self {
        Self {
            state: Mutex::new(State {
                merchants,
                ledger: Ledger::with_limit(ledger_limit),
                requests: RequestLog::new(request_log_limit),
                callbacks: std::collections::VecDeque::new(),
                callback_log_limit: request_log_limit,
                faults: Faults::default(),
            }),
            base_url,
            http,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The sandbox's data.
pub(crate) struct State {
    pub(crate) merchants: Merchants,
    pub(crate) ledger: Ledger,
    pub(crate) requests: RequestLog,
    /// The newest callback deliveries, at most `callback_log_limit` (the request log's limit).
    pub(crate) callbacks: std::collections::VecDeque<CallbackDelivery>,
    pub(crate) callback_log_limit: usize,
    pub(crate) faults: Faults,
}

impl State {
    /// Records a callback delivery, dropping the oldest past the limit.
    /// Records a B2B webhook's delivery with the callbacks, and marks the transfer's webhook
    /// as sent when the merchant accepted it.
    pub(crate) fn record_b2b_webhook(&mut self, delivery: CallbackDelivery) {
        if delivery.delivered()
            && let Some(record) = self.ledger.tokens_b2b.b2b.get_mut(&delivery.id)
        {
            record.webhook_sent = true;
        }
        self.record_callback(delivery);
    }

    pub(crate) fn record_callback(&mut self, delivery: CallbackDelivery) {
        if self.callback_log_limit == 0 {
            return;
        }
        while self.callbacks.len() >= self.callback_log_limit {
            self.callbacks.pop_front();
        }
        self.callbacks.push_back(delivery);
    }
}

/// A request the sandbox received on one of the ten operations.
///
/// ```no_run
/// # async fn run(sandbox: epoint_az_sandbox::Sandbox) {
/// for request in sandbox.requests(epoint_az::OperationId::ExecutePay) {
///     println!("{} {:?} -> {:?}", request.path, request.payload, request.answer);
/// }
/// # }
/// ```
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// The spec's operationId.
    pub operation: &'static str,
    /// The path.
    pub path: &'static str,
    /// `"form"` or `"json"` envelope.
    pub envelope: &'static str,
    /// The decoded `data` JSON, if it decoded (whether or not the signature matched).
    pub payload: Option<serde_json::Value>,
    /// Whether the signature matched a known merchant's key.
    pub verified: bool,
    /// The JSON answered, if the request was answered with JSON.
    pub answer: Option<serde_json::Value>,
    /// The fault applied, if any (its `Debug` text).
    pub fault: Option<String>,
}

/// The requests received: the newest `limit` are kept (the oldest dropped first), and every
/// request is counted per operation, so counts stay exact however long the sandbox runs.
pub(crate) struct RequestLog {
    entries: VecDeque<ReceivedRequest>,
    limit: usize,
    counts: HashMap<&'static str, usize>,
}

impl RequestLog {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            limit,
            counts: HashMap::new(),
        }
    }

    /// Counts the request and keeps it, dropping the oldest beyond the limit.
    pub(crate) fn push(&mut self, request: ReceivedRequest) {
        *self.counts.entry(request.operation).or_default() += 1;
        if self.limit == 0 {
            return;
        }
        while self.entries.len() >= self.limit {
            self.entries.pop_front();
        }
        self.entries.push_back(request);
    }

    /// The requests kept, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &ReceivedRequest> {
        self.entries.iter()
    }

    /// The requests kept, oldest first.
    pub(crate) fn to_vec(&self) -> Vec<ReceivedRequest> {
        self.entries.iter().cloned().collect()
    }

    /// Every request this operation received, kept or not.
    pub(crate) fn count(&self, operation: &str) -> usize {
        self.counts.get(operation).copied().unwrap_or(0)
    }
}

/// A fault rule: the fault, and how many more requests it applies to (`None`: all).
#[derive(Clone, Debug)]
pub(crate) struct FaultRule {
    pub(crate) fault: Fault,
    pub(crate) times: Option<u32>,
}

/// The faults armed, by operationId.
#[derive(Default)]
pub(crate) struct Faults(HashMap<&'static str, FaultRule>);

impl Faults {
    /// Arms a fault for an operation, replacing the one it had.
    pub(crate) fn arm(&mut self, operation: &'static str, rule: FaultRule) {
        self.0.insert(operation, rule);
    }

    /// Disarms every fault.
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// The fault for this request, counting it down.
    pub(crate) fn take(&mut self, operation: &'static str) -> Option<Fault> {
        let rule = self.0.get_mut(operation)?;
        let fault = rule.fault.clone();
        match &mut rule.times {
            Some(0) => {
                self.0.remove(operation);
                return None;
            }
            Some(n) => {
                *n -= 1;
                if *n == 0 {
                    self.0.remove(operation);
                }
            }
            None => {}
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_count_down_and_disappear() {
        let mut faults = Faults::default();
        faults.arm(
            "reverse",
            FaultRule {
                fault: Fault::DropConnection,
                times: Some(2),
            },
        );
        assert_eq!(faults.take("reverse"), Some(Fault::DropConnection));
        assert_eq!(faults.take("reverse"), Some(Fault::DropConnection));
        assert_eq!(faults.take("reverse"), None);
        assert_eq!(faults.take("get_status"), None);
    }

    #[test]
    fn the_request_log_keeps_the_newest_and_counts_all() {
        let mut log = RequestLog::new(3);
        for operation in ["reverse", "reverse", "get_status", "reverse", "reverse"] {
            log.push(ReceivedRequest {
                operation,
                path: "/",
                envelope: "form",
                payload: None,
                verified: false,
                answer: None,
                fault: None,
            });
        }
        assert_eq!(log.to_vec().len(), 3);
        assert_eq!((log.count("reverse"), log.count("get_status")), (4, 1));
        assert_eq!(log.iter().next().map(|r| r.operation), Some("get_status"));
    }
}
