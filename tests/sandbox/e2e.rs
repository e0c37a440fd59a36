//! The client end to end against the embedded sandbox, over real loopback HTTP: every
//! operation, success and failure paths, callbacks for every flow, refund limits, inspection
//! and shutdown. Refusals and injected faults: tests/sandbox/e2e_faults.rs.

use crate::sandbox_support;

use std::time::Duration;

use epoint_az::{Client, Error, Keys, OperationId, PaymentStatus, callback::CallbackFlow};
use epoint_az_sandbox::{CardStatus, Fault, Outcome, Sandbox};
use rust_decimal_macros::dec;
use sandbox_support::{Merchant, keys1, post_signed, rejected, sandbox_with, submit_form};
use serde_json::{Value, json};

/// The only callback received so far, verified with merchant 1's keys.
fn only_callback(merchant: &Merchant) -> epoint_az::Callback {
    let received = merchant.received();
    assert_eq!(received.len(), 1, "exactly one callback: {received:?}");
    keys1()
        .verify_callback(received[0].as_bytes())
        .expect("the callback is signed with the merchant's private key")
}

fn keys_of(json: &str) -> Vec<String> {
    let value: Value = serde_json::from_str(json).expect("callback JSON");
    let mut keys: Vec<String> = value.as_object().expect("object").keys().cloned().collect();
    keys.sort();
    keys
}

fn declined(err: Error) -> (String, String, Option<String>) {
    match err {
        Error::Declined {
            code,
            transaction,
            message,
            ..
        } => (
            code.expect("a decline keeps the bank code")
                .as_str()
                .to_owned(),
            transaction.expect("a decline keeps the transaction"),
            message,
        ),
        other => panic!("expected Declined, got {other:?}"),
    }
}

#[tokio::test]
async fn pay_callback_status_partial_and_full_refund() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");

    let created = client
        .pay(dec!(30.75), "order-1")
        .description("2 coffees")
        .other_attr(json!({"cart": "42"}))
        .await
        .expect("payment created");
    let tx = created.transaction.clone();
    assert!(tx.starts_with("te"), "{tx}");
    assert_eq!(
        Some(created.redirect_url.as_str()),
        Some(format!("{}/pay/{tx}", sandbox.base_url()).as_str())
    );
    let fresh = client.get_transaction_status(&tx).await.expect("status");
    assert_eq!(fresh.status, PaymentStatus::New);

    let done = sandbox
        .complete(&tx, Outcome::Paid)
        .await
        .expect("complete");
    assert!(done.approved);
    assert!(done.callback.as_ref().is_some_and(|c| c.delivered()));

    let callback = only_callback(&merchant);
    assert_eq!(callback.flow, CallbackFlow::Payment);
    assert!(callback.is_success());
    assert_eq!(callback.payload.order_id.as_deref(), Some("order-1"));
    assert_eq!(callback.payload.transaction.as_deref(), Some(tx.as_str()));
    assert_eq!(callback.payload.operation_code.as_deref(), Some("100"));
    assert_eq!(callback.payload.other_attr, Some(json!({"cart": "42"})));
    assert!(
        callback.json.contains("\"amount\":30.75"),
        "amount is a JSON number: {}",
        callback.json
    );
    assert_eq!(
        keys_of(&callback.json),
        [
            "amount",
            "bank_response",
            "bank_transaction",
            "card_mask",
            "card_name",
            "code",
            "message",
            "operation_code",
            "order_id",
            "other_attr",
            "rrn",
            "status",
            "transaction"
        ],
        "a hosted payment's callback has no card_id / split_amount"
    );

    let paid = client.get_transaction_status(&tx).await.expect("status");
    assert_eq!(paid.status, PaymentStatus::Success);
    assert_eq!(paid.answer.code.as_deref(), Some("000"));
    assert_eq!(paid.answer.card_mask.as_deref(), Some("416973******0000"));
    assert_eq!(paid.answer.amount.map(|m| m.amount()), Some(dec!(30.75)));
    assert_eq!(paid.answer.rrn.as_ref().map(String::len), Some(12));

    client
        .refund(&tx)
        .amount(dec!(10.00))
        .await
        .expect("partial refund");
    let after = client.get_transaction_status(&tx).await.expect("status");
    assert_eq!(after.status, PaymentStatus::Returned);
    assert_eq!(
        sandbox.transaction(&tx).expect("tx").remaining(),
        dec!(20.75)
    );

    let too_much = client.refund(&tx).amount(dec!(25.00)).await.unwrap_err();
    let (status, message) = rejected(too_much);
    assert_eq!(status, PaymentStatus::Error);
    assert!(message.contains("20.75"), "{message}");

    client.refund(&tx).await.expect("refund of the rest");
    assert_eq!(sandbox.transaction(&tx).expect("tx").remaining(), dec!(0));
    let (_, message) = rejected(client.refund(&tx).amount(dec!(0.01)).await.unwrap_err());
    assert!(message.contains("fully refunded"), "{message}");
    assert_eq!(sandbox.request_count(OperationId::Reverse), 4);
}

