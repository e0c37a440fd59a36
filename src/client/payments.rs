//! Payments on the hosted page and their variants (checkout form, developer-site and Amex
//! requests, re-pricing, pre-authorisation, installments), status checks and the heartbeat:
//! the spec's `payments` tag.

use std::time::Instant;

use rust_decimal::Decimal;

use super::call::from_progenitor;
use super::{Call, built, field, money};
use crate::{
    Client, Error, Money, Result,
    generated::types::{self, Currency},
    operation::ops,
};

impl Client {
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
    /// retried automatically ([`crate::Config::status_retries`], default 2).
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
            built::<_, types::StatusByTransaction>(
                types::StatusByTransaction::builder()
                    .public_key(self.public_key()?)
                    .transaction(field::<types::TransactionId>("transaction", &transaction)?),
            )
            .map(types::StatusRequest::from)
        })())
    }

    /// **Status by your order id**: `POST /api/1/get-status` with `order_id` instead of
    /// `transaction`; EPoint answers the order's latest transaction. The one call that resolves
    /// an unknown outcome: a payment whose request timed out ([`Error::Transport`] with
    /// [`Delivery::MaybeSent`](crate::Delivery::MaybeSent), which carries the `order_id`), or
    /// whose callback never came. Read like [`Client::get_transaction_status`]: any payment
    /// state is `Ok`; an order EPoint does not know is [`Error::Rejected`] (EPoint documents no
    /// special answer for it). Retried like every status query.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// match client.pay(dec!(30.75), "order-1001").await {
    ///     Err(e) if e.may_have_reached_epoint() => {
    ///         let order_id = e.order_id().unwrap_or("order-1001");
    ///         let state = client.get_order_status(order_id).await?;
    ///         println!("{order_id}: transaction {:?} is {}", state.answer.transaction, state.status);
    ///     }
    ///     other => { other?; }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// An invalid order id fails before anything is sent:
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let p = client.get_order_status("order-1001").preview().unwrap();
    /// assert_eq!(p.payload, serde_json::json!({"order_id": "order-1001", "public_key": "i1"}));
    /// assert!(client.get_order_status("").preview().is_err());
    /// assert!(client.get_order_status("a\nb").preview().is_err());
    /// ```
    pub fn get_order_status(&self, order_id: impl Into<String>) -> Call<'_, ops::GetStatus> {
        let order_id = order_id.into();
        self.call((|| {
            built::<_, types::StatusByOrderId>(
                types::StatusByOrderId::builder()
                    .public_key(self.public_key()?)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?),
            )
            .map(types::StatusRequest::from)
        })())
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
        let sent_at = std::time::SystemTime::now();
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
            Err(e) => Err(from_progenitor(e, sent_at).await),
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
