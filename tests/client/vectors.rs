//! Known-answer tests from `openapi/vectors.json`, the language-neutral test vectors.
//!
//! Every expected value in that file was computed with Python's `hashlib`/`base64`
//! (`.ci/spec/gen_vectors.py`) and is re-checked by `openapi/check_vectors.py`; the published
//! ones (EPoint's PDF v1.0.3 vectors V1/V2, the protocol notes' S1–S7) are asserted there
//! against their published text. Here the Rust crate must agree with all of them.

use std::{collections::BTreeSet, fs, path::Path};

use base64::{Engine, engine::general_purpose::STANDARD};
use epoint_az::{
    Keys, Money, SignatureError,
    callback::{CallbackError, CallbackFlow},
    generated::types,
    signing::{self, form_body},
};
use serde_json::Value;

fn vectors() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/vectors.json");
    let text = fs::read_to_string(&path).expect("openapi/vectors.json is readable");
    serde_json::from_str(&text).expect("openapi/vectors.json is JSON")
}

fn list<'a>(doc: &'a Value, section: &str) -> &'a [Value] {
    doc[section]
        .as_array()
        .unwrap_or_else(|| panic!("vectors.json has no `{section}` array"))
}

fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("vector {} has no string `{field}`", v["id"]))
}

/// A key pair for a vector (the public key plays no part in signatures).
fn keys(v: &Value) -> Keys {
    Keys::new("i000000001", s(v, "private_key").to_owned())
}

fn expected_signature_error(v: &Value) -> SignatureError {
    match s(v, "error") {
        "empty_data" => SignatureError::EmptyData,
        "mismatch" => SignatureError::Mismatch,
        "malformed_signature" => SignatureError::MalformedSignature {
            length: v["signature_length"]
                .as_u64()
                .expect("malformed_signature vectors carry signature_length")
                as usize,
        },
        other => panic!("vector {}: `{other}` is not a signature error", v["id"]),
    }
}

fn flow(name: &str) -> CallbackFlow {
    match name {
        "payment" => CallbackFlow::Payment,
        "card_registration" => CallbackFlow::CardRegistration,
        "payment_with_card_registration" => CallbackFlow::PaymentWithCardRegistration,
        "split_payment" => CallbackFlow::SplitPayment,
        "split_payment_with_card_registration" => CallbackFlow::SplitPaymentWithCardRegistration,
        other => panic!("unknown flow name `{other}` in vectors.json"),
    }
}

#[test]
fn the_file_covers_what_it_promises() {
    let doc = vectors();
    let ids: BTreeSet<&str> = ["signing", "negative", "callbacks"]
        .iter()
        .flat_map(|section| list(&doc, section).iter().map(|v| s(v, "id")))
        .collect();
    let total: usize = ["signing", "negative", "callbacks"]
        .iter()
        .map(|section| list(&doc, section).len())
        .sum();
    assert_eq!(ids.len(), total, "vector ids are unique");
    for id in [
        "V1",
        "V2",
        "S1",
        "S2",
        "S3",
        "S4",
        "S5",
        "S6",
        "S7-empty-data",
    ] {
        assert!(ids.contains(id), "vectors.json lacks {id}");
    }
    let negative_kinds: BTreeSet<&str> = list(&doc, "negative")
        .iter()
        .map(|v| s(v, "error"))
        .collect();
    assert_eq!(
        negative_kinds,
        BTreeSet::from(["empty_data", "malformed_signature", "mismatch"])
    );
    let flows: BTreeSet<&str> = list(&doc, "callbacks")
        .iter()
        .filter(|v| v["expect"] == "valid")
        .map(|v| s(v, "flow"))
        .collect();
    assert_eq!(flows.len(), 5, "a valid callback for every flow: {flows:?}");
    assert!(
        list(&doc, "callbacks")
            .iter()
            .filter(|v| v["expect"] == "reject")
            .count()
            >= 4,
        "tampered callbacks are present"
    );
}

