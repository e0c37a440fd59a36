//! Payments shared with a second EPoint merchant (the spec's `split` tag).

use rust_decimal::Decimal;

use super::{Call, built, field, split_amounts};
use crate::{
    Client,
    generated::types::{self, Currency},
    operation::ops,
};

impl Client {
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
}
