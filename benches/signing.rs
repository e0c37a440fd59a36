//! What the signing layer costs next to the HTTP call it wraps, as ratios from one run
//! (2-core machines are noisy: compare the ratios, not the absolute numbers).
//!
//! `cargo bench --bench signing`
//!
//! With `EPOINT_BENCH_JSON=path` the numbers (nanoseconds per call, as floats) are also
//! written to `path` as JSON:
//!
//! ```text
//! {"sign_ns": …, "seal_ns": …, "preview_ns": …, "verify_callback_ns": …, "callback_fields": 13,
//!  "verify_vs_size": [{"bytes": 1024, "body_bytes": …, "verify_ns": …, "verify_callback_ns": … or null}, …]}
//! ```
//!
//! `verify_vs_size` sweeps the form body from 1 KiB to 1 MiB (a 13-field callback whose
//! `message` is padded): `verify_ns` is `Keys::verify(data, signature)` alone, and
//! `verify_callback_ns` the whole `Keys::verify_callback(body)`, `null` where the body is over
//! `MAX_CALLBACK_BODY` and so refused.

#[path = "../tests/capture/mod.rs"]
mod capture;

use std::{
    hint::black_box,
    time::{Duration, Instant},
};

use epoint_az::{
    Client, Config, Keys, callback::MAX_CALLBACK_BODY, generated::types::SignedEnvelope,
    signing::form_body,
};
use rust_decimal_macros::dec;

/// Runs `f` for about `budget` in 7 rounds (after a short warm-up) and returns the median of
/// the rounds' mean time per call, in nanoseconds: a round disturbed by another process on a
/// shared machine does not move the result.
fn measure(budget: Duration, mut f: impl FnMut()) -> f64 {
    const ROUNDS: usize = 7;
    let round = |budget: Duration, f: &mut dyn FnMut()| {
        let started = Instant::now();
        let mut n: u32 = 0;
        while started.elapsed() < budget || n < 5 {
            f();
            n += 1;
        }
        started.elapsed().as_secs_f64() * 1e9 / f64::from(n)
    };
    round(budget / 10, &mut f);
    let mut means: Vec<f64> = (0..ROUNDS)
        .map(|_| round(budget / ROUNDS as u32, &mut f))
        .collect();
    means.sort_by(f64::total_cmp);
    means[ROUNDS / 2]
}

/// A 13-field callback as EPoint sends it after a successful payment (the fields of
/// `CallbackPayload` in `openapi/epoint.yaml`), with `message` padded by `pad` characters.
fn callback_payload(pad: usize) -> serde_json::Value {
    let mut message = String::from("Approved");
    if pad > 0 {
        message.push(' ');
        message.extend(std::iter::repeat_n('a', pad));
    }
    serde_json::json!({
        "order_id": "order-1001",
        "status": "success",
        "code": "000",
        "message": message,
        "transaction": "te000000001",
        "bank_transaction": "BT2024061500123",
        "bank_response": "APPROVED",
        "operation_code": "100",
        "rrn": "123456789012",
        "card_name": "TEST CARDHOLDER",
        "card_mask": "411111******1111",
        "amount": 30.75,
        "other_attr": {"customer_id": "42", "basket": "2 coffees"}
    })
}

/// The signed envelope and form body of the callback whose body is the longest not over `target`.
fn callback_of_size(keys: &Keys, target: usize) -> (SignedEnvelope, String) {
    let build = |pad: usize| {
        let envelope = keys.seal(&callback_payload(pad)).expect("seal");
        let body = form_body(&envelope);
        (envelope, body)
    };
    let base = build(0).1.len();
    let mut pad = target.saturating_sub(base) * 3 / 4;
    while pad > 0 && build(pad).1.len() > target {
        pad -= 1;
    }
    while build(pad + 1).1.len() <= target {
        pad += 1;
    }
    build(pad)
}

fn ns(value: f64) -> String {
    if value >= 1e6 {
        format!("{:>9.2} ms", value / 1e6)
    } else if value >= 1e3 {
        format!("{:>9.2} µs", value / 1e3)
    } else {
        format!("{:>9.1} ns", value)
    }
}

