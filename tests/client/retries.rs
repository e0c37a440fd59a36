//! Only read-only status queries are retried, and only on network failures or "try again"
//! answers; every call that creates a payment or moves money is sent exactly once. Proven
//! over real sockets with the sandbox's fault injection and its request counts.

use epoint_az::{Error, OperationId, PaymentStatus};
use epoint_az_sandbox::{Fault, Outcome, Sandbox};
use rust_decimal_macros::dec;

async fn paid_transaction(sandbox: &Sandbox) -> String {
    let client = sandbox.client().expect("client");
    let created = client.pay(dec!(12.00), "retry-1").await.expect("pay");
    let tx = created.transaction;
    sandbox
        .complete(&tx, Outcome::Paid)
        .await
        .expect("complete");
    tx
}

#[tokio::test]
async fn a_status_query_survives_a_dropped_connection_and_a_502() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let tx = paid_transaction(&sandbox).await;
    let client = sandbox.client().expect("client");

    sandbox.inject_times(OperationId::GetStatus, Fault::DropConnection, Some(1));
    let state = client.get_transaction_status(&tx).await.expect("retried");
    assert_eq!(state.status, PaymentStatus::Success);
    assert_eq!(
        sandbox.request_count(OperationId::GetStatus),
        2,
        "one failure, one retry"
    );

    sandbox.inject_times(
        OperationId::GetStatus,
        Fault::HttpStatus {
            status: 502,
            body: "bad gateway".into(),
        },
        Some(2),
    );
    let state = client
        .get_transaction_status(&tx)
        .await
        .expect("retried twice");
    assert_eq!(state.status, PaymentStatus::Success);
}

#[tokio::test]
async fn status_retries_give_up_after_the_configured_count() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let tx = paid_transaction(&sandbox).await;
    sandbox.inject(
        OperationId::GetStatus,
        Fault::HttpStatus {
            status: 503,
            body: "busy".into(),
        },
    );
    let client = sandbox.client().expect("client");
    let err = client
        .get_transaction_status(&tx)
        .await
        .expect_err("always 503");
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    assert_eq!(
        sandbox.request_count(OperationId::GetStatus),
        3,
        "1 + 2 retries by default"
    );

    let config = sandbox
        .config_for("i000000001")
        .expect("config")
        .status_retries(0);
    let no_retries = epoint_az::Client::new(config).expect("client");
    no_retries
        .get_transaction_status(&tx)
        .await
        .expect_err("503");
    assert_eq!(
        sandbox.request_count(OperationId::GetStatus),
        4,
        "retries off: one more request"
    );
}

#[tokio::test]
async fn calls_that_move_money_are_never_retried() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let tx = paid_transaction(&sandbox).await;
    let client = sandbox.client().expect("client");
    for operation in [OperationId::PaymentRequest, OperationId::Reverse] {
        sandbox.inject(operation, Fault::DropConnection);
    }
    let err = client
        .pay(dec!(1.00), "retry-2")
        .await
        .expect_err("dropped");
    assert!(err.may_have_reached_epoint(), "{err:?}");
    let err = client
        .refund(&tx)
        .amount(dec!(2.00))
        .await
        .expect_err("dropped");
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(
        sandbox.request_count(OperationId::PaymentRequest),
        2,
        "the setup pay + one attempt"
    );
    assert_eq!(
        sandbox.request_count(OperationId::Reverse),
        1,
        "sent exactly once"
    );
    // The dropped refund was processed: the reconciliation a payment engineer must do.
    sandbox.clear_faults();
    let state = client.get_transaction_status(&tx).await.expect("status");
    assert_eq!(state.status, PaymentStatus::Returned);
}
