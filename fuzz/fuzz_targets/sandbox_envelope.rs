//! The sandbox's envelope parsing on any bytes: the form body and the JSON envelope, then
//! decoding `data` as the sandbox does. Must never panic or overflow the stack.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    for is_json in [false, true] {
        if let Ok((data, _signature, _kind)) =
            epoint_az_sandbox::parse_envelope_for_fuzzing(is_json, body)
        {
            let _ = epoint_az::signing::decode_data::<serde_json::Value>(&data);
        }
    }
});
