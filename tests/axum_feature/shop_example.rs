//! `examples/axum_shop.rs` end to end, in process: its `run()` starts the sandbox and the
//! shop, checks out over HTTP, completes on the sandbox (the signed callback reaches the
//! shop's `EpointCallback` route), replays the callback, and fails at the first surprise. And
//! its journal: a shop killed in the middle of a checkout and started again on the same file
//! loses nothing.

#[allow(dead_code)] // the example's `main` and live mode are not used here
#[path = "../../examples/axum_shop.rs"]
mod axum_shop;

use axum_shop::{Shop, post_checkout, router};
use epoint_az_sandbox::Sandbox;
use serde_json::json;

#[tokio::test]
async fn the_axum_shop_example_runs_end_to_end() {
    let summary = axum_shop::run("sqlite::memory:")
        .await
        .expect("the example's run");
    assert_eq!(summary.paid["order"]["state"], "paid");
    assert_eq!(
        summary.paid["order"]["callbacks"], 1,
        "the replay is caught by the inbox"
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
    let app = router(
        Shop::open(sandbox.client().expect("client"), "sqlite::memory:")
            .await
            .expect("journal"),
    );
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
    let app = router(
        Shop::open(sandbox.client().expect("client"), "sqlite::memory:")
            .await
            .expect("journal"),
    );
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

/// A TCP proxy in front of the sandbox that counts the whole HTTP requests it has passed on:
/// from then on a request has reached the gateway, whatever the client does next.
struct Proxy {
    base_url: String,
    delivered: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Proxy {
    async fn start(upstream: std::net::SocketAddr) -> Proxy {
        use std::sync::{Arc, atomic::AtomicUsize, atomic::Ordering};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let delivered = Arc::new(AtomicUsize::new(0));
        let counter = delivered.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let counter = counter.clone();
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut server_read, mut server_write) = server.into_split();
                    let up = async move {
                        let mut seen = Vec::new();
                        let mut buf = [0u8; 8192];
                        loop {
                            let n = match client_read.read(&mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            if server_write.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                            seen.extend_from_slice(&buf[..n]);
                            while let Some(len) = whole_request(&seen) {
                                counter.fetch_add(1, Ordering::SeqCst);
                                seen.drain(..len);
                            }
                        }
                        // Keep the upstream open: the gateway goes on with what it received.
                        std::future::pending::<()>().await;
                    };
                    let down = async move {
                        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                    };
                    tokio::join!(up, down);
                });
            }
        });
        Proxy {
            base_url,
            delivered,
        }
    }

    fn delivered(&self) -> usize {
        self.delivered.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The length of the first whole HTTP request in `bytes`, if it is all there.
fn whole_request(bytes: &[u8]) -> Option<usize> {
    let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&bytes[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(Some(0), |v| v.trim().parse().ok())?;
    (bytes.len() >= head_end + length).then_some(head_end + length)
}

/// Killed while its payment request is at the gateway (its runtime shut down: every task
/// dropped where it stands, nothing written after) and started again on the same SQLite file,
/// the shop loses nothing: the new process settles the order from the journal, refuses a
/// second checkout, and the callback that arrives later marks the order paid. One payment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_killed_mid_checkout_loses_nothing() {
    use std::time::Duration;

    use epoint_az::OperationId;
    use epoint_az_sandbox::{Fault, Outcome};

    let sandbox = Sandbox::start().await.expect("sandbox");
    let upstream: std::net::SocketAddr = sandbox
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("sandbox address");
    let proxy = Proxy::start(upstream).await;
    sandbox.inject(
        OperationId::PaymentRequest,
        Fault::Latency(Duration::from_secs(2)),
    );
    let dir = std::env::temp_dir().join(format!("epoint-axum-shop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let journal = format!("sqlite:{}", dir.join("shop.db").display());
    let config = |base: &str| {
        sandbox
            .config_for(epoint_az_sandbox::SEEDED_MERCHANTS[0].0)
            .expect("config")
            .base_url(base.to_owned())
            .settle_window(Duration::from_secs(30))
    };

    // The first shop, in a runtime of its own, reaching EPoint through the proxy.
    let first = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let first_url = format!("http://{}", listener.local_addr().expect("addr"));
    let client = epoint_az::Client::new(config(&proxy.base_url)).expect("client");
    let shop = Shop::open(client, &journal).await.expect("journal");
    // Its requests are handled in that runtime: shutting it down drops the checkout mid-call.
    first.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
        axum::serve(listener, router(shop)).await
    });
    let http = epoint_az::http_client_builder()
        .expect("tls")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let customer = http.clone();
    let checkout =
        tokio::spawn(async move { post_checkout(&customer, &first_url, "order-k1", "7.00").await });

    // The request is at the gateway (which holds it for 2 s): kill the shop now.
    let start = std::time::Instant::now();
    while proxy.delivered() == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the payment request never reached the gateway"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.shutdown_background();
    assert!(
        checkout.await.expect("join").is_err(),
        "the killed shop never answered the checkout"
    );

    // The intent survived the kill, unresolved: nothing recorded the answer.
    let left = epoint_az_journal::Journal::open(&journal)
        .await
        .expect("journal");
    let unresolved = left.unresolved().await.expect("unresolved");
    assert_eq!(unresolved.len(), 1, "{unresolved:?}");
    assert_eq!(unresolved[0].order_id, "order-k1");
    assert_eq!(unresolved[0].state, epoint_az_journal::State::Pending);

    // The new shop on the same file settles it at startup.
    let client = epoint_az::Client::new(config(sandbox.base_url())).expect("client");
    let shop = Shop::open(client, &journal).await.expect("journal");
    let settled = shop.settle().await.expect("settle");
    assert_eq!(settled.len(), 1, "{settled:?}");
    assert_eq!(settled[0].state, epoint_az_journal::State::Done);
    let transaction = settled[0].transaction.clone().expect("the transaction");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let second = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router(shop)).await });

    let order: serde_json::Value = http
        .get(format!("{second}/orders/order-k1"))
        .send()
        .await
        .expect("order")
        .json()
        .await
        .expect("json");
    assert_eq!(order["order"]["state"], "pending", "{order}");
    assert_eq!(order["order"]["transaction"], transaction.as_str());
    assert_eq!(order["epoint_status"], "new");
    let again = post_checkout(&http, &second, "order-k1", "7.00")
        .await
        .expect("checkout");
    assert_eq!(again.status(), 409, "the journal still holds the order");

    // The customer pays; EPoint's callback reaches the new shop.
    sandbox
        .complete(&transaction, Outcome::Paid)
        .await
        .expect("complete");
    let callback = sandbox
        .callbacks()
        .into_iter()
        .find(|c| c.body.contains("data="))
        .map(|c| c.body);
    let body = match callback {
        Some(body) => body,
        // No result URL: sign the callback EPoint would send.
        None => epoint_az::Keys::new(
            epoint_az_sandbox::SEEDED_MERCHANTS[0].0,
            epoint_az_sandbox::SEEDED_MERCHANTS[0].1,
        )
        .sign_callback(
            &json!({"status": "success", "code": "000", "transaction": transaction,
                               "order_id": "order-k1", "amount": "7.00"}),
        )
        .expect("sign"),
    };
    for _ in 0..2 {
        let answer = http
            .post(format!("{second}/epoint/result"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .expect("callback");
        assert_eq!(answer.status(), 200);
    }
    let order: serde_json::Value = http
        .get(format!("{second}/orders/order-k1"))
        .send()
        .await
        .expect("order")
        .json()
        .await
        .expect("json");
    assert_eq!(order["order"]["state"], "paid", "{order}");
    assert_eq!(
        order["order"]["callbacks"], 1,
        "the repeat is caught: {order}"
    );
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
    let payments = sandbox
        .transactions()
        .into_iter()
        .filter(|tx| tx.order_id == "order-k1")
        .count();
    assert_eq!(payments, 1);
    let _ = std::fs::remove_dir_all(&dir);
}
