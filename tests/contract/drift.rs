//! Drift between the spec, the client, the sandbox and the tests is impossible to miss:
//! reads `openapi/epoint.yaml` and fails, naming the operation, when an operation lacks a
//! client method, a sandbox handler, a payload snapshot or an end-to-end test, and when the
//! client or the sandbox serves an EPoint path the spec does not describe.

use std::{collections::BTreeMap, fs, path::Path};

use epoint_az::{Keys, OPERATIONS};
use epoint_az_sandbox::Sandbox;
use serde_json::{Value, json};
use syn::{ImplItem, Item, ReturnType, Type};

/// Where an operation is documented: `x-epoint-source` must be one of these.
const SOURCES: [&str; 3] = ["official-document-1.0.3", "developer-site", "peer-client"];

/// The spec's operations: path → (operationId, payload schema from `x-epoint-payload` — empty
/// for the few operations that are not a signed form —, domain name from `x-epoint-name`).
fn spec_operations() -> BTreeMap<String, (String, String, String)> {
    let text = fs::read_to_string(root().join("openapi/epoint.yaml")).expect("read spec");
    let spec: Value = serde_norway::from_str(&text).expect("spec is YAML");
    let mut ops = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            assert!(
                ["get", "post"].contains(&method.as_str()),
                "{path}: EPoint operations are POST (a few reads are GET)"
            );
            let id = op["operationId"].as_str().expect("operationId").to_owned();
            let payload = op["x-epoint-payload"]["$ref"]
                .as_str()
                .map(|r| r.trim_start_matches("#/components/schemas/").to_owned());
            let signed_form = op
                .pointer("/requestBody/content/application~1x-www-form-urlencoded/schema/$ref")
                .and_then(Value::as_str)
                == Some("#/components/schemas/SignedEnvelope");
            assert_eq!(
                payload.is_some(),
                signed_form,
                "{id}: a signed form body needs x-epoint-payload, and only a signed form has one"
            );
            let payload = payload.unwrap_or_default();
            let description = op["description"].as_str().unwrap_or_default();
            assert!(
                payload.is_empty() || description.contains(&format!("`data` payload: `{payload}`")),
                "{id}: the description must name the payload schema `{payload}`"
            );
            let name = op["x-epoint-name"]
                .as_str()
                .unwrap_or_else(|| panic!("{id}: no x-epoint-name"))
                .to_owned();
            let source = op["x-epoint-source"]
                .as_str()
                .unwrap_or_else(|| panic!("{id}: no x-epoint-source (provenance)"));
            assert!(
                SOURCES.contains(&source),
                "{id}: x-epoint-source `{source}` is not one of {SOURCES:?}"
            );
            ops.insert(path.clone(), (id, payload, name));
        }
    }
    ops
}

/// The text of every test file in `tests/<dir>/` whose name starts with `prefix` (e.g.
/// `client`, `wire`).
fn tests_named(dir: &str, prefix: &str) -> String {
    let mut text = String::new();
    for entry in fs::read_dir(root().join("tests").join(dir)).expect("tests dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name.starts_with(prefix) && name.ends_with(".rs") {
            text += &fs::read_to_string(&path).expect("read test");
        }
    }
    text
}

/// The `impl` items of every file of the client, src/client/*.rs (one file per operation family).
fn client_items() -> Vec<Item> {
    let mut items = Vec::new();
    let mut paths: Vec<_> = fs::read_dir(root().join("src/client"))
        .expect("src/client")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    paths.sort();
    assert!(paths.len() > 1, "the client is split by operation family");
    for path in paths {
        let source = fs::read_to_string(&path).expect("read a client file");
        let file =
            syn::parse_file(&source).unwrap_or_else(|e| panic!("{} parses: {e}", path.display()));
        items.extend(file.items);
    }
    items
}

/// The names of the public methods of `Client` in src/client/.
fn client_method_names() -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    for item in client_items() {
        let Item::Impl(imp) = item else { continue };
        let Type::Path(self_ty) = &*imp.self_ty else {
            continue;
        };
        if !self_ty.path.is_ident("Client") {
            continue;
        }
        for item in imp.items {
            if let ImplItem::Fn(f) = item
                && matches!(f.vis, syn::Visibility::Public(_))
            {
                names.insert(f.sig.ident.to_string());
            }
        }
    }
    names
}

/// Whether the payload schema requires any field besides `public_key` (for a `oneOf`, every
/// alternative does).
fn needs_more_than_public_key(payload: &str) -> bool {
    let text = fs::read_to_string(root().join("openapi/epoint.yaml")).expect("read spec");
    let spec: Value = serde_norway::from_str(&text).expect("spec is YAML");
    let schema = &spec["components"]["schemas"][payload];
    if let Some(alternatives) = schema["oneOf"].as_array() {
        return alternatives.iter().all(|alt| {
            let name = alt["$ref"].as_str().expect("a $ref").rsplit('/').next();
            needs_more_than_public_key(name.expect("a schema name"))
        });
    }
    schema["required"]
        .as_array()
        .is_some_and(|r| r.iter().any(|f| f != "public_key"))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Public `Client` methods in src/client/: the operation marker (`ops::X`) of the `Call` each
/// returns → the methods' names (one is the `x-epoint-name`; get-status also has the lookup by
/// order id).
fn client_methods() -> BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut methods = BTreeMap::new();
    for item in client_items() {
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
                    methods
                        .entry(marker)
                        .or_insert_with(std::collections::BTreeSet::new)
                        .insert(f.sig.ident.to_string());
                }
            }
        }
    }
    methods
}

