//! Callbacks: the signed form EPoint POSTs to your `result_url` after the customer pays.
//!
//! [`Keys::verify_callback`] checks the signature over `data` exactly as received (constant
//! time) and decodes it into a [`Callback`] that tells which flow it belongs to. Verification
//! and parsing can be separated: [`Keys::verify_form`] returns the authentic JSON text for
//! you to queue and parse later.
//!
//! EPoint callbacks carry no timestamp, and EPoint may send one again: a replayed callback
//! verifies again. Handle them idempotently with [`Callback::idempotency_key`] (the
//! transaction, or the card for a card registration, and the status), and confirm with
//! [`crate::Client::get_transaction_status`] when in doubt.
//!
//! Callbacks are read as they arrive in the wild: a genuinely signed callback whose
//! non-essential field ([`TOLERATED_FIELDS`]: `message`, `bank_response`, …) has an unexpected
//! type still decodes, with that field kept as raw JSON in [`Callback::unexpected`] (EPoint has
//! sent `message` as an object, `{"message": "…"}`: faganchalabizada/epoint-api commit
//! f0b1f09). The fields a decision rests on (`status`, `code`, `order_id`, `card_id`,
//! `transaction`, the amounts) stay strict: a wrong type there is [`CallbackError::Decode`].

use std::borrow::Cow;

use base64::{Engine, engine::general_purpose::STANDARD};
use serde::Serialize;

use crate::{
    Keys, SignatureError,
    generated::types::CallbackPayload,
    signing::{OpenError, form_body},
};

mod flow;
pub use flow::{CallbackFlow, Example, FlowInfo};

/// A verified, decoded callback.
///
/// ```
/// let keys = epoint_az::Keys::new("i000000001", "test_private_key");
/// let body = keys.sign_callback(&serde_json::json!({
///     "order_id": "1", "status": "success", "code": "000", "transaction": "te000000001", "amount": 30.75
/// })).unwrap();
/// let callback = keys.verify_callback(body.as_bytes()).unwrap();
/// assert_eq!(callback.flow, epoint_az::callback::CallbackFlow::Payment);
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
    /// Non-essential fields ([`TOLERATED_FIELDS`]) that came with a type the spec does not
    /// give them, kept as EPoint sent them (their typed field in `payload` is `None`). Empty for
    /// a callback as documented.
    pub unexpected: serde_json::Map<String, serde_json::Value>,
}

/// The callback fields no decision rests on: one of them with an unexpected type (a number, an
/// object) does not make a genuinely signed callback unreadable; it is kept raw in
/// [`Callback::unexpected`]. Every other field is strict.
///
/// ```
/// assert!(epoint_az::callback::TOLERATED_FIELDS.contains(&"message"));
/// assert!(!epoint_az::callback::TOLERATED_FIELDS.contains(&"status"));
/// ```
pub const TOLERATED_FIELDS: [&str; 8] = [
    "message",
    "bank_response",
    "bank_transaction",
    "operation_code",
    "rrn",
    "card_name",
    "card_mask",
    "trace_id",
];

impl Callback {
    /// `status` is `success` (and, when a bank code is present, it is `000`).
    ///
    /// ```
    /// # let keys = epoint_az::Keys::new("i1", "k");
    /// # let body = keys.sign_callback(&serde_json::json!({"status":"failed","code":"116","transaction":"te1"})).unwrap();
    /// let cb = keys.verify_callback(body.as_bytes()).unwrap();
    /// assert!(!cb.is_success());
    /// assert_eq!(cb.bank_code().unwrap().meaning(), Some("Declined, insufficient funds"));
    /// ```
    pub fn is_success(&self) -> bool {
        self.payload.status == crate::PaymentStatus::Success
            && self.payload.code.as_deref().is_none_or(|c| c == "000")
    }

