//! Generates the typed EPoint client from `openapi/epoint.yaml` with progenitor.
//!
//! Editing the spec and running `cargo build` is the whole regenerate step: the output goes to
//! `$OUT_DIR/epoint.rs` and is included by `src/generated.rs`. Only the spec and this file
//! trigger a rerun, so editing `src/` never regenerates.

use std::{env, fs, path::Path};

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};

const SPEC: &str = "openapi/epoint.yaml";

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");

    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by cargo");
    let spec_path = Path::new(&manifest_dir).join(SPEC);
    let text = fs::read_to_string(&spec_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", spec_path.display()));
    let yaml: serde_json::Value =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{SPEC} is not valid YAML: {e}"));
    let spec: openapiv3::OpenAPI = serde_json::from_value(yaml.clone())
        .unwrap_or_else(|e| panic!("{SPEC} is not an OpenAPI 3.0 document: {e}"));

    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
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
        .with_derive("PartialEq")
        .with_derive("::schemars::JsonSchema");

    let tokens = Generator::new(&settings)
        .generate_tokens(&spec)
        .unwrap_or_else(|e| panic!("progenitor could not generate {SPEC}: {e}"));
    let mut file: syn::File = syn::parse2(tokens).expect("progenitor emits valid Rust");
    carry_schema_limits(&yaml, &mut file);
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("epoint.rs");
    fs::write(&out, prettyplease::unparse(&file))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
    // For tests/generated_surface.rs, which snapshots the generated API surface.
    println!("cargo:rustc-env=EPOINT_GENERATED_RS={}", out.display());
}

/// Copies each named component's validation keywords (`minLength`, `maxLength`, `pattern`,
/// `minimum`, `maximum`) into the JSON Schema of the newtype generated for it, so that
/// `schemars::schema_for!` tells users the same limits as the spec (tests/schema_contract.rs
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
