//! The signing layer: one method per EPoint operation over the generated client.
//!
//! Each method returns a [`Call`]: set optional fields, then `.await` it (or call
//! [`Call::send`]) to send, or [`Call::preview`] to see exactly what would be sent.
//! Sending does: defaults → validate → sign → generated operation → typed answer.

use std::{
    fmt,
    future::{Future, IntoFuture},
    pin::Pin,
    time::{Duration, Instant},
};

use rust_decimal::Decimal;
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    BankCode, Config, Keys, Money, PaymentStatus,
    answer::Success,
    config::check_url,
    error::{Delivery, Error, Result},
    generated::{
        self, ClientInfo,
        types::{self, Currency, Language, SignedEnvelope},
    },
    operation::{Answer, AnswerKind, Operation, ops},
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
    /// the README's "When EPoint changes its API"). Sent, signed and read exactly like the
    /// methods; `.await` returns the operation's answer.
    ///
    /// ```
    /// use epoint_az::{generated::types, ops};
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i000000001", "k")).unwrap();
    /// let payload = types::StatusRequest::builder()
    ///     .public_key("i000000001")
    ///     .transaction("te000000001")
    ///     .try_into()
    ///     .unwrap();
    /// let preview = client.operation::<ops::GetStatus>(payload).preview().unwrap();
    /// assert_eq!(preview.path, "/api/1/get-status");
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
        let result = self.post_signed(path, &envelope).await;
        tracing::debug!(
            target: "epoint_az",
            path,
            elapsed_ms = started.elapsed().as_millis() as u64,
            ok = result.is_ok(),
            "EPoint call finished"
        );
        let (value, body) = result?;
        let answer = JsonAnswer::new(value);
        check_status(AnswerKind::Plain, &answer)?;
        serde_json::from_value(answer.value).map_err(|source| Error::Decode { body, source })
    }

    async fn post_signed(
        &self,
        path: &str,
        envelope: &SignedEnvelope,
    ) -> Result<(serde_json::Value, bytes::Bytes)> {
        let transport = |source: reqwest::Error| Error::Transport {
            delivery: if source.is_connect() || source.is_builder() {
                Delivery::NotSent
            } else {
                Delivery::MaybeSent
            },
            source,
        };
        let response = self
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
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|source| Error::Transport {
            delivery: Delivery::MaybeSent,
            source,
        })?;
        if status != 200 {
            return Err(Error::Http {
                status,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
        match serde_json::from_slice(&body) {
            Ok(value) => Ok((value, body)),
            Err(source) => Err(Error::Decode { body, source }),
        }
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

    /// **Pay** on EPoint's hosted page: `POST /api/1/request`.
    ///
    /// Answers with `transaction` and `redirect_url`; send the customer there. The result
    /// arrives later as a callback (see [`crate::callback`]); or poll
    /// [`Client::get_transaction_status`].
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// let created = client.pay(dec!(30.75), "order-1001")
    ///     .description("2 coffees")
    ///     .success_redirect_url("https://shop.example/paid")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn pay(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, ops::PaymentRequest> {
        let order_id = order_id.into();
        self.call((|| {
            let (success, error) = self.redirect_defaults()?;
            built(
                types::PaymentRequest::builder()
                    .public_key(self.public_key()?)
                    .amount(money("amount", amount)?)
                    .currency(Currency::Azn)
                    .language(self.config.language)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .success_redirect_url(success)
                    .error_redirect_url(error),
            )
        })())
    }

    /// **Status** of a transaction: `POST /api/1/get-status`.
    ///
    /// Any payment state (`new`, `success`, `returned`, `error`, or a status EPoint adds) is
    /// `Ok`: read `status`. Only a rejected call (`server_error`, or `error` that names no
    /// transaction) is an `Err`. Read-only, so transport errors and HTTP 429/502/503/504 are
    /// retried automatically ([`Config::status_retries`], default 2).
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let state = client.get_transaction_status("te000000001").await?;
    /// if state.status == epoint_az::PaymentStatus::Success { /* ship it */ }
    /// # Ok(()) }
    /// ```
    pub fn get_transaction_status(
        &self,
        transaction: impl Into<String>,
    ) -> Call<'_, ops::GetStatus> {
        let transaction = transaction.into();
        self.call((|| {
            built(
                types::StatusRequest::builder()
                    .public_key(self.public_key()?)
                    .transaction(field::<types::TransactionId>("transaction", &transaction)?),
            )
        })())
    }

    /// **Save a card** without charging it: `POST /api/1/card-registration`.
    ///
    /// Answers with `card_id` and `redirect_url`. The card is usable once the customer
    /// completes the page (a callback with `operation_code` `001` follows). Use
    /// [`Call::for_payouts`] to register a card you will pay out to.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let card = client.save_card().description("Card for monthly plan").await?;
    /// # Ok(()) }
    /// ```
    pub fn save_card(&self) -> Call<'_, ops::CardRegistration> {
        self.call((|| {
            let (success, error) = self.redirect_defaults()?;
            built(
                types::CardRegistrationRequest::builder()
                    .public_key(self.public_key()?)
                    .language(self.config.language)
                    .success_redirect_url(success)
                    .error_redirect_url(error),
            )
        })())
    }

    /// **Charge a saved card**: `POST /api/1/execute-pay`. Synchronous: the answer is final
    /// and no callback follows. A decline is [`Error::Declined`] with the bank code.
    ///
    /// Moves money: never retried automatically. On a transport error with
    /// [`Error::may_have_reached_epoint`], check the status before trying again.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// let charge = client.pay_with_saved_card("ce000000001", dec!(9.99), "sub-2026-11").await?;
    /// # Ok(()) }
    /// ```
    pub fn pay_with_saved_card(
        &self,
        card_id: impl Into<String>,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, ops::ExecutePay> {
        let (card_id, order_id) = (card_id.into(), order_id.into());
        self.call((|| {
            built(
                types::ExecutePayRequest::builder()
                    .public_key(self.public_key()?)
                    .language(self.config.language)
                    .card_id(field::<types::CardId>("card_id", &card_id)?)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .amount(money("amount", amount)?)
                    .currency(Currency::Azn),
            )
        })())
    }

    /// **Pay and save the card** on the hosted page: `POST /api/1/card-registration-with-pay`.
    ///
    /// Answers with `transaction`, `card_id` and `redirect_url`; a callback with
    /// `operation_code` `200` follows.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// let first = client.pay_and_save_card(dec!(5.00), "sub-first").await?;
    /// # Ok(()) }
    /// ```
    pub fn pay_and_save_card(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, ops::CardRegistrationWithPay> {
        let order_id = order_id.into();
        self.call((|| {
            let (success, error) = self.redirect_defaults()?;
            built(
                types::CardRegistrationWithPayRequest::builder()
                    .public_key(self.public_key()?)
                    .language(self.config.language)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .amount(money("amount", amount)?)
                    .currency(Currency::Azn)
                    .success_redirect_url(success)
                    .error_redirect_url(error),
            )
        })())
    }

    /// **Pay out** to a saved card: `POST /api/1/refund-request`.
    ///
    /// **Despite the path's name this is a payout**: money goes from your EPoint balance to
    /// the card (registered with [`Call::for_payouts`]). To give a customer their money back
    /// for a payment, use [`Client::refund`] (`/api/1/reverse`). Synchronous; moves money;
    /// never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// let payout = client.payout("ce000000009", dec!(250.00), "payout-77").await?;
    /// # Ok(()) }
    /// ```
    pub fn payout(
        &self,
        card_id: impl Into<String>,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, ops::RefundRequest> {
        let (card_id, order_id) = (card_id.into(), order_id.into());
        self.call((|| {
            built(
                types::PayoutRequest::builder()
                    .public_key(self.public_key()?)
                    .language(self.config.language)
                    .card_id(field::<types::CardId>("card_id", &card_id)?)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .amount(money("amount", amount)?)
                    .currency(Currency::Azn),
            )
        })())
    }

    /// **Refund** a payment, in full: `POST /api/1/reverse`. Add [`Call::amount`] for a
    /// partial refund. (Not `/api/1/refund-request`, which is a payout: see
    /// [`Client::payout`].) Moves money; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// client.refund("te000000001").amount(dec!(10.00)).await?; // partial
    /// client.refund("te000000001").await?;                      // the rest
    /// # Ok(()) }
    /// ```
    pub fn refund(&self, transaction: impl Into<String>) -> Call<'_, ops::Reverse> {
        let transaction = transaction.into();
        self.call((|| {
            built(
                types::ReverseRequest::builder()
                    .public_key(self.public_key()?)
                    .language(self.config.language)
                    .transaction(field::<types::TransactionId>("transaction", &transaction)?)
                    .currency(Currency::Azn),
            )
        })())
    }

    /// **Split payment** on the hosted page: `POST /api/1/split-request`. `split_amount` of
    /// `amount` goes to the merchant `split_user` (e.g. `i000000002`).
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// let created = client.split_pay(dec!(100.00), "order-9", "i000000002", dec!(30.00)).await?;
    /// # Ok(()) }
    /// ```
    pub fn split_pay(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
        split_user: impl Into<String>,
        split_amount: Decimal,
    ) -> Call<'_, ops::SplitRequest> {
        let (order_id, split_user) = (order_id.into(), split_user.into());
        self.call((|| {
            let (success, error) = self.redirect_defaults()?;
            let (amount, split_amount) = split_amounts(amount, split_amount)?;
            built(
                types::SplitPaymentRequest::builder()
                    .public_key(self.public_key()?)
                    .amount(amount)
                    .split_user(field::<types::PublicKey>("split_user", &split_user)?)
                    .split_amount(split_amount)
                    .currency(Currency::Azn)
                    .language(self.config.language)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .success_redirect_url(success)
                    .error_redirect_url(error),
            )
        })())
    }

    /// **Split payment with a saved card**: `POST /api/1/split-execute-pay`. Synchronous,
    /// final, no callback; moves money; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// client.split_pay_with_saved_card("ce000000001", dec!(100.00), "order-10", "i000000002", dec!(30.00)).await?;
    /// # Ok(()) }
    /// ```
    pub fn split_pay_with_saved_card(
        &self,
        card_id: impl Into<String>,
        amount: Decimal,
        order_id: impl Into<String>,
        split_user: impl Into<String>,
        split_amount: Decimal,
    ) -> Call<'_, ops::SplitExecutePay> {
        let (card_id, order_id, split_user) = (card_id.into(), order_id.into(), split_user.into());
        self.call((|| {
            let (amount, split_amount) = split_amounts(amount, split_amount)?;
            built(
                types::SplitExecutePayRequest::builder()
                    .public_key(self.public_key()?)
                    .language(self.config.language)
                    .card_id(field::<types::CardId>("card_id", &card_id)?)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .amount(amount)
                    .split_user(field::<types::PublicKey>("split_user", &split_user)?)
                    .split_amount(split_amount)
                    .currency(Currency::Azn),
            )
        })())
    }

    /// **Split payment that also saves the card**, on the hosted page:
    /// `POST /api/1/split-card-registration-with-pay`.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// client.split_pay_and_save_card(dec!(100.00), "order-11", "i000000002", dec!(30.00)).await?;
    /// # Ok(()) }
    /// ```
    pub fn split_pay_and_save_card(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
        split_user: impl Into<String>,
        split_amount: Decimal,
    ) -> Call<'_, ops::SplitCardRegistrationWithPay> {
        let (order_id, split_user) = (order_id.into(), split_user.into());
        self.call((|| {
            let (success, error) = self.redirect_defaults()?;
            let (amount, split_amount) = split_amounts(amount, split_amount)?;
            built(
                types::SplitCardRegistrationWithPayRequest::builder()
                    .public_key(self.public_key()?)
                    .language(self.config.language)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .amount(amount)
                    .split_user(field::<types::PublicKey>("split_user", &split_user)?)
                    .split_amount(split_amount)
                    .currency(Currency::Azn)
                    .success_redirect_url(success)
                    .error_redirect_url(error),
            )
        })())
    }

    // ── group A methods: hosted-page variants, checkout, pre-authorisation, installments, heartbeat ──
    fn checkout_payload(&self, amount: Decimal, order_id: &str) -> Result<types::CheckoutRequest> {
        let (success, error) = self.redirect_defaults()?;
        built(
            types::CheckoutRequest::builder()
                .public_key(self.public_key()?)
                .amount(money("amount", amount)?)
                .currency(types::HostedPageCurrency::Azn)
                .language(self.config.language)
                .order_id(field::<types::OrderId>("order_id", order_id)?)
                .success_redirect_url(success)
                .error_redirect_url(error),
        )
    }

    /// **Checkout form** for the customer's browser: `POST /api/1/checkout`, sent by the
    /// browser, not by your server.
    ///
    /// Builds the signed `data` and `signature` of a payment (the payload of
    /// [`Client::pay`]); [`Call::form`] turns it into a [`CheckoutForm`] with the action URL
    /// and a ready auto-submitting HTML page. EPoint answers the browser's POST with a
    /// redirect to its card page; the result arrives as a callback. Nothing is sent from
    /// here: do not `.await` this call (your server would follow the redirect to an HTML
    /// page, which is a decode error).
    ///
    /// ```
    /// use epoint_az::{dec, HostedPageCurrency};
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i000000001", "k")).unwrap();
    /// let form = client
    ///     .checkout_form(dec!(30.75), "order-1001")
    ///     .currency(HostedPageCurrency::Azn)
    ///     .description("2 coffees")
    ///     .form()
    ///     .unwrap();
    /// assert_eq!(form.action, "https://epoint.az/api/1/checkout");
    /// assert!(form.html().contains(r#"name="signature""#));
    /// ```
    pub fn checkout_form(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, ops::Checkout> {
        let order_id = order_id.into();
        self.call(self.checkout_payload(amount, &order_id))
    }

    /// **Pay** on the hosted page through the developer site's path:
    /// `POST /api/1/payment-request`. The same payload and answer as [`Client::pay`]
    /// (`/api/1/request`), with the developer site's currencies ([`Call::currency`]).
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::{dec, HostedPageCurrency};
    /// let page = client.request_payment(dec!(30.75), "order-1002")
    ///     .currency(HostedPageCurrency::Usd)
    ///     .await?;
    /// println!("send the customer to {}", page.redirect_url);
    /// # Ok(()) }
    /// ```
    pub fn request_payment(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, ops::DeveloperPaymentRequest> {
        let order_id = order_id.into();
        self.call(self.checkout_payload(amount, &order_id))
    }

    /// **Pay with American Express** on the hosted page: `POST /api/1/amex-request`
    /// (developer site only; the merchant needs AMEX enabled). Answers like [`Client::pay`].
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let page = client.pay_with_amex(epoint_az::dec!(120), "order-amex-1").await?;
    /// # Ok(()) }
    /// ```
    pub fn pay_with_amex(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, ops::AmexRequest> {
        let order_id = order_id.into();
        self.call(self.checkout_payload(amount, &order_id))
    }

    /// **Re-price an unpaid order**: `POST /api/1/payment-change-sum` (developer site only).
    /// `order_id` names an order created on the hosted page that the customer has not paid
    /// yet; `amount` is its new price. Returns EPoint's answer itself: `redirect_url` is the
    /// page to send the customer to (no `transaction` is documented).
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let answer = client.change_payment_amount(epoint_az::dec!(25.00), "order-1002").await?;
    /// println!("{:?}", answer.redirect_url);
    /// # Ok(()) }
    /// ```
    pub fn change_payment_amount(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, ops::PaymentChangeSum> {
        let order_id = order_id.into();
        self.call(self.checkout_payload(amount, &order_id))
    }

    /// **Pre-authorise** (hold) an amount on the hosted page: `POST /api/1/pre-auth-request`.
    ///
    /// Answers with `transaction` and `redirect_url` like [`Client::pay`]; after the page the
    /// money is only held until you capture it with [`Client::complete_pre_authorization`].
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let hold = client.pre_authorize(epoint_az::dec!(50.00), "booking-7").await?;
    /// println!("send the customer to {}", hold.redirect_url);
    /// # Ok(()) }
    /// ```
    pub fn pre_authorize(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, ops::PreAuthRequest> {
        let order_id = order_id.into();
        self.call((|| {
            let (success, error) = self.redirect_defaults()?;
            built(
                types::PreAuthRequest::builder()
                    .public_key(self.public_key()?)
                    .amount(money("amount", amount)?)
                    .currency(Currency::Azn)
                    .language(self.config.language)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .success_redirect_url(success)
                    .error_redirect_url(error),
            )
        })())
    }

    /// **Capture a pre-authorisation**: `POST /api/1/pre-auth-complete`. `amount` is what
    /// you take, at most the held amount (the sandbox releases the rest). Moves money: never
    /// retried automatically. Returns EPoint's answer (`status`, `message`, `transaction`).
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let done = client.complete_pre_authorization("te000000001", epoint_az::dec!(45.00)).await?;
    /// println!("{:?}", done.message);
    /// # Ok(()) }
    /// ```
    pub fn complete_pre_authorization(
        &self,
        transaction: impl Into<String>,
        amount: Decimal,
    ) -> Call<'_, ops::PreAuthComplete> {
        let transaction = transaction.into();
        self.call((|| {
            built(
                types::PreAuthCompleteRequest::builder()
                    .public_key(self.public_key()?)
                    .transaction(field::<types::TransactionId>("transaction", &transaction)?)
                    .amount(money("amount", amount)?),
            )
        })())
    }

    /// **Installment options** for an order: `POST /api/1/get-installment-request`
    /// (developer site only). EPoint answers a JSON array of installment cards and their
    /// month counts; pass one to [`Client::pay_in_installments`].
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let offer = client.installment_options("tv-1").amount(epoint_az::dec!(600)).await?;
    /// println!("{} cards", offer.options.len());
    /// # Ok(()) }
    /// ```
    pub fn installment_options(
        &self,
        order_id: impl Into<String>,
    ) -> Call<'_, ops::GetInstallmentRequest> {
        let order_id = order_id.into();
        self.call((|| {
            built(
                types::InstallmentOptionsRequest::builder()
                    .public_key(self.public_key()?)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .currency(types::HostedPageCurrency::Azn)
                    .language(self.config.language),
            )
        })())
    }

    /// **Pay in installments** on the hosted page: `POST /api/1/installment-request`
    /// (developer site only), with an `installment_card_id` and a month count from
    /// [`Client::installment_options`]. Answers like [`Client::pay`].
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let page = client.pay_in_installments(epoint_az::dec!(600), "tv-1", "1", 6).await?;
    /// # Ok(()) }
    /// ```
    pub fn pay_in_installments(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
        installment_card_id: impl Into<String>,
        installment_month: u32,
    ) -> Call<'_, ops::InstallmentRequest> {
        let (order_id, card) = (order_id.into(), installment_card_id.into());
        self.call((|| {
            let (success, error) = self.redirect_defaults()?;
            let months = std::num::NonZeroU64::new(u64::from(installment_month))
                .ok_or_else(|| Error::invalid("installment_month", "must be at least 1"))?;
            built(
                types::InstallmentPaymentRequest::builder()
                    .public_key(self.public_key()?)
                    .amount(money("amount", amount)?)
                    .currency(types::HostedPageCurrency::Azn)
                    .language(self.config.language)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .installment_card_id(field::<types::InstallmentCardId>(
                        "installment_card_id",
                        &card,
                    )?)
                    .installment_month(months)
                    .success_redirect_url(success)
                    .error_redirect_url(error),
            )
        })())
    }

    /// **Heartbeat**: `GET /api/heartbeat`, unsigned. `Ok` when EPoint answers
    /// `{"status":"ok"}`; any other status is [`Error::UnexpectedStatus`]. Read-only.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// client.heartbeat().await?;
    /// # Ok(()) }
    /// ```
    pub async fn heartbeat(&self) -> Result<types::HeartbeatResponse> {
        let started = Instant::now();
        let result = match self.raw.heartbeat().await {
            Ok(answer) => {
                let answer = answer.into_inner();
                if answer.status.as_str() == "ok" {
                    Ok(answer)
                } else {
                    Err(Error::UnexpectedStatus {
                        status: answer.status.clone(),
                        response: Box::new(
                            serde_json::to_value(&answer).unwrap_or(serde_json::Value::Null),
                        ),
                    })
                }
            }
            Err(e) => Err(from_progenitor(e).await),
        };
        tracing::debug!(
            target: "epoint_az",
            operation = "heartbeat",
            elapsed_ms = started.elapsed().as_millis() as u64,
            ok = result.is_ok(),
            "EPoint call finished"
        );
        result
    }
    // ── end of group A ──

    // ── group B methods: wallets, invoices, saved-card status, widget ──
    /// **Wallets** the merchant can take payments from: `POST /api/1/wallet/status`.
    ///
    /// The answer's shape is uncertain (a bare map of id to name was seen; one client reads a
    /// `wallets` field): [`crate::WalletList`] reads both and keeps the raw answer. Read-only.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let list = client.wallets().await?;
    /// let m10 = list.wallets.iter().find(|w| w.name == "M10");
    /// # Ok(()) }
    /// ```
    pub fn wallets(&self) -> Call<'_, ops::WalletStatus> {
        self.call((|| {
            built(types::WalletStatusRequest::builder().public_key(self.public_key()?))
        })())
    }

    /// **Pay from an e-wallet** on EPoint's hosted page: `POST /api/1/wallet/payment`.
    /// `wallet_id` comes from [`Client::wallets`]. Answers with `transaction` and
    /// `redirect_url`; the result arrives as a callback.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// let page = client.pay_with_wallet("9", dec!(12.50), "order-12").description("Tea").await?;
    /// println!("send the customer to {}", page.redirect_url);
    /// # Ok(()) }
    /// ```
    pub fn pay_with_wallet(
        &self,
        wallet_id: impl Into<String>,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, ops::WalletPayment> {
        let (wallet_id, order_id) = (wallet_id.into(), order_id.into());
        self.call((|| {
            built(
                types::WalletPaymentRequest::builder()
                    .public_key(self.public_key()?)
                    .wallet_id(field::<types::WalletId>("wallet_id", &wallet_id)?)
                    .amount(money("amount", amount)?)
                    .currency(Currency::Azn)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .language(self.config.language),
            )
        })())
    }

    /// **Create an invoice**: `POST /api/1/invoices/create`. `sum` is due between
    /// `period_from` and `period_to` (`YYYY-MM-DD`). Displayed (`display: 1`) and not a
    /// template (`save_as_template: 0`) unless set otherwise. A new invoice is
    /// `waiting_for_payment`. (The document's `invoice_images[]` files cannot be sent.)
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// let invoice = client
    ///     .create_invoice(dec!(150.00), "2026-12-01", "2026-12-31")
    ///     .name("Consulting, December")
    ///     .email("customer@example.com")
    ///     .await?;
    /// client.send_invoice_email(invoice.id, "customer@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub fn create_invoice(
        &self,
        sum: Decimal,
        period_from: impl Into<String>,
        period_to: impl Into<String>,
    ) -> Call<'_, ops::InvoicesCreate> {
        let (from, to) = (period_from.into(), period_to.into());
        self.call((|| {
            built(
                types::InvoiceRequest::builder()
                    .public_key(self.public_key()?)
                    .sum(money("sum", sum)?)
                    .display(crate::Flag::from(true))
                    .save_as_template(crate::Flag::from(false))
                    .period_from(invoice_date("period_from", &from)?)
                    .period_to(invoice_date("period_to", &to)?),
            )
        })())
    }

    /// **Update an invoice**: `POST /api/1/invoices/update`. Replaces the invoice: send every
    /// field again (the same optional setters as [`Client::create_invoice`]).
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// client.update_invoice(1, dec!(200.00), "2026-12-01", "2026-12-31").name("Consulting").await?;
    /// # Ok(()) }
    /// ```
    pub fn update_invoice(
        &self,
        id: u64,
        sum: Decimal,
        period_from: impl Into<String>,
        period_to: impl Into<String>,
    ) -> Call<'_, ops::InvoicesUpdate> {
        let (from, to) = (period_from.into(), period_to.into());
        self.call((|| {
            built(
                types::InvoiceUpdateRequest::builder()
                    .public_key(self.public_key()?)
                    .id(id)
                    .sum(money("sum", sum)?)
                    .display(crate::Flag::from(true))
                    .save_as_template(crate::Flag::from(false))
                    .period_from(invoice_date("period_from", &from)?)
                    .period_to(invoice_date("period_to", &to)?),
            )
        })())
    }

    /// **View an invoice** and its state (`waiting_for_payment`, `paid`, `canceled`…):
    /// `POST /api/1/invoices/view`. Read-only.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let seen = client.view_invoice(1).await?;
    /// let paid = seen.invoice.and_then(|i| i.status).as_deref() == Some("paid");
    /// # Ok(()) }
    /// ```
    pub fn view_invoice(&self, id: u64) -> Call<'_, ops::InvoicesView> {
        self.call((|| {
            built(
                types::InvoiceViewRequest::builder()
                    .public_key(self.public_key()?)
                    .id(id),
            )
        })())
    }

    /// **List invoices**: `POST /api/1/invoices/list`; narrow with
    /// [`Call::invoice_type`] and sort with [`Call::order`]. Read-only.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::generated::types::InvoiceType;
    /// let list = client.list_invoices().invoice_type(InvoiceType::Outgoing).order("desc").await?;
    /// for invoice in list.invoices { println!("{:?} {:?}", invoice.id, invoice.status); }
    /// # Ok(()) }
    /// ```
    pub fn list_invoices(&self) -> Call<'_, ops::InvoicesList> {
        self.call((|| {
            built(types::InvoiceListRequest::builder().public_key(self.public_key()?))
        })())
    }

    /// **Send an invoice by SMS** to `phone`: `POST /api/1/invoices/send-sms`.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// client.send_invoice_sms(1, "+994501234567").await?;
    /// # Ok(()) }
    /// ```
    pub fn send_invoice_sms(
        &self,
        id: u64,
        phone: impl Into<String>,
    ) -> Call<'_, ops::InvoicesSendSms> {
        let phone = phone.into();
        self.call((|| {
            built(
                types::InvoiceSendSmsRequest::builder()
                    .public_key(self.public_key()?)
                    .id(id)
                    .phone(field::<types::InvoicePhone>("phone", &phone)?),
            )
        })())
    }

    /// **Send an invoice by email** to `email`: `POST /api/1/invoices/send-email`.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// client.send_invoice_email(1, "customer@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub fn send_invoice_email(
        &self,
        id: u64,
        email: impl Into<String>,
    ) -> Call<'_, ops::InvoicesSendEmail> {
        let email = email.into();
        self.call((|| {
            built(
                types::InvoiceSendEmailRequest::builder()
                    .public_key(self.public_key()?)
                    .id(id)
                    .email(field::<types::InvoiceEmail>("email", &email)?),
            )
        })())
    }

    /// **A saved card's state**: `POST /api/1/get-status-card` (EPoint's developer site; not in
    /// the PDF). Every card state (`pending`, `active`, `rejected`, `expired`…) is `Ok`; only a
    /// rejected call is an `Err`. Read-only, so retried like [`Client::get_transaction_status`].
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let card = client.get_card_status("ce000000001").await?;
    /// if card.is_active() { /* charge it with pay_with_saved_card */ }
    /// # Ok(()) }
    /// ```
    pub fn get_card_status(&self, card_id: impl Into<String>) -> Call<'_, ops::GetStatusCard> {
        let card_id = card_id.into();
        self.call((|| {
            built(
                types::CardStatusRequest::builder()
                    .public_key(self.public_key()?)
                    .card_id(field::<types::CardId>("card_id", &card_id)?),
            )
        })())
    }

    /// **Apple Pay / Google Pay widget**: `POST /api/1/token/widget`. All three arguments are
    /// required (no language, no currency). Open `widget_url` in an iframe or web view; the
    /// result arrives as a callback. (EPoint's document shows GET in one sample; POST is what
    /// its heading and every client use.)
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// let widget = client.create_widget(dec!(2.50), "order-7", "Coffee").await?;
    /// # Ok(()) }
    /// ```
    pub fn create_widget(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
        description: impl Into<String>,
    ) -> Call<'_, ops::TokenWidget> {
        let (order_id, description) = (order_id.into(), description.into());
        self.call((|| {
            built(
                types::WidgetRequest::builder()
                    .public_key(self.public_key()?)
                    .amount(money("amount", amount)?)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .description(field::<types::Description>("description", &description)?),
            )
        })())
    }
    // ── end of group B ──

    // ── group C methods: Apple Pay / Google Pay tokens, token split payment, B2B transfers ──
    /// **Create a token payment** for Apple Pay / Google Pay: `POST /api/1/token/payment`.
    ///
    /// Hand the answer's `id` (and amount) to the EPoint JS SDK (`initTokenPay`), then finish
    /// with [`Client::apple_pay`] or [`Client::google_pay`]. EPoint's success answer has **no
    /// `status`**: it is the payment object; an answer with `status` `error`/`server_error` is
    /// [`Error::Rejected`].
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let payment = client.create_token_payment(epoint_az::dec!(2.50), "order-7", "Coffee").await?;
    /// println!("payment {} ({:?})", payment.id, payment.answer.transaction);
    /// # Ok(()) }
    /// ```
    pub fn create_token_payment(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
        description: impl Into<String>,
    ) -> Call<'_, ops::TokenPayment> {
        let (order_id, description) = (order_id.into(), description.into());
        self.call((|| {
            built(
                types::TokenPaymentRequest::builder()
                    .public_key(self.public_key()?)
                    .amount(money("amount", amount)?)
                    .currency(Currency::Azn)
                    .language(self.config.language)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .description(field::<types::Description>("description", &description)?),
            )
        })())
    }

    /// **Apple Pay merchant session**: `POST /api/1/token/apple/session` with the `Origin` of
    /// the page showing the button. Return `.session` to the browser unchanged.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let session = client.apple_pay_session("https://shop.example.com").await?;
    /// let json_for_the_browser = session.session;
    /// # Ok(()) }
    /// ```
    pub fn apple_pay_session(&self, origin: impl Into<String>) -> Call<'_, ops::ApplePaySession> {
        let origin = origin.into();
        self.call((|| {
            check_url(&origin).map_err(|reason| Error::invalid("origin", reason))?;
            built(
                types::ApplePaySessionRequest::builder()
                    .public_key(self.public_key()?)
                    .origin(origin.clone()),
            )
        })())
    }

    /// **Pay with Apple Pay**: `POST /api/1/token/apple/pay`. `id` is the token payment's
    /// ([`Client::create_token_payment`]); `token` is what the EPoint JS SDK posted to your
    /// backend, passed through unchanged, and `billing_contact` its `billingContact` (sent as
    /// `billingContact`, camelCase; `None` leaves it out).
    /// `success` is `Ok`; anything else is [`Error::Rejected`] with EPoint's whole answer.
    /// Moves money; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client, token: serde_json::Value) -> epoint_az::Result<()> {
    /// let paid = client.apple_pay(9998887, token, None).await?;
    /// if let Some(url) = paid.redirect_url.filter(|u| !u.is_empty()) { /* 3-D Secure */ }
    /// # Ok(()) }
    /// ```
    pub fn apple_pay(
        &self,
        id: i64,
        token: serde_json::Value,
        billing_contact: Option<serde_json::Value>,
    ) -> Call<'_, ops::ApplePay> {
        self.call(self.token_pay(id, token, billing_contact))
    }

    /// **Pay with Google Pay**: `POST /api/1/token/google/pay`; as [`Client::apple_pay`].
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client, token: serde_json::Value) -> epoint_az::Result<()> {
    /// let paid = client.google_pay(9998887, token, None).await?;
    /// println!("{:?}", paid.message);
    /// # Ok(()) }
    /// ```
    pub fn google_pay(
        &self,
        id: i64,
        token: serde_json::Value,
        billing_contact: Option<serde_json::Value>,
    ) -> Call<'_, ops::GooglePay> {
        self.call(self.token_pay(id, token, billing_contact))
    }

    fn token_pay(
        &self,
        id: i64,
        token: serde_json::Value,
        billing_contact: Option<serde_json::Value>,
    ) -> Result<types::TokenPayRequest> {
        if token.is_null() {
            return Err(Error::invalid("token", "is empty"));
        }
        built(
            types::TokenPayRequest::builder()
                .public_key(self.public_key()?)
                .id(id)
                .token(token)
                .billing_contact(billing_contact),
        )
    }

    /// **Token split payment**: `POST /api/1/token/split-payment` (known only from the
    /// `epoint` 0.4.0 Python client; **its answer is unknown**, so every field of the answer is
    /// optional and unknown ones are kept in `.extra`). `success` or no `status` is `Ok`.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let answer = client.token_split_pay(epoint_az::dec!(100), "order-12", "i000000002", epoint_az::dec!(30)).await?;
    /// println!("{:?} {:?}", answer.transaction, answer.extra);
    /// # Ok(()) }
    /// ```
    pub fn token_split_pay(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
        split_user: impl Into<String>,
        split_amount: Decimal,
    ) -> Call<'_, ops::TokenSplitPayment> {
        let (order_id, split_user) = (order_id.into(), split_user.into());
        self.call((|| {
            let (success, error) = self.redirect_defaults()?;
            let (amount, split_amount) = split_amounts(amount, split_amount)?;
            built(
                types::TokenSplitPaymentRequest::builder()
                    .public_key(self.public_key()?)
                    .amount(amount)
                    .split_user(field::<types::PublicKey>("split_user", &split_user)?)
                    .split_amount(split_amount)
                    .currency(Currency::Azn)
                    .language(self.config.language)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?)
                    .success_redirect_url(success)
                    .error_redirect_url(error),
            )
        })())
    }

    /// **B2B bank transfer**: `POST /api/1/b2b/payment`, sent as a signed **JSON** envelope
    /// (`{"data","signature"}`), not a form. EPoint answers with real HTTP status codes: a
    /// refusal is [`Error::Http`] with EPoint's JSON body kept; HTTP 200 with `status` `error`
    /// is [`Error::Rejected`]. Accepted is not settled: read [`Client::b2b_transfer_status`].
    ///
    /// **The settlement webhook sent to `webhook_url` is UNSIGNED**: anyone can forge it.
    /// Confirm it with [`Client::confirm_b2b_webhook`], which trusts only EPoint's status.
    /// Moves money; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::{B2bTransferRequest, dec};
    /// let transfer = B2bTransferRequest::new(dec!(1500), "b2b-1", "Invoice 42",
    ///     "AZ21NABZ00000000137010001944", "Supplier LLC", "1234567892", "505000");
    /// let accepted = client.b2b_transfer(&transfer).await?;
    /// println!("bulk {:?}", accepted.bulk_id);
    /// # Ok(()) }
    /// ```
    pub async fn b2b_transfer(
        &self,
        transfer: &crate::B2bTransferRequest,
    ) -> Result<crate::B2bTransfer> {
        let payload = transfer.payload(self.keys.public_key())?;
        let envelope = self
            .keys
            .seal(&payload)
            .map_err(|e| Error::invalid("payload", e))?;
        let answer = match self.raw.b2b_payment(&envelope).await {
            Ok(answer) => answer.into_inner(),
            Err(e) => return Err(from_progenitor(e).await),
        };
        check_status(AnswerKind::Plain, &answer)?;
        Ok(crate::B2bTransfer {
            order_id: answer
                .order_id
                .clone()
                .unwrap_or_else(|| payload.order_id.to_string()),
            bulk_id: answer.bulk_id.clone(),
            answer,
        })
    }

    /// **B2B transfer state**: `GET /api/1/b2b/payment/{order_id}`, unsigned. `PENDING`,
    /// `PROCESSING`, `SUCCESS`, `FAILED` (or a state EPoint adds) are `Ok`; `status` `error`
    /// (unknown `order_id`) is [`Error::Rejected`]; HTTP 404 is [`Error::Http`] with the body.
    /// Read-only: this is the trustworthy way to learn a transfer's outcome.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let state = client.b2b_transfer_status("b2b-1").await?;
    /// println!("{:?} webhook sent: {:?}", state.state, state.answer.webhook_sent);
    /// # Ok(()) }
    /// ```
    pub async fn b2b_transfer_status(&self, order_id: &str) -> Result<crate::B2bTransferStatus> {
        if order_id.is_empty() || order_id.chars().count() > 255 {
            return Err(Error::invalid("order_id", "must have 1 to 255 characters"));
        }
        let answer = match self.raw.b2b_payment_status(order_id).await {
            Ok(answer) => answer.into_inner(),
            Err(e) => return Err(from_progenitor(e).await),
        };
        if matches!(
            answer.status,
            PaymentStatus::Error | PaymentStatus::ServerError
        ) {
            return Err(Error::Rejected {
                status: answer.status.clone(),
                message: answer.message.clone().unwrap_or_default(),
                response: Box::new(serde_json::to_value(&answer).unwrap_or_default()),
            });
        }
        Ok(crate::B2bTransferStatus {
            state: crate::B2bTransferState::from(answer.status.as_str()),
            answer,
        })
    }

    /// **Confirms a B2B webhook**, which EPoint sends **UNSIGNED**: parses the body (JSON
    /// `{order_id, status, amount, payee_iban, payee_name, error_message}`), then re-reads the
    /// transfer with [`Client::b2b_transfer_status`]. Act on `.confirmed` only; `.agrees` tells
    /// whether the webhook said the same. A body that is not a webhook is
    /// [`Error::InvalidInput`] (field `webhook`), and nothing is sent.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client, body: &[u8]) -> epoint_az::Result<()> {
    /// let check = client.confirm_b2b_webhook(body).await?;
    /// if check.confirmed.state == epoint_az::B2bTransferState::Success { /* pay the invoice */ }
    /// # Ok(()) }
    /// ```
    pub async fn confirm_b2b_webhook(&self, body: &[u8]) -> Result<crate::B2bWebhookCheck> {
        let webhook: types::B2bWebhookPayload =
            serde_json::from_slice(body).map_err(|e| Error::invalid("webhook", e))?;
        let confirmed = self.b2b_transfer_status(&webhook.order_id).await?;
        let agrees = crate::B2bTransferState::from(webhook.status.as_str()) == confirmed.state;
        Ok(crate::B2bWebhookCheck {
            webhook,
            confirmed,
            agrees,
        })
    }
    // ── end of group C ──
}

