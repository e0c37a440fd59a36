//! The plain data every part of the sandbox shares: the seeded merchants and test cards,
//! [`Merchant`], [`Outcome`], [`Fault`], [`SandboxError`], and EPoint's JSON text
//! ([`wire_json`]).
//!
//! A leaf: it imports nothing else of `sandbox`, only the crate's own types.

use std::{collections::BTreeMap, fmt, time::Duration};

use rust_decimal::Decimal;
use secrecy::SecretString;
use serde_json::Value;

use epoint_az::{Config, ConfigError, Keys};

/// The seeded merchants: `(public_key, private_key)`. Public test keys, not secrets.
///
/// ```
/// assert_eq!(epoint_az_sandbox::SEEDED_MERCHANTS[0].0, "i000000001");
/// ```
pub const SEEDED_MERCHANTS: [(&str, &str); 2] = [
    ("i000000001", "sandbox_private_key_0000000001"),
    ("i000000002", "sandbox_private_key_0000000002"),
];

/// Test cards for the hosted page: `(number, bank code, what happens)`. Any other number's
/// last three digits are used as the bank code in the same way.
///
/// ```
/// let (number, code, _) = epoint_az_sandbox::TEST_CARDS[0];
/// assert!(number.ends_with("000") && code == "000");
/// ```
pub const TEST_CARDS: [(&str, &str, &str); 6] = [
    ("4169738800000000", "000", "approved"),
    ("4169738800000116", "116", "declined, insufficient funds"),
    ("4169738800000101", "101", "declined, card expired"),
    ("4169738800000100", "100", "rejected (general, no comment)"),
    ("4169738800000102", "102", "rejected, suspected fraud"),
    (
        "4169738800000121",
        "121",
        "declined, withdrawal limit exceeded",
    ),
];

/// The approved test card used by [`Outcome::Paid`].
///
/// ```
/// assert!(epoint_az_sandbox::APPROVED_CARD.ends_with("000"));
/// ```
pub const APPROVED_CARD: &str = "4169738800000000";

/// How a hosted page is completed by [`Sandbox::complete`](crate::Sandbox::complete).
///
/// ```
/// use epoint_az_sandbox::Outcome;
/// let declined = Outcome::Declined("116".into());
/// let typed = Outcome::Card { number: "4169738800000101".into(), name: "A CUSTOMER".into() };
/// # let _ = (declined, typed, Outcome::Paid);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Approved with [`APPROVED_CARD`] (code `000`).
    Paid,
    /// Declined with this bank code (e.g. `"116"`). For a card registration: registration
    /// fails (callback code `500`). The code must not be `000` (approval) or empty:
    /// [`Sandbox::complete`](crate::Sandbox::complete) refuses it with
    /// [`SandboxError::InvalidCard`].
    Declined(String),
    /// As if the customer typed this card on the page: its last three digits decide.
    Card {
        /// The card number (digits; spaces are ignored).
        number: String,
        /// The cardholder name.
        name: String,
    },
}

/// A misbehaviour injected into one operation with
/// [`Sandbox::inject`](crate::Sandbox::inject).
///
/// `Latency` delays the request, then processes it normally. `HttpStatus` and `NotJson` are
/// answered **instead of** processing the request (like a proxy in front of EPoint).
/// `TruncatedBody` and `DropConnection` **process the request** (money may move) and then
/// lose the answer, the case a client must reconcile with `get-status`.
///
/// ```
/// use epoint_az_sandbox::Fault;
/// let faults = [
///     Fault::Latency(std::time::Duration::from_millis(200)),
///     Fault::HttpStatus { status: 502, body: "<h1>Bad gateway</h1>".into() },
///     Fault::NotJson("<html>maintenance</html>".into()),
///     Fault::TruncatedBody,
///     Fault::DropConnection,
/// ];
/// # let _ = faults;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Wait this long before handling the request.
    Latency(Duration),
    /// Answer this HTTP status (e.g. 502) with this body, without processing the request.
    HttpStatus {
        /// The HTTP status code.
        status: u16,
        /// The body (sent as `text/html`).
        body: String,
    },
    /// Answer HTTP 200 with this non-JSON body, without processing the request.
    NotJson(String),
    /// Process the request, send the headers with a `Content-Length` larger than what is sent,
    /// send half of the JSON answer, then close the connection.
    TruncatedBody,
    /// Process the request, then close the connection without answering.
    DropConnection,
}

