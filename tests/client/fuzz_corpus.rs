//! The fuzz targets' functions on stable Rust: every committed corpus file (`fuzz/corpus/`)
//! must give the typed result its name announces (`<expected>__<what>.txt`), without a panic;
//! then a proptest campaign of random mutations of those files (`FUZZ_CASES=N` for longer).

use std::path::{Path, PathBuf};

use epoint_az::{CallbackError, Keys, SignatureError};
use epoint_az_sandbox::parse_envelope_for_fuzzing;
use proptest::prelude::*;

fn keys() -> Keys {
    Keys::new("i000000001", "sandbox_private_key_0000000001")
}

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{}: the corpus is there", dir.display());
    files
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("name")
                .to_owned();
            (name, std::fs::read(&path).expect("read"))
        })
        .collect()
}

/// What the callback target does (fuzz/fuzz_targets/callback_verify.rs), returning the result.
fn callback_verify(body: &[u8]) -> Result<(), CallbackError> {
    let keys = keys();
    let callback = keys.verify_callback(body);
    let form = keys.verify_form(body);
    if let Ok(verified) = &form {
        assert_eq!(keys.sign(verified.data()).len(), 28);
        assert!(verified.json().trim_start().starts_with('{'));
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let (data, signature) = text.split_once('&').unwrap_or((text, ""));
        let _ = keys.verify_callback_fields(data, signature);
    }
    // verify_callback is verify_form, then parse: a form error is the callback's error.
    form?;
    callback.map(drop)
}

/// What the sandbox target does (fuzz/fuzz_targets/sandbox_envelope.rs): (form, json) results.
fn sandbox_envelope(body: &[u8]) -> [Result<(), String>; 2] {
    [false, true].map(|is_json| {
        parse_envelope_for_fuzzing(is_json, body).map(|(data, _, _)| {
            let _ = epoint_az::signing::decode_data::<serde_json::Value>(&data);
        })
    })
}

fn expected(name: &str, result: &Result<(), CallbackError>) -> bool {
    use CallbackError as E;
    let prefix = name.split("__").next().unwrap_or_default();
    match prefix {
        "ok" => result.is_ok(),
        "any" => true,
        "too_deep" => matches!(result, Err(E::TooDeep { limit: 32 })),
        "too_large" => matches!(result, Err(E::BodyTooLarge { .. })),
        "malformed" => matches!(
            result,
            Err(E::Signature(SignatureError::MalformedSignature { .. }))
        ),
        "mismatch" => matches!(result, Err(E::Signature(SignatureError::Mismatch))),
        "empty_data" => matches!(result, Err(E::Signature(SignatureError::EmptyData))),
        "missing" => matches!(result, Err(E::MissingField(_))),
        "duplicate" => matches!(result, Err(E::DuplicateField(_))),
        "not_a_form" => matches!(result, Err(E::NotAForm(_))),
        "decode" => matches!(result, Err(E::Decode(_))),
        other => panic!("{name}: unknown expectation {other:?}"),
    }
}

#[test]
fn every_callback_corpus_file_gives_its_typed_result() {
    let mut wrong = Vec::new();
    for (name, body) in corpus("callback_verify") {
        let result = callback_verify(&body);
        if !expected(&name, &result) {
            wrong.push(format!("{name}: {result:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_envelope_corpus_file_gives_its_typed_result() {
    let mut wrong = Vec::new();
    for (name, body) in corpus("sandbox_envelope") {
        let [form, json] = sandbox_envelope(&body);
        let ok = match name.split("__").next().unwrap_or_default() {
            "form_ok" => form.is_ok(),
            "json_ok" => json.is_ok(),
            "err" => form.is_err() && json.is_err(),
            other => panic!("{name}: unknown expectation {other:?}"),
        };
        if !ok {
            wrong.push(format!("{name}: form {form:?}, json {json:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(300)
}

/// One corpus file (of both targets), mutated: bytes replaced, inserted, removed, cut.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let mut files: Vec<Vec<u8>> = corpus("callback_verify")
        .into_iter()
        .chain(corpus("sandbox_envelope"))
        .map(|(_, body)| body)
        .collect();
    files.sort();
    (
        prop::sample::select(files),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..4_u8), 0..16),
    )
        .prop_map(|(mut body, edits)| {
            for (at, byte, kind) in edits {
                if body.is_empty() {
                    body.push(byte);
                    continue;
                }
                let i = at.index(body.len());
                match kind {
                    0 => body[i] = byte,
                    1 => body.insert(i, byte),
                    2 => {
                        body.remove(i);
                    }
                    _ => body.truncate(i),
                }
            }
            body
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_corpus_files_never_panic(body in mutated()) {
        let result = callback_verify(&body);
        // Anything accepted is authentic: its signature is the key's over its data.
        if result.is_ok() {
            prop_assert!(keys().verify_form(&body).is_ok());
        }
        let _ = sandbox_envelope(&body);
    }
}