/// A prepared, not yet sent, call to one EPoint operation.
///
/// Set optional fields with its methods, then `.await` it to send. An invalid argument
/// makes the call fail before anything is sent. [`Call::preview`] shows the exact request.
#[must_use = "a Call does nothing until it is awaited (or sent with `.send()`)"]
pub struct Call<'c, O: Operation> {
    client: &'c Client,
    payload: Result<O::Payload>,
}

impl<O: Operation> fmt::Debug for Call<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("payload", &self.payload)
            .finish_non_exhaustive()
    }
}

/// Exactly what a call would send, without sending it (a dry run).
///
/// ```
/// use epoint_az::dec;
/// let client = epoint_az::Client::new(epoint_az::Config::new("i000000001", "test_private_key")).unwrap();
/// let preview = client.pay(dec!(30.75), "1").description("test payment").preview().unwrap();
/// assert_eq!(preview.url, "https://epoint.az/api/1/request");
/// assert_eq!(preview.payload["amount"], "30.75");
/// assert!(preview.form_body.starts_with("data="));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Preview {
    /// The operation (its `operationId` is `operation.operation_id()`).
    pub operation: crate::OperationId,
    /// Always `POST`.
    pub method: &'static str,
    /// The path, e.g. `/api/1/request`.
    pub path: &'static str,
    /// The full URL.
    pub url: String,
    /// The decoded payload (what `data` carries).
    pub payload: serde_json::Value,
    /// The exact JSON text inside `data`.
    pub json: String,
    /// The two form fields.
    pub envelope: SignedEnvelope,
    /// The exact `application/x-www-form-urlencoded` body.
    pub form_body: String,
}

