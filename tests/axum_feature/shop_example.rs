//! `examples/axum_shop.rs` end to end, in process: its `run()` starts the sandbox and the
//! shop, checks out over HTTP, completes on the sandbox (the signed callback reaches the
//! shop's `EpointCallback` route), replays the callback, and fails at the first surprise.

#[allow(dead_code)] // the example's `main` and live mode are not used here
#[path = "../../examples/axum_shop.rs"]
mod axum_shop;

use axum_shop::{Shop, post_checkout, router};
use epoint_az_sandbox::Sandbox;
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

/// A shop on `127.0.0.1:0` over the sandbox, and a browser that does not follow redirects.
async fn start_shop(sandbox: &Sandbox) -> (String, reqwest::Client) {
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
    (shop, http)
}

/// Simultaneous checkouts of one order: exactly one creates a payment (303), every other is
/// refused (409), and exactly one payment request reaches EPoint.
#[tokio::test]
async fn simultaneous_checkouts_of_one_order_create_one_payment() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let (shop, http) = start_shop(&sandbox).await;
    for round in 0..5 {
        let order_id = format!("race-{round}");
        let attempts = (0..16).map(|_| post_checkout(&http, &shop, &order_id, "9.99"));
        let statuses: Vec<u16> = futures_util::future::join_all(attempts)
            .await
            .into_iter()
            .map(|answer| answer.expect("checkout").status().as_u16())
            .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 303).count(),
            1,
            "{statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 409).count(),
            15,
            "{statuses:?}"
        );
        let payments = sandbox
            .transactions()
            .into_iter()
            .filter(|tx| tx.order_id == order_id)
            .count();
        assert_eq!(payments, 1, "{order_id}");
    }
    assert_eq!(
        sandbox.request_count(epoint_az::OperationId::PaymentRequest),
        5
    );
}

/// A verified callback for another transaction of the same order id (a payment made
/// elsewhere) does not decide the order: the shop stays pending, then the order's own
/// transaction's callback marks it paid.
#[tokio::test]
async fn only_the_orders_own_transaction_decides_it() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let (shop, http) = start_shop(&sandbox).await;
    let checkout = post_checkout(&http, &shop, "o-own", "5.00")
        .await
        .expect("checkout");
    assert_eq!(checkout.status(), 303);
    let order: serde_json::Value = http
        .get(format!("{shop}/orders/o-own"))
        .send()
        .await
        .expect("order")
        .json()
        .await
        .expect("json");
    let own = order["order"]["transaction"]
        .as_str()
        .expect("transaction")
        .to_owned();

    // Another payment under the same order id, declined; its signed callback reaches the shop.
    let client = sandbox.client().expect("client");
    let other = client
        .pay(epoint_az::dec!(5.00), "o-own")
        .await
        .expect("another payment");
    let keys = client.keys().clone();
    let foreign = keys
        .sign_callback(
            &json!({"status": "error", "code": "116", "transaction": other.transaction,
                               "order_id": "o-own", "amount": "5.00"}),
        )
        .expect("sign");
    let answer = http
        .post(format!("{shop}/epoint/result"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(foreign)
        .send()
        .await
        .expect("callback");
    assert_eq!(answer.status(), 200, "authentic: acknowledged");
    let order: serde_json::Value = http
        .get(format!("{shop}/orders/o-own"))
        .send()
        .await
        .expect("order")
        .json()
        .await
        .expect("json");
    assert_eq!(order["order"]["state"], "pending", "{order}");
    assert_eq!(order["order"]["callbacks"], 0);

    let own_callback = keys
        .sign_callback(
            &json!({"status": "success", "code": "000", "transaction": own,
                               "order_id": "o-own", "amount": "5.00"}),
        )
        .expect("sign");
    let answer = http
        .post(format!("{shop}/epoint/result"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(own_callback)
        .send()
        .await
        .expect("callback");
    assert_eq!(answer.status(), 200);
    let order: serde_json::Value = http
        .get(format!("{shop}/orders/o-own"))
        .send()
        .await
        .expect("order")
        .json()
        .await
        .expect("json");
    assert_eq!(order["order"]["state"], "paid", "{order}");
}