    /// EPoint's message: the `message` string, or the text inside a `message` object
    /// (`{"message": "…"}`, as EPoint has sent it).
    ///
    /// ```
    /// # let keys = epoint_az::Keys::new("i1", "k");
    /// # let body = keys.sign_callback(&serde_json::json!({"status":"success","transaction":"te1","message":{"message":"Approved"}})).unwrap();
    /// let cb = keys.verify_callback(body.as_bytes()).unwrap();
    /// assert_eq!(cb.message(), Some("Approved"));
    /// assert_eq!(cb.unexpected["message"], serde_json::json!({"message": "Approved"}));
    /// ```
    pub fn message(&self) -> Option<&str> {
        self.payload.message.as_deref().or_else(|| {
            self.unexpected
                .get("message")
                .and_then(|m| m.get("message"))
                .and_then(serde_json::Value::as_str)
        })
    }

    /// A stable key for this callback, the same each time EPoint sends it again: what a
    /// handler stores to act once. `transaction:{id}:{status}` (or `card:{card_id}:{status}`
    /// for a card registration, `order:{order_id}:{status}` when EPoint sent only the order);
    /// `None` when the callback names none of them. The status is part of it so that a
    /// different outcome for the same transaction is never taken for a repeat.
    ///
    /// ```
    /// # let keys = epoint_az::Keys::new("i1", "k");
    /// # let body = keys.sign_callback(&serde_json::json!({"status":"success","transaction":"te1","order_id":"o-1"})).unwrap();
    /// let cb = keys.verify_callback(body.as_bytes()).unwrap();
    /// assert_eq!(cb.idempotency_key().as_deref(), Some("transaction:te1:success"));
    /// ```
    pub fn idempotency_key(&self) -> Option<String> {
        let p = &self.payload;
        let (kind, id) = match (&p.transaction, &p.card_id, &p.order_id) {
            (Some(t), _, _) => ("transaction", t),
            (None, Some(c), _) => ("card", c),
            (None, None, Some(o)) => ("order", o),
            (None, None, None) => return None,
        };
        Some(format!("{kind}:{id}:{}", p.status))
    }

    /// The bank response code, if present.
    ///
    /// ```
    /// # let keys = epoint_az::Keys::new("i1", "k");
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
/// let keys = epoint_az::Keys::new("i1", "k");
/// let err = keys.verify_callback(b"data=abc").unwrap_err();
/// assert!(matches!(err, epoint_az::callback::CallbackError::MissingField("signature")));
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
    /// unless changed); nothing was verified. `epoint_az::axum::EpointCallback` answers 413.
    ///
    /// ```
    /// let err = epoint_az::CallbackError::TooLarge("length limit exceeded".into());
    /// assert_eq!(err.to_string(), "callback body is larger than the server accepts: length limit exceeded");
    /// ```
    #[error("callback body is larger than the server accepts: {0}")]
    TooLarge(String),
    /// The body (or `data` + `signature`) is over [`MAX_CALLBACK_BODY`] bytes; nothing was
    /// verified. `epoint_az::axum::EpointCallback` answers 413.
    ///
    /// ```
    /// let err = epoint_az::CallbackError::BodyTooLarge { length: 70_000, limit: 65_536 };
    /// assert_eq!(err.to_string(), "callback body is 70000 bytes, over the 65536-byte limit");
    /// ```
    #[error("callback body is {length} bytes, over the {limit}-byte limit")]
    BodyTooLarge {
        /// The length received.
        length: usize,
        /// [`MAX_CALLBACK_BODY`].
        limit: usize,
    },
    /// The signature is valid but the JSON nests deeper than [`MAX_CALLBACK_DEPTH`].
    ///
    /// ```
    /// let err = epoint_az::CallbackError::TooDeep { limit: 32 };
    /// assert_eq!(err.to_string(), "callback verified but its JSON nests deeper than 32 levels");
    /// ```
    #[error("callback verified but its JSON nests deeper than {limit} levels")]
    TooDeep {
        /// [`MAX_CALLBACK_DEPTH`].
        limit: usize,
    },
}