impl<'c, O: Operation> Call<'c, O> {
    /// The payload as it stands, or the first invalid argument.
    ///
    /// ```
    /// # use epoint_az::dec;
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let call = client.pay(dec!(0), "1");
    /// assert!(matches!(call.payload(), Err(epoint_az::Error::InvalidInput { field: "amount", .. })));
    /// ```
    pub fn payload(&self) -> Result<&O::Payload, &Error> {
        self.payload.as_ref()
    }

    /// Computes the exact request (URL, JSON, `data`, `signature`, form body) without
    /// sending it. Fails like `send` would on invalid arguments.
    ///
    /// ```
    /// # use epoint_az::dec;
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let p = client.refund("te000000001").preview().unwrap();
    /// assert_eq!(p.path, "/api/1/reverse");
    /// ```
    pub fn preview(&self) -> Result<Preview> {
        let payload = self.payload.as_ref().map_err(clone_invalid)?;
        let json = serde_json::to_string(payload).map_err(|e| Error::invalid("payload", e))?;
        let envelope = self.client.keys.seal_json(json.as_bytes());
        Ok(Preview {
            operation: O::ID,
            method: "POST",
            path: O::ID.path(),
            url: format!("{}{}", self.client.raw.baseurl(), O::ID.path()),
            payload: serde_json::from_str(&json).map_err(|e| Error::invalid("payload", e))?,
            form_body: form_body(&envelope),
            json,
            envelope,
        })
    }

