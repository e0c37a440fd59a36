//! Hostile input found by security audits: each case here was accepted before its fix.
//! Real HTTP on loopback: the capture server (what the client sends) and the sandbox (what a
//! gateway accepts).

use crate::capture;
use crate::sandbox_support;

use capture::{CaptureServer, Reply};
use epoint_az::{Client, Config, Error, Money, dec};
use epoint_az_sandbox::Sandbox;
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
        .complete(&paid.transaction, epoint_az_sandbox::Outcome::Paid)
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
    for good in ["30.75", "0.01", "100"] {
        assert!(good.parse::<Money>().is_ok(), "{good}");
        assert!(
            serde_json::from_value::<Money>(json!(good)).is_ok(),
            "{good}"
        );
    }
    // Well-formed but outside the contract (negative): not a Money either.
    assert_eq!(
        "-5.5".parse::<Money>(),
        Err(epoint_az::AmountError::NotPositive)
    );
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

// ── Faults, timeouts, bounded logs and ledgers, keys, amounts, order ids: each was a bug ──

use std::time::Duration;

use epoint_az::{CallbackError, Decimal, OperationId};
use epoint_az_sandbox::{Fault, Outcome, SandboxError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn paid(sandbox: &Sandbox, amount: Decimal, order: &str) -> String {
    let client = sandbox.client().expect("client");
    let payment = client.pay(amount, order).await.expect("pay");
    sandbox
        .complete(&payment.transaction, Outcome::Paid)
        .await
        .expect("paid");
    payment.transaction
}

#[tokio::test]
async fn a_latency_fault_past_the_client_timeout_is_still_processed_and_recorded() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let tx = paid(&sandbox, dec!(30.00), "latency").await;
    sandbox.inject_times(
        OperationId::Reverse,
        Fault::Latency(Duration::from_millis(600)),
        Some(1),
    );
    let impatient = Client::new(
        sandbox
            .config_for("i000000001")
            .expect("config")
            .timeout(Duration::from_millis(150)),
    )
    .expect("client");
    let err = impatient
        .refund(&tx)
        .amount(dec!(5.00))
        .await
        .expect_err("timed out");
    assert!(err.may_have_reached_epoint(), "{err:?}");
    // "Delayed, then processed": poll (bounded) until the sandbox has done it.
    let client = sandbox.client().expect("client");
    let mut remaining = None;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if sandbox.request_count(OperationId::Reverse) == 1 {
            remaining = sandbox.transaction(&tx).map(|t| t.remaining());
            break;
        }
    }
    assert_eq!(remaining, Some(dec!(25.00)), "the refund happened");
    let status = client.get_transaction_status(&tx).await.expect("status");
    assert_eq!(status.status, epoint_az::PaymentStatus::Returned);
}

#[tokio::test]
async fn idle_and_half_sent_connections_are_closed() {
    let sandbox = Sandbox::builder()
        .header_read_timeout(Duration::from_millis(300))
        .idle_timeout(Duration::from_millis(600))
        .start()
        .await
        .expect("sandbox");
    let started = std::time::Instant::now();
    let mut sockets = Vec::new();
    for i in 0..20 {
        let mut socket = tokio::net::TcpStream::connect(sandbox.addr())
            .await
            .expect("connect");
        match i % 3 {
            // Half the headers, then nothing.
            0 => socket
                .write_all(b"POST /api/1/request HTTP/1.1\r\nHost: x\r\n")
                .await
                .expect("write"),
            // A trickle: one header byte at a time is still half a request.
            1 => socket.write_all(b"GET / HT").await.expect("write"),
            // Connected, never a byte.
            _ => {}
        }
        sockets.push(socket);
    }
    for mut socket in sockets {
        let mut buf = [0_u8; 256];
        let read = tokio::time::timeout(Duration::from_secs(3), async {
            loop {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {} // hyper may answer 408 before closing
                }
            }
        })
        .await;
        assert!(read.is_ok(), "the sandbox closed the connection");
    }
    assert!(started.elapsed() < Duration::from_secs(3));
    // A keep-alive connection after a complete request is closed once idle, too.
    let mut socket = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .expect("connect");
    socket
        .write_all(b"GET /_sandbox/requests HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buf = vec![0_u8; 4096];
    let closed = tokio::time::timeout(Duration::from_secs(3), async {
        while !matches!(socket.read(&mut buf).await, Ok(0) | Err(_)) {}
    })
    .await;
    assert!(closed.is_ok(), "idle keep-alive connection closed");
}

