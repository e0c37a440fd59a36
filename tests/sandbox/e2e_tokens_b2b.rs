//! Token payments and B2B transfers end to end against the embedded sandbox: Apple Pay / Google Pay token payments,
//! the token split payment, and B2B transfers with their unsigned webhook.

use std::sync::{Arc, Mutex};

use axum::{Router, body::Bytes, routing::post};
use epoint_az::{B2bTransferRequest, B2bTransferState, Error, OperationId, PaymentStatus};
use epoint_az_sandbox::Sandbox;
use rust_decimal_macros::dec;
use serde_json::json;

#[tokio::test]
async fn apple_pay_completes_a_token_payment_and_get_status_reflects_it() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let payment = client
        .create_token_payment(dec!(2.50), "token-1")
        .description("Coffee")
        .await
        .expect("created");
    assert!(payment.answer.status.is_none(), "success has no status");
    let tx = payment.answer.transaction.clone().expect("transaction");
    let state = client.get_transaction_status(&tx).await.expect("status");
    assert_eq!(state.status, PaymentStatus::New);

    let session = client
        .apple_pay_session("https://shop.example.com")
        .await
        .expect("session");
    assert_eq!(session.session["domainName"], "shop.example.com");
    assert!(session.session["merchantSessionIdentifier"].is_string());

    let paid = client
        .apple_pay(
            payment.id,
            json!({"paymentData": {"data": "x"}}),
            Some(json!({"givenName": "Ada", "familyName": "Lovelace"})),
        )
        .await
        .expect("paid");
    assert_eq!(paid.status, PaymentStatus::Success);
    let state = client.get_transaction_status(&tx).await.expect("status");
    assert_eq!(state.status, PaymentStatus::Success);
    assert_eq!(state.answer.card_name.as_deref(), Some("ADA LOVELACE"));
    // Paying twice is refused.
    let again = client.apple_pay(payment.id, json!("t"), None).await;
    assert!(matches!(again, Err(Error::Rejected { .. })), "{again:?}");
    assert_eq!(sandbox.request_count(OperationId::ApplePay), 2);
    assert_eq!(sandbox.request_count(OperationId::TokenPayment), 1);
}

#[tokio::test]
async fn google_pay_declines_when_the_token_asks_and_token_split_payment_is_payable() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let payment = client
        .create_token_payment(dec!(5), "token-2")
        .description("Tea")
        .await
        .expect("created");
    let declined = client
        .google_pay(payment.id, json!("tok decline-116"), None)
        .await;
    match declined {
        Err(Error::Rejected {
            status, response, ..
        }) => {
            assert_eq!(status, PaymentStatus::Failed);
            assert_eq!(response["result"]["code"], "116");
        }
        other => panic!("expected a decline, got {other:?}"),
    }
    let tx = payment.answer.transaction.expect("transaction");
    let state = client.get_transaction_status(&tx).await.expect("status");
    assert_eq!(state.status, PaymentStatus::Error);

    let split = client
        .token_split_pay(dec!(100), "token-split-1", "i000000002", dec!(30))
        .await
        .expect("split");
    let id = split.id.expect("token payment id");
    client
        .google_pay(id, json!("ok"), None)
        .await
        .expect("paid");
    let tx = sandbox
        .transaction(split.transaction.as_deref().expect("transaction"))
        .expect("in the ledger");
    assert_eq!(tx.status, PaymentStatus::Success);
    assert_eq!(tx.split_amount.map(|m| m.amount()), Some(dec!(30)));
    let unknown_partner = client
        .token_split_pay(dec!(100), "token-split-2", "i000000404", dec!(30))
        .await;
    assert!(matches!(unknown_partner, Err(Error::Rejected { .. })));
}