    /// Signs and sends the call, and reads EPoint's answer (see [`Error`] for failures).
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let status = client.get_transaction_status("te000000001").send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<O::Output> {
        let client = self.client;
        let envelope = client
            .keys
            .seal(&self.payload?)
            .map_err(|e| Error::invalid("payload", e))?;
        let started = Instant::now();
        // Only read-only status queries are repeated; everything else is sent exactly once.
        let retries = match O::KIND {
            AnswerKind::Status => client.config.status_retries,
            _ => 0,
        };
        let mut attempt: u8 = 0;
        let result = loop {
            let result = exchange::<O>(&client.raw, &envelope).await;
            match &result {
                Err(e) if attempt < retries && is_retryable(e) => {
                    attempt += 1;
                    tracing::debug!(target: "epoint_az", operation = O::ID.operation_id(), attempt, error = %e, "retrying a status query");
                    tokio::time::sleep(Duration::from_millis(100 << attempt.min(4))).await;
                }
                _ => break result,
            }
        };
        tracing::debug!(
            target: "epoint_az",
            operation = O::ID.operation_id(),
            path = O::ID.path(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            attempts = u32::from(attempt) + 1,
            ok = result.is_ok(),
            may_have_reached_epoint = result.as_ref().err().map(Error::may_have_reached_epoint),
            "EPoint call finished"
        );
        result
    }

    fn set<V, E: fmt::Display>(
        mut self,
        name: &'static str,
        value: std::result::Result<V, E>,
        apply: impl FnOnce(&mut O::Payload, V),
    ) -> Self {
        if let Ok(payload) = &mut self.payload {
            match value {
                Ok(v) => apply(payload, v),
                Err(e) => self.payload = Err(Error::invalid(name, e)),
            }
        }
        self
    }
}

impl<'c, O: Operation> IntoFuture for Call<'c, O> {
    type Output = Result<O::Output>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

fn clone_invalid(e: &Error) -> Error {
    match e {
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field,
            reason: reason.clone(),
        },
        other => Error::invalid("payload", other),
    }
}

/// Setters shared by several payloads, generated for each payload that has the field.
macro_rules! setters {
    ($($payload:ident: [$($setter:ident),* $(,)?];)*) => {$(
        impl<'c> Call<'c, ops::$payload> {
            $(setters!(@$setter);)*
        }
    )*};
    (@description) => {
        /// Free text shown to the customer (at most 1000 characters).
        ///
        /// ```
        /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
        /// let call = client.save_card().description("Card for the monthly plan");
        /// ```
        pub fn description(self, description: impl Into<String>) -> Self {
            self.set("description", field("description", &description.into()), |p, v| p.description = Some(v))
        }
    };
    (@language) => {
        /// Language of EPoint's pages for this call (default: the config's).
        ///
        /// ```
        /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
        /// let call = client.save_card().language(epoint_az::Language::En);
        /// ```
        pub fn language(self, language: Language) -> Self {
            self.set("language", Ok::<_, Error>(language), |p, v| p.language = v)
        }
    };
    (@redirects) => {
        /// Where the customer's browser goes after a successful payment (absolute http(s) URL).
        ///
        /// ```
        /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
        /// let call = client.save_card().success_redirect_url("https://shop.example/ok");
        /// ```
        pub fn success_redirect_url(self, url: impl Into<String>) -> Self {
            self.set("success_redirect_url", redirect_url("success_redirect_url", &url.into()), |p, v| p.success_redirect_url = Some(v))
        }

        /// Where the customer's browser goes after a failed payment (absolute http(s) URL).
        ///
        /// ```
        /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
        /// let call = client.save_card().error_redirect_url("https://shop.example/failed");
        /// ```
        pub fn error_redirect_url(self, url: impl Into<String>) -> Self {
            self.set("error_redirect_url", redirect_url("error_redirect_url", &url.into()), |p, v| p.error_redirect_url = Some(v))
        }
    };
    (@other_attr) => {
        /// Extra data (a JSON object) that EPoint echoes back in the callback.
        ///
        /// ```
        /// # use epoint_az::dec;
        /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
        /// let call = client.pay(dec!(1), "o").other_attr(serde_json::json!({"cart": "42"}));
        /// ```
        pub fn other_attr(self, attrs: serde_json::Value) -> Self {
            let value = match attrs {
                serde_json::Value::Object(map) => Ok(types::OtherAttr(map)),
                other => Err(format!("must be a JSON object, got {other}")),
            };
            self.set("other_attr", value, |p, v| p.other_attr = Some(v))
        }
    };
}

setters! {
    PaymentRequest: [description, language, redirects, other_attr];
    CardRegistration: [description, language, redirects];
    ExecutePay: [description, language];
    CardRegistrationWithPay: [description, language, redirects];
    RefundRequest: [description, language];
    Reverse: [language];
    SplitRequest: [description, language, redirects, other_attr];
    SplitExecutePay: [description, language];
    SplitCardRegistrationWithPay: [description, language, redirects];
    // ── group A setters: hosted-page variants, checkout, pre-authorisation, installments, heartbeat ──
    Checkout: [description, language, redirects, other_attr];
    DeveloperPaymentRequest: [description, language, redirects, other_attr];
    AmexRequest: [description, language, redirects, other_attr];
    PaymentChangeSum: [description, language, redirects, other_attr];
    PreAuthRequest: [description, language, redirects, other_attr];
    GetInstallmentRequest: [description, language, other_attr];
    InstallmentRequest: [description, language, redirects, other_attr];
    // ── end of group A ──

    // ── group B setters: wallets, invoices, saved-card status, widget ──
    WalletPayment: [description, language];
    InvoicesCreate: [description];
    InvoicesUpdate: [description];
    // ── end of group B ──

    // ── group C setters: Apple Pay / Google Pay tokens, token split payment, B2B transfers ──
    TokenSplitPayment: [description, language, redirects, other_attr];
    // ── end of group C ──
}

impl Call<'_, ops::PaymentRequest> {
    /// Ask for an installment payment (`is_installment: 1`).
    ///
    /// ```
    /// # use epoint_az::dec;
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let p = client.pay(dec!(600), "tv-1").installment(true).preview().unwrap();
    /// assert_eq!(p.payload["is_installment"], 1);
    /// ```
    pub fn installment(self, installment: bool) -> Self {
        self.set(
            "is_installment",
            Ok::<_, Error>(crate::Flag::from(installment)),
            |p, v| p.is_installment = Some(v),
        )
    }
}

