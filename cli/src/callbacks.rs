//! `epoint callback send` (POST a signed callback to a merchant's handler, as EPoint would)
//! and `epoint callback serve` (a tiny receiver that verifies and prints callbacks).

use std::{net::IpAddr, sync::Arc};

use epoint_az::{
    Decimal, Keys,
    callback::{CallbackFlow, Example},
};
use serde_json::{Value, json};

use crate::{exit, keys_from_env};

/// `--flow`: the flows the spec defines (`x-epoint-callback`), by name or by the path of the
/// operation that starts each (`split-request`).
fn flow_parser() -> impl clap::builder::TypedValueParser<Value = CallbackFlow> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let values = CallbackFlow::all().filter_map(|flow| {
        let info = flow.info()?;
        let tail = info
            .operation
            .path()
            .rsplit('/')
            .next()
            .unwrap_or(info.name);
        let value = PossibleValue::new(info.name).help(info.operation.path());
        Some(if tail == info.name {
            value
        } else {
            value.alias(tail)
        })
    });
    PossibleValuesParser::new(values).try_map(|name: String| {
        name.parse::<CallbackFlow>()
            .map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{e}\n")))
    })
}

/// The callback's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Status {
    /// Approved.
    Success,
    /// Declined (EPoint's callbacks say `failed`).
    Failed,
}

