//! The library under the `epoint` command: [`probe`], a read-only check of EPoint's live
//! answers against the spec the client was built from.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let keys = epoint_az::Keys::new("i000000001", std::env::var("EPOINT_PRIVATE_KEY")?);
//! let report = epoint_az_cli::probe::Probe::new("https://epoint.az", keys).run().await?;
//! println!("{}", if report.conforms() { "EPoint matches the spec" } else { "EPoint changed" });
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

pub mod probe;
