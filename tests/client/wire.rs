//! Every operation over real HTTP against a loopback capture server: what goes on the wire,
//! and how each kind of EPoint answer (success, error, server_error, unknown status,
//! non-JSON, HTTP 502, decline) becomes a typed `Result`.

use crate::capture;

use capture::{CaptureServer, Reply};
use epoint_az::{Client, Config, Delivery, Error, Keys, PaymentStatus};
use rust_decimal_macros::dec;
use serde_json::{Value, json};

const PUBLIC_KEY: &str = "i000000001";
const PRIVATE_KEY: &str = "wire_test_private_key_0123456789";

fn client(base_url: &str) -> Client {
    Client::new(Config::new(PUBLIC_KEY, PRIVATE_KEY).base_url(base_url)).expect("client")
}

/// An answer success accepts for every operation (each needs some of these fields).
fn full_success() -> Value {
    json!({
        "status": "success", "transaction": "te000000001", "card_id": "ce000000001",
        "redirect_url": "https://epoint.az/pay/te000000001"
    })
}

/// Sends all ten operations; each answer is returned as JSON (Ok: the whole answer as EPoint
/// sent it, `.answer` of the typed success) or the error.
async fn send_all(c: &Client) -> Vec<(&'static str, Result<Value, Error>)> {
    fn v<T: serde::Serialize>(r: epoint_az::Result<T>) -> Result<Value, Error> {
        r.map(|t| serde_json::to_value(t).expect("answer serialises")["answer"].clone())
    }
    vec![
        ("/api/1/request", v(c.pay(dec!(30.75), "o-1").await)),
        (
            "/api/1/get-status",
            v(c.get_transaction_status("te000000001").await),
        ),
        ("/api/1/card-registration", v(c.save_card().await)),
        (
            "/api/1/execute-pay",
            v(c.pay_with_saved_card("ce1", dec!(1.00), "o-2").await),
        ),
        (
            "/api/1/card-registration-with-pay",
            v(c.pay_and_save_card(dec!(2), "o-3").await),
        ),
        (
            "/api/1/refund-request",
            v(c.payout("ce1", dec!(3), "o-4").await),
        ),
        ("/api/1/reverse", v(c.refund("te000000001").await)),
        (
            "/api/1/split-request",
            v(c.split_pay(dec!(10), "o-5", "i000000002", dec!(4)).await),
        ),
        (
            "/api/1/split-execute-pay",
            v(
                c.split_pay_with_saved_card("ce1", dec!(10), "o-6", "i000000002", dec!(4))
                    .await,
            ),
        ),
        (
            "/api/1/split-card-registration-with-pay",
            v(
                c.split_pay_and_save_card(dec!(10), "o-7", "i000000002", dec!(4))
                    .await,
            ),
        ),
    ]
}

#[tokio::test]
async fn every_operation_posts_a_signed_form_to_its_path() {
    let server = CaptureServer::start(Reply::json(full_success())).await;
    let results = send_all(&client(&server.base_url())).await;
    let requests = server.requests();
    assert_eq!(requests.len(), 10, "one request per operation");
    let keys = Keys::new(PUBLIC_KEY, PRIVATE_KEY);
    for (path, result) in &results {
        let answer = result.as_ref().unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(answer["status"], "success", "{path}");
        let req = requests
            .iter()
            .find(|r| r.path == *path)
            .unwrap_or_else(|| panic!("no request to {path}"));
        assert_eq!(req.method, "POST", "{path}");
        assert_eq!(
            req.header("content-type"),
            Some("application/x-www-form-urlencoded"),
            "{path}"
        );
        let form = req.form();
        assert_eq!(
            form.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["data", "signature"],
            "{path}: exactly data and signature"
        );
        keys.verify(&form[0].1, &form[1].1)
            .unwrap_or_else(|e| panic!("{path}: signature on the wire does not verify: {e}"));
        let payload: Value = epoint_az::signing::decode_data(&form[0].1).expect("payload decodes");
        assert_eq!(payload["public_key"], PUBLIC_KEY, "{path}");
        assert!(
            !req.body.contains(PRIVATE_KEY),
            "{path}: private key never sent"
        );
    }
}

