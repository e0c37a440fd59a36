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
    let spec: openapiv3::OpenAPI = serde_json::from_value(yaml)
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
        .with_derive("PartialEq")
        .with_derive("::schemars::JsonSchema");

    let tokens = Generator::new(&settings)
        .generate_tokens(&spec)
        .unwrap_or_else(|e| panic!("progenitor could not generate {SPEC}: {e}"));
    let file: syn::File = syn::parse2(tokens).expect("progenitor emits valid Rust");
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("epoint.rs");
    fs::write(&out, prettyplease::unparse(&file))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
