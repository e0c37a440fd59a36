//! The Rust types and the spec cannot drift apart silently: for every component schema of
//! `openapi/epoint.yaml`, the JSON Schema that `schemars` derives for the generated Rust type
//! (or the hand-written `Money` / `PaymentStatus`) must equal the spec's schema after both are
//! normalised the same way.
//!
//! # What the normalisation compares (strict)
//! * `type` (as a set), `enum` (as a set), `properties` (the field set, recursively), `required`
//!   (as a set), `additionalProperties` (absent = `true`), `items`;
//! * limits: `minLength`, `maxLength`, `minimum`, `maximum`, `pattern`;
//! * alternatives: `oneOf` / `anyOf` branches (Money, PaymentStatus), in order;
//! * nullability: a value that may be JSON `null` (spec `nullable: true`; Rust `Option<T>` gives
//!   `anyOf: [T, {type: null}]` or `type: [T, "null"]`).
//!
//! # What it ignores, and why
//! * `$ref` itself: references are resolved (spec `#/components/schemas/X`, schemars
//!   `#/$defs/X`) and the target compared in place; `allOf` with a single member is unwrapped.
//! * nullability of a property that is **not required**: the Rust type is `Option<T>` (schemars
//!   says "or null") where the spec says "may be absent". Serde reads absent and `null` alike,
//!   and EPoint clients do send `null` for unset fields (Integrify does), so the two mean the same
//!   thing. Nullability of required properties and of top-level schemas is compared.
//! * `format`: schemars adds Rust storage formats (`int64`) and typify drops OpenAPI ones
//!   (`uri`, `byte`); formats are documentation in both, never validated on the wire here.
//! * annotations: `description`, `title`, `example(s)`, `default`, `$schema`, `$defs`, `x-*`.

use std::{collections::BTreeSet, fs, path::Path};

use serde_json::{Map, Value, json};

fn spec() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/epoint.yaml");
    let text = fs::read_to_string(&path).expect("spec is readable");
    serde_norway::from_str(&text).expect("spec is YAML")
}

/// Where `$ref`s point: the spec document or one schemars root schema.
enum Side<'a> {
    Spec(&'a Value),
    Rust(&'a Value),
}

impl Side<'_> {
    fn resolve(&self, reference: &str) -> Value {
        let (root, prefix) = match self {
            Side::Spec(root) => (root, "#/components/schemas/"),
            Side::Rust(root) => (root, "#/$defs/"),
        };
        let name = reference
            .strip_prefix(prefix)
            .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
        let pointer = match self {
            Side::Spec(_) => format!("/components/schemas/{name}"),
            Side::Rust(_) => format!("/$defs/{name}"),
        };
        root.pointer(&pointer)
            .unwrap_or_else(|| panic!("$ref {reference} does not resolve"))
            .clone()
    }
}

const COMPARED: [&str; 15] = [
    "type",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "pattern",
    "oneOf",
    "anyOf",
    "nullable",
    "const",
];