/// `epoint callback …`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum CallbackCommand {
    /// POST a correctly signed callback (the merchant's private key from EPOINT_PRIVATE_KEY)
    /// to a callback handler, with the fields EPoint sends for the flow; prints what the
    /// handler answered (exit 0 for 2xx, 3 otherwise, 5 when it cannot be reached).
    #[command(
        after_help = "Examples:\n  epoint callback send http://127.0.0.1:8000/epoint/result --status success --transaction te000000001 --amount 30.75\n  epoint callback send http://127.0.0.1:8000/epoint/result --status failed --code 116 --transaction te000000002\n  epoint callback send http://127.0.0.1:8000/epoint/result --flow card-registration --card-id ce000000001\n  epoint callback send http://127.0.0.1:8000/epoint/result --flow split-payment --amount 20 --split-amount 5 --json"
    )]
    Send {
        /// The handler's URL (your `result_url`).
        url: String,
        /// `success` or `failed`.
        #[arg(long, value_enum, default_value_t = Status::Success)]
        status: Status,
        /// Which flow the callback reports on; its fields are the ones the spec says EPoint
        /// sends for that flow.
        #[arg(long, default_value = "payment", value_parser = flow_parser())]
        flow: CallbackFlow,
        /// The transaction id (payment flows).
        #[arg(long, default_value = "te000000001")]
        transaction: String,
        /// Your order id (payment flows).
        #[arg(long, default_value = "order-1")]
        order_id: String,
        /// The amount (payment flows), sent as a JSON number like EPoint does.
        #[arg(long, default_value = "10.00")]
        amount: Decimal,
        /// The split partner's share (split flows).
        #[arg(long, default_value = "1.00")]
        split_amount: Decimal,
        /// The saved card (card flows).
        #[arg(long, default_value = "ce000000001")]
        card_id: String,
        /// The bank code (default 000 for success, 116 for failed; a failed card registration
        /// is 500, as EPoint documents).
        #[arg(long)]
        code: Option<String>,
        /// `other_attr`, as JSON.
        #[arg(long, value_name = "JSON")]
        other_attr: Option<String>,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Receive callbacks: verifies each one's signature (EPOINT_PRIVATE_KEY) and prints it.
    /// The first line is `listening on http://HOST:PORT`. Answers 200 to a verified callback
    /// and 400 (with the reason) to anything else, on any path.
    #[command(
        after_help = "Examples:\n  epoint callback serve --port 8000\n  epoint callback serve --port 0 --once --json"
    )]
    Serve {
        /// Port to listen on; 0 picks a free port.
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// Exit after the first verified callback.
        #[arg(long)]
        once: bool,
        /// One JSON object per callback (one per line) on stdout.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a callback command; returns its exit code.
pub(crate) async fn run(command: CallbackCommand) -> u8 {
    match command {
        CallbackCommand::Send {
            url,
            status,
            flow,
            transaction,
            order_id,
            amount,
            split_amount,
            card_id,
            code,
            other_attr,
            json,
        } => {
            let fields = Fields {
                status,
                flow,
                transaction,
                order_id,
                amount,
                split_amount,
                card_id,
                code,
                other_attr,
            };
            send(&url, &fields, json).await
        }
        CallbackCommand::Serve {
            port,
            host,
            once,
            json,
        } => match serve(host, port, once, json).await {
            Ok(()) => exit::SUCCESS,
            Err(e) => {
                eprintln!("epoint: {e}");
                exit::FAILURE
            }
        },
    }
}

struct Fields {
    status: Status,
    flow: CallbackFlow,
    transaction: String,
    order_id: String,
    amount: Decimal,
    split_amount: Decimal,
    card_id: String,
    code: Option<String>,
    other_attr: Option<String>,
}

/// An exact decimal as a JSON number (EPoint sends amounts as numbers).
fn number(amount: Decimal) -> Value {
    serde_json::from_str(&amount.to_string()).unwrap_or(Value::Null)
}

/// The payload EPoint sends for this flow: the client's example builder
/// (`CallbackFlow::example_payload`, the sandbox's too), with the amounts as JSON numbers.
fn payload(fields: &Fields) -> Result<Value, String> {
    let mut example = Example::new(fields.status == Status::Success);
    example.code.clone_from(&fields.code);
    example.order_id = Some(fields.order_id.clone());
    example.transaction = Some(fields.transaction.clone());
    example.card_id = Some(fields.card_id.clone());
    example.other_attr = match &fields.other_attr {
        Some(other) => {
            Some(serde_json::from_str(other).map_err(|e| format!("--other-attr: not JSON ({e})"))?)
        }
        None => None,
    };
    let payload = fields.flow.example_payload(&example);
    let mut p = match serde_json::to_value(&payload) {
        Ok(Value::Object(p)) => p,
        Ok(other) => return Err(format!("callback payload is not an object: {other}")),
        Err(e) => return Err(format!("callback payload not serialisable: {e}")),
    };
    // `Money` refuses what a test callback may want to send (a negative or 3-decimal
    // amount), so the amounts are the exact decimals given.
    for (field, amount) in [
        ("amount", fields.amount),
        ("split_amount", fields.split_amount),
    ] {
        if let Some(value) = p.get_mut(field) {
            *value = number(amount);
        }
    }
    Ok(Value::Object(p))
}

async fn send(url: &str, fields: &Fields, json_mode: bool) -> u8 {
    // A failure is said once, as the merchant commands do: with --json the object on stdout,
    // otherwise one line on stderr.
    let fail = |code: u8, message: String| {
        if json_mode {
            out!(
                "{}",
                json!({"ok": false, "exit_code": code, "url": url, "error": message})
            );
        } else {
            eprintln!("epoint: {message}");
        }
        code
    };
    let keys = match keys_from_env("EPOINT_PRIVATE_KEY") {
        Ok(keys) => keys,
        Err(e) => return fail(exit::USAGE, e),
    };
    let payload = match payload(fields) {
        Ok(payload) => payload,
        Err(e) => return fail(exit::USAGE, e),
    };
    let body = match keys.sign_callback(&payload) {
        Ok(body) => body,
        Err(e) => return fail(exit::FAILURE, format!("cannot sign the callback: {e}")),
    };
    let http = match epoint_az::http_client_builder().and_then(|b| {
        b.build().map_err(|e| epoint_az::ConfigError::Invalid {
            variable: "HTTP client",
            reason: e.to_string(),
        })
    }) {
        Ok(http) => http,
        Err(e) => return fail(exit::FAILURE, e.to_string()),
    };
    let response = match http
        .post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body.clone())
        .send()
        .await
    {
        Ok(response) => response,
        Err(e) if e.is_builder() => return fail(exit::USAGE, format!("{url}: not a URL ({e})")),
        Err(e) => return fail(exit::NOT_SENT, format!("{url}: not delivered ({e})")),
    };
    let status = response.status();
    let answer = response.text().await.unwrap_or_default();
    let answer: String = answer.chars().take(2000).collect();
    let code = if status.is_success() {
        exit::SUCCESS
    } else {
        exit::REJECTED
    };
    let exchange = [
        ("sent to", url.to_owned()),
        ("payload", payload.to_string()),
        ("http status", status.to_string()),
        ("response", answer.clone()),
    ];
    if json_mode {
        out!(
            "{}",
            json!({"ok": status.is_success(), "url": url, "payload": payload, "form_body": body,
                   "http_status": status.as_u16(), "response": answer})
        );
    } else if code == exit::SUCCESS {
        crate::report::print_pairs(&exchange);
    } else {
        // A refusal is a failure: said once, on stderr, with the exchange that shows why.
        eprintln!("epoint: the handler answered {status}");
        crate::report::eprint_pairs(&exchange);
    }
    code
}

