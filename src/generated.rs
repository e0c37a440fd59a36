//! The raw client and wire types, generated at build time from `openapi/epoint.yaml`.
//!
//! Nothing here is written by hand: `build.rs` runs progenitor over the spec. Use
//! [`crate::Client`] for signed calls; use these types for payloads, answers and callbacks.
#![allow(
    clippy::all,
    clippy::pedantic,
    missing_docs,
    unused_imports,
    rustdoc::all,
    unreachable_pub
)]

include!(concat!(env!("OUT_DIR"), "/epoint.rs"));