#[tokio::test]
async fn the_request_log_is_bounded_and_the_count_exact() {
    let sandbox = Sandbox::builder()
        .request_log_limit(5)
        .start()
        .await
        .expect("sandbox");
    let keys = keys1();
    for i in 0..12 {
        post_signed(
            sandbox.base_url(),
            "/api/1/get-status",
            &keys,
            &json!({"public_key": "i000000001", "transaction": format!("te{i}")}),
        )
        .await;
    }
    assert_eq!(sandbox.request_count(OperationId::GetStatus), 12);
    let kept = sandbox.all_requests();
    assert_eq!(kept.len(), 5, "the newest 5 only");
    assert_eq!(
        kept.last()
            .and_then(|r| r.payload.as_ref())
            .map(|p| p["transaction"].clone()),
        Some(json!("te11"))
    );
    let over_http: Vec<serde_json::Value> = epoint_az::http_client_builder()
        .expect("tls")
        .build()
        .expect("http client")
        .get(format!("{}/_sandbox/requests", sandbox.base_url()))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(over_http.len(), 5);
    assert_eq!(epoint_az_sandbox::DEFAULT_REQUEST_LOG_LIMIT, 1000);

    // The callback log is bounded by the same limit.
    let client = sandbox.client().expect("client");
    let mut last = String::new();
    for i in 0..8 {
        let page = client
            .pay(dec!(1.00), format!("cb-{i}"))
            .await
            .expect("pay");
        sandbox
            .complete(&page.transaction, epoint_az_sandbox::Outcome::Paid)
            .await
            .expect("paid");
        last = page.transaction;
    }
    let callbacks = sandbox.callbacks();
    assert_eq!(callbacks.len(), 5, "the newest 5 callbacks only");
    let newest = serde_json::to_value(callbacks.last().expect("one")).expect("json");
    assert!(newest.to_string().contains(&last), "{newest}");
    let over_http: Vec<serde_json::Value> = epoint_az::http_client_builder()
        .expect("tls")
        .build()
        .expect("http client")
        .get(format!("{}/_sandbox/callbacks", sandbox.base_url()))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(over_http.len(), 5);
}

#[tokio::test]
async fn a_decline_needs_a_code_other_than_000() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let payment = client.pay(dec!(1.00), "decline-000").await.expect("pay");
    for code in ["000", "0", ""] {
        let err = sandbox
            .complete(&payment.transaction, Outcome::Declined(code.into()))
            .await
            .expect_err("refused");
        assert!(matches!(err, SandboxError::InvalidCard(_)), "{err:?}");
    }
    let response = epoint_az::http_client_builder()
        .expect("tls")
        .build()
        .expect("http client")
        .post(format!(
            "{}/_sandbox/complete/{}",
            sandbox.base_url(),
            payment.transaction
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("outcome=declined&code=000")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 422);
    let answer: serde_json::Value = response.json().await.expect("json");
    assert!(
        answer["error"].as_str().is_some_and(|e| e.contains("000")),
        "{answer}"
    );
    let tx = sandbox.transaction(&payment.transaction).expect("tx");
    assert_eq!(tx.status, epoint_az::PaymentStatus::New, "nothing approved");
}

