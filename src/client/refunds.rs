//! Money back out: refunds (reversals) of payments and payouts to a saved card (the spec's
//! `refunds` tag).

use rust_decimal::Decimal;

use super::{Call, built, field, money};
use crate::{
    Client, Money,
    generated::types::{self, Currency},
    operation::ops,
};

impl Client {
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
