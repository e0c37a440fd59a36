//! Generates the typed EPoint client from `openapi/epoint.yaml` with progenitor.
//!
//! Editing the spec and running `cargo build` is the whole regenerate step: the output goes to
//! `$OUT_DIR/epoint.rs` and is included by `src/generated.rs`. Only the spec and this file
//! trigger a rerun, so editing `src/` never regenerates.

use std::{env, fs, path::Path};

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};

const SPEC: &str = "openapi/epoint.yaml";

/// Names a spec file to build from instead of the crate's own `openapi/epoint.yaml`: the way a
/// service that depends on `epoint-az` picks up an EPoint API change before a new release.
const SPEC_VARIABLE: &str = "EPOINT_SPEC";

#[path = "build/texts.rs"]
mod texts;
use texts::{TEXTS, texts_table};

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={SPEC_VARIABLE}");

    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by cargo");
    let spec_path = match env::var_os(SPEC_VARIABLE).filter(|v| !v.is_empty()) {
        Some(custom) => {
            let custom = Path::new(&custom).to_path_buf();
            assert!(
                custom.is_absolute(),
                "{SPEC_VARIABLE} must be an absolute path (cargo builds dependencies in their own directory), got {}",
                custom.display()
            );
            println!("cargo:rerun-if-changed={}", custom.display());
            println!(
                "cargo:warning=epoint-az: generating the client from {} ({SPEC_VARIABLE})",
                custom.display()
            );
            custom
        }
        None => Path::new(&manifest_dir).join(SPEC),
    };
    let text = fs::read_to_string(&spec_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", spec_path.display()));
    let yaml: serde_json::Value =
        serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{SPEC} is not valid YAML: {e}"));
    let spec: openapiv3::OpenAPI = serde_json::from_value(yaml.clone())
        .unwrap_or_else(|e| panic!("{SPEC} is not an OpenAPI 3.0 document: {e}"));

    let spec = without_error_responses(spec);
    // Two passes over the same spec: the builder pass gives the wire types their builders
    // (`types::PaymentRequest::builder()`, so a field added to the spec compiles without touching
    // `src/`); the positional pass gives the client its operations as plain `async fn`s taking
    // the body by reference (no per-call builder, no error strings allocated and dropped, no
    // envelope copy). The file keeps the positional client and the builder pass's `types`.
    let mut file = generate(&spec, InterfaceStyle::Positional);
    let with_builders = generate(&spec, InterfaceStyle::Builder);
    let types_of = |file: &syn::File| {
        file.items
            .iter()
            .position(|item| matches!(item, syn::Item::Mod(m) if m.ident == "types"))
    };
    let at = types_of(&file).expect("progenitor emits a `types` module");
    let types = with_builders.items
        [types_of(&with_builders).expect("progenitor emits a `types` module")]
    .clone();
    file.items[at] = types;
    strip_api_version_header(&mut file);
    carry_schema_limits(&yaml, &mut file);
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("epoint.rs");
    fs::write(&out, prettyplease::unparse(&file))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
    // For tests/contract/generated_surface.rs, which snapshots the generated API surface.
    println!("cargo:rustc-env=EPOINT_GENERATED_RS={}", out.display());
    println!("cargo:rustc-env=EPOINT_SPEC_PATH={}", spec_path.display());

    let table = operation_table(&yaml);
    let out =
        Path::new(&env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("operations.rs");
    fs::write(&out, table).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));

    let flows = callback_flows(&operations(&yaml));
    let out =
        Path::new(&env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("callback_flows.rs");
    fs::write(&out, flows).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));

    let setters = setters_table(&yaml);
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("setters.rs");
    fs::write(&out, setters).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));

    println!("cargo:rerun-if-changed={TEXTS}");
    let texts_path = Path::new(&manifest_dir).join(TEXTS);
    let texts: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(&texts_path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", texts_path.display())),
    )
    .unwrap_or_else(|e| panic!("{TEXTS} is not valid JSON: {e}"));
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("texts.rs");
    fs::write(&out, texts_table(&texts))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