/// The canonical form described in the module docs.
fn normalise(schema: &Value, side: &Side, depth: usize) -> Value {
    assert!(depth < 32, "schema nesting too deep (recursive $ref?)");
    let schema = match schema {
        Value::Bool(true) => return json!({}),
        Value::Bool(false) => return json!({"not": {}}),
        other => other.as_object().expect("a schema is an object or a bool"),
    };
    // Resolve `$ref` (annotations beside it are ignored) and single-member `allOf`.
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return normalise(&side.resolve(reference), side, depth + 1);
    }
    if let Some([only]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        // `nullable` beside a single `allOf` applies to the whole value.
        let mut n = normalise(only, side, depth + 1);
        if schema.get("nullable") == Some(&json!(true)) {
            n.as_object_mut()
                .expect("normalised")
                .insert("nullable".into(), json!(true));
        }
        return n;
    }
    // `anyOf: [T, {type: null}]` (schemars' Option<T>) is T + nullable.
    if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
        let is_null = |b: &Value| b.get("type") == Some(&json!("null"));
        if branches.len() == 2 && branches.iter().any(is_null) {
            let inner = branches
                .iter()
                .find(|b| !is_null(b))
                .expect("a non-null branch");
            let mut n = normalise(inner, side, depth + 1);
            n.as_object_mut()
                .expect("normalised")
                .insert("nullable".into(), json!(true));
            return n;
        }
    }

    let mut out = Map::new();
    for (key, value) in schema {
        if !COMPARED.contains(&key.as_str()) {
            continue;
        }
        // Alternatives are compared branch by branch, whichever keyword holds them: schemars
        // writes a `#[serde(untagged)]` enum (StatusRequest: by transaction or by order id) as
        // `anyOf` where the spec says `oneOf` (its branches require different fields, and
        // serde tries them in order).
        let key = if key == "anyOf" || key == "oneOf" {
            "alternatives"
        } else {
            key.as_str()
        };
        let value = match key {
            "type" => {
                let mut types: BTreeSet<String> = match value {
                    Value::String(t) => BTreeSet::from([t.clone()]),
                    Value::Array(ts) => ts
                        .iter()
                        .map(|t| t.as_str().expect("type").into())
                        .collect(),
                    other => panic!("bad type {other}"),
                };
                if types.remove("null") {
                    out.insert("nullable".into(), json!(true));
                }
                json!(types)
            }
            "enum" | "required" => {
                let set: BTreeSet<String> = value
                    .as_array()
                    .expect("an array")
                    .iter()
                    .map(|v| v.to_string())
                    .collect();
                json!(set)
            }
            "properties" => {
                let required: BTreeSet<&str> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let props = value.as_object().expect("properties is an object");
                Value::Object(
                    props
                        .iter()
                        .map(|(name, p)| {
                            let mut n = normalise(p, side, depth + 1);
                            if !required.contains(name.as_str()) {
                                n.as_object_mut().expect("normalised").remove("nullable");
                            }
                            (name.clone(), n)
                        })
                        .collect(),
                )
            }
            "additionalProperties" | "items" => match value {
                Value::Bool(b) => json!(b),
                other => normalise(other, side, depth + 1),
            },
            "alternatives" => Value::Array(
                value
                    .as_array()
                    .expect("an array")
                    .iter()
                    .map(|b| normalise(b, side, depth + 1))
                    .collect(),
            ),
            "minimum" | "maximum" => json!(value.as_f64().expect("a number")),
            "nullable" if value == &json!(false) => continue,
            _ => value.clone(),
        };
        out.insert(key.to_owned(), value);
    }
    // `true` and the empty schema `{}` both allow any extra property (the answers declare `{}`
    // with a description, which typify turns into a kept `extra` map).
    if matches!(out.get("additionalProperties"), Some(v) if *v == json!(true) || *v == json!({})) {
        out.remove("additionalProperties");
    }
    Value::Object(out)
}

