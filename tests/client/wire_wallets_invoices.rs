//! Wallets, invoices, saved-card status and the widget over real HTTP against a loopback capture server: what each wallet, invoice,
//! card-status and widget call puts on the wire, and how EPoint's success and error answers
//! become typed results (including the uncertain shapes: a bare wallet map or a `wallets`
//! field, an invoice id as a number or a string, any card state).

use crate::capture;

use capture::{CaptureServer, Reply};
use epoint_az::{Client, Config, Error, Keys, PaymentStatus, SavedCardState};
use rust_decimal_macros::dec;
use serde_json::{Value, json};

const PUBLIC_KEY: &str = "i000000001";
const PRIVATE_KEY: &str = "wire_test_private_key_0123456789";

fn client(server: &CaptureServer) -> Client {
    Client::new(Config::new(PUBLIC_KEY, PRIVATE_KEY).base_url(server.base_url())).expect("client")
}

/// The one request the server got: its path and decoded, signature-checked payload.
fn sent(server: &CaptureServer) -> (String, Value) {
    let request = server.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form = request.form();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} in {form:?}"))
    };
    let (data, signature) = (field("data"), field("signature"));
    Keys::new(PUBLIC_KEY, PRIVATE_KEY)
        .verify(&data, &signature)
        .expect("signed with the private key");
    let payload = epoint_az::signing::decode_data(&data).expect("data is base64 JSON");
    (request.path, payload)
}

fn rejection(err: Error) -> (PaymentStatus, String) {
    match err {
        Error::Rejected {
            status, message, ..
        } => (status, message),
        other => panic!("expected Rejected, got {other:?}"),
    }
}

fn error_reply() -> Reply {
    Reply::json(json!({"status": "error", "message": "Invalid request", "trace_id": "t-1"}))
}

#[tokio::test]
async fn wallet_status_reads_a_bare_map_or_a_wallets_field() {
    let server = CaptureServer::start(Reply::json(
        json!({"8": "Portmanat", "9": "M10", "10": "BirBank"}),
    ))
    .await;
    let list = client(&server).wallets().await.expect("wallets");
    let (path, payload) = sent(&server);
    assert_eq!(path, "/api/1/wallet/status");
    assert_eq!(payload, json!({"public_key": PUBLIC_KEY}));
    let names: Vec<&str> = list.wallets.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(
        names,
        ["Portmanat", "M10", "BirBank"],
        "numeric ids in order"
    );
    assert_eq!(list.answer.extra["10"], "BirBank");

    for wallets in [json!({"9": "M10"}), json!([{"id": 9, "name": "M10"}])] {
        let server = CaptureServer::start(Reply::json(
            json!({"status": "success", "wallets": wallets}),
        ))
        .await;
        let list = client(&server).wallets().await.expect("wallets");
        assert_eq!(list.wallets.len(), 1);
        assert_eq!(
            (list.wallets[0].id.as_str(), list.wallets[0].name.as_str()),
            ("9", "M10")
        );
        assert!(list.answer.wallets.is_some(), "the raw field is kept");
    }

    let server = CaptureServer::start(error_reply()).await;
    let (status, message) = rejection(client(&server).wallets().await.unwrap_err());
    assert_eq!(
        (status, message.as_str()),
        (PaymentStatus::Error, "Invalid request")
    );
}

#[tokio::test]
async fn wallet_payment_is_a_hosted_page() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "success", "transaction": "te000000009",
        "redirect_url": "https://epoint.az/az/wallet/te000000009"
    })))
    .await;
    let page = client(&server)
        .pay_with_wallet("9", dec!(12.5), "w-1")
        .description("tea")
        .await
        .expect("page");
    let (path, payload) = sent(&server);
    assert_eq!(path, "/api/1/wallet/payment");
    assert_eq!(
        payload,
        json!({"public_key": PUBLIC_KEY, "wallet_id": "9", "amount": "12.50", "currency": "AZN",
               "order_id": "w-1", "language": "az", "description": "tea"})
    );
    assert_eq!(page.transaction, "te000000009");

    let server = CaptureServer::start(Reply::json(json!({"status": "success"}))).await;
    let err = client(&server)
        .pay_with_wallet("9", dec!(1), "w-2")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::IncompleteAnswer {
                missing: "transaction",
                ..
            }
        ),
        "{err:?}"
    );
    let server = CaptureServer::start(error_reply()).await;
    rejection(
        client(&server)
            .pay_with_wallet("9", dec!(1), "w-3")
            .await
            .unwrap_err(),
    );
}

