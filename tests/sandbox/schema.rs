//! Sandbox answers and callbacks conform to the response schemas of `openapi/epoint.yaml`.
//!
//! Each operation's `200` schema is taken from the spec itself (its `$ref`), and the
//! `components` section is used as a JSON Schema document (OpenAPI 3.0 schema objects are JSON
//! Schema with extra annotation keywords), made strict with `additionalProperties: false` so
//! an invented field fails too. Every answer is validated exactly as it came over the wire.

use crate::sandbox_support;

use epoint_az_sandbox::{Outcome, Sandbox};
use sandbox_support::{Merchant, keys1, sandbox_with};
use serde_json::{Value, json};

struct Spec {
    doc: Value,
}

impl Spec {
    fn load() -> Self {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/epoint.yaml"))
                .expect("read the spec");
        let doc: Value = serde_norway::from_str(&text).expect("YAML");
        Self { doc }
    }

    /// The component named by the `200` answer of `path`.
    fn response_component(&self, path: &str) -> String {
        let reference = self.doc["paths"][path]["post"]["responses"]["200"]["content"]
            ["application/json"]["schema"]["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("{path} has a 200 JSON schema $ref"));
        reference
            .strip_prefix("#/components/schemas/")
            .expect("a component ref")
            .to_owned()
    }

    /// A strict validator for one component.
    fn validator(&self, component: &str) -> jsonschema::Validator {
        let mut components = self.doc["components"].clone();
        for strict in [
            "RedirectResponse",
            "StatusResponse",
            "ChargeResponse",
            "ReverseResponse",
            "CallbackPayload",
        ] {
            components["schemas"][strict]["additionalProperties"] = json!(false);
        }
        let schema = json!({
            "$ref": format!("#/components/schemas/{component}"),
            "components": components,
        });
        jsonschema::validator_for(&schema).expect("the component compiles as JSON Schema")
    }

    fn check(&self, component: &str, wire: &str) {
        let value: Value = serde_json::from_str(wire).expect("the answer is JSON");
        let validator = self.validator(component);
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{component} rejects {wire}: {errors:?}");
    }
}

/// POSTs a signed payload; returns the raw JSON text.
async fn call(base: &str, path: &str, payload: Value) -> String {
    let envelope = keys1().seal(&payload).expect("seal");
    let body = epoint_az::signing::form_body(&envelope);
    let response = sandbox_support::http()
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "{path}"
    );
    response.text().await.expect("body")
}

fn field(wire: &str, name: &str) -> String {
    let value: Value = serde_json::from_str(wire).expect("json");
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} in {wire}"))
        .to_owned()
}

#[test]
fn the_validator_really_fails_on_wrong_shapes() {
    let spec = Spec::load();
    let status = spec.validator("StatusResponse");
    assert!(status.is_valid(&json!({"status": "success", "amount": 30.75, "code": "000"})));
    assert!(
        status.is_valid(&json!({"status": "some_new_status"})),
        "status is an open set"
    );
    for wrong in [
        json!({}),
        json!({"status": 1}),
        json!({"status": "success", "amount": "thirty"}),
        json!({"status": "success", "code": 0}),
        json!({"status": "success", "invented": true}),
    ] {
        assert!(!status.is_valid(&wrong), "{wrong} must be rejected");
    }
    let callback = spec.validator("CallbackPayload");
    assert!(!callback.is_valid(&json!({"status": "success", "split_amount": [1]})));
}