#[test]
fn every_spec_operation_has_a_client_method_and_nothing_else_is_served() {
    let spec = spec_operations();
    assert!(spec.len() >= 10, "at least the ten core operations");
    let methods = client_methods();
    let names = client_method_names();
    for (path, (id, payload, name)) in &spec {
        assert!(
            names.contains(name),
            "{id}: no public Client method `{name}` (x-epoint-name)"
        );
        // The table is generated from the spec by build.rs; this proves it was regenerated.
        let generated = OPERATIONS
            .iter()
            .find(|op| op.operation_id == id)
            .unwrap_or_else(|| panic!("{id}: not in the generated OPERATIONS table"));
        assert_eq!(generated.path, path, "{id}: generated path differs");
        assert_eq!(
            generated.payload,
            (!payload.is_empty()).then_some(payload.as_str()),
            "{id}: generated payload differs from x-epoint-payload"
        );
        assert_eq!(generated.name, name, "{id}: generated name differs");
        if payload.is_empty() {
            continue; // not a signed form: no `ops::` marker, a hand-written method
        }
        let marker = generated.id.to_string();
        let marker: String = marker
            .split('_')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .collect();
        assert!(
            methods.get(&marker).is_some_and(|m| m.contains(name)),
            "{id}: a public Client method returning Call<'_, ops::{marker}> must be named `{name}` (x-epoint-name); found {:?}",
            methods.get(&marker)
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
        spec.values()
            .filter(|(_, payload, _)| !payload.is_empty())
            .count(),
        "one Client method per signed operation: {methods:?}"
    );
}

#[test]
fn every_spec_operation_has_a_payload_snapshot_and_end_to_end_tests() {
    // Signed operations return `Call<'_, ops::X>`; the others (GET, JSON body) are plain methods.
    let methods = client_method_names();
    let snapshots: Vec<String> = fs::read_dir(root().join("tests/client/snapshots"))
        .expect("snapshots dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let e2e = tests_named("sandbox", "e2e");
    let wire = tests_named("client", "wire");
    for (path, (id, _, method)) in spec_operations() {
        let prefix = format!("client__payload_snapshots__{id}");
        assert!(
            snapshots
                .iter()
                .any(|s| s.starts_with(&prefix) && s.ends_with(".snap")),
            "{id}: no payload snapshot tests/client/snapshots/{prefix}*.snap (add a case to tests/client/payload_snapshots.rs)"
        );
        assert!(methods.contains(&method), "{id}: no method `{method}`");
        let call = format!(".{method}(");
        assert!(
            e2e.contains(&call),
            "{id}: no tests/sandbox/e2e*.rs calls `{call}`"
        );
        assert!(
            wire.contains(&call) && wire.contains(&format!("\"{path}\"")),
            "{id}: no tests/client/wire*.rs sends {path} with `{call}`"
        );
    }
}

#[tokio::test]
async fn the_sandbox_handles_every_spec_operation_and_no_other_api_path() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let (public, private) = epoint_az_sandbox::SEEDED_MERCHANTS[0];
    let keys = Keys::new(public, private);
    let http = epoint_az::http_client_builder()
        .expect("tls")
        .build()
        .expect("http client");
    let post = |path: &str, body: String| {
        http.post(format!("{}{path}", sandbox.base_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    for (path, (id, payload, _)) in spec_operations() {
        if payload.is_empty() {
            // Not a signed form (a GET read, a JSON body): served, whatever it answers.
            let url = format!("{}{}", sandbox.base_url(), path.replace(['{', '}'], ""));
            let get = http.get(&url).send().await.expect("get").status();
            let post = http.post(&url).send().await.expect("post").status();
            assert!(
                get != 404 && get != 405 || post != 404 && post != 405,
                "{id}: the sandbox does not serve {path} (GET {get}, POST {post})"
            );
            continue;
        }
        // Correctly signed but empty: the handler must validate it, as EPoint does.
        let body = keys
            .sign_callback(&json!({"public_key": public}))
            .expect("sign");
        let response = post(&path, body).await.expect("post");
        assert_eq!(response.status(), 200, "{id}: EPoint answers HTTP 200");
        let answer: Value = response.json().await.expect("JSON answer");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(
            !message.contains("not simulated"),
            "{id}: the sandbox has no handler for {path}: {answer}"
        );
        if needs_more_than_public_key(&payload) {
            assert_eq!(answer["status"], "error", "{id}: {answer}");
            assert!(!message.is_empty(), "{id}: a refusal says why: {answer}");
        } else {
            // `public_key` is all it needs (a wallet list, an invoice list): a valid request.
            assert_ne!(answer["status"], "error", "{id}: {answer}");
            assert_ne!(answer["status"], "server_error", "{id}: {answer}");
        }
        assert_eq!(
            sandbox.request_count(id.parse().expect("an operation")),
            1,
            "{id}: recorded under its operationId"
        );
    }
    for path in [
        "/api/1/not-an-operation",
        "/api/2/request",
        "/api/1/request/extra",
    ] {
        let response = post(path, String::new()).await.expect("post");
        assert_eq!(
            response.status(),
            404,
            "the sandbox serves {path}, which the spec does not describe"
        );
    }
}
