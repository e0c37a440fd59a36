//! A small shop as an axum web service, taking EPoint payments:
//!
//! ```text
//! cargo run --example axum_shop --features axum
//! ```
//!
//! | route | what it does |
//! | --- | --- |
//! | `POST /checkout` (form `order_id`, `amount`) | creates the payment (`client.pay`) and answers 303 to EPoint's hosted page |
//! | `POST /epoint/result` | EPoint's signed callback, verified by the [`EpointCallback`] extractor; records the order as paid or declined, once per transaction |
//! | `GET /orders/{order_id}` | the order as the shop recorded it, confirmed with `client.get_transaction_status` |
//!
//! The `epoint_az::Client` lives in the router state ([`Shop`]); one `impl FromRef<Shop> for
//! Keys` lets the extractor verify callbacks with the client's keys.
//!
//! By default it drives itself on the embedded sandbox: it starts the shop on `127.0.0.1:0`
//! and the sandbox with the shop's callback route as its result URL, checks out an order
//! through the shop's HTTP route, completes the payment on the sandbox (which POSTs the signed
//! callback to the shop), checks that the shop recorded it, replays the callback (nothing
//! changes), then does the same for a declined card. It prints a trace and exits 0, or
//! non-zero at the first step that does not go as expected.
//!
//! With `--live` (or `EPOINT_LIVE=1`) and `EPOINT_PUBLIC_KEY` / `EPOINT_PRIVATE_KEY` set, it
//! serves the same routes against the real EPoint on `EPOINT_LISTEN` (default
//! `127.0.0.1:8000`) until Ctrl-C; set the cabinet's result URL to `https://<your
//! host>/epoint/result`.

use std::{
    collections::HashMap,
    error::Error,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use axum::{
    Form, Json, Router,
    extract::{FromRef, Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use epoint_az::{Client, Decimal, Keys, axum::EpointCallback};
use epoint_az_sandbox::{Outcome, Sandbox};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Any error, with a readable message.
pub type AnyResult<T = ()> = Result<T, Box<dyn Error + Send + Sync>>;

/// The router state: the EPoint client and the shop's orders (in memory here; a database in
/// a real shop).
#[derive(Clone)]
pub struct Shop {
    client: Client,
    orders: Arc<Mutex<Orders>>,
}

/// The recipe for a state struct holding a `Client`: tell `EpointCallback` where the merchant
/// keys are. (With `Router::with_state(client)` nothing is needed.)
impl FromRef<Shop> for Keys {
    fn from_ref(shop: &Shop) -> Keys {
        shop.client.keys().clone()
    }
}

/// What the shop knows about an order.
#[derive(Clone, Debug, Serialize)]
pub struct Order {
    order_id: String,
    amount: Decimal,
    transaction: String,
    /// `checking_out`, then `pending` (or `unknown`), then `paid` or `declined` (from the
    /// callback).
    state: OrderState,
    /// The bank code of a declined payment.
    code: Option<String>,
    /// Callbacks received for it, replays included.
    callbacks: u32,
}

/// An order's state, as the callback decided it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Reserved: the payment is being created at EPoint.
    CheckingOut,
    /// The payment request may have reached EPoint but its answer was lost: settle it with
    /// `client.resolve` before anything else (a second payment could charge twice).
    Unknown,
    /// Created, the customer is on the hosted page.
    Pending,
    /// The callback said paid.
    Paid,
    /// The callback said declined.
    Declined,
}

#[derive(Default)]
struct Orders {
    by_id: HashMap<String, Order>,
    /// transaction → order id: callbacks are keyed on the transaction.
    by_transaction: HashMap<String, String>,
}

impl Shop {
    /// A shop over this client, with no orders yet.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            orders: Arc::default(),
        }
    }

    fn orders(&self) -> MutexGuard<'_, Orders> {
        self.orders.lock().unwrap_or_else(PoisonError::into_inner)
    }
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

/// An error page: status and text.
fn fail(status: StatusCode, text: impl std::fmt::Display) -> Response {
    (status, text.to_string()).into_response()
}

