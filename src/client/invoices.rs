//! Invoices: create, update, view, list, send by SMS or e-mail (the spec's `invoices` tag).

use rust_decimal::Decimal;

use super::{Call, built, field, money};
use crate::{
    Client, Error, Result,
    generated::types::{self},
    operation::ops,
};

impl Client {
    /// **Create an invoice**: `POST /api/1/invoices/create`. `sum` is due between
    /// `period_from` and `period_to` (`YYYY-MM-DD`). Displayed (`display: 1`) and not a
    /// template (`save_as_template: 0`) unless set otherwise. A new invoice is
    /// `waiting_for_payment`. (The document's `invoice_images[]` files cannot be sent.)
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// let invoice = client
    ///     .create_invoice(dec!(150.00), "2026-12-01", "2026-12-31")
    ///     .name("Consulting, December")
    ///     .email("customer@example.com")
    ///     .await?;
    /// client.send_invoice_email(invoice.id, "customer@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub fn create_invoice(
        &self,
        sum: Decimal,
        period_from: impl Into<String>,
        period_to: impl Into<String>,
    ) -> Call<'_, ops::InvoicesCreate> {
        let (from, to) = (period_from.into(), period_to.into());
        self.call((|| {
            built(
                types::InvoiceRequest::builder()
                    .public_key(self.public_key()?)
                    .sum(money("sum", sum)?)
                    .display(crate::Flag::from(true))
                    .save_as_template(crate::Flag::from(false))
                    .period_from(invoice_date("period_from", &from)?)
                    .period_to(invoice_date("period_to", &to)?),
            )
        })())
    }

    /// **Update an invoice**: `POST /api/1/invoices/update`. Replaces the invoice: send every
    /// field again (the same optional setters as [`Client::create_invoice`]).
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::dec;
    /// client.update_invoice(1, dec!(200.00), "2026-12-01", "2026-12-31").name("Consulting").await?;
    /// # Ok(()) }
    /// ```
    pub fn update_invoice(
        &self,
        id: u64,
        sum: Decimal,
        period_from: impl Into<String>,
        period_to: impl Into<String>,
    ) -> Call<'_, ops::InvoicesUpdate> {
        let (from, to) = (period_from.into(), period_to.into());
        self.call((|| {
            built(
                types::InvoiceUpdateRequest::builder()
                    .public_key(self.public_key()?)
                    .id(id)
                    .sum(money("sum", sum)?)
                    .display(crate::Flag::from(true))
                    .save_as_template(crate::Flag::from(false))
                    .period_from(invoice_date("period_from", &from)?)
                    .period_to(invoice_date("period_to", &to)?),
            )
        })())
    }

    /// **View an invoice** and its state (`waiting_for_payment`, `paid`, `canceled`…):
    /// `POST /api/1/invoices/view`. Read-only.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let seen = client.view_invoice(1).await?;
    /// let paid = seen.invoice.and_then(|i| i.status).as_deref() == Some("paid");
    /// # Ok(()) }
    /// ```
    pub fn view_invoice(&self, id: u64) -> Call<'_, ops::InvoicesView> {
        self.call((|| {
            built(
                types::InvoiceViewRequest::builder()
                    .public_key(self.public_key()?)
                    .id(id),
            )
        })())
    }

    /// **List invoices**: `POST /api/1/invoices/list`; narrow with
    /// [`Call::invoice_type`] and sort with [`Call::order`]. Read-only.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::generated::types::InvoiceType;
    /// let list = client.list_invoices().invoice_type(InvoiceType::Outgoing).order("desc").await?;
    /// for invoice in list.invoices { println!("{:?} {:?}", invoice.id, invoice.status); }
    /// # Ok(()) }
    /// ```
    pub fn list_invoices(&self) -> Call<'_, ops::InvoicesList> {
        self.call((|| {
            built(types::InvoiceListRequest::builder().public_key(self.public_key()?))
        })())
    }

    /// **Send an invoice by SMS** to `phone`: `POST /api/1/invoices/send-sms`.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// client.send_invoice_sms(1, "+994501234567").await?;
    /// # Ok(()) }
    /// ```
    pub fn send_invoice_sms(
        &self,
        id: u64,
        phone: impl Into<String>,
    ) -> Call<'_, ops::InvoicesSendSms> {
        let phone = phone.into();
        self.call((|| {
            built(
                types::InvoiceSendSmsRequest::builder()
                    .public_key(self.public_key()?)
                    .id(id)
                    .phone(field::<types::InvoicePhone>("phone", &phone)?),
            )
        })())
    }

    /// **Send an invoice by email** to `email`: `POST /api/1/invoices/send-email`.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// client.send_invoice_email(1, "customer@example.com").await?;
    /// # Ok(()) }
    /// ```
    pub fn send_invoice_email(
        &self,
        id: u64,
        email: impl Into<String>,
    ) -> Call<'_, ops::InvoicesSendEmail> {
        let email = email.into();
        self.call((|| {
            built(
                types::InvoiceSendEmailRequest::builder()
                    .public_key(self.public_key()?)
                    .id(id)
                    .email(field::<types::InvoiceEmail>("email", &email)?),
            )
        })())
    }
}

