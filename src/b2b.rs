//! B2B bank transfers (`POST /api/1/b2b/payment`): the transfer to send, validated before
//! anything is sent. See [`crate::Client::b2b_transfer`].

use rust_decimal::Decimal;

use crate::{
    Money,
    error::{Error, Result},
    generated::types,
};

/// A B2B bank transfer to send with [`crate::Client::b2b_transfer`]: the seven required fields,
/// then optional ones with the setters. Nothing is checked until it is sent (or
/// [`B2bTransferRequest::payload`] is called).
///
/// ```
/// use epoint_az::{B2bTransferRequest, dec};
/// let transfer = B2bTransferRequest::new(
///     dec!(1500.00), "b2b-1", "Invoice 42",
///     "AZ21NABZ00000000137010001944", "Supplier LLC", "1234567892", "505000",
/// )
/// .webhook_url("https://shop.example.com/epoint/b2b");
/// let payload = transfer.payload("i000000001").unwrap();
/// assert_eq!(payload.amount.to_string(), "1500.00");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct B2bTransferRequest {
    amount: Decimal,
    order_id: String,
    description: String,
    iban: String,
    name: String,
    tin: String,
    bank_code: String,
    bank_name: Option<String>,
    email: Option<String>,
    address: Option<String>,
    additional_info: Option<String>,
    webhook_url: Option<String>,
    bulk_description: Option<String>,
}

macro_rules! optional {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, value: impl Into<String>) -> Self {
            self.$name = Some(value.into());
            self
        }
    )*};
}

impl B2bTransferRequest {
    /// A transfer of `amount` to the payee `iban` / `name` / `tin` at bank `bank_code`.
    ///
    /// ```
    /// let t = epoint_az::B2bTransferRequest::new(epoint_az::dec!(10), "o", "d", "AZ21NABZ00000000137010001944", "P", "1234567892", "505000");
    /// # let _ = t;
    /// ```
    pub fn new(
        amount: Decimal,
        order_id: impl Into<String>,
        description: impl Into<String>,
        iban: impl Into<String>,
        name: impl Into<String>,
        tin: impl Into<String>,
        bank_code: impl Into<String>,
    ) -> Self {
        Self {
            amount,
            order_id: order_id.into(),
            description: description.into(),
            iban: iban.into(),
            name: name.into(),
            tin: tin.into(),
            bank_code: bank_code.into(),
            bank_name: None,
            email: None,
            address: None,
            additional_info: None,
            webhook_url: None,
            bulk_description: None,
        }
    }

    optional! {
        /// The payee bank's name.
        ///
        /// ```
        /// # let t = epoint_az::B2bTransferRequest::new(epoint_az::dec!(1), "o", "d", "AZ21NABZ00000000137010001944", "P", "1234567892", "505000");
        /// let t = t.bank_name("Kapital Bank");
        /// ```
        bank_name;
        /// The payee's e-mail.
        ///
        /// ```
        /// # let t = epoint_az::B2bTransferRequest::new(epoint_az::dec!(1), "o", "d", "AZ21NABZ00000000137010001944", "P", "1234567892", "505000");
        /// let t = t.email("billing@supplier.example");
        /// ```
        email;
        /// The payee's address.
        ///
        /// ```
        /// # let t = epoint_az::B2bTransferRequest::new(epoint_az::dec!(1), "o", "d", "AZ21NABZ00000000137010001944", "P", "1234567892", "505000");
        /// let t = t.address("Baku");
        /// ```
        address;
        /// Free text for the bank.
        ///
        /// ```
        /// # let t = epoint_az::B2bTransferRequest::new(epoint_az::dec!(1), "o", "d", "AZ21NABZ00000000137010001944", "P", "1234567892", "505000");
        /// let t = t.additional_info("contract 7");
        /// ```
        additional_info;
        /// Where EPoint POSTs the settlement webhook. **The webhook is UNSIGNED**: confirm it
        /// with [`crate::Client::confirm_b2b_webhook`] before acting on it.
        ///
        /// ```
        /// # let t = epoint_az::B2bTransferRequest::new(epoint_az::dec!(1), "o", "d", "AZ21NABZ00000000137010001944", "P", "1234567892", "505000");
        /// let t = t.webhook_url("https://shop.example.com/epoint/b2b");
        /// ```
        webhook_url;
        /// Description of the bulk the transfer belongs to.
        ///
        /// ```
        /// # let t = epoint_az::B2bTransferRequest::new(epoint_az::dec!(1), "o", "d", "AZ21NABZ00000000137010001944", "P", "1234567892", "505000");
        /// let t = t.bulk_description("May suppliers");
        /// ```
        bulk_description;
    }

