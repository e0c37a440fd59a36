//! `examples/axum_shop.rs` end to end, in process: its `run()` starts the sandbox and the
//! shop, checks out over HTTP, completes on the sandbox (the signed callback reaches the
//! shop's `EpointCallback` route), replays the callback, and fails at the first surprise.

#[allow(dead_code)] // the example's `main` and live mode are not used here
#[path = "../examples/axum_shop.rs"]
mod axum_shop;

use axum_shop::{Shop, post_checkout, router};
use epoint_az::sandbox::Sandbox;
use serde_json::json;

#[tokio::test]
async fn the_axum_shop_example_runs_end_to_end() {
    let summary = axum_shop::run().await.expect("the example's run");
    assert_eq!(summary.paid["order"]["state"], "paid");
    assert_eq!(
        summary.paid["order"]["callbacks"], 2,
        "the replay is counted"
    );
    assert_eq!(summary.paid["epoint_status"], "success");
    assert_eq!(summary.declined["order"]["state"], "declined");
    assert_eq!(summary.declined["order"]["code"], "116");
    assert_eq!(summary.declined["epoint_status"], "error");
}

/// The shop's callback route refuses a forged callback (401) and the order stays pending.
#[tokio::test]
async fn the_shop_refuses_a_forged_callback() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let shop = format!("http://{}", listener.local_addr().expect("addr"));
    let app = router(Shop::new(sandbox.client().expect("client")));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = epoint_az::http_client_builder()
        .expect("tls")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");

    let checkout = post_checkout(&http, &shop, "o-forged", "5.00")
        .await
        .expect("checkout");
    assert_eq!(checkout.status(), 303);
    let order: serde_json::Value = http
        .get(format!("{shop}/orders/o-forged"))
        .send()
        .await
        .expect("order")
        .json()
        .await
        .expect("json");
    let transaction = order["order"]["transaction"].as_str().expect("transaction");

    let forged = epoint_az::Keys::new("i000000001", "not the merchant's key")
        .sign_callback(&json!({"status": "success", "code": "000", "transaction": transaction, "order_id": "o-forged"}))
        .expect("sign");
    let answer = http
        .post(format!("{shop}/epoint/result"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(forged)
        .send()
        .await
        .expect("callback");
    assert_eq!(answer.status(), 401);

    let order: serde_json::Value = http
        .get(format!("{shop}/orders/o-forged"))
        .send()
        .await
        .expect("order")
        .json()
        .await
        .expect("json");
    assert_eq!(order["order"]["state"], "pending");
    assert_eq!(order["order"]["callbacks"], 0);
    assert_eq!(order["epoint_status"], "new");

    let again = post_checkout(&http, &shop, "o-forged", "5.00")
        .await
        .expect("checkout");
    assert_eq!(again.status(), 409, "an order is checked out once");
}
