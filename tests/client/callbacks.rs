//! Callbacks: valid ones for each flow decode with the right flow and exactly the fields
//! that flow carries; tampered, truncated or malformed ones are typed errors, never panics.

use epoint_az::{
    Keys, PaymentStatus, SignatureError,
    callback::{CallbackError, CallbackFlow},
    signing::OpenError,
};
use serde_json::{Value, json};

fn keys() -> Keys {
    Keys::new("i000000001", "callback_test_private_key")
}

/// The fields EPoint sends per flow (epoint-api.md §3.2; the spec's PaymentResult callback).
fn flows() -> Vec<(CallbackFlow, Value)> {
    vec![
        (
            CallbackFlow::Payment,
            json!({"order_id": "o-1", "status": "success", "code": "000", "message": "Approved",
                   "transaction": "te000000001", "bank_transaction": "BT1", "bank_response": "00",
                   "operation_code": "100", "rrn": "123456789012", "card_name": "TEST",
                   "card_mask": "411111******1111", "amount": 30.75, "other_attr": {"cart": "42"}}),
        ),
        (
            CallbackFlow::CardRegistration,
            json!({"status": "success", "code": "000", "message": "Card registered",
                   "card_id": "ce000000001", "bank_transaction": "BT2", "bank_response": "00",
                   "operation_code": "001", "rrn": "123456789013", "card_name": "TEST",
                   "card_mask": "411111******1111"}),
        ),
        (
            CallbackFlow::PaymentWithCardRegistration,
            json!({"order_id": "o-2", "status": "success", "code": "000", "card_id": "ce000000002",
                   "transaction": "te000000002", "bank_transaction": "BT3", "bank_response": "00",
                   "operation_code": "200", "rrn": "123456789014", "card_name": "TEST",
                   "card_mask": "411111******1111", "amount": "5.00", "other_attr": null}),
        ),
        (
            CallbackFlow::SplitPayment,
            json!({"order_id": "o-3", "status": "success", "code": "000", "message": "Approved",
                   "transaction": "te000000003", "bank_transaction": "BT4", "bank_response": "00",
                   "operation_code": "100", "rrn": "123456789015", "card_name": "TEST",
                   "card_mask": "411111******1111", "amount": 100, "split_amount": 30,
                   "other_attr": {"x": 1}}),
        ),
        (
            CallbackFlow::SplitPaymentWithCardRegistration,
            json!({"order_id": "o-4", "status": "success", "code": "000", "card_id": "ce000000004",
                   "transaction": "te000000004", "bank_transaction": "BT5", "bank_response": "00",
                   "operation_code": "200", "rrn": "123456789016", "card_name": "TEST",
                   "card_mask": "411111******1111", "amount": 100, "split_amount": "30.00"}),
        ),
    ]
}

#[test]
fn a_valid_callback_of_each_flow_decodes_with_its_flow_and_fields() {
    let keys = keys();
    for (flow, payload) in flows() {
        let body = keys.sign_callback(&payload).expect("sign");
        let cb = keys.verify_callback(body.as_bytes()).expect("verifies");
        assert_eq!(cb.flow, flow, "{payload}");
        assert!(cb.is_success());
        assert_eq!(cb.payload.status, PaymentStatus::Success);
        // Absent fields stay absent; present ones are carried over.
        let decoded = serde_json::to_value(&cb.payload).expect("ser");
        for field in [
            "order_id",
            "transaction",
            "card_id",
            "split_amount",
            "message",
            "amount",
        ] {
            assert_eq!(
                payload.get(field).is_some(),
                decoded.get(field).is_some(),
                "{flow:?}: field {field}"
            );
        }
        assert_eq!(
            serde_json::from_str::<Value>(&cb.json).expect("json"),
            payload
        );
    }
}

#[test]
fn amounts_in_callbacks_are_exact() {
    let keys = keys();
    let body = keys
        .sign_callback(&json!({"status": "success", "transaction": "te1", "amount": 0.1, "split_amount": "0.07"}))
        .expect("sign");
    let cb = keys.verify_callback(body.as_bytes()).expect("verifies");
    assert_eq!(cb.payload.amount.expect("amount").to_string(), "0.10");
    assert_eq!(cb.payload.split_amount.expect("split").to_string(), "0.07");
}