/// The two vectors printed in EPoint's own document, spelled out so a regenerated file that
/// lost or changed them cannot pass.
#[test]
fn official_vectors_from_the_pdf() {
    let doc = vectors();
    let keys = Keys::new("i000000001", "d3hjsl38sd8kdfhbcea0be04eafde9e8e2bad2fb092d");
    for (id, json, signature) in [
        (
            "V1",
            r#"{"public_key":"i000000001","amount":"30.75","currency":"AZN","description":"test payment","order_id":"1"}"#,
            "a76GNudqblZtV8qF199hctA+cG0=",
        ),
        (
            "V2",
            r#"{"public_key":"i000000001","order_id":15}"#,
            "bH9cG854p/wHLf5j6pp6LBI+wBs=",
        ),
    ] {
        let v = list(&doc, "signing")
            .iter()
            .find(|v| v["id"] == id)
            .unwrap_or_else(|| panic!("{id} is in vectors.json"));
        assert_eq!(s(v, "json_text"), json, "{id} json");
        assert_eq!(s(v, "signature"), signature, "{id} signature");
        let envelope = keys.seal_json(json.as_bytes());
        assert_eq!(envelope.data, s(v, "data"), "{id} data");
        assert_eq!(envelope.signature, signature, "{id}: Keys::seal_json");
        assert_eq!(keys.verify(&envelope.data, signature), Ok(()), "{id}");
    }
}

/// V2 is the 2022 document's get-status by `order_id`: the spec's `StatusByOrderId`, and what
/// `Client::get_order_status` sends (with the order id as a string, as every client sends it;
/// the document's example has the number 15).
#[test]
fn the_v2_vector_is_a_lookup_by_order_id() {
    let keys = Keys::new("i000000001", "d3hjsl38sd8kdfhbcea0be04eafde9e8e2bad2fb092d");
    let data = "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsIm9yZGVyX2lkIjoxNX0=";
    let signature = "bH9cG854p/wHLf5j6pp6LBI+wBs=";
    assert_eq!(keys.sign(data), signature);
    let payload: serde_json::Value = keys.open(data, signature).expect("V2 opens");
    assert_eq!(payload["order_id"], 15);
    assert!(
        payload.get("transaction").is_none(),
        "no transaction: {payload}"
    );

    let client = epoint_az::Client::new(epoint_az::Config::new(
        "i000000001",
        "d3hjsl38sd8kdfhbcea0be04eafde9e8e2bad2fb092d",
    ))
    .expect("client");
    let preview = client.get_order_status("15").preview().expect("preview");
    assert_eq!(
        preview.json,
        r#"{"order_id":"15","public_key":"i000000001"}"#
    );
    assert_eq!(
        preview.envelope.signature,
        keys.sign(&preview.envelope.data),
        "signed like V2"
    );
    let typed: epoint_az::generated::types::StatusRequest =
        serde_json::from_str(&preview.json).expect("the spec's StatusRequest");
    assert!(matches!(
        typed,
        epoint_az::generated::types::StatusRequest::OrderId(_)
    ));
}

#[test]
fn every_signing_vector_signs_and_verifies() {
    let doc = vectors();
    for v in list(&doc, "signing") {
        let id = s(v, "id");
        assert_eq!(s(v, "expect"), "valid", "{id}");
        let keys = keys(v);
        let (json_text, data, signature) = (s(v, "json_text"), s(v, "data"), s(v, "signature"));

        assert_eq!(
            STANDARD.encode(json_text),
            data,
            "{id}: data = base64(json)"
        );
        assert_eq!(keys.sign(data), signature, "{id}: Keys::sign");
        assert_eq!(keys.verify(data, signature), Ok(()), "{id}: Keys::verify");
        // Surrounding whitespace on the signature (e.g. a trailing newline) is tolerated.
        assert_eq!(
            keys.verify(data, &format!(" {signature}\n")),
            Ok(()),
            "{id}: trimmed"
        );

        let envelope = keys.seal_json(json_text.as_bytes());
        assert_eq!(
            (envelope.data.as_str(), envelope.signature.as_str()),
            (data, signature),
            "{id}: Keys::seal_json"
        );
        assert_eq!(form_body(&envelope), s(v, "form_body"), "{id}: form body");

        let opened: Value = keys.open(data, signature).expect(id);
        assert_eq!(opened, v["json"], "{id}: Keys::open decodes the JSON");
        let decoded: Value = signing::decode_data(data).expect(id);
        assert_eq!(decoded, v["json"], "{id}: decode_data");
    }
}

