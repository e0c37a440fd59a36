//! The client against the embedded sandbox when things go wrong, over real loopback HTTP:
//! unknown merchants and wrong keys, tampered requests, invalid fields, foreign transactions,
//! and fault injection (5xx, non-JSON, truncated bodies, dropped connections, latency, a
//! stopped sandbox, failed callback deliveries) mapped to the client's error variants.

use crate::sandbox_support;

use std::time::Duration;

use epoint_az::{Client, Config, Delivery, Error, OperationId, PaymentStatus};
use epoint_az_sandbox::{Fault, Outcome, Sandbox};
use rust_decimal_macros::dec;
use sandbox_support::{Merchant, keys1, post_form, post_signed, rejected, sandbox_with};
use serde_json::{Value, json};

#[tokio::test]
async fn unknown_merchant_and_wrong_private_key_are_rejected() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let stranger = Client::new(
        Config::new("i000000999", "sandbox_private_key_0000000001").base_url(sandbox.base_url()),
    )
    .expect("client");
    let (status, message) = rejected(stranger.pay(dec!(1.00), "o").await.unwrap_err());
    assert_eq!(status, PaymentStatus::ServerError);
    assert_eq!(message, "Merchant not found");

    let wrong_key =
        Client::new(Config::new("i000000001", "not-the-private-key").base_url(sandbox.base_url()))
            .expect("client");
    for err in [
        wrong_key.pay(dec!(1.00), "o").await.unwrap_err(),
        wrong_key
            .get_transaction_status("te000000001")
            .await
            .unwrap_err(),
        wrong_key.refund("te000000001").await.unwrap_err(),
        wrong_key
            .pay_with_saved_card("ce000000001", dec!(1.00), "o")
            .await
            .unwrap_err(),
    ] {
        let (status, message) = rejected(err);
        assert_eq!(status, PaymentStatus::ServerError);
        assert_eq!(message, "Signature did not match");
    }
    assert!(sandbox.transactions().is_empty(), "nothing was created");
    assert!(sandbox.all_requests().iter().all(|r| !r.verified));
}

