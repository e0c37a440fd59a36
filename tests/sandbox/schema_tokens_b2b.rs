//! Token payments and B2B transfers: the sandbox's answers and B2B webhook conform to the spec's schemas (strict: an
//! invented field fails), as they came over the wire.

use crate::sandbox_support;

use epoint_az_sandbox::Sandbox;
use sandbox_support::keys1;
use serde_json::{Value, json};

fn validator(component: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/epoint.yaml"))
        .expect("spec");
    let doc: Value = serde_norway::from_str(&text).expect("YAML");
    let mut components = doc["components"].clone();
    for strict in [
        "TokenPaymentResponse",
        "TokenPayResponse",
        "TokenSplitPaymentResponse",
        "B2bPaymentResponse",
        "B2bPaymentStatusResponse",
    ] {
        components["schemas"][strict]["additionalProperties"] = json!(false);
    }
    let schema =
        json!({"$ref": format!("#/components/schemas/{component}"), "components": components});
    jsonschema::validator_for(&schema).expect("compiles")
}

fn check(component: &str, wire: &str) -> Value {
    let value: Value = serde_json::from_str(wire).expect("JSON");
    let errors: Vec<String> = validator(component)
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{component} rejects {wire}: {errors:?}");
    value
}

async fn form(base: &str, path: &str, payload: Value) -> String {
    let body = epoint_az::signing::form_body(&keys1().seal(&payload).expect("seal"));
    sandbox_support::http()
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("body")
}

#[tokio::test]
async fn token_and_b2b_answers_match_the_spec() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let base = sandbox.base_url().to_owned();
    let pk = "i000000001";
    let created = check(
        "TokenPaymentResponse",
        &form(
            &base,
            "/api/1/token/payment",
            json!({"public_key": pk, "amount": "2.50",
            "currency": "AZN", "language": "az", "order_id": "t-1", "description": "d"}),
        )
        .await,
    );
    check(
        "TokenPaymentResponse",
        &form(&base, "/api/1/token/payment", json!({"public_key": pk})).await,
    );
    check(
        "ApplePaySessionResponse",
        &form(
            &base,
            "/api/1/token/apple/session",
            json!({"public_key": pk, "origin": "https://a.example"}),
        )
        .await,
    );
    let id = created["id"].clone();
    check(
        "TokenPayResponse",
        &form(
            &base,
            "/api/1/token/apple/pay",
            json!({"public_key": pk, "id": id, "token": "decline-116"}),
        )
        .await,
    );
    check(
        "TokenPayResponse",
        &form(
            &base,
            "/api/1/token/google/pay",
            json!({"public_key": pk, "id": id, "token": "x"}),
        )
        .await,
    );
    check(
        "TokenSplitPaymentResponse",
        &form(
            &base,
            "/api/1/token/split-payment",
            json!({"public_key": pk, "amount": "10", "split_user": "i000000002",
            "split_amount": "1", "currency": "AZN", "language": "az", "order_id": "ts-1"}),
        )
        .await,
    );
    let payload = json!({"public_key": pk, "order_id": "b-1", "amount": "10.00", "description": "d",
        "iban": "AZ21NABZ00000000137010001944", "name": "S", "tin": "1234567892", "bank_code": "505000"});
    let accepted = sandbox_support::http()
        .post(format!("{base}/api/1/b2b/payment"))
        .json(&keys1().seal(&payload).expect("seal"))
        .send()
        .await
        .expect("send");
    assert_eq!(accepted.status(), 200);
    check("B2bPaymentResponse", &accepted.text().await.expect("body"));
    for _ in 0..3 {
        let wire = sandbox_support::http()
            .get(format!("{base}/api/1/b2b/payment/b-1"))
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("body");
        check("B2bPaymentStatusResponse", &wire);
    }
    let delivered = sandbox.callbacks();
    assert_eq!(delivered.len(), 1, "the webhook attempt is recorded");
    let webhook: Value = serde_json::from_str(&delivered[0].body).expect("JSON webhook");
    check("B2bWebhookPayload", &webhook.to_string());
}

/// The spec's `B2bPaymentRequest` and the sandbox agree on every field rule: a payload the
/// schema refuses (empty description, IBAN or tax id, a malformed IBAN or tax id, a description
/// over 255 characters, an empty payee name or bank code) is answered 422, and one it accepts
/// (the edges included) is accepted.
#[tokio::test]
async fn the_b2b_request_schema_and_the_sandbox_agree() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let base = sandbox.base_url().to_owned();
    let schema = validator("B2bPaymentRequest");
    let good = json!({"public_key": "i000000001", "amount": "10.00", "description": "d",
        "iban": "AZ21NABZ00000000137010001944", "name": "S", "tin": "1234567892",
        "bank_code": "505000"});
    let cases: [(&str, Value); 17] = [
        ("description", json!("")),
        ("description", json!("x".repeat(256))),
        ("description", json!("x".repeat(255))),
        ("iban", json!("")),
        ("iban", json!("AZ21")),
        ("iban", json!("GB21NABZ00000000137010001944")),
        ("iban", json!("AZ21NABZ-0000000137010001944")),
        ("iban", json!(format!("AZ{}", "1".repeat(33)))),
        ("iban", json!(format!("AZ{}", "1".repeat(18)))),
        ("iban", json!("az21nabz00000000137010001944")),
        ("tin", json!("")),
        ("tin", json!("123456789")),
        ("tin", json!("1234567893")),
        ("tin", json!("12345678921")),
        ("tin", json!("1234567891")),
        ("name", json!("")),
        ("bank_code", json!("")),
    ];
    for (i, (field, value)) in cases.into_iter().enumerate() {
        let mut payload = good.clone();
        payload[field] = value.clone();
        payload["order_id"] = json!(format!("agree-{i}"));
        let valid = schema.is_valid(&payload);
        let answer = sandbox_support::http()
            .post(format!("{base}/api/1/b2b/payment"))
            .json(&keys1().seal(&payload).expect("seal"))
            .send()
            .await
            .expect("send");
        let status = answer.status().as_u16();
        let body = answer.text().await.expect("body");
        assert_eq!(
            (field, valid, status),
            (field, valid, if valid { 200 } else { 422 }),
            "{field} = {value}: the schema says valid={valid}, the sandbox answered {status} {body}"
        );
    }
}
