//! B2B bank transfers (the spec's `b2b` tag): the transfer to send, validated before anything
//! is sent, sending it (`POST /api/1/b2b/payment`), its status, and confirming the unsigned
//! webhook.

use rust_decimal::Decimal;

use super::call::{check_status, from_progenitor};
use crate::{
    Client, Money, PaymentStatus,
    error::{Error, Result},
    generated::types,
    operation::AnswerKind,
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
    /// field (order id as [`crate::validate_order_id`] and usable as the URL path segment
    /// [`crate::Client::b2b_transfer_status`] reads it by: not `.`, `..` or containing `\`;
    /// IBAN `AZ` + 18–32 letters/digits, TIN 10 digits ending in 1 or 2, amount 0.01–40000
    /// with at most two decimals, description 1–255 characters).
    ///
    /// ```
    /// use epoint_az::{B2bTransferRequest, Error, dec};
    /// let bad = B2bTransferRequest::new(dec!(1), "o", "d", "GB00", "P", "1234567892", "505000");
    /// assert!(matches!(bad.payload("i1"), Err(Error::InvalidInput { field: "iban", .. })));
    /// let dots = B2bTransferRequest::new(dec!(1), "..", "d", "AZ21NABZ00000000137010001944", "P", "1234567892", "505000");
    /// assert!(matches!(dots.payload("i1"), Err(Error::InvalidInput { field: "order_id", .. })));
    /// ```
    pub fn payload(&self, public_key: &str) -> Result<types::B2bPaymentRequest> {
        fn parse<T>(name: &'static str, value: &str) -> Result<T>
        where
            T: std::str::FromStr,
            T::Err: std::fmt::Display,
        {
            value.parse().map_err(|e| Error::invalid(name, e))
        }
        // The order id is what `b2b_transfer_status` reads the transfer back by, in the URL path:
        // one that path would not keep as itself (`.`, `..`, `\`, or an id the order-id rule
        // refuses) would leave a transfer that moved money impossible to confirm.
        crate::order_id::check_path_order_id(&self.order_id)
            .map_err(|reason| Error::invalid("order_id", reason))?;
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

impl Client {
    /// **B2B bank transfer**: `POST /api/1/b2b/payment`, sent as a signed **JSON** envelope
    /// (`{"data","signature"}`), not a form. EPoint answers with real HTTP status codes: a
    /// refusal is [`Error::Http`] with EPoint's JSON body kept; HTTP 200 with `status` `error`
    /// is [`Error::Rejected`]. Accepted is not settled: read [`Client::b2b_transfer_status`].
    ///
    /// **The settlement webhook sent to `webhook_url` is UNSIGNED**: anyone can forge it.
    /// Confirm it with [`Client::confirm_b2b_webhook`], which trusts only EPoint's status.
    /// Moves money; never retried automatically. A transfer lost in transit is an
    /// [`Error::Transport`] that names its order id ([`Error::order_id`]), the key
    /// [`Client::b2b_transfer_status`] reads it back by.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// use epoint_az::{B2bTransferRequest, dec};
    /// let transfer = B2bTransferRequest::new(dec!(1500), "b2b-1", "Invoice 42",
    ///     "AZ21NABZ00000000137010001944", "Supplier LLC", "1234567892", "505000");
    /// let accepted = client.b2b_transfer(&transfer).await?;
    /// println!("bulk {:?}", accepted.bulk_id);
    /// # Ok(()) }
    /// ```
    pub async fn b2b_transfer(
        &self,
        transfer: &crate::B2bTransferRequest,
    ) -> Result<crate::B2bTransfer> {
        let payload = transfer.payload(self.keys.public_key())?;
        let envelope = self
            .keys
            .seal(&payload)
            .map_err(|e| Error::invalid("payload", e))?;
        let sent_at = std::time::SystemTime::now();
        let answer = match self.raw.b2b_payment(&envelope).await {
            Ok(answer) => answer.into_inner(),
            // A transfer lost in transit is looked up by its order id, as every other call's.
            Err(e) => return Err(from_progenitor(e, sent_at).await.with_order_id(&payload)),
        };
        check_status(AnswerKind::Plain, &answer)?;
        Ok(crate::B2bTransfer {
            order_id: answer
                .order_id
                .clone()
                .unwrap_or_else(|| payload.order_id.to_string()),
            bulk_id: answer.bulk_id.clone(),
            answer,
        })
    }

    /// **B2B transfer state**: `GET /api/1/b2b/payment/{order_id}`, unsigned. `PENDING`,
    /// `PROCESSING`, `SUCCESS`, `FAILED` (or a state EPoint adds) are `Ok`; `status` `error`
    /// (unknown `order_id`) is [`Error::Rejected`]; HTTP 404 is [`Error::Http`] with the body.
    /// Read-only: this is the trustworthy way to learn a transfer's outcome, so an answer that
    /// names another `order_id` is [`Error::AnswerMismatch`], never a state. An order id a
    /// URL path would not keep as one segment (`\\`, `.`, `..`) is [`Error::InvalidInput`]
    /// before anything is sent.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let state = client.b2b_transfer_status("b2b-1").await?;
    /// println!("{:?} webhook sent: {:?}", state.state, state.answer.webhook_sent);
    /// # Ok(()) }
    /// ```
    pub async fn b2b_transfer_status(&self, order_id: &str) -> Result<crate::B2bTransferStatus> {
        crate::order_id::check_path_order_id(order_id)
            .map_err(|reason| Error::invalid("order_id", reason))?;
        let sent_at = std::time::SystemTime::now();
        let answer = match self.raw.b2b_payment_status(order_id).await {
            Ok(answer) => answer.into_inner(),
            Err(e) => return Err(from_progenitor(e, sent_at).await),
        };
        if matches!(
            answer.status,
            PaymentStatus::Error | PaymentStatus::ServerError
        ) {
            return Err(Error::Rejected {
                status: answer.status.clone(),
                message: answer.message.clone().unwrap_or_default(),
                response: Box::new(serde_json::to_value(&answer).unwrap_or_default()),
            });
        }
        if answer
            .order_id
            .as_deref()
            .is_some_and(|answered| answered != order_id)
        {
            return Err(order_mismatch(order_id, &answer));
        }
        Ok(crate::B2bTransferStatus {
            state: crate::B2bTransferState::from(answer.status.as_str()),
            answer,
        })
    }

    /// **Confirms a B2B webhook**, which EPoint sends **UNSIGNED**: parses the body (JSON
    /// `{order_id, status, amount, payee_iban, payee_name, error_message}`), then re-reads the
    /// transfer with [`Client::b2b_transfer_status`]. Act on `.confirmed` only; `.agrees` tells
    /// whether the webhook said the same. EPoint's answer must name the webhook's `order_id`
    /// ([`Error::AnswerMismatch`] otherwise), and an order id that is not usable as a URL path
    /// segment is refused before anything is sent. A body that is not a webhook is
    /// [`Error::InvalidInput`] (field `webhook`), and nothing is sent.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client, body: &[u8]) -> epoint_az::Result<()> {
    /// let check = client.confirm_b2b_webhook(body).await?;
    /// if check.confirmed.state == epoint_az::B2bTransferState::Success { /* pay the invoice */ }
    /// # Ok(()) }
    /// ```
    pub async fn confirm_b2b_webhook(&self, body: &[u8]) -> Result<crate::B2bWebhookCheck> {
        let webhook: types::B2bWebhookPayload =
            serde_json::from_slice(body).map_err(|e| Error::invalid("webhook", e))?;
        let confirmed = self.b2b_transfer_status(&webhook.order_id).await?;
        // The confirmation must be about this transfer: an answer that does not name it
        // confirms nothing.
        if confirmed.answer.order_id.as_deref() != Some(webhook.order_id.as_str()) {
            return Err(order_mismatch(&webhook.order_id, &confirmed.answer));
        }
        let agrees = crate::B2bTransferState::from(webhook.status.as_str()) == confirmed.state;
        Ok(crate::B2bWebhookCheck {
            webhook,
            confirmed,
            agrees,
        })
    }
}

/// A B2B status answer that is not about `asked` (another order, or none named).
fn order_mismatch(asked: &str, answer: &types::B2bPaymentStatusResponse) -> Error {
    Error::AnswerMismatch {
        field: "order_id",
        asked: asked.to_owned(),
        answered: answer.order_id.clone(),
        response: Box::new(serde_json::to_value(answer).unwrap_or_default()),
    }
}
