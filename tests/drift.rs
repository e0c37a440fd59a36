//! Drift between the spec, the client, the sandbox and the tests is impossible to miss:
//! reads `openapi/epoint.yaml` and fails, naming the operation, when an operation lacks a
//! client method, a sandbox handler, a payload snapshot or an end-to-end test, and when the
//! client or the sandbox serves an EPoint path the spec does not describe.

use std::{collections::BTreeMap, fs, path::Path};

use epoint::{Keys, OPERATIONS, sandbox::Sandbox};
use serde_json::{Value, json};
use syn::{ImplItem, Item, ReturnType, Type};

/// The spec's operations: path → (operationId, payload schema from `x-epoint-payload`,
/// domain name from `x-epoint-name`).
fn spec_operations() -> BTreeMap<String, (String, String, String)> {
    let text = fs::read_to_string(root().join("openapi/epoint.yaml")).expect("read spec");
    let spec: Value = serde_yaml::from_str(&text).expect("spec is YAML");
    let mut ops = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            assert_eq!(method, "post", "{path}: EPoint operations are POST");
            let id = op["operationId"].as_str().expect("operationId").to_owned();
            let payload = op["x-epoint-payload"]["$ref"]
                .as_str()
                .unwrap_or_else(|| panic!("{id}: no x-epoint-payload"))
                .trim_start_matches("#/components/schemas/")
                .to_owned();
            let description = op["description"].as_str().unwrap_or_default();
            assert!(
                description.contains(&format!("`data` payload: `{payload}`")),
                "{id}: the description must name the payload schema `{payload}`"
            );
            let name = op["x-epoint-name"]
                .as_str()
                .unwrap_or_else(|| panic!("{id}: no x-epoint-name"))
                .to_owned();
            ops.insert(path.clone(), (id, payload, name));
        }
    }
    ops
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Public `Client` methods in src/client.rs: the operation marker (`ops::X`) of the `Call` each
/// returns → the method's name.
fn client_methods() -> BTreeMap<String, String> {
    let source = fs::read_to_string(root().join("src/client.rs")).expect("read client.rs");
    let file = syn::parse_file(&source).expect("client.rs parses");
    let mut methods = BTreeMap::new();
    for item in file.items {
        let Item::Impl(imp) = item else { continue };
        let Type::Path(self_ty) = &*imp.self_ty else {
            continue;
        };
        if !self_ty.path.is_ident("Client") {
            continue;
        }
        for item in imp.items {
            let ImplItem::Fn(f) = item else { continue };
            if !matches!(f.vis, syn::Visibility::Public(_)) {
                continue;
            }
            let ReturnType::Type(_, ty) = &f.sig.output else {
                continue;
            };
            let Type::Path(ret) = &**ty else { continue };
            let last = ret.path.segments.last().expect("segment");
            if last.ident != "Call" {
                continue;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                continue;
            };
            for arg in &args.args {
                // `Call<'_, ops::X>`; the generic `operation::<O>` is not one operation's method.
                if let syn::GenericArgument::Type(Type::Path(p)) = arg
                    && p.path.segments.len() == 2
                    && p.path.segments[0].ident == "ops"
                {
                    let marker = p.path.segments[1].ident.to_string();
                    methods.insert(marker, f.sig.ident.to_string());
                }
            }
        }
    }
    methods
}

#[test]
fn every_spec_operation_has_a_client_method_and_nothing_else_is_served() {
    let spec = spec_operations();
    assert_eq!(spec.len(), 10, "the ten core operations");
    let methods = client_methods();
    for (path, (id, payload, name)) in &spec {
        // The table is generated from the spec by build.rs; this proves it was regenerated.
        let generated = OPERATIONS
            .iter()
            .find(|op| op.operation_id == id)
            .unwrap_or_else(|| panic!("{id}: not in the generated OPERATIONS table"));
        assert_eq!(generated.path, path, "{id}: generated path differs");
        assert_eq!(
            generated.payload,
            Some(payload.as_str()),
            "{id}: generated payload differs from x-epoint-payload"
        );
        assert_eq!(generated.name, name, "{id}: generated name differs");
        let marker = generated.id.to_string();
        let marker: String = marker
            .split('_')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .collect();
        assert_eq!(
            methods.get(&marker),
            Some(name),
            "{id}: the public Client method returning Call<'_, ops::{marker}> must be named `{name}` (x-epoint-name)"
        );
    }
    for op in OPERATIONS {
        assert!(
            spec.get(op.path)
                .is_some_and(|(id, ..)| id == op.operation_id),
            "the client implements {} at {}, which the spec does not describe",
            op.operation_id,
            op.path
        );
    }
    assert_eq!(
        methods.len(),
        spec.len(),
        "one Client method per operation: {methods:?}"
    );
}

#[test]
fn every_spec_operation_has_a_payload_snapshot_and_end_to_end_tests() {
    let methods = client_methods();
    let snapshots: Vec<String> = fs::read_dir(root().join("tests/snapshots"))
        .expect("snapshots dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let e2e = fs::read_to_string(root().join("tests/sandbox_e2e.rs")).expect("sandbox_e2e.rs");
    let wire = fs::read_to_string(root().join("tests/wire.rs")).expect("wire.rs");
    for (path, (id, _, method)) in spec_operations() {
        let prefix = format!("payload_snapshots__{id}");
        assert!(
            snapshots
                .iter()
                .any(|s| s.starts_with(&prefix) && s.ends_with(".snap")),
            "{id}: no payload snapshot tests/snapshots/{prefix}*.snap (add a case to tests/payload_snapshots.rs)"
        );
        assert!(
            methods.values().any(|m| *m == method),
            "{id}: no method `{method}`"
        );
        let call = format!(".{method}(");
        assert!(
            e2e.contains(&call),
            "{id}: tests/sandbox_e2e.rs never calls `{call}`"
        );
        assert!(
            wire.contains(&call) && wire.contains(&format!("\"{path}\"")),
            "{id}: tests/wire.rs never sends {path} with `{call}`"
        );
    }
}

#[tokio::test]
async fn the_sandbox_handles_every_spec_operation_and_no_other_api_path() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let (public, private) = epoint::sandbox::SEEDED_MERCHANTS[0];
    let keys = Keys::new(public, private);
    let http = reqwest::Client::new();
    let post = |path: &str, body: String| {
        http.post(format!("{}{path}", sandbox.base_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    for (path, (id, ..)) in spec_operations() {
        // Correctly signed but empty: the handler must validate it, as EPoint does.
        let body = keys
            .sign_callback(&json!({"public_key": public}))
            .expect("sign");
        let response = post(&path, body).await.expect("post");
        assert_eq!(response.status(), 200, "{id}: EPoint answers HTTP 200");
        let answer: Value = response.json().await.expect("JSON answer");
        assert_eq!(answer["status"], "error", "{id}: {answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(
            !message.contains("not simulated") && !message.is_empty(),
            "{id}: the sandbox has no handler for {path}: {answer}"
        );
        assert_eq!(
            sandbox.request_count(id.parse().expect("an operation")),
            1,
            "{id}: recorded under its operationId"
        );
    }
    for path in [
        "/api/1/checkout",
        "/api/1/pre-auth-request",
        "/api/1/payment-request",
        "/api/1/wallet/status",
        "/api/heartbeat",
    ] {
        let response = post(path, String::new()).await.expect("post");
        assert_eq!(
            response.status(),
            404,
            "the sandbox serves {path}, which the spec does not describe"
        );
    }
}