/// The largest callback body [`Keys::verify_callback`] and [`Keys::verify_form`] read: 64 KiB.
/// A real callback is well under 2 KiB; a larger body is refused with
/// [`CallbackError::BodyTooLarge`] before any work is done on it.
///
/// ```
/// let keys = epoint_az::Keys::new("i1", "k");
/// let body = vec![b'a'; epoint_az::callback::MAX_CALLBACK_BODY + 1];
/// assert!(matches!(keys.verify_callback(&body), Err(epoint_az::CallbackError::BodyTooLarge { .. })));
/// ```
pub const MAX_CALLBACK_BODY: usize = 64 * 1024;

/// How deeply the verified callback JSON may nest (objects and arrays): 32. A real callback
/// is one flat object; deeper JSON is refused with [`CallbackError::TooDeep`], checked without
/// recursion, so no input can overflow the stack.
///
/// ```
/// let keys = epoint_az::Keys::new("i1", "k");
/// let deep = format!("{{\"a\":{}{}}}", "[".repeat(40), "]".repeat(40));
/// let body = epoint_az::signing::form_body(&keys.seal_json(deep.as_bytes()));
/// assert!(matches!(keys.verify_form(body.as_bytes()), Err(epoint_az::CallbackError::TooDeep { limit: 32 })));
/// ```
pub const MAX_CALLBACK_DEPTH: usize = 32;

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
/// let keys = epoint_az::Keys::new("i1", "k");
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
    /// # let keys = epoint_az::Keys::new("i1", "k");
    /// # let body = keys.sign_callback(&serde_json::json!({"status": "success", "transaction": "te1"})).unwrap();
    /// let cb = keys.verify_form(body.as_bytes()).unwrap().parse().unwrap();
    /// assert_eq!(cb.payload.transaction.as_deref(), Some("te1"));
    /// ```
    pub fn parse(self) -> Result<Callback, CallbackError> {
        let payload: CallbackPayload = match serde_json::from_str(&self.json) {
            Ok(payload) => payload,
            Err(source) => return tolerant(self.json, source),
        };
        Ok(Callback {
            flow: CallbackFlow::of(&payload),
            payload,
            json: self.json,
            unexpected: serde_json::Map::new(),
        })
    }
}

impl Keys {
    /// Verifies a callback's raw form body (`data=…&signature=…`) and decodes it.
    ///
    /// ```
    /// let keys = epoint_az::Keys::new("i000000001", "test_private_key");
    /// let body = keys.sign_callback(&serde_json::json!({"status": "success", "order_id": "1"})).unwrap();
    /// assert!(keys.verify_callback(body.as_bytes()).is_ok());
    /// let tampered = body.replacen("data=e", "data=f", 1);
    /// assert!(keys.verify_callback(tampered.as_bytes()).is_err());
    /// ```
    pub fn verify_callback(&self, body: &[u8]) -> Result<Callback, CallbackError> {
        let (data, signature) = form_fields(body)?;
        parse_payload(self.verified_json(&data, &signature)?)
    }

    /// Verifies `data` and `signature` already taken from the form (e.g. by a web framework).
    ///
    /// ```
    /// # let keys = epoint_az::Keys::new("i1", "k");
    /// let env = keys.seal(&serde_json::json!({"status": "success", "transaction": "te1"})).unwrap();
    /// let cb = keys.verify_callback_fields(&env.data, &env.signature).unwrap();
    /// assert_eq!(cb.flow, epoint_az::callback::CallbackFlow::Payment);
    /// ```
    pub fn verify_callback_fields(
        &self,
        data: &str,
        signature: &str,
    ) -> Result<Callback, CallbackError> {
        parse_payload(self.verified_json(data, signature)?)
    }

    /// Verifies a callback's raw form body without parsing the payload.
    ///
    /// ```
    /// # let keys = epoint_az::Keys::new("i1", "k");
    /// let body = keys.sign_callback(&serde_json::json!({"status": "new"})).unwrap();
    /// assert!(keys.verify_form(body.as_bytes()).is_ok());
    /// ```
    pub fn verify_form(&self, body: &[u8]) -> Result<VerifiedCallback, CallbackError> {
        let (data, signature) = form_fields(body)?;
        let json = self.verified_json(&data, &signature)?;
        let json = json_object(json)?;
        Ok(VerifiedCallback {
            data: data.into_owned(),
            json,
        })
    }

