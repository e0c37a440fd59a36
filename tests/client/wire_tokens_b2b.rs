//! Token payments and B2B transfers over real HTTP against the capture server: the request on the wire and how a
//! success and an error answer map.

use crate::capture;

use capture::{CaptureServer, Reply};
use epoint_az::{Client, Config, Error, Keys, PaymentStatus};
use rust_decimal_macros::dec;
use serde_json::{Value, json};

const PUBLIC_KEY: &str = "i000000001";
const PRIVATE_KEY: &str = "wire_test_private_key_0123456789";

fn client(base_url: &str) -> Client {
    Client::new(Config::new(PUBLIC_KEY, PRIVATE_KEY).base_url(base_url)).expect("client")
}

fn signed_form(body: &str) -> Value {
    let keys = Keys::new(PUBLIC_KEY, PRIVATE_KEY);
    let verified = keys.verify_form(body.as_bytes()).expect("signed form");
    serde_json::from_str(verified.json()).expect("json")
}

#[tokio::test]
async fn token_payment_success_has_no_status_and_an_error_with_status_is_rejected() {
    let server = CaptureServer::start(Reply::json(json!({
        "id": 9998887, "transaction": "12345", "total": 2.36, "created_at": "2024-10-16 12:09:10"
    })))
    .await;
    let c = client(&server.base_url());
    let payment = c
        .create_token_payment(dec!(2.50), "o-1")
        .description("Test")
        .await
        .expect("ok");
    assert_eq!(payment.id, 9998887);
    let req = server.only_request();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/api/1/token/payment")
    );
    let payload = signed_form(&req.body);
    assert_eq!(payload["amount"], "2.50");
    assert_eq!(payload["description"], "Test");

    let server = CaptureServer::start(Reply::json(
        json!({"status": "server_error", "message": "Signature did not match"}),
    ))
    .await;
    let err = client(&server.base_url())
        .create_token_payment(dec!(2.50), "o-1")
        .description("Test")
        .await
        .expect_err("rejected");
    assert!(
        matches!(
            err,
            Error::Rejected {
                status: PaymentStatus::ServerError,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn apple_session_is_passed_through_as_raw_json() {
    let session = json!({"merchantSessionIdentifier": "SSH1", "epochTimestamp": 1, "pspId": "x", "nested": {"a": 1}});
    let server = CaptureServer::start(Reply::json(session.clone())).await;
    let got = client(&server.base_url())
        .apple_pay_session("https://shop.example.com")
        .await
        .expect("ok");
    assert_eq!(got.session, session);
    let req = server.only_request();
    assert_eq!(req.path, "/api/1/token/apple/session");
    assert_eq!(signed_form(&req.body)["origin"], "https://shop.example.com");

    let server = CaptureServer::start(Reply::json(
        json!({"status": "error", "message": "bad origin"}),
    ))
    .await;
    assert!(matches!(
        client(&server.base_url())
            .apple_pay_session("https://x.example")
            .await,
        Err(Error::Rejected { .. })
    ));
}

#[tokio::test]
async fn apple_and_google_pay_send_billing_contact_in_camel_case() {
    for (path, google) in [
        ("/api/1/token/apple/pay", false),
        ("/api/1/token/google/pay", true),
    ] {
        let server = CaptureServer::start(Reply::json(json!({
            "status": "success", "message": "Payment is finished successfully", "result": {"psp": 1}
        })))
        .await;
        let c = client(&server.base_url());
        let contact = Some(json!({"givenName": "Ada"}));
        let answer = if google {
            c.google_pay(7, json!({"t": 1}), contact).await
        } else {
            c.apple_pay(7, json!({"t": 1}), contact).await
        }
        .expect("ok");
        assert_eq!(answer.result, Some(json!({"psp": 1})));
        let req = server.only_request();
        assert_eq!(req.path, path);
        let payload = signed_form(&req.body);
        assert_eq!(payload["billingContact"]["givenName"], "Ada");
        assert_eq!(payload["id"], 7);

        let server = CaptureServer::start(Reply::json(
            json!({"status": "failed", "message": "Declined"}),
        ))
        .await;
        let c = client(&server.base_url());
        let declined = if google {
            c.google_pay(7, json!("t"), None).await
        } else {
            c.apple_pay(7, json!("t"), None).await
        };
        assert!(
            matches!(declined, Err(Error::Rejected { .. })),
            "{declined:?}"
        );
    }
}

#[tokio::test]
async fn token_split_payment_keeps_an_unknown_answer() {
    let server =
        CaptureServer::start(Reply::json(json!({"status": "success", "something": [1]}))).await;
    let answer = client(&server.base_url())
        .token_split_pay(dec!(10), "o-5", "i000000002", dec!(4))
        .await
        .expect("ok");
    assert_eq!(answer.extra["something"], json!([1]));
    let req = server.only_request();
    assert_eq!(req.path, "/api/1/token/split-payment");
    assert_eq!(signed_form(&req.body)["split_amount"], "4.00");

    let server =
        CaptureServer::start(Reply::json(json!({"status": "error", "message": "no"}))).await;
    assert!(
        client(&server.base_url())
            .token_split_pay(dec!(10), "o-5", "i000000002", dec!(4))
            .await
            .is_err()
    );
}

fn transfer() -> epoint_az::B2bTransferRequest {
    epoint_az::B2bTransferRequest::new(
        dec!(1500),
        "b2b-1",
        "Invoice 42",
        "AZ21NABZ00000000137010001944",
        "Supplier LLC",
        "1234567892",
        "505000",
    )
}

#[tokio::test]
async fn b2b_transfer_is_a_signed_json_envelope_and_http_errors_keep_the_body() {
    let server = CaptureServer::start(Reply::json(
        json!({"status": "success", "order_id": "b2b-1", "bulkId": "44001"}),
    ))
    .await;
    let accepted = client(&server.base_url())
        .b2b_transfer(&transfer())
        .await
        .expect("ok");
    assert_eq!(accepted.bulk_id.as_deref(), Some("44001"));
    let req = server.only_request();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/api/1/b2b/payment")
    );
    assert!(
        req.header("content-type")
            .unwrap_or_default()
            .starts_with("application/json")
    );
    let envelope: Value = serde_json::from_str(&req.body).expect("JSON body");
    let keys = Keys::new(PUBLIC_KEY, PRIVATE_KEY);
    let data = envelope["data"].as_str().expect("data");
    keys.verify(data, envelope["signature"].as_str().expect("signature"))
        .expect("signed");
    let payload: Value = epoint_az::signing::decode_data(data).expect("decodes");
    assert_eq!(payload["iban"], "AZ21NABZ00000000137010001944");
    assert_eq!(payload["amount"], "1500.00");

    let server = CaptureServer::start(Reply::raw(
        422,
        "application/json",
        r#"{"detail":"tin must be 10 digits"}"#,
    ))
    .await;
    match client(&server.base_url()).b2b_transfer(&transfer()).await {
        Err(Error::Http { status: 422, body }) => assert!(body.contains("tin must be")),
        other => panic!("{other:?}"),
    }
    // Invalid input is refused before anything is sent.
    let bad = transfer().webhook_url("not a url");
    assert!(matches!(
        client(&server.base_url()).b2b_transfer(&bad).await,
        Err(Error::InvalidInput {
            field: "webhook_url",
            ..
        })
    ));
}

#[tokio::test]
async fn b2b_status_is_an_unsigned_get() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "PROCESSING", "order_id": "b2b-1", "bulkId": "44001", "amount": "1500.00",
        "payee_iban": "AZ21NABZ00000000137010001944", "payee_name": "S", "webhook_sent": false,
        "created_at": "2025-05-01T10:00:00"
    })))
    .await;
    let state = client(&server.base_url())
        .b2b_transfer_status("b2b-1")
        .await
        .expect("ok");
    assert_eq!(state.state, epoint_az::B2bTransferState::Processing);
    let req = server.only_request();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("GET", "/api/1/b2b/payment/b2b-1")
    );
    assert!(req.body.is_empty(), "unsigned: no body");
    assert_eq!(
        epoint_az::OperationId::B2bPaymentStatus.path(),
        "/api/1/b2b/payment/{order_id}"
    );

    let server = CaptureServer::start(Reply::raw(
        404,
        "application/json",
        r#"{"detail":"Unknown order_id: x"}"#,
    ))
    .await;
    match client(&server.base_url()).b2b_transfer_status("x").await {
        Err(Error::Http { status: 404, body }) => assert!(body.contains("Unknown")),
        other => panic!("{other:?}"),
    }
}