/// A payload schema's properties and required names, `allOf` parts included.
fn properties(spec: &serde_json::Value, schema: &str) -> (Vec<String>, Vec<String>) {
    let node = &spec["components"]["schemas"][schema];
    let mut props: Vec<String> = node["properties"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut required: Vec<String> = node["required"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for part in node["allOf"].as_array().into_iter().flatten() {
        if let Some(name) = schema_name(Some(part)) {
            let (p, r) = properties(spec, &name);
            props.extend(p);
            required.extend(r);
        }
    }
    (props, required)
}

/// A payload schema's properties whose schema is the component `component` (a `$ref` to it,
/// or an `allOf` that includes it), `allOf` parts of the payload included.
fn fields_of(spec: &serde_json::Value, schema: &str, component: &str) -> Vec<String> {
    let node = &spec["components"]["schemas"][schema];
    let is_component = |property: &serde_json::Value| {
        schema_name(Some(property)).as_deref() == Some(component)
            || property["allOf"].as_array().is_some_and(|parts| {
                parts
                    .iter()
                    .any(|part| schema_name(Some(part)).as_deref() == Some(component))
            })
    };
    let mut fields: Vec<String> = node["properties"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, property)| is_component(property))
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default();
    for part in node["allOf"].as_array().into_iter().flatten() {
        if let Some(name) = schema_name(Some(part)) {
            fields.extend(fields_of(spec, &name, component));
        }
    }
    fields
}

/// Which of the setters several payloads share (`src/client/call.rs`, `setters!`) each signed
/// operation's `Call` gets, read from its payload schema: `description`, `other_attr` and the
/// two redirect URLs when optional, `language` when present (the layer fills it from the
/// config). Included by `src/client/call.rs`.
fn setters_table(spec: &serde_json::Value) -> String {
    use std::fmt::Write;
    let mut s = String::from(
        "// Generated by build.rs from the spec's payload schemas. Do not edit.\n\nsetters! {\n",
    );
    for op in operations(spec) {
        let Some(payload) = &op.payload else { continue };
        let (props, required) = properties(spec, payload);
        let optional =
            |name: &str| props.iter().any(|p| p == name) && !required.iter().any(|r| r == name);
        let mut setters = Vec::new();
        if optional("description") {
            setters.push("description");
        }
        if props.iter().any(|p| p == "language") {
            assert!(
                required.iter().any(|r| r == "language"),
                "{SPEC}: {payload}: `language` is optional; the `language` setter assumes it required (with the config's default)"
            );
            setters.push("language");
        }
        if optional("success_redirect_url") && optional("error_redirect_url") {
            setters.push("redirects");
        }
        if optional("other_attr") {
            setters.push("other_attr");
        }
        if !setters.is_empty() {
            writeln!(s, "    {}: [{}];", op.variant, setters.join(", ")).unwrap();
        }
    }
    s.push_str("}\n");
    s
}

/// The spec documents non-2xx answers (e.g. the B2B transfer's 400/403/422) for generators
/// that use them; the Rust layer reads every non-2xx answer itself as `Error::Http` with the
/// whole body. progenitor would turn a documented error response into a typed error whose
/// body the layer would have to decode per operation, so the generated raw layer is built
/// without them: an undocumented status reaches the layer as `UnexpectedResponse`, body kept.
fn without_error_responses(mut spec: openapiv3::OpenAPI) -> openapiv3::OpenAPI {
    for path in spec.paths.paths.values_mut() {
        let openapiv3::ReferenceOr::Item(item) = path else {
            continue;
        };
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in ops.into_iter().flatten() {
            op.responses.responses.retain(|code, _| match code {
                openapiv3::StatusCode::Code(c) => *c < 300,
                openapiv3::StatusCode::Range(r) => *r < 3,
            });
            op.responses.default = None;
        }
    }
    spec
}

/// Removes the `api-version` header progenitor adds to every request (a Dropshot convention;
/// EPoint defines no such header and the spec declares none), so the generated operations
/// send exactly what the spec says, and build no header map per call. An operation that has
/// header parameters of its own keeps its header map for them.
fn strip_api_version_header(file: &mut syn::File) {
    use quote::ToTokens;
    fn text(t: &impl ToTokens) -> String {
        t.to_token_stream().to_string()
    }
    fn drop_headers_call(expr: &mut syn::Expr) {
        match expr {
            syn::Expr::MethodCall(call)
                if call.method == "headers" && text(&call.args) == "header_map" =>
            {
                *expr = (*call.receiver).clone();
                drop_headers_call(expr);
            }
            syn::Expr::MethodCall(call) => drop_headers_call(&mut call.receiver),
            syn::Expr::Try(t) => drop_headers_call(&mut t.expr),
            _ => {}
        }
    }
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() || text(&block.self_ty) != "Client" {
            continue;
        }
        for member in &mut block.items {
            let syn::ImplItem::Fn(method) = member else {
                continue;
            };
            let stmts = &mut method.block.stmts;
            stmts.retain(|s| !text(s).contains("from_static (\"api-version\")"));
            let uses = stmts
                .iter()
                .filter(|s| text(s).contains("header_map"))
                .count();
            // Left: `let mut header_map = …;` and `….headers(header_map)`, nothing else.
            if uses == 2 {
                stmts.retain(|s| !text(s).starts_with("let mut header_map"));
                for stmt in stmts.iter_mut() {
                    if let syn::Stmt::Local(syn::Local {
                        init: Some(init), ..
                    }) = stmt
                    {
                        drop_headers_call(&mut init.expr);
                    }
                }
            }
        }
    }
}

