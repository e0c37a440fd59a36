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
use serde::Serialize;

use crate::{
    BankCode, Config, Keys, Money, PaymentStatus,
    config::check_url,
    error::{Delivery, Error, Result},
    generated::{self, ClientInfo},
    signing::form_body,
    types::{self, Currency, Language, SignedEnvelope},
};

/// The EPoint client: your merchant keys, defaults and an HTTP connection pool.
///
/// Cheap to clone (the pool is shared). Every method builds a [`Call`]; nothing is sent until
/// it is awaited.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use rust_decimal_macros::dec;
/// let client = epoint::Client::from_env()?;
/// let payment = client.pay(dec!(30.75), "order-1001").description("Coffee").await?;
/// println!("send the customer to {}", payment.redirect_url.unwrap_or_default());
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
    /// assert_eq!(client.config().public_key(), "i000000001");
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
    /// assert_eq!(client.config().base_url_str(), "https://epoint.az");
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

    fn call<P: Operation>(&self, payload: Result<P>) -> Call<'_, P> {
        Call {
            client: self,
            payload,
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
                .failed_redirect_url
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
    /// use rust_decimal_macros::dec;
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
    ) -> Call<'_, types::PaymentRequest> {
        let order_id = order_id.into();
        self.call((|| {
            let (success, error) = self.redirect_defaults()?;
            Ok(types::PaymentRequest {
                public_key: self.public_key()?,
                amount: money("amount", amount)?,
                currency: Currency::Azn,
                language: self.config.language,
                order_id: field("order_id", &order_id)?,
                description: None,
                is_installment: None,
                success_redirect_url: success,
                error_redirect_url: error,
                other_attr: None,
            })
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
    ) -> Call<'_, types::StatusRequest> {
        let transaction = transaction.into();
        self.call((|| {
            Ok(types::StatusRequest {
                public_key: self.public_key()?,
                transaction: field("transaction", &transaction)?,
            })
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
    pub fn save_card(&self) -> Call<'_, types::CardRegistrationRequest> {
        self.call((|| {
            let (success, error) = self.redirect_defaults()?;
            Ok(types::CardRegistrationRequest {
                public_key: self.public_key()?,
                language: self.config.language,
                refund: None,
                description: None,
                success_redirect_url: success,
                error_redirect_url: error,
            })
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
    /// use rust_decimal_macros::dec;
    /// let charge = client.pay_with_saved_card("ce000000001", dec!(9.99), "sub-2026-11").await?;
    /// # Ok(()) }
    /// ```
    pub fn pay_with_saved_card(
        &self,
        card_id: impl Into<String>,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, types::ExecutePayRequest> {
        let (card_id, order_id) = (card_id.into(), order_id.into());
        self.call((|| {
            Ok(types::ExecutePayRequest {
                public_key: self.public_key()?,
                language: self.config.language,
                card_id: field("card_id", &card_id)?,
                order_id: field("order_id", &order_id)?,
                amount: money("amount", amount)?,
                currency: Currency::Azn,
                description: None,
            })
        })())
    }

    /// **Pay and save the card** on the hosted page: `POST /api/1/card-registration-with-pay`.
    ///
    /// Answers with `transaction`, `card_id` and `redirect_url`; a callback with
    /// `operation_code` `200` follows.
    ///
    /// ```no_run
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// use rust_decimal_macros::dec;
    /// let first = client.pay_and_save_card(dec!(5.00), "sub-first").await?;
    /// # Ok(()) }
    /// ```
    pub fn pay_and_save_card(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, types::CardRegistrationWithPayRequest> {
        let order_id = order_id.into();
        self.call((|| {
            let (success, error) = self.redirect_defaults()?;
            Ok(types::CardRegistrationWithPayRequest {
                public_key: self.public_key()?,
                language: self.config.language,
                order_id: field("order_id", &order_id)?,
                amount: money("amount", amount)?,
                currency: Currency::Azn,
                description: None,
                success_redirect_url: success,
                error_redirect_url: error,
            })
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
    /// use rust_decimal_macros::dec;
    /// let payout = client.payout("ce000000009", dec!(250.00), "payout-77").await?;
    /// # Ok(()) }
    /// ```
    pub fn payout(
        &self,
        card_id: impl Into<String>,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, types::PayoutRequest> {
        let (card_id, order_id) = (card_id.into(), order_id.into());
        self.call((|| {
            Ok(types::PayoutRequest {
                public_key: self.public_key()?,
                language: self.config.language,
                card_id: field("card_id", &card_id)?,
                order_id: field("order_id", &order_id)?,
                amount: money("amount", amount)?,
                currency: Currency::Azn,
                description: None,
            })
        })())
    }

    /// **Refund** a payment, in full: `POST /api/1/reverse`. Add [`Call::amount`] for a
    /// partial refund. (Not `/api/1/refund-request`, which is a payout: see
    /// [`Client::payout`].) Moves money; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// use rust_decimal_macros::dec;
    /// client.refund("te000000001").amount(dec!(10.00)).await?; // partial
    /// client.refund("te000000001").await?;                      // the rest
    /// # Ok(()) }
    /// ```
    pub fn refund(&self, transaction: impl Into<String>) -> Call<'_, types::ReverseRequest> {
        let transaction = transaction.into();
        self.call((|| {
            Ok(types::ReverseRequest {
                public_key: self.public_key()?,
                language: self.config.language,
                transaction: field("transaction", &transaction)?,
                amount: None,
                currency: Currency::Azn,
            })
        })())
    }

    /// **Split payment** on the hosted page: `POST /api/1/split-request`. `split_amount` of
    /// `amount` goes to the merchant `split_user` (e.g. `i000000002`).
    ///
    /// ```no_run
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// use rust_decimal_macros::dec;
    /// let created = client.split_pay(dec!(100.00), "order-9", "i000000002", dec!(30.00)).await?;
    /// # Ok(()) }
    /// ```
    pub fn split_pay(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
        split_user: impl Into<String>,
        split_amount: Decimal,
    ) -> Call<'_, types::SplitPaymentRequest> {
        let (order_id, split_user) = (order_id.into(), split_user.into());
        self.call((|| {
            let (success, error) = self.redirect_defaults()?;
            let (amount, split_amount) = split_amounts(amount, split_amount)?;
            Ok(types::SplitPaymentRequest {
                public_key: self.public_key()?,
                amount,
                split_user: field("split_user", &split_user)?,
                split_amount,
                currency: Currency::Azn,
                language: self.config.language,
                order_id: field("order_id", &order_id)?,
                description: None,
                success_redirect_url: success,
                error_redirect_url: error,
                other_attr: None,
            })
        })())
    }

    /// **Split payment with a saved card**: `POST /api/1/split-execute-pay`. Synchronous,
    /// final, no callback; moves money; never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// use rust_decimal_macros::dec;
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
    ) -> Call<'_, types::SplitExecutePayRequest> {
        let (card_id, order_id, split_user) = (card_id.into(), order_id.into(), split_user.into());
        self.call((|| {
            let (amount, split_amount) = split_amounts(amount, split_amount)?;
            Ok(types::SplitExecutePayRequest {
                public_key: self.public_key()?,
                language: self.config.language,
                card_id: field("card_id", &card_id)?,
                order_id: field("order_id", &order_id)?,
                amount,
                split_user: field("split_user", &split_user)?,
                split_amount,
                currency: Currency::Azn,
                description: None,
            })
        })())
    }

    /// **Split payment that also saves the card**, on the hosted page:
    /// `POST /api/1/split-card-registration-with-pay`.
    ///
    /// ```no_run
    /// # async fn run(client: epoint::Client) -> epoint::Result<()> {
    /// use rust_decimal_macros::dec;
    /// client.split_pay_and_save_card(dec!(100.00), "order-11", "i000000002", dec!(30.00)).await?;
    /// # Ok(()) }
    /// ```
    pub fn split_pay_and_save_card(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
        split_user: impl Into<String>,
        split_amount: Decimal,
    ) -> Call<'_, types::SplitCardRegistrationWithPayRequest> {
        let (order_id, split_user) = (order_id.into(), split_user.into());
        self.call((|| {
            let (success, error) = self.redirect_defaults()?;
            let (amount, split_amount) = split_amounts(amount, split_amount)?;
            Ok(types::SplitCardRegistrationWithPayRequest {
                public_key: self.public_key()?,
                language: self.config.language,
                order_id: field("order_id", &order_id)?,
                amount,
                split_user: field("split_user", &split_user)?,
                split_amount,
                currency: Currency::Azn,
                description: None,
                success_redirect_url: success,
                error_redirect_url: error,
            })
        })())
    }
}

/// A prepared, not yet sent, call to one EPoint operation.
///
/// Set optional fields with its methods, then `.await` it to send. An invalid argument
/// makes the call fail before anything is sent. [`Call::preview`] shows the exact request.
#[must_use = "a Call does nothing until it is awaited (or sent with `.send()`)"]
pub struct Call<'c, P> {
    client: &'c Client,
    payload: Result<P>,
}

impl<P: fmt::Debug> fmt::Debug for Call<'_, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("payload", &self.payload)
            .finish_non_exhaustive()
    }
}

/// Exactly what a call would send, without sending it (a dry run).
///
/// ```
/// use rust_decimal_macros::dec;
/// let client = epoint::Client::new(epoint::Config::new("i000000001", "test_private_key")).unwrap();
/// let preview = client.pay(dec!(30.75), "1").description("test payment").preview().unwrap();
/// assert_eq!(preview.url, "https://epoint.az/api/1/request");
/// assert_eq!(preview.payload["amount"], "30.75");
/// assert!(preview.form_body.starts_with("data="));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Preview {
    /// The spec's `operationId`, e.g. `payment_request`.
    pub operation_id: &'static str,
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

impl<'c, P: Operation> Call<'c, P> {
    /// The payload as it stands, or the first invalid argument.
    ///
    /// ```
    /// # use rust_decimal_macros::dec;
    /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
    /// let call = client.pay(dec!(0), "1");
    /// assert!(matches!(call.payload(), Err(epoint::Error::InvalidInput { field: "amount", .. })));
    /// ```
    pub fn payload(&self) -> Result<&P, &Error> {
        self.payload.as_ref()
    }

    /// Computes the exact request (URL, JSON, `data`, `signature`, form body) without
    /// sending it. Fails like `send` would on invalid arguments.
    ///
    /// ```
    /// # use rust_decimal_macros::dec;
    /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
    /// let p = client.refund("te000000001").preview().unwrap();
    /// assert_eq!(p.path, "/api/1/reverse");
    /// ```
    pub fn preview(&self) -> Result<Preview> {
        let payload = self.payload.as_ref().map_err(clone_invalid)?;
        let json = serde_json::to_string(payload).map_err(|e| Error::invalid("payload", e))?;
        let envelope = self.client.keys.seal_json(json.as_bytes());
        Ok(Preview {
            operation_id: P::OPERATION_ID,
            method: "POST",
            path: P::PATH,
            url: format!("{}{}", self.client.raw.baseurl(), P::PATH),
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
    pub async fn send(self) -> Result<P::Response> {
        let payload = self.payload?;
        let envelope = self
            .client
            .keys
            .seal(&payload)
            .map_err(|e| Error::invalid("payload", e))?;
        let started = Instant::now();
        // Only read-only status queries are repeated; everything else is sent exactly once.
        let retries = match P::KIND {
            AnswerKind::Status => self.client.config.status_retries,
            _ => 0,
        };
        let mut attempt: u8 = 0;
        let result = loop {
            let result = match P::send_raw(&self.client.raw, envelope.clone()).await {
                Ok(answer) => interpret::<P>(answer.into_inner()),
                Err(e) => Err(from_progenitor(e).await),
            };
            match &result {
                Err(e) if attempt < retries && is_retryable(e) => {
                    attempt += 1;
                    tracing::debug!(target: "epoint", operation = P::OPERATION_ID, attempt, error = %e, "retrying a status query");
                    tokio::time::sleep(Duration::from_millis(100 << attempt.min(4))).await;
                }
                _ => break result,
            }
        };
        tracing::debug!(
            target: "epoint",
            operation = P::OPERATION_ID,
            path = P::PATH,
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
        apply: impl FnOnce(&mut P, V),
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

impl<'c, P: Operation> IntoFuture for Call<'c, P> {
    type Output = Result<P::Response>;
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
        impl<'c> Call<'c, types::$payload> {
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
        /// let call = client.save_card().language(epoint::types::Language::En);
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
        /// # use rust_decimal_macros::dec;
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
    CardRegistrationRequest: [description, language, redirects];
    ExecutePayRequest: [description, language];
    CardRegistrationWithPayRequest: [description, language, redirects];
    PayoutRequest: [description, language];
    ReverseRequest: [language];
    SplitPaymentRequest: [description, language, redirects, other_attr];
    SplitExecutePayRequest: [description, language];
    SplitCardRegistrationWithPayRequest: [description, language, redirects];
}

impl Call<'_, types::PaymentRequest> {
    /// Ask for an installment payment (`is_installment: 1`).
    ///
    /// ```
    /// # use rust_decimal_macros::dec;
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

impl Call<'_, types::CardRegistrationRequest> {
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

impl Call<'_, types::ReverseRequest> {
    /// Refund only this much (a partial refund); without it the whole payment is refunded.
    ///
    /// ```
    /// # use rust_decimal_macros::dec;
    /// # let client = epoint::Client::new(epoint::Config::new("i1", "k")).unwrap();
    /// let p = client.refund("te1").amount(dec!(5.50)).preview().unwrap();
    /// assert_eq!(p.payload["amount"], "5.50");
    /// ```
    pub fn amount(self, amount: Decimal) -> Self {
        self.set("amount", Money::new(amount), |p, v| p.amount = Some(v))
    }
}

/// One EPoint operation: its payload type (from the spec), path, answer and how to read it.
///
/// Implemented for the ten generated payload types; sealed.
pub trait Operation: Serialize + Clone + Send + Sync + sealed::Sealed + 'static {
    /// The generated answer type.
    type Response: Serialize + Answer + Send + 'static;
    /// The spec's `operationId`.
    const OPERATION_ID: &'static str;
    /// The HTTP path.
    const PATH: &'static str;
    /// How `status` values are read for this operation.
    const KIND: AnswerKind;

    #[doc(hidden)]
    fn send_raw(
        raw: &generated::Client,
        envelope: SignedEnvelope,
    ) -> impl Future<
        Output = std::result::Result<
            progenitor_client::ResponseValue<Self::Response>,
            progenitor_client::Error<()>,
        >,
    > + Send;
}

/// One operation of the spec, as implemented by this client (see [`OPERATIONS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperationInfo {
    /// The spec's `operationId`, e.g. `payment_request`.
    pub operation_id: &'static str,
    /// The HTTP path, e.g. `/api/1/request`.
    pub path: &'static str,
    /// The payload schema named by the operation's `x-epoint-payload`, e.g. `PaymentRequest`.
    pub payload: &'static str,
}

/// How an operation's `status` maps to `Ok` / `Err`.
///
/// ```
/// use epoint::client::{AnswerKind, Operation};
/// assert_eq!(<epoint::types::ExecutePayRequest as Operation>::KIND, AnswerKind::Charge);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerKind {
    /// Hosted-page creation: only `success` is `Ok`; `error`/`server_error` are rejections.
    HostedPage,
    /// Status query: every payment state is `Ok`; `server_error` (or an `error` naming no
    /// transaction) is a rejection.
    Status,
    /// Synchronous charge or payout: `failed`/`error` with a bank code or transaction is a
    /// [`Error::Declined`]; without, a rejection.
    Charge,
    /// Refund: only `success` is `Ok`; `error`/`failed` are rejections.
    Refund,
}

/// The fields every EPoint answer may carry, for mapping answers to results.
pub trait Answer {
    /// `status`.
    fn status(&self) -> &PaymentStatus;
    /// `message`.
    fn message(&self) -> Option<&str>;
    /// `transaction`.
    fn transaction(&self) -> Option<&str>;
    /// `code` (bank response code).
    fn code(&self) -> Option<&str>;
}

macro_rules! answer {
    ($($ty:ident { code: $code:tt, transaction: $tx:tt })*) => {$(
        impl Answer for types::$ty {
            fn status(&self) -> &PaymentStatus { &self.status }
            fn message(&self) -> Option<&str> { self.message.as_deref() }
            fn transaction(&self) -> Option<&str> { answer!(@opt self, $tx, transaction) }
            fn code(&self) -> Option<&str> { answer!(@opt self, $code, code) }
        }
    )*};
    (@opt $self:ident, yes, $field:ident) => { $self.$field.as_deref() };
    (@opt $self:ident, no, $field:ident) => { None };
}

answer! {
    RedirectResponse { code: no, transaction: yes }
    StatusResponse { code: yes, transaction: yes }
    ChargeResponse { code: yes, transaction: yes }
    ReverseResponse { code: no, transaction: yes }
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! operations {
    ($($payload:ident => $op:ident, $path:literal, $response:ident, $kind:ident;)*) => {$(
        impl sealed::Sealed for types::$payload {}
        impl Operation for types::$payload {
            type Response = types::$response;
            const OPERATION_ID: &'static str = stringify!($op);
            const PATH: &'static str = $path;
            const KIND: AnswerKind = AnswerKind::$kind;

            fn send_raw(
                raw: &generated::Client,
                envelope: SignedEnvelope,
            ) -> impl Future<Output = std::result::Result<progenitor_client::ResponseValue<Self::Response>, progenitor_client::Error<()>>>
            + Send {
                raw.$op().body(envelope).send()
            }
        }
    )*
        /// Every operation this client implements, in the spec's order.
        ///
        /// ```
        /// let ops = epoint::client::OPERATIONS;
        /// assert_eq!(ops.len(), 10);
        /// assert_eq!((ops[0].operation_id, ops[0].path, ops[0].payload), ("payment_request", "/api/1/request", "PaymentRequest"));
        /// ```
        pub const OPERATIONS: &[OperationInfo] = &[$(OperationInfo {
            operation_id: stringify!($op),
            path: $path,
            payload: stringify!($payload),
        }),*];
    };
}

operations! {
    PaymentRequest => payment_request, "/api/1/request", RedirectResponse, HostedPage;
    StatusRequest => get_status, "/api/1/get-status", StatusResponse, Status;
    CardRegistrationRequest => card_registration, "/api/1/card-registration", RedirectResponse, HostedPage;
    ExecutePayRequest => execute_pay, "/api/1/execute-pay", ChargeResponse, Charge;
    CardRegistrationWithPayRequest => card_registration_with_pay, "/api/1/card-registration-with-pay", RedirectResponse, HostedPage;
    PayoutRequest => refund_request, "/api/1/refund-request", ChargeResponse, Charge;
    ReverseRequest => reverse, "/api/1/reverse", ReverseResponse, Refund;
    SplitPaymentRequest => split_request, "/api/1/split-request", RedirectResponse, HostedPage;
    SplitExecutePayRequest => split_execute_pay, "/api/1/split-execute-pay", ChargeResponse, Charge;
    SplitCardRegistrationWithPayRequest => split_card_registration_with_pay, "/api/1/split-card-registration-with-pay", RedirectResponse, HostedPage;
}

/// Maps an HTTP-200 answer to `Ok` or a typed error, by the operation's [`AnswerKind`].
fn interpret<P: Operation>(answer: P::Response) -> Result<P::Response> {
    let status = answer.status().clone();
    let names_payment = answer.transaction().is_some() || answer.code().is_some();
    let raw = || Box::new(serde_json::to_value(&answer).unwrap_or(serde_json::Value::Null));
    let rejected = || Error::Rejected {
        status: status.clone(),
        message: answer.message().unwrap_or_default().to_owned(),
        response: raw(),
    };
    match (P::KIND, &status) {
        (_, PaymentStatus::Success) => Ok(answer),
        (_, PaymentStatus::ServerError) => Err(rejected()),
        (AnswerKind::Status, PaymentStatus::Error) if !names_payment => Err(rejected()),
        (AnswerKind::Status, _) => Ok(answer),
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

/// Converts `value` to a generated, spec-constrained newtype (length limits etc.).
fn field<T>(name: &'static str, value: &str) -> Result<T>
where
    T: std::str::FromStr,
    T::Err: fmt::Display,
{
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

fn redirect_url(name: &'static str, url: &str) -> Result<types::RedirectUrl> {
    check_url(url).map_err(|reason| Error::invalid(name, reason))?;
    Ok(types::RedirectUrl(url.to_owned()))
}