#[tokio::test]
async fn declined_payment_reports_bank_code_and_cannot_be_refunded() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");
    let tx = client
        .pay(dec!(12.00), "order-declined")
        .await
        .expect("created")
        .transaction;

    let done = sandbox
        .complete(&tx, Outcome::Declined("116".into()))
        .await
        .expect("complete");
    assert!(!done.approved);
    assert!(done.redirect_to.contains("/_sandbox/result/error"));

    let callback = only_callback(&merchant);
    assert!(!callback.is_success());
    assert_eq!(callback.payload.status, PaymentStatus::Failed);
    assert_eq!(callback.payload.code.as_deref(), Some("116"));
    assert_eq!(
        callback.payload.message.as_deref(),
        Some("Declined, insufficient funds")
    );
    assert!(callback.payload.rrn.is_none(), "rrn only on success");

    let status = client
        .get_transaction_status(&tx)
        .await
        .expect("status is Ok");
    assert_eq!(status.status, PaymentStatus::Error);
    assert_eq!(status.answer.code.as_deref(), Some("116"));

    let (_, message) = rejected(client.refund(&tx).await.unwrap_err());
    assert!(message.contains("cannot be reversed"), "{message}");
    assert!(matches!(
        sandbox.complete(&tx, Outcome::Paid).await,
        Err(epoint_az_sandbox::SandboxError::AlreadyCompleted { .. })
    ));
}

#[tokio::test]
async fn hosted_page_over_plain_http_redirects_and_calls_back() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");
    let http = epoint_az::http_client_builder()
        .expect("tls")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");

    for (card, expect_url, paid) in [
        ("4169 7388 0000 0000", merchant.success_url(), true),
        ("4169 7388 0000 0101", merchant.error_url(), false),
    ] {
        let created = client
            .pay(dec!(5.00), format!("page-{card}"))
            .success_redirect_url(merchant.success_url())
            .error_redirect_url(merchant.error_url())
            .await
            .expect("created");
        let url = created.redirect_url;
        let page = http.get(&url).send().await.expect("page");
        assert_eq!(page.status(), 200);
        let html = page.text().await.expect("html");
        assert!(html.contains("name=\"card_number\"") && html.contains("5.00 AZN"));

        let bad = submit_form(
            &http,
            &url,
            &[
                ("card_number", "12"),
                ("expiry", "12/30"),
                ("cvv", "123"),
                ("card_name", "A"),
            ],
        )
        .await;
        assert_eq!(bad.status(), 422, "an invalid card is refused on the page");

        let submitted = submit_form(
            &http,
            &url,
            &[
                ("card_number", card),
                ("expiry", "12/30"),
                ("cvv", "123"),
                ("card_name", "Test Customer"),
            ],
        )
        .await;
        assert_eq!(submitted.status(), 303);
        assert_eq!(
            submitted.headers()["location"].to_str().expect("location"),
            expect_url
        );
        let tx = created.transaction;
        let state = sandbox.transaction(&tx).expect("tx");
        assert_eq!(state.status == PaymentStatus::Success, paid);
        assert_eq!(state.card_name.is_some(), paid);
        let again = http.get(&url).send().await.expect("page");
        assert_eq!(again.status(), 409, "a completed page cannot be paid twice");
    }
    let received = merchant.received();
    assert_eq!(received.len(), 2);
    let declined = keys1()
        .verify_callback(received[1].as_bytes())
        .expect("verified");
    assert_eq!(declined.payload.code.as_deref(), Some("101"));
}

