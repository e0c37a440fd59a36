//! Callbacks: the signed form EPoint POSTs to your `result_url` after the customer pays.
//!
//! [`Keys::verify_callback`] checks the signature over `data` exactly as received (constant
//! time) and decodes it into a [`Callback`] that tells which flow it belongs to. Verification
//! and parsing can be separated: [`Keys::verify_form`] returns the authentic JSON text for
//! you to queue and parse later.
//!
//! EPoint callbacks carry no timestamp, so a replayed callback verifies again: handle them
//! idempotently, keyed on `transaction` (or `card_id` for card registration), and confirm
//! with [`crate::Client::get_transaction_status`] when in doubt.

use base64::{Engine, engine::general_purpose::STANDARD};
use serde::Serialize;

use crate::{
    Keys, SignatureError,
    generated::types::CallbackPayload,
    signing::{OpenError, form_body},
};

/// Which operation a callback reports on.
///
/// ```
/// use epoint::callback::CallbackFlow;
/// assert_eq!(CallbackFlow::CardRegistration.operation_path(), Some("/api/1/card-registration"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallbackFlow {
    /// A hosted-page payment (`/api/1/request`).
    Payment,
    /// A card saved without a payment (`/api/1/card-registration`, `operation_code` `001`).
    CardRegistration,
    /// A payment that also saved the card (`/api/1/card-registration-with-pay`, `200`).
    PaymentWithCardRegistration,
    /// A split payment (`/api/1/split-request`).
    SplitPayment,
    /// A split payment that also saved the card (`/api/1/split-card-registration-with-pay`).
    SplitPaymentWithCardRegistration,
    /// Not recognisable from the fields present.
    Unknown,
}

impl CallbackFlow {
    /// Recognises the flow from `operation_code` and which fields are present.
    ///
    /// ```
    /// use epoint::callback::CallbackFlow;
    /// let p: epoint::generated::types::CallbackPayload = serde_json::from_str(
    ///     r#"{"status":"success","operation_code":"001","card_id":"ce1","code":"000"}"#).unwrap();
    /// assert_eq!(CallbackFlow::of(&p), CallbackFlow::CardRegistration);
    /// ```
    pub fn of(payload: &CallbackPayload) -> Self {
        let split = payload.split_amount.is_some();
        let card = payload.card_id.is_some();
        match (payload.operation_code.as_deref(), split, card) {
            (Some("001"), _, _) => Self::CardRegistration,
            (Some("200"), true, _) => Self::SplitPaymentWithCardRegistration,
            (Some("200"), false, _) => Self::PaymentWithCardRegistration,
            // `100` is a payment that saved no card; a split callback carries `card_id` anyway.
            (Some("100"), true, _) => Self::SplitPayment,
            (_, true, true) => Self::SplitPaymentWithCardRegistration,
            (_, true, false) => Self::SplitPayment,
            (_, false, true) if payload.transaction.is_none() && payload.order_id.is_none() => {
                Self::CardRegistration
            }
            (_, false, true) => Self::PaymentWithCardRegistration,
            (_, false, false) if payload.transaction.is_some() || payload.order_id.is_some() => {
                Self::Payment
            }
            _ => Self::Unknown,
        }
    }

    /// The path of the operation that started this flow.
    ///
    /// ```
    /// assert_eq!(epoint::callback::CallbackFlow::Payment.operation_path(), Some("/api/1/request"));
    /// ```
    pub fn operation_path(self) -> Option<&'static str> {
        Some(match self {
            Self::Payment => "/api/1/request",
            Self::CardRegistration => "/api/1/card-registration",
            Self::PaymentWithCardRegistration => "/api/1/card-registration-with-pay",
            Self::SplitPayment => "/api/1/split-request",
            Self::SplitPaymentWithCardRegistration => "/api/1/split-card-registration-with-pay",
            Self::Unknown => return None,
        })
    }
}

/// A verified, decoded callback.
///
/// ```
/// let keys = epoint::Keys::new("i000000001", "test_private_key");
/// let body = keys.sign_callback(&serde_json::json!({
///     "order_id": "1", "status": "success", "code": "000", "transaction": "te000000001", "amount": 30.75
/// })).unwrap();
/// let callback = keys.verify_callback(body.as_bytes()).unwrap();
/// assert_eq!(callback.flow, epoint::callback::CallbackFlow::Payment);
/// assert!(callback.is_success());
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Callback {
    /// The flow it reports on.
    pub flow: CallbackFlow,
    /// The decoded payload (fields EPoint did not send are `None`).
    pub payload: CallbackPayload,
    /// The authentic JSON text, exactly as EPoint encoded it (for storage or audits).
    pub json: String,
}