#[test]
fn a_declined_payment_callback_carries_its_bank_code() {
    let keys = keys();
    let body = keys
        .sign_callback(&json!({"order_id": "o-9", "status": "failed", "code": "116",
                               "message": "Declined", "transaction": "te9", "operation_code": "100"}))
        .expect("sign");
    let cb = keys.verify_callback(body.as_bytes()).expect("verifies");
    assert_eq!(cb.flow, CallbackFlow::Payment);
    assert!(!cb.is_success());
    assert_eq!(
        cb.bank_code().expect("code").meaning(),
        Some("Declined, insufficient funds")
    );
}

#[test]
fn the_documented_callback_vector_verifies() {
    // epoint-api.md §6.2 S6, recomputed there with Python hashlib (key "test_private_key").
    let keys = Keys::new("i000000001", "test_private_key");
    let data = "eyJvcmRlcl9pZCI6IjEiLCJzdGF0dXMiOiJzdWNjZXNzIiwiY29kZSI6IjAwMCIsIm1lc3NhZ2UiOiJBcHByb3ZlZCIsInRyYW5zYWN0aW9uIjoidGUwMDAwMDAwMDEiLCJiYW5rX3RyYW5zYWN0aW9uIjoiQlQxIiwiYmFua19yZXNwb25zZSI6IiIsIm9wZXJhdGlvbl9jb2RlIjoiMTAwIiwicnJuIjoiMTIzNDU2Nzg5MDEyIiwiY2FyZF9uYW1lIjoiVEVTVCIsImNhcmRfbWFzayI6IjQxMTExMSoqKioqKjExMTEiLCJhbW91bnQiOjMwLjc1LCJvdGhlcl9hdHRyIjpudWxsfQ==";
    let body = format!(
        "data={}&signature={}",
        data.replace('=', "%3D"),
        "XHEdCPOQ8DSOvgP96uDYeXzBHUA%3D"
    );
    let cb = keys
        .verify_callback(body.as_bytes())
        .expect("official-style vector verifies");
    assert_eq!(cb.flow, CallbackFlow::Payment);
    assert_eq!(cb.payload.transaction.as_deref(), Some("te000000001"));
    assert_eq!(cb.payload.amount.expect("amount").to_string(), "30.75");
    assert_eq!(cb.payload.other_attr, None, "JSON null reads as absent");
}

/// The form body for a `data` / `signature` pair, tampered or not (the library's encoder).
fn encode(data: &str, signature: &str) -> String {
    epoint_az::signing::form_body(&epoint_az::generated::types::SignedEnvelope {
        data: data.to_owned(),
        signature: signature.to_owned(),
    })
}

/// The same text with its first character replaced by a different base64 character.
fn flip_first_char(text: &str) -> String {
    let first = if text.starts_with('A') { "B" } else { "A" };
    format!("{first}{}", &text[1..])
}

#[test]
fn tampered_callbacks_are_rejected_before_decoding() {
    let keys = keys();
    let body = keys
        .sign_callback(&json!({"order_id": "o-1", "status": "success", "transaction": "te1", "amount": "1.00"}))
        .expect("sign");
    let form: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let (data, signature) = (&form[0].1, &form[1].1);
    // The amount changed in transit, re-encoded with a still-valid base64 text.
    let forged_data = keys
        .seal(&json!({"order_id": "o-1", "status": "success", "transaction": "te1", "amount": "1000.00"}))
        .expect("seal")
        .data;
    let other_keys = Keys::new("i000000001", "somebody_elses_key");
    let cases = [
        ("data changed", encode(&forged_data, signature)),
        (
            "one character of data changed",
            encode(&flip_first_char(data), signature),
        ),
        ("data truncated", encode(&data[..data.len() - 4], signature)),
        (
            "signature of another key",
            encode(data, &other_keys.sign(data)),
        ),
        (
            "signature changed",
            encode(data, &flip_first_char(signature)),
        ),
    ];
    for (what, body) in cases {
        match keys.verify_callback(body.as_bytes()) {
            Err(CallbackError::Signature(SignatureError::Mismatch)) => {}
            other => panic!("{what}: expected a signature mismatch, got {other:?}"),
        }
    }
}