#[tokio::test]
async fn money_is_sent_as_a_two_decimal_string() {
    let server = CaptureServer::start(Reply::json(full_success())).await;
    client(&server.base_url())
        .pay(dec!(20), "o-1")
        .await
        .expect("success");
    let form = server.only_request().form();
    let payload: Value = epoint_az::signing::decode_data(&form[0].1).expect("decodes");
    assert_eq!(payload["amount"], "20.00");
    assert_eq!(payload["currency"], "AZN");
    assert_eq!(payload["language"], "az");
}

#[tokio::test]
async fn server_error_envelopes_are_rejections_for_every_operation() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "server_error", "message": "Signature did not match"
    })))
    .await;
    for (path, result) in send_all(&client(&server.base_url())).await {
        match result {
            Err(Error::Rejected {
                status, message, ..
            }) => {
                assert_eq!(status, PaymentStatus::ServerError, "{path}");
                assert_eq!(message, "Signature did not match", "{path}");
            }
            other => panic!("{path}: expected Rejected, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn merchant_not_found_is_a_rejection_that_keeps_the_answer() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "server_error", "message": "Merchant not found", "trace_id": "t-1"
    })))
    .await;
    let err = client(&server.base_url())
        .pay(dec!(1), "o")
        .await
        .expect_err("rejected");
    let Error::Rejected { response, .. } = &err else {
        panic!("expected Rejected, got {err:?}")
    };
    assert_eq!(response["trace_id"], "t-1");
    assert!(err.to_string().contains("Merchant not found"));
    assert!(err.may_have_reached_epoint());
}

#[tokio::test]
async fn error_status_means_rejection_except_for_status_queries_naming_a_payment() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "error", "message": "Kartda kifayət qədər balans yoxdur", "transaction": "te000000005"
    })))
    .await;
    let c = client(&server.base_url());
    let state = c
        .get_transaction_status("te000000005")
        .await
        .expect("a failed payment is a state, not an error");
    assert_eq!(state.status, PaymentStatus::Error);
    assert_eq!(state.answer.transaction.as_deref(), Some("te000000005"));

    let err = c.pay(dec!(1), "o").await.expect_err("creation refused");
    assert!(matches!(err, Error::Rejected { .. }), "{err:?}");

    let server = CaptureServer::start(Reply::json(json!({
        "status": "error", "message": "Transaction not found"
    })))
    .await;
    let err = client(&server.base_url())
        .get_transaction_status("te404")
        .await
        .expect_err("no transaction named: the query itself failed");
    assert!(
        matches!(err, Error::Rejected { ref message, .. } if message == "Transaction not found"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_declined_charge_keeps_bank_code_meaning_and_transaction() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "failed", "code": "116", "message": "Insufficient funds", "transaction": "te000000002"
    })))
    .await;
    let c = client(&server.base_url());
    for result in [
        c.pay_with_saved_card("ce1", dec!(10), "o-1").await,
        c.payout("ce1", dec!(10), "o-2").await,
        c.split_pay_with_saved_card("ce1", dec!(10), "o-3", "i000000002", dec!(1))
            .await,
    ] {
        let err = result.expect_err("declined");
        let Error::Declined {
            code,
            transaction,
            status,
            ..
        } = &err
        else {
            panic!("expected Declined, got {err:?}")
        };
        assert_eq!(*status, PaymentStatus::Failed);
        let code = code.as_ref().expect("bank code kept");
        assert_eq!(code.as_str(), "116");
        assert_eq!(code.meaning(), Some("Declined, insufficient funds"));
        assert_eq!(transaction.as_deref(), Some("te000000002"));
        assert_eq!(err.bank_code().map(|c| c.as_str()), Some("116"));
        assert!(
            err.to_string()
                .contains("116 (Declined, insufficient funds)"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn unknown_status_is_kept_never_a_decode_failure() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "pending_review", "transaction": "te000000003"
    })))
    .await;
    let c = client(&server.base_url());
    let state = c
        .get_transaction_status("te000000003")
        .await
        .expect("status query");
    assert_eq!(state.status, PaymentStatus::Other("pending_review".into()));
    let err = c
        .pay_with_saved_card("ce1", dec!(1), "o")
        .await
        .expect_err("outcome unknown");
    match err {
        Error::UnexpectedStatus { status, response } => {
            assert_eq!(status.as_str(), "pending_review");
            assert_eq!(response["transaction"], "te000000003");
        }
        other => panic!("expected UnexpectedStatus, got {other:?}"),
    }
}