#[tokio::test]
async fn saved_card_registration_charge_and_decline() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");

    let registered = client.save_card().await.expect("registration");
    let card = registered.card_id;
    assert!(card.starts_with("ce"));
    assert!(registered.answer.transaction.is_none());
    assert_eq!(
        Some(registered.redirect_url.as_str()),
        Some(format!("{}/card/{card}", sandbox.base_url()).as_str())
    );

    let (_, message) = rejected(
        client
            .pay_with_saved_card(&card, dec!(9.99), "too-early")
            .await
            .unwrap_err(),
    );
    assert!(message.contains("not active"), "{message}");

    sandbox
        .complete(&card, Outcome::Paid)
        .await
        .expect("complete");
    assert_eq!(
        sandbox.card(&card).expect("card").status,
        CardStatus::Active
    );
    let callback = only_callback(&merchant);
    assert_eq!(callback.flow, CallbackFlow::CardRegistration);
    assert_eq!(callback.payload.card_id.as_deref(), Some(card.as_str()));
    assert_eq!(callback.payload.code.as_deref(), Some("000"));
    for absent in [
        "order_id",
        "transaction",
        "amount",
        "other_attr",
        "split_amount",
    ] {
        assert!(
            !keys_of(&callback.json).contains(&absent.to_owned()),
            "{absent} in {}",
            callback.json
        );
    }

    let charge = client
        .pay_with_saved_card(&card, dec!(9.99), "sub-1")
        .await
        .expect("charge");
    assert_eq!(charge.answer.status, PaymentStatus::Success);
    assert_eq!(charge.amount(), Some(dec!(9.99)));
    let charged = charge.transaction;
    let status = client
        .get_transaction_status(&charged)
        .await
        .expect("status");
    assert_eq!(status.status, PaymentStatus::Success);
    assert_eq!(status.answer.card_mask, charge.answer.card_mask);

    // A card whose last digits are 116 registers (no money moves) and then declines charges.
    let poor = client.save_card().await.expect("registration").card_id;
    sandbox
        .complete(
            &poor,
            Outcome::Card {
                number: "4169738800000116".into(),
                name: "Poor Customer".into(),
            },
        )
        .await
        .expect("complete");
    let err = client
        .pay_with_saved_card(&poor, dec!(50.00), "sub-2")
        .await
        .unwrap_err();
    assert!(err.may_have_reached_epoint());
    let (code, tx, message) = declined(err);
    assert_eq!(code, "116");
    assert_eq!(message.as_deref(), Some("Declined, insufficient funds"));
    let status = client.get_transaction_status(&tx).await.expect("status");
    assert_eq!(status.status, PaymentStatus::Error);
    assert_eq!(sandbox.callbacks().len(), 2, "charges send no callback");

    let (_, message) = rejected(
        client
            .pay_with_saved_card("ce999999999", dec!(1.00), "nope")
            .await
            .unwrap_err(),
    );
    assert_eq!(message, "Card not found");
}

#[tokio::test]
async fn failed_card_registration_sends_code_500() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");
    let card = client.save_card().await.expect("reg").card_id;
    let done = sandbox
        .complete(&card, Outcome::Declined("101".into()))
        .await
        .expect("complete");
    assert!(!done.approved);
    assert_eq!(done.card.expect("card").status, CardStatus::Rejected);
    let callback = only_callback(&merchant);
    assert_eq!(callback.payload.code.as_deref(), Some("500"));
    assert_eq!(callback.payload.status, PaymentStatus::Failed);
    assert!(
        rejected(
            client
                .pay_with_saved_card(&card, dec!(1.00), "x")
                .await
                .unwrap_err()
        )
        .1
        .contains("not active")
    );
}

