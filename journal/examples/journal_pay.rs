//! A journaled payment against the embedded sandbox, an unknown outcome, and its resolution:
//!
//! ```text
//! cargo run -p epoint-az-journal --example journal_pay -- sqlite:/tmp/shop.db
//! ```
//!
//! The journal URL is the first argument (default `sqlite::memory:`); a PostgreSQL URL works
//! the same. It prints the journal as CSV at the end.

use std::time::Duration;

use epoint_az::{Client, OperationId, dec};
use epoint_az_journal::{Journal, JournalError};
use epoint_az_sandbox::{Fault, Sandbox};

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite::memory:".to_owned());
    let journal = Journal::open(&url).await?;
    let sandbox = Sandbox::start().await?;
    let config = sandbox
        .config_for("i000000001")?
        .settle_window(Duration::from_secs(30));
    let client = Client::new(config.clone())?;
    let run = std::process::id();

    // The common case, one line.
    let page = journal
        .pay(&client, dec!(12.00), &format!("shop-{run}-1"))
        .await?;
    println!(
        "order shop-{run}-1: send the customer to {}",
        page.redirect_url
    );

    // The same order again is refused by the journal; nothing is sent.
    match journal
        .pay(&client, dec!(12.00), &format!("shop-{run}-1"))
        .await
    {
        Err(e @ JournalError::OrderTaken { .. }) => println!("refused: {e}"),
        other => println!("unexpected: {other:?}"),
    }

    // EPoint is slow and the client gives up: the outcome is unknown, and recorded as such.
    sandbox.inject_times(
        OperationId::PaymentRequest,
        Fault::Latency(Duration::from_millis(800)),
        Some(1),
    );
    let impatient = Client::new(config.timeout(Duration::from_millis(200)))?;
    if let Err(e) = journal
        .pay(&impatient, dec!(5.00), &format!("shop-{run}-2"))
        .await
    {
        println!("{e}");
    }
    println!("unresolved: {}", journal.unresolved().await?.len());

    // Later (or after a restart): settle what is unknown.
    journal.resolve(&client).await?;

    println!("order_id,operation,amount,state,transaction,status");
    for e in journal.entries().await? {
        println!(
            "{},{},{},{},{},{}",
            e.order_id,
            e.operation,
            e.amount.map(|a| a.to_string()).unwrap_or_default(),
            e.state,
            e.transaction.unwrap_or_default(),
            e.status.unwrap_or_default()
        );
    }
    Ok(())
}