#[tokio::test]
async fn amounts_are_read_as_numbers_or_strings() {
    for amount in [json!(30.75), json!("30.75"), json!("30.750")] {
        let server = CaptureServer::start(Reply::json(json!({
            "status": "success", "transaction": "te1", "amount": amount
        })))
        .await;
        let state = client(&server.base_url())
            .get_transaction_status("te1")
            .await
            .expect("decodes");
        assert_eq!(
            state.answer.amount.expect("amount").amount().normalize(),
            dec!(30.75),
            "{amount}"
        );
    }
}

#[tokio::test]
async fn non_json_answer_is_a_decode_error_keeping_the_body() {
    let server =
        CaptureServer::start(Reply::raw(200, "text/html", "<html>maintenance</html>")).await;
    let err = client(&server.base_url())
        .pay(dec!(1), "o")
        .await
        .expect_err("not JSON");
    match &err {
        Error::Decode { body, .. } => assert_eq!(&body[..], b"<html>maintenance</html>"),
        other => panic!("expected Decode, got {other:?}"),
    }
    assert!(err.may_have_reached_epoint());
}

#[tokio::test]
async fn http_502_keeps_status_and_body_and_is_sent_once() {
    let server = CaptureServer::start(Reply::raw(502, "text/plain", "bad gateway")).await;
    let err = client(&server.base_url())
        .pay_with_saved_card("ce1", dec!(5), "o")
        .await
        .expect_err("502");
    match &err {
        Error::Http { status, body } => {
            assert_eq!(*status, 502);
            assert_eq!(body, "bad gateway");
        }
        other => panic!("expected Http, got {other:?}"),
    }
    assert!(err.may_have_reached_epoint());
    assert_eq!(
        server.requests().len(),
        1,
        "a money-moving call is never retried"
    );
}

#[tokio::test]
async fn connection_refused_says_nothing_was_sent() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let err = client(&format!("http://{addr}"))
        .pay(dec!(1), "o")
        .await
        .expect_err("refused");
    match &err {
        Error::Transport { delivery, .. } => assert_eq!(*delivery, Delivery::NotSent),
        other => panic!("expected Transport, got {other:?}"),
    }
    assert!(!err.may_have_reached_epoint());
}

