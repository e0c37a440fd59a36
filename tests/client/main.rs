//! The client: what it sends and how it reads every answer, over real HTTP on loopback (the
//! capture server in `tests/capture/`, or the embedded sandbox).
//!
//! - `wire*`: each operation family on the wire and each kind of answer as a typed `Result`;
//! - `payload_snapshots`: every outgoing request pinned (insta snapshots in `snapshots/`);
//! - `vectors`: the language-neutral known answers of `openapi/vectors.json`;
//! - `config`, `retries`, `transport_errors`, `unknown_outcomes`, `fault_matrix`: configuration,
//!   the retry rule, transport errors and the outcomes that stay unknown;
//! - `callbacks`, `reconcile`, `logging`: callback decoding, reconciliation, what is logged;
//! - `properties`, `fuzz_corpus`: property tests and the fuzz corpus on stable Rust;
//! - `load_reconcile`: a small run of `examples/load_reconcile.rs`.
//!
//! The tests that set a process-wide environment variable have a binary each: `tests/proxy.rs`,
//! `tests/tls.rs`.

#[path = "../capture/mod.rs"]
mod capture;

mod callbacks;
mod config;
mod fault_matrix;
mod fuzz_corpus;
mod load_reconcile;
mod logging;
mod payload_snapshots;
mod properties;
mod reconcile;
mod retries;
mod transport_errors;
mod unknown_outcomes;
mod vectors;
mod wire;
mod wire_payment_variants;
mod wire_tokens_b2b;
mod wire_wallets_invoices;