/// Runs progenitor over the spec with this crate's settings and the given interface style.
fn generate(spec: &openapiv3::OpenAPI, style: InterfaceStyle) -> syn::File {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(style)
        .with_tag(TagStyle::Merged)
        // Exact money: every `$ref: Money` becomes `rust_decimal`-backed `crate::Money`.
        .with_replacement(
            "Money",
            "crate::Money",
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        )
        // Open status set: unknown values are kept, never a decode failure.
        .with_replacement(
            "PaymentStatus",
            "crate::PaymentStatus",
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        )
        // 0/1 switches: only 0 or 1 decode (typify would accept any integer).
        .with_replacement(
            "Flag",
            "crate::Flag",
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        )
        // Answers keep fields EPoint adds before anyone regenerates: typify turns
        // `additionalProperties: {…}` into a flattened `extra: serde_json::Map`.
        .with_derive("PartialEq")
        .with_derive("::schemars::JsonSchema");
    let tokens = Generator::new(&settings)
        .generate_tokens(spec)
        .unwrap_or_else(|e| panic!("progenitor could not generate {SPEC}: {e}"));
    syn::parse2(tokens).expect("progenitor emits valid Rust")
}

/// One operation of the spec, as the operation table needs it.
struct Op {
    id: String,
    variant: String,
    name: String,
    method: String,
    path: String,
    payload: Option<String>,
    response: Option<String>,
    answer: Option<String>,
    callback: bool,
    /// `x-epoint-callback`: the flow its result callback reports through, and, on the one
    /// operation that defines the flow, what it carries.
    callback_flow: Option<CallbackMark>,
    moves_money: bool,
    source: String,
}

/// An operation's `x-epoint-callback` mark.
struct CallbackMark {
    flow: String,
    /// `operation_code`, `fields`, `on_success`: only on the operation that defines the flow.
    carries: Option<(String, Vec<String>, Vec<String>)>,
}