/// The optional fields of an invoice, for both `create_invoice` and `update_invoice`.
macro_rules! invoice_setters {
    ($($op:ident),*) => {$(
        impl Call<'_, ops::$op> {
            /// Display the invoice (`display`, default 1).
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let p = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").display(false).preview().unwrap();
            /// assert_eq!(p.payload["display"], 0);
            /// ```
            pub fn display(self, display: bool) -> Self {
                self.set("display", Ok::<_, Error>(crate::Flag::from(display)), |p, v| p.display = v)
            }

            /// Also save it as a template, a static invoice (`save_as_template`, default 0).
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let p = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").save_as_template(true).preview().unwrap();
            /// assert_eq!(p.payload["save_as_template"], 1);
            /// ```
            pub fn save_as_template(self, template: bool) -> Self {
                self.set("save_as_template", Ok::<_, Error>(crate::Flag::from(template)), |p, v| p.save_as_template = v)
            }

            /// Let the payer pay in installments (`status_installment`).
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let p = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").installment(true).preview().unwrap();
            /// assert_eq!(p.payload["status_installment"], 1);
            /// ```
            pub fn installment(self, installment: bool) -> Self {
                self.set("status_installment", Ok::<_, Error>(crate::Flag::from(installment)), |p, v| p.status_installment = Some(v))
            }

            /// The invoice's (or the payer's) name.
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let call = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").name("Rent");
            /// ```
            pub fn name(self, name: impl Into<String>) -> Self {
                self.set("name", Ok::<_, Error>(name.into()), |p, v| p.name = Some(v))
            }

            /// The payer's phone.
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let call = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").phone("+994501234567");
            /// ```
            pub fn phone(self, phone: impl Into<String>) -> Self {
                self.set("phone", Ok::<_, Error>(phone.into()), |p, v| p.phone = Some(v))
            }

            /// The payer's email.
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let call = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").email("a@example.com");
            /// ```
            pub fn email(self, email: impl Into<String>) -> Self {
                self.set("email", Ok::<_, Error>(email.into()), |p, v| p.email = Some(v))
            }

            /// The payer's tax id (TIN, `inn`).
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let call = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").inn("1234567890");
            /// ```
            pub fn inn(self, inn: impl Into<String>) -> Self {
                self.set("inn", Ok::<_, Error>(inn.into()), |p, v| p.inn = Some(v))
            }

            /// Contract number.
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let call = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").contract_number("C-7");
            /// ```
            pub fn contract_number(self, number: impl Into<String>) -> Self {
                self.set("contract_number", Ok::<_, Error>(number.into()), |p, v| p.contract_number = Some(v))
            }

            /// The merchant's own order id for this invoice.
            ///
            /// ```
            /// # use epoint_az::dec;
            /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
            /// let call = client.create_invoice(dec!(1), "2026-12-01", "2026-12-31").merchant_order_id("order-5");
            /// ```
            pub fn merchant_order_id(self, order_id: impl Into<String>) -> Self {
                self.set("merchant_order_id", Ok::<_, Error>(order_id.into()), |p, v| p.merchant_order_id = Some(v))
            }
        }
    )*};
}

invoice_setters!(InvoicesCreate, InvoicesUpdate);

impl Call<'_, ops::InvoicesList> {
    /// Only invoices of this type (`incoming`, `outgoing`, `static`).
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// use epoint_az::generated::types::InvoiceType;
    /// let p = client.list_invoices().invoice_type(InvoiceType::Static).preview().unwrap();
    /// assert_eq!(p.payload["type"], "static");
    /// ```
    pub fn invoice_type(self, kind: types::InvoiceType) -> Self {
        self.set("type", Ok::<_, Error>(kind), |p, v| p.type_ = Some(v))
    }

    /// Sort order (`asc` or `desc`; EPoint's document names no values, these are assumed).
    ///
    /// ```
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let p = client.list_invoices().order("desc").preview().unwrap();
    /// assert_eq!(p.payload["order"], "desc");
    /// ```
    pub fn order(self, order: impl Into<String>) -> Self {
        self.set("order", Ok::<_, Error>(order.into()), |p, v| {
            p.order = Some(v)
        })
    }
}

/// An invoice date: `YYYY-MM-DD` (the form assumed for the document's *Date*).
fn invoice_date(name: &'static str, value: &str) -> Result<types::InvoiceDate> {
    let b = value.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    let (month, day) = (
        value.get(5..7).and_then(|m| m.parse::<u8>().ok()),
        value.get(8..10).and_then(|d| d.parse::<u8>().ok()),
    );
    if !shaped || !matches!(month, Some(1..=12)) || !matches!(day, Some(1..=31)) {
        return Err(Error::invalid(
            name,
            format!("`{value}` is not a date YYYY-MM-DD"),
        ));
    }
    field(name, value)
}