/// `POST /checkout`: create the payment, remember the order, send the customer to EPoint.
///
/// The order is reserved (state `checking_out`) under the lock **before** EPoint is called, so
/// a second checkout of the same order, even at the same instant, is refused (409) instead of
/// creating a second payment. If the call fails before reaching EPoint the reservation is
/// released; if it may have reached EPoint the order stays reserved as `unknown`: paying
/// again could charge twice, so it is settled with `client.resolve` first.
async fn checkout(State(shop): State<Shop>, Form(form): Form<Checkout>) -> Response {
    {
        let mut orders = shop.orders();
        if orders.by_id.contains_key(&form.order_id) {
            return fail(StatusCode::CONFLICT, "this order is already checked out");
        }
        orders.by_id.insert(
            form.order_id.clone(),
            Order {
                order_id: form.order_id.clone(),
                amount: form.amount,
                transaction: String::new(),
                state: OrderState::CheckingOut,
                code: None,
                callbacks: 0,
            },
        );
    }
    let answer = shop
        .client
        .pay(form.amount, &form.order_id)
        .description(format!("Order {}", form.order_id))
        .await;
    let mut orders = shop.orders();
    match answer {
        Ok(created) => {
            orders
                .by_transaction
                .insert(created.transaction.clone(), form.order_id.clone());
            if let Some(order) = orders.by_id.get_mut(&form.order_id) {
                order.transaction = created.transaction;
                order.state = OrderState::Pending;
            }
            Redirect::to(&created.redirect_url).into_response()
        }
        Err(e) if e.may_have_reached_epoint() => {
            // Keep the reservation: the payment may exist. Settle it before anything else.
            if let Some(order) = orders.by_id.get_mut(&form.order_id) {
                order.state = OrderState::Unknown;
            }
            fail(StatusCode::BAD_GATEWAY, e)
        }
        Err(e) => {
            // Nothing reached EPoint: the order can be checked out again.
            orders.by_id.remove(&form.order_id);
            match e {
                // InvalidInput (a bad amount) is the customer's; anything else is EPoint's side.
                epoint_az::Error::InvalidInput { .. } => fail(StatusCode::BAD_REQUEST, e),
                e => fail(StatusCode::BAD_GATEWAY, e),
            }
        }
    }
}

/// `POST /epoint/result`: EPoint's callback, already verified by the extractor. Applied only
/// to the order whose recorded transaction it names (a callback for another transaction of
/// the same order id, e.g. one created elsewhere, never decides the order). Idempotent: the
/// first final answer for the transaction decides; replays only count.
async fn epoint_result(
    State(shop): State<Shop>,
    EpointCallback(callback): EpointCallback,
) -> Response {
    let Some(transaction) = callback.payload.transaction.as_deref() else {
        // A card registration: this shop saves no cards.
        return "OK".into_response();
    };
    let mut orders = shop.orders();
    let Some(order_id) = orders.by_transaction.get(transaction).cloned() else {
        // Authentic but not ours (another instance, an old order): acknowledge, keep nothing.
        eprintln!("   [shop] callback for unknown transaction {transaction}, ignored");
        return "OK".into_response();
    };
    let Some(order) = orders.by_id.get_mut(&order_id) else {
        return fail(StatusCode::INTERNAL_SERVER_ERROR, "order index out of sync");
    };
    if order.transaction != transaction {
        eprintln!(
            "   [shop] callback for transaction {transaction}, not order {order_id}'s {}, ignored",
            order.transaction
        );
        return "OK".into_response();
    }
    order.callbacks += 1;
    if order.state == OrderState::Pending {
        if callback.is_success() {
            order.state = OrderState::Paid;
        } else {
            order.state = OrderState::Declined;
            order.code = callback.payload.code.clone();
        }
    }
    "OK".into_response()
}

/// `GET /orders/{order_id}`: the shop's record, and what EPoint says about the transaction.
async fn show_order(State(shop): State<Shop>, Path(order_id): Path<String>) -> Response {
    let Some(order) = shop.orders().by_id.get(&order_id).cloned() else {
        return fail(StatusCode::NOT_FOUND, "no such order");
    };
    if order.transaction.is_empty() {
        // Checking out, or unknown: no transaction to ask EPoint about yet.
        return Json(serde_json::json!({ "order": order, "epoint_status": null })).into_response();
    }
    match shop.client.get_transaction_status(&order.transaction).await {
        Ok(status) => Json(serde_json::json!({
            "order": order,
            "epoint_status": status.status.to_string(),
        }))
        .into_response(),
        Err(e) => fail(StatusCode::BAD_GATEWAY, e),
    }
}

/// What the self-driving run ended with: the two orders as `GET /orders/{id}` showed them.
#[derive(Debug)]
pub struct Summary {
    /// The order paid with the approved test card.
    pub paid: Value,
    /// The order paid with a declined test card (bank code 116).
    pub declined: Value,
}

/// Starts the sandbox and the shop, and goes through a paid and a declined order over HTTP.
pub async fn run() -> AnyResult<Summary> {
    println!("1. Start the shop and the EPoint sandbox");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let shop_url = format!("http://{}", listener.local_addr()?);
    let result_url = format!("{shop_url}/epoint/result");
    let sandbox = Sandbox::builder().result_url(&result_url).start().await?;
    let client = sandbox.client()?;
    let app = router(Shop::new(client));
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
    if replayed["order"]["callbacks"] != 2 {
        return Err(format!("expected 2 callbacks counted, got {replayed}").into());
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
    axum::serve(listener, router(Shop::new(client))).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> AnyResult {
    let live = std::env::args().any(|a| a == "--live")
        || std::env::var("EPOINT_LIVE").is_ok_and(|v| v == "1");
    if live {
        serve_live().await
    } else {
        run().await.map(drop)
    }
}
