//! The signing layer: one method per EPoint operation over the generated client.
//!
//! Each method returns a [`Call`]: set optional fields, then `.await` it (or call
//! [`Call::send`]) to send, or [`Call::preview`] to see exactly what would be sent.
//! Sending does: defaults → validate → sign → generated operation → typed answer.
//!
//! The methods live by operation family, as the spec's tags group them: [`payments`] (the
//! hosted page and its variants, pre-authorisation, installments, status, heartbeat),
//! [`cards`] (saved cards), [`refunds`] (refunds and payouts), [`split`], [`invoices`],
//! [`wallets`], [`tokens`] (Apple Pay / Google Pay) and [`b2b`]; the machinery every call shares
//! ([`Call`], preview, send, retries, reading the answer) is in [`call`].

mod b2b;
mod call;
mod cards;
mod invoices;
mod payments;
mod refunds;
mod resolve;
mod split;
mod tokens;
mod wallets;

pub use b2b::B2bTransferRequest;
pub use call::{Call, Preview, Traced};
use call::{JsonAnswer, check_status};
pub use payments::CheckoutForm;
pub use resolve::{DEFAULT_SETTLE_WINDOW, Resolution, Resolve};

use std::{
    fmt,
    time::{Instant, SystemTime},
};

use rust_decimal::Decimal;
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    Config, Keys, Money,
    config::check_url,
    error::{Error, Result},
    generated::{
        self, ClientInfo,
        types::{self, SignedEnvelope},
    },
    operation::{AnswerKind, Operation},
    signing::form_body,
};

/// The EPoint client: your merchant keys, defaults and an HTTP connection pool.
///
/// Cheap to clone (the pool is shared). Every method builds a [`Call`]; nothing is sent until
/// it is awaited.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use epoint_az::dec;
/// let client = epoint_az::Client::from_env()?;
/// let payment = client.pay(dec!(30.75), "order-1001").description("Coffee").await?;
/// println!("send the customer to {}", payment.redirect_url);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    config: Config,
    keys: Keys,
    raw: generated::Client,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The environment variables reqwest reads proxies from (`NO_PROXY` only exempts hosts).
const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