#[tokio::test]
async fn every_answer_and_callback_matches_the_spec() {
    let spec = Spec::load();
    let merchant = Merchant::start().await;
    let sandbox: Sandbox = sandbox_with(&merchant).await;
    let base = sandbox.base_url().to_owned();
    let pk = "i000000001";
    let mut answers: Vec<(&str, String)> = Vec::new();

    let pay = |order: &str| {
        json!({"public_key": pk, "amount": "30.75", "currency": "AZN", "language": "az",
               "order_id": order, "other_attr": {"cart": "1"}})
    };
    let tx1 = call(&base, "/api/1/request", pay("s-1")).await;
    answers.push(("/api/1/request", tx1.clone()));
    let tx1 = field(&tx1, "transaction");
    let mut zero = pay("s-0");
    zero["amount"] = json!("0");
    answers.push(("/api/1/request", call(&base, "/api/1/request", zero).await));
    answers.push((
        "/api/1/request",
        call(&base, "/api/1/request", json!({"public_key": "i000000404"})).await,
    ));

    let reg = |refund: u8| json!({"public_key": pk, "language": "en", "refund": refund});
    let card1 = call(&base, "/api/1/card-registration", reg(0)).await;
    answers.push(("/api/1/card-registration", card1.clone()));
    let card1 = field(&card1, "card_id");
    let card2 = field(
        &call(&base, "/api/1/card-registration", reg(1)).await,
        "card_id",
    );
    let poor = field(
        &call(&base, "/api/1/card-registration", reg(0)).await,
        "card_id",
    );

    let with_pay = call(
        &base,
        "/api/1/card-registration-with-pay",
        json!({"public_key": pk, "language": "az", "order_id": "s-2", "amount": "5", "currency": "AZN"}),
    )
    .await;
    answers.push(("/api/1/card-registration-with-pay", with_pay.clone()));
    let tx2 = field(&with_pay, "transaction");

    let split = |order: &str| {
        json!({"public_key": pk, "language": "az", "order_id": order, "amount": "100.00",
               "split_user": "i000000002", "split_amount": "30.00", "currency": "AZN"})
    };
    let tx3 = call(&base, "/api/1/split-request", split("s-3")).await;
    answers.push(("/api/1/split-request", tx3.clone()));
    let tx3 = field(&tx3, "transaction");
    let tx4 = call(
        &base,
        "/api/1/split-card-registration-with-pay",
        split("s-4"),
    )
    .await;
    answers.push(("/api/1/split-card-registration-with-pay", tx4.clone()));
    let tx4 = field(&tx4, "transaction");
    let mut bad_split = split("s-5");
    bad_split["split_user"] = json!("i000000404");
    answers.push((
        "/api/1/split-request",
        call(&base, "/api/1/split-request", bad_split).await,
    ));

    let new_status = call(
        &base,
        "/api/1/get-status",
        json!({"public_key": pk, "transaction": tx1}),
    )
    .await;
    assert_eq!(field(&new_status, "status"), "new");
    answers.push(("/api/1/get-status", new_status));

    for (id, outcome) in [
        (&tx1, Outcome::Paid),
        (&card1, Outcome::Paid),
        (&card2, Outcome::Paid),
        (&tx2, Outcome::Paid),
        (&tx3, Outcome::Paid),
        (&tx4, Outcome::Declined("116".into())),
        (
            &poor,
            Outcome::Card {
                number: "4169738800000116".into(),
                name: "X".into(),
            },
        ),
    ] {
        sandbox.complete(id, outcome).await.expect("complete");
    }

    for tx in [&tx1, &tx4, &"te404".to_owned()] {
        answers.push((
            "/api/1/get-status",
            call(
                &base,
                "/api/1/get-status",
                json!({"public_key": pk, "transaction": tx}),
            )
            .await,
        ));
    }
    let charge = |card: &str, order: &str| {
        json!({"public_key": pk, "language": "az", "card_id": card, "order_id": order,
               "amount": "10.00", "currency": "AZN"})
    };
    for (path, payload) in [
        ("/api/1/execute-pay", charge(&card1, "c-1")),
        ("/api/1/execute-pay", charge(&poor, "c-2")),
        ("/api/1/execute-pay", charge("ce404", "c-3")),
        ("/api/1/refund-request", charge(&card2, "p-1")),
        ("/api/1/refund-request", charge(&card1, "p-2")),
    ] {
        answers.push((path, call(&base, path, payload).await));
    }
    let mut split_charge = charge(&card1, "c-4");
    split_charge["split_user"] = json!("i000000002");
    split_charge["split_amount"] = json!("2.50");
    answers.push((
        "/api/1/split-execute-pay",
        call(&base, "/api/1/split-execute-pay", split_charge.clone()).await,
    ));
    split_charge["card_id"] = json!(poor);
    answers.push((
        "/api/1/split-execute-pay",
        call(&base, "/api/1/split-execute-pay", split_charge).await,
    ));
    let reverse = |amount: &str| json!({"public_key": pk, "language": "az", "transaction": tx1, "amount": amount, "currency": "AZN"});
    answers.push((
        "/api/1/reverse",
        call(&base, "/api/1/reverse", reverse("10.00")).await,
    ));
    answers.push((
        "/api/1/reverse",
        call(&base, "/api/1/reverse", reverse("99.00")).await,
    ));
    answers.push((
        "/api/1/get-status",
        call(
            &base,
            "/api/1/get-status",
            json!({"public_key": pk, "transaction": tx1}),
        )
        .await,
    ));

    let mut covered: Vec<&str> = answers.iter().map(|(p, _)| *p).collect();
    covered.sort_unstable();
    covered.dedup();
    assert_eq!(
        covered.len(),
        10,
        "every operation's answer is checked: {covered:?}"
    );
    let mut statuses: Vec<String> = answers.iter().map(|(_, a)| field(a, "status")).collect();
    statuses.sort();
    statuses.dedup();
    assert_eq!(
        statuses,
        [
            "error",
            "failed",
            "new",
            "returned",
            "server_error",
            "success"
        ],
        "success and failure answers are both checked"
    );
    for (path, wire) in &answers {
        spec.check(&spec.response_component(path), wire);
    }

    let received = merchant.received();
    assert_eq!(received.len(), 7, "one callback per completed page");
    for body in &received {
        let verified = keys1().verify_form(body.as_bytes()).expect("signed");
        spec.check("CallbackPayload", verified.json());
    }
}