#[tokio::test]
async fn invalid_arguments_fail_before_any_io() {
    let server = CaptureServer::start(Reply::json(full_success())).await;
    let c = client(&server.base_url());
    let long = "x".repeat(256);
    let cases: Vec<(&str, Result<Value, Error>)> = vec![
        ("amount", c.pay(dec!(0), "o").await.map(|_| Value::Null)),
        ("amount", c.pay(dec!(-5), "o").await.map(|_| Value::Null)),
        ("amount", c.pay(dec!(1.001), "o").await.map(|_| Value::Null)),
        (
            "order_id",
            c.pay(dec!(1), long.clone()).await.map(|_| Value::Null),
        ),
        ("order_id", c.pay(dec!(1), "").await.map(|_| Value::Null)),
        (
            "description",
            c.pay(dec!(1), "o")
                .description("d".repeat(1001))
                .await
                .map(|_| Value::Null),
        ),
        (
            "success_redirect_url",
            c.pay(dec!(1), "o")
                .success_redirect_url("not a url")
                .await
                .map(|_| Value::Null),
        ),
        (
            "error_redirect_url",
            c.save_card()
                .error_redirect_url("ftp://x.example/")
                .await
                .map(|_| Value::Null),
        ),
        (
            "other_attr",
            c.pay(dec!(1), "o")
                .other_attr(json!([1, 2]))
                .await
                .map(|_| Value::Null),
        ),
        (
            "split_amount",
            c.split_pay(dec!(10), "o", "i000000002", dec!(11))
                .await
                .map(|_| Value::Null),
        ),
        (
            "amount",
            c.refund("te1")
                .amount(dec!(0.001))
                .await
                .map(|_| Value::Null),
        ),
        (
            "card_id",
            c.payout("", dec!(1), "o").await.map(|_| Value::Null),
        ),
        (
            "transaction",
            c.get_transaction_status("").await.map(|_| Value::Null),
        ),
    ];
    for (expected_field, result) in cases {
        match result {
            Err(Error::InvalidInput { field, reason }) => {
                assert_eq!(field, expected_field, "{reason}");
                assert!(!reason.is_empty());
            }
            other => panic!("expected InvalidInput on {expected_field}, got {other:?}"),
        }
    }
    assert!(server.requests().is_empty(), "nothing reached the server");
    // A 1000-character description is fine.
    c.pay(dec!(1), "o")
        .description("d".repeat(1000))
        .await
        .expect("limit is inclusive");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn the_private_key_never_appears_in_debug_display_or_errors() {
    let server = CaptureServer::start(Reply::json(
        json!({"status": "server_error", "message": "Signature did not match"}),
    ))
    .await;
    let c = client(&server.base_url());
    let err = c.pay(dec!(1), "o").await.expect_err("rejected");
    let config = Config::new(PUBLIC_KEY, PRIVATE_KEY);
    let keys = Keys::new(PUBLIC_KEY, PRIVATE_KEY);
    let call = c.pay(dec!(1), "o");
    for text in [
        format!("{c:?}"),
        format!("{config:?}"),
        format!("{keys:?}"),
        format!("{err:?}"),
        err.to_string(),
        format!("{call:?}"),
        format!("{:?}", call.preview().expect("preview")),
    ] {
        assert!(!text.contains(PRIVATE_KEY), "private key leaked: {text}");
    }
    assert!(format!("{c:?}").contains("[REDACTED]"));
}

#[cfg(feature = "blocking")]
#[test]
fn blocking_calls_work_without_a_runtime_and_refuse_inside_one() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(CaptureServer::start(Reply::json(json!({
        "status": "success", "transaction": "te000000010", "redirect_url": "https://epoint.az/pay/te000000010"
    }))));
    let c = client(&server.base_url());
    for order in ["b-1", "b-2"] {
        let created = c
            .pay(dec!(12.30), order)
            .send_blocking()
            .expect("blocking pay");
        assert_eq!(created.transaction, "te000000010");
    }
    assert_eq!(server.requests().len(), 2);
    let inside = runtime.block_on(async { c.pay(dec!(1), "b-3").send_blocking() });
    assert!(
        matches!(
            inside,
            Err(Error::InvalidInput {
                field: "runtime",
                ..
            })
        ),
        "{inside:?}"
    );
    assert_eq!(
        server.requests().len(),
        2,
        "nothing sent from inside a runtime"
    );
}

#[tokio::test]
async fn a_success_without_what_success_guarantees_is_an_incomplete_answer_keeping_the_body() {
    // (operation, answer that says success but lacks a guaranteed field, the field)
    let cases: [(&str, Value, &str); 4] = [
        (
            "pay",
            json!({"status": "success", "transaction": "te1"}),
            "redirect_url",
        ),
        (
            "pay",
            json!({"status": "success", "transaction": "", "redirect_url": "https://e/p"}),
            "transaction",
        ),
        (
            "save_card",
            json!({"status": "success", "redirect_url": "https://e/c"}),
            "card_id",
        ),
        (
            "pay_with_saved_card",
            json!({"status": "success"}),
            "transaction",
        ),
    ];
    for (operation, answer, missing_field) in cases {
        let server = CaptureServer::start(Reply::json(answer.clone())).await;
        let c = client(&server.base_url());
        let err = match operation {
            "pay" => c.pay(dec!(1), "o").await.map(drop),
            "save_card" => c.save_card().await.map(drop),
            _ => c.pay_with_saved_card("ce1", dec!(1), "o").await.map(drop),
        }
        .expect_err("incomplete");
        match &err {
            Error::IncompleteAnswer { missing, response } => {
                assert_eq!(*missing, missing_field, "{operation}");
                assert_eq!(**response, answer, "{operation}: the body is kept");
            }
            other => panic!("{operation}: expected IncompleteAnswer, got {other:?}"),
        }
        assert!(err.may_have_reached_epoint());
        assert_eq!(server.requests().len(), 1, "sent once");
    }
}