#[tokio::test]
async fn pay_and_save_card_then_charge_it() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");
    let created = client
        .pay_and_save_card(dec!(5.00), "first")
        .await
        .expect("created");
    let (tx, card) = (created.transaction, created.card_id);
    assert_eq!(
        sandbox.card(&card).expect("card").status,
        CardStatus::Pending
    );
    // The card completes through its payment's page.
    assert!(sandbox.complete(&card, Outcome::Paid).await.is_err());
    sandbox
        .complete(&tx, Outcome::Paid)
        .await
        .expect("complete");

    let callback = only_callback(&merchant);
    assert_eq!(callback.flow, CallbackFlow::PaymentWithCardRegistration);
    assert_eq!(callback.payload.operation_code.as_deref(), Some("200"));
    assert_eq!(callback.payload.card_id.as_deref(), Some(card.as_str()));
    assert!(
        callback.payload.message.is_none(),
        "no message: {}",
        callback.json
    );
    assert!(callback.payload.split_amount.is_none());
    assert_eq!(
        callback.payload.amount.map(|m| m.amount()),
        Some(dec!(5.00))
    );

    let charge = client
        .pay_with_saved_card(&card, dec!(5.00), "second")
        .await
        .expect("charge the saved card");
    assert_eq!(charge.answer.status, PaymentStatus::Success);
}

#[tokio::test]
async fn payouts_need_a_payout_card() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");
    let payout_card = client
        .save_card()
        .for_payouts(true)
        .await
        .expect("reg")
        .card_id;
    let charge_card = client.save_card().await.expect("reg").card_id;
    sandbox
        .complete(&payout_card, Outcome::Paid)
        .await
        .expect("complete");
    sandbox
        .complete(&charge_card, Outcome::Paid)
        .await
        .expect("complete");
    assert!(sandbox.card(&payout_card).expect("card").for_payouts);

    let paid_out = client
        .payout(&payout_card, dec!(250.00), "payout-1")
        .await
        .expect("payout");
    assert_eq!(paid_out.answer.status, PaymentStatus::Success);
    let tx = paid_out.transaction;
    let (_, message) = rejected(client.refund(&tx).await.unwrap_err());
    assert!(message.contains("payout"), "{message}");

    let (_, message) = rejected(
        client
            .payout(&charge_card, dec!(1.00), "payout-2")
            .await
            .unwrap_err(),
    );
    assert!(message.contains("not registered for payouts"), "{message}");
    let (_, message) = rejected(
        client
            .pay_with_saved_card(&payout_card, dec!(1.00), "charge-1")
            .await
            .unwrap_err(),
    );
    assert!(message.contains("payouts"), "{message}");
    assert_eq!(sandbox.request_count(OperationId::RefundRequest), 2);
    assert_eq!(sandbox.callbacks().len(), 2, "payouts send no callback");
}

#[tokio::test]
async fn split_flows_carry_split_amount() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");

    let tx = client
        .split_pay(dec!(100.00), "split-1", "i000000002", dec!(30.00))
        .other_attr(json!({"k": 1}))
        .await
        .expect("split created")
        .transaction;
    sandbox
        .complete(&tx, Outcome::Paid)
        .await
        .expect("complete");
    let split = only_callback(&merchant);
    assert_eq!(split.flow, CallbackFlow::SplitPayment);
    assert_eq!(
        split.payload.split_amount.map(|m| m.amount()),
        Some(dec!(30.00))
    );
    assert!(split.payload.message.is_some());
    assert!(
        split.payload.card_id.is_some(),
        "a split callback has everything, card_id included"
    );
    assert!(
        split.json.contains("\"split_amount\":30.00"),
        "{}",
        split.json
    );
    assert_eq!(split.payload.other_attr, Some(json!({"k": 1})));

    let created = client
        .split_pay_and_save_card(dec!(40.00), "split-2", "i000000002", dec!(10.00))
        .await
        .expect("created");
    let (tx2, card) = (created.transaction, created.card_id);
    sandbox
        .complete(&tx2, Outcome::Paid)
        .await
        .expect("complete");
    let received = merchant.received();
    let saved = keys1()
        .verify_callback(received[1].as_bytes())
        .expect("verified");
    assert_eq!(saved.flow, CallbackFlow::SplitPaymentWithCardRegistration);
    assert!(saved.payload.message.is_none());
    assert_eq!(saved.payload.card_id.as_deref(), Some(card.as_str()));
    assert_eq!(
        saved.payload.split_amount.map(|m| m.amount()),
        Some(dec!(10.00))
    );

    let charge = client
        .split_pay_with_saved_card(&card, dec!(20.00), "split-3", "i000000002", dec!(5.00))
        .await
        .expect("split charge");
    assert_eq!(
        charge.answer.split_amount.map(|m| m.amount()),
        Some(dec!(5.00))
    );

    let (_, message) = rejected(
        client
            .split_pay(dec!(10.00), "split-4", "i000000777", dec!(1.00))
            .await
            .unwrap_err(),
    );
    assert!(message.contains("not found"), "{message}");
    // The client checks split_amount <= amount itself; the sandbox does too.
    let answer = post_signed(
        sandbox.base_url(),
        "/api/1/split-request",
        &keys1(),
        &json!({"public_key": "i000000001", "amount": "10.00", "split_user": "i000000002",
                "split_amount": "11.00", "currency": "AZN", "language": "az", "order_id": "s5"}),
    )
    .await;
    assert_eq!(answer["status"], "error");
    assert!(
        answer["message"]
            .as_str()
            .is_some_and(|m| m.contains("split_amount"))
    );
}

