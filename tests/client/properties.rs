//! Property tests of the guarantees: sealing and opening round-trip, any change to `data`,
//! `signature` or the key is refused, the verifier never panics on any bytes, and money text
//! round-trips and is read only in the wire's shape. Case counts are modest (CI runs this in
//! a few seconds); `PROPTEST_CASES=100000 cargo test --test properties` runs a long campaign.

use epoint_az::{AmountError, CallbackError, Decimal, Keys, Money, SignatureError};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A JSON object of strings, integers, booleans and nulls (what payloads and callbacks are).
fn payload() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<String>().prop_map(Value::String),
        any::<i64>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    prop::collection::btree_map("[a-z_]{1,12}", leaf, 0..8)
        .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>()))
}

fn private_key() -> impl Strategy<Value = String> {
    "[!-~]{1,48}"
}

/// The spec's `Money` string pattern, with the optional `-` allowed when reading.
fn matches_wire_shape(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

/// `^[0-9]+(\.[0-9]{1,2})?$`, exactly.
fn matches_spec_pattern(text: &str) -> bool {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction
            .is_none_or(|f| (1..=2).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()))
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn seal_then_open_round_trips(payload in payload(), key in private_key()) {
        let keys = Keys::new("i000000001", key);
        let envelope = keys.seal(&payload).expect("seal");
        let opened: Value = keys.open(&envelope.data, &envelope.signature).expect("open");
        prop_assert_eq!(&opened, &payload);
        // And as a callback form body.
        let body = keys.sign_callback(&payload).expect("sign");
        let verified = keys.verify_form(body.as_bytes()).expect("verify");
        prop_assert_eq!(verified.json(), serde_json::to_string(&payload).expect("json"));
    }

    #[test]
    fn any_change_to_data_signature_or_key_is_refused(
        payload in payload(),
        key in private_key(),
        other_key in private_key(),
        position in any::<prop::sample::Index>(),
        replacement in "[A-Za-z0-9+/=]",
    ) {
        let keys = Keys::new("i000000001", key.clone());
        let envelope = keys.seal(&payload).expect("seal");
        let change = |text: &str| {
            let mut chars: Vec<char> = text.chars().collect();
            let i = position.index(chars.len());
            let new = replacement.chars().next().unwrap_or('A');
            chars[i] = if chars[i] == new { if new == 'A' { 'B' } else { 'A' } } else { new };
            chars.into_iter().collect::<String>()
        };
        let data = change(&envelope.data);
        prop_assert!(keys.verify(&data, &envelope.signature).is_err());
        let signature = change(&envelope.signature);
        prop_assert!(keys.verify(&envelope.data, &signature).is_err());
        if other_key != key {
            let other = Keys::new("i000000001", other_key);
            prop_assert_eq!(other.verify(&envelope.data, &envelope.signature), Err(SignatureError::Mismatch));
        }
    }

    /// `explain_mismatch` explains nothing for a valid signature, names a one-sided key for
    /// any payload and key, and never panics on arbitrary text.
    #[test]
    fn explain_mismatch_is_total_and_names_what_it_was_given(
        payload in payload(),
        key in private_key(),
        junk in "\\PC{0,80}",
    ) {
        use epoint_az::signing::{KeySide, SignatureMistake, explain_mismatch};
        use base64::Engine;
        use sha1::Digest;
        let keys = Keys::new("i000000001", key.clone());
        let envelope = keys.seal(&payload).expect("seal");
        prop_assert_eq!(explain_mismatch(&envelope.data, &envelope.signature, &keys, &[]), None);
        let one_sided = base64::engine::general_purpose::STANDARD
            .encode(sha1::Sha1::digest(format!("{}{key}", envelope.data)));
        let mistake = explain_mismatch(&envelope.data, &one_sided, &keys, &[]);
        prop_assert_eq!(&mistake, &Some(SignatureMistake::KeyOnOneSide { side: KeySide::After }));
        let _ = explain_mismatch(&junk, &junk, &keys, &[&keys]);
        let _ = explain_mismatch(&envelope.data, &junk, &keys, &[]);
    }

    #[test]
    fn the_verifier_never_panics_on_arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..2048)) {
        let keys = Keys::new("i000000001", "k");
        let _ = keys.verify_callback(&body);
        let _ = keys.verify_form(&body);
        if let Ok(text) = std::str::from_utf8(&body) {
            let _ = keys.verify_callback_fields(text, text);
        }
    }

    #[test]
    fn the_verifier_never_panics_on_mutated_valid_bodies(
        payload in payload(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3_u8), 1..8),
    ) {
        let keys = Keys::new("i000000001", "k");
        let mut body = keys.sign_callback(&payload).expect("sign").into_bytes();
        for (at, byte, kind) in edits {
            if body.is_empty() {
                body.push(byte);
                continue;
            }
            let i = at.index(body.len());
            match kind {
                0 => body[i] = byte,
                1 => body.insert(i, byte),
                _ => { body.remove(i); }
            }
        }
        // Whatever it is, the answer is a typed result; an accepted body is authentic.
        if let Ok(verified) = keys.verify_form(&body) {
            prop_assert!(keys.verify(verified.data(), &keys.sign(verified.data())).is_ok());
        }
        let _ = keys.verify_callback(&body);
    }

    #[test]
    fn money_prints_and_parses_back(cents in 1_i64..=100_000_000_000, scale in 0_u32..=2) {
        let amount = Decimal::new(cents, 2) .round_dp(scale);
        prop_assume!(amount > Decimal::ZERO);
        let money = Money::new(amount).expect("valid");
        let text = money.to_string();
        prop_assert!(matches_spec_pattern(&text), "{text}");
        prop_assert_eq!(text.parse::<Money>().expect("parse"), money);
        let json = serde_json::to_string(&money).expect("json");
        prop_assert_eq!(serde_json::from_str::<Money>(&json).expect("read"), money);
    }

    #[test]
    fn money_text_is_read_only_in_the_wire_shape(text in "[-+0-9._eE ,x]{0,14}") {
        match text.parse::<Money>() {
            Ok(money) => {
                prop_assert!(matches_wire_shape(&text), "accepted {text:?}");
                // A Money is always sendable, and printed in the spec's pattern.
                prop_assert_eq!(Money::new(money.amount()), Ok(money));
                prop_assert!(matches_spec_pattern(&money.to_string()));
            }
            Err(AmountError::NotDecimal) => {
                prop_assert!(!matches_wire_shape(&text) || text.len() > 28, "refused {text:?}");
            }
            Err(e) => {
                // Well-formed, outside the contract: refused for the reason Money::new gives.
                prop_assert!(matches_wire_shape(&text), "{text:?}");
                let amount = text.parse::<Decimal>().expect("a wire decimal is a Decimal");
                prop_assert_eq!(Money::new(amount), Err(e));
            }
        }
    }

    #[test]
    fn money_never_accepts_what_the_pattern_refuses_for_sending(text in "-?[0-9]{1,12}(\\.[0-9]{0,4})?") {
        let sendable = text.parse::<Money>().ok().and_then(|m| Money::new(m.amount()).ok());
        if let Some(money) = sendable {
            // Accepted for sending: positive, at most Money::MAX, and printed in the pattern.
            prop_assert!(money.amount() > Decimal::ZERO && money.amount() <= Money::MAX);
            prop_assert!(matches_spec_pattern(&money.to_string()));
        }
        if matches_spec_pattern(&text) {
            let decimal = text.parse::<Decimal>().expect("decimal");
            match text.parse::<Money>() {
                Ok(value) => prop_assert_eq!(value.amount(), decimal),
                // The pattern alone allows zero and amounts past Money::MAX; the spec's
                // description and Money do not.
                Err(e) => prop_assert!(
                    decimal <= Decimal::ZERO || decimal > Money::MAX,
                    "{text:?} refused: {e}"
                ),
            }
        }
    }
}

#[test]
fn the_depth_and_size_bounds_are_typed_errors() {
    let keys = Keys::new("i000000001", "k");
    let deep = format!("{}{}", "[".repeat(64), "]".repeat(64));
    let body = epoint_az::signing::form_body(&keys.seal_json(deep.as_bytes()));
    assert!(matches!(
        keys.verify_form(body.as_bytes()),
        Err(CallbackError::TooDeep { .. })
    ));
}
