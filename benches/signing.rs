//! What the signing layer costs next to the HTTP call it wraps, as ratios from one run
//! (2-core machines are noisy: compare the ratios, not the absolute numbers).
//!
//! `cargo bench --bench signing`

#[path = "../tests/capture/mod.rs"]
mod capture;

use std::{
    hint::black_box,
    time::{Duration, Instant},
};

use epoint::{Client, Config, Keys};
use rust_decimal_macros::dec;

/// Runs `f` repeatedly for about `budget` and returns the mean time per call.
fn measure(budget: Duration, mut f: impl FnMut()) -> Duration {
    let started = Instant::now();
    let mut n: u32 = 0;
    while started.elapsed() < budget || n < 10 {
        f();
        n += 1;
    }
    started.elapsed() / n
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
    let callback = keys
        .sign_callback(&serde_json::json!({
            "order_id": "order-1001", "status": "success", "code": "000", "message": "Approved",
            "transaction": "te000000001", "operation_code": "100", "rrn": "123456789012",
            "card_mask": "411111******1111", "amount": 30.75
        }))
        .expect("callback");
    let verify = measure(budget, || {
        black_box(
            keys.verify_callback(black_box(callback.as_bytes()))
                .expect("verify"),
        );
    });

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
        started.elapsed() / n
    });

    let pct = |part: Duration| 100.0 * part.as_secs_f64() / round_trip.as_secs_f64();
    println!("epoint signing layer, one run (mean per call):");
    println!("  sign(data)                   {:>10.2?}", sign);
    println!("  seal(payment payload)        {:>10.2?}", seal);
    println!(
        "  pay(..).preview()            {:>10.2?}  (validate + serialise + sign + form)",
        preview
    );
    println!("  verify_callback(form body)   {:>10.2?}", verify);
    println!(
        "  pay(..).await over loopback  {:>10.2?}  (new connection per call)",
        round_trip
    );
    println!("ratios:");
    println!("  preview / loopback call      {:>9.2}%", pct(preview));
    println!("  verify_callback / loopback   {:>9.2}%", pct(verify));
    println!(
        "  seal / sign                  {:>9.2}x",
        seal.as_secs_f64() / sign.as_secs_f64()
    );
}
