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
/// use epoint::dec;
/// let client = epoint::Client::from_env()?;
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

impl Client {
    /// A client from a [`Config`]. Fails if a URL in it is not an absolute http(s) URL.
    ///
    /// ```
    /// let client = epoint::Client::new(epoint::Config::new("i000000001", "key")).unwrap();
    /// assert_eq!(client.config().get_public_key(), "i000000001");
    /// ```
    pub fn new(config: Config) -> Result<Self, crate::ConfigError> {
        config.validate()?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("epoint-rust/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| crate::ConfigError::Invalid {
                variable: "HTTP client",
                reason: e.to_string(),
            })?;
        Ok(Self::with_http_client(config, http))
    }

    /// A client with your own `reqwest::Client` (proxies, TLS roots, timeouts).
    /// The config's URLs are assumed valid; see [`Client::new`].
    ///
    /// ```
    /// let http = reqwest::Client::new();
    /// let client = epoint::Client::with_http_client(epoint::Config::new("i1", "k"), http);
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
    /// let client = epoint::Client::from_env()?;
    /// # Ok::<(), epoint::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Self, crate::ConfigError> {
        Self::new(Config::from_env()?)
    }

    /// The configuration in use.
    ///
    /// ```
    /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
    /// assert_eq!(client.config().get_base_url(), "https://epoint.az");
    /// ```
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The merchant keys (for verifying callbacks with the same keys).
    ///
    /// ```
    /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
    /// assert_eq!(client.keys().public_key(), "i1");
    /// ```
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The generated, unsigned client, for anything this layer does not cover.
    ///
    /// ```
    /// use epoint::generated::ClientInfo;
    /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
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
    /// use epoint::{generated::types, ops};
    /// # let client = epoint::Client::new(epoint::Config::new("i000000001", "k")).unwrap();
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
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
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
            target: "epoint",
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
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// use epoint::dec;
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
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// let state = client.get_transaction_status("te000000001").await?;
    /// if state.status == epoint::PaymentStatus::Success { /* ship it */ }
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
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
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
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// use epoint::dec;
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
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// use epoint::dec;
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
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// use epoint::dec;
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
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// use epoint::dec;
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
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// use epoint::dec;
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
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// use epoint::dec;
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
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// use epoint::dec;
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
    // ── end of group A ──

    // ── group B methods: wallets, invoices, saved-card status, widget ──
    // ── end of group B ──

    // ── group C methods: Apple Pay / Google Pay tokens, token split payment, B2B transfers ──
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
/// use epoint::dec;
/// let client = epoint::Client::new(epoint::Config::new("i000000001", "test_private_key")).unwrap();
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
    /// # use epoint::dec;
    /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
    /// let call = client.pay(dec!(0), "1");
    /// assert!(matches!(call.payload(), Err(epoint::Error::InvalidInput { field: "amount", .. })));
    /// ```
    pub fn payload(&self) -> Result<&O::Payload, &Error> {
        self.payload.as_ref()
    }

    /// Computes the exact request (URL, JSON, `data`, `signature`, form body) without
    /// sending it. Fails like `send` would on invalid arguments.
    ///
    /// ```
    /// # use epoint::dec;
    /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
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
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// let status = client.get_transaction_status("te000000001").send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<O::Output> {
        let payload = self.payload?;
        let envelope = self
            .client
            .keys
            .seal(&payload)
            .map_err(|e| Error::invalid("payload", e))?;
        let started = Instant::now();
        // Only read-only status queries are repeated; everything else is sent exactly once.
        let retries = match O::KIND {
            AnswerKind::Status => self.client.config.status_retries,
            _ => 0,
        };
        let mut attempt: u8 = 0;
        let result = loop {
            let result = match O::send_raw(&self.client.raw, envelope.clone()).await {
                Ok(answer) => interpret::<O>(answer.into_inner()),
                Err(e) => Err(from_progenitor(e).await),
            };
            match &result {
                Err(e) if attempt < retries && is_retryable(e) => {
                    attempt += 1;
                    tracing::debug!(target: "epoint", operation = O::ID.operation_id(), attempt, error = %e, "retrying a status query");
                    tokio::time::sleep(Duration::from_millis(100 << attempt.min(4))).await;
                }
                _ => break result,
            }
        };
        tracing::debug!(
            target: "epoint",
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
        /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
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
        /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
        /// let call = client.save_card().language(epoint::Language::En);
        /// ```
        pub fn language(self, language: Language) -> Self {
            self.set("language", Ok::<_, Error>(language), |p, v| p.language = v)
        }
    };
    (@redirects) => {
        /// Where the customer's browser goes after a successful payment (absolute http(s) URL).
        ///
        /// ```
        /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
        /// let call = client.save_card().success_redirect_url("https://shop.example/ok");
        /// ```
        pub fn success_redirect_url(self, url: impl Into<String>) -> Self {
            self.set("success_redirect_url", redirect_url("success_redirect_url", &url.into()), |p, v| p.success_redirect_url = Some(v))
        }

        /// Where the customer's browser goes after a failed payment (absolute http(s) URL).
        ///
        /// ```
        /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
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
        /// # use epoint::dec;
        /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
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
    // ── end of group A ──

    // ── group B setters: wallets, invoices, saved-card status, widget ──
    // ── end of group B ──

    // ── group C setters: Apple Pay / Google Pay tokens, token split payment, B2B transfers ──
    // ── end of group C ──
}

impl Call<'_, ops::PaymentRequest> {
    /// Ask for an installment payment (`is_installment: 1`).
    ///
    /// ```
    /// # use epoint::dec;
    /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
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
    /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
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
    /// # use epoint::dec;
    /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
    /// let p = client.refund("te1").amount(dec!(5.50)).preview().unwrap();
    /// assert_eq!(p.payload["amount"], "5.50");
    /// ```
    pub fn amount(self, amount: Decimal) -> Self {
        self.set("amount", Money::new(amount), |p, v| p.amount = Some(v))
    }
}

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