/// The webhook's `order_id` goes into the URL path. Order ids that the URL
/// parser would read as path structure (`\` is a separator in http URLs, `.`/`..` segments
/// are normalised away) are refused before any request, and everything else reaches the
/// server as one segment.
#[tokio::test]
async fn b2b_order_ids_cannot_walk_the_url_path() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "SUCCESS", "order_id": "b2b-ok", "amount": "1500.00"
    })))
    .await;
    let c = client(&server.base_url());
    for hostile in [
        r"b2b-pend\..\b2b-ok",
        r"..\..\..\heartbeat",
        "..",
        ".",
        r"a\b",
    ] {
        let webhook = json!({"order_id": hostile, "status": "SUCCESS"}).to_string();
        match c.confirm_b2b_webhook(webhook.as_bytes()).await {
            Err(Error::InvalidInput {
                field: "order_id",
                reason,
            }) => {
                assert!(reason.contains("path"), "{hostile:?}: {reason}")
            }
            other => panic!("{hostile:?}: expected InvalidInput, got {other:?}"),
        }
        assert!(
            matches!(
                c.b2b_transfer_status(hostile).await,
                Err(Error::InvalidInput {
                    field: "order_id",
                    ..
                })
            ),
            "{hostile:?}"
        );
    }
    // The spec's OrderId limits hold on the path too.
    for bad in [String::new(), "x".repeat(256)] {
        assert!(
            matches!(
                c.b2b_transfer_status(&bad).await,
                Err(Error::InvalidInput {
                    field: "order_id",
                    ..
                })
            ),
            "{} characters",
            bad.len()
        );
    }
    assert!(server.requests().is_empty(), "nothing was sent");

    // Characters that are fine in an order id travel percent-encoded, as one segment.
    let _ = c.b2b_transfer_status("a/b ..%2e?#").await;
    let req = server.only_request();
    assert_eq!(req.path, "/api/1/b2b/payment/a%2Fb%20..%252e%3F%23");
}

