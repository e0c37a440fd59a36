//! Load with reconciliation: N payments at concurrency C through the embedded sandbox, each
//! completed by two racing completions (paid vs declined) and, when paid, two racing partial
//! refunds of 60 % each; then the ledger is reconciled: transaction ids unique, refunded ≤ paid
//! for every transaction, exactly one winner per raced completion, at most one winner per
//! raced refund pair, and every callback delivered, valid and signed.
//!
//! ```sh
//! cargo run --all-features --example load_reconcile -- 2000 64   # payments, concurrency
//! ```
//!
//! (`--release` for figures without debug overhead; BENCHMARKS.md records a debug run.)
//!
//! Prints the figures (payments/s, refunds, conflicts, time). `tests/client/load_reconcile.rs` runs a
//! small version of the same code.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use epoint_az::{Decimal, Keys, PaymentStatus};
use epoint_az_sandbox::{Outcome, Sandbox, SandboxError};
use tokio::{sync::Semaphore, task::JoinSet};

/// What one run did, and what reconciliation found.
#[derive(Debug, Default)]
pub struct Report {
    pub payments: usize,
    pub concurrency: usize,
    pub approved: usize,
    pub declined: usize,
    /// Completions that lost their race (must equal `payments`: one loser per pair).
    pub completion_conflicts: usize,
    pub refunds: usize,
    /// Refunds refused because the other one of the pair had taken the money.
    pub refund_conflicts: usize,
    pub callbacks_valid: usize,
    pub elapsed: Duration,
    /// Reconciliation failures; empty when everything adds up.
    pub problems: Vec<String>,
}