#[tokio::test]
async fn payment_variant_answers_match_the_spec() {
    let spec = Spec::load();
    let strict = |component: &str, wire: &str| {
        let mut doc = spec.doc.clone();
        for name in [
            "RedirectResponse",
            "PreAuthCompleteResponse",
            "InstallmentOption",
            "InstallmentRefusal",
            "HeartbeatResponse",
        ] {
            doc["components"]["schemas"][name]["additionalProperties"] = json!(false);
        }
        Spec { doc }.check(component, wire);
    };
    let merchant = Merchant::start().await;
    let sandbox: Sandbox = sandbox_with(&merchant).await;
    let base = sandbox.base_url().to_owned();
    let pk = "i000000001";
    let pay = |order: &str| json!({"public_key": pk, "amount": "20.00", "currency": "USD", "language": "en", "order_id": order});
    let mut answers: Vec<(&str, String)> = Vec::new();
    for path in ["/api/1/payment-request", "/api/1/amex-request"] {
        answers.push((path, call(&base, path, pay(path)).await));
    }
    answers.push((
        "/api/1/payment-change-sum",
        call(
            &base,
            "/api/1/payment-change-sum",
            pay("/api/1/payment-request"),
        )
        .await,
    ));
    answers.push((
        "/api/1/payment-change-sum",
        call(&base, "/api/1/payment-change-sum", pay("unknown")).await,
    ));
    let mut hold = pay("hold");
    hold["currency"] = json!("AZN");
    let held = call(&base, "/api/1/pre-auth-request", hold).await;
    answers.push(("/api/1/pre-auth-request", held.clone()));
    let tx = field(&held, "transaction");
    sandbox.complete(&tx, Outcome::Paid).await.expect("page");
    let complete = |amount: &str| json!({"public_key": pk, "transaction": tx, "amount": amount});
    for amount in ["99.00", "15.00", "1.00"] {
        answers.push((
            "/api/1/pre-auth-complete",
            call(&base, "/api/1/pre-auth-complete", complete(amount)).await,
        ));
    }
    let mut options = pay("inst");
    options.as_object_mut().expect("object").remove("amount");
    answers.push((
        "/api/1/get-installment-request",
        call(&base, "/api/1/get-installment-request", options).await,
    ));
    answers.push((
        "/api/1/get-installment-request",
        call(
            &base,
            "/api/1/get-installment-request",
            json!({"public_key": pk}),
        )
        .await,
    ));
    let mut installment = pay("inst");
    installment["installment_card_id"] = json!("1");
    installment["installment_month"] = json!(6);
    answers.push((
        "/api/1/installment-request",
        call(&base, "/api/1/installment-request", installment).await,
    ));
    // A refused checkout is JSON (a created one is a 303, see tests/sandbox_e2e_payment_variants.rs).
    answers.push((
        "/api/1/checkout",
        call(&base, "/api/1/checkout", json!({"public_key": pk})).await,
    ));
    for (path, wire) in &answers {
        strict(&spec.response_component(path), wire);
    }
    let heartbeat = sandbox_support::http()
        .get(format!("{base}/api/heartbeat"))
        .send()
        .await
        .expect("heartbeat")
        .text()
        .await
        .expect("body");
    strict("HeartbeatResponse", &heartbeat);
    assert!(
        answers.iter().any(|(_, a)| a.starts_with('[')),
        "an array answer is checked"
    );
}