impl Client {
    /// A client from a [`Config`]. Fails if a URL in it is not an absolute http(s) URL.
    ///
    /// ```
    /// let client = epoint_az::Client::new(epoint_az::Config::new("i000000001", "key")).unwrap();
    /// assert_eq!(client.config().get_public_key(), "i000000001");
    /// ```
    pub fn new(config: Config) -> Result<Self, crate::ConfigError> {
        config.validate()?;
        let mut http = crate::http_client_builder()?
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("epoint-az/", env!("CARGO_PKG_VERSION")));
        // reqwest (built without its `system-proxy` feature) takes proxies only from these
        // variables, and then checks every request against them; with none set there is nothing
        // to check, so the check is left out. Set one and the client uses it as before.
        if !PROXY_VARIABLES
            .iter()
            .any(|v| std::env::var_os(v).is_some())
        {
            http = http.no_proxy();
        }
        let http = http.build().map_err(|e| crate::ConfigError::Invalid {
            variable: "HTTP client",
            reason: e.to_string(),
        })?;
        Ok(Self::with_http_client(config, http))
    }

    /// A client with your own `reqwest::Client` (proxies, TLS roots, timeouts).
    /// The config's URLs are assumed valid; see [`Client::new`]. Start from
    /// [`crate::http_client_builder`] unless your program enables a reqwest TLS provider itself.
    ///
    /// ```
    /// let http = epoint_az::http_client_builder()?.build()?;
    /// let client = epoint_az::Client::with_http_client(epoint_az::Config::new("i1", "k"), http);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_http_client(config: Config, http: reqwest::Client) -> Self {
        let base = config.base_url.trim_end_matches('/');
        let raw = generated::Client::new_with_client(base, http);
        let keys = Keys::new(config.public_key.clone(), config.private_key.clone());
        Self { config, keys, raw }
    }

    /// A client configured from `EPOINT_*` environment variables (see [`Config::from_env`]).
    ///
    /// ```no_run
    /// let client = epoint_az::Client::from_env()?;
    /// # Ok::<(), epoint_az::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Self, crate::ConfigError> {
        Self::new(Config::from_env()?)
    }

    /// The configuration in use.
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// assert_eq!(client.config().get_base_url(), "https://epoint.az");
    /// ```
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The merchant keys (for verifying callbacks with the same keys).
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// assert_eq!(client.keys().public_key(), "i1");
    /// ```
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The generated, unsigned client, for anything this layer does not cover.
    ///
    /// ```
    /// use epoint_az::generated::ClientInfo;
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// assert_eq!(client.raw().baseurl(), "https://epoint.az");
    /// ```
    pub fn raw(&self) -> &generated::Client {
        &self.raw
    }

    fn call<O: Operation>(&self, payload: Result<O::Payload>) -> Call<'_, O> {
        Call {
            client: self,
            payload,
        }
    }

    /// Any signed operation of the spec, with a payload you build: the way to call an operation
    /// that has no method here yet (for example one added to your own copy of the spec, see
    /// `docs/changing-the-spec.md`). Sent, signed and read exactly like the methods; `.await`
    /// returns the operation's answer.
    ///
    /// ```
    /// use epoint_az::{generated::types, ops};
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i000000001", "k")).unwrap();
    /// let payload: types::CardStatusRequest = types::CardStatusRequest::builder()
    ///     .public_key("i000000001")
    ///     .card_id("ce000000001")
    ///     .try_into()
    ///     .unwrap();
    /// let preview = client.operation::<ops::GetStatusCard>(payload).preview().unwrap();
    /// assert_eq!(preview.path, "/api/1/get-status-card");
    /// ```
    pub fn operation<O: Operation>(&self, payload: O::Payload) -> Call<'_, O> {
        self.call(Ok(payload))
    }

    /// Signs any payload and POSTs it to any path: for an EPoint operation that is not in the
    /// spec at all. The answer is read like every other (`status` `success` is `Ok`;
    /// `error`/`failed`/`server_error` are [`Error::Rejected`]) and then decoded as `T`
    /// (`serde_json::Value` to keep it as JSON). Sent once, never retried.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let answer: serde_json::Value = client
    ///     .send_signed("/api/1/some-new-operation", &serde_json::json!({
    ///         "public_key": client.keys().public_key(),
    ///         "order_id": "order-1",
    ///     }))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send_signed<T: DeserializeOwned>(
        &self,
        path: &str,
        payload: &(impl Serialize + ?Sized),
    ) -> Result<T> {
        if !path.starts_with('/') || path.chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::invalid(
                "path",
                "must be an absolute path such as /api/1/request",
            ));
        }
        let envelope = self
            .keys
            .seal(payload)
            .map_err(|e| Error::invalid("payload", e))?;
        let started = Instant::now();
        let (result, request_id) = self.post_signed(path, &envelope).await;
        let trace_id = match &result {
            Ok((value, _)) => value.get("trace_id").and_then(serde_json::Value::as_str),
            Err(e) => e.trace_id(),
        };
        tracing::debug!(
            target: "epoint_az",
            path,
            elapsed_ms = started.elapsed().as_millis() as u64,
            ok = result.is_ok(),
            trace_id,
            request_id = request_id.as_deref(),
            "EPoint call finished"
        );
        let (value, body) = result?;
        let answer = JsonAnswer::new(value);
        check_status(AnswerKind::Plain, &answer)?;
        serde_json::from_value(answer.value).map_err(|source| Error::Decode { body, source })
    }

    /// POSTs the envelope; the answer (or error) and the answer's `X-Request-ID` header.
    async fn post_signed(
        &self,
        path: &str,
        envelope: &SignedEnvelope,
    ) -> (Result<(serde_json::Value, bytes::Bytes)>, Option<String>) {
        let sent_at = SystemTime::now();
        let transport = |source: reqwest::Error| Error::transport(source, sent_at);
        let sent = self
            .raw
            .client()
            .post(format!("{}{path}", self.raw.baseurl()))
            .header(reqwest::header::ACCEPT, "application/json")
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form_body(envelope))
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(source) => return (Err(transport(source)), None),
        };
        let request_id = call::CallIds::request_id(response.headers());
        let status = response.status().as_u16();
        let result = match response.bytes().await {
            Err(source) => Err(transport(source)),
            Ok(body) if status != 200 => Err(Error::Http {
                status,
                body: String::from_utf8_lossy(&body).into_owned(),
            }),
            Ok(body) => match serde_json::from_slice(&body) {
                Ok(value) => Ok((value, body)),
                Err(source) => Err(Error::Decode { body, source }),
            },
        };
        (result, request_id)
    }

    fn redirect_defaults(
        &self,
    ) -> Result<(Option<types::RedirectUrl>, Option<types::RedirectUrl>)> {
        Ok((
            self.config
                .success_redirect_url
                .as_deref()
                .map(|u| redirect_url("success_redirect_url", u))
                .transpose()?,
            self.config
                .error_redirect_url
                .as_deref()
                .map(|u| redirect_url("error_redirect_url", u))
                .transpose()?,
        ))
    }

    fn public_key(&self) -> Result<types::PublicKey> {
        field("public_key", self.keys.public_key())
    }
}

/// Converts `value` to a generated, spec-constrained newtype (length limits etc.). An
/// `order_id` must also be printable and not blank: it is the merchant's key for matching
/// callbacks, and a NUL or a line break in it ends up in logs and other systems' records.
fn field<T>(name: &'static str, value: &str) -> Result<T>
where
    T: std::str::FromStr,
    T::Err: fmt::Display,
{
    if name == "order_id" {
        crate::order_id::check_order_id(value).map_err(|reason| Error::invalid(name, reason))?;
    }
    value.parse().map_err(|e| Error::invalid(name, e))
}

fn money(name: &'static str, amount: Decimal) -> Result<Money> {
    Money::new(amount).map_err(|e| Error::invalid(name, e))
}

fn split_amounts(amount: Decimal, split_amount: Decimal) -> Result<(Money, Money)> {
    let total = money("amount", amount)?;
    let split = money("split_amount", split_amount)?;
    if split.amount() > total.amount() {
        return Err(Error::invalid(
            "split_amount",
            format!("{split} is more than the payment's amount {total}"),
        ));
    }
    Ok((total, split))
}

/// Finishes a generated payload builder (every field this layer sets was validated already;
/// a required field the spec gained since is reported here, before anything is sent).
fn built<B, P>(builder: B) -> Result<P>
where
    B: TryInto<P, Error = types::error::ConversionError>,
{
    builder.try_into().map_err(|e| Error::invalid("payload", e))
}

fn redirect_url(name: &'static str, url: &str) -> Result<types::RedirectUrl> {
    check_url(url).map_err(|reason| Error::invalid(name, reason))?;
    Ok(types::RedirectUrl(url.to_owned()))
}