/// Any single-character change to a valid signature or to `data` must be refused.
#[test]
fn every_signing_vector_rejects_one_character_changes() {
    let doc = vectors();
    for v in list(&doc, "signing") {
        let id = s(v, "id");
        let keys = keys(v);
        let (data, signature) = (s(v, "data"), s(v, "signature"));
        // Change the first base64 digit (always a full 6-bit digit, so still canonical).
        let first = signature.as_bytes()[0];
        let other = if first == b'A' { 'B' } else { 'A' };
        let changed = format!("{other}{}", &signature[1..]);
        assert_eq!(
            keys.verify(data, &changed),
            Err(SignatureError::Mismatch),
            "{id}: signature changed"
        );
        let data_changed = format!(
            "{}{}",
            if data.starts_with('e') { 'f' } else { 'e' },
            &data[1..]
        );
        assert_eq!(
            keys.verify(&data_changed, signature),
            Err(SignatureError::Mismatch),
            "{id}: data changed"
        );
        let other_key = Keys::new("i000000001", format!("{}x", s(v, "private_key")));
        assert_eq!(
            other_key.verify(data, signature),
            Err(SignatureError::Mismatch),
            "{id}: other key"
        );
    }
}

#[test]
fn every_negative_vector_is_rejected_with_the_right_error() {
    let doc = vectors();
    for v in list(&doc, "negative") {
        let id = s(v, "id");
        assert_eq!(s(v, "expect"), "reject", "{id}");
        let result = keys(v).verify(s(v, "data"), s(v, "signature"));
        assert_eq!(
            result,
            Err(expected_signature_error(v)),
            "{id}: {}",
            v["note"]
        );
        // Keys::open must refuse before decoding anything.
        let opened = keys(v).open::<Value>(s(v, "data"), s(v, "signature"));
        assert!(
            matches!(opened, Err(signing::OpenError::Signature(ref e)) if *e == expected_signature_error(v)),
            "{id}: Keys::open gave {opened:?}"
        );
    }
}

fn check_callback_error(id: &str, v: &Value, err: &CallbackError) {
    let ok = match (s(v, "error"), err) {
        ("missing_field", CallbackError::MissingField(_))
        | ("duplicate_field", CallbackError::DuplicateField(_))
        | ("decode", CallbackError::Decode(_)) => true,
        ("empty_data" | "mismatch", CallbackError::Signature(e)) => {
            *e == expected_signature_error(v)
        }
        ("malformed_signature", CallbackError::Signature(e)) => {
            matches!(e, SignatureError::MalformedSignature { .. })
        }
        _ => false,
    };
    assert!(
        ok,
        "{id}: expected {}, got {err:?} ({})",
        v["error"], v["note"]
    );
}

#[test]
fn every_callback_vector_verifies_or_is_refused_as_stated() {
    let doc = vectors();
    for v in list(&doc, "callbacks") {
        let id = s(v, "id");
        let keys = keys(v);
        let result = keys.verify_callback(s(v, "body").as_bytes());
        match s(v, "expect") {
            "reject" => {
                let err = result.expect_err(id);
                check_callback_error(id, v, &err);
            }
            "valid" => {
                let callback = result.unwrap_or_else(|e| panic!("{id}: {e}"));
                let expected_flow = flow(s(v, "flow"));
                assert_eq!(callback.flow, expected_flow, "{id}: flow");
                assert_eq!(
                    expected_flow.operation_path(),
                    Some(s(v, "operation_path")),
                    "{id}: operation path"
                );
                assert_eq!(
                    callback.json,
                    s(v, "json_text"),
                    "{id}: authentic JSON text"
                );
                check_payload(id, &callback.payload, &v["json"]);

                // The same pair taken out of the form by a web framework.
                let again = keys
                    .verify_callback_fields(s(v, "data"), s(v, "signature"))
                    .unwrap_or_else(|e| panic!("{id}: verify_callback_fields: {e}"));
                assert_eq!(again, callback, "{id}: verify_callback_fields");
            }
            other => panic!("{id}: unknown expectation {other}"),
        }
    }
}