#[tokio::test]
async fn tampered_requests_are_refused_and_json_envelopes_accepted() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let keys = keys1();
    let payload = json!({"public_key": "i000000001", "amount": "1.00", "currency": "AZN",
                         "language": "az", "order_id": "t-1"});
    let envelope = keys.seal(&payload).expect("seal");

    // Same signature, data for a larger amount.
    let mut bigger = payload.clone();
    bigger["amount"] = json!("1000.00");
    let forged = keys.seal(&bigger).expect("seal").data;
    let answer = post_form(
        sandbox.base_url(),
        "/api/1/request",
        &forged,
        &envelope.signature,
    )
    .await;
    let trace_id = answer["trace_id"].as_str().expect("a trace_id").to_owned();
    assert_eq!(
        answer,
        json!({"status": "server_error", "message": "Signature did not match", "trace_id": trace_id}),
        "no hint: changed data matches no signing mistake"
    );

    // A hex signature, as some broken clients send.
    let answer = post_form(
        sandbox.base_url(),
        "/api/1/request",
        &envelope.data,
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    )
    .await;
    assert_eq!(answer["message"], "Signature did not match");

    let missing = sandbox_support::http()
        .post(format!("{}/api/1/request", sandbox.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("data={}", envelope.data.replace('=', "%3D")))
        .send()
        .await
        .expect("send");
    assert_eq!(missing.status(), 200);
    let missing: Value = missing.json().await.expect("json");
    assert_eq!(missing["status"], "error");
    assert!(sandbox.transactions().is_empty());

    // The untampered request, as a JSON envelope.
    let answer: Value = sandbox_support::http()
        .post(format!("{}/api/1/request", sandbox.base_url()))
        .json(&json!({"data": envelope.data, "signature": envelope.signature}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(answer["status"], "success", "{answer}");
    let requests = sandbox.requests(OperationId::PaymentRequest);
    assert_eq!(requests.len(), 4);
    assert_eq!(requests[3].envelope, "json");
    assert!(requests[3].verified && !requests[0].verified);
    assert_eq!(requests[3].payload.as_ref(), Some(&payload));
}

#[tokio::test]
async fn invalid_fields_get_an_epoint_style_error() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let base = json!({"public_key": "i000000001", "amount": "1.00", "currency": "AZN",
                      "language": "az", "order_id": "f-1"});
    let with = |key: &str, value: Value| {
        let mut p = base.clone();
        if value.is_null() {
            p.as_object_mut().expect("object").remove(key);
        } else {
            p[key] = value;
        }
        p
    };
    for (payload, mentions) in [
        (with("order_id", Value::Null), "order_id"),
        (with("amount", json!("0")), "amount"),
        (with("amount", json!("1.001")), "amount"),
        (with("amount", json!("-5.00")), "amount"),
        (with("currency", json!("GBP")), "GBP"),
        (with("language", json!("zz")), "zz"),
        (with("order_id", json!("x".repeat(256))), "order_id"),
    ] {
        let answer = post_signed(sandbox.base_url(), "/api/1/request", &keys1(), &payload).await;
        assert_eq!(answer["status"], "error", "{payload} -> {answer}");
        let message = answer["message"].as_str().expect("message");
        assert!(message.contains(mentions), "{payload} -> {message}");
    }
    let no_key = post_signed(
        sandbox.base_url(),
        "/api/1/request",
        &keys1(),
        &json!({"amount": "1.00"}),
    )
    .await;
    assert_eq!(no_key["status"], "error");
    let not_json = post_form(sandbox.base_url(), "/api/1/get-status", "bm90IGpzb24=", "x").await;
    assert_eq!(not_json["status"], "error");
    assert!(sandbox.transactions().is_empty());
}

#[tokio::test]
async fn status_of_unknown_or_foreign_transactions_is_rejected() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let mine = sandbox.client().expect("client");
    let partner = sandbox.client_for("i000000002").expect("client");
    let tx = mine
        .pay(dec!(3.00), "o")
        .await
        .expect("created")
        .transaction;
    let (status, message) = rejected(partner.get_transaction_status(&tx).await.unwrap_err());
    assert_eq!(
        (status, message.as_str()),
        (PaymentStatus::Error, "Transaction not found")
    );
    assert!(mine.get_transaction_status("te404").await.is_err());
    assert_eq!(
        mine.get_transaction_status(&tx).await.expect("own").status,
        PaymentStatus::New
    );
}

#[tokio::test]
async fn http_5xx_maps_to_http_error_and_nothing_moves() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    sandbox.inject(
        OperationId::PaymentRequest,
        Fault::HttpStatus {
            status: 502,
            body: "<h1>502 Bad Gateway</h1>".into(),
        },
    );
    match client.pay(dec!(1.00), "o").await.unwrap_err() {
        Error::Http { status, body } => {
            assert_eq!(status, 502);
            assert!(body.contains("Bad Gateway"), "{body}");
        }
        other => panic!("expected Http, got {other:?}"),
    }
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
    assert!(
        sandbox.transactions().is_empty(),
        "a 5xx proxy answer processes nothing"
    );
    sandbox.clear_faults();
    assert!(client.pay(dec!(1.00), "o").await.is_ok());
}

