//! The contract: `openapi/` and the code cannot drift apart silently.
//!
//! - `schema_contract`: the Rust types' JSON Schemas equal the spec's component schemas;
//! - `generated_surface`: the API surface generated from the spec (an insta snapshot in
//!   `snapshots/`);
//! - `drift`: every spec operation has a client method, a sandbox handler, a payload snapshot,
//!   wire and end-to-end tests;
//! - `texts`: `openapi/texts.json` against the official wording and the crate's tables;
//! - `callback_schema_file`: `openapi/callback.schema.json` against the sandbox's callbacks.

#[path = "../capture/mod.rs"]
mod capture;
#[path = "../sandbox_support/mod.rs"]
mod sandbox_support;

mod callback_schema_file;
mod drift;
mod generated_surface;
mod schema_contract;
mod texts;
