//! Ledger rules of the hosted-page payment variants (checkout, the developer site's payment
//! paths, installments), pre-authorisations that hold money until completed, and re-pricing
//! an unpaid order.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{Ledger, Transaction, checked};
use epoint_az::{Money, PaymentStatus};

/// What `/api/1/get-status` reports for an approved pre-authorisation that is not completed
/// yet: the money is held, not in the merchant's balance. EPoint documents no value for
/// this state; `status` is an open set.
pub(crate) const HELD: &str = "pre_authorized";

/// The payment variants' part of the ledger (held pre-authorisations).
#[derive(Default)]
pub(crate) struct State {
    /// Completed pre-authorisations: the amount that was held (the transaction's `amount`
    /// becomes the captured amount; the rest is released).
    held: BTreeMap<String, Money>,
}

/// The payment-variant operations that create a payment completed on the hosted page.
pub(super) fn has_hosted_page(operation: &str) -> bool {
    matches!(
        operation,
        "checkout"
            | "developer_payment_request"
            | "amex_request"
            | "installment_request"
            | "pre_auth_request"
    )
}

/// After the customer's page: an approved pre-authorisation holds the money.
pub(super) fn settled(tx: &mut Transaction, approved: bool) {
    if approved && tx.operation == "pre_auth_request" {
        tx.status = PaymentStatus::Other(HELD.to_owned());
    }
}

impl Ledger {
    /// Captures `amount` of the merchant's held pre-authorisation `id` (at most the held
    /// amount; the rest is released). It then reports `success` with the captured amount.
    pub(crate) fn complete_pre_auth(
        &mut self,
        merchant: &str,
        id: &str,
        amount: Money,
    ) -> Result<&Transaction, String> {
        let amount = checked("amount", amount)?;
        let limit = self.limit();
        let tx = self
            .transactions
            .get_mut(id)
            .filter(|tx| tx.merchant == merchant)
            .ok_or("Transaction not found")?;
        if tx.operation != "pre_auth_request" {
            return Err(format!("Transaction {id} is not a pre-authorization"));
        }
        match &tx.status {
            PaymentStatus::Other(s) if s == HELD => {}
            PaymentStatus::New => {
                return Err(format!(
                    "Transaction {id} is not authorized yet: the customer has not completed the page"
                ));
            }
            PaymentStatus::Success | PaymentStatus::Returned => {
                return Err(format!("Transaction {id} is already completed"));
            }
            other => {
                return Err(format!(
                    "Transaction {id} cannot be completed: its status is {other}"
                ));
            }
        }
        if amount.amount() > tx.amount.amount() {
            return Err(format!(
                "The amount {amount} is more than the pre-authorized amount {}",
                tx.amount
            ));
        }
        let held = tx.amount;
        super::make_room(&mut self.variants.held, limit);
        self.variants.held.insert(id.to_owned(), held);
        tx.amount = amount;
        tx.refunded = Decimal::ZERO;
        tx.status = PaymentStatus::Success;
        Ok(tx)
    }

    /// Re-prices the merchant's unpaid (`new`) hosted payment with this `order_id`.
    pub(crate) fn change_sum(
        &mut self,
        merchant: &str,
        order_id: &str,
        amount: Money,
    ) -> Result<&Transaction, String> {
        let amount = checked("amount", amount)?;
        let mut orders = self.transactions.values_mut().filter(|tx| {
            tx.merchant == merchant
                && tx.order_id == order_id
                && tx.operation != "refund_request"
                && tx.card_id.is_none()
        });
        let Some(tx) = orders.find(|tx| tx.status == PaymentStatus::New) else {
            return Err(format!("Order {order_id} not found, or already paid"));
        };
        if tx.operation == "pre_auth_request" {
            return Err("A pre-authorization cannot be re-priced".into());
        }
        tx.amount = amount;
        Ok(tx)
    }
}