#[tokio::test]
async fn unreadable_bodies_get_json_errors_with_the_right_status() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let http = epoint_az::http_client_builder()
        .expect("tls")
        .build()
        .expect("http client");
    let base = sandbox.base_url();
    let huge = vec![b'a'; 3 * 1024 * 1024];
    for (path, body, status, field) in [
        (
            "/_sandbox/faults/reverse",
            b"kind=latency&ms=abc".to_vec(),
            422,
            "error",
        ),
        ("/_sandbox/faults/reverse", b"ms=5".to_vec(), 422, "error"),
        ("/_sandbox/complete/te1", huge.clone(), 413, "error"),
        ("/api/1/request", huge, 413, "message"),
    ] {
        let response = http
            .post(format!("{base}{path}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{path}"
        );
        let answer: serde_json::Value = response.json().await.expect("JSON");
        assert!(answer[field].is_string(), "{path}: {answer}");
    }
}

#[test]
fn an_empty_or_blank_private_key_is_refused() {
    for key in ["", "   ", "\t\n"] {
        let err = Client::new(Config::new("i000000001", key)).expect_err("refused");
        assert!(err.to_string().contains("EPOINT_PRIVATE_KEY"), "{err}");
    }
}

#[test]
fn amounts_have_a_documented_maximum() {
    assert_eq!(Money::MAX, dec!(1000000000.00));
    assert!(Money::new(Money::MAX).is_ok());
    for too_large in [Money::MAX + dec!(0.01), Decimal::MAX] {
        assert_eq!(Money::new(too_large), Err(epoint_az::AmountError::TooLarge));
    }
    let client = Client::new(Config::new("i000000001", "k")).expect("client");
    assert!(matches!(
        client.pay(Decimal::MAX, "o").preview(),
        Err(Error::InvalidInput {
            field: "amount",
            ..
        })
    ));
    assert!(matches!(
        client.refund("te1").amount(Decimal::MAX).preview(),
        Err(Error::InvalidInput {
            field: "amount",
            ..
        })
    ));
}

#[tokio::test]
async fn order_ids_with_control_characters_or_only_whitespace_are_refused() {
    let client = Client::new(Config::new("i000000001", "k")).expect("client");
    // An order id of only a byte-order mark (or other zero-width characters) was
    // accepted: it prints as nothing.
    let bad = [
        "   ",
        "\t",
        "a\0b",
        "a\r\nb",
        "line\n",
        "\u{7f}",
        "\u{feff}",
        " \u{200b}\u{2060} ",
    ];
    for order_id in bad {
        assert!(
            matches!(
                client.pay(dec!(1), order_id).preview(),
                Err(Error::InvalidInput {
                    field: "order_id",
                    ..
                })
            ),
            "{order_id:?}"
        );
        assert!(client.payout("ce1", dec!(1), order_id).preview().is_err());
    }
    assert!(client.pay(dec!(1), "order 1 · ödəniş").preview().is_ok());
    assert!(
        client.pay(dec!(1), "\u{feff}order-1").preview().is_ok(),
        "visible text around it"
    );
    let sandbox = Sandbox::start().await.expect("sandbox");
    for order_id in bad {
        let answer = post_signed(
            sandbox.base_url(),
            "/api/1/request",
            &keys1(),
            &json!({"public_key": "i000000001", "amount": "1.00", "currency": "AZN",
                    "language": "az", "order_id": order_id}),
        )
        .await;
        assert_eq!(answer["status"], "error", "{order_id:?}: {answer}");
    }
    assert!(sandbox.transactions().is_empty());
}