#[tokio::test]
async fn non_json_200_maps_to_decode_error_with_body() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    sandbox.inject(
        OperationId::GetStatus,
        Fault::NotJson("<html>maintenance</html>".into()),
    );
    let err = client
        .get_transaction_status("te000000001")
        .await
        .unwrap_err();
    assert!(err.may_have_reached_epoint());
    match err {
        Error::Decode { body, .. } => assert_eq!(&body[..], b"<html>maintenance</html>"),
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn truncated_body_is_a_transport_error_that_may_have_reached_epoint() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    sandbox.inject_times(OperationId::PaymentRequest, Fault::TruncatedBody, Some(1));
    let err = client.pay(dec!(7.00), "trunc").await.unwrap_err();
    assert!(err.may_have_reached_epoint(), "{err}");
    assert!(
        matches!(
            err,
            Error::Transport {
                delivery: Delivery::MaybeSent,
                ..
            }
        ),
        "{err:?}"
    );
    // It was processed: the payment exists though the answer was lost.
    assert_eq!(sandbox.transactions().len(), 1);
    // The fault was for one request only.
    assert!(client.pay(dec!(7.00), "trunc-2").await.is_ok());
}

#[tokio::test]
async fn dropped_connection_on_a_charge_is_sent_exactly_once() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let card = client.save_card().await.expect("reg").card_id;
    sandbox
        .complete(&card, Outcome::Paid)
        .await
        .expect("complete");

    sandbox.inject(OperationId::ExecutePay, Fault::DropConnection);
    let err = client
        .pay_with_saved_card(&card, dec!(15.00), "charge-once")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                delivery: Delivery::MaybeSent,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.may_have_reached_epoint());
    assert_eq!(
        sandbox.request_count(OperationId::ExecutePay),
        1,
        "a money-moving call is never retried"
    );
    // The charge happened; reconciling through get-status shows it.
    let charged = sandbox
        .transactions()
        .into_iter()
        .find(|t| t.operation == "execute_pay")
        .expect("the charge was processed");
    let status = client
        .get_transaction_status(&charged.id)
        .await
        .expect("status");
    assert_eq!(status.status, PaymentStatus::Success);

    sandbox.inject(
        OperationId::Reverse,
        Fault::HttpStatus {
            status: 503,
            body: "busy".into(),
        },
    );
    assert!(client.refund(&charged.id).await.is_err());
    assert_eq!(
        sandbox.request_count(OperationId::Reverse),
        1,
        "refunds are not retried either"
    );
    sandbox.inject(OperationId::RefundRequest, Fault::DropConnection);
    let payout_card = client
        .save_card()
        .for_payouts(true)
        .await
        .expect("reg")
        .card_id;
    sandbox
        .complete(&payout_card, Outcome::Paid)
        .await
        .expect("complete");
    assert!(client.payout(&payout_card, dec!(1.00), "p").await.is_err());
    assert_eq!(sandbox.request_count(OperationId::RefundRequest), 1);
}

#[tokio::test]
async fn latency_beyond_the_client_timeout_is_a_maybe_sent_transport_error() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let config = sandbox
        .config_for("i000000001")
        .expect("config")
        .timeout(Duration::from_millis(150))
        .status_retries(0);
    let client = Client::new(config).expect("client");
    sandbox.inject(
        OperationId::GetStatus,
        Fault::Latency(Duration::from_millis(600)),
    );
    let started = std::time::Instant::now();
    let err = client
        .get_transaction_status("te000000001")
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(550));
    match &err {
        Error::Transport {
            delivery,
            source,
            order_id,
            ..
        } => {
            assert_eq!(order_id, &None, "a lookup by transaction has no order_id");
            assert_eq!(*delivery, Delivery::MaybeSent);
            assert!(source.is_timeout(), "{source}");
        }
        other => panic!("expected Transport, got {other:?}"),
    }
    sandbox.inject(
        OperationId::GetStatus,
        Fault::Latency(Duration::from_millis(20)),
    );
    assert!(matches!(
        client.get_transaction_status("te000000001").await,
        Err(Error::Rejected { .. })
    ));
}

#[tokio::test]
async fn a_stopped_sandbox_is_not_sent() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    sandbox.shutdown().await;
    let err = client.pay(dec!(1.00), "o").await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                delivery: Delivery::NotSent,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.may_have_reached_epoint());
}

