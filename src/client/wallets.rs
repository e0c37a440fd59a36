//! E-wallet payments and the wallets a merchant can take them from (the spec's `wallets` tag).

use rust_decimal::Decimal;

use super::{Call, built, field, money};
use crate::{
    Client,
    generated::types::{self, Currency},
    operation::ops,
};

impl Client {
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
}
