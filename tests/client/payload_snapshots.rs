//! Pins every outgoing request: decoded JSON, `data`, `signature` and the exact form body,
//! for each of the ten operations, with fixed test keys. A change to the spec, the payload
//! builder or the signing shows up here as a snapshot diff to review.

use epoint_az::{Client, Config, Language, Preview, generated::ClientInfo};
use rust_decimal_macros::dec;
use serde::Serialize;

const PUBLIC_KEY: &str = "i000000001";
const PRIVATE_KEY: &str = "test_private_key";

fn client() -> Client {
    Client::new(Config::new(PUBLIC_KEY, PRIVATE_KEY).base_url("https://epoint.az")).expect("client")
}

#[derive(Serialize)]
struct Pinned<'a> {
    operation_id: &'a str,
    method: &'a str,
    url: &'a str,
    payload: &'a serde_json::Value,
    json: &'a str,
    data: &'a str,
    signature: &'a str,
    form_body: &'a str,
}

/// Pins a preview, after checking it is self-consistent with the independent pieces
/// (base64 of the JSON, signature re-verified, form body percent-encoding).
fn pin(name: &str, preview: Preview) {
    let keys = epoint_az::Keys::new(PUBLIC_KEY, PRIVATE_KEY);
    let env = &preview.envelope;
    keys.verify(&env.data, &env.signature)
        .expect("signature verifies");
    let decoded: serde_json::Value =
        epoint_az::signing::decode_data(&env.data).expect("data decodes");
    assert_eq!(decoded, preview.payload, "{name}: data carries the payload");
    assert_eq!(
        decoded["public_key"], PUBLIC_KEY,
        "{name}: public_key is filled in"
    );
    let form: Vec<(String, String)> = form_urlencoded::parse(preview.form_body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(
        form,
        vec![
            ("data".to_owned(), env.data.clone()),
            ("signature".to_owned(), env.signature.clone())
        ],
        "{name}: form body decodes back to the envelope"
    );
    let [data_part, signature_part] = [0, 1].map(|i| {
        preview
            .form_body
            .split('&')
            .nth(i)
            .and_then(|kv| kv.split_once('='))
            .map(|(_, v)| v.to_owned())
            .unwrap_or_default()
    });
    for part in [&data_part, &signature_part] {
        assert!(
            !part.contains(['+', '/', '=']),
            "{name}: base64 + / = must be percent-encoded in the form body: {part}"
        );
    }
    insta::assert_yaml_snapshot!(
        name,
        Pinned {
            operation_id: preview.operation.operation_id(),
            method: preview.method,
            url: &preview.url,
            payload: &preview.payload,
            json: &preview.json,
            data: &env.data,
            signature: &env.signature,
            form_body: &preview.form_body,
        }
    );
}

#[test]
fn payment_request() {
    let c = client();
    let p = c
        .pay(dec!(30.75), "1")
        .description("test payment")
        .success_redirect_url("https://shop.example/paid")
        .error_redirect_url("https://shop.example/failed")
        .other_attr(serde_json::json!({"cart": "42"}))
        .preview()
        .expect("preview");
    pin("payment_request", p);
}

#[test]
fn payment_request_minimal_non_ascii() {
    let c = client();
    let p = c
        .pay(dec!(10.5), "ord-2")
        .description("Ödəniş")
        .language(Language::En)
        .installment(true)
        .preview()
        .expect("preview");
    pin("payment_request_minimal_non_ascii", p);
}

#[test]
fn get_status() {
    pin(
        "get_status",
        client()
            .get_transaction_status("te000000001")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn get_status_by_order_id() {
    pin(
        "get_status_by_order_id",
        client()
            .get_order_status("order-1001")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn card_registration() {
    pin(
        "card_registration",
        client()
            .save_card()
            .for_payouts(true)
            .description("payout card")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn execute_pay() {
    pin(
        "execute_pay",
        client()
            .pay_with_saved_card("ce000000001", dec!(9.99), "sub-2026-11")
            .description("monthly plan")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn card_registration_with_pay() {
    pin(
        "card_registration_with_pay",
        client()
            .pay_and_save_card(dec!(5), "sub-first")
            .description("first month")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn refund_request_is_a_payout() {
    pin(
        "refund_request",
        client()
            .payout("ce000000009", dec!(250.00), "payout-77")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn reverse_full_and_partial() {
    pin(
        "reverse_full",
        client().refund("te000000001").preview().expect("preview"),
    );
    pin(
        "reverse_partial",
        client()
            .refund("te000000001")
            .amount(dec!(10.00))
            .preview()
            .expect("preview"),
    );
}

#[test]
fn split_request() {
    pin(
        "split_request",
        client()
            .split_pay(dec!(100.00), "split-1", "i000000002", dec!(30.00))
            .description("marketplace order")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn split_execute_pay() {
    pin(
        "split_execute_pay",
        client()
            .split_pay_with_saved_card(
                "ce000000001",
                dec!(100.00),
                "split-2",
                "i000000002",
                dec!(30.00),
            )
            .preview()
            .expect("preview"),
    );
}

#[test]
fn split_card_registration_with_pay() {
    pin(
        "split_card_registration_with_pay",
        client()
            .split_pay_and_save_card(dec!(100.00), "split-3", "i000000002", dec!(30.00))
            .preview()
            .expect("preview"),
    );
}

#[test]
fn checkout() {
    let client = client();
    let call = client
        .checkout_form(dec!(30.75), "checkout-1")
        .description("test payment")
        .success_redirect_url("https://shop.example/paid");
    let form = call.form().expect("form");
    let preview = call.preview().expect("preview");
    assert_eq!(
        (form.data.as_str(), form.signature.as_str()),
        (
            preview.envelope.data.as_str(),
            preview.envelope.signature.as_str()
        )
    );
    pin("checkout", preview);
    insta::assert_snapshot!("checkout_html", form.html());
}

#[test]
fn developer_payment_request() {
    pin(
        "developer_payment_request",
        client()
            .request_payment(dec!(30.75), "dev-1")
            .currency(epoint_az::HostedPageCurrency::Usd)
            .other_attr(serde_json::json!({"cart": "42"}))
            .preview()
            .expect("preview"),
    );
}

#[test]
fn amex_request() {
    pin(
        "amex_request",
        client()
            .pay_with_amex(dec!(120.00), "amex-1")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn payment_change_sum() {
    pin(
        "payment_change_sum",
        client()
            .change_payment_amount(dec!(25.5), "dev-1")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn pre_auth_request() {
    pin(
        "pre_auth_request",
        client()
            .pre_authorize(dec!(50), "hold-1")
            .description("Hotel booking")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn pre_auth_complete() {
    pin(
        "pre_auth_complete",
        client()
            .complete_pre_authorization("te000000001", dec!(45))
            .preview()
            .expect("preview"),
    );
}

#[test]
fn get_installment_request() {
    pin(
        "get_installment_request",
        client()
            .installment_options("tv-1")
            .amount(dec!(600))
            .preview()
            .expect("preview"),
    );
}

#[test]
fn installment_request() {
    pin(
        "installment_request",
        client()
            .pay_in_installments(dec!(600), "tv-1", "1", 6)
            .preview()
            .expect("preview"),
    );
}

/// `GET /api/heartbeat` has no payload: its request (method, URL, no body) is pinned.
#[test]
fn heartbeat() {
    #[derive(Serialize)]
    struct Request {
        operation_id: &'static str,
        method: &'static str,
        url: String,
        body: &'static str,
    }
    let info = epoint_az::OperationId::Heartbeat.info();
    assert_eq!(info.payload, None, "unsigned");
    insta::assert_json_snapshot!(
        "heartbeat",
        Request {
            operation_id: info.operation_id,
            method: info.method,
            url: format!("{}{}", client().raw().baseurl(), info.path),
            body: "",
        }
    );
}

#[test]
fn wallet_status() {
    pin(
        "wallet_status",
        client().wallets().preview().expect("preview"),
    );
}

#[test]
fn wallet_payment() {
    pin(
        "wallet_payment",
        client()
            .pay_with_wallet("9", dec!(12.50), "wallet-1")
            .description("tea")
            .language(Language::Ru)
            .preview()
            .expect("preview"),
    );
}

#[test]
fn invoices_create_minimal_and_full() {
    pin(
        "invoices_create_minimal",
        client()
            .create_invoice(dec!(150), "2026-12-01", "2026-12-31")
            .preview()
            .expect("preview"),
    );
    pin(
        "invoices_create_full",
        client()
            .create_invoice(dec!(150.5), "2026-12-01", "2026-12-31")
            .display(false)
            .save_as_template(true)
            .installment(true)
            .name("Məsləhət xidməti")
            .description("December")
            .phone("+994501234567")
            .email("customer@example.com")
            .inn("1234567890")
            .contract_number("C-7")
            .merchant_order_id("order-5")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn invoices_update() {
    pin(
        "invoices_update",
        client()
            .update_invoice(7, dec!(200), "2026-12-01", "2027-01-31")
            .name("Consulting")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn invoices_view_list_and_send() {
    pin(
        "invoices_view",
        client().view_invoice(7).preview().expect("preview"),
    );
    pin(
        "invoices_list",
        client()
            .list_invoices()
            .invoice_type(epoint_az::generated::types::InvoiceType::Outgoing)
            .order("desc")
            .preview()
            .expect("preview"),
    );
    pin(
        "invoices_send_sms",
        client()
            .send_invoice_sms(7, "+994501234567")
            .preview()
            .expect("preview"),
    );
    pin(
        "invoices_send_email",
        client()
            .send_invoice_email(7, "customer@example.com")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn invoice_dates_are_checked_before_sending() {
    let c = client();
    for bad in ["2026-13-01", "01.12.2026", "2026-12-1", ""] {
        let call = c.create_invoice(dec!(1), bad, "2026-12-31");
        assert!(
            matches!(
                call.payload(),
                Err(epoint_az::Error::InvalidInput {
                    field: "period_from",
                    ..
                })
            ),
            "{bad:?}"
        );
    }
    let call = c.create_invoice(dec!(0), "2026-12-01", "2026-12-31");
    assert!(matches!(
        call.payload(),
        Err(epoint_az::Error::InvalidInput { field: "sum", .. })
    ));
    let call = c.send_invoice_email(1, "");
    assert!(matches!(
        call.payload(),
        Err(epoint_az::Error::InvalidInput { field: "email", .. })
    ));
}

#[test]
fn get_status_card() {
    pin(
        "get_status_card",
        client()
            .get_card_status("ce000000001")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn token_widget() {
    pin(
        "token_widget",
        client()
            .create_widget(dec!(2.5), "widget-1", "Test payment")
            .preview()
            .expect("preview"),
    );
}

#[test]
fn token_payment() {
    let c = client();
    pin(
        "token_payment",
        c.create_token_payment(dec!(2.50), "token-1")
            .description("Test payment")
            .preview()
            .expect("valid"),
    );
}

#[test]
fn apple_pay_session() {
    pin(
        "apple_pay_session",
        client()
            .apple_pay_session("https://shop.example.com")
            .preview()
            .expect("valid"),
    );
}

#[test]
fn apple_pay() {
    let token = serde_json::json!({"paymentData": {"version": "EC_v1", "data": "abc"}});
    let contact = serde_json::json!({"givenName": "Ada", "familyName": "Lovelace"});
    pin(
        "apple_pay",
        client()
            .apple_pay(9998887, token, Some(contact))
            .preview()
            .expect("valid"),
    );
}

#[test]
fn google_pay() {
    pin(
        "google_pay",
        client()
            .google_pay(9998887, serde_json::json!("google-token"), None)
            .preview()
            .expect("valid"),
    );
}

#[test]
fn token_split_payment() {
    pin(
        "token_split_payment",
        client()
            .token_split_pay(dec!(100), "token-split-1", "i000000002", dec!(30))
            .preview()
            .expect("valid"),
    );
}

/// B2B is a JSON envelope, not a form: pins the signed payload and its envelope.
#[test]
fn b2b_payment() {
    let transfer = epoint_az::B2bTransferRequest::new(
        dec!(1500),
        "b2b-1",
        "Invoice 42",
        "AZ21NABZ00000000137010001944",
        "Supplier LLC",
        "1234567892",
        "505000",
    )
    .webhook_url("https://shop.example.com/epoint/b2b");
    let payload = transfer.payload(PUBLIC_KEY).expect("valid");
    let keys = epoint_az::Keys::new(PUBLIC_KEY, PRIVATE_KEY);
    let envelope = keys.seal(&payload).expect("seal");
    insta::assert_yaml_snapshot!(
        "b2b_payment",
        serde_json::json!({
            "method": "POST",
            "path": "/api/1/b2b/payment",
            "content_type": "application/json",
            "payload": payload,
            "body": envelope,
        })
    );
}

/// An unsigned GET: pins the method and path.
#[test]
fn b2b_payment_status() {
    insta::assert_yaml_snapshot!(
        "b2b_payment_status",
        serde_json::json!({"method": "GET", "path": "/api/1/b2b/payment/b2b-1", "body": null})
    );
}
