//! `epoint sign` / `epoint verify`: the signature debugging tools for other-language teams,
//! run as the real binary. Checked against the §6.2 S5 vector (computed with Python hashlib).

use std::process::{Command, Output};

const KEY: &str = "test_private_key";
const S5_JSON: &str = r#"{"public_key":"i000000001","transaction":"te000000001"}"#;
const S5_DATA: &str =
    "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsInRyYW5zYWN0aW9uIjoidGUwMDAwMDAwMDEifQ==";
const S5_SIGNATURE: &str = "Og6A7Ce/EWmdqTzyXTTZeypSD4E=";

fn epoint(args: &[&str], key: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_epoint"));
    cmd.args(args).env_remove("EPOINT_PRIVATE_KEY");
    if let Some(key) = key {
        cmd.env("EPOINT_PRIVATE_KEY", key);
    }
    cmd.output().expect("run epoint")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn sign_prints_data_signature_and_form_body() {
    let out = epoint(&["sign", S5_JSON], Some(KEY));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains(&format!("data={S5_DATA}\n")), "{stdout}");
    assert!(
        stdout.contains(&format!("signature={S5_SIGNATURE}\n")),
        "{stdout}"
    );
    assert!(
        stdout.contains("signature=Og6A7Ce%2FEWmdqTzyXTTZeypSD4E%3D"),
        "form body is percent-encoded: {stdout}"
    );
    assert!(!stdout.contains(KEY), "the private key is never printed");
}

