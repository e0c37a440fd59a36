//! A small shop as an axum web service, taking EPoint payments, with its orders in the payment
//! journal (`epoint-az-journal`) so that killing and restarting it mid-flow loses nothing:
//!
//! ```text
//! cargo run --example axum_shop --features axum
//! ```
//!
//! | route | what it does |
//! | --- | --- |
//! | `POST /checkout` (form `order_id`, `amount`) | creates the payment through the journal (`journal.send(client.pay(…))`) and answers 303 to EPoint's hosted page; a second checkout of the order is refused (409) by the database, on every replica |
//! | `POST /epoint/result` | EPoint's signed callback, verified by the [`EpointCallback`] extractor and handed to the inbox in one line (`inbox.receive(&callback)`): acted on once, whatever repeats |
//! | `GET /orders/{order_id}` | the order as the journal and the inbox recorded it, confirmed with `client.get_transaction_status` |
//!
//! Nothing about an order lives in the process: the intent is written before the payment is
//! sent, the outcome after, and each callback is stored once. A shop that dies in the middle of
//! a checkout leaves the intent; at startup [`Shop::settle`] settles it by its order id (the
//! settle-window lookups, read-only), and the callback that comes later finds the order.
//!
//! By default it drives itself on the embedded sandbox (with an in-memory journal): it starts
//! the shop on `127.0.0.1:0` and the sandbox with the shop's callback route as its result URL,
//! checks out an order through the shop's HTTP route, completes the payment on the sandbox
//! (which POSTs the signed callback to the shop), checks that the shop recorded it, replays the
//! callback (nothing changes), then does the same for a declined card. It prints a trace and
//! exits 0, or non-zero at the first step that does not go as expected.
//!
//! With `--live` (or `EPOINT_LIVE=1`) and `EPOINT_PUBLIC_KEY` / `EPOINT_PRIVATE_KEY` set, it
//! serves the same routes against the real EPoint on `EPOINT_LISTEN` (default
//! `127.0.0.1:8000`) until Ctrl-C, with the journal at `EPOINT_JOURNAL` (default
//! `sqlite:shop.db`; `epoint journal list` reads it too); set the cabinet's result URL to
//! `https://<your host>/epoint/result`.

use std::error::Error;