#[tokio::test]
async fn split_charge_decline_keeps_code_and_transaction() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let card = client.save_card().await.expect("reg").card_id;
    sandbox
        .complete(
            &card,
            Outcome::Card {
                number: "4169738800000121".into(),
                name: "Limit Reached".into(),
            },
        )
        .await
        .expect("complete");
    let err = client
        .split_pay_with_saved_card(&card, dec!(20.00), "split-d", "i000000002", dec!(5.00))
        .await
        .unwrap_err();
    let (code, tx, _) = declined(err);
    assert_eq!(code, "121");
    assert_eq!(
        sandbox.transaction(&tx).expect("tx").status,
        PaymentStatus::Error
    );
    let delivery = &sandbox.callbacks()[0];
    assert!(!delivery.delivered(), "no result URL configured");
    assert!(
        delivery
            .error
            .as_deref()
            .is_some_and(|e| e.contains("no result URL"))
    );
}

#[tokio::test]
async fn inspection_over_http() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let tx = client
        .pay(dec!(4.00), "http-inspect")
        .await
        .expect("created")
        .transaction;
    let http = sandbox_support::http();
    let done: Value = http
        .post(format!("{}/_sandbox/complete/{tx}", sandbox.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("outcome=declined&code=116")
        .send()
        .await
        .expect("complete")
        .json()
        .await
        .expect("json");
    assert_eq!(done["approved"], false);
    let txs: Value = http
        .get(format!("{}/_sandbox/transactions", sandbox.base_url()))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(txs[0]["id"], tx.as_str());
    assert_eq!(txs[0]["status"], "error");
    assert_eq!(txs[0]["code"], "116");
    let requests: Value = http
        .get(format!("{}/_sandbox/requests", sandbox.base_url()))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(requests[0]["operation"], "payment_request");
    assert_eq!(requests[0]["payload"]["order_id"], "http-inspect");
    let again = http
        .post(format!("{}/_sandbox/complete/{tx}", sandbox.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("outcome=paid")
        .send()
        .await
        .expect("complete");
    assert_eq!(again.status(), 409);
    let injected = http
        .post(format!("{}/_sandbox/faults/get-status", sandbox.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("kind=status&status=503&body=down&times=1")
        .send()
        .await
        .expect("inject over HTTP");
    assert_eq!(injected.status(), 200);
    let before = sandbox.request_count(OperationId::GetStatus);
    let no_retries = Client::new(
        sandbox
            .config_for("i000000001")
            .expect("config")
            .status_retries(0),
    )
    .expect("client");
    assert!(matches!(
        no_retries.get_transaction_status(&tx).await,
        Err(Error::Http { status: 503, .. })
    ));
    assert!(client.get_transaction_status(&tx).await.is_ok(), "times=1");
    assert_eq!(sandbox.request_count(OperationId::GetStatus), before + 2);
    http.post(format!("{}/_sandbox/faults/reverse", sandbox.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("kind=drop")
        .send()
        .await
        .expect("inject");
    let cleared = http
        .delete(format!("{}/_sandbox/faults", sandbox.base_url()))
        .send()
        .await
        .expect("clear");
    assert_eq!(cleared.status(), 204);
    assert!(
        matches!(client.refund(&tx).await, Err(Error::Rejected { .. })),
        "no fault left: the declined payment's refund is simply rejected"
    );
    let unknown = http
        .post(format!("{}/_sandbox/faults/nope", sandbox.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("kind=drop")
        .send()
        .await
        .expect("inject");
    assert_eq!(unknown.status(), 404);
    let answer: Value = unknown.json().await.expect("JSON error");
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("`nope`")),
        "{answer}"
    );
    // Over HTTP every spelling names the same operation: operationId, path tail, method name.
    for name in ["execute_pay", "execute-pay", "pay_with_saved_card"] {
        let armed = http
            .post(format!("{}/_sandbox/faults/{name}", sandbox.base_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("kind=drop&times=1")
            .send()
            .await
            .expect("inject");
        assert_eq!(armed.status(), 200, "{name}");
        let answer: Value = armed.json().await.expect("JSON");
        assert_eq!(answer["operation"], "execute_pay", "{name}");
    }
    // In Rust the name is typed; a string must parse first, and a typo is an error.
    assert!("not_an_operation".parse::<OperationId>().is_err());
    assert_eq!(
        "/api/1/execute-pay".parse::<OperationId>(),
        Ok(OperationId::ExecutePay)
    );
}

#[tokio::test]
async fn every_operation_is_served() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let keys = Keys::new("i000000001", "wrong");
    // The signed forms (unsigned operations such as `GET /api/heartbeat` have no signature).
    let signed: Vec<_> = epoint_az::OPERATIONS
        .iter()
        .filter(|op| op.payload.is_some())
        .collect();
    for op in &signed {
        let (operation, path) = (op.operation_id, op.path);
        let answer = post_signed(
            sandbox.base_url(),
            path,
            &keys,
            &json!({"public_key": "i000000001"}),
        )
        .await;
        assert_eq!(answer["message"], "Signature did not match", "{path}");
        assert_eq!(sandbox.request_count(op.id), 1, "{operation}");
    }
    assert_eq!(sandbox.all_requests().len(), signed.len());
}

#[tokio::test]
async fn declined_pay_and_save_card_rejects_the_card() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");
    let created = client
        .split_pay_and_save_card(dec!(60.00), "split-save-d", "i000000002", dec!(20.00))
        .await
        .expect("created");
    let (tx, card) = (created.transaction, created.card_id);
    let done = sandbox
        .complete(&tx, Outcome::Declined("102".into()))
        .await
        .expect("complete");
    assert_eq!(done.card.expect("card").status, CardStatus::Rejected);
    let callback = only_callback(&merchant);
    assert_eq!(
        callback.flow,
        CallbackFlow::SplitPaymentWithCardRegistration
    );
    assert_eq!(callback.payload.code.as_deref(), Some("102"));
    assert!(callback.payload.message.is_none() && callback.payload.rrn.is_none());
    let (_, message) = rejected(
        client
            .pay_with_saved_card(&card, dec!(1.00), "after-decline")
            .await
            .unwrap_err(),
    );
    assert!(message.contains("not active"), "{message}");
    let status = client.get_transaction_status(&tx).await.expect("status");
    assert_eq!(
        (status.status, status.answer.code.as_deref()),
        (PaymentStatus::Error, Some("102"))
    );
}

#[tokio::test]
async fn shutdown_lets_a_request_in_flight_finish() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    sandbox.inject(
        OperationId::GetStatus,
        Fault::Latency(Duration::from_millis(300)),
    );
    let in_flight = tokio::spawn(async move { client.get_transaction_status("te404").await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    sandbox.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(2));
    let answer = in_flight.await.expect("task");
    assert!(
        matches!(answer, Err(Error::Rejected { .. })),
        "the request in flight got its answer: {answer:?}"
    );
}

#[tokio::test]
async fn callbacks_are_signed_with_each_merchants_own_key() {
    let first = Merchant::start().await;
    let second = Merchant::start().await;
    let sandbox = Sandbox::builder()
        .result_url(first.result_url())
        .merchant(
            epoint_az_sandbox::Merchant::new("i000000002", "sandbox_private_key_0000000002")
                .result_url(second.result_url()),
        )
        .start()
        .await
        .expect("sandbox");
    let partner = sandbox.client_for("i000000002").expect("client");
    let tx = partner
        .pay(dec!(8.00), "partner-1")
        .await
        .expect("created")
        .transaction;
    sandbox
        .complete(&tx, Outcome::Paid)
        .await
        .expect("complete");
    assert!(
        first.received().is_empty(),
        "only the partner's result URL is called"
    );
    let body = second.received().pop().expect("the partner's callback");
    let partner_keys = sandbox
        .merchant("i000000002")
        .expect("merchant")
        .keys()
        .clone();
    assert!(partner_keys.verify_callback(body.as_bytes()).is_ok());
    assert!(
        keys1().verify_callback(body.as_bytes()).is_err(),
        "another merchant's key does not verify it"
    );
    assert!(format!("{:?}", sandbox.merchants()).contains("[REDACTED]"));
    assert!(!format!("{:?}", sandbox.merchants()).contains("sandbox_private_key"));
}

#[tokio::test]
async fn a_result_url_that_is_not_http_is_refused_at_start() {
    for url in ["ftp://example.com/result", "/relative", "not a url"] {
        let err = Sandbox::builder()
            .result_url(url)
            .start()
            .await
            .expect_err("refused");
        assert!(
            matches!(&err, epoint_az_sandbox::SandboxError::InvalidResultUrl { merchant, .. } if merchant == "i000000001"),
            "{url}: {err:?}"
        );
    }
}

/// `GET /_sandbox/transactions` is paged: `limit` and `after` choose the page, a `Link`
/// header names the next one while there is one, and following it yields every transaction
/// once, oldest first. A bad `limit` is a 400 naming the range.
#[tokio::test]
async fn transactions_over_http_come_in_pages() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(
            client
                .pay(dec!(1.00), format!("paged-{i}"))
                .await
                .expect("pay")
                .transaction,
        );
    }
    let http = sandbox_support::http();
    let base = sandbox.base_url();

    // No parameters: the default page holds all five, and there is no next page.
    let all = http
        .get(format!("{base}/_sandbox/transactions"))
        .send()
        .await
        .expect("get");
    assert!(all.headers().get("link").is_none());
    assert_eq!(all.headers()["x-total-count"], "5");
    let all: Vec<Value> = all.json().await.expect("json");
    let ids: Vec<&str> = all.iter().filter_map(|t| t["id"].as_str()).collect();
    assert_eq!(ids, created.iter().map(String::as_str).collect::<Vec<_>>());

    // Pages of two, following `Link` until it is absent.
    let mut url = format!("{base}/_sandbox/transactions?limit=2");
    let mut pages = Vec::new();
    loop {
        let answer = http.get(&url).send().await.expect("get");
        assert_eq!(answer.status(), 200);
        let next = answer
            .headers()
            .get("link")
            .map(|l| l.to_str().expect("ascii").to_owned());
        let page: Vec<Value> = answer.json().await.expect("json");
        pages.push(
            page.iter()
                .map(|t| t["id"].as_str().expect("id").to_owned())
                .collect::<Vec<_>>(),
        );
        let Some(next) = next else { break };
        let target = next
            .strip_prefix('<')
            .and_then(|l| l.split_once(">; rel=\"next\""))
            .map(|(target, _)| target.to_owned())
            .unwrap_or_else(|| panic!("a next link: {next}"));
        url = format!("{base}{target}");
    }
    assert_eq!(
        pages,
        [&created[0..2], &created[2..4], &created[4..5]].map(<[String]>::to_vec)
    );
    let page: Vec<String> = sandbox
        .transactions_page(Some(&created[1]), 2)
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(page, created[2..4], "the Rust API pages the same way");

    for bad in ["0", "abc", "-1", "10001"] {
        let answer = http
            .get(format!("{base}/_sandbox/transactions?limit={bad}"))
            .send()
            .await
            .expect("get");
        assert_eq!(answer.status(), 400, "limit={bad}");
        let body: Value = answer.json().await.expect("json");
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|e| e.contains("1 to 10000")),
            "{body}"
        );
    }
}
