//! A readable snapshot of the API surface progenitor generates from `openapi/epoint.yaml`.
//!
//! `build.rs` writes the generated code to `$OUT_DIR/epoint.rs` and exports its path as
//! `EPOINT_GENERATED_RS`. This test parses that file with `syn` and lists, in
//! `tests/snapshots/generated_surface__generated_surface.snap`:
//! * every operation: method name (= operationId), HTTP method and path, payload schema
//!   (`x-epoint-payload`, from the spec), request body type and encoding, answer type (and
//!   that no operation sends progenitor's `api-version` header, which `build.rs` removes);
//! * every type in `epoint_az::types`: struct fields with their Rust types and serde renames,
//!   enum variants with their wire names, newtypes with their inner type and schema limits.
//!
//! Each route is also checked against the spec's path and method.
//! A spec edit therefore shows up as a small, reviewable diff: `cargo insta review`.

use std::{collections::BTreeMap, fmt::Write as _, fs, path::Path};

use quote::ToTokens;
use serde_json::Value;
use syn::{
    Attribute, Expr, Fields, FnArg, GenericArgument, ImplItem, Item, ItemEnum, ItemStruct,
    PathArguments, ReturnType, Type,
};

/// A type as people write it: last path segment plus generic arguments
/// (`::std::option::Option<Description>` → `Option<Description>`).
fn ty(t: &Type) -> String {
    match t {
        Type::Path(p) => {
            let seg = p.path.segments.last().expect("a path has a segment");
            let mut out = seg.ident.to_string();
            if let PathArguments::AngleBracketed(args) = &seg.arguments {
                let inner: Vec<String> = args
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        GenericArgument::Type(t) => Some(ty(t)),
                        _ => None,
                    })
                    .collect();
                if !inner.is_empty() {
                    write!(out, "<{}>", inner.join(", ")).expect("write to String");
                }
            }
            out
        }
        Type::Reference(r) => format!("&{}", ty(&r.elem)),
        Type::Tuple(t) if t.elems.is_empty() => "()".into(),
        other => other.to_token_stream().to_string(),
    }
}

/// The string literal of `key = "…"` inside `#[serde(...)]`, if any.
fn serde_value(attrs: &[Attribute], key: &str) -> Option<String> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(key) {
                let lit: syn::LitStr = meta.value()?.parse()?;
                found = Some(lit.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    found
}

fn has_serde_flag(attrs: &[Attribute], flag: &str) -> bool {
    let mut found = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(flag) {
                found = true;
            }
            if meta.input.peek(syn::Token![=]) {
                let _: Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    found
}

/// `#[schemars(extend("minLength" = 1, …))]` (added by build.rs) as `minLength=1, …`.
fn schema_limits(attrs: &[Attribute]) -> Option<String> {
    let attr = attrs.iter().find(|a| a.path().is_ident("schemars"))?;
    let text = attr
        .meta
        .require_list()
        .expect("schemars(...)")
        .tokens
        .to_string();
    let inner = text
        .strip_prefix("extend (")
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(&text);
    Some(
        inner
            .replace("\" = ", "=")
            .replace('"', "")
            .replace(" ,", ","),
    )
}

fn describe_struct(s: &ItemStruct, out: &mut String) {
    match &s.fields {
        Fields::Named(fields) => {
            writeln!(out, "  struct {}", s.ident).expect("write");
            for f in &fields.named {
                let name = f.ident.as_ref().expect("named field").to_string();
                let wire = serde_value(&f.attrs, "rename")
                    .map(|r| format!(" (wire name {r:?})"))
                    .unwrap_or_default();
                let optional = if has_serde_flag(&f.attrs, "skip_serializing_if") {
                    "  [omitted when None]"
                } else {
                    ""
                };
                writeln!(out, "    {name}: {}{wire}{optional}", ty(&f.ty)).expect("write");
            }
        }
        Fields::Unnamed(fields) => {
            let inner: Vec<String> = fields.unnamed.iter().map(|f| ty(&f.ty)).collect();
            let limits = schema_limits(&s.attrs)
                .map(|l| format!("  [{l}]"))
                .unwrap_or_default();
            writeln!(out, "  newtype {}({}){limits}", s.ident, inner.join(", ")).expect("write");
        }
        Fields::Unit => writeln!(out, "  unit {}", s.ident).expect("write"),
    }
}

fn describe_enum(e: &ItemEnum, out: &mut String) {
    let untagged = has_serde_flag(&e.attrs, "untagged");
    writeln!(
        out,
        "  enum {}{}",
        e.ident,
        if untagged { " (untagged)" } else { "" }
    )
    .expect("write");
    for v in &e.variants {
        let wire = serde_value(&v.attrs, "rename")
            .map(|r| format!(" = {r:?}"))
            .unwrap_or_default();
        let fields: Vec<String> = v.fields.iter().map(|f| ty(&f.ty)).collect();
        let fields = if fields.is_empty() {
            String::new()
        } else {
            format!("({})", fields.join(", "))
        };
        writeln!(out, "    {}{fields}{wire}", v.ident).expect("write");
    }
}

fn module<'a>(items: &'a [Item], name: &str) -> &'a [Item] {
    items
        .iter()
        .find_map(|i| match i {
            Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, c)| c.as_slice()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("generated code has no `mod {name}`"))
}

struct Operation {
    method: String,
    facts: BTreeMap<&'static str, String>,
}

