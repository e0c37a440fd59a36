//! `openapi/callback.schema.json` (the callback as a standalone JSON Schema, generated from the
//! spec for teams whose generators drop `callbacks`) accepts every callback the sandbox sends,
//! in every flow, and refuses broken ones.

use crate::sandbox_support;

use epoint_az::dec;
use epoint_az_sandbox::Outcome;
use sandbox_support::{Merchant, sandbox_with};
use serde_json::{Value, json};

fn validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/callback.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

#[tokio::test]
async fn every_sandbox_callback_validates_against_the_standalone_schema() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");
    let mut ids = Vec::new();
    ids.push(
        client
            .pay(dec!(30.75), "cb-1")
            .await
            .expect("pay")
            .transaction,
    );
    ids.push(client.pay(dec!(5), "cb-2").await.expect("pay").transaction);
    ids.push(client.save_card().await.expect("card").card_id);
    ids.push(
        client
            .pay_and_save_card(dec!(7.5), "cb-3")
            .await
            .expect("pay+card")
            .transaction,
    );
    ids.push(
        client
            .split_pay(dec!(100), "cb-4", "i000000002", dec!(30))
            .await
            .expect("split")
            .transaction,
    );
    ids.push(
        client
            .split_pay_and_save_card(dec!(60), "cb-5", "i000000002", dec!(20))
            .await
            .expect("split+card")
            .transaction,
    );
    for (i, id) in ids.iter().enumerate() {
        let outcome = if i == 1 {
            Outcome::Declined("116".into())
        } else {
            Outcome::Paid
        };
        sandbox.complete(id, outcome).await.expect("complete");
    }
    let validator = validator();
    let callbacks = sandbox.callbacks();
    assert_eq!(
        callbacks.len(),
        ids.len(),
        "one callback per completed page"
    );
    let mut operations = std::collections::BTreeSet::new();
    for callback in callbacks {
        let errors: Vec<String> = validator
            .iter_errors(&callback.payload)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", callback.payload);
        operations.insert(callback.operation);
    }
    assert_eq!(
        operations.len(),
        5,
        "all five callback flows: {operations:?}"
    );
}

#[test]
fn broken_callbacks_are_refused() {
    let validator = validator();
    for broken in [
        json!({"order_id": "1"}),                      // no status
        json!({"status": "success", "amount": "abc"}), // not an amount
        json!({"status": "success", "amount": -5}),    // not positive
        json!({"status": 1}),                          // status is a string
        json!(["status", "success"]),                  // not an object
    ] {
        assert!(!validator.is_valid(&broken), "accepted {broken}");
    }
    assert!(validator.is_valid(&json!({"status": "a_status_epoint_adds_later"})));
}