impl Call<'_, ops::CardRegistration> {
    /// Register the card for payouts ([`Client::payout`]) instead of charges (`refund: 1`).
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let p = client.save_card().for_payouts(true).preview().unwrap();
    /// assert_eq!(p.payload["refund"], 1);
    /// ```
    pub fn for_payouts(self, payouts: bool) -> Self {
        self.set(
            "refund",
            Ok::<_, Error>(crate::Flag::from(payouts)),
            |p, v| p.refund = Some(v),
        )
    }
}

impl Call<'_, ops::Reverse> {
    /// Refund only this much (a partial refund); without it the whole payment is refunded.
    ///
    /// ```
    /// # use epoint_az::dec;
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let p = client.refund("te1").amount(dec!(5.50)).preview().unwrap();
    /// assert_eq!(p.payload["amount"], "5.50");
    /// ```
    pub fn amount(self, amount: Decimal) -> Self {
        self.set("amount", Money::new(amount), |p, v| p.amount = Some(v))
    }
}

// ── group A Call impls: hosted-page variants, checkout, pre-authorisation, installments, heartbeat ──

/// The currency setter of the operations whose source lists the developer site's currencies.
macro_rules! hosted_page_currency {
    ($($op:ident),* $(,)?) => {$(
        impl Call<'_, ops::$op> {
            /// Payment currency: `AZN` (the default), or `USD`, `EUR`, `RUB`, which only the
            /// developer site lists; use them only if your merchant account has them.
            ///
            /// ```
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let p = client
            ///     .request_payment(epoint_az::dec!(10), "o-1")
            ///     .currency(epoint_az::HostedPageCurrency::Eur)
            ///     .preview()
            ///     .unwrap();
            /// assert_eq!(p.payload["currency"], "EUR");
            /// ```
            pub fn currency(self, currency: types::HostedPageCurrency) -> Self {
                self.set("currency", Ok::<_, Error>(currency), |p, v| p.currency = v)
            }
        }
    )*};
}

