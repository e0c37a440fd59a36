//! Unknown outcomes become resolvable: a payment whose request timed out (the client gave up,
//! the gateway went on) or whose callback was lost is looked up by the merchant's `order_id`,
//! against the embedded sandbox over real loopback HTTP.

use std::time::{Duration, Instant};

use epoint_az::{Client, Delivery, Error, OperationId, PaymentStatus, Resolution, dec};
use epoint_az_sandbox::{Fault, Outcome, Sandbox};

/// The real incident: the latency fault holds the answer past the client's timeout, so the
/// client reports "may have been sent" (with the order id), while the sandbox creates the
/// payment anyway. The lookup by order id finds it (`new`), and once the customer has paid on
/// the hosted page it reads `success`.
#[tokio::test]
async fn a_timed_out_payment_is_found_by_its_order_id() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let config = sandbox
        .config_for("i000000001")
        .expect("config")
        .timeout(Duration::from_millis(150));
    let client = Client::new(config).expect("client");
    sandbox.inject(
        OperationId::PaymentRequest,
        Fault::Latency(Duration::from_millis(500)),
    );

    let err = client
        .pay(dec!(30.75), "incident-1")
        .await
        .expect_err("the client gives up before the answer");
    assert!(err.may_have_reached_epoint(), "{err:?}");
    match &err {
        Error::Transport {
            delivery, order_id, ..
        } => {
            assert_eq!(*delivery, Delivery::MaybeSent);
            assert_eq!(order_id.as_deref(), Some("incident-1"));
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(err.order_id(), Some("incident-1"));
    assert!(err.to_string().contains("order_id incident-1"), "{err}");

    // The gateway is still working on it: until then EPoint does not know the order.
    let started = Instant::now();
    let found = loop {
        match client.get_order_status("incident-1").await {
            Ok(found) => break found,
            Err(Error::Rejected { message, .. }) => {
                assert_eq!(message, "Order not found");
                assert!(
                    started.elapsed() < Duration::from_secs(10),
                    "the payment never arrived"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(other) => panic!("lookup failed: {other:?}"),
        }
    };
    assert_eq!(found.status, PaymentStatus::New);
    assert_eq!(found.answer.order_id.as_deref(), Some("incident-1"));
    let transaction = found.answer.transaction.clone().expect("a transaction");
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);

    sandbox
        .complete(&transaction, Outcome::Paid)
        .await
        .expect("the customer pays");
    let paid = client.get_order_status("incident-1").await.expect("lookup");
    assert_eq!(paid.status, PaymentStatus::Success);
    assert!(paid.is_paid());
    assert_eq!(
        paid.answer.transaction.as_deref(),
        Some(transaction.as_str())
    );
    assert_eq!(paid.answer.amount.map(|m| m.amount()), Some(dec!(30.75)));
}

#[tokio::test]
async fn the_lookup_answers_the_orders_latest_transaction_and_refuses_unknown_orders() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let first = client.pay(dec!(5.00), "retry-1").await.expect("first try");
    sandbox
        .complete(&first.transaction, Outcome::Declined("116".into()))
        .await
        .expect("declined");
    let second = client.pay(dec!(5.00), "retry-1").await.expect("second try");

    let latest = client.get_order_status("retry-1").await.expect("lookup");
    assert_eq!(
        latest.answer.transaction.as_deref(),
        Some(second.transaction.as_str())
    );
    assert_eq!(latest.status, PaymentStatus::New);
    let by_transaction = client
        .get_transaction_status(&first.transaction)
        .await
        .expect("lookup");
    assert_eq!(by_transaction.status, PaymentStatus::Error);
    assert_eq!(by_transaction.answer.order_id.as_deref(), Some("retry-1"));

    match client.get_order_status("never-sent").await {
        Err(Error::Rejected {
            status, message, ..
        }) => {
            assert_eq!(status, PaymentStatus::Error);
            assert_eq!(message, "Order not found");
        }
        other => panic!("expected EPoint's refusal, got {other:?}"),
    }
    // Another merchant's order is unknown to this one.
    let other = sandbox.client_for("i000000002").expect("second merchant");
    assert!(matches!(
        other.get_order_status("retry-1").await,
        Err(Error::Rejected { .. })
    ));
}

#[tokio::test]
async fn the_status_answer_carries_the_saved_card_of_a_registration_with_payment() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let page = client
        .pay_and_save_card(dec!(1.00), "card-and-pay-1")
        .description("first month")
        .await
        .expect("page");
    sandbox
        .complete(&page.transaction, Outcome::Paid)
        .await
        .expect("paid");
    let state = client
        .get_order_status("card-and-pay-1")
        .await
        .expect("lookup");
    assert_eq!(state.answer.card_id.as_deref(), Some(page.card_id.as_str()));
    let plain = client.pay(dec!(1.00), "plain-1").await.expect("page");
    let state = client
        .get_transaction_status(&plain.transaction)
        .await
        .expect("lookup");
    assert_eq!(state.answer.card_id, None, "a plain payment saves no card");
}

