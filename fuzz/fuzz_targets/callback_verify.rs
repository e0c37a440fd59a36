//! Callback verification on any bytes: `verify_callback` / `verify_form` over the body, and
//! `verify_callback_fields` over its two halves. Must never panic, overflow the stack or take
//! more than linear time; an accepted body must be authentic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let keys = epoint_az::Keys::new("i000000001", "sandbox_private_key_0000000001");
    let _ = keys.verify_callback(body);
    if let Ok(verified) = keys.verify_form(body) {
        assert_eq!(keys.sign(verified.data()).len(), 28);
        assert!(verified.json().trim_start().starts_with('{'));
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let (data, signature) = text.split_once('&').unwrap_or((text, ""));
        let _ = keys.verify_callback_fields(data, signature);
    }
});