/// An answer about another transfer is never taken as the confirmation.
#[tokio::test]
async fn b2b_status_about_another_order_is_refused() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "SUCCESS", "order_id": "b2b-ok", "amount": "1500.00"
    })))
    .await;
    let c = client(&server.base_url());
    let webhook = json!({"order_id": "b2b-pend", "status": "SUCCESS"}).to_string();
    match c.confirm_b2b_webhook(webhook.as_bytes()).await {
        Err(e) => {
            assert!(e.may_have_reached_epoint());
            assert!(e.to_string().contains("b2b-pend"), "{e}");
            let Error::AnswerMismatch {
                field,
                asked,
                answered,
                response,
            } = e
            else {
                panic!("expected AnswerMismatch, got {e:?}")
            };
            assert_eq!(field, "order_id");
            assert_eq!(asked, "b2b-pend");
            assert_eq!(answered.as_deref(), Some("b2b-ok"));
            assert_eq!(response["status"], "SUCCESS", "EPoint's answer is kept");
        }
        Ok(check) => panic!("expected AnswerMismatch, got {check:?}"),
    }
    // An answer that names no order cannot confirm a webhook either.
    let server = CaptureServer::start(Reply::json(json!({"status": "SUCCESS"}))).await;
    let c = client(&server.base_url());
    assert!(matches!(
        c.confirm_b2b_webhook(webhook.as_bytes()).await,
        Err(Error::AnswerMismatch { answered: None, .. })
    ));
}