#[tokio::test]
async fn an_invalid_order_id_fails_before_anything_is_sent() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    for bad in ["", "  ", "a\nb", "nul\0", &"x".repeat(256)] {
        match client.get_order_status(bad).await {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "order_id", "{bad:?}"),
            other => panic!("{bad:?}: expected InvalidInput, got {other:?}"),
        }
    }
    assert_eq!(sandbox.request_count(OperationId::GetStatus), 0);
}

/// The library's reconciliation stream: one row per order, in input order, none dropped; the
/// known orders found with their transaction, the unknown ones `NotFound`, an invalid one
/// `Failed` (before anything is sent for it).
#[tokio::test]
async fn reconcile_yields_a_row_per_order_in_input_order() {
    use epoint_az::reconcile::{Lookup, StreamExt, reconcile};

    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let mut expected = Vec::new();
    for i in 0..6 {
        let order_id = format!("rec-{i}");
        if i % 2 == 0 {
            let page = client.pay(dec!(2.50), &order_id).await.expect("pay");
            expected.push((order_id, Some(page.transaction)));
        } else {
            expected.push((order_id, None));
        }
    }
    let mut ids: Vec<String> = expected.iter().map(|(id, _)| id.clone()).collect();
    ids.push("bad\nid".into());
    let rows: Vec<_> = reconcile(&client, ids.clone(), 3).collect().await;
    assert_eq!(
        rows.iter().map(|r| r.order_id.clone()).collect::<Vec<_>>(),
        ids,
        "input order, no row dropped"
    );
    for (row, (_, transaction)) in rows.iter().zip(&expected) {
        match (&row.lookup, transaction) {
            (Lookup::Found(state), Some(tx)) => {
                assert_eq!(state.answer.transaction.as_ref(), Some(tx));
                assert_eq!(state.status, PaymentStatus::New);
            }
            (Lookup::NotFound { message }, None) => assert_eq!(message, "Order not found"),
            (other, _) => panic!("{}: unexpected {other:?}", row.order_id),
        }
    }
    let last = rows.last().expect("the invalid one");
    assert!(!last.lookup.is_answered());
    assert!(matches!(
        &last.lookup,
        Lookup::Failed(Error::InvalidInput {
            field: "order_id",
            ..
        })
    ));
    assert_eq!(
        sandbox.request_count(OperationId::GetStatus),
        6,
        "nothing sent for the invalid id"
    );
}