impl Callback {
    /// `status` is `success` (and, when a bank code is present, it is `000`).
    ///
    /// ```
    /// # let keys = epoint::Keys::new("i1", "k");
    /// # let body = keys.sign_callback(&serde_json::json!({"status":"failed","code":"116","transaction":"te1"})).unwrap();
    /// let cb = keys.verify_callback(body.as_bytes()).unwrap();
    /// assert!(!cb.is_success());
    /// assert_eq!(cb.bank_code().unwrap().meaning(), Some("Declined, insufficient funds"));
    /// ```
    pub fn is_success(&self) -> bool {
        self.payload.status == crate::PaymentStatus::Success
            && self.payload.code.as_deref().is_none_or(|c| c == "000")
    }

    /// The bank response code, if present.
    ///
    /// ```
    /// # let keys = epoint::Keys::new("i1", "k");
    /// # let body = keys.sign_callback(&serde_json::json!({"status":"success","code":"000","transaction":"te1"})).unwrap();
    /// assert!(keys.verify_callback(body.as_bytes()).unwrap().bank_code().unwrap().is_approved());
    /// ```
    pub fn bank_code(&self) -> Option<crate::BankCode> {
        self.payload.code.as_deref().map(crate::BankCode::new)
    }
}

/// Why a callback was refused. Nothing in it is trusted unless it says it was verified.
///
/// ```
/// let keys = epoint::Keys::new("i1", "k");
/// let err = keys.verify_callback(b"data=abc").unwrap_err();
/// assert!(matches!(err, epoint::callback::CallbackError::MissingField("signature")));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The body is not a form, or not UTF-8.
    #[error("callback body is not an application/x-www-form-urlencoded form: {0}")]
    NotAForm(String),
    /// `data` or `signature` is missing.
    #[error("callback form has no `{0}` field")]
    MissingField(&'static str),
    /// A field appears more than once (ambiguous which one was signed).
    #[error("callback form has more than one `{0}` field")]
    DuplicateField(&'static str),
    /// The signature check failed; the payload was not decoded.
    #[error("callback signature rejected: {0}")]
    Signature(#[from] SignatureError),
    /// The signature is valid but `data` is not base64 of the callback JSON.
    #[error("callback verified but could not be decoded: {0}")]
    Decode(OpenError),
    /// The body is larger than the server accepts (with axum: its `DefaultBodyLimit`, 2 MB
    /// unless changed); nothing was verified. `epoint::axum::EpointCallback` answers 413.
    ///
    /// ```
    /// let err = epoint::CallbackError::TooLarge("length limit exceeded".into());
    /// assert_eq!(err.to_string(), "callback body is larger than the server accepts: length limit exceeded");
    /// ```
    #[error("callback body is larger than the server accepts: {0}")]
    TooLarge(String),
}

impl From<OpenError> for CallbackError {
    fn from(value: OpenError) -> Self {
        match value {
            OpenError::Signature(e) => Self::Signature(e),
            other => Self::Decode(other),
        }
    }
}

/// A callback whose signature was checked, not yet parsed into a typed payload.
///
/// ```
/// let keys = epoint::Keys::new("i1", "k");
/// let body = keys.sign_callback(&serde_json::json!({"status": "success"})).unwrap();
/// let verified = keys.verify_form(body.as_bytes()).unwrap();
/// assert_eq!(verified.json(), r#"{"status":"success"}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCallback {
    data: String,
    json: String,
}

impl VerifiedCallback {
    /// The authentic JSON text.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The `data` field as received.
    pub fn data(&self) -> &str {
        &self.data
    }

    /// Parses the JSON into a [`Callback`].
    ///
    /// ```
    /// # let keys = epoint::Keys::new("i1", "k");
    /// # let body = keys.sign_callback(&serde_json::json!({"status": "success", "transaction": "te1"})).unwrap();
    /// let cb = keys.verify_form(body.as_bytes()).unwrap().parse().unwrap();
    /// assert_eq!(cb.payload.transaction.as_deref(), Some("te1"));
    /// ```
    pub fn parse(self) -> Result<Callback, CallbackError> {
        let payload: CallbackPayload = serde_json::from_str(&self.json).map_err(|source| {
            CallbackError::Decode(OpenError::NotJson {
                text: self.json.clone(),
                source,
            })
        })?;
        Ok(Callback {
            flow: CallbackFlow::of(&payload),
            payload,
            json: self.json,
        })
    }
}

impl Keys {
    /// Verifies a callback's raw form body (`data=…&signature=…`) and decodes it.
    ///
    /// ```
    /// let keys = epoint::Keys::new("i000000001", "test_private_key");
    /// let body = keys.sign_callback(&serde_json::json!({"status": "success", "order_id": "1"})).unwrap();
    /// assert!(keys.verify_callback(body.as_bytes()).is_ok());
    /// let tampered = body.replacen("data=e", "data=f", 1);
    /// assert!(keys.verify_callback(tampered.as_bytes()).is_err());
    /// ```
    pub fn verify_callback(&self, body: &[u8]) -> Result<Callback, CallbackError> {
        self.verify_form(body)?.parse()
    }

    /// Verifies `data` and `signature` already taken from the form (e.g. by a web framework).
    ///
    /// ```
    /// # let keys = epoint::Keys::new("i1", "k");
    /// let env = keys.seal(&serde_json::json!({"status": "success", "transaction": "te1"})).unwrap();
    /// let cb = keys.verify_callback_fields(&env.data, &env.signature).unwrap();
    /// assert_eq!(cb.flow, epoint::callback::CallbackFlow::Payment);
    /// ```
    pub fn verify_callback_fields(
        &self,
        data: &str,
        signature: &str,
    ) -> Result<Callback, CallbackError> {
        self.verify_fields(data, signature)?.parse()
    }

    /// Verifies a callback's raw form body without parsing the payload.
    ///
    /// ```
    /// # let keys = epoint::Keys::new("i1", "k");
    /// let body = keys.sign_callback(&serde_json::json!({"status": "new"})).unwrap();
    /// assert!(keys.verify_form(body.as_bytes()).is_ok());
    /// ```
    pub fn verify_form(&self, body: &[u8]) -> Result<VerifiedCallback, CallbackError> {
        let text = std::str::from_utf8(body).map_err(|e| CallbackError::NotAForm(e.to_string()))?;
        let (mut data, mut signature) = (None, None);
        for (key, value) in form_urlencoded::parse(text.trim().as_bytes()) {
            let (slot, name) = match key.as_ref() {
                "data" => (&mut data, "data"),
                "signature" => (&mut signature, "signature"),
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return Err(CallbackError::DuplicateField(name));
            }
        }
        let data = data.ok_or(CallbackError::MissingField("data"))?;
        let signature = signature.ok_or(CallbackError::MissingField("signature"))?;
        self.verify_fields(&data, &signature)
    }

    fn verify_fields(
        &self,
        data: &str,
        signature: &str,
    ) -> Result<VerifiedCallback, CallbackError> {
        self.verify(data, signature)?;
        let bytes = STANDARD.decode(data.trim()).map_err(OpenError::NotBase64)?;
        let not_json = |text: String, source: serde_json::Error| {
            CallbackError::Decode(OpenError::NotJson { text, source })
        };
        let json = String::from_utf8(bytes).map_err(|e| {
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            not_json(
                text,
                serde::de::Error::custom("the callback payload is not UTF-8"),
            )
        })?;
        // Well-formed JSON, and an object: checked without building a value.
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&json) {
            return Err(not_json(json, e));
        }
        if !json.trim_start().starts_with('{') {
            return Err(not_json(
                json,
                serde::de::Error::custom("the callback payload is not a JSON object"),
            ));
        }
        Ok(VerifiedCallback {
            data: data.to_owned(),
            json,
        })
    }

    /// Produces the form body EPoint would POST for `payload`, signed with these keys: for
    /// testing your callback handler.
    ///
    /// ```
    /// let keys = epoint::Keys::new("i000000001", "test_private_key");
    /// let body = keys.sign_callback(&serde_json::json!({"status": "success"})).unwrap();
    /// assert!(body.starts_with("data=") && body.contains("&signature="));
    /// ```
    pub fn sign_callback<T: Serialize + ?Sized>(
        &self,
        payload: &T,
    ) -> Result<String, serde_json::Error> {
        Ok(form_body(&self.seal(payload)?))
    }
}

/// The JSON Schema of the decoded callback payload, e.g. to validate stored callbacks.
///
/// ```
/// let schema = epoint::callback::payload_schema();
/// assert_eq!(schema["required"][0], "status");
/// ```
pub fn payload_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(CallbackPayload)).unwrap_or_default()
}