/// Why a sandbox call failed.
///
/// ```
/// let err = epoint_az_sandbox::SandboxError::UnknownOperation("pay".into());
/// assert!(err.to_string().contains("pay"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The listener could not be bound.
    #[error("sandbox could not listen: {0}")]
    Io(#[from] std::io::Error),
    /// Not an operation of the spec, in any spelling (operationId, path, path tail, name).
    #[error(
        "`{0}` is not an operation of openapi/epoint.yaml (an operationId like execute_pay, a path like /api/1/execute-pay or execute-pay, or a name like pay_with_saved_card)"
    )]
    UnknownOperation(String),
    /// No transaction or card has this id.
    #[error("no transaction or card `{0}` in the sandbox")]
    NotFound(String),
    /// The hosted page of this id was already completed.
    #[error("`{id}` was already completed (status `{status}`)")]
    AlreadyCompleted {
        /// The transaction or card id.
        id: String,
        /// Its status.
        status: String,
    },
    /// This transaction is not one a hosted page completes (a saved-card charge or payout).
    #[error("`{0}` has no hosted page (it was a synchronous charge or payout)")]
    NoHostedPage(String),
    /// The card typed is not a usable test card.
    #[error("invalid card: {0}")]
    InvalidCard(String),
    /// No such merchant.
    #[error("no merchant `{0}` in the sandbox")]
    UnknownMerchant(String),
    /// A merchant's result URL (where callbacks go) is not an absolute http(s) URL.
    #[error("result URL of merchant `{merchant}` is invalid: {reason}")]
    InvalidResultUrl {
        /// The merchant's public key.
        merchant: String,
        /// Why the URL is refused.
        reason: String,
    },
    /// A client could not be built.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// A merchant known to the sandbox. The private key is never printed by `Debug`.
///
/// ```
/// let m = epoint_az_sandbox::Merchant::new("i000000009", "secret").result_url("http://127.0.0.1:9/cb");
/// assert!(!format!("{m:?}").contains("secret"));
/// ```
#[derive(Clone)]
pub struct Merchant {
    keys: Keys,
    private_key: SecretString,
    pub(crate) result_url: Option<String>,
}

impl fmt::Debug for Merchant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Merchant")
            .field("public_key", &self.keys.public_key())
            .field("private_key", &"[REDACTED]")
            .field("result_url", &self.result_url)
            .finish()
    }
}

impl Merchant {
    /// A merchant with these keys and no result URL.
    ///
    /// ```
    /// let m = epoint_az_sandbox::Merchant::new("i000000009", "secret");
    /// assert_eq!(m.public_key(), "i000000009");
    /// ```
    pub fn new(public_key: impl Into<String>, private_key: impl Into<String>) -> Self {
        let public_key = public_key.into();
        let private_key = SecretString::from(private_key.into());
        Self {
            keys: Keys::new(public_key, private_key.clone()),
            private_key,
            result_url: None,
        }
    }

    /// Where this merchant's callbacks go (EPoint's cabinet setting `result_url`).
    ///
    /// ```
    /// let m = epoint_az_sandbox::Merchant::new("i1", "k").result_url("http://127.0.0.1:8000/epoint");
    /// assert_eq!(m.result_url_str(), Some("http://127.0.0.1:8000/epoint"));
    /// ```
    pub fn result_url(mut self, url: impl Into<String>) -> Self {
        self.result_url = Some(url.into());
        self
    }

    /// The public key.
    ///
    /// ```
    /// assert_eq!(epoint_az_sandbox::Merchant::new("i1", "k").public_key(), "i1");
    /// ```
    pub fn public_key(&self) -> &str {
        self.keys.public_key()
    }

    /// The keys (to sign requests or verify callbacks as this merchant).
    ///
    /// ```
    /// let m = epoint_az_sandbox::Merchant::new("i1", "k");
    /// assert_eq!(m.keys().public_key(), "i1");
    /// ```
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The configured result URL.
    ///
    /// ```
    /// assert_eq!(epoint_az_sandbox::Merchant::new("i1", "k").result_url_str(), None);
    /// ```
    pub fn result_url_str(&self) -> Option<&str> {
        self.result_url.as_deref()
    }

    /// A client [`Config`] for this merchant pointed at `base_url`.
    pub(crate) fn config(&self, base_url: &str) -> Config {
        Config::new(self.keys.public_key(), self.private_key.clone()).base_url(base_url)
    }
}

/// The merchants by public key.
pub(crate) type Merchants = BTreeMap<String, Merchant>;

/// Serialises an answer or callback payload as EPoint does: `amount` and `split_amount` as
/// JSON numbers (their exact decimal text), everything else as usual.
pub(crate) fn wire_json(value: &Value) -> String {
    let Value::Object(map) = value else {
        return value.to_string();
    };
    let mut out = String::from("{");
    for (i, (key, field)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::String(key.clone()).to_string());
        out.push(':');
        match field {
            Value::String(text)
                if matches!(key.as_str(), "amount" | "split_amount")
                    && Decimal::from_str_exact(text).is_ok() =>
            {
                out.push_str(text);
            }
            other => out.push_str(&other.to_string()),
        }
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn wire_json_writes_amounts_as_exact_numbers() {
        let value = json!({"amount": "30.75", "split_amount": "100.00", "code": "000",
                           "message": "amount \"1\"", "other_attr": {"amount": "7"}});
        let text = wire_json(&value);
        assert!(text.contains(r#""amount":30.75"#), "{text}");
        assert!(text.contains(r#""split_amount":100.00"#), "{text}");
        assert!(
            text.contains(r#""code":"000""#),
            "other strings stay strings: {text}"
        );
        assert!(
            text.contains(r#""other_attr":{"amount":"7"}"#),
            "only top-level money: {text}"
        );
        let back: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back["message"], "amount \"1\"");
        let not_money = wire_json(&json!({"amount": "1e5; DROP"}));
        assert!(not_money.contains(r#""amount":"1e5; DROP""#), "{not_money}");
    }
}
