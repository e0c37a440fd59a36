//! Apple Pay and Google Pay: the widget, token payments, Apple's merchant session, paying a
//! token, and the token split payment (the spec's `tokens` tag).

use rust_decimal::Decimal;

use super::{Call, built, field, money, split_amounts};
use crate::config::check_url;
use crate::{
    Client, Error, Result,
    generated::types::{self, Currency},
    operation::ops,
};

impl Client {
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

    /// **Create a token payment** for Apple Pay / Google Pay: `POST /api/1/token/payment`.
    ///
    /// Hand the answer's `id` (and amount) to the EPoint JS SDK (`initTokenPay`), then finish
    /// with [`Client::apple_pay`] or [`Client::google_pay`]. EPoint's success answer has **no
    /// `status`**: it is the payment object; an answer with `status` `error`/`server_error` is
    /// [`Error::Rejected`].
    ///
    /// `description` is optional (`.description(…)`), as for [`Client::pay`].
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let payment = client
    ///     .create_token_payment(epoint_az::dec!(2.50), "order-7")
    ///     .description("Coffee")
    ///     .await?;
    /// println!("payment {} ({:?})", payment.id, payment.answer.transaction);
    /// # Ok(()) }
    /// ```
    pub fn create_token_payment(
        &self,
        amount: Decimal,
        order_id: impl Into<String>,
    ) -> Call<'_, ops::TokenPayment> {
        let order_id = order_id.into();
        self.call((|| {
            built(
                types::TokenPaymentRequest::builder()
                    .public_key(self.public_key()?)
                    .amount(money("amount", amount)?)
                    .currency(Currency::Azn)
                    .language(self.config.language)
                    .order_id(field::<types::OrderId>("order_id", &order_id)?),
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
}