#[tokio::test]
async fn invoice_create_and_update_send_every_field() {
    for id in [json!(42), json!("42")] {
        let server =
            CaptureServer::start(Reply::json(json!({"status": "success", "id": id}))).await;
        let created = client(&server)
            .create_invoice(dec!(150), "2026-12-01", "2026-12-31")
            .installment(true)
            .email("a@example.com")
            .await
            .expect("created");
        assert_eq!(created.id, 42, "a number or a numeric string");
        let (path, payload) = sent(&server);
        assert_eq!(path, "/api/1/invoices/create");
        assert_eq!(
            payload,
            json!({"public_key": PUBLIC_KEY, "sum": "150.00", "display": 1, "save_as_template": 0,
                   "status_installment": 1, "email": "a@example.com",
                   "period_from": "2026-12-01", "period_to": "2026-12-31"})
        );
    }
    let server = CaptureServer::start(Reply::json(json!({"status": "success"}))).await;
    let err = client(&server)
        .create_invoice(dec!(1), "2026-12-01", "2026-12-31")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::IncompleteAnswer { missing: "id", .. }),
        "{err:?}"
    );
    let server = CaptureServer::start(error_reply()).await;
    rejection(
        client(&server)
            .create_invoice(dec!(1), "2026-12-01", "2026-12-31")
            .await
            .unwrap_err(),
    );

    let server = CaptureServer::start(Reply::json(
        json!({"status": "success", "message": "Updated", "trace_id": "t-2"}),
    ))
    .await;
    let updated = client(&server)
        .update_invoice(42, dec!(200), "2026-12-01", "2027-01-31")
        .display(false)
        .await
        .expect("updated");
    assert_eq!(updated.message.as_deref(), Some("Updated"));
    let (path, payload) = sent(&server);
    assert_eq!(path, "/api/1/invoices/update");
    assert_eq!(payload["id"], 42);
    assert_eq!(payload["display"], 0);
    let server = CaptureServer::start(error_reply()).await;
    let (_, message) = rejection(
        client(&server)
            .update_invoice(42, dec!(200), "2026-12-01", "2027-01-31")
            .await
            .unwrap_err(),
    );
    assert_eq!(message, "Invalid request");
}

#[tokio::test]
async fn invoice_view_and_list_keep_unknown_fields() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "success",
        "invoice": {"id": 42, "status": "paid", "sum": 150.5, "display": 1, "url": "https://epoint.az/i/42"}
    })))
    .await;
    let seen = client(&server).view_invoice(42).await.expect("view");
    let (path, payload) = sent(&server);
    assert_eq!(path, "/api/1/invoices/view");
    assert_eq!(payload, json!({"public_key": PUBLIC_KEY, "id": 42}));
    let invoice = seen.invoice.expect("invoice");
    assert_eq!(invoice.status.as_deref(), Some("paid"));
    assert_eq!(invoice.sum.map(|m| m.amount()), Some(dec!(150.5)));
    assert_eq!(invoice.extra["url"], "https://epoint.az/i/42");
    let server = CaptureServer::start(error_reply()).await;
    rejection(client(&server).view_invoice(42).await.unwrap_err());

    let server = CaptureServer::start(Reply::json(json!({
        "invoices": [{"id": 1, "status": "waiting_for_payment"}, {"id": 2, "status": "refunded_later"}],
        "total": 2
    })))
    .await;
    let list = client(&server)
        .list_invoices()
        .invoice_type(epoint_az::generated::types::InvoiceType::Static)
        .order("asc")
        .await
        .expect("list");
    let (path, payload) = sent(&server);
    assert_eq!(path, "/api/1/invoices/list");
    assert_eq!(
        payload,
        json!({"public_key": PUBLIC_KEY, "type": "static", "order": "asc"})
    );
    assert_eq!(list.invoices[1].status.as_deref(), Some("refunded_later"));
    assert_eq!(list.extra["total"], 2);
    let server = CaptureServer::start(error_reply()).await;
    rejection(client(&server).list_invoices().await.unwrap_err());
}