/// The typed payload holds exactly the fields of the JSON (absent stays `None`), with the same
/// values; amounts are compared as exact decimals whether EPoint sent a number or a string.
fn check_payload(id: &str, payload: &types::CallbackPayload, json: &Value) {
    let typed = serde_json::to_value(payload).expect("CallbackPayload serialises");
    let typed = typed.as_object().expect("an object");
    let sent = json.as_object().expect("callback json is an object");
    let sent_keys: BTreeSet<&String> = sent
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(k, _)| k)
        .collect();
    let typed_keys: BTreeSet<&String> = typed.keys().collect();
    assert_eq!(typed_keys, sent_keys, "{id}: fields present");
    for (key, value) in sent.iter().filter(|(_, value)| !value.is_null()) {
        match key.as_str() {
            "amount" | "split_amount" => {
                let parse = |v: &Value| -> Money {
                    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{id}: {e}"))
                };
                assert_eq!(
                    parse(&typed[key]).amount().normalize(),
                    parse(value).amount().normalize(),
                    "{id}: {key}"
                );
            }
            _ => assert_eq!(&typed[key], value, "{id}: {key}"),
        }
    }
    assert_eq!(
        payload.status.as_str(),
        json["status"].as_str().expect("status"),
        "{id}: status kept verbatim"
    );
}

/// E1 is what the generated `PaymentRequest` must serialise to: build it from typed values and
/// compare byte for byte with the Python-computed data and signature.
#[test]
fn generated_payment_request_reproduces_e1() {
    let doc = vectors();
    let v = list(&doc, "signing")
        .iter()
        .find(|v| v["id"] == "E1")
        .expect("E1");
    let request = types::PaymentRequest {
        amount: Money::new(rust_decimal_macros::dec!(30.75)).expect("amount"),
        currency: types::Currency::Azn,
        description: Some("test payment".parse().expect("description")),
        error_redirect_url: None,
        is_installment: None,
        language: types::Language::Az,
        order_id: "1".parse().expect("order id"),
        other_attr: None,
        public_key: "i000000001".parse().expect("public key"),
        success_redirect_url: None,
    };
    let envelope = keys(v).seal(&request).expect("seal");
    assert_eq!(envelope.data, s(v, "data"));
    assert_eq!(envelope.signature, s(v, "signature"));
}

/// The schema offered to users for stored callbacks accepts every valid callback vector and
/// refuses broken payloads.
#[test]
fn callback_vectors_validate_against_the_offered_schema() {
    let doc = vectors();
    let validator = jsonschema::validator_for(&epoint_az::callback::payload_schema())
        .expect("payload_schema() is a valid JSON Schema");
    let mut valid = 0;
    for v in list(&doc, "callbacks")
        .iter()
        .filter(|v| v["expect"] == "valid")
    {
        let errors: Vec<String> = validator
            .iter_errors(&v["json"])
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", v["id"]);
        valid += 1;
    }
    assert!(valid >= 5);
    for broken in [
        serde_json::json!({"order_id": "1"}),
        serde_json::json!({"status": "success", "amount": "thirty"}),
        serde_json::json!({"status": 1}),
        serde_json::json!({"status": "success", "card_id": 7}),
    ] {
        assert!(!validator.is_valid(&broken), "{broken} was accepted");
    }
}