hosted_page_currency!(
    Checkout,
    DeveloperPaymentRequest,
    AmexRequest,
    PaymentChangeSum,
    GetInstallmentRequest,
    InstallmentRequest,
);

impl Call<'_, ops::GetInstallmentRequest> {
    /// The order's amount, so that EPoint can offer what fits it (optional).
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let p = client.installment_options("o-1").amount(epoint_az::dec!(600)).preview().unwrap();
    /// assert_eq!(p.payload["amount"], "600.00");
    /// ```
    pub fn amount(self, amount: Decimal) -> Self {
        self.set("amount", Money::new(amount), |p, v| p.amount = Some(v))
    }
}

impl Call<'_, ops::Checkout> {
    /// The signed form the customer's browser posts to `/api/1/checkout`, without sending
    /// anything. Fails like `send` would on invalid arguments.
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i000000001", "k")).unwrap();
    /// let form = client.checkout_form(epoint_az::dec!(5), "o-1").form().unwrap();
    /// assert_eq!(form.data.len() % 4, 0);
    /// assert_eq!(form.signature.len(), 28);
    /// ```
    pub fn form(&self) -> Result<CheckoutForm> {
        let preview = self.preview()?;
        Ok(CheckoutForm {
            action: preview.url,
            data: preview.envelope.data,
            signature: preview.envelope.signature,
        })
    }
}