#[tokio::test]
async fn callback_delivery_failures_are_recorded() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");
    merchant.answer_with(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    let tx = client
        .pay(dec!(2.00), "cb-500")
        .await
        .expect("created")
        .transaction;
    let done = sandbox
        .complete(&tx, Outcome::Paid)
        .await
        .expect("complete");
    let delivery = done.callback.expect("delivery");
    assert_eq!(delivery.status, Some(500));
    assert!(!delivery.delivered());

    // A result URL nobody listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let dead = format!("http://{}/cb", closed.local_addr().expect("addr"));
    drop(closed);
    sandbox
        .set_result_url("i000000001", Some(dead.clone()))
        .expect("set");
    let tx = client
        .pay(dec!(2.00), "cb-dead")
        .await
        .expect("created")
        .transaction;
    sandbox
        .complete(&tx, Outcome::Paid)
        .await
        .expect("complete");
    let log = sandbox.callbacks();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].url.as_deref(), Some(dead.as_str()));
    assert!(
        log[1].status.is_none() && log[1].error.is_some(),
        "{:?}",
        log[1]
    );
    // The payment itself succeeded regardless of the callback.
    assert_eq!(
        client
            .get_transaction_status(&tx)
            .await
            .expect("status")
            .status,
        PaymentStatus::Success
    );
}

/// Every operation the fault endpoint accepts applies the fault armed for it over HTTP, the
/// unsigned reads and the B2B JSON body included (they used to answer "armed" and ignore it).
#[tokio::test]
async fn every_operation_the_fault_endpoint_accepts_applies_its_fault() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let http = sandbox_support::http();
    let base = sandbox.base_url();
    for op in epoint_az::OPERATIONS {
        let armed = http
            .post(format!("{base}/_sandbox/faults/{}", op.operation_id))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "kind=status&status=503&body=fault-{}&times=1",
                op.operation_id
            ))
            .send()
            .await
            .expect("arm");
        assert_eq!(armed.status(), 200, "{}", op.operation_id);
        let path = op.path.replace("{order_id}", "b2b-faulted");
        let request = match op.method {
            "GET" => http.get(format!("{base}{path}")),
            _ => http
                .post(format!("{base}{path}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("data=e30%3D&signature=c2ln"),
        };
        let answer = request.send().await.expect("send");
        assert_eq!(
            answer.status(),
            503,
            "{} ({} {path}) applies its fault",
            op.operation_id,
            op.method
        );
        assert_eq!(
            answer.text().await.expect("body"),
            format!("fault-{}", op.operation_id)
        );
        let recorded = sandbox.requests(op.id);
        assert_eq!(recorded.len(), 1, "{}: recorded once", op.operation_id);
        assert!(
            recorded[0]
                .fault
                .as_deref()
                .is_some_and(|f| f.contains("503")),
            "{}: {:?}",
            op.operation_id,
            recorded[0].fault
        );
    }
}

