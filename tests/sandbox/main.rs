//! The sandbox (`epoint-az-sandbox`) driven by the client, over real HTTP on loopback.
//!
//! - `e2e*`: every operation end to end, its refusals and injected faults, by family;
//! - `schema*`: the sandbox's answers and callbacks conform to the spec's response schemas;
//! - `page_language`: the hosted page in the language the payment asked for;
//! - `hostile`: hostile input, each case accepted once before its fix;
//! - `browser_hosted_page`: the hosted page in headless Chromium (skipped without a browser,
//!   unless `EPOINT_REQUIRE_BROWSER` is set).
//!
//! Shared helpers: `tests/sandbox_support/` (a merchant's callback endpoint, signed requests;
//! also used by `cli/tests/`) and `tests/capture/`.

#[path = "../capture/mod.rs"]
mod capture;
#[path = "../sandbox_support/mod.rs"]
mod sandbox_support;

mod browser_hosted_page;
mod e2e;
mod e2e_faults;
mod e2e_payment_variants;
mod e2e_tokens_b2b;
mod e2e_wallets_invoices;
mod hostile;
mod page_language;
mod schema;
mod schema_tokens_b2b;
