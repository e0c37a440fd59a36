//! Saved cards: saving one, charging it, paying and saving at once, a card's status (the
//! spec's `cards` tag).

use rust_decimal::Decimal;

use super::{Call, built, field, money};
use crate::{
    Client, Error,
    generated::types::{self, Currency},
    operation::ops,
};

impl Client {
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

impl Call<'_, ops::CardRegistrationWithPay> {
    /// Save the card for payouts ([`Client::payout`]) instead of charges (`refund: 1`), as
    /// rafoabbas/epoint-php's `forRefund()` does; EPoint's document does not list the field
    /// for this operation (see the spec).
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let p = client.pay_and_save_card(epoint_az::dec!(1), "o-1").for_payouts(true).preview().unwrap();
    /// assert_eq!(p.payload["refund"], 1);
    /// let p = client.pay_and_save_card(epoint_az::dec!(1), "o-1").preview().unwrap();
    /// assert!(p.payload.get("refund").is_none());
    /// ```
    pub fn for_payouts(self, payouts: bool) -> Self {
        self.set(
            "refund",
            Ok::<_, Error>(crate::Flag::from(payouts)),
            |p, v| p.refund = Some(v),
        )
    }
}