    /// The signature check, then `data` decoded to JSON text nesting at most
    /// [`MAX_CALLBACK_DEPTH`] deep (not yet checked to be well-formed).
    fn verified_json(&self, data: &str, signature: &str) -> Result<String, CallbackError> {
        too_large(data.len().saturating_add(signature.len()))?;
        self.verify(data, signature)?;
        let bytes = STANDARD.decode(data.trim()).map_err(OpenError::NotBase64)?;
        let json = String::from_utf8(bytes).map_err(|e| {
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            not_json(
                text,
                serde::de::Error::custom("the callback payload is not UTF-8"),
            )
        })?;
        // Bounded depth before any parsing (serde_json skips ignored values without a depth
        // limit of its own).
        if json_depth_exceeds(&json, MAX_CALLBACK_DEPTH) {
            return Err(CallbackError::TooDeep {
                limit: MAX_CALLBACK_DEPTH,
            });
        }
        Ok(json)
    }

    /// Produces the form body EPoint would POST for `payload`, signed with these keys: for
    /// testing your callback handler.
    ///
    /// ```
    /// let keys = epoint_az::Keys::new("i000000001", "test_private_key");
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

/// A verified payload that is not the callback JSON.
fn not_json(text: String, source: serde_json::Error) -> CallbackError {
    CallbackError::Decode(OpenError::NotJson { text, source })
}

/// `json` if it is well-formed JSON and an object: checked without building a value.
fn json_object(json: String) -> Result<String, CallbackError> {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&json) {
        return Err(not_json(json, e));
    }
    if !json.trim_start().starts_with('{') {
        return Err(not_json(
            json,
            serde::de::Error::custom("the callback payload is not a JSON object"),
        ));
    }
    Ok(json)
}

/// Parses verified, depth-checked JSON straight into a [`Callback`], in one pass over the
/// text. The errors are those of [`json_object`] then [`VerifiedCallback::parse`]: they are
/// told apart only once parsing has failed, so a callback that parses is read once.
fn parse_payload(json: String) -> Result<Callback, CallbackError> {
    // Not an object: refused as `json_object` refuses it (an array would otherwise parse as
    // the struct's fields in order).
    let json = if json.trim_start().starts_with('{') {
        json
    } else {
        json_object(json)?
    };
    match serde_json::from_str::<CallbackPayload>(&json) {
        Ok(payload) => Ok(Callback {
            flow: CallbackFlow::of(&payload),
            payload,
            json,
            unexpected: serde_json::Map::new(),
        }),
        Err(source) => match serde_json::from_str::<serde::de::IgnoredAny>(&json) {
            Err(malformed) => Err(not_json(json, malformed)),
            Ok(_) => tolerant(json, source),
        },
    }
}

/// The second reading of well-formed JSON the typed payload refused: non-essential fields of
/// an unexpected type ([`TOLERATED_FIELDS`] that are not a string) are set aside as raw JSON,
/// and the rest is decoded again. Anything else wrong is the original error.
fn tolerant(json: String, source: serde_json::Error) -> Result<Callback, CallbackError> {
    let Ok(serde_json::Value::Object(mut object)) = serde_json::from_str(&json) else {
        return Err(not_json(json, source));
    };
    let mut unexpected = serde_json::Map::new();
    for field in TOLERATED_FIELDS {
        if object
            .get(field)
            .is_some_and(|v| !v.is_string() && !v.is_null())
            && let Some(value) = object.remove(field)
        {
            unexpected.insert(field.to_owned(), value);
        }
    }
    if unexpected.is_empty() {
        return Err(not_json(json, source));
    }
    match serde_json::from_value::<CallbackPayload>(serde_json::Value::Object(object)) {
        Ok(payload) => Ok(Callback {
            flow: CallbackFlow::of(&payload),
            payload,
            json,
            unexpected,
        }),
        Err(strict) => Err(not_json(json, strict)),
    }
}

