//! Hostile input found by the audit (issue 9): each case here was accepted before its fix.
//! Real HTTP on loopback: the capture server (what the client sends) and the sandbox (what a
//! gateway accepts).

mod capture;
mod sandbox_support;

use capture::{CaptureServer, Reply};
use epoint::{Client, Config, Error, Money, dec, sandbox::Sandbox};
use sandbox_support::{keys1, post_signed};
use serde_json::json;

/// URLs a parser would "repair" or that carry more than a URL: refused as written.
const BAD_URLS: [&str; 10] = [
    "https://shop.example/ok\r\nSet-Cookie: a=b",
    "https://shop.example/ok\tx",
    "http:///path",
    "https:evil.example",
    "http:\\\\evil.example",
    " https://shop.example/ok",
    "https://shop.example/ok ",
    "javascript:alert(1)",
    "not a url",
    "",
];

#[tokio::test]
async fn redirect_urls_are_refused_unless_already_a_normal_absolute_http_url() {
    let server = CaptureServer::start(Reply::json(json!({"status": "success"}))).await;
    let client =
        Client::new(Config::new("i000000001", "k").base_url(server.base_url())).expect("client");
    for url in BAD_URLS {
        for result in [
            client
                .pay(dec!(1), "o")
                .success_redirect_url(url)
                .preview()
                .map(drop),
            client
                .save_card()
                .error_redirect_url(url)
                .preview()
                .map(drop),
        ] {
            match result {
                Err(Error::InvalidInput { field, reason }) => {
                    assert!(field.ends_with("redirect_url"), "{url:?}: {field}");
                    assert!(!reason.contains('\r') && !reason.contains('\n'), "{reason}");
                }
                other => panic!("{url:?} must be refused, got {other:?}"),
            }
        }
        let config = Config::new("i000000001", "k").success_redirect_url(url);
        assert!(Client::new(config).is_err(), "Config accepted {url:?}");
    }
    assert!(server.requests().is_empty(), "nothing was sent");

    // What is sent is exactly what was checked.
    for url in [
        "https://shop.example",
        "http://127.0.0.1:8000/epoint/ok?order=1#top",
        "https://shop.example/ödəniş",
    ] {
        let preview = client
            .pay(dec!(1), "o")
            .success_redirect_url(url)
            .preview()
            .expect("a normal URL");
        assert_eq!(preview.payload["success_redirect_url"], url);
    }
}

#[test]
fn a_long_invalid_url_is_not_echoed_whole() {
    let pasted_key = format!("https:{}", "k".repeat(200));
    let err = Client::new(Config::new("i1", "k").error_redirect_url(&pasted_key))
        .expect_err("refused")
        .to_string();
    assert!(!err.contains(&"k".repeat(100)), "{err}");
}

#[tokio::test]
async fn the_sandbox_refuses_what_the_client_refuses() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let keys = keys1();
    let base = sandbox.base_url().to_owned();
    let payment = |extra: serde_json::Value| {
        let mut p = json!({"public_key": "i000000001", "amount": "10.00", "currency": "AZN",
                           "language": "az", "order_id": "hostile"});
        for (k, v) in extra.as_object().expect("object") {
            p[k] = v.clone();
        }
        p
    };
    // Redirect URLs, validated on the way in (before: `303 Location: javascript:alert(1)`).
    for url in BAD_URLS {
        for field in ["success_redirect_url", "error_redirect_url"] {
            let answer = post_signed(
                &base,
                "/api/1/request",
                &keys,
                &payment(json!({field: url})),
            )
            .await;
            assert_eq!(answer["status"], "error", "{field}={url:?}: {answer}");
            assert!(
                answer["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(field)),
                "{answer}"
            );
        }
    }
    // Amount strings outside the wire format (before: "1_000.00" was 1000.00, "+5" was 5).
    for amount in [
        "1_000.00", "1_0_0", "+5", ".5", "5.", " 7.50 ", "1e2", "0x10",
    ] {
        let answer = post_signed(
            &base,
            "/api/1/request",
            &keys,
            &payment(json!({"amount": amount})),
        )
        .await;
        assert_eq!(answer["status"], "error", "{amount:?}: {answer}");
    }
    assert!(sandbox.transactions().is_empty(), "nothing was created");

    // `"amount": null` on a refund is refused, not a full refund.
    let client = sandbox.client().expect("client");
    let paid = client.pay(dec!(30.00), "null-refund").await.expect("pay");
    sandbox
        .complete(&paid.transaction, epoint::sandbox::Outcome::Paid)
        .await
        .expect("paid");
    let answer = post_signed(
        &base,
        "/api/1/reverse",
        &keys,
        &json!({"public_key": "i000000001", "language": "az", "currency": "AZN",
                "transaction": paid.transaction, "amount": null}),
    )
    .await;
    assert_eq!(answer["status"], "error", "{answer}");
    let tx = sandbox.transaction(&paid.transaction).expect("tx");
    assert_eq!(tx.remaining(), dec!(30.00), "nothing was refunded");
}

#[test]
fn money_text_off_the_wire_is_parsed_strictly() {
    for good in ["30.75", "0.01", "100", "-5.5"] {
        assert!(good.parse::<Money>().is_ok(), "{good}");
        assert!(
            serde_json::from_value::<Money>(json!(good)).is_ok(),
            "{good}"
        );
    }
    for bad in [
        "1_000.00", "1_0_0", "+5", ".5", "5.", " 7.50 ", "", "-", "1e3", "NaN",
    ] {
        assert!(bad.parse::<Money>().is_err(), "{bad:?}");
        assert!(
            serde_json::from_value::<Money>(json!(bad)).is_err(),
            "{bad:?}"
        );
    }
}