/// A B2B transfer whose answer is lost (dropped connection) was processed: the client says it
/// may have reached EPoint, sends it once, and the status read finds it. A latency or a
/// truncated answer on the status read and the heartbeat is applied too.
#[tokio::test]
async fn b2b_and_heartbeat_faults_process_then_lose_the_answer() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    sandbox.inject_times(OperationId::B2bPayment, Fault::DropConnection, Some(1));
    let transfer = epoint_az::B2bTransferRequest::new(
        dec!(12.00),
        "b2b-dropped",
        "Invoice 42",
        "AZ21NABZ00000000137010001944",
        "Supplier LLC",
        "1234567892",
        "505000",
    );
    let err = client.b2b_transfer(&transfer).await.unwrap_err();
    assert!(err.may_have_reached_epoint(), "{err}");
    assert_eq!(sandbox.request_count(OperationId::B2bPayment), 1);
    assert_eq!(
        sandbox.requests(OperationId::B2bPayment)[0]
            .fault
            .as_deref(),
        Some("DropConnection")
    );

    sandbox.inject_times(OperationId::B2bPaymentStatus, Fault::TruncatedBody, Some(1));
    let err = client.b2b_transfer_status("b2b-dropped").await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { .. } | Error::Decode { .. }),
        "a truncated answer is an error: {err:?}"
    );
    let status = client
        .b2b_transfer_status("b2b-dropped")
        .await
        .expect("the dropped transfer was processed");
    assert_eq!(status.answer.order_id.as_deref(), Some("b2b-dropped"));

    sandbox.inject_times(
        OperationId::Heartbeat,
        Fault::NotJson("<html>down</html>".into()),
        Some(1),
    );
    let err = client.heartbeat().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    sandbox.inject_times(
        OperationId::Heartbeat,
        Fault::Latency(Duration::from_millis(200)),
        Some(1),
    );
    client
        .heartbeat()
        .await
        .expect("a delayed heartbeat answers");
    let recorded = sandbox.requests(OperationId::Heartbeat);
    assert_eq!(recorded.len(), 2);
    assert!(
        recorded[1]
            .fault
            .as_deref()
            .is_some_and(|f| f.starts_with("Latency"))
    );
}

/// A refused signature that matches a common mistake carries a sandbox-only `hint` naming it;
/// EPoint's `status` and `message` stay as EPoint sends them, and no key is ever in the hint.
#[tokio::test]
async fn a_refused_signature_names_the_mistake_in_a_hint() {
    use base64::Engine;
    use sha1::Digest;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let payload = json!({"public_key": "i000000001", "amount": "1.00", "currency": "AZN",
                         "language": "az", "order_id": "hint-1"});
    let data = keys1().seal(&payload).expect("seal").data;
    let private = "sandbox_private_key_0000000001";
    // PHP's base64_encode(sha1($key . $data . $key)): the hex digest, base64'd.
    let hex: String = sha1::Sha1::digest(format!("{private}{data}{private}"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let hex_b64 = base64::engine::general_purpose::STANDARD.encode(hex);
    let hex_answer = post_form(sandbox.base_url(), "/api/1/request", &data, &hex_b64).await;
    assert_eq!(hex_answer["status"], "server_error");
    assert_eq!(hex_answer["message"], "Signature did not match");
    let hint = hex_answer["hint"].as_str().expect("a hint");
    assert!(
        hint.starts_with("the signature is base64 of the hex digest"),
        "{hint}"
    );

    // Signed with the other seeded merchant's key: named by its public key only.
    let other = epoint_az::Keys::new("i000000002", "sandbox_private_key_0000000002");
    let other_answer = post_form(
        sandbox.base_url(),
        "/api/1/request",
        &data,
        &other.sign(&data),
    )
    .await;
    let hint = other_answer["hint"].as_str().expect("a hint");
    assert!(hint.contains("merchant i000000002"), "{hint}");

    // The B2B answer (`error`) carries the same hint.
    let b2b = json!({"public_key": "i000000001", "amount": "1.00", "order_id": "b-1"});
    let data = keys1().seal(&b2b).expect("seal").data;
    let response = sandbox_support::http()
        .post(format!("{}/api/1/b2b/payment", sandbox.base_url()))
        .json(&json!({"data": data, "signature": other.sign(&data)}))
        .send()
        .await
        .expect("send");
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["message"], "Signature did not match", "{answer}");
    assert!(
        answer["hint"]
            .as_str()
            .is_some_and(|h| h.contains("merchant i000000002")),
        "{answer}"
    );

    assert!(sandbox.all_requests().iter().all(|r| !r.verified));
    for answer in [&hex_answer, &other_answer, &answer] {
        for key in [private, "sandbox_private_key_0000000002"] {
            assert!(!answer.to_string().contains(key), "{answer}");
        }
    }
}