#[test]
fn malformed_callbacks_are_typed_errors() {
    let keys = keys();
    let sig_of = |data: &str| keys.sign(data);
    assert!(matches!(
        keys.verify_callback(b"signature=abc"),
        Err(CallbackError::MissingField("data"))
    ));
    assert!(matches!(
        keys.verify_callback(b""),
        Err(CallbackError::MissingField("data"))
    ));
    let valid = keys
        .sign_callback(&json!({"status": "success"}))
        .expect("sign");
    assert!(matches!(
        keys.verify_callback(format!("{valid}&data=e30%3D").as_bytes()),
        Err(CallbackError::DuplicateField("data"))
    ));
    assert!(matches!(
        keys.verify_callback(encode("", &sig_of("")).as_bytes()),
        Err(CallbackError::Signature(SignatureError::EmptyData))
    ));
    assert!(matches!(
        keys.verify_callback(&[0xff, 0xfe, 0x00]),
        Err(CallbackError::NotAForm(_))
    ));
    // A hex digest (a common signing bug) is malformed, not merely mismatched.
    assert!(matches!(
        keys.verify_callback(encode("e30=", "6bbe8636e76a6e566d57ca85d7df6172d03e706d").as_bytes()),
        Err(CallbackError::Signature(
            SignatureError::MalformedSignature { length: 40 }
        ))
    ));
    // Correctly signed, but not base64 / not JSON / not an object: decode errors that keep
    // the (authentic) text for debugging.
    for (data, what) in [
        ("not base64!", "base64"),
        ("bm90IGpzb24=", "json"),
        ("WzEsMl0=", "array"),
    ] {
        match keys.verify_callback(encode(data, &sig_of(data)).as_bytes()) {
            Err(CallbackError::Decode(e)) => assert!(!e.to_string().is_empty(), "{what}"),
            other => panic!("{what}: expected Decode, got {other:?}"),
        }
    }
    // Verified, but the payload lacks `status`.
    let body = keys
        .sign_callback(&json!({"transaction": "te1"}))
        .expect("sign");
    assert!(matches!(
        keys.verify_callback(body.as_bytes()),
        Err(CallbackError::Decode(_))
    ));
}

#[test]
fn verification_and_parsing_can_be_separated() {
    let keys = keys();
    let body = keys
        .sign_callback(&json!({"status": "success", "transaction": "te7", "future_field": true}))
        .expect("sign");
    let verified = keys.verify_form(body.as_bytes()).expect("verified");
    assert!(
        verified.json().contains("future_field"),
        "raw JSON keeps unknown fields"
    );
    let cb = verified.parse().expect("parses, ignoring unknown fields");
    assert_eq!(cb.payload.transaction.as_deref(), Some("te7"));
}

#[test]
fn the_callback_json_schema_is_offered() {
    let schema = epoint_az::callback::payload_schema();
    let props = schema["properties"].as_object().expect("properties");
    for field in [
        "status",
        "order_id",
        "transaction",
        "card_id",
        "amount",
        "split_amount",
        "code",
    ] {
        assert!(props.contains_key(field), "{field}");
    }
    assert_eq!(schema["required"], json!(["status"]));
}

/// A genuinely signed payment callback with `field` replaced by `value`, through both entry
/// points (`verify_callback`, and `verify_form` then `parse`), which must agree.
fn with_field(field: &str, value: Value) -> Result<epoint_az::Callback, CallbackError> {
    let mut payload = flows()[0].1.clone();
    payload[field] = value;
    let body = keys().sign_callback(&payload).expect("sign");
    let direct = keys().verify_callback(body.as_bytes());
    let two_step = keys()
        .verify_form(body.as_bytes())
        .and_then(|verified| verified.parse());
    assert_eq!(
        direct.as_ref().ok(),
        two_step.as_ref().ok(),
        "{field}: both readings agree"
    );
    direct
}

#[test]
fn message_as_an_object_still_decodes_and_keeps_the_raw_value() {
    let cb = with_field("message", json!({"message": "Approved", "code": 0})).expect("decodes");
    assert_eq!(cb.flow, CallbackFlow::Payment);
    assert!(cb.is_success());
    assert_eq!(cb.payload.message, None);
    assert_eq!(
        cb.unexpected["message"],
        json!({"message": "Approved", "code": 0})
    );
    assert_eq!(cb.message(), Some("Approved"));
    assert_eq!(cb.payload.transaction.as_deref(), Some("te000000001"));
}

#[test]
fn bank_response_as_a_number_still_decodes() {
    let cb = with_field("bank_response", json!(0)).expect("decodes");
    assert_eq!(cb.unexpected["bank_response"], json!(0));
    assert_eq!(cb.payload.bank_response, None);
    assert_eq!(
        cb.message(),
        Some("Approved"),
        "the other fields are intact"
    );
}