use axum::{
    Form, Json, Router,
    extract::{FromRef, Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use epoint_az::{Client, Decimal, Keys, axum::EpointCallback};
use epoint_az_journal::{Entry, Inbox, Journal, JournalError, State as Intent, Store};
use epoint_az_sandbox::{Outcome, Sandbox};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Any error, with a readable message.
pub type AnyResult<T = ()> = Result<T, Box<dyn Error + Send + Sync>>;

/// The router state: the EPoint client, and the journal and inbox that hold the orders (in a
/// SQLite file or a PostgreSQL database shared by every replica).
#[derive(Clone)]
pub struct Shop {
    client: Client,
    journal: Journal,
    inbox: Inbox,
}

/// The recipe for a state struct holding a `Client`: tell `EpointCallback` where the merchant
/// keys are. (With `Router::with_state(client)` nothing is needed.)
impl FromRef<Shop> for Keys {
    fn from_ref(shop: &Shop) -> Keys {
        shop.client.keys().clone()
    }
}

impl Shop {
    /// A shop over this client, with its orders in the journal at `url` (`sqlite:shop.db`,
    /// `sqlite::memory:`, `postgres://…`): created if missing, reopened as it was after a
    /// restart.
    pub async fn open(client: Client, url: &str) -> Result<Self, JournalError> {
        let store = Store::open(url).await?;
        Ok(Self {
            client,
            journal: store.journal(),
            inbox: store.inbox(),
        })
    }

    /// Settles the checkouts a crash or a timeout left unknown (read-only lookups by order id,
    /// within the settle window). Run it at startup.
    pub async fn settle(&self) -> Result<Vec<Entry>, JournalError> {
        self.journal.resolve(&self.client).await
    }
}

/// What the shop knows about an order, read from the journal and the inbox.
#[derive(Clone, Debug, Serialize)]
pub struct Order {
    order_id: String,
    amount: Option<Decimal>,
    transaction: Option<String>,
    /// `checking_out` (or `unknown`, until settled), then `pending`, then `paid`, `declined`
    /// or `returned` (from the callbacks); `failed` when the payment was never made.
    state: &'static str,
    /// The bank code of a declined payment.
    code: Option<String>,
    /// The callbacks that moved the order (a replay is caught by the inbox and not counted).
    callbacks: usize,
}

/// The shop's routes.
pub fn router(shop: Shop) -> Router {
    Router::new()
        .route("/checkout", post(checkout))
        .route("/epoint/result", post(epoint_result))
        .route("/orders/{order_id}", get(show_order))
        .with_state(shop)
}

/// The checkout form.
#[derive(Deserialize)]
struct Checkout {
    order_id: String,
    amount: Decimal,
}

/// `POST /checkout`: create the payment through the journal and send the customer to EPoint.
///
/// The journal writes the intent before EPoint is called, so a second checkout of the same
/// order, on this replica or another, even at the same instant, is refused (409) and sends
/// nothing. A call that may have reached EPoint is recorded as `unknown` (502) and keeps the
/// order until [`Shop::settle`] has settled it; a definite failure frees it.
async fn checkout(
    State(shop): State<Shop>,
    Form(form): Form<Checkout>,
) -> Result<Redirect, JournalError> {
    let payment = shop
        .client
        .pay(form.amount, &form.order_id)
        .description(format!("Order {}", form.order_id));
    let page = shop.journal.send(payment).await?;
    Ok(Redirect::to(&page.redirect_url))
}

/// `POST /epoint/result`: EPoint's callback, already verified by the extractor, stored once in
/// the inbox. `New` is acted on; a repeat (EPoint sends again, or another replica got it) and
/// a stale callback (a status going backwards, or another transaction than the order's) are
/// only acknowledged. A database failure answers 503, so EPoint sends it again later.
async fn epoint_result(
    State(shop): State<Shop>,
    EpointCallback(callback): EpointCallback,
) -> Result<&'static str, JournalError> {
    if shop.inbox.receive(&callback).await?.is_new() {
        // Act once here: ship the order, send the e-mail. Then mark it done.
        let key = callback.idempotency_key().unwrap_or_default();
        shop.inbox.processed(&key).await?;
    }
    Ok("OK")
}

/// The order as the journal (its payment) and the inbox (its callbacks) recorded it.
async fn order_of(shop: &Shop, order_id: &str) -> Result<Option<Order>, JournalError> {
    // The order's latest intent (an earlier one can only be a definite failure).
    let Some(intent) = shop.journal.order(order_id).await?.pop() else {
        return Ok(None);
    };
    let status = shop.inbox.status(order_id).await?;
    let decided: Vec<_> = shop
        .inbox
        .callbacks(order_id)
        .await?
        .into_iter()
        .filter(|c| c.applied)
        .collect();
    let state = match intent.state {
        Intent::Pending => "checking_out",
        Intent::Unknown => "unknown",
        Intent::Failed => "failed",
        Intent::Done => match status.as_ref().map(|s| s.status.as_str()) {
            Some("success") => "paid",
            Some("returned") => "returned",
            Some("failed" | "error") => "declined",
            _ => "pending",
        },
    };
    let code = (state == "declined")
        .then(|| decided.last())
        .flatten()
        .and_then(|c| serde_json::from_str::<Value>(&c.body).ok())
        .and_then(|body| body["code"].as_str().map(str::to_owned));
    Ok(Some(Order {
        order_id: intent.order_id,
        amount: intent.amount,
        transaction: intent.transaction,
        state,
        code,
        callbacks: decided.len(),
    }))
}

/// `GET /orders/{order_id}`: the shop's record, and what EPoint says about the transaction.
async fn show_order(
    State(shop): State<Shop>,
    Path(order_id): Path<String>,
) -> Result<Response, JournalError> {
    let Some(order) = order_of(&shop, &order_id).await? else {
        return Ok((StatusCode::NOT_FOUND, "no such order").into_response());
    };
    let Some(transaction) = order.transaction.clone() else {
        // Checking out, or unknown: no transaction to ask EPoint about yet.
        return Ok(
            Json(serde_json::json!({ "order": order, "epoint_status": null })).into_response(),
        );
    };
    Ok(
        match shop.client.get_transaction_status(&transaction).await {
            Ok(status) => Json(serde_json::json!({
                "order": order,
                "epoint_status": status.status.to_string(),
            }))
            .into_response(),
            Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
        },
    )
}

/// What the self-driving run ended with: the two orders as `GET /orders/{id}` showed them.
#[derive(Debug)]
pub struct Summary {
    /// The order paid with the approved test card.
    pub paid: Value,
    /// The order paid with a declined test card (bank code 116).
    pub declined: Value,
}

/// Starts the sandbox and the shop (its journal at `journal_url`, e.g. `sqlite::memory:`), and
/// goes through a paid and a declined order over HTTP.
pub async fn run(journal_url: &str) -> AnyResult<Summary> {
    println!("1. Start the shop and the EPoint sandbox");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let shop_url = format!("http://{}", listener.local_addr()?);
    let result_url = format!("{shop_url}/epoint/result");
    let sandbox = Sandbox::builder().result_url(&result_url).start().await?;
    let client = sandbox.client()?;
    let app = router(Shop::open(client, journal_url).await?);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    println!("   shop     {shop_url}");
    println!(
        "   sandbox  {} (callbacks to {result_url})",
        sandbox.base_url()
    );

    // `epoint_az::http_client_builder()`: reqwest with the crate's TLS set-up (ring by default).
    let browser = epoint_az::http_client_builder()?
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    println!("\n2. Order order-1001, paid with an approved card");
    let paid = order(&browser, &sandbox, &shop_url, "order-1001", Outcome::Paid).await?;
    check_order(&paid, "paid", "success", None)?;

    println!("\n3. Replay the same callback: acknowledged, the order does not change");
    let replay = sandbox
        .callbacks()
        .into_iter()
        .next()
        .ok_or("the sandbox sent no callback")?;
    let answer = browser
        .post(&result_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(replay.body)
        .send()
        .await?;
    println!("   POST /epoint/result (replay) → {}", answer.status());
    if !answer.status().is_success() {
        return Err(format!("the replay was answered {}", answer.status()).into());
    }
    let replayed = get_order(&browser, &shop_url, "order-1001").await?;
    check_order(&replayed, "paid", "success", None)?;
    if replayed["order"]["callbacks"] != 1 {
        return Err(format!("expected the replay caught by the inbox, got {replayed}").into());
    }

    println!("\n4. Order order-1002, paid with a card the bank declines (code 116)");
    let declined = Outcome::Declined("116".into());
    let declined = order(&browser, &sandbox, &shop_url, "order-1002", declined).await?;
    check_order(&declined, "declined", "error", Some("116"))?;

    sandbox.shutdown().await;
    server.abort();
    println!("\nDone: checkout, hosted page, verified callback, order state, EPoint status.");
    Ok(Summary {
        paid: replayed,
        declined,
    })
}

/// Checks out `order_id` through the shop, completes the payment on the sandbox and answers
/// the shop's order page afterwards.
async fn order(
    browser: &reqwest::Client,
    sandbox: &Sandbox,
    shop_url: &str,
    order_id: &str,
    outcome: Outcome,
) -> AnyResult<Value> {
    let answer = post_checkout(browser, shop_url, order_id, "30.75").await?;
    let page = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (status, Some(page)) = (answer.status(), page) else {
        let status = answer.status();
        return Err(format!("checkout answered {status}: {}", answer.text().await?).into());
    };
    println!("   POST /checkout {order_id} 30.75 AZN → {status}, hosted page {page}");
    let before = get_order(browser, shop_url, order_id).await?;
    check_order(&before, "pending", "new", None)?;
    let transaction = before["order"]["transaction"]
        .as_str()
        .ok_or("the order has no transaction")?
        .to_owned();

    println!("   the customer finishes the page ({outcome:?}); EPoint calls the shop back:");
    let done = sandbox.complete(&transaction, outcome).await?;
    let delivery = done.callback.ok_or("the sandbox sent no callback")?;
    println!(
        "   callback for {} → POST {} answered {}",
        delivery.id,
        delivery.url.as_deref().unwrap_or("-"),
        delivery
            .status
            .map_or_else(|| format!("{:?}", delivery.error), |s| s.to_string())
    );
    if !delivery.delivered() {
        return Err(format!("the shop did not accept the callback: {delivery:?}").into());
    }
    get_order(browser, shop_url, order_id).await
}

/// Submits the shop's checkout form, as the customer's browser would (not following the
/// redirect).
pub async fn post_checkout(
    browser: &reqwest::Client,
    shop_url: &str,
    order_id: &str,
    amount: &str,
) -> reqwest::Result<reqwest::Response> {
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("order_id", order_id)
        .append_pair("amount", amount)
        .finish();
    browser
        .post(format!("{shop_url}/checkout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
}

/// `GET /orders/{order_id}` on the shop, printed.
async fn get_order(browser: &reqwest::Client, shop_url: &str, order_id: &str) -> AnyResult<Value> {
    let answer = browser
        .get(format!("{shop_url}/orders/{order_id}"))
        .send()
        .await?;
    let status = answer.status();
    if !status.is_success() {
        return Err(format!("GET /orders/{order_id} answered {status}").into());
    }
    let order: Value = answer.json().await?;
    println!(
        "   GET /orders/{order_id} → shop: {} (bank code {}, {} callback(s)) · EPoint get-status: {}",
        order["order"]["state"].as_str().unwrap_or("?"),
        order["order"]["code"].as_str().unwrap_or("-"),
        order["order"]["callbacks"],
        order["epoint_status"].as_str().unwrap_or("?"),
    );
    Ok(order)
}

/// Fails unless the shop's state, EPoint's status and the bank code are as expected.
fn check_order(order: &Value, state: &str, epoint_status: &str, code: Option<&str>) -> AnyResult {
    let got = (
        order["order"]["state"].as_str(),
        order["epoint_status"].as_str(),
        order["order"]["code"].as_str(),
    );
    if got == (Some(state), Some(epoint_status), code) {
        Ok(())
    } else {
        Err(format!("expected {state} / {epoint_status} / code {code:?}, got {order}").into())
    }
}

/// Serves the shop against the real EPoint (keys from `EPOINT_*`), until Ctrl-C.
async fn serve_live() -> AnyResult {
    let client = Client::from_env()?;
    let listen = std::env::var("EPOINT_LISTEN").unwrap_or_else(|_| "127.0.0.1:8000".into());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!(
        "Shop for merchant {} on http://{} (EPoint at {}).",
        client.keys().public_key(),
        listener.local_addr()?,
        client.config().get_base_url()
    );
    println!("Set the cabinet's result URL to https://<this host>/epoint/result.");
    let journal = std::env::var("EPOINT_JOURNAL").unwrap_or_else(|_| "sqlite:shop.db".into());
    let shop = Shop::open(client, &journal).await?;
    // What the last run left unknown (it was killed mid-checkout, or EPoint timed out).
    let settling = shop.clone();
    tokio::spawn(async move {
        match settling.settle().await {
            Ok(settled) => {
                for entry in settled {
                    println!("settled order {}: {}", entry.order_id, entry.state);
                }
            }
            Err(e) => eprintln!("settling the journal failed: {e}"),
        }
    });
    axum::serve(listener, router(shop)).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> AnyResult {
    let live = std::env::args().any(|a| a == "--live")
        || std::env::var("EPOINT_LIVE").is_ok_and(|v| v == "1");
    if live {
        serve_live().await
    } else {
        run("sqlite::memory:").await.map(drop)
    }
}