#[test]
fn callbacks_have_a_size_cap_and_a_depth_bound() {
    let keys = epoint_az::Keys::new("i000000001", "k");
    let big = keys
        .sign_callback(&json!({"status": "success", "x": "a".repeat(100_000)}))
        .expect("sign");
    assert!(matches!(
        keys.verify_callback(big.as_bytes()),
        Err(CallbackError::BodyTooLarge { limit: 65_536, .. })
    ));
    assert_eq!(epoint_az::callback::MAX_CALLBACK_BODY, 64 * 1024);
    let deep = format!(
        "{{\"status\":\"success\",\"x\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    // Authentic, but too deep (the body is over the cap too, so check the fields directly).
    let envelope = keys.seal_json(deep.as_bytes());
    assert!(matches!(
        keys.verify_callback_fields(&envelope.data, &envelope.signature),
        Err(CallbackError::BodyTooLarge { .. })
    ));
    let deep = format!("{{\"x\":{}{}}}", "[".repeat(5_000), "]".repeat(5_000));
    let body = epoint_az::signing::form_body(&keys.seal_json(deep.as_bytes()));
    assert!(matches!(
        keys.verify_form(body.as_bytes()),
        Err(CallbackError::TooDeep { limit: 32 })
    ));
    // 32 levels are fine; brackets inside strings do not count.
    let ok = format!(
        "{{\"status\":\"new\",\"x\":{}{},\"s\":\"{}\"}}",
        "[".repeat(31),
        "]".repeat(31),
        "[".repeat(100)
    );
    let body = epoint_az::signing::form_body(&keys.seal_json(ok.as_bytes()));
    assert!(keys.verify_form(body.as_bytes()).is_ok());
}

#[test]
fn a_key_pasted_into_the_wrong_variable_is_not_printed() {
    let key = "d3hjsl38sd8kdfhbcea0be04eafde9e8e2bad2fb092d";
    for variable in [
        "EPOINT_INTERFACE_LANG",
        "EPOINT_BASE_URL",
        "EPOINT_SUCCESS_REDIRECT_URL",
    ] {
        let err = Config::from_lookup(|name| match name {
            "EPOINT_PUBLIC_KEY" => Some("i000000001".into()),
            "EPOINT_PRIVATE_KEY" => Some("k".into()),
            n if n == variable => Some(key.into()),
            _ => None,
        })
        .expect_err("refused")
        .to_string();
        assert!(err.contains(variable), "{err}");
        assert!(!err.contains(&key[..20]), "{err}");
    }
    // A short wrong value is still shown, to help.
    let err = Config::from_lookup(|name| match name {
        "EPOINT_PUBLIC_KEY" => Some("i000000001".into()),
        "EPOINT_PRIVATE_KEY" => Some("k".into()),
        "EPOINT_INTERFACE_LANG" => Some("tr".into()),
        _ => None,
    })
    .expect_err("refused");
    assert!(err.to_string().contains("\"tr\""), "{err}");
}

/// Reads until the server closes the connection, at most `limit`: `true` when it closed.
async fn closed_within(mut reader: impl tokio::io::AsyncRead + Unpin, limit: Duration) -> bool {
    let mut buf = [0_u8; 4096];
    tokio::time::timeout(limit, async {
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn a_request_whose_body_stalls_is_closed_after_the_idle_timeout() {
    let sandbox = Sandbox::builder()
        .idle_timeout(Duration::from_millis(500))
        .start()
        .await
        .expect("sandbox");
    let started = std::time::Instant::now();
    let mut socket = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .expect("connect");
    // Complete headers announcing 100 bytes, then 10 of them, then nothing.
    socket
        .write_all(
            b"POST /api/1/request HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ndata=eyJhI",
        )
        .await
        .expect("write");
    assert!(
        closed_within(&mut socket, Duration::from_secs(5)).await,
        "the stalled request's connection was closed"
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(450),
        "not before the idle timeout: {waited:?}"
    );
    assert_eq!(
        sandbox.request_count(epoint_az::OperationId::PaymentRequest),
        0,
        "a body that never arrived is not a request"
    );
}

/// A body that keeps trickling (one byte every 200 ms here, every 5 s in the audit)
/// is never quiet, so the idle timeout never fires: the body-read deadline closes it.
#[tokio::test]
async fn a_body_that_trickles_is_closed_at_the_body_read_deadline() {
    let sandbox = Sandbox::builder()
        .idle_timeout(Duration::from_secs(30))
        .body_read_timeout(Duration::from_millis(800))
        .start()
        .await
        .expect("sandbox");
    let started = std::time::Instant::now();
    let socket = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .expect("connect");
    let (mut reader, mut writer) = socket.into_split();
    writer
        .write_all(
            b"POST /api/1/request HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n",
        )
        .await
        .expect("write");
    let trickle = tokio::spawn(async move {
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if writer.write_all(b"a").await.is_err() {
                return;
            }
        }
    });
    let closed = closed_within(&mut reader, Duration::from_secs(10)).await;
    trickle.abort();
    assert!(closed, "the trickling request's connection was closed");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(750),
        "not before the deadline: {waited:?}"
    );
    assert_eq!(
        sandbox.request_count(epoint_az::OperationId::PaymentRequest),
        0,
        "a body that never arrived is not a request"
    );
}

/// An idle keep-alive connection stays open for the idle timeout, as documented
/// (hyper's header timer used to close it at the header-read timeout), and half-sent headers
/// on it are still cut at the header-read timeout.
#[tokio::test]
async fn keep_alive_lasts_the_idle_timeout_and_slow_headers_do_not() {
    let sandbox = Sandbox::builder()
        .header_read_timeout(Duration::from_millis(300))
        .idle_timeout(Duration::from_millis(1500))
        .start()
        .await
        .expect("sandbox");
    let closed_after = |socket: tokio::net::TcpStream| async move {
        let started = std::time::Instant::now();
        assert!(
            closed_within(socket, Duration::from_secs(10)).await,
            "closed"
        );
        started.elapsed()
    };
    let request = b"GET /api/heartbeat HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut idle = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .expect("connect");
    idle.write_all(request).await.expect("write");
    let mut buf = [0_u8; 4096];
    assert!(idle.read(&mut buf).await.expect("answer") > 0);
    let waited = closed_after(idle).await;
    assert!(
        waited >= Duration::from_millis(1300),
        "a keep-alive connection lasts the idle timeout: closed after {waited:?}"
    );

    let mut slow = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .expect("connect");
    slow.write_all(request).await.expect("write");
    assert!(slow.read(&mut buf).await.expect("answer") > 0);
    slow.write_all(b"GET /api/heart")
        .await
        .expect("half a request");
    let waited = closed_after(slow).await;
    assert!(
        waited < Duration::from_millis(1200),
        "half-sent headers are cut at the header-read timeout: {waited:?}"
    );
}

/// Transaction state is bounded too; a forgotten payment answers like an unknown one.
#[tokio::test]
async fn the_ledger_forgets_the_oldest_past_its_limit() {
    let sandbox = Sandbox::builder()
        .ledger_limit(3)
        .start()
        .await
        .expect("sandbox");
    let client = sandbox.client().expect("client");
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            client
                .pay(dec!(1.00), format!("kept-{i}"))
                .await
                .expect("pay")
                .transaction,
        );
    }
    assert_eq!(sandbox.transactions().len(), 3);
    for old in &ids[..2] {
        let answer = client.get_transaction_status(old.clone()).await;
        assert!(
            matches!(answer, Err(Error::Rejected { .. })),
            "{old}: {answer:?}"
        );
    }
    for kept in &ids[2..] {
        client
            .get_transaction_status(kept.clone())
            .await
            .expect("kept");
    }
    assert_eq!(epoint_az_sandbox::DEFAULT_LEDGER_LIMIT, 100_000);
}