/// Every difference between two normalised schemas, as `path: spec … vs rust …`.
fn differences(spec: &Value, rust: &Value, path: &str, out: &mut Vec<String>) {
    match (spec, rust) {
        (Value::Object(s), Value::Object(r)) => {
            let keys: BTreeSet<&String> = s.keys().chain(r.keys()).collect();
            for key in keys {
                let here = format!("{path}/{key}");
                match (s.get(key), r.get(key)) {
                    (Some(a), Some(b)) => differences(a, b, &here, out),
                    (Some(a), None) => out.push(format!("{here}: spec has {a}, Rust has nothing")),
                    (None, Some(b)) => out.push(format!("{here}: Rust has {b}, spec has nothing")),
                    (None, None) => unreachable!(),
                }
            }
        }
        (Value::Array(s), Value::Array(r)) if s.len() == r.len() => {
            for (i, (a, b)) in s.iter().zip(r).enumerate() {
                differences(a, b, &format!("{path}/{i}"), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: spec {a} vs Rust {b}")),
    }
}

fn compare(name: &str, spec_doc: &Value, rust_root: &Value) -> Vec<String> {
    let component = spec_doc
        .pointer(&format!("/components/schemas/{name}"))
        .unwrap_or_else(|| panic!("spec has no component {name}"));
    let spec_norm = normalise(component, &Side::Spec(spec_doc), 0);
    let rust_norm = normalise(rust_root, &Side::Rust(rust_root), 0);
    let mut out = Vec::new();
    differences(&spec_norm, &rust_norm, "", &mut out);
    out
}

macro_rules! rust_schemas {
    ($($name:ident => $ty:ty),* $(,)?) => {
        vec![$((stringify!($name), serde_json::to_value(schemars::schema_for!($ty)).expect("schema serialises"))),*]
    };
}

/// Every component of the spec, paired with the Rust type that stands for it.
fn rust_schemas() -> Vec<(&'static str, Value)> {
    use epoint_az::generated::types::*;
    rust_schemas![
        // the envelope and the shared scalars
        SignedEnvelope => SignedEnvelope,
        Money => epoint_az::Money,
        PaymentStatus => epoint_az::PaymentStatus,
        Language => Language,
        Currency => Currency,
        PublicKey => PublicKey,
        OrderId => OrderId,
        Description => Description,
        TransactionId => TransactionId,
        CardId => CardId,
        RedirectUrl => RedirectUrl,
        OtherAttr => OtherAttr,
        Flag => epoint_az::Flag,
        // payloads (x-epoint-payload)
        PaymentRequest => PaymentRequest,
        StatusRequest => StatusRequest,
        StatusByTransaction => StatusByTransaction,
        StatusByOrderId => StatusByOrderId,
        CardRegistrationRequest => CardRegistrationRequest,
        ExecutePayRequest => ExecutePayRequest,
        CardRegistrationWithPayRequest => CardRegistrationWithPayRequest,
        PayoutRequest => PayoutRequest,
        ReverseRequest => ReverseRequest,
        SplitPaymentRequest => SplitPaymentRequest,
        SplitExecutePayRequest => SplitExecutePayRequest,
        SplitCardRegistrationWithPayRequest => SplitCardRegistrationWithPayRequest,
        // answers
        RedirectResponse => RedirectResponse,
        StatusResponse => StatusResponse,
        ChargeResponse => ChargeResponse,
        ReverseResponse => ReverseResponse,
        // the callback
        CallbackPayload => CallbackPayload,
        HostedPageCurrency => HostedPageCurrency,
        CheckoutRequest => CheckoutRequest,
        PreAuthRequest => PreAuthRequest,
        PreAuthCompleteRequest => PreAuthCompleteRequest,
        PreAuthCompleteResponse => PreAuthCompleteResponse,
        InstallmentOptionsRequest => InstallmentOptionsRequest,
        InstallmentOption => InstallmentOption,
        InstallmentOptionList => InstallmentOptionList,
        InstallmentRefusal => InstallmentRefusal,
        InstallmentOptionsResponse => InstallmentOptionsResponse,
        InstallmentCardId => InstallmentCardId,
        InstallmentPaymentRequest => InstallmentPaymentRequest,
        HeartbeatResponse => HeartbeatResponse,
        // wallets, invoices, saved-card status, widget
        WalletId => WalletId,
        InvoiceId => InvoiceId,
        InvoiceDate => InvoiceDate,
        InvoiceType => InvoiceType,
        InvoicePhone => InvoicePhone,
        InvoiceEmail => InvoiceEmail,
        Invoice => Invoice,
        WalletStatusRequest => WalletStatusRequest,
        WalletPaymentRequest => WalletPaymentRequest,
        InvoiceRequest => InvoiceRequest,
        InvoiceUpdateRequest => InvoiceUpdateRequest,
        InvoiceViewRequest => InvoiceViewRequest,
        InvoiceListRequest => InvoiceListRequest,
        InvoiceSendSmsRequest => InvoiceSendSmsRequest,
        InvoiceSendEmailRequest => InvoiceSendEmailRequest,
        CardStatusRequest => CardStatusRequest,
        WidgetRequest => WidgetRequest,
        WalletStatusResponse => WalletStatusResponse,
        InvoiceCreateResponse => InvoiceCreateResponse,
        InvoiceViewResponse => InvoiceViewResponse,
        InvoiceListResponse => InvoiceListResponse,
        InvoiceActionResponse => InvoiceActionResponse,
        CardStatusResponse => CardStatusResponse,
        WidgetResponse => WidgetResponse,
        TokenPaymentRequest => TokenPaymentRequest,
        TokenPaymentResponse => TokenPaymentResponse,
        ApplePaySessionRequest => ApplePaySessionRequest,
        ApplePaySessionResponse => ApplePaySessionResponse,
        TokenPayRequest => TokenPayRequest,
        TokenPayResponse => TokenPayResponse,
        TokenSplitPaymentRequest => TokenSplitPaymentRequest,
        TokenSplitPaymentResponse => TokenSplitPaymentResponse,
        B2bPaymentRequest => B2bPaymentRequest,
        B2bDescription => B2bDescription,
        B2bIban => B2bIban,
        B2bTin => B2bTin,
        B2bText => B2bText,
        B2bPaymentResponse => B2bPaymentResponse,
        B2bRefusal => B2bRefusal,
        B2bPaymentStatusResponse => B2bPaymentStatusResponse,
        B2bWebhookPayload => B2bWebhookPayload,
    ]
}

#[test]
fn every_component_has_a_rust_type_in_this_test() {
    let spec = spec();
    let in_spec: BTreeSet<&str> = spec["components"]["schemas"]
        .as_object()
        .expect("components.schemas")
        .keys()
        .map(String::as_str)
        .collect();
    let schemas = rust_schemas();
    let in_test: BTreeSet<&str> = schemas.iter().map(|(n, _)| *n).collect();
    let missing: Vec<_> = in_spec.difference(&in_test).collect();
    let stale: Vec<_> = in_test.difference(&in_spec).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "tests/contract/schema_contract.rs rust_schemas() must list every component: missing {missing:?}, no longer in the spec {stale:?}"
    );
}

#[test]
fn every_rust_schema_matches_its_spec_component() {
    let spec = spec();
    let mut report = Vec::new();
    for (name, rust) in rust_schemas() {
        for difference in compare(name, &spec, &rust) {
            report.push(format!("{name}: {difference}"));
        }
    }
    assert!(
        report.is_empty(),
        "the Rust types and openapi/epoint.yaml disagree:\n  {}",
        report.join("\n  ")
    );
}

/// The schema offered to users for validating stored callbacks is the spec's CallbackPayload.
#[test]
fn callback_payload_schema_matches_the_spec() {
    let spec = spec();
    let offered = epoint_az::callback::payload_schema();
    assert_eq!(offered["title"], "CallbackPayload");
    let differences = compare("CallbackPayload", &spec, &offered);
    assert!(differences.is_empty(), "{differences:#?}");
    let required = offered["required"].as_array().expect("required");
    assert_eq!(required, &vec![json!("status")]);
}

/// Every operation's payload, answer and callback schema is among the compared components.
#[test]
fn every_operation_schema_is_compared() {
    let spec = spec();
    let compared: BTreeSet<String> = rust_schemas().iter().map(|(n, _)| n.to_string()).collect();
    let name_of = |v: &Value| -> String {
        v["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .unwrap_or_else(|| panic!("not a component $ref: {v}"))
            .to_owned()
    };
    let mut used = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        // GET reads and JSON-body operations have no x-epoint-payload and no form body.
        let op = if item["post"].is_object() {
            &item["post"]
        } else {
            &item["get"]
        };
        for schema in [
            &op["x-epoint-payload"],
            &op["responses"]["200"]["content"]["application/json"]["schema"],
            &op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"],
            &op["requestBody"]["content"]["application/json"]["schema"],
        ] {
            if !schema.is_null() {
                used.insert(name_of(schema));
            }
        }
        for callback in op["callbacks"]
            .as_object()
            .into_iter()
            .flat_map(|c| c.values())
        {
            for cb_item in callback.as_object().expect("callback").values() {
                let post = &cb_item["post"];
                let payload = &post["x-epoint-payload"];
                let json_body = &post["requestBody"]["content"]["application/json"]["schema"];
                used.insert(name_of(if payload.is_null() {
                    json_body
                } else {
                    payload
                }));
            }
        }
        assert!(op.is_object(), "{path} has a post operation");
    }
    assert!(used.len() >= 16, "{used:?}");
    for name in &used {
        assert!(
            compared.contains(name),
            "{name} is used by an operation but not compared"
        );
    }
}

// ---- the normalisation itself is strict where it matters -------------------------------------

fn mutated(spec: &Value, pointer: &str, change: impl FnOnce(&mut Value)) -> Value {
    let mut copy = spec.clone();
    change(
        copy.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{pointer}")),
    );
    copy
}

fn payment_request_differences(spec: &Value) -> Vec<String> {
    let rust = serde_json::to_value(schemars::schema_for!(
        epoint_az::generated::types::PaymentRequest
    ))
    .expect("schema");
    compare("PaymentRequest", spec, &rust)
}

#[test]
fn the_comparison_catches_each_kind_of_drift() {
    let spec = spec();
    assert!(payment_request_differences(&spec).is_empty());
    let cases: Vec<(&str, Value)> = vec![
        (
            "a required field dropped",
            mutated(&spec, "/components/schemas/PaymentRequest/required", |r| {
                r.as_array_mut()
                    .expect("required")
                    .retain(|f| f != "order_id")
            }),
        ),
        (
            "a field added",
            mutated(
                &spec,
                "/components/schemas/PaymentRequest/properties",
                |p| {
                    p["installment_months"] = json!({"type": "integer"});
                },
            ),
        ),
        (
            "a field's type changed",
            mutated(
                &spec,
                "/components/schemas/PaymentRequest/properties",
                |p| {
                    p["order_id"] = json!({"type": "integer"});
                },
            ),
        ),
        (
            "a maxLength changed",
            mutated(&spec, "/components/schemas/OrderId/maxLength", |m| {
                *m = json!(100)
            }),
        ),
        (
            "a minLength removed",
            mutated(&spec, "/components/schemas/OrderId", |o| {
                o.as_object_mut().expect("object").remove("minLength");
            }),
        ),
        (
            "an enum value added",
            mutated(&spec, "/components/schemas/Currency/enum", |e| {
                e.as_array_mut().expect("enum").push(json!("USD"))
            }),
        ),
        (
            "a maximum changed",
            mutated(&spec, "/components/schemas/Flag/maximum", |m| *m = json!(2)),
        ),
        (
            "a required field made nullable",
            mutated(
                &spec,
                "/components/schemas/PaymentRequest/properties",
                |p| {
                    p["public_key"] = json!({"allOf": [{"$ref": "#/components/schemas/PublicKey"}], "nullable": true});
                },
            ),
        ),
        (
            "Money lost its number branch",
            mutated(&spec, "/components/schemas/Money/oneOf", |o| {
                o.as_array_mut().expect("oneOf").pop();
            }),
        ),
    ];
    for (what, spec) in cases {
        assert!(
            !payment_request_differences(&spec).is_empty(),
            "the comparison did not notice {what}"
        );
    }
    // Annotations are ignored on purpose.
    let reworded = mutated(
        &spec,
        "/components/schemas/PaymentRequest/description",
        |d| {
            *d = json!("reworded");
        },
    );
    assert!(payment_request_differences(&reworded).is_empty());
}

// ---- the limits are enforced, not only documented ----------------------------------------------

macro_rules! decoders {
    ($($name:ident),* $(,)?) => {
        vec![$((
            stringify!($name),
            (|v: Value| serde_json::from_value::<epoint_az::generated::types::$name>(v).map(|_| ()).map_err(|e| e.to_string()))
                as fn(Value) -> Result<(), String>,
        )),*]
    };
}

/// For every payload, each string property with `minLength`/`maxLength` in the spec: the
/// generated type accepts the spec's example with that property at the limit and rejects it one
/// character past the limit. (`Flag`'s 0..1 range is enforced by the hand-written
/// `epoint_az::Flag`, tested in `src/flag.rs` and by `flags_outside_zero_and_one_are_refused`.)
#[test]
fn payload_string_limits_are_enforced_when_decoding() {
    let spec = spec();
    let side = Side::Spec(&spec);
    let mut checked = 0;
    for (name, decode) in decoders![
        PaymentRequest,
        StatusByTransaction,
        StatusByOrderId,
        CardRegistrationRequest,
        ExecutePayRequest,
        CardRegistrationWithPayRequest,
        PayoutRequest,
        ReverseRequest,
        SplitPaymentRequest,
        SplitExecutePayRequest,
        SplitCardRegistrationWithPayRequest,
        // wallets, invoices, saved-card status, widget
        WalletStatusRequest,
        WalletPaymentRequest,
        InvoiceRequest,
        InvoiceUpdateRequest,
        InvoiceViewRequest,
        InvoiceListRequest,
        InvoiceSendSmsRequest,
        InvoiceSendEmailRequest,
        CardStatusRequest,
        WidgetRequest,
    ] {
        let component = &spec["components"]["schemas"][name];
        let example = component["example"].clone();
        decode(example.clone()).unwrap_or_else(|e| panic!("{name}: the spec's example: {e}"));
        for (property, schema) in component["properties"].as_object().expect("properties") {
            let n = normalise(schema, &side, 0);
            let with = |len: usize| {
                let mut e = example.clone();
                e[property] = json!("x".repeat(len));
                decode(e)
            };
            if let Some(max) = n.get("maxLength").and_then(Value::as_u64) {
                let max = max as usize;
                assert!(
                    with(max).is_ok(),
                    "{name}.{property}: {max} characters refused"
                );
                assert!(
                    with(max + 1).is_err(),
                    "{name}.{property}: {} characters accepted",
                    max + 1
                );
                checked += 1;
            }
            if let Some(min) = n
                .get("minLength")
                .and_then(Value::as_u64)
                .filter(|m| *m > 0)
            {
                let min = min as usize;
                assert!(
                    with(min).is_ok(),
                    "{name}.{property}: {min} characters refused"
                );
                assert!(
                    with(min - 1).is_err(),
                    "{name}.{property}: {} characters accepted",
                    min - 1
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 30, "only {checked} limits checked");
}

/// `Flag` (`is_installment`, `refund`) is 0 or 1 on the wire: the generated payloads refuse
/// anything else when decoding, as the spec's `minimum`/`maximum` say.
#[test]
fn flags_outside_zero_and_one_are_refused() {
    let spec = spec();
    for (name, field) in [
        ("PaymentRequest", "is_installment"),
        ("CardRegistrationRequest", "refund"),
    ] {
        let mut example = spec["components"]["schemas"][name]["example"].clone();
        for (value, ok) in [
            (json!(0), true),
            (json!(1), true),
            (json!(2), false),
            (json!(-1), false),
        ] {
            example[field] = value.clone();
            let decoded =
                match name {
                    "PaymentRequest" => serde_json::from_value::<
                        epoint_az::generated::types::PaymentRequest,
                    >(example.clone())
                    .map(|_| ()),
                    _ => serde_json::from_value::<
                        epoint_az::generated::types::CardRegistrationRequest,
                    >(example.clone())
                    .map(|_| ()),
                };
            assert_eq!(decoded.is_ok(), ok, "{name}.{field} = {value}: {decoded:?}");
        }
    }
}
