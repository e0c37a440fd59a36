//! A transport error's message begins with what happened on the wire: a timeout says it timed
//! out, a refused connection says it was refused (reqwest's own text reads "error sending
//! request for url (…)" for both), and the rest of the message still says whether the request
//! may have reached EPoint and names the call's order id. Real loopback connections only.

use std::time::Duration;

use epoint_az::{Client, Config, Delivery, Error, dec};

fn client(base_url: &str) -> Client {
    Client::new(
        Config::new("i000000001", "sandbox_private_key_0000000001")
            .base_url(base_url)
            .timeout(Duration::from_millis(300))
            .status_retries(0),
    )
    .expect("client")
}

/// A loopback port where nothing listens: bound, then closed.
async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    url
}

#[tokio::test]
async fn a_refused_connection_says_so_first() {
    let err = client(&closed_port().await)
        .pay(dec!(12.00), "refused-1")
        .await
        .expect_err("nothing listens");
    let message = err.to_string();
    assert!(
        message.starts_with("connection refused"),
        "the first words say what happened: {message}"
    );
    assert!(
        message.contains("the request was not sent") && message.contains("(order_id refused-1)"),
        "delivery and order id kept: {message}"
    );
    assert!(
        matches!(
            &err,
            Error::Transport {
                delivery: Delivery::NotSent,
                ..
            }
        ),
        "{err:?}"
    );
    // Debug is derived: the variant with its fields and the whole source chain.
    assert!(
        format!("{err:?}").contains("ConnectionRefused"),
        "Debug has the chain: {err:?}"
    );
}

#[tokio::test]
async fn a_timeout_says_it_timed_out_first() {
    // Accepts and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let hung = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let err = client(&url)
        .pay(dec!(12.00), "slow-1")
        .await
        .expect_err("no answer in time");
    hung.abort();
    let message = err.to_string();
    assert!(
        message.starts_with("timed out"),
        "the first words say what happened: {message}"
    );
    assert!(
        message.contains("the request may have reached EPoint")
            && message.contains("(order_id slow-1)"),
        "delivery and order id kept: {message}"
    );
    assert!(err.may_have_reached_epoint());
    assert_eq!(err.order_id(), Some("slow-1"));
}