/// The `data` and `signature` fields of a form body, percent-decoded as
/// `application/x-www-form-urlencoded` (`+` is a space; invalid UTF-8 after decoding is
/// replaced, as `form_urlencoded` does). One pass over the body; a field is copied only when
/// it has escapes to decode. Refuses a body over [`MAX_CALLBACK_BODY`], a body that is not
/// UTF-8, a missing field and a field that appears twice.
///
/// Not `form_urlencoded::parse` (which `tests::form_fields_read_the_form_as_form_urlencoded`
/// checks this against): it decodes byte by byte, and a `verify_callback` built on it took
/// 45.5k instructions instead of 34.9k on a 13-field callback, 1.49M instead of 1.01M on a
/// 16 KB one (callgrind).
fn form_fields(body: &[u8]) -> Result<(Cow<'_, str>, Cow<'_, str>), CallbackError> {
    too_large(body.len())?;
    let text = std::str::from_utf8(body).map_err(|e| CallbackError::NotAForm(e.to_string()))?;
    let (mut data, mut signature) = (None, None);
    for pair in text.trim().split('&') {
        if pair.is_empty() {
            continue;
        }
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (slot, name) = match form_decode(key).as_ref() {
            "data" => (&mut data, "data"),
            "signature" => (&mut signature, "signature"),
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(CallbackError::DuplicateField(name));
        }
    }
    let data = data.ok_or(CallbackError::MissingField("data"))?;
    let signature = signature.ok_or(CallbackError::MissingField("signature"))?;
    Ok((form_decode(data), form_decode(signature)))
}

/// Decodes one form-urlencoded name or value: `+` → space, `%XX` → byte (a `%` not followed
/// by two hex digits stays as it is). Borrows when there is nothing to decode.
fn form_decode(input: &str) -> Cow<'_, str> {
    let special = |b: &u8| matches!(b, b'%' | b'+');
    let bytes = input.as_bytes();
    let Some(mut at) = bytes.iter().position(special) else {
        return Cow::Borrowed(input);
    };
    let mut out = String::with_capacity(input.len());
    out.push_str(&input[..at]);
    while at < bytes.len() {
        let (byte, width) = match bytes[at] {
            b'+' => (b' ', 1),
            _ => match percent_byte(bytes, at) {
                Some(byte) => (byte, 3),
                None => (b'%', 1),
            },
        };
        if !byte.is_ascii() {
            return Cow::Owned(form_decode_bytes(bytes));
        }
        out.push(char::from(byte));
        at += width;
        // Between escapes the text is copied as is: `%` and `+` are ASCII, so `at` and the
        // next escape fall on character boundaries.
        let end = bytes[at..]
            .iter()
            .position(special)
            .map_or(bytes.len(), |n| at + n);
        out.push_str(&input[at..end]);
        at = end;
    }
    Cow::Owned(out)
}

/// [`form_decode`] for text whose escapes decode to non-ASCII bytes.
fn form_decode_bytes(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let (byte, width) = match bytes[at] {
            b'+' => (b' ', 1),
            b'%' => percent_byte(bytes, at).map_or((b'%', 1), |byte| (byte, 3)),
            other => (other, 1),
        };
        out.push(byte);
        at += width;
    }
    match String::from_utf8(out) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// The byte of the `%XX` escape at `at`, if the two characters after `%` are hex digits.
fn percent_byte(bytes: &[u8], at: usize) -> Option<u8> {
    let hex = |i: usize| char::from(*bytes.get(i)?).to_digit(16);
    Some((hex(at + 1)? * 16 + hex(at + 2)?) as u8)
}

/// Refuses a length over [`MAX_CALLBACK_BODY`].
fn too_large(length: usize) -> Result<(), CallbackError> {
    if length > MAX_CALLBACK_BODY {
        return Err(CallbackError::BodyTooLarge {
            length,
            limit: MAX_CALLBACK_BODY,
        });
    }
    Ok(())
}