/// Order ids that print as nothing (only whitespace and `Default_Ignorable_Code_Point`
/// characters) or that display in another order than they are stored (a `Bidi_Control`
/// character anywhere).
const INVISIBLE_OR_REORDERED_ORDER_IDS: [&str; 14] = [
    "\u{00AD}",
    "\u{180E}",
    "\u{2062}",
    " \u{00AD}\u{2062} ",
    "\u{034F}\u{115F}\u{3164}",
    "\u{FE0F}",
    "order-\u{202E}1001",
    "\u{202A}order-1",
    "\u{2066}order-1\u{2069}",
    "order-1\u{2067}",
    "order-\u{2068}1",
    "a\u{200E}b",
    "\u{200F}order-1",
    "order\u{061C}-1",
];

/// Order ids of real shops: Azerbaijani, Cyrillic, Arabic script with a zero-width non-joiner
/// inside a word, a byte-order mark before visible text.
const ORDINARY_ORDER_IDS: [&str; 6] = [
    "sifariş-1",
    "заказ-7",
    "order 1 · ödəniş",
    "ŞİRKƏT/2026/ÇƏK-ğ",
    "سفارش\u{200C}ها-3",
    "\u{feff}order-1",
];

fn b2b(order_id: &str) -> epoint_az::B2bTransferRequest {
    epoint_az::B2bTransferRequest::new(
        dec!(1500),
        order_id,
        "Invoice 42",
        "AZ21NABZ00000000137010001944",
        "Supplier LLC",
        "1234567892",
        "505000",
    )
}