fn main() {
    let budget = Duration::from_millis(700);
    let keys = Keys::new("i000000001", "bench_private_key_0123456789abcdef");
    let client = Client::new(Config::new(
        "i000000001",
        "bench_private_key_0123456789abcdef",
    ))
    .expect("client");

    let preview = measure(budget, || {
        black_box(
            client
                .pay(dec!(30.75), "order-1001")
                .description("Ödəniş for 2 coffees")
                .preview()
                .expect("preview"),
        );
    });
    let payload = client
        .pay(dec!(30.75), "order-1001")
        .payload()
        .expect("payload")
        .clone();
    let seal = measure(budget, || {
        black_box(keys.seal(black_box(&payload)).expect("seal"));
    });
    let envelope = keys.seal(&payload).expect("seal");
    let sign = measure(budget, || {
        black_box(keys.sign(black_box(&envelope.data)));
    });
    let callback_json = callback_payload(0);
    let callback_fields = callback_json.as_object().expect("object").len();
    let callback = keys.sign_callback(&callback_json).expect("callback");
    let verify = measure(budget, || {
        black_box(
            keys.verify_callback(black_box(callback.as_bytes()))
                .expect("verify"),
        );
    });

    let sweep_budget = Duration::from_millis(350);
    let sweep: Vec<(usize, usize, f64, Option<f64>)> = [1, 4, 16, 64, 256, 1024]
        .into_iter()
        .map(|kib| {
            let target = kib * 1024;
            let (envelope, body) = callback_of_size(&keys, target);
            let verify = measure(sweep_budget, || {
                keys.verify(black_box(&envelope.data), black_box(&envelope.signature))
                    .expect("verify");
            });
            let verify_callback = (body.len() <= MAX_CALLBACK_BODY).then(|| {
                measure(sweep_budget, || {
                    black_box(
                        keys.verify_callback(black_box(body.as_bytes()))
                            .expect("verify_callback"),
                    );
                })
            });
            (target, body.len(), verify, verify_callback)
        })
        .collect();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let round_trip = runtime.block_on(async {
        let server = capture::CaptureServer::start(capture::Reply::json(serde_json::json!({
            "status": "success", "transaction": "te000000001", "redirect_url": "http://127.0.0.1/pay"
        })))
        .await;
        let client = Client::new(
            Config::new("i000000001", "bench_private_key_0123456789abcdef").base_url(server.base_url()),
        )
        .expect("client");
        let started = Instant::now();
        let mut n = 0u32;
        while started.elapsed() < budget || n < 10 {
            client.pay(dec!(30.75), "order-1001").await.expect("pay");
            n += 1;
        }
        started.elapsed().as_secs_f64() * 1e9 / f64::from(n)
    });

    let pct = |part: f64| 100.0 * part / round_trip;
    println!("epoint signing layer, one run (median of 7 rounds, mean per call):");
    println!("  sign(data)                   {}", ns(sign));
    println!("  seal(payment payload)        {}", ns(seal));
    println!(
        "  pay(..).preview()            {}  (validate + serialise + sign + form)",
        ns(preview)
    );
    println!(
        "  verify_callback(form body)   {}  ({callback_fields}-field callback, {} bytes)",
        ns(verify),
        callback.len()
    );
    println!(
        "  pay(..).await over loopback  {}  (new connection per call)",
        ns(round_trip)
    );
    println!("ratios:");
    println!("  preview / loopback call      {:>9.2}%", pct(preview));
    println!("  verify_callback / loopback   {:>9.2}%", pct(verify));
    println!("  seal / sign                  {:>9.2}x", seal / sign);
    println!("  preview / sign               {:>9.2}x", preview / sign);
    println!("  verify_callback / sign       {:>9.2}x", verify / sign);
    println!("verification vs body size (limit {MAX_CALLBACK_BODY} bytes for verify_callback):");
    println!(
        "  {:>9}  {:>12}  {:>12}  {:>10}",
        "body", "verify", "verify_callback", "ns/byte"
    );
    for (_, bytes, verify, verify_callback) in &sweep {
        let callback = verify_callback.map_or_else(
            || format!("{:>15}", "refused"),
            |v| format!("{:>15}", ns(v)),
        );
        println!(
            "  {bytes:>9}  {}  {callback}  {:>10.3}",
            ns(*verify),
            verify / *bytes as f64
        );
    }

    if let Some(path) = std::env::var_os("EPOINT_BENCH_JSON") {
        let report = serde_json::json!({
            "sign_ns": sign,
            "seal_ns": seal,
            "preview_ns": preview,
            "verify_callback_ns": verify,
            "callback_fields": callback_fields,
            "loopback_call_ns": round_trip,
            "verify_vs_size": sweep.iter().map(|(target, bytes, verify, verify_callback)| serde_json::json!({
                "bytes": target,
                "body_bytes": bytes,
                "verify_ns": verify,
                "verify_callback_ns": verify_callback,
            })).collect::<Vec<_>>(),
        });
        let text = serde_json::to_string_pretty(&report).expect("json");
        std::fs::write(&path, text + "\n").expect("write EPOINT_BENCH_JSON");
        println!("wrote {}", path.to_string_lossy());
    }
}