/// The receiver's state: the keys and where to signal `--once`.
struct Receiver {
    keys: Keys,
    json: bool,
    done: tokio::sync::watch::Sender<bool>,
    once: bool,
}

async fn serve(
    host: IpAddr,
    port: u16,
    once: bool,
    json_mode: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let keys = keys_from_env("EPOINT_PRIVATE_KEY")?;
    let listener = tokio::net::TcpListener::bind((host, port)).await?;
    let addr = listener.local_addr()?;
    out!("listening on http://{addr}");
    let (done, mut done_rx) = tokio::sync::watch::channel(false);
    let receiver = Arc::new(Receiver {
        keys,
        json: json_mode,
        done,
        once,
    });
    let app = axum::Router::new().fallback(receive).with_state(receiver);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let stop = async {
                let _ = done_rx.wait_for(|done| *done).await;
            };
            tokio::select! {
                () = stop => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        })
        .await?;
    Ok(())
}

async fn receive(
    axum::extract::State(receiver): axum::extract::State<Arc<Receiver>>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    body: axum::body::Bytes,
) -> (axum::http::StatusCode, String) {
    use axum::http::StatusCode;
    if method != axum::http::Method::POST {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            "POST the signed callback form here\n".into(),
        );
    }
    match receiver.keys.verify_callback(&body) {
        Ok(callback) => {
            let flow = callback.flow.name();
            let payload = serde_json::from_str::<Value>(&callback.json).unwrap_or(Value::Null);
            if receiver.json {
                out!(
                    "{}",
                    json!({"verified": true, "path": uri.path(), "flow": flow,
                           "success": callback.is_success(), "payload": payload})
                );
            } else {
                let mut lines = vec![
                    ("callback", "signature valid".to_owned()),
                    ("path", uri.path().to_owned()),
                    ("flow", flow.to_owned()),
                    ("success", callback.is_success().to_string()),
                ];
                if let Some(code) = callback.bank_code() {
                    lines.push(("code", code.to_string()));
                }
                let mut rest = Vec::new();
                if let Value::Object(map) = &payload {
                    for (key, value) in map {
                        if key != "code" {
                            rest.push((key.clone(), crate::report::text_of(value)));
                        }
                    }
                }
                let mut all: Vec<(String, String)> =
                    lines.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                all.extend(rest);
                crate::report::print_owned_pairs(&all);
                out!();
            }
            if receiver.once {
                let _ = receiver.done.send(true);
            }
            (StatusCode::OK, "OK\n".into())
        }
        Err(e) => {
            // Said once: a JSON line among the others with --json, else a line on stderr.
            if receiver.json {
                out!(
                    "{}",
                    json!({"verified": false, "path": uri.path(), "error": e.to_string()})
                );
            } else {
                eprintln!("epoint: callback refused on {}: {e}", uri.path());
            }
            (StatusCode::BAD_REQUEST, format!("refused: {e}\n"))
        }
    }
}