#[tokio::test]
async fn order_ids_that_print_as_nothing_or_reorder_are_refused_everywhere() {
    let client = Client::new(Config::new("i000000001", "k")).expect("client");
    for order_id in INVISIBLE_OR_REORDERED_ORDER_IDS {
        let is_order_id_error = |e: &Error| {
            matches!(
                e,
                Error::InvalidInput {
                    field: "order_id",
                    ..
                }
            )
        };
        let refused = epoint_az::validate_order_id(order_id).expect_err(order_id);
        assert!(is_order_id_error(&refused), "{order_id:?}: {refused:?}");
        let pay = client.pay(dec!(1), order_id).preview().expect_err(order_id);
        assert!(is_order_id_error(&pay), "{order_id:?}: {pay:?}");
        let payout = client.payout("ce1", dec!(1), order_id).preview();
        assert!(
            payout.as_ref().is_err_and(is_order_id_error),
            "{order_id:?}"
        );
        let transfer = b2b(order_id).payload("i000000001");
        assert!(
            transfer.as_ref().is_err_and(is_order_id_error),
            "{order_id:?}"
        );
        let by_call = OperationId::ExecutePay.validate_field("order_id", &json!(order_id));
        assert!(
            by_call.as_ref().is_err_and(is_order_id_error),
            "{order_id:?}"
        );
    }
    // Which character, by code point, so the sentence can be acted on.
    let bidi = epoint_az::validate_order_id("order-\u{202E}1001").expect_err("bidi");
    assert!(bidi.to_string().contains("U+202E"), "{bidi}");
    for order_id in ORDINARY_ORDER_IDS {
        assert!(
            epoint_az::validate_order_id(order_id).is_ok(),
            "{order_id:?}"
        );
        assert!(
            client.pay(dec!(1), order_id).preview().is_ok(),
            "{order_id:?}"
        );
        assert!(b2b(order_id).payload("i000000001").is_ok(), "{order_id:?}");
    }

    // The sandbox applies the same rule to what reaches it unchecked.
    let sandbox = Sandbox::start().await.expect("sandbox");
    for order_id in INVISIBLE_OR_REORDERED_ORDER_IDS {
        let answer = post_signed(
            sandbox.base_url(),
            "/api/1/request",
            &keys1(),
            &json!({"public_key": "i000000001", "amount": "1.00", "currency": "AZN",
                    "language": "az", "order_id": order_id}),
        )
        .await;
        assert_eq!(answer["status"], "error", "{order_id:?}: {answer}");
    }
    assert!(sandbox.transactions().is_empty());
    let sandbox_client = sandbox.client().expect("client");
    for order_id in ORDINARY_ORDER_IDS {
        sandbox_client
            .pay(dec!(1), order_id)
            .await
            .unwrap_or_else(|e| panic!("{order_id:?}: {e}"));
    }
}

