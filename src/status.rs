//! The open status set of EPoint answers and callbacks.

use std::{convert::Infallible, fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// `status` of an EPoint answer, transaction or callback.
///
/// EPoint may add values at any time, so unknown ones are kept in [`PaymentStatus::Other`]
/// instead of failing to decode.
///
/// ```
/// use epoint_az::PaymentStatus;
/// let s: PaymentStatus = serde_json::from_str(r#""returned""#).unwrap();
/// assert_eq!(s, PaymentStatus::Returned);
/// let new: PaymentStatus = serde_json::from_str(r#""partially_returned""#).unwrap();
/// assert_eq!(new, PaymentStatus::Other("partially_returned".into()));
/// assert_eq!(serde_json::to_string(&new).unwrap(), r#""partially_returned""#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum PaymentStatus {
    /// `success`: the call or payment succeeded.
    Success,
    /// `error`: the payment failed, or the request was refused.
    Error,
    /// `failed`: a synchronous charge or payout was declined.
    Failed,
    /// `server_error`: EPoint rejected the call (bad signature, unknown merchant, …).
    ServerError,
    /// `new`: registered, not paid yet.
    New,
    /// `returned`: refunded.
    Returned,
    /// A value this version of the crate does not know, kept verbatim.
    Other(String),
}

impl PaymentStatus {
    /// The wire text.
    ///
    /// ```
    /// assert_eq!(epoint_az::PaymentStatus::ServerError.as_str(), "server_error");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            Self::Success => "success",
            Self::Error => "error",
            Self::Failed => "failed",
            Self::ServerError => "server_error",
            Self::New => "new",
            Self::Returned => "returned",
            Self::Other(s) => s,
        }
    }

    /// What the status means, in `language`, as EPoint's documents word it ("Status of
    /// payment"; Azerbaijani and Russian from the January 2022 editions, English from v1.0.3).
    /// `None` for `failed` (no edition describes it) and for values the crate does not know.
    ///
    /// ```
    /// use epoint_az::{Language, PaymentStatus};
    /// assert_eq!(PaymentStatus::Returned.text(Language::Az).unwrap().text, "Ödəniş üzrə geri ödəmə edildi");
    /// assert_eq!(PaymentStatus::New.text(Language::Ru).unwrap().text, "Платеж зарегистрирован в системе Epoint");
    /// assert_eq!(PaymentStatus::Success.text(Language::En).unwrap().text, "Successful payment");
    /// assert_eq!(PaymentStatus::Failed.text(Language::En), None);
    /// ```
    pub fn text(&self, language: crate::Language) -> Option<crate::Localized> {
        crate::texts::status(self.as_str(), language)
    }

    /// Every documented value, in the spec's order.
    ///
    /// ```
    /// assert_eq!(epoint_az::PaymentStatus::documented().len(), 6);
    /// ```
    pub fn documented() -> [PaymentStatus; 6] {
        [
            Self::Success,
            Self::Error,
            Self::Failed,
            Self::ServerError,
            Self::New,
            Self::Returned,
        ]
    }
}

impl From<String> for PaymentStatus {
    fn from(value: String) -> Self {
        match value.as_str() {
            "success" => Self::Success,
            "error" => Self::Error,
            "failed" => Self::Failed,
            "server_error" => Self::ServerError,
            "new" => Self::New,
            "returned" => Self::Returned,
            _ => Self::Other(value),
        }
    }
}

impl From<PaymentStatus> for String {
    fn from(value: PaymentStatus) -> Self {
        match value {
            PaymentStatus::Other(s) => s,
            known => known.as_str().to_owned(),
        }
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PaymentStatus {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::from(s.to_owned()))
    }
}

/// Matches the spec's `PaymentStatus` component: the documented values, or any string.
impl schemars::JsonSchema for PaymentStatus {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PaymentStatus".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let known: Vec<String> = Self::documented().into_iter().map(String::from).collect();
        schemars::json_schema!({
            "description": "An open set: the documented values, or any other string EPoint adds.",
            "anyOf": [
                { "type": "string", "enum": known },
                { "type": "string" }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_value_round_trips() {
        for s in PaymentStatus::documented() {
            let text = serde_json::to_string(&s).expect("ser");
            let back: PaymentStatus = serde_json::from_str(&text).expect("de");
            assert_eq!(back, s);
            assert!(
                !matches!(back, PaymentStatus::Other(_)),
                "{text} is documented"
            );
        }
    }

    #[test]
    fn unknown_values_are_kept_not_rejected() {
        let s: PaymentStatus = serde_json::from_str("\"pending_review\"").expect("de");
        assert_eq!(s.as_str(), "pending_review");
        assert_eq!(s.to_string(), "pending_review");
    }
}
