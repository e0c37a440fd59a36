//! A complete EPoint payment, end to end:
//!
//! ```text
//! cargo run --example payment_flow
//! ```
//!
//! With no keys in the environment it runs on the embedded sandbox: it starts the sandbox and a
//! small merchant server (the callback endpoint and the shop's success / error pages), creates
//! a payment with `epoint_az::Client`, goes through the hosted payment page as the customer with a
//! test card (plain HTTP: GET the page, POST the form, follow the redirect), receives and
//! verifies the signed callback, checks the status, refunds part of the payment and checks
//! again.
//!
//! With `EPOINT_PUBLIC_KEY` and `EPOINT_PRIVATE_KEY` set it runs the same client code against
//! `EPOINT_BASE_URL` (default `https://epoint.az`): it creates a payment, prints the page to
//! open in a browser and polls the status until the payment is finished.

use std::{error::Error, time::Duration};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    routing::{get, post},
};
use epoint_az::{Client, PaymentStatus};
use epoint_az_sandbox::Sandbox;
use rust_decimal_macros::dec;
use tokio::sync::mpsc;

type AnyResult<T = ()> = Result<T, Box<dyn Error + Send + Sync>>;

#[tokio::main]
async fn main() -> AnyResult {
    let has_keys = ["EPOINT_PUBLIC_KEY", "EPOINT_PRIVATE_KEY"]
        .iter()
        .all(|v| std::env::var(v).is_ok_and(|s| !s.trim().is_empty()));
    if has_keys {
        real_gateway().await
    } else {
        sandbox().await
    }
}

fn step(n: u32, title: &str) {
    println!("\n{n}. {title}");
}

/// The merchant's own server: callbacks arrive on `POST /epoint/result`.
async fn merchant_server() -> AnyResult<(String, mpsc::UnboundedReceiver<Bytes>)> {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new()
        .route(
            "/epoint/result",
            post(
                |State(tx): State<mpsc::UnboundedSender<Bytes>>, body: Bytes| async move {
                    let _ = tx.send(body);
                    "OK"
                },
            ),
        )
        .route(
            "/shop/thank-you",
            get(|| async { "<h1>Thank you! Your order is paid.</h1>" }),
        )
        .route(
            "/shop/payment-failed",
            get(|| async { "<h1>Sorry, the payment failed.</h1>" }),
        )
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("merchant server stopped: {e}");
        }
    });
    Ok((base, rx))
}