#[tokio::test]
async fn fields_epoint_adds_later_are_kept_in_extra() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "success", "transaction": "te1", "redirect_url": "https://e/p",
        "expires_at": "2026-12-01T00:00:00Z", "installments": {"months": 3}
    })))
    .await;
    let page = client(&server.base_url())
        .pay(dec!(1), "o")
        .await
        .expect("success");
    assert_eq!(page.transaction, "te1");
    assert_eq!(page.answer.extra["expires_at"], "2026-12-01T00:00:00Z");
    assert_eq!(page.answer.extra["installments"], json!({"months": 3}));
    assert_eq!(
        page.answer.extra.len(),
        2,
        "documented fields are not in extra"
    );
}

#[tokio::test]
async fn any_spec_operation_is_callable_with_a_payload_built_by_hand() {
    use epoint_az::{generated::types, ops};
    let server = CaptureServer::start(Reply::json(json!({
        "status": "success", "transaction": "te9", "code": "000"
    })))
    .await;
    let c = client(&server.base_url());
    let payload: types::StatusRequest = types::StatusByTransaction::builder()
        .public_key(PUBLIC_KEY)
        .transaction("te9")
        .try_into()
        .map(types::StatusRequest::Transaction)
        .expect("payload");
    let state = c
        .operation::<ops::GetStatus>(payload.clone())
        .await
        .expect("answer");
    assert!(state.is_paid());
    assert_eq!(state.bank_code().expect("code").as_str(), "000");
    let req = server.only_request();
    assert_eq!(req.path, "/api/1/get-status");
    let form = req.form();
    let sent: types::StatusRequest = epoint_az::signing::decode_data(&form[0].1).expect("decodes");
    assert_eq!(sent, payload, "exactly the payload given");
}

#[tokio::test]
async fn an_operation_missing_from_the_spec_is_sent_signed_with_the_same_error_mapping() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "success", "widget_url": "https://epoint.az/api/1/token/widget/000001"
    })))
    .await;
    let c = client(&server.base_url());
    let payload = json!({"public_key": PUBLIC_KEY, "amount": "5.00", "order_id": "w-1"});
    let answer: Value = c
        .send_signed("/api/1/token/widget", &payload)
        .await
        .expect("answer");
    assert_eq!(
        answer["widget_url"],
        "https://epoint.az/api/1/token/widget/000001"
    );
    let req = server.only_request();
    assert_eq!(req.path, "/api/1/token/widget");
    let form = req.form();
    Keys::new(PUBLIC_KEY, PRIVATE_KEY)
        .verify(&form[0].1, &form[1].1)
        .expect("signed");
    let sent: Value = epoint_az::signing::decode_data(&form[0].1).expect("decodes");
    assert_eq!(sent, payload);

    // A typed answer, and a rejection mapped like every other operation's.
    #[derive(serde::Deserialize)]
    struct Widget {
        widget_url: String,
    }
    let widget: Widget = c
        .send_signed("/api/1/token/widget", &payload)
        .await
        .expect("typed");
    assert!(widget.widget_url.ends_with("/000001"));
    let server = CaptureServer::start(Reply::json(
        json!({"status": "server_error", "message": "Signature did not match"}),
    ))
    .await;
    let err = client(&server.base_url())
        .send_signed::<Value>("/api/1/token/widget", &payload)
        .await
        .expect_err("rejected");
    assert!(
        matches!(&err, Error::Rejected { message, .. } if message == "Signature did not match"),
        "{err:?}"
    );
    let err = c
        .send_signed::<Value>("api/1/no-slash", &payload)
        .await
        .expect_err("invalid path");
    assert!(matches!(err, Error::InvalidInput { field: "path", .. }));
}