#[tokio::test]
async fn invoice_sms_and_email() {
    let ok = || Reply::json(json!({"status": "success", "message": "Sent"}));
    let server = CaptureServer::start(ok()).await;
    client(&server)
        .send_invoice_sms(42, "+994501234567")
        .await
        .expect("sms");
    let (path, payload) = sent(&server);
    assert_eq!(path, "/api/1/invoices/send-sms");
    assert_eq!(
        payload,
        json!({"public_key": PUBLIC_KEY, "id": 42, "phone": "+994501234567"})
    );
    let server = CaptureServer::start(ok()).await;
    client(&server)
        .send_invoice_email(42, "a@example.com")
        .await
        .expect("email");
    let (path, payload) = sent(&server);
    assert_eq!(path, "/api/1/invoices/send-email");
    assert_eq!(
        payload,
        json!({"public_key": PUBLIC_KEY, "id": 42, "email": "a@example.com"})
    );
    let server = CaptureServer::start(error_reply()).await;
    rejection(
        client(&server)
            .send_invoice_sms(42, "+994501234567")
            .await
            .unwrap_err(),
    );
    let server = CaptureServer::start(Reply::json(
        json!({"status": "server_error", "message": "Merchant not found"}),
    ))
    .await;
    let (status, _) = rejection(
        client(&server)
            .send_invoice_email(42, "a@example.com")
            .await
            .unwrap_err(),
    );
    assert_eq!(status, PaymentStatus::ServerError);
}

#[tokio::test]
async fn card_status_reads_every_card_state() {
    for (wire, state) in [
        ("active", SavedCardState::Active),
        ("session_expired", SavedCardState::SessionExpired),
        ("frozen", SavedCardState::Other("frozen".into())),
    ] {
        let server = CaptureServer::start(Reply::json(json!({
            "status": wire, "id": "ce000000001", "name": "TEST", "mask": "416973******0000",
            "expired_date": "12/30", "trace_id": "t-3"
        })))
        .await;
        let card = client(&server)
            .get_card_status("ce000000001")
            .await
            .expect("state");
        assert_eq!(card.state, state);
        assert_eq!(card.answer.expired_date.as_deref(), Some("12/30"));
        let (path, payload) = sent(&server);
        assert_eq!(path, "/api/1/get-status-card");
        assert_eq!(
            payload,
            json!({"public_key": PUBLIC_KEY, "card_id": "ce000000001"})
        );
    }
    let server = CaptureServer::start(Reply::json(
        json!({"status": "error", "message": "Card not found"}),
    ))
    .await;
    let (status, message) = rejection(client(&server).get_card_status("ce404").await.unwrap_err());
    assert_eq!(
        (status, message.as_str()),
        (PaymentStatus::Error, "Card not found")
    );
}

#[tokio::test]
async fn widget_sends_no_language_or_currency() {
    let server = CaptureServer::start(Reply::json(json!({
        "status": "success", "widget_url": "https://epoint.az/api/1/token/widget/000001"
    })))
    .await;
    let widget = client(&server)
        .create_widget(dec!(2.5), "widget-1", "Test payment")
        .await
        .expect("widget");
    assert_eq!(
        widget.widget_url,
        "https://epoint.az/api/1/token/widget/000001"
    );
    let (path, payload) = sent(&server);
    assert_eq!(path, "/api/1/token/widget");
    assert_eq!(
        payload,
        json!({"public_key": PUBLIC_KEY, "amount": "2.50", "order_id": "widget-1",
               "description": "Test payment"})
    );
    let server = CaptureServer::start(Reply::json(json!({"status": "success"}))).await;
    let err = client(&server)
        .create_widget(dec!(1), "w", "d")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::IncompleteAnswer {
                missing: "widget_url",
                ..
            }
        ),
        "{err:?}"
    );
    let server = CaptureServer::start(error_reply()).await;
    rejection(
        client(&server)
            .create_widget(dec!(1), "w", "d")
            .await
            .unwrap_err(),
    );
}