/// Reads `x-epoint-callback`; an operation whose callback posts a `CallbackPayload` must have
/// it, so that a callback flow added to the spec is never left without its table row.
fn callback_mark(id: &str, op: &serde_json::Value) -> Option<CallbackMark> {
    let posts_payload = op["callbacks"].as_object().is_some_and(|callbacks| {
        callbacks.values().any(|c| {
            c.as_object().is_some_and(|urls| {
                urls.values().any(|u| {
                    u.pointer("/post/x-epoint-payload/$ref")
                        .and_then(|r| r.as_str())
                        == Some("#/components/schemas/CallbackPayload")
                })
            })
        })
    });
    let Some(mark) = op.get("x-epoint-callback") else {
        assert!(
            !posts_payload,
            "{SPEC}: {id}: an operation with a `CallbackPayload` callback needs `x-epoint-callback: {{flow: …}}`"
        );
        return None;
    };
    let flow = mark["flow"]
        .as_str()
        .unwrap_or_else(|| panic!("{SPEC}: {id}: `x-epoint-callback` needs a `flow`"))
        .to_owned();
    let list = |key: &str| -> Vec<String> {
        mark[key]
            .as_array()
            .unwrap_or_else(|| {
                panic!("{SPEC}: {id}: `x-epoint-callback.{key}` is a list of fields")
            })
            .iter()
            .map(|f| {
                f.as_str()
                    .unwrap_or_else(|| {
                        panic!("{SPEC}: {id}: `x-epoint-callback.{key}` lists field names")
                    })
                    .to_owned()
            })
            .collect()
    };
    let carries = mark.get("operation_code").map(|code| {
        let code = code
            .as_str()
            .unwrap_or_else(|| {
                panic!("{SPEC}: {id}: `x-epoint-callback.operation_code` is a string")
            })
            .to_owned();
        (code, list("fields"), list("on_success"))
    });
    Some(CallbackMark { flow, carries })
}

/// How each `x-epoint-answer` reads a successful answer: the hand-written success type and the
/// rule that maps `status` to `Ok` / `Err` (`crate::operation::AnswerKind`).
const ANSWERS: &[(&str, &str, &str)] = &[
    ("payment-page", "crate::answer::PaymentPage", "HostedPage"),
    ("card-page", "crate::answer::CardPage", "HostedPage"),
    (
        "payment-and-card-page",
        "crate::answer::PaymentAndCardPage",
        "HostedPage",
    ),
    ("charge", "crate::answer::Charge", "Charge"),
    ("refund", "crate::answer::Refund", "Refund"),
    ("status", "crate::answer::TransactionStatus", "Status"),
    // A JSON array of options on success (not an object): `Answer` is written by hand.
    (
        "installment-options",
        "crate::answer::InstallmentOptions",
        "Plain",
    ),
    ("wallet-list", "crate::answer::WalletList", "Plain"),
    ("invoice-created", "crate::answer::InvoiceCreated", "Plain"),
    ("card-status", "crate::answer::SavedCardStatus", "Status"),
    ("widget", "crate::answer::Widget", "HostedPage"),
    ("token-payment", "crate::answer::TokenPayment", "Plain"),
    (
        "apple-pay-session",
        "crate::answer::ApplePayMerchantSession",
        "Plain",
    ),
];