/// `impl Client { pub async fn op<'a>(&'a self, body: &'a types::X) -> Result<…> { … } }`
/// (progenitor's positional interface): HTTP verb, path, body type and encoding, answer type.
fn client_operations(items: &[Item]) -> Vec<Operation> {
    let mut ops = Vec::new();
    for item in items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || ty(&imp.self_ty) != "Client" {
            continue;
        }
        for member in &imp.items {
            let ImplItem::Fn(f) = member else { continue };
            if f.sig.asyncness.is_none() || f.sig.receiver().is_none() {
                continue;
            }
            let mut facts = BTreeMap::new();
            for input in &f.sig.inputs {
                let FnArg::Typed(arg) = input else { continue };
                let name = arg.pat.to_token_stream().to_string();
                // `&'a types::SignedEnvelope` → `SignedEnvelope`; `&'a str` → `&str`.
                let t = match arg.ty.as_ref() {
                    Type::Reference(r) if matches!(r.elem.as_ref(), Type::Path(_)) => {
                        let inner = ty(&r.elem);
                        if inner == "str" {
                            "&str".to_owned()
                        } else {
                            inner
                        }
                    }
                    other => ty(other),
                };
                facts.insert(
                    "body",
                    if name == "body" {
                        t
                    } else {
                        format!("{t} (field `{name}`)")
                    },
                );
            }
            if let ReturnType::Type(_, ret) = &f.sig.output {
                facts.insert("answer", ty(ret));
            }
            let tokens = f.block.to_token_stream().to_string();
            for verb in ["get", "post", "put", "delete", "patch"] {
                if tokens.contains(&format!(". {verb} (url)")) {
                    facts.insert("http", verb.to_uppercase());
                }
            }
            if let Some(start) = tokens.find("\"{}/") {
                let rest = &tokens[start + 3..];
                let end = rest.find('"').expect("closing quote");
                facts.insert("path", rest[..end].to_owned());
            }
            let encoding = if tokens.contains("form_urlencoded") {
                "application/x-www-form-urlencoded"
            } else if tokens.contains(". json (") {
                "application/json"
            } else {
                "none"
            };
            facts.insert("encoding", encoding.to_owned());
            assert!(
                !tokens.contains("api-version"),
                "{}: sends progenitor's `api-version` header, which build.rs removes",
                f.sig.ident
            );
            ops.push(Operation {
                method: f.sig.ident.to_string(),
                facts,
            });
        }
    }
    ops
}

fn spec_payloads() -> BTreeMap<String, (String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/epoint.yaml");
    let spec: Value =
        serde_norway::from_str(&fs::read_to_string(path).expect("spec")).expect("spec YAML");
    let mut map = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (verb, op) in item.as_object().expect("path item") {
            let id = op["operationId"].as_str().expect("operationId").to_owned();
            let payload = op["x-epoint-payload"]["$ref"]
                .as_str()
                .and_then(|r| r.rsplit('/').next())
                .unwrap_or("(none)")
                .to_owned();
            map.insert(id, (format!("{} {path}", verb.to_uppercase()), payload));
        }
    }
    map
}

fn surface() -> String {
    let text = fs::read_to_string(env!("EPOINT_GENERATED_RS")).expect("generated code");
    let file = syn::parse_file(&text).expect("generated code parses");
    let spec = spec_payloads();
    let mut out = String::new();

    let ops = client_operations(&file.items);
    writeln!(out, "operations ({}):", ops.len()).expect("write");
    let mut sorted: Vec<&Operation> = ops.iter().collect();
    sorted.sort_by(|a, b| a.method.cmp(&b.method));
    for op in sorted {
        let get = |k: &str| op.facts.get(k).cloned().unwrap_or_else(|| "?".into());
        let (spec_route, payload) = spec
            .get(&op.method)
            .cloned()
            .unwrap_or_else(|| ("(not in spec)".into(), "(not in spec)".into()));
        let route = format!("{} {}", get("http"), get("path"));
        // Path parameters (`{order_id}`) appear as `{}` in the generated `format!`.
        let spec_route: String = spec_route
            .split('/')
            .map(|seg| if seg.starts_with('{') { "{}" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        assert_eq!(route, spec_route, "{}: generated route vs spec", op.method);
        writeln!(out, "  {}  {route}", op.method).expect("write");
        writeln!(
            out,
            "    payload: {payload}  (x-epoint-payload, sent base64 in `data`)"
        )
        .expect("write");
        writeln!(out, "    body:    {}  as {}", get("body"), get("encoding")).expect("write");
        writeln!(out, "    answer:  {}", get("answer")).expect("write");
    }
    let in_spec: Vec<&String> = spec
        .keys()
        .filter(|id| !ops.iter().any(|o| &o.method == *id))
        .collect();
    assert!(
        in_spec.is_empty(),
        "operations without a generated method: {in_spec:?}"
    );

    let types = module(&file.items, "types");
    let mut entries: Vec<(String, String)> = Vec::new();
    for item in types {
        let mut one = String::new();
        let name = match item {
            Item::Struct(s) => {
                describe_struct(s, &mut one);
                s.ident.to_string()
            }
            Item::Enum(e) => {
                describe_enum(e, &mut one);
                e.ident.to_string()
            }
            _ => continue,
        };
        entries.push((name, one));
    }
    entries.sort();
    writeln!(out, "\ntypes ({}):", entries.len()).expect("write");
    for (_, one) in entries {
        out.push_str(&one);
    }
    out
}

#[test]
fn generated_surface() {
    insta::assert_snapshot!(surface());
}