/// Every wallet, invoice, saved-card-status and widget answer the sandbox sends, success and refusal, validates against its
/// component; the answers that keep extra fields only because EPoint's shape is uncertain are
/// checked strictly here (the wallet map and the invoice's extra fields stay open).
#[tokio::test]
async fn wallet_invoice_and_card_answers_match_the_spec() {
    let spec = Spec::load();
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let base = sandbox.base_url().to_owned();
    let pk = "i000000001";
    let mut answers: Vec<(&str, String)> = Vec::new();

    answers.push((
        "/api/1/wallet/status",
        call(&base, "/api/1/wallet/status", json!({"public_key": pk})).await,
    ));
    let wallet = |id: &str| {
        json!({"public_key": pk, "wallet_id": id, "amount": "12.50", "currency": "AZN",
               "order_id": "w-1", "language": "az"})
    };
    for id in ["9", "77"] {
        answers.push((
            "/api/1/wallet/payment",
            call(&base, "/api/1/wallet/payment", wallet(id)).await,
        ));
    }
    let invoice = json!({"public_key": pk, "sum": "150.00", "display": 1, "save_as_template": 0,
                         "period_from": "2026-12-01", "period_to": "2026-12-31",
                         "phone": "+994501234567"});
    let created = call(&base, "/api/1/invoices/create", invoice.clone()).await;
    answers.push(("/api/1/invoices/create", created.clone()));
    let id = serde_json::from_str::<Value>(&created).expect("json")["id"].clone();
    let mut bad = invoice.clone();
    bad["period_from"] = json!("2027-01-01");
    answers.push((
        "/api/1/invoices/create",
        call(&base, "/api/1/invoices/create", bad).await,
    ));
    let mut update = invoice.clone();
    update["id"] = id.clone();
    answers.push((
        "/api/1/invoices/update",
        call(&base, "/api/1/invoices/update", update.clone()).await,
    ));
    update["id"] = json!(404);
    answers.push((
        "/api/1/invoices/update",
        call(&base, "/api/1/invoices/update", update).await,
    ));
    for view in [id.clone(), json!(404)] {
        answers.push((
            "/api/1/invoices/view",
            call(
                &base,
                "/api/1/invoices/view",
                json!({"public_key": pk, "id": view}),
            )
            .await,
        ));
    }
    for list in [
        json!({"public_key": pk}),
        json!({"public_key": pk, "type": "incoming"}),
        json!({"public_key": pk, "order": "sideways"}),
    ] {
        answers.push((
            "/api/1/invoices/list",
            call(&base, "/api/1/invoices/list", list).await,
        ));
    }
    for (path, field_name, value) in [
        ("/api/1/invoices/send-sms", "phone", "+994501234567"),
        ("/api/1/invoices/send-sms", "phone", "call me"),
        ("/api/1/invoices/send-email", "email", "a@example.com"),
        ("/api/1/invoices/send-email", "email", "nobody"),
    ] {
        let mut payload = json!({"public_key": pk, "id": id});
        payload[field_name] = json!(value);
        answers.push((path, call(&base, path, payload).await));
    }
    let card = field(
        &call(
            &base,
            "/api/1/card-registration",
            json!({"public_key": pk, "language": "az"}),
        )
        .await,
        "card_id",
    );
    let card_status = |card: &str| json!({"public_key": pk, "card_id": card});
    answers.push((
        "/api/1/get-status-card",
        call(&base, "/api/1/get-status-card", card_status(&card)).await,
    ));
    sandbox
        .complete(&card, Outcome::Paid)
        .await
        .expect("complete");
    for card in [card.as_str(), "ce404"] {
        answers.push((
            "/api/1/get-status-card",
            call(&base, "/api/1/get-status-card", card_status(card)).await,
        ));
    }
    let widget =
        json!({"public_key": pk, "amount": "2.50", "order_id": "wd-1", "description": "Test"});
    answers.push((
        "/api/1/token/widget",
        call(&base, "/api/1/token/widget", widget.clone()).await,
    ));
    let mut zero = widget;
    zero["amount"] = json!("0");
    answers.push((
        "/api/1/token/widget",
        call(&base, "/api/1/token/widget", zero).await,
    ));

    let mut covered: Vec<&str> = answers.iter().map(|(p, _)| *p).collect();
    covered.sort_unstable();
    covered.dedup();
    assert_eq!(
        covered.len(),
        10,
        "every wallet, invoice, card-status and widget operation: {covered:?}"
    );

    let mut components = spec.doc["components"].clone();
    for strict in [
        "RedirectResponse",
        "InvoiceCreateResponse",
        "InvoiceViewResponse",
        "InvoiceListResponse",
        "InvoiceActionResponse",
        "CardStatusResponse",
        "WidgetResponse",
    ] {
        components["schemas"][strict]["additionalProperties"] = json!(false);
    }
    let mut statuses = std::collections::BTreeSet::new();
    for (path, wire) in &answers {
        let component = spec.response_component(path);
        let validator = jsonschema::validator_for(&json!({
            "$ref": format!("#/components/schemas/{component}"),
            "components": components,
        }))
        .expect("compiles");
        let value: Value = serde_json::from_str(wire).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{path}: {component} rejects {wire}: {errors:?}"
        );
        statuses.insert(value["status"].as_str().unwrap_or("(none)").to_owned());
    }
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        ["(none)", "active", "error", "pending", "success"],
        "successes, refusals, card states and the bare wallet map are all checked"
    );
}