#[test]
fn every_other_non_essential_field_of_an_unexpected_type_is_kept_raw() {
    for field in epoint_az::callback::TOLERATED_FIELDS {
        for value in [json!(12), json!(["a"]), json!({"x": 1}), json!(true)] {
            let cb = with_field(field, value.clone())
                .unwrap_or_else(|e| panic!("{field} = {value}: {e}"));
            assert_eq!(cb.unexpected.get(field), Some(&value), "{field}");
            assert_eq!(cb.payload.status, PaymentStatus::Success, "{field}");
            assert_eq!(cb.unexpected.len(), 1, "{field}: only it is set aside");
        }
    }
}

#[test]
fn other_attr_of_any_json_type_was_always_accepted() {
    for value in [json!("text"), json!(7), json!([1, 2]), json!(null)] {
        let cb = with_field("other_attr", value.clone()).expect("decodes");
        assert!(cb.unexpected.is_empty(), "{value}");
    }
}

#[test]
fn essential_fields_stay_strict() {
    for (field, value) in [
        ("status", json!(1)),
        ("status", json!({"status": "success"})),
        ("transaction", json!(123)),
        ("order_id", json!(15)),
        ("card_id", json!(["ce1"])),
        ("code", json!(0)),
        ("amount", json!("thirty")),
    ] {
        match with_field(field, value.clone()) {
            Err(CallbackError::Decode(e)) => {
                let text = e.to_string();
                assert!(
                    text.contains("decoded text"),
                    "{field}: the error carries the JSON: {text}"
                );
            }
            other => panic!("{field} = {value}: expected a decode error, got {other:?}"),
        }
    }
    // A tolerated field of an unexpected type does not excuse an essential one.
    let mut payload = flows()[0].1.clone();
    payload["message"] = json!({"message": "x"});
    payload["transaction"] = json!(1);
    let body = keys().sign_callback(&payload).expect("sign");
    assert!(matches!(
        keys().verify_callback(body.as_bytes()),
        Err(CallbackError::Decode(_))
    ));
}

#[test]
fn a_repeated_callback_has_the_same_idempotency_key() {
    let (_, payload) = flows()[0].clone();
    let first = keys()
        .verify_callback(keys().sign_callback(&payload).expect("sign").as_bytes())
        .expect("first");
    let mut again = payload.clone();
    again["trace_id"] = json!("another-trace");
    again["message"] = json!({"message": "Approved"});
    let second = keys()
        .verify_callback(keys().sign_callback(&again).expect("sign").as_bytes())
        .expect("second");
    assert_eq!(
        first.idempotency_key().as_deref(),
        Some("transaction:te000000001:success")
    );
    assert_eq!(first.idempotency_key(), second.idempotency_key());

    let mut failed = payload;
    failed["status"] = json!("failed");
    let failed = keys()
        .verify_callback(keys().sign_callback(&failed).expect("sign").as_bytes())
        .expect("failed");
    assert_ne!(failed.idempotency_key(), first.idempotency_key());

    for (flow, payload) in flows() {
        let cb = keys()
            .verify_callback(keys().sign_callback(&payload).expect("sign").as_bytes())
            .expect("flow");
        let key = cb.idempotency_key().expect("every flow has a key");
        if flow == CallbackFlow::CardRegistration {
            assert!(key.starts_with("card:ce"), "{key}");
        } else {
            assert!(key.starts_with("transaction:te"), "{key}");
        }
    }
}

/// A genuinely signed callback whose amount is outside EPoint's contract (zero,
/// negative, negative zero, more than two decimals, float noise) is a typed decode error that
/// names the value and keeps the authentic JSON, never a `Money` holding it.
#[test]
fn out_of_contract_amounts_are_a_decode_error_with_the_raw_json() {
    for (field, value) in [
        ("amount", json!(-5)),
        ("amount", json!(0)),
        ("amount", json!(-0.0)),
        ("amount", json!(0.001)),
        ("amount", json!(30.749999999999996)),
        ("amount", json!("-0.00")),
        ("split_amount", json!(-1)),
    ] {
        let err = with_field(field, value.clone()).expect_err("out of contract");
        let CallbackError::Decode(OpenError::NotJson { text, source }) = &err else {
            panic!("{field} {value}: expected a decode error, got {err:?}");
        };
        assert!(
            source.to_string().contains("outside EPoint's contract"),
            "{field} {value}: {source}"
        );
        let raw: Value = serde_json::from_str(text).expect("the authentic JSON is kept");
        assert_eq!(raw[field], value, "{field}");
    }
    // In contract: read exactly.
    let cb = with_field("amount", json!(30.75)).expect("decodes");
    assert_eq!(
        cb.payload.amount.map(|m| m.to_string()).as_deref(),
        Some("30.75")
    );
}
