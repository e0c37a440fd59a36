//! The ledger's invoices (`waiting_for_payment` → `paid` / `canceled`), with the SMS and
//! emails "sent" for them (recorded, never delivered). Wallet and widget payments are ordinary
//! hosted-page transactions; saved-card status reads the ledger's cards.

use serde::Serialize;

use super::Ledger;
use epoint_az::Money;

/// An invoice's state in the sandbox (EPoint's open set; the sandbox uses these three).
pub(crate) const WAITING: &str = "waiting_for_payment";
/// Paid on the invoice page.
pub(crate) const PAID: &str = "paid";
/// Canceled on the invoice page.
pub(crate) const CANCELED: &str = "canceled";

/// An SMS or email the merchant asked EPoint to send for an invoice (recorded, not sent).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Sent {
    /// `sms` or `email`.
    pub(crate) channel: &'static str,
    /// The phone or address.
    pub(crate) to: String,
}

/// The fields of an invoice that `invoices/create` and `invoices/update` set.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct InvoiceFields {
    pub(crate) sum: Money,
    pub(crate) display: u8,
    pub(crate) save_as_template: u8,
    pub(crate) status_installment: Option<u8>,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) inn: Option<String>,
    pub(crate) contract_number: Option<String>,
    pub(crate) merchant_order_id: Option<String>,
    pub(crate) period_from: String,
    pub(crate) period_to: String,
}

/// An invoice as the sandbox keeps it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Invoice {
    pub(crate) id: u64,
    pub(crate) merchant: String,
    /// `waiting_for_payment`, `paid` or `canceled`.
    pub(crate) status: &'static str,
    #[serde(flatten)]
    pub(crate) fields: InvoiceFields,
    /// SMS and emails asked for, in order.
    pub(crate) sent: Vec<Sent>,
}

impl Ledger {
    /// A new invoice, `waiting_for_payment`; its id.
    pub(crate) fn create_invoice(&mut self, merchant: &str, fields: InvoiceFields) -> u64 {
        self.next_invoice += 1;
        let id = self.next_invoice;
        // Invoice ids grow: the first is the oldest.
        let limit = self.limit();
        super::make_room(&mut self.invoices, limit);
        self.invoices.insert(
            id,
            Invoice {
                id,
                merchant: merchant.to_owned(),
                status: WAITING,
                fields,
                sent: Vec::new(),
            },
        );
        id
    }

    /// The merchant's invoice `id`.
    pub(crate) fn invoice_of(&self, merchant: &str, id: u64) -> Result<&Invoice, String> {
        self.invoices
            .get(&id)
            .filter(|i| i.merchant == merchant)
            .ok_or_else(|| format!("Invoice {id} not found"))
    }

    fn invoice_mut(&mut self, merchant: &str, id: u64) -> Result<&mut Invoice, String> {
        self.invoices
            .get_mut(&id)
            .filter(|i| i.merchant == merchant)
            .ok_or_else(|| format!("Invoice {id} not found"))
    }

    /// Replaces an invoice's fields; only while it waits for payment.
    pub(crate) fn update_invoice(
        &mut self,
        merchant: &str,
        id: u64,
        fields: InvoiceFields,
    ) -> Result<&Invoice, String> {
        let invoice = self.invoice_mut(merchant, id)?;
        if invoice.status != WAITING {
            return Err(format!(
                "Invoice {id} is {} and can no longer be updated",
                invoice.status
            ));
        }
        invoice.fields = fields;
        Ok(invoice)
    }

    /// Every invoice of the merchant.
    pub(crate) fn invoices_of<'a>(
        &'a self,
        merchant: &'a str,
    ) -> impl Iterator<Item = &'a Invoice> {
        self.invoices
            .values()
            .filter(move |i| i.merchant == merchant)
    }

    /// Every invoice (for `/_sandbox/invoices`).
    pub(crate) fn invoices(&self) -> impl Iterator<Item = &Invoice> {
        self.invoices.values()
    }

    /// Records an SMS or email asked for an invoice (the sandbox delivers nothing).
    pub(crate) fn record_invoice_message(
        &mut self,
        merchant: &str,
        id: u64,
        channel: &'static str,
        to: &str,
    ) -> Result<&Invoice, String> {
        let invoice = self.invoice_mut(merchant, id)?;
        invoice.sent.push(Sent {
            channel,
            to: to.to_owned(),
        });
        Ok(invoice)
    }

    /// The payer pays (`pay` true) or declines (`pay` false) an invoice waiting for payment,
    /// on the sandbox's invoice page.
    pub(crate) fn settle_invoice(&mut self, id: u64, pay: bool) -> Result<&Invoice, String> {
        let invoice = self
            .invoices
            .get_mut(&id)
            .ok_or_else(|| format!("Invoice {id} not found"))?;
        if invoice.status != WAITING {
            return Err(format!("Invoice {id} is already {}", invoice.status));
        }
        invoice.status = if pay { PAID } else { CANCELED };
        Ok(invoice)
    }

    /// An invoice by id, whoever's it is (for the invoice page).
    pub(crate) fn invoice(&self, id: u64) -> Option<&Invoice> {
        self.invoices.get(&id)
    }
}