impl Report {
    pub fn payments_per_second(&self) -> f64 {
        self.payments as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The merchant's callback endpoint: verifies every callback with the merchant's keys.
async fn callback_receiver(keys: Keys) -> (String, Arc<Mutex<Vec<Result<String, String>>>>) {
    use axum::{Router, body::Bytes, routing::post};
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    let app = Router::new().route(
        "/epoint/result",
        post(move |body: Bytes| {
            let (keys, store) = (keys.clone(), store.clone());
            async move {
                let verdict = keys
                    .verify_callback(&body)
                    .map(|c| c.payload.transaction.unwrap_or_default())
                    .map_err(|e| e.to_string());
                store
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(verdict);
                "OK"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the callback receiver");
    let url = format!(
        "http://{}/epoint/result",
        listener.local_addr().expect("address")
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, received)
}

/// One payment's story: created, raced completion, raced refunds.
#[derive(Debug, Default)]
struct Story {
    transaction: String,
    completion_winners: usize,
    completion_conflicts: usize,
    approved: bool,
    refunds: usize,
    refund_conflicts: usize,
    error: Option<String>,
}

/// Runs `payments` payments at `concurrency` and reconciles.
pub async fn run(payments: usize, concurrency: usize) -> Report {
    let keys = Keys::new("i000000001", "sandbox_private_key_0000000001");
    let (result_url, received) = callback_receiver(keys).await;
    let sandbox = Arc::new(
        Sandbox::builder()
            .result_url(result_url)
            .start()
            .await
            .expect("sandbox"),
    );
    let client = Arc::new(sandbox.client().expect("client"));
    let gate = Arc::new(Semaphore::new(concurrency.max(1)));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for i in 0..payments {
        let (sandbox, client, gate) = (sandbox.clone(), client.clone(), gate.clone());
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await.expect("semaphore");
            let mut story = Story::default();
            // 1.00 … 100.99: varied amounts, two decimals.
            let amount = Decimal::new(100 + (i as i64 * 37) % 10_000, 2);
            let payment = match client.pay(amount, format!("load-{i}")).await {
                Ok(p) => p,
                Err(e) => {
                    story.error = Some(format!("pay: {e}"));
                    return story;
                }
            };
            story.transaction = payment.transaction.clone();
            // Two completions race: the customer pays in one tab, is declined in another.
            // Which one is polled first alternates, so both kinds of winner occur.
            let (paid, declined) = (Outcome::Paid, Outcome::Declined("116".into()));
            let (first, second) = if i % 2 == 0 {
                (paid, declined)
            } else {
                (declined, paid)
            };
            let (one, other) = tokio::join!(
                sandbox.complete(&payment.transaction, first),
                sandbox.complete(&payment.transaction, second),
            );
            for result in [&one, &other] {
                match result {
                    Ok(_) => story.completion_winners += 1,
                    Err(SandboxError::AlreadyCompleted { .. }) => story.completion_conflicts += 1,
                    Err(e) => story.error = Some(format!("complete: {e}")),
                }
            }
            story.approved = [&one, &other]
                .iter()
                .any(|r| r.as_ref().is_ok_and(|c| c.approved));
            if story.approved {
                // Two partial refunds of 60 % race: at most one fits.
                let part = (amount * Decimal::new(6, 1)).round_dp(2);
                let (a, b) = tokio::join!(
                    client.refund(&payment.transaction).amount(part),
                    client.refund(&payment.transaction).amount(part),
                );
                for result in [a, b] {
                    match result {
                        Ok(_) => story.refunds += 1,
                        Err(
                            epoint_az::Error::Rejected { .. } | epoint_az::Error::Declined { .. },
                        ) => story.refund_conflicts += 1,
                        Err(e) => story.error = Some(format!("refund: {e}")),
                    }
                }
            }
            story
        });
    }
    let mut report = Report {
        payments,
        concurrency,
        ..Report::default()
    };
    let mut stories = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(story) => stories.push(story),
            Err(e) => report.problems.push(format!("task failed: {e}")),
        }
    }
    report.elapsed = started.elapsed();

    // Reconcile.
    let mut ids = HashSet::new();
    for story in &stories {
        if let Some(e) = &story.error {
            report.problems.push(format!("{}: {e}", story.transaction));
        }
        if !ids.insert(story.transaction.clone()) {
            report
                .problems
                .push(format!("{} issued twice", story.transaction));
        }
        if story.completion_winners != 1 {
            report.problems.push(format!(
                "{}: {} completions won",
                story.transaction, story.completion_winners
            ));
        }
        if story.refunds > 1 {
            report.problems.push(format!(
                "{}: both 60 % refunds succeeded",
                story.transaction
            ));
        }
        report.completion_conflicts += story.completion_conflicts;
        report.refunds += story.refunds;
        report.refund_conflicts += story.refund_conflicts;
        if story.approved {
            report.approved += 1;
        } else {
            report.declined += 1;
        }
    }
    let ledger = sandbox.transactions();
    if ledger.len() != payments {
        report.problems.push(format!(
            "the ledger has {} transactions for {payments} payments",
            ledger.len()
        ));
    }
    let unique: HashSet<_> = ledger.iter().map(|t| t.id.clone()).collect();
    if unique.len() != ledger.len() {
        report.problems.push("transaction ids repeat".into());
    }
    for tx in &ledger {
        if tx.refunded > tx.amount.amount() {
            report.problems.push(format!(
                "{}: refunded {} of {}",
                tx.id, tx.refunded, tx.amount
            ));
        }
        let expected_paid = ids.contains(&tx.id)
            && matches!(tx.status, PaymentStatus::Success | PaymentStatus::Returned);
        if tx.refunded > Decimal::ZERO && !expected_paid {
            report
                .problems
                .push(format!("{}: refunded but not paid", tx.id));
        }
    }
    // Every completion delivered one valid, signed callback, for a transaction we know.
    let verdicts = received.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut called_back = HashSet::new();
    for verdict in verdicts {
        match verdict {
            Ok(tx) if ids.contains(&tx) => {
                report.callbacks_valid += 1;
                if !called_back.insert(tx.clone()) {
                    report.problems.push(format!("{tx}: two callbacks"));
                }
            }
            Ok(tx) => report.problems.push(format!("callback for unknown {tx:?}")),
            Err(e) => report.problems.push(format!("invalid callback: {e}")),
        }
    }
    if report.callbacks_valid != payments {
        report.problems.push(format!(
            "{} valid callbacks for {payments} completions",
            report.callbacks_valid
        ));
    }
    if sandbox.callbacks().iter().any(|c| !c.delivered()) {
        report.problems.push("a callback was not delivered".into());
    }
    report
}

#[allow(dead_code)]
#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let payments = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let concurrency = args.next().and_then(|a| a.parse().ok()).unwrap_or(64);
    let report = run(payments, concurrency).await;
    println!("payments:              {}", report.payments);
    println!("concurrency:           {}", report.concurrency);
    println!(
        "approved / declined:   {} / {}",
        report.approved, report.declined
    );
    println!("completion conflicts:  {}", report.completion_conflicts);
    println!(
        "refunds / conflicts:   {} / {}",
        report.refunds, report.refund_conflicts
    );
    println!("valid callbacks:       {}", report.callbacks_valid);
    println!(
        "time:                  {:.2} s",
        report.elapsed.as_secs_f64()
    );
    println!("payments/s:            {:.0}", report.payments_per_second());
    if report.problems.is_empty() {
        println!("reconciliation:        OK");
    } else {
        println!("reconciliation:        {} problems", report.problems.len());
        for p in report.problems.iter().take(20) {
            println!("  {p}");
        }
        std::process::exit(1);
    }
}