#[tokio::test]
async fn b2b_transfers_settle_and_their_unsigned_webhook_is_confirmed_by_a_status_read() {
    let received = Arc::new(Mutex::new(Vec::<String>::new()));
    let store = received.clone();
    let app = Router::new().route(
        "/b2b",
        post(move |body: Bytes| {
            let store = store.clone();
            async move {
                store
                    .lock()
                    .expect("lock")
                    .push(String::from_utf8_lossy(&body).into_owned());
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hook = format!("http://{}/b2b", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });

    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let transfer = |order: &str, name: &str| {
        B2bTransferRequest::new(
            dec!(1500),
            order,
            "Invoice 42",
            "AZ21NABZ00000000137010001944",
            name,
            "1234567892",
            "505000",
        )
        .webhook_url(hook.clone())
    };
    let accepted = client
        .b2b_transfer(&transfer("b2b-1", "Supplier LLC"))
        .await
        .expect("accepted");
    assert_eq!(accepted.order_id, "b2b-1");
    assert!(accepted.bulk_id.is_some());

    // Reused order_id: a real HTTP 422 with EPoint's JSON body kept.
    match client
        .b2b_transfer(&transfer("b2b-1", "Supplier LLC"))
        .await
    {
        Err(Error::Http { status, body }) => {
            assert_eq!(status, 422);
            assert!(body.contains("already been used"), "{body}");
        }
        other => panic!("expected HTTP 422, got {other:?}"),
    }

    // Each status read reports, then advances: PENDING, PROCESSING, then settled.
    let first = client.b2b_transfer_status("b2b-1").await.expect("status");
    assert_eq!(first.state, B2bTransferState::Pending);
    let second = client.b2b_transfer_status("b2b-1").await.expect("status");
    assert_eq!(second.state, B2bTransferState::Processing);
    let third = client.b2b_transfer_status("b2b-1").await.expect("status");
    assert_eq!(third.state, B2bTransferState::Success);
    assert_eq!(third.answer.webhook_sent, Some(true));

    let body = received.lock().expect("lock")[0].clone();
    let check = client
        .confirm_b2b_webhook(body.as_bytes())
        .await
        .expect("confirmed");
    assert!(check.agrees);
    assert_eq!(check.confirmed.state, B2bTransferState::Success);

    // A forged webhook is caught by the status read.
    let forged = json!({"order_id": "b2b-1", "status": "failed"}).to_string();
    let check = client
        .confirm_b2b_webhook(forged.as_bytes())
        .await
        .expect("read");
    assert!(!check.agrees);

    // Settled deterministically by the test.
    client
        .b2b_transfer(&transfer("b2b-2", "Other LLC"))
        .await
        .expect("accepted");
    let delivery = sandbox.settle_b2b("b2b-2", false).await.expect("settled");
    assert!(delivery.delivered());
    assert_eq!(delivery.payload["status"], "failed");
    let state = client.b2b_transfer_status("b2b-2").await.expect("status");
    assert_eq!(state.state, B2bTransferState::Failed);
    assert!(sandbox.settle_b2b("b2b-2", true).await.is_err(), "terminal");

    let unknown = client.b2b_transfer_status("nope").await;
    assert!(matches!(unknown, Err(Error::Rejected { .. })));
    assert_eq!(sandbox.request_count(OperationId::B2bPayment), 3);
    assert_eq!(received.lock().expect("lock").len(), 2);
    server.abort();
}

/// As an audit found it: an unsigned webhook for a pending transfer whose order id walks
/// the URL path to a settled one must not confirm anything.
#[tokio::test]
async fn a_webhook_order_id_walking_the_path_confirms_nothing() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    for order in ["b2b-pend", "b2b-ok"] {
        let transfer = B2bTransferRequest::new(
            dec!(10),
            order,
            "Invoice",
            "AZ21NABZ00000000137010001944",
            "Supplier LLC",
            "1234567892",
            "505000",
        );
        client.b2b_transfer(&transfer).await.expect("accepted");
    }
    sandbox.settle_b2b("b2b-ok", true).await.expect("settled");
    let before = sandbox.request_count(OperationId::B2bPaymentStatus);
    let forged = json!({"order_id": r"b2b-pend\..\b2b-ok", "status": "SUCCESS"}).to_string();
    let refused = client.confirm_b2b_webhook(forged.as_bytes()).await;
    assert!(
        matches!(
            refused,
            Err(Error::InvalidInput {
                field: "order_id",
                ..
            })
        ),
        "{refused:?}"
    );
    assert_eq!(
        sandbox.request_count(OperationId::B2bPaymentStatus),
        before,
        "nothing sent"
    );
    let state = client
        .b2b_transfer_status("b2b-pend")
        .await
        .expect("status");
    assert_eq!(state.state, B2bTransferState::Pending);
}

/// The client refuses what the spec's `B2bPaymentRequest` refuses (an empty description, IBAN,
/// tax id, payee name or bank code, a malformed IBAN or tax id) before any I/O: nothing reaches
/// the sandbox, and the error names the field.
#[tokio::test]
async fn the_client_refuses_invalid_b2b_fields_before_sending() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let fields = |description: &str, iban: &str, name: &str, tin: &str, bank_code: &str| {
        B2bTransferRequest::new(
            dec!(10.00),
            "b2b-refused",
            description,
            iban,
            name,
            tin,
            bank_code,
        )
    };
    let iban = "AZ21NABZ00000000137010001944";
    let cases = [
        ("description", fields("", iban, "S", "1234567892", "505000")),
        (
            "description",
            fields(&"x".repeat(256), iban, "S", "1234567892", "505000"),
        ),
        ("iban", fields("d", "", "S", "1234567892", "505000")),
        ("iban", fields("d", "AZ21", "S", "1234567892", "505000")),
        ("tin", fields("d", iban, "S", "", "505000")),
        ("tin", fields("d", iban, "S", "1234567893", "505000")),
        ("tin", fields("d", iban, "S", "123456789", "505000")),
        ("name", fields("d", iban, "", "1234567892", "505000")),
        ("bank_code", fields("d", iban, "S", "1234567892", "")),
    ];
    for (field, transfer) in cases {
        let err = client.b2b_transfer(&transfer).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field: f, .. } if *f == field),
            "{field}: {err:?}"
        );
        assert!(!err.may_have_reached_epoint(), "{field}: {err}");
    }
    assert_eq!(
        sandbox.request_count(OperationId::B2bPayment),
        0,
        "nothing was sent"
    );
}