#[test]
fn verify_accepts_a_good_form_and_explains_a_bad_one() {
    let good = format!(
        "data={}&signature={}",
        S5_DATA.replace('=', "%3D"),
        S5_SIGNATURE.replace('/', "%2F").replace('=', "%3D")
    );
    let out = epoint(&["verify", &good], Some(KEY));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(S5_JSON));

    let wrong_key = epoint(&["verify", &good], Some("another_key"));
    assert!(!wrong_key.status.success());
    assert!(
        text(&wrong_key.stderr).contains("does not match"),
        "{}",
        text(&wrong_key.stderr)
    );

    let hex = format!(
        "data={}&signature=6bbe8636e76a6e566d57ca85d7df6172d03e706d",
        S5_DATA.replace('=', "%3D")
    );
    let out = epoint(&["verify", &hex], Some(KEY));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("not base64 of a 20-byte SHA-1 digest"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_key_comes_only_from_the_environment() {
    let out = epoint(&["sign", "{}"], None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("EPOINT_PRIVATE_KEY is not set"));
    let out = epoint(&["sign", "not json"], Some(KEY));
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not JSON"));
}

fn form_of(data: &str, signature: &str) -> String {
    format!(
        "data={}&signature={}",
        data.replace('=', "%3D"),
        signature
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    )
}

/// The signature of `{"a":1}` under KEY contains a `+` (found by `sign`), so a form that
/// forgets to percent-encode it arrives with a space.
#[test]
fn a_plus_decoded_as_a_space_is_named() {
    let out = epoint(&["sign", r#"{"order_id":"7"}"#], Some(KEY));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // Find a payload whose signature has a `+`.
    let (data, signature) = (0..200)
        .find_map(|i| {
            let json = format!(r#"{{"order_id":"{i}"}}"#);
            let out = epoint(&["sign", &json], Some(KEY));
            let stdout = text(&out.stdout);
            let field = |name: &str| {
                stdout
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(str::to_owned)
            };
            let signature = field("signature=")?;
            signature
                .contains('+')
                .then(|| (field("data=").unwrap_or_default(), signature))
        })
        .expect("a signature with + among 200");
    assert!(!stdout.is_empty());
    // `+` left unencoded: the form decoder turns it into a space.
    let unencoded = format!(
        "data={}&signature={}",
        data.replace('=', "%3D"),
        signature.replace('/', "%2F").replace('=', "%3D")
    );
    let out = epoint(&["verify", &unencoded], Some(KEY));
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("%2B"), "{stderr}");
    // Encoded properly, the same signature verifies.
    let out = epoint(&["verify", &form_of(&data, &signature)], Some(KEY));
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn verify_speaks_of_signed_forms_and_accepts_the_json_envelope() {
    let out = epoint(
        &["verify", &form_of(S5_DATA, S5_SIGNATURE)],
        Some("another_key"),
    );
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("signed form"), "{stderr}");
    assert!(!stderr.contains("callback signature"), "{stderr}");

    let envelope = format!(r#"{{"data":"{S5_DATA}","signature":"{S5_SIGNATURE}"}}"#);
    let out = epoint(&["verify", &envelope], Some(KEY));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(S5_JSON));
}

#[test]
fn sign_reads_standard_input_byte_for_byte_and_wants_an_object() {
    use std::io::Write;
    let run_stdin = |input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_epoint"))
            .args(["sign", "-"])
            .env("EPOINT_PRIVATE_KEY", KEY)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
        child.wait_with_output().expect("run")
    };
    let with_newline = run_stdin(&format!("{S5_JSON}\n"));
    assert!(with_newline.status.success());
    let keys = epoint_az::Keys::new("i000000001", KEY);
    let expected = keys.seal_json(format!("{S5_JSON}\n").as_bytes());
    assert!(
        text(&with_newline.stdout).contains(&format!("data={}\n", expected.data)),
        "the newline is signed too: {}",
        text(&with_newline.stdout)
    );
    for not_object in ["[1,2]", "\"text\"", "42", "null"] {
        let out = epoint(&["sign", not_object], Some(KEY));
        assert!(!out.status.success(), "{not_object}");
        assert!(
            text(&out.stderr).contains("JSON object"),
            "{}",
            text(&out.stderr)
        );
    }
}

/// PHP's `base64_encode(sha1($key . $data . $key))`: base64 of the 40-character hex digest
/// (computed with Python hashlib), which `--explain` names; the private key is never printed.
#[test]
fn verify_explain_names_a_base64_hex_digest() {
    const HEX_B64: &str = "M2EwZTgwZWMyN2JmMTE2OTlkYTkzY2YyNWQzNGQ5N2IyYTUyMGY4MQ==";
    let form = form_of(S5_DATA, HEX_B64);
    let plain = epoint(&["verify", &form], Some(KEY));
    assert!(!plain.status.success());
    assert!(
        !text(&plain.stderr).contains("likely mistake"),
        "only with --explain: {}",
        text(&plain.stderr)
    );

    let out = epoint(&["verify", "--explain", &form], Some(KEY));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("likely mistake: the signature is base64 of the hex digest (PHP's sha1() without raw output)"),
        "{stderr}"
    );
    assert!(!stderr.contains(KEY) && !text(&out.stdout).contains(KEY));

    let envelope = format!(r#"{{"data":"{S5_DATA}","signature":"{HEX_B64}"}}"#);
    let out = epoint(&["verify", "--explain", &envelope], Some(KEY));
    assert!(text(&out.stderr).contains("base64 of the hex digest"));
}

/// Another merchant's key: the sandbox's seeded merchants and the candidates passed by
/// variable are tried, and the match is named by its public key alone.
#[test]
fn verify_explain_names_another_merchants_key() {
    // S5 signed with the sandbox's second seeded merchant's key (Python hashlib).
    let form = form_of(S5_DATA, "5xrrVTh4fNzIoJTkR2oGBSzxOjY=");
    let out = epoint(&["verify", "--explain", &form], Some(KEY));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("private key of merchant i000000002"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("sandbox_private_key_0000000002"),
        "{stderr}"
    );

    let candidate_signature = {
        let out = epoint(&["sign", S5_JSON], Some("old-rotated-key"));
        let stdout = text(&out.stdout);
        stdout
            .lines()
            .find_map(|l| l.strip_prefix("signature="))
            .expect("signature line")
            .to_owned()
    };
    let out = Command::new(env!("CARGO_BIN_EXE_epoint"))
        .args([
            "verify",
            "--explain",
            "--candidate-key-env",
            "OLD_KEYS",
            &form_of(S5_DATA, &candidate_signature),
        ])
        .env("EPOINT_PRIVATE_KEY", KEY)
        .env("OLD_KEYS", "i000000009:old-rotated-key")
        .output()
        .expect("run epoint");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("private key of merchant i000000009"),
        "{stderr}"
    );
    assert!(!stderr.contains("old-rotated-key"), "{stderr}");

    let out = Command::new(env!("CARGO_BIN_EXE_epoint"))
        .args([
            "verify",
            "--explain",
            "--candidate-key-env",
            "OLD_KEYS",
            &form_of(S5_DATA, S5_SIGNATURE),
        ])
        .env("EPOINT_PRIVATE_KEY", KEY)
        .env("OLD_KEYS", "no-colon-secret")
        .output()
        .expect("run epoint");
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("OLD_KEYS: the variable must hold PUBLIC_KEY:PRIVATE_KEY"),
        "{stderr}"
    );
    assert!(!stderr.contains("no-colon-secret"), "{stderr}");
}