/// A signed checkout form for the customer's browser ([`Client::checkout_form`]): POST
/// `data` and `signature` to `action`, as an HTML form, and EPoint redirects the browser to
/// its card page.
///
/// ```
/// # let client = epoint_az::Client::new(epoint_az::Config::new("i000000001", "k")).unwrap();
/// let form = client.checkout_form(epoint_az::dec!(30.75), "order-1").form().unwrap();
/// let page = form.html(); // serve it as text/html; it submits itself
/// assert!(page.contains(r#"action="https://epoint.az/api/1/checkout""#));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckoutForm {
    /// Where the browser posts the form: `{base_url}/api/1/checkout`.
    pub action: String,
    /// The `data` field (base64 of the payload).
    pub data: String,
    /// The `signature` field.
    pub signature: String,
}

impl CheckoutForm {
    /// Just the `<form>` element with a visible "Pay" button, to embed in your own page.
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let form = client.checkout_form(epoint_az::dec!(1), "o").form().unwrap();
    /// assert!(form.form_html().starts_with("<form method=\"POST\""));
    /// ```
    pub fn form_html(&self) -> String {
        format!(
            "<form method=\"POST\" action=\"{}\" accept-charset=\"utf-8\">\n  <input type=\"hidden\" name=\"data\" value=\"{}\">\n  <input type=\"hidden\" name=\"signature\" value=\"{}\">\n  <input type=\"submit\" value=\"Pay\">\n</form>",
            escape_attribute(&self.action),
            escape_attribute(&self.data),
            escape_attribute(&self.signature),
        )
    }

    /// A whole HTML page that posts the form as soon as it loads (the button stays for
    /// browsers without JavaScript).
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let page = client.checkout_form(epoint_az::dec!(1), "o").form().unwrap().html();
    /// assert!(page.starts_with("<!DOCTYPE html>"));
    /// ```
    pub fn html(&self) -> String {
        format!(
            "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>Redirecting to EPoint</title></head>\n<body onload=\"document.forms[0].submit()\">\n{}\n</body>\n</html>\n",
            self.form_html()
        )
    }
}

/// Escapes text for a double-quoted HTML attribute value.
fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

// ── end of group A ──

/// Maps an HTTP-200 answer to `Ok` or a typed error, by the operation's [`AnswerKind`], then
/// to its success type (an answer that lacks what success guarantees is an error).
fn interpret<O: Operation>(answer: O::Response) -> Result<O::Output> {
    check_status(O::KIND, &answer)?;
    O::Output::from_answer(answer).map_err(|(missing, answer)| Error::IncompleteAnswer {
        missing,
        response: Box::new(serde_json::to_value(&answer).unwrap_or(serde_json::Value::Null)),
    })
}

/// The `status` rules of each [`AnswerKind`].
fn check_status<A: Answer + Serialize>(kind: AnswerKind, answer: &A) -> Result<()> {
    // A schema without `status` (EPoint's token payments) succeeds by its shape.
    let Some(status) = answer.status() else {
        return Ok(());
    };
    let names_payment = answer.transaction().is_some() || answer.code().is_some();
    let raw = || Box::new(serde_json::to_value(answer).unwrap_or(serde_json::Value::Null));
    let rejected = || Error::Rejected {
        status: status.clone(),
        message: answer.message().unwrap_or_default().to_owned(),
        response: raw(),
    };
    match (kind, status) {
        (_, PaymentStatus::Success) => Ok(()),
        (_, PaymentStatus::ServerError) => Err(rejected()),
        (AnswerKind::Status, PaymentStatus::Error) if !names_payment => Err(rejected()),
        (AnswerKind::Status, _) => Ok(()),
        (AnswerKind::Charge, PaymentStatus::Failed | PaymentStatus::Error) if names_payment => {
            Err(Error::Declined {
                status: status.clone(),
                code: answer.code().map(BankCode::new),
                message: answer.message().map(str::to_owned),
                transaction: answer.transaction().map(str::to_owned),
                response: raw(),
            })
        }
        (_, PaymentStatus::Error | PaymentStatus::Failed) => Err(rejected()),
        _ => Err(Error::UnexpectedStatus {
            status: status.clone(),
            response: raw(),
        }),
    }
}

