//! A small run of `examples/load_reconcile.rs`: 300 payments at concurrency 32 through the
//! sandbox, raced completions and raced partial refunds, then the ledger reconciled.

#[path = "../../examples/load_reconcile.rs"]
#[allow(dead_code)]
mod load;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_payments_reconcile() {
    let report = tokio::time::timeout(std::time::Duration::from_secs(120), load::run(300, 32))
        .await
        .expect("bounded in time");
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(report.approved + report.declined, 300);
    assert_eq!(report.completion_conflicts, 300, "one loser per raced pair");
    assert_eq!(
        report.refunds + report.refund_conflicts,
        2 * report.approved
    );
    assert_eq!(
        report.refunds, report.approved,
        "exactly one 60 % refund fits"
    );
    assert_eq!(report.callbacks_valid, 300);
}