/// Whether `[`/`{` nest deeper than `limit` outside strings: one pass, no recursion.
fn json_depth_exceeds(json: &str, limit: usize) -> bool {
    // Nesting needs an opening bracket per level: with no more than `limit` of them in the
    // whole text (a real callback has one or two), it cannot be exceeded. Counting vectorises.
    let openers = json.bytes().filter(|b| matches!(b, b'[' | b'{')).count();
    if openers <= limit {
        return false;
    }
    let (mut depth, mut in_string, mut escaped) = (0_usize, false, false);
    for byte in json.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The JSON Schema of the decoded callback payload, e.g. to validate stored callbacks.
///
/// ```
/// let schema = epoint_az::callback::payload_schema();
/// assert_eq!(schema["required"][0], "status");
/// ```
pub fn payload_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(CallbackPayload)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// How the form was read before the one-pass reader: `form_urlencoded`, owned copies.
    fn form_fields_reference(body: &[u8]) -> Result<(String, String), CallbackError> {
        too_large(body.len())?;
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
        Ok((data, signature))
    }

    /// How verified JSON was parsed before: validated as an object first, then parsed.
    fn parse_payload_reference(json: String) -> Result<Callback, CallbackError> {
        VerifiedCallback {
            data: String::new(),
            json: json_object(json)?,
        }
        .parse()
    }

    fn pieces(alphabet: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(alphabet), 0..max).prop_map(|p| p.concat())
    }

    proptest! {
        #[test]
        fn form_fields_read_the_form_as_form_urlencoded(
            body in pieces(&[
                "data", "signature", "d%61ta", "sign", "=", "&", "&&", "%", "%2", "%2B", "%2b",
                "%3D", "%zz", "%C3", "%A9", "%FF", "%e9", "+", " ", "\t", "é", "a", "Zm9v", "x",
            ], 24)
        ) {
            let fields = form_fields(body.as_bytes()).map(|(d, s)| (d.into_owned(), s.into_owned()));
            let reference = form_fields_reference(body.as_bytes());
            prop_assert_eq!(format!("{fields:?}"), format!("{reference:?}"));
        }

        #[test]
        fn form_decode_decodes_as_form_urlencoded(
            text in pieces(&["%", "%2", "%2B", "%41", "%4g", "%C3%A9", "%C3", "%FF", "+", "é", "a", "="], 16)
        ) {
            let reference = form_urlencoded::parse(format!("k={text}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            prop_assert_eq!(form_decode(&text).into_owned(), reference);
        }

        #[test]
        fn parse_payload_answers_as_validating_then_parsing(
            json in pieces(&[
                "{", "}", "[", "]", ":", ",", " ", "\"status\"", "\"success\"", "\"amount\"",
                "30.75", "\"30.75\"", "null", "1", "\"other_attr\"", "\"order_id\"", "\"x\"",
                "\"\\u00e9\"", "\"\\ud800\"", "true", "\u{a0}",
            ], 14)
        ) {
            let parsed = parse_payload(json.clone());
            let reference = parse_payload_reference(json);
            prop_assert_eq!(format!("{parsed:?}"), format!("{reference:?}"));
        }
    }

    #[test]
    fn parse_payload_matches_on_callbacks_that_parse() {
        for json in [
            r#"{"status":"success","amount":30.75,"other_attr":{"a":[1,{"b":2}]}}"#,
            r#" {"status":"new","unknown":[[[]]],"order_id":"1"} "#,
            r#"{"status":"success","status":"failed"}"#,
            r#"["success"]"#,
            r#"{"status":"success"} x"#,
            r#"{"status":"success""#,
            "\"text\"",
        ] {
            let parsed = parse_payload(json.to_owned());
            let reference = parse_payload_reference(json.to_owned());
            assert_eq!(format!("{parsed:?}"), format!("{reference:?}"), "{json}");
        }
    }

    #[test]
    fn depth_count_shortcut_agrees_with_the_scan() {
        let deep = format!("{}{}", "[".repeat(33), "]".repeat(33));
        assert!(json_depth_exceeds(&deep, 32));
        let flat = "[],".repeat(40);
        assert!(!json_depth_exceeds(&flat, 32));
        let in_string = format!("{{\"a\":\"{}\"}}", "[".repeat(40));
        assert!(!json_depth_exceeds(&in_string, 32));
        assert!(!json_depth_exceeds(&"[".repeat(32), 32));
    }
}
