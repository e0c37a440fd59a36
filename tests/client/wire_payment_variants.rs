//! The hosted-page payment variants over real HTTP against the capture server: what goes on the wire and how a
//! success and an error answer map to results.

use crate::capture;

use capture::{CaptureServer, Reply};
use epoint_az::{Client, Config, Error, HostedPageCurrency, Keys};
use rust_decimal_macros::dec;
use serde_json::{Value, json};

const PUBLIC_KEY: &str = "i000000001";
const PRIVATE_KEY: &str = "wire_test_private_key_0123456789";

fn client(base_url: &str) -> Client {
    Client::new(Config::new(PUBLIC_KEY, PRIVATE_KEY).base_url(base_url)).expect("client")
}

fn page() -> Value {
    json!({"status": "success", "transaction": "te000000001",
           "redirect_url": "https://epoint.az/pay/te000000001"})
}

/// The one request's decoded payload, after checking path, method and signature.
fn payload_of(server: &CaptureServer, path: &str) -> Value {
    let req = server.only_request();
    assert_eq!((req.method.as_str(), req.path.as_str()), ("POST", path));
    let form = req.form();
    Keys::new(PUBLIC_KEY, PRIVATE_KEY)
        .verify(&form[0].1, &form[1].1)
        .expect("signed");
    epoint_az::signing::decode_data(&form[0].1).expect("payload")
}

fn rejected() -> Reply {
    Reply::json(json!({"status": "error", "message": "Refused"}))
}

fn is_rejected<T: std::fmt::Debug>(r: epoint_az::Result<T>) {
    assert!(
        matches!(&r, Err(Error::Rejected { message, .. }) if message == "Refused"),
        "{r:?}"
    );
}

#[tokio::test]
async fn hosted_page_variants() {
    for path in [
        "/api/1/payment-request",
        "/api/1/amex-request",
        "/api/1/installment-request",
    ] {
        let server = CaptureServer::start(Reply::json(page())).await;
        let c = client(&server.base_url());
        let created = match path {
            "/api/1/payment-request" => {
                c.request_payment(dec!(30.75), "o-1")
                    .currency(HostedPageCurrency::Rub)
                    .await
            }
            "/api/1/amex-request" => c.pay_with_amex(dec!(30.75), "o-1").await,
            _ => c.pay_in_installments(dec!(30.75), "o-1", "2", 6).await,
        }
        .expect("created");
        assert_eq!(created.transaction, "te000000001");
        let payload = payload_of(&server, path);
        assert_eq!(payload["amount"], "30.75", "{path}");
        assert_eq!(payload["order_id"], "o-1");
        if path == "/api/1/payment-request" {
            assert_eq!(payload["currency"], "RUB");
        }
        if path == "/api/1/installment-request" {
            assert_eq!(payload["installment_card_id"], "2");
            assert_eq!(payload["installment_month"], 6);
        }
        let server = CaptureServer::start(rejected()).await;
        let c = client(&server.base_url());
        is_rejected(match path {
            "/api/1/payment-request" => c.request_payment(dec!(1), "o").await,
            "/api/1/amex-request" => c.pay_with_amex(dec!(1), "o").await,
            _ => c.pay_in_installments(dec!(1), "o", "2", 6).await,
        });
    }
}

#[tokio::test]
async fn checkout_form_is_not_sent_and_its_refusal_maps_like_the_others() {
    let server = CaptureServer::start(rejected()).await;
    let c = client(&server.base_url());
    let form = c.checkout_form(dec!(5), "o-9").form().expect("form");
    assert_eq!(form.action, format!("{}/api/1/checkout", server.base_url()));
    assert!(
        server.requests().is_empty(),
        "building the form sends nothing"
    );
    let payload: Value = epoint_az::signing::decode_data(&form.data).expect("data");
    assert_eq!(payload["currency"], "AZN");
    // If the call is sent anyway, a refusal is an error like everywhere else.
    is_rejected(c.checkout_form(dec!(5), "o-9").await);
    payload_of(&server, "/api/1/checkout");
}

#[tokio::test]
async fn change_sum_decodes_without_a_transaction() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "success", "redirect_url": "https://epoint.az/pay/te1", "trace_id": "t-1"
    })))
    .await;
    let answer = client(&server.base_url())
        .change_payment_amount(dec!(12.5), "o-2")
        .await
        .expect("re-priced");
    assert_eq!(answer.trace_id.as_deref(), Some("t-1"));
    let payload = payload_of(&server, "/api/1/payment-change-sum");
    assert_eq!(payload["amount"], "12.50");
    let server = CaptureServer::start(rejected()).await;
    is_rejected(
        client(&server.base_url())
            .change_payment_amount(dec!(1), "o")
            .await,
    );
}

#[tokio::test]
async fn pre_authorisation_and_completion() {
    let server = CaptureServer::start(Reply::json(page())).await;
    client(&server.base_url())
        .pre_authorize(dec!(50), "hold-1")
        .await
        .expect("held");
    let payload = payload_of(&server, "/api/1/pre-auth-request");
    assert_eq!(payload["currency"], "AZN");
    assert!(payload.get("is_installment").is_none());

    let server = CaptureServer::start(Reply::json(json!({
        "status": "success", "message": "Completed", "transaction": "te1", "trace_id": "x"
    })))
    .await;
    let done = client(&server.base_url())
        .complete_pre_authorization("te1", dec!(40))
        .await
        .expect("completed");
    assert_eq!(done.message.as_deref(), Some("Completed"));
    let payload = payload_of(&server, "/api/1/pre-auth-complete");
    assert_eq!(
        payload,
        json!({"public_key": PUBLIC_KEY, "transaction": "te1", "amount": "40.00"})
    );
    let server = CaptureServer::start(rejected()).await;
    is_rejected(
        client(&server.base_url())
            .complete_pre_authorization("te1", dec!(1))
            .await,
    );
}

#[tokio::test]
async fn installment_options_read_an_array_answer() {
    let server = CaptureServer::start(Reply::json(json!([
        {"installment_card_id": 7, "installment_months": "3,6", "name": "Birkart", "new": true}
    ])))
    .await;
    let offer = client(&server.base_url())
        .installment_options("o-3")
        .amount(dec!(600))
        .await
        .expect("options");
    assert_eq!(offer.options.len(), 1);
    assert_eq!(
        offer.options[0].installment_card_id,
        Some(json!(7)),
        "raw value kept"
    );
    assert_eq!(offer.options[0].extra["new"], true);
    let payload = payload_of(&server, "/api/1/get-installment-request");
    assert_eq!(payload["amount"], "600.00");
    let server = CaptureServer::start(rejected()).await;
    is_rejected(client(&server.base_url()).installment_options("o").await);
}

#[tokio::test]
async fn heartbeat_is_an_unsigned_get() {
    let server = CaptureServer::start(Reply::json(json!({"status": "ok"}))).await;
    client(&server.base_url()).heartbeat().await.expect("up");
    let req = server.only_request();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("GET", "/api/heartbeat")
    );
    let server = CaptureServer::start(Reply::json(json!({"status": "down"}))).await;
    assert!(matches!(
        client(&server.base_url()).heartbeat().await,
        Err(Error::UnexpectedStatus { .. })
    ));
}