fn camel(snake: &str) -> String {
    snake
        .split(['_', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn schema_name(reference: Option<&serde_json::Value>) -> Option<String> {
    let r = reference?.get("$ref")?.as_str()?;
    Some(
        r.strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{SPEC}: `{r}` is not a component schema"))
            .to_owned(),
    )
}

/// Reads every operation of the spec, in the spec's order.
fn operations(spec: &serde_json::Value) -> Vec<Op> {
    let mut ops = Vec::new();
    let paths = spec["paths"].as_object().expect("the spec has `paths`");
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("a path item is an object") {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{SPEC}: {method} {path} has no operationId"))
                .to_owned();
            let payload = schema_name(op.get("x-epoint-payload"));
            let response =
                schema_name(op.pointer("/responses/200/content/application~1json/schema"));
            let answer = op["x-epoint-answer"].as_str().map(str::to_owned);
            if let Some(a) = &answer {
                assert!(
                    ANSWERS.iter().any(|(name, ..)| name == a),
                    "{SPEC}: {id}: unknown x-epoint-answer `{a}` (known: {})",
                    ANSWERS
                        .iter()
                        .map(|(n, ..)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            ops.push(Op {
                variant: camel(&id),
                name: op["x-epoint-name"].as_str().unwrap_or(&id).to_owned(),
                method: method.to_uppercase(),
                path: path.clone(),
                payload,
                response,
                answer,
                callback: op.get("callbacks").is_some() || op.get("x-epoint-callback").is_some(),
                callback_flow: callback_mark(&id, op),
                moves_money: op["x-epoint-moves-money"].as_bool().unwrap_or_else(|| {
                    panic!(
                        "{SPEC}: {id}: `x-epoint-moves-money: true|false` is required on every operation"
                    )
                }),
                source: op["x-epoint-source"].as_str().unwrap_or("").to_owned(),
                id,
            });
        }
    }
    ops
}

/// `CALLBACK_FLOWS`: one row per flow, from the operation that defines it. A flow named by an
/// operation but defined by none (or by two) stops the build.
fn callback_flows(ops: &[Op]) -> String {
    use std::fmt::Write;
    let mut s = String::from(
        "// Generated by build.rs from the spec's `x-epoint-callback`. Do not edit.\n\n/// Each callback flow: the operation that starts it and what its callback carries\n/// (generated from the spec's `x-epoint-callback`).\npub(crate) const CALLBACK_FLOWS: &[FlowInfo] = &[\n",
    );
    let mut flows: Vec<&str> = Vec::new();
    for op in ops {
        let Some(mark) = &op.callback_flow else {
            continue;
        };
        if !flows.contains(&mark.flow.as_str()) {
            flows.push(&mark.flow);
        }
        let Some((code, fields, on_success)) = &mark.carries else {
            continue;
        };
        writeln!(
            s,
            "    FlowInfo {{ flow: CallbackFlow::{}, name: {:?}, operation: OperationId::{}, operation_code: {code:?}, fields: &{fields:?}, on_success: &{on_success:?} }},",
            camel(&mark.flow), mark.flow, op.variant
        )
        .unwrap();
    }
    for flow in flows {
        let defined = ops
            .iter()
            .filter(|op| {
                op.callback_flow
                    .as_ref()
                    .is_some_and(|m| m.flow == flow && m.carries.is_some())
            })
            .count();
        assert!(
            defined == 1,
            "{SPEC}: callback flow `{flow}` is defined (`operation_code`, `fields`, `on_success`) by {defined} operations; exactly one must define it"
        );
    }
    s.push_str("];\n\n");
    s.push_str("impl OperationId {\n    /// The callback flow this operation reports through (the spec's `x-epoint-callback`), or\n    /// `None` when it sends no callback.\n    ///\n    /// ```\n    /// use epoint_az::{OperationId, callback::CallbackFlow};\n    /// assert_eq!(OperationId::SplitRequest.callback_flow(), Some(CallbackFlow::SplitPayment));\n    /// assert_eq!(OperationId::ExecutePay.callback_flow(), None);\n    /// ```\n    pub fn callback_flow(self) -> Option<CallbackFlow> {\n        match self {\n");
    for op in ops {
        if let Some(mark) = &op.callback_flow {
            writeln!(
                s,
                "            Self::{} => Some(CallbackFlow::{}),",
                op.variant,
                camel(&mark.flow)
            )
            .unwrap();
        }
    }
    s.push_str("            _ => None,\n        }\n    }\n}\n");
    s
}

/// The operation table, generated from the spec: an `OperationId` per operation, its
/// `OperationInfo`, a marker type per signed operation implementing `Operation`, and `Answer`
/// for each answer schema. Included by `src/operation.rs`.
fn operation_table(spec: &serde_json::Value) -> String {
    use std::fmt::Write;
    let ops = operations(spec);
    let mut s = String::from("// Generated by build.rs from the spec. Do not edit.\n\n");

    s.push_str(
        "/// Every operation of the spec, by name (generated from `openapi/epoint.yaml`).\n",
    );
    s.push_str("///\n/// ```\n/// use epoint_az::OperationId;\n");
    s.push_str("/// let op: OperationId = \"/api/1/execute-pay\".parse().unwrap();\n");
    s.push_str("/// assert_eq!(op, OperationId::ExecutePay);\n/// assert_eq!(op.operation_id(), \"execute_pay\");\n/// ```\n");
    s.push_str(
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]\n",
    );
    s.push_str("#[serde(into = \"&'static str\")]\n#[non_exhaustive]\npub enum OperationId {\n");
    for op in &ops {
        writeln!(
            s,
            "    /// `{} {}` (operationId `{}`).",
            op.method, op.path, op.id
        )
        .unwrap();
        writeln!(s, "    {},", op.variant).unwrap();
    }
    s.push_str("}\n\n");

    s.push_str("/// Every operation of the spec, in the spec's order (generated).\n");
    s.push_str("///\n/// ```\n/// let first = &epoint_az::OPERATIONS[0];\n");
    s.push_str("/// assert_eq!((first.operation_id, first.path), (\"payment_request\", \"/api/1/request\"));\n/// ```\n");
    s.push_str("pub const OPERATIONS: &[OperationInfo] = &[\n");
    for op in &ops {
        let kind = op
            .answer
            .as_deref()
            .map(|a| ANSWERS.iter().find(|(n, ..)| *n == a).expect("checked").2)
            .unwrap_or("Plain");
        let opt = |v: &Option<String>| match v {
            Some(v) => format!("Some({v:?})"),
            None => "None".to_owned(),
        };
        let fields = |component: &str| {
            op.payload
                .as_deref()
                .map(|payload| fields_of(spec, payload, component))
                .unwrap_or_default()
        };
        writeln!(
            s,
            "    OperationInfo {{ id: OperationId::{}, operation_id: {:?}, name: {:?}, method: {:?}, path: {:?}, payload: {}, answer: {}, kind: AnswerKind::{kind}, callback: {}, moves_money: {}, source: {:?}, money_fields: &{:?}, order_id_fields: &{:?} }},",
            op.variant, op.id, op.name, op.method, op.path, opt(&op.payload), opt(&op.response), op.callback, op.moves_money, op.source, fields("Money"), fields("OrderId")
        )
        .unwrap();
    }
    s.push_str("];\n\n");

    s.push_str(
        "/// One marker type per signed operation of the spec (generated): the type parameter of\n",
    );
    s.push_str(
        "/// [`crate::Call`], tying the operation to its payload and answer.\npub mod ops {\n",
    );
    for op in &ops {
        let (Some(payload), Some(response)) = (&op.payload, &op.response) else {
            continue;
        };
        let (output, kind) = op
            .answer
            .as_deref()
            .map(|a| {
                let (_, ty, kind) = ANSWERS.iter().find(|(n, ..)| *n == a).expect("checked");
                (ty.to_string(), *kind)
            })
            .unwrap_or_else(|| (format!("crate::generated::types::{response}"), "Plain"));
        writeln!(
            s,
            "    /// `{} {}`: payload [`{payload}`](crate::generated::types::{payload}), answer [`{response}`](crate::generated::types::{response}).",
            op.method, op.path
        )
        .unwrap();
        writeln!(
            s,
            "    #[derive(Clone, Copy, Debug)]\n    pub struct {};",
            op.variant
        )
        .unwrap();
        writeln!(
            s,
            "    impl super::sealed::Sealed for {v} {{}}\n    impl super::Operation for {v} {{\n        type Payload = crate::generated::types::{payload};\n        type Response = crate::generated::types::{response};\n        type Output = {output};\n        const ID: super::OperationId = super::OperationId::{v};\n        const KIND: super::AnswerKind = super::AnswerKind::{kind};\n        fn send_raw<'a>(raw: &'a crate::generated::Client, envelope: &'a crate::generated::types::SignedEnvelope) -> impl ::std::future::Future<Output = ::std::result::Result<::progenitor_client::ResponseValue<Self::Response>, ::progenitor_client::Error<()>>> + Send + 'a {{\n            raw.{id}(envelope)\n        }}\n    }}",
            v = op.variant,
            id = op.id,
        )
        .unwrap();
    }
    s.push_str("}\n\n");

    // `Answer` for every answer schema, from the fields it declares.
    let mut seen = std::collections::BTreeSet::new();
    for op in &ops {
        let Some(response) = &op.response else {
            continue;
        };
        if !seen.insert(response.clone()) {
            continue;
        }
        let schema = &spec["components"]["schemas"][response];
        // An answer that is not always an object (an array, a `oneOf` of shapes) has no
        // fields to read here: its `Answer` is written by hand in src/answer.rs.
        if schema["type"] != "object" {
            continue;
        }
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let props = schema["properties"].as_object();
        let has = |f: &str| props.is_some_and(|p| p.contains_key(f));
        let text = |f: &str| -> String {
            if !has(f) || schema["properties"][f]["type"] != "string" {
                "None".to_owned()
            } else if required.contains(&f) {
                format!("Some(self.{f}.as_str())")
            } else {
                format!("self.{f}.as_deref()")
            }
        };
        let status = if !has("status") {
            "None".to_owned()
        } else if required.contains(&"status") {
            "Some(&self.status)".to_owned()
        } else {
            "self.status.as_ref()".to_owned()
        };
        writeln!(
            s,
            "impl Answer for crate::generated::types::{response} {{\n    fn status(&self) -> Option<&crate::PaymentStatus> {{ {status} }}\n    fn message(&self) -> Option<&str> {{ {} }}\n    fn transaction(&self) -> Option<&str> {{ {} }}\n    fn code(&self) -> Option<&str> {{ {} }}\n    fn trace_id(&self) -> Option<&str> {{ {} }}\n}}",
            text("message"),
            text("transaction"),
            text("code"),
            text("trace_id")
        )
        .unwrap();
    }
    s
}

/// Copies each named component's validation keywords (`minLength`, `maxLength`, `pattern`,
/// `minimum`, `maximum`) into the JSON Schema of the newtype generated for it, so that
/// `schemars::schema_for!` tells users the same limits as the spec (tests/contract/schema_contract.rs
/// compares them). `#[derive(JsonSchema)]` on a typify newtype cannot see them, and
/// `TypePatch::with_attr` puts attributes before `#[derive]`, which Rust rejects for derive
/// helpers, so the attribute is appended to the parsed items here. Serde behaviour is unchanged.
fn carry_schema_limits(spec: &serde_json::Value, file: &mut syn::File) {
    use syn::parse::Parser;
    const KEYWORDS: [&str; 5] = ["minLength", "maxLength", "pattern", "minimum", "maximum"];
    let mut limits = std::collections::HashMap::new();
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(|s| s.as_object());
    for (name, schema) in schemas.into_iter().flatten() {
        let pairs: Vec<String> = KEYWORDS
            .iter()
            .filter_map(|k| match schema.get(*k)? {
                serde_json::Value::String(s) => Some(format!("{k:?} = {s:?}")),
                serde_json::Value::Number(n) => Some(format!("{k:?} = {n}")),
                other => panic!("{SPEC}: {name}.{k} = {other} is neither a string nor a number"),
            })
            .collect();
        if !pairs.is_empty() {
            let text = format!("#[schemars(extend({}))]", pairs.join(", "));
            let attrs = syn::Attribute::parse_outer
                .parse_str(&text)
                .unwrap_or_else(|e| panic!("{text}: {e}"));
            limits.insert(name.clone(), attrs);
        }
    }
    fn walk(
        items: &mut [syn::Item],
        limits: &std::collections::HashMap<String, Vec<syn::Attribute>>,
    ) {
        for item in items {
            match item {
                syn::Item::Mod(m) => {
                    if let Some((_, inner)) = &mut m.content {
                        walk(inner, limits);
                    }
                }
                syn::Item::Struct(s) => {
                    if let Some(attrs) = limits.get(&s.ident.to_string()) {
                        s.attrs.extend(attrs.iter().cloned());
                    }
                }
                _ => {}
            }
        }
    }
    walk(&mut file.items, &limits);
}
