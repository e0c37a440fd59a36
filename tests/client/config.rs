//! Configuration from explicit values or the environment, tested through an injected lookup
//! (the process environment is never mutated).

use std::collections::HashMap;

use epoint_az::{Client, Config, ConfigError, Language};

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn missing_keys_name_the_variable() {
    let err = Config::from_lookup(lookup(&[])).expect_err("missing");
    assert!(matches!(
        err,
        ConfigError::Missing {
            variable: "EPOINT_PUBLIC_KEY",
            ..
        }
    ));
    let err =
        Config::from_lookup(lookup(&[("EPOINT_PUBLIC_KEY", "i000000001")])).expect_err("missing");
    assert!(matches!(
        err,
        ConfigError::Missing {
            variable: "EPOINT_PRIVATE_KEY",
            ..
        }
    ));
    assert!(err.to_string().starts_with("EPOINT_PRIVATE_KEY is not set"));
    let err = Config::from_lookup(lookup(&[
        ("EPOINT_PUBLIC_KEY", "  "),
        ("EPOINT_PRIVATE_KEY", "k"),
    ]))
    .expect_err("a blank key is refused");
    assert!(matches!(
        err,
        ConfigError::Empty {
            variable: "EPOINT_PUBLIC_KEY",
            ..
        }
    ));
    // Set but empty (`EPOINT_PRIVATE_KEY=`) is not "not set": the message says which it is.
    let err = Config::from_lookup(lookup(&[
        ("EPOINT_PUBLIC_KEY", "i000000001"),
        ("EPOINT_PRIVATE_KEY", ""),
    ]))
    .expect_err("an empty key is refused");
    assert_eq!(err.variable(), "EPOINT_PRIVATE_KEY");
    assert!(
        err.to_string()
            .starts_with("EPOINT_PRIVATE_KEY is set but empty"),
        "{err}"
    );
    assert!(!err.to_string().contains("not set"), "{err}");
    // An empty key given in code is refused the same way.
    let err = Client::new(Config::new("i000000001", "")).expect_err("empty key");
    assert!(matches!(
        err,
        ConfigError::Empty {
            variable: "EPOINT_PRIVATE_KEY",
            ..
        }
    ));
}

#[test]
fn defaults_and_overrides() {
    let config = Config::from_lookup(lookup(&[
        ("EPOINT_PUBLIC_KEY", "i000000001"),
        ("EPOINT_PRIVATE_KEY", "k"),
    ]))
    .expect("config");
    assert_eq!(config.get_language(), Language::Az);
    assert_eq!(config.get_base_url(), "https://epoint.az");

    let config = Config::from_lookup(lookup(&[
        ("EPOINT_PUBLIC_KEY", "i000000001"),
        ("EPOINT_PRIVATE_KEY", "k"),
        ("EPOINT_INTERFACE_LANG", "ru"),
        ("EPOINT_SUCCESS_REDIRECT_URL", "https://shop.example/ok"),
        ("EPOINT_FAILED_REDIRECT_URL", "https://shop.example/failed"),
        ("EPOINT_BASE_URL", "http://127.0.0.1:9999"),
    ]))
    .expect("config");
    assert_eq!(config.get_language(), Language::Ru);
    assert_eq!(config.get_base_url(), "http://127.0.0.1:9999");
    let client = Client::new(config).expect("client");
    let preview = client
        .pay(rust_decimal::Decimal::ONE, "o")
        .preview()
        .expect("preview");
    assert_eq!(preview.url, "http://127.0.0.1:9999/api/1/request");
    assert_eq!(preview.payload["language"], "ru");
    assert_eq!(
        preview.payload["success_redirect_url"],
        "https://shop.example/ok"
    );
    assert_eq!(
        preview.payload["error_redirect_url"],
        "https://shop.example/failed"
    );
}

#[test]
fn invalid_values_are_reported_with_their_variable() {
    let base = [
        ("EPOINT_PUBLIC_KEY", "i000000001"),
        ("EPOINT_PRIVATE_KEY", "k"),
    ];
    for (var, value) in [
        ("EPOINT_INTERFACE_LANG", "de"),
        ("EPOINT_BASE_URL", "epoint.az"),
        ("EPOINT_SUCCESS_REDIRECT_URL", "javascript:alert(1)"),
        ("EPOINT_FAILED_REDIRECT_URL", "/relative"),
    ] {
        let mut vars = base.to_vec();
        vars.push((var, value));
        match Config::from_lookup(lookup(&vars)) {
            Err(ConfigError::Invalid { variable, reason }) => {
                assert_eq!(variable, var);
                assert!(
                    reason.contains(value)
                        || var == "EPOINT_INTERFACE_LANG" && reason.contains("de"),
                    "{reason}"
                );
            }
            other => panic!("{var}={value}: expected Invalid, got {other:?}"),
        }
    }
}

#[test]
fn explicit_config_is_validated_by_the_client() {
    let err = Client::new(Config::new("i1", "k").base_url("not a url")).expect_err("invalid");
    assert!(matches!(
        err,
        ConfigError::Invalid {
            variable: "EPOINT_BASE_URL",
            ..
        }
    ));
    assert!(!format!("{err:?}").contains("\"k\""));
}

#[test]
fn a_trailing_slash_on_the_base_url_is_harmless() {
    let client =
        Client::new(Config::new("i1", "k").base_url("http://127.0.0.1:1/")).expect("client");
    let preview = client.refund("te1").preview().expect("preview");
    assert_eq!(preview.url, "http://127.0.0.1:1/api/1/reverse");
}