#[tokio::test]
async fn a_b2b_transfer_the_status_read_could_not_name_is_refused_before_sending() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    for order_id in [
        "..",
        ".",
        "a\\b",
        "\u{200B}",
        "",
        "\u{00AD}",
        "b2b-\u{202E}1",
    ] {
        let refused = client
            .b2b_transfer(&b2b(order_id))
            .await
            .expect_err(order_id);
        assert!(
            matches!(
                refused,
                Error::InvalidInput {
                    field: "order_id",
                    ..
                }
            ),
            "{order_id:?}: {refused:?}"
        );
        // The status read refuses the same ids, which is why the transfer must not be sent.
        assert!(matches!(
            client.b2b_transfer_status(order_id).await,
            Err(Error::InvalidInput {
                field: "order_id",
                ..
            })
        ));
    }
    assert_eq!(sandbox.request_count(OperationId::B2bPayment), 0);
    assert!(sandbox.all_requests().is_empty(), "nothing was sent");
    // The log does record B2B transfers: an ordinary id goes through and reads back.
    client.b2b_transfer(&b2b("b2b-1")).await.expect("accepted");
    assert_eq!(sandbox.request_count(OperationId::B2bPayment), 1);
    client.b2b_transfer_status("b2b-1").await.expect("status");
}

/// Accepts one connection, reads one whole HTTP request (headers and `Content-Length` body),
/// then closes without answering: the request reached the server, its outcome is unknown.
async fn read_then_hang_up(listener: tokio::net::TcpListener) -> Vec<u8> {
    let (mut socket, _) = listener.accept().await.expect("accept");
    let mut request = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        let n = socket.read(&mut chunk).await.expect("read");
        if n == 0 {
            break;
        }
        request.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&request);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if request.len() >= end + 4 + length {
                break;
            }
        }
    }
    drop(socket);
    request
}

#[tokio::test]
async fn a_b2b_transfer_lost_in_transit_names_its_order_id() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(read_then_hang_up(listener));
    let client = Client::new(Config::new("i000000001", "k").base_url(base)).expect("client");
    let lost = client
        .b2b_transfer(&b2b("b2b-lost-1"))
        .await
        .expect_err("no answer");
    let request = server.await.expect("server");
    assert!(
        String::from_utf8_lossy(&request).starts_with("POST /api/1/b2b/payment "),
        "the transfer reached the server"
    );
    assert!(matches!(lost, Error::Transport { .. }), "{lost:?}");
    assert!(lost.may_have_reached_epoint(), "{lost:?}");
    assert_eq!(lost.order_id(), Some("b2b-lost-1"));

    // Not sent at all (nothing listens there): the order id is named too.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = dead.local_addr().expect("addr").port();
    drop(dead);
    let client =
        Client::new(Config::new("i000000001", "k").base_url(format!("http://127.0.0.1:{port}")))
            .expect("client");
    let not_sent = client
        .b2b_transfer(&b2b("b2b-lost-2"))
        .await
        .expect_err("refused");
    assert!(!not_sent.may_have_reached_epoint(), "{not_sent:?}");
    assert_eq!(not_sent.order_id(), Some("b2b-lost-2"));
}