/// "Not found" right after an unknown outcome is not an answer: the gateway is still working
/// on the request. `Client::resolve` waits it out (from the error's `sent_at`) and finds the
/// payment; exactly one payment reached the sandbox.
#[tokio::test]
async fn resolve_finds_a_payment_that_settles_after_the_client_gave_up() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let config = sandbox
        .config_for("i000000001")
        .expect("config")
        .timeout(Duration::from_millis(150));
    let client = Client::new(config).expect("client");
    sandbox.inject(
        OperationId::PaymentRequest,
        Fault::Latency(Duration::from_millis(1200)),
    );
    let before = std::time::SystemTime::now();
    let err = client
        .pay(dec!(12.00), "slow-1")
        .await
        .expect_err("the client gives up before the answer");
    let sent_at = err
        .sent_at()
        .expect("a transport error records when it was sent");
    assert!(sent_at >= before && sent_at <= std::time::SystemTime::now());

    // The incident: at once, EPoint does not know the order yet.
    assert!(matches!(
        client.get_order_status("slow-1").await,
        Err(Error::Rejected { .. })
    ));

    let resolve = client
        .resolve(&err)
        .expect("a may-have-been-sent error with its order id");
    match resolve.settle_window(Duration::from_secs(30)).await {
        Ok(Resolution::Found(state)) => {
            assert_eq!(state.status, PaymentStatus::New);
            assert_eq!(state.answer.order_id.as_deref(), Some("slow-1"));
        }
        other => panic!("expected the payment, got {other:?}"),
    }
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
    let payments = sandbox
        .transactions()
        .into_iter()
        .filter(|tx| tx.order_id == "slow-1")
        .count();
    assert_eq!(payments, 1, "no second payment");
}

/// An order EPoint never received is "never arrived" only once the window has passed, after
/// more than one lookup; a window already over when resolving starts takes one lookup.
#[tokio::test]
async fn resolve_says_never_arrived_only_after_the_window() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let resolution = client
        .resolve_order("never-sent")
        .settle_window(Duration::from_millis(700))
        .await
        .expect("a valid order id");
    match &resolution {
        Resolution::NeverArrived { message, lookups } => {
            assert_eq!(message, "Order not found");
            assert!(*lookups >= 2, "polled until the window passed: {lookups}");
        }
        other => panic!("expected NeverArrived, got {other:?}"),
    }
    assert!(resolution.is_safe_to_retry());
    let requests = sandbox.request_count(OperationId::GetStatus);

    let long_ago = std::time::SystemTime::now() - Duration::from_secs(600);
    match client
        .resolve_order("never-sent")
        .sent_at(long_ago)
        .settle_window(Duration::from_secs(120))
        .await
    {
        Ok(Resolution::NeverArrived { lookups, .. }) => assert_eq!(lookups, 1),
        other => panic!("expected NeverArrived, got {other:?}"),
    }
    assert_eq!(sandbox.request_count(OperationId::GetStatus), requests + 1);
}

/// When the lookups themselves fail up to the end of the window, nothing is settled: the
/// answer is "still unknown" with the last error, never "never arrived".
#[tokio::test]
async fn resolve_with_failing_lookups_stays_unknown() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    }; // closed again: connections are refused
    let config = epoint_az::Config::new("i000000001", "key")
        .base_url(format!("http://127.0.0.1:{port}"))
        .status_retries(0);
    let client = Client::new(config).expect("client");
    match client
        .resolve_order("order-1")
        .settle_window(Duration::from_millis(400))
        .await
    {
        Ok(Resolution::StillUnknown { error, lookups }) => {
            assert!(lookups >= 2, "{lookups}");
            assert!(matches!(
                error,
                Error::Transport {
                    delivery: Delivery::NotSent,
                    ..
                }
            ));
        }
        other => panic!("expected StillUnknown, got {other:?}"),
    }
    // An invalid order id fails before anything is sent.
    assert!(matches!(
        client.resolve_order("a\nb").await,
        Err(Error::InvalidInput {
            field: "order_id",
            ..
        })
    ));
}

/// Only an error that may have reached EPoint and names its order id is resolvable.
#[tokio::test]
async fn resolve_needs_a_may_have_been_sent_error_with_an_order_id() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let invalid = client.pay(dec!(0), "x").await.expect_err("invalid amount");
    assert!(client.resolve(&invalid).is_none());
    sandbox.inject(OperationId::PaymentRequest, Fault::DropConnection);
    let dropped = client.pay(dec!(1.00), "drop-1").await.expect_err("dropped");
    assert!(dropped.may_have_reached_epoint());
    let resolve = client.resolve(&dropped).expect("resolvable");
    assert!(format!("{resolve:?}").contains("drop-1"));
}