async fn sandbox() -> AnyResult {
    println!("No EPOINT_PUBLIC_KEY / EPOINT_PRIVATE_KEY set: using the embedded EPoint sandbox.");

    step(1, "Start the merchant's callback endpoint and the sandbox");
    let (shop, mut callbacks) = merchant_server().await?;
    let result_url = format!("{shop}/epoint/result");
    let sandbox = Sandbox::builder().result_url(&result_url).start().await?;
    println!("   sandbox (EPoint)     {}", sandbox.base_url());
    println!("   merchant result URL  {result_url}");
    let config = sandbox
        .config_for("i000000001")?
        .success_redirect_url(format!("{shop}/shop/thank-you"))
        .error_redirect_url(format!("{shop}/shop/payment-failed"));
    let client = Client::new(config)?;
    println!("   merchant             {}", client.keys().public_key());

    step(2, "Create a payment of 30.75 AZN (POST /api/1/request)");
    let order_id = format!(
        "order-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs()
    );
    let payment = client
        .pay(dec!(30.75), &order_id)
        .description("2 coffees")
        .await?;
    let (transaction, page) = (payment.transaction, payment.redirect_url);
    println!("   order {order_id} → transaction {transaction}");
    println!("   hosted payment page  {page}");

    step(
        3,
        "Pay on the hosted page as the customer (test card 4169 7388 0000 0000)",
    );
    // `epoint_az::http_client_builder()`: reqwest with the crate's TLS set-up (ring by default).
    let browser = epoint_az::http_client_builder()?
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let html = browser
        .get(&page)
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    println!(
        "   GET  page            {} bytes of HTML with a card form",
        html.len()
    );
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("card_number", "4169 7388 0000 0000")
        .append_pair("expiry", "12/30")
        .append_pair("cvv", "123")
        .append_pair("card_name", "Test Customer")
        .finish();
    let submitted = browser
        .post(&page)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await?;
    let location = submitted
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or("the page did not redirect")?
        .to_owned();
    println!(
        "   POST form            {} → {location}",
        submitted.status()
    );
    let landing = browser.get(&location).send().await?.text().await?;
    let landing = landing.replace("<h1>", "").replace("</h1>", "");
    println!("   GET  landing page    {landing}");

    step(4, "Receive and verify the signed callback");
    let body = tokio::time::timeout(Duration::from_secs(5), callbacks.recv())
        .await?
        .ok_or("the callback endpoint stopped")?;
    let callback = client.keys().verify_callback(&body)?;
    println!(
        "   signature            valid (merchant {})",
        client.keys().public_key()
    );
    println!("   flow                 {:?}", callback.flow);
    println!(
        "   status {} · code {} · amount {} · rrn {}",
        callback.payload.status,
        callback
            .bank_code()
            .map_or_else(|| "-".to_owned(), |c| c.to_string()),
        callback
            .payload
            .amount
            .map_or_else(|| "-".to_owned(), |a| a.to_string()),
        callback.payload.rrn.as_deref().unwrap_or("-"),
    );
    println!("   payload              {}", callback.json);

    step(5, "Check the status (POST /api/1/get-status)");
    let status = client.get_transaction_status(&transaction).await?;
    print_status(&status);

    step(6, "Refund 10.00 AZN of it (POST /api/1/reverse)");
    let refund = client.refund(&transaction).amount(dec!(10.00)).await?;
    println!("   refund               {}", refund.answer.status);

    step(7, "Check the status again");
    let status = client.get_transaction_status(&transaction).await?;
    print_status(&status);
    if let Some(tx) = sandbox.transaction(&transaction) {
        println!(
            "   sandbox ledger       paid {} · refunded {} · refundable {}",
            tx.amount,
            tx.refunded,
            tx.remaining()
        );
    }

    sandbox.shutdown().await;
    println!("\nDone: payment, callback, status, partial refund — all on the sandbox.");
    Ok(())
}

fn print_status(state: &epoint_az::TransactionStatus) {
    let status = &state.answer;
    println!(
        "   status {} · code {} · card {} · amount {}",
        state.status,
        status.code.as_deref().unwrap_or("-"),
        status.card_mask.as_deref().unwrap_or("-"),
        status
            .amount
            .map_or_else(|| "-".to_owned(), |a| a.to_string()),
    );
}

async fn real_gateway() -> AnyResult {
    let client = Client::from_env()?;
    println!(
        "EPOINT_PUBLIC_KEY is set: using the EPoint gateway at {} (EPOINT_BASE_URL) as merchant {}.",
        client.config().get_base_url(),
        client.keys().public_key()
    );
    println!("(The hosted page needs a real browser and card there; this example cannot fill it.)");

    step(1, "Create a payment of 1.00 AZN");
    let order_id = format!(
        "example-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs()
    );
    let payment = client
        .pay(dec!(1.00), &order_id)
        .description("epoint crate example")
        .await?;
    let transaction = payment.transaction;
    println!("   order {order_id} → transaction {transaction}");

    step(2, "Open this page in a browser and pay");
    println!("   {}", payment.redirect_url);

    step(
        3,
        "Poll the status every 5 s (up to 10 minutes; Ctrl-C to stop)",
    );
    for _ in 0..120 {
        let status = client.get_transaction_status(&transaction).await?;
        print_status(&status);
        if status.status != PaymentStatus::New {
            println!("\nThe payment is finished. Refund it with client.refund(\"{transaction}\").");
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    println!("\nStill not paid after 10 minutes; giving up.");
    Ok(())
}