/// B2B transfers, invoices and token payments are bounded by the same ledger limit as
/// transactions: the oldest of each kind is forgotten first and then answers like an unknown
/// one, while the newest keep working.
#[tokio::test]
async fn transfers_invoices_and_token_payments_are_bounded_by_the_ledger_limit() {
    let sandbox = Sandbox::builder()
        .ledger_limit(2)
        .start()
        .await
        .expect("sandbox");
    let client = sandbox.client().expect("client");

    let transfer = |order: &str| {
        epoint_az::B2bTransferRequest::new(
            dec!(10.00),
            order,
            "Invoice 42",
            "AZ21NABZ00000000137010001944",
            "Supplier LLC",
            "1234567892",
            "505000",
        )
    };
    for i in 0..3 {
        client
            .b2b_transfer(&transfer(&format!("b2b-limit-{i}")))
            .await
            .expect("transfer accepted");
    }
    let forgotten = client.b2b_transfer_status("b2b-limit-0").await;
    assert!(
        matches!(&forgotten, Err(Error::Rejected { message, .. }) if message.contains("Unknown order_id")),
        "the oldest transfer answers like an unknown one: {forgotten:?}"
    );
    for kept in ["b2b-limit-1", "b2b-limit-2"] {
        client.b2b_transfer_status(kept).await.expect("kept");
    }
    // A forgotten order id is unknown, so it is not refused as reused.
    client
        .b2b_transfer(&transfer("b2b-limit-0"))
        .await
        .expect("a forgotten order id is accepted like a new one");
    let gone = client.b2b_transfer_status("b2b-limit-1").await;
    assert!(matches!(gone, Err(Error::Rejected { .. })), "{gone:?}");

    let mut invoices = Vec::new();
    for _ in 0..3 {
        invoices.push(
            client
                .create_invoice(dec!(5), "2026-12-01", "2026-12-31")
                .await
                .expect("invoice")
                .id,
        );
    }
    let forgotten = client.view_invoice(invoices[0]).await;
    assert!(
        matches!(&forgotten, Err(Error::Rejected { message, .. }) if message.contains("not found")),
        "the oldest invoice answers like an unknown one: {forgotten:?}"
    );
    for kept in &invoices[1..] {
        client.view_invoice(*kept).await.expect("kept invoice");
    }
    let listed = client.list_invoices().await.expect("list");
    assert_eq!(listed.invoices.len(), 2, "{listed:?}");

    let mut payments = Vec::new();
    for i in 0..3 {
        payments.push(
            client
                .create_token_payment(dec!(2.50), format!("token-limit-{i}"))
                .await
                .expect("token payment")
                .id,
        );
    }
    let forgotten = client.apple_pay(payments[0], json!("t"), None).await;
    assert!(
        matches!(&forgotten, Err(Error::Rejected { message, .. }) if message.contains("not found")),
        "the oldest token payment answers like an unknown one: {forgotten:?}"
    );
    for kept in &payments[1..] {
        client
            .apple_pay(*kept, json!({"paymentData": {"data": "x"}}), None)
            .await
            .expect("a kept token payment is paid");
    }
}

/// A half-sent head pipelined behind a complete request (in the same packet, or behind one
/// that is still being processed) gets the header-read deadline, not the idle timeout: the
/// bytes sit in hyper's buffer, where the socket no longer shows them. The request before it
/// is answered in full first.
#[tokio::test]
async fn a_half_head_pipelined_behind_a_complete_request_gets_the_header_deadline() {
    let sandbox = Sandbox::builder()
        .header_read_timeout(Duration::from_millis(300))
        .idle_timeout(Duration::from_secs(60))
        .start()
        .await
        .expect("sandbox");
    let answered_then_closed = |mut socket: tokio::net::TcpStream| async move {
        let mut received = Vec::new();
        let closed = tokio::time::timeout(Duration::from_secs(20), async {
            let mut buf = [0_u8; 4096];
            loop {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => received.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await
        .is_ok();
        (closed, String::from_utf8_lossy(&received).into_owned())
    };
    let pipelined =
        b"GET /api/heartbeat HTTP/1.1\r\nHost: x\r\n\r\nGET /api/heartbeat HTTP/1.1\r\nHo";

    let mut socket = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .expect("connect");
    socket.write_all(pipelined).await.expect("write");
    let (closed, answer) = answered_then_closed(socket).await;
    assert!(
        closed,
        "closed well before the 60 s idle timeout (the header-read deadline applies)"
    );
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.contains(r#"{"status":"ok"}"#),
        "the complete request was answered: {answer:?}"
    );

    // Behind a request processed for longer than the deadline: that request is not cut.
    sandbox.inject_times(
        epoint_az::OperationId::Heartbeat,
        epoint_az_sandbox::Fault::Latency(Duration::from_millis(700)),
        Some(1),
    );
    let mut socket = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .expect("connect");
    socket.write_all(pipelined).await.expect("write");
    let (closed, answer) = answered_then_closed(socket).await;
    assert!(closed, "closed well before the 60 s idle timeout");
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.contains(r#"{"status":"ok"}"#),
        "the slow request was answered in full: {answer:?}"
    );
    assert_eq!(
        sandbox.request_count(epoint_az::OperationId::Heartbeat),
        2,
        "half a head is not a request"
    );
}