    /// The signed `data` this transfer sends for merchant `public_key`, or the first invalid
    /// field (IBAN `AZ` + 18–32 letters/digits, TIN 10 digits ending in 1 or 2, amount
    /// 0.01–40000 with at most two decimals, description 1–255 characters).
    ///
    /// ```
    /// let bad = epoint_az::B2bTransferRequest::new(epoint_az::dec!(1), "o", "d", "GB00", "P", "1234567892", "505000");
    /// assert!(matches!(bad.payload("i1"), Err(epoint_az::Error::InvalidInput { field: "iban", .. })));
    /// ```
    pub fn payload(&self, public_key: &str) -> Result<types::B2bPaymentRequest> {
        fn parse<T>(name: &'static str, value: &str) -> Result<T>
        where
            T: std::str::FromStr,
            T::Err: std::fmt::Display,
        {
            value.parse().map_err(|e| Error::invalid(name, e))
        }
        let amount = Money::new(self.amount).map_err(|e| Error::invalid("amount", e))?;
        if amount.amount() > Decimal::from(40_000) {
            return Err(Error::invalid(
                "amount",
                "is more than 40000 (the B2B limit)",
            ));
        }
        let iban = self.iban.trim().to_ascii_uppercase();
        let body = iban.strip_prefix("AZ").unwrap_or("");
        if !iban.starts_with("AZ")
            || !(18..=32).contains(&body.len())
            || !body.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(Error::invalid(
                "iban",
                format!("must be AZ followed by 18 to 32 letters or digits, got {iban:?}"),
            ));
        }
        let tin = self.tin.trim();
        if tin.len() != 10
            || !tin.chars().all(|c| c.is_ascii_digit())
            || !(tin.ends_with('1') || tin.ends_with('2'))
        {
            return Err(Error::invalid(
                "tin",
                "must be 10 digits ending in 1 (individual) or 2 (legal entity)",
            ));
        }
        if let Some(url) = &self.webhook_url {
            crate::config::check_url(url)
                .map_err(|reason| Error::invalid("webhook_url", reason))?;
        }
        let text = |name: &'static str, value: &str, max: usize| -> Result<String> {
            let count = value.trim().chars().count();
            if count == 0 || count > max {
                return Err(Error::invalid(
                    name,
                    format!("must have 1 to {max} characters"),
                ));
            }
            Ok(value.trim().to_owned())
        };
        types::B2bPaymentRequest::builder()
            .public_key(parse::<types::PublicKey>("public_key", public_key)?)
            .order_id(parse::<types::OrderId>("order_id", &self.order_id)?)
            .amount(amount)
            .description(text("description", &self.description, 255)?)
            .iban(iban)
            .name(text("name", &self.name, 255)?)
            .tin(tin.to_owned())
            .bank_code(text("bank_code", &self.bank_code, 32)?)
            .bank_name(self.bank_name.clone())
            .email(self.email.clone())
            .address(self.address.clone())
            .additional_info(self.additional_info.clone())
            .webhook_url(self.webhook_url.clone())
            .bulk_description(self.bulk_description.clone())
            .try_into()
            .map_err(|e: types::error::ConversionError| Error::invalid("payload", e))
    }
}