/// An answer kept as JSON (for [`Client::send_signed`]).
struct JsonAnswer {
    value: serde_json::Value,
    status: Option<PaymentStatus>,
}

impl JsonAnswer {
    fn new(value: serde_json::Value) -> Self {
        let status = value
            .get("status")
            .and_then(serde_json::Value::as_str)
            .map(|s| PaymentStatus::from(s.to_owned()));
        Self { value, status }
    }
}

impl Serialize for JsonAnswer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl Answer for JsonAnswer {
    fn status(&self) -> Option<&PaymentStatus> {
        self.status.as_ref()
    }
    fn message(&self) -> Option<&str> {
        self.value
            .get("message")
            .and_then(serde_json::Value::as_str)
    }
    fn transaction(&self) -> Option<&str> {
        self.value
            .get("transaction")
            .and_then(serde_json::Value::as_str)
    }
    fn code(&self) -> Option<&str> {
        self.value.get("code").and_then(serde_json::Value::as_str)
    }
}

/// Worth repeating a read-only call: the network failed, or a proxy said "try again".
/// One request of `O` and its answer, read into `O`'s result.
async fn exchange<O: Operation>(
    raw: &generated::Client,
    envelope: &SignedEnvelope,
) -> Result<O::Output> {
    match O::send_raw(raw, envelope).await {
        Ok(answer) => interpret::<O>(answer.into_inner()),
        Err(e) => Err(from_progenitor(e).await),
    }
}

fn is_retryable(error: &Error) -> bool {
    match error {
        Error::Transport { .. } => true,
        Error::Http { status, .. } => matches!(status, 429 | 502 | 503 | 504),
        _ => false,
    }
}

/// Converts the generated client's error, keeping the body and whether EPoint saw the request.
async fn from_progenitor(error: progenitor_client::Error<()>) -> Error {
    use progenitor_client::Error as E;
    match error {
        E::InvalidRequest(reason) => Error::invalid("request", reason),
        E::CommunicationError(source) | E::InvalidUpgrade(source) => Error::Transport {
            delivery: if source.is_connect() || source.is_builder() {
                Delivery::NotSent
            } else {
                Delivery::MaybeSent
            },
            source,
        },
        E::ResponseBodyError(source) => Error::Transport {
            delivery: Delivery::MaybeSent,
            source,
        },
        E::InvalidResponsePayload(body, source) => Error::Decode { body, source },
        E::ErrorResponse(response) => Error::Http {
            status: response.status().as_u16(),
            body: String::new(),
        },
        E::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            match response.bytes().await {
                Ok(body) => Error::Http {
                    status,
                    body: String::from_utf8_lossy(&body).into_owned(),
                },
                Err(source) => Error::Transport {
                    delivery: Delivery::MaybeSent,
                    source,
                },
            }
        }
        E::Custom(reason) => Error::invalid("request", reason),
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
        check_order_id(value).map_err(|reason| Error::invalid(name, reason))?;
    }
    value.parse().map_err(|e| Error::invalid(name, e))
}

/// No control character (NUL, CR, LF, tab, …) and not only whitespace; shared with the sandbox.
pub(crate) fn check_order_id(value: &str) -> std::result::Result<(), String> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(format!("contains the control character {c:?}"));
    }
    if !value.is_empty() && value.trim().is_empty() {
        return Err("is only whitespace".into());
    }
    Ok(())
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

// ── group B call setters: wallets, invoices, saved-card status, widget ──

/// The optional fields of an invoice, for both `create_invoice` and `update_invoice`.
macro_rules! invoice_setters {
    ($($op:ident),*) => {$(
        impl Call<'_, ops::$op> {
            /// Display the invoice (`display`, default 1).
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let p = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").display(false).preview().unwrap();
            /// assert_eq!(p.payload["display"], 0);
            /// ```
            pub fn display(self, display: bool) -> Self {
                self.set("display", Ok::<_, Error>(crate::Flag::from(display)), |p, v| p.display = v)
            }

            /// Also save it as a template, a static invoice (`save_as_template`, default 0).
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let p = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").save_as_template(true).preview().unwrap();
            /// assert_eq!(p.payload["save_as_template"], 1);
            /// ```
            pub fn save_as_template(self, template: bool) -> Self {
                self.set("save_as_template", Ok::<_, Error>(crate::Flag::from(template)), |p, v| p.save_as_template = v)
            }

            /// Let the payer pay in installments (`status_installment`).
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let p = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").installment(true).preview().unwrap();
            /// assert_eq!(p.payload["status_installment"], 1);
            /// ```
            pub fn installment(self, installment: bool) -> Self {
                self.set("status_installment", Ok::<_, Error>(crate::Flag::from(installment)), |p, v| p.status_installment = Some(v))
            }

            /// The invoice's (or the payer's) name.
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let call = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").name("Rent");
            /// ```
            pub fn name(self, name: impl Into<String>) -> Self {
                self.set("name", Ok::<_, Error>(name.into()), |p, v| p.name = Some(v))
            }

            /// The payer's phone.
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let call = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").phone("+994501234567");
            /// ```
            pub fn phone(self, phone: impl Into<String>) -> Self {
                self.set("phone", Ok::<_, Error>(phone.into()), |p, v| p.phone = Some(v))
            }

            /// The payer's email.
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let call = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").email("a@example.com");
            /// ```
            pub fn email(self, email: impl Into<String>) -> Self {
                self.set("email", Ok::<_, Error>(email.into()), |p, v| p.email = Some(v))
            }

            /// The payer's tax id (TIN, `inn`).
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let call = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").inn("1234567890");
            /// ```
            pub fn inn(self, inn: impl Into<String>) -> Self {
                self.set("inn", Ok::<_, Error>(inn.into()), |p, v| p.inn = Some(v))
            }

            /// Contract number.
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let call = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").contract_number("C-7");
            /// ```
            pub fn contract_number(self, number: impl Into<String>) -> Self {
                self.set("contract_number", Ok::<_, Error>(number.into()), |p, v| p.contract_number = Some(v))
            }

            /// The merchant's own order id for this invoice.
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let call = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").merchant_order_id("order-5");
            /// ```
            pub fn merchant_order_id(self, order_id: impl Into<String>) -> Self {
                self.set("merchant_order_id", Ok::<_, Error>(order_id.into()), |p, v| p.merchant_order_id = Some(v))
            }
        }
    )*};
}

invoice_setters!(InvoicesCreate, InvoicesUpdate);

impl Call<'_, ops::InvoicesList> {
    /// Only invoices of this type (`incoming`, `outgoing`, `static`).
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// use epoint_az::generated::types::InvoiceType;
    /// let p = client.list_invoices().invoice_type(InvoiceType::Static).preview().unwrap();
    /// assert_eq!(p.payload["type"], "static");
    /// ```
    pub fn invoice_type(self, kind: types::InvoiceType) -> Self {
        self.set("type", Ok::<_, Error>(kind), |p, v| p.type_ = Some(v))
    }

    /// Sort order (`asc` or `desc`; EPoint's document names no values, these are assumed).
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let p = client.list_invoices().order("desc").preview().unwrap();
    /// assert_eq!(p.payload["order"], "desc");
    /// ```
    pub fn order(self, order: impl Into<String>) -> Self {
        self.set("order", Ok::<_, Error>(order.into()), |p, v| {
            p.order = Some(v)
        })
    }
}

/// An invoice date: `YYYY-MM-DD` (the form assumed for the document's *Date*).
fn invoice_date(name: &'static str, value: &str) -> Result<types::InvoiceDate> {
    let b = value.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    let (month, day) = (
        value.get(5..7).and_then(|m| m.parse::<u8>().ok()),
        value.get(8..10).and_then(|d| d.parse::<u8>().ok()),
    );
    if !shaped || !matches!(month, Some(1..=12)) || !matches!(day, Some(1..=31)) {
        return Err(Error::invalid(
            name,
            format!("`{value}` is not a date YYYY-MM-DD"),
        ));
    }
    field(name, value)
}
// ── end of group B call setters ──
