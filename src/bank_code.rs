//! Bank response codes (`code` field of EPoint answers and callbacks), with the meaning
//! given by EPoint's API document v1.0.3 ("Bank Response Codes", 102 codes), in English (the
//! only language EPoint publishes them in; [`BankCode::meaning_in`] takes a language and says
//! when it falls back). The table is generated from `openapi/texts.json`, which records the
//! source of each text.
//!
//! The meanings are EPoint's English wording (repetitions kept: `121`/`123`, `0Y1`/`0Y3` and
//! `1Q1`/`1Z1`/`1Z3` share a text), except `911` and `914`, where the January 2022 English
//! edition's wording is kept ("Decline, card issuer timed out", "Decline, reversal original
//! not found"): ISO 8583 defines 911 as issuer timeout and 914 as original transaction not
//! found, and the 1.0.3 wording ("card issuer expired", "failed to track original
//! transaction") reads as a translation slip of the same.
//!
//! Each code also has an [`Advice`] for the shop ([`BankCode::advice`]), derived from its
//! ISO 8583:1993 action-code class and its meaning; `openapi/texts.json` (`advice`, and each
//! code's `advice_why` where it departs from its class) keeps the reasoning next to the table.
use serde::{Deserialize, Serialize};

use crate::{Language, texts};

/// A bank response code as EPoint sent it (e.g. `"000"`, `"116"`), kept verbatim even when unknown.
///
/// ```
/// use epoint_az::BankCode;
///
/// let code = BankCode::new("116");
/// assert_eq!(code.as_str(), "116");
/// assert_eq!(code.meaning(), Some("Declined, insufficient funds"));
/// assert!(!code.is_approved());
/// assert_eq!(code.to_string(), "116 (Declined, insufficient funds)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BankCode(String);

impl BankCode {
    /// Wraps a code exactly as received; no validation, trimming or case folding.
    ///
    /// ```
    /// use epoint_az::BankCode;
    ///
    /// assert_eq!(BankCode::new("000").as_str(), "000");
    /// assert_eq!(BankCode::new("not-a-code").as_str(), "not-a-code");
    /// ```
    pub fn new(code: impl Into<String>) -> Self {
        Self(code.into())
    }

    /// The code as EPoint sent it.
    ///
    /// ```
    /// use epoint_az::BankCode;
    ///
    /// assert_eq!(BankCode::new("0Y1").as_str(), "0Y1");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// English meaning from the official table; `None` for codes the table does not list.
    ///
    /// Matching is exact (case-sensitive, no trimming) and does not allocate.
    ///
    /// ```
    /// use epoint_az::BankCode;
    ///
    /// assert_eq!(BankCode::new("000").meaning(), Some("Confirmed"));
    /// assert_eq!(BankCode::new("101").meaning(), Some("Declined, your card has expired"));
    /// assert_eq!(BankCode::new("181").meaning(), None);
    /// ```
    pub fn meaning(&self) -> Option<&'static str> {
        texts::bank_code(&self.0, Language::En).map(|m| m.text)
    }

    /// The meaning in `language`, for a customer or a support agent; `None` for codes the
    /// table does not list. EPoint publishes the meanings in English only, so today every
    /// language gets the English text, with [`crate::Localized::language`] saying `En`; a text
    /// added to `openapi/texts.json` is used as soon as the crate is rebuilt.
    ///
    /// ```
    /// use epoint_az::{BankCode, Language};
    ///
    /// let m = BankCode::new("116").meaning_in(Language::Az).unwrap();
    /// assert_eq!(m.text, "Declined, insufficient funds");
    /// assert!(!m.is_in(Language::Az), "no official Azerbaijani text: English, marked as such");
    /// assert_eq!(BankCode::new("181").meaning_in(Language::Az), None);
    /// ```
    pub fn meaning_in(&self, language: Language) -> Option<crate::Localized> {
        texts::bank_code(&self.0, language)
    }

    /// `true` for `"000"` (approved); `false` for every other code.
    ///
    /// ```
    /// use epoint_az::BankCode;
    ///
    /// assert!(BankCode::new("000").is_approved());
    /// assert!(!BankCode::new("116").is_approved());
    /// ```
    pub fn is_approved(&self) -> bool {
        self.0 == "000"
    }

    /// What the shop should do after this code, derived from its ISO 8583:1993 class and its
    /// meaning (`openapi/texts.json`, `advice`, says why for each exception). A code not in
    /// the table whose first character is a digit gets its class's advice (e.g. an unlisted
    /// `1xx` decline: [`Advice::ContactIssuer`]); any other unknown code gets `None`.
    ///
    /// ```
    /// use epoint_az::{Advice, BankCode};
    ///
    /// assert_eq!(BankCode::new("116").advice(), Some(Advice::UseAnotherCard));
    /// assert_eq!(BankCode::new("911").advice(), Some(Advice::RetryLater));
    /// assert_eq!(BankCode::new("000").advice(), Some(Advice::NotADecline));
    /// assert_eq!(BankCode::new("181").advice(), Some(Advice::ContactIssuer), "class 1");
    /// assert_eq!(BankCode::new("ABC").advice(), None);
    /// ```
    pub fn advice(&self) -> Option<Advice> {
        texts::bank_code_advice(&self.0)
    }

    /// Every code in the official table, in the table's order, with its meaning.
    ///
    /// ```
    /// use epoint_az::BankCode;
    ///
    /// let table = BankCode::table();
    /// assert_eq!(table.len(), 102);
    /// assert_eq!(table[0], ("000", "Confirmed"));
    /// ```
    pub fn table() -> &'static [(&'static str, &'static str)] {
        texts::bank_codes()
    }
}

/// What a shop should do after a bank code ([`BankCode::advice`]). The crate's advice, not
/// EPoint's (EPoint publishes none): derived from the code's ISO 8583:1993 action-code class
/// (0xx approved, 1xx declined, 2xx pick-up, 3xx file actions, 4xx reversal, 5xx
/// reconciliation, 6xx administrative, 7xx fee collection, 8xx network management, 9xx
/// system) and, where it says more, the code's meaning; the reasoning is kept next to the
/// table in `openapi/texts.json`. It is for the shop: what the customer reads stays EPoint's
/// own text ([`crate::Error::customer_message`]).
///
/// Whatever the advice, a call that moves money is never repeated automatically: after a
/// possible send, check the transaction's status first.
///
/// ```
/// use epoint_az::Advice;
/// assert_eq!(Advice::UseAnotherCard.as_str(), "use_another_card");
/// assert_eq!(serde_json::to_string(&Advice::RetryLater).unwrap(), r#""retry_later""#);
/// assert!(Advice::UseAnotherCard.to_string().starts_with("use another card"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Advice {
    /// Not a refusal: an approval, or a status message that decides nothing about a payment.
    NotADecline,
    /// The same card may succeed on a new attempt now (e.g. a PIN entered again): let the
    /// customer try again.
    Retry,
    /// The issuer, the network or the processor failed, not the card: the same payment may
    /// succeed later.
    RetryLater,
    /// This card will keep failing for this payment (expired, no funds, limit reached, not
    /// allowed): ask for another card or payment method.
    UseAnotherCard,
    /// The issuer refused for a reason only it can lift: the customer should call their bank.
    ContactIssuer,
    /// The request or the shop's merchant setup is at fault, not the card: fix it (or ask
    /// EPoint) before sending again.
    FixRequest,
    /// Fraud, security, law, a lost or stolen card, or a request still in process: do not try
    /// this card again.
    DoNotRetry,
}

impl Advice {
    /// The advice's name as in `openapi/texts.json` and `epoint codes --json`.
    ///
    /// ```
    /// assert_eq!(epoint_az::Advice::NotADecline.as_str(), "not_a_decline");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotADecline => "not_a_decline",
            Self::Retry => "retry",
            Self::RetryLater => "retry_later",
            Self::UseAnotherCard => "use_another_card",
            Self::ContactIssuer => "contact_issuer",
            Self::FixRequest => "fix_request",
            Self::DoNotRetry => "do_not_retry",
        }
    }
}

/// A short instruction for the shop, e.g. `"use another card: ask the customer for another
/// card or payment method"`.
///
/// ```
/// assert_eq!(
///     epoint_az::Advice::ContactIssuer.to_string(),
///     "contact the issuer: the customer should call their bank, or use another card"
/// );
/// ```
impl std::fmt::Display for Advice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotADecline => "not a decline: nothing to do",
            Self::Retry => "retry: the customer may try again with the same card",
            Self::RetryLater => {
                "retry later: not the card; check the transaction's status, then let the customer try again later"
            }
            Self::UseAnotherCard => {
                "use another card: ask the customer for another card or payment method"
            }
            Self::ContactIssuer => {
                "contact the issuer: the customer should call their bank, or use another card"
            }
            Self::FixRequest => {
                "fix the request: the request or the merchant setup is at fault; fix it or ask EPoint before sending again"
            }
            Self::DoNotRetry => {
                "do not retry: do not try this card again; show the customer only EPoint's text"
            }
        })
    }
}

/// Prints `"116 (Declined, insufficient funds)"` for a known code, just the code otherwise.
///
/// ```
/// use epoint_az::BankCode;
///
/// assert_eq!(BankCode::new("000").to_string(), "000 (Confirmed)");
/// assert_eq!(BankCode::new("777").to_string(), "777");
/// ```
impl std::fmt::Display for BankCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.meaning() {
            Some(meaning) => write!(f, "{} ({meaning})", self.0),
            None => f.write_str(&self.0),
        }
    }
}

/// Same as [`BankCode::new`].
///
/// ```
/// use epoint_az::BankCode;
///
/// let code: BankCode = "000".into();
/// assert!(code.is_approved());
/// ```
impl From<&str> for BankCode {
    fn from(code: &str) -> Self {
        Self::new(code)
    }
}

/// Same as [`BankCode::new`], reusing the string.
///
/// ```
/// use epoint_az::BankCode;
///
/// let code = BankCode::from(String::from("116"));
/// assert_eq!(code.as_str(), "116");
/// ```
impl From<String> for BankCode {
    fn from(code: String) -> Self {
        Self(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_listed_code_has_an_advice_and_the_named_ones_are_right() {
        for (code, _) in BankCode::table() {
            assert!(BankCode::new(*code).advice().is_some(), "{code}");
        }
        let advice = |code: &str| BankCode::new(code).advice();
        assert_eq!(advice("116"), Some(Advice::UseAnotherCard));
        assert_eq!(advice("101"), Some(Advice::UseAnotherCard));
        assert_eq!(advice("911"), Some(Advice::RetryLater));
        assert_eq!(advice("117"), Some(Advice::Retry));
        assert_eq!(advice("109"), Some(Advice::FixRequest));
        assert_eq!(advice("913"), Some(Advice::DoNotRetry));
        assert_eq!(advice("XXX"), Some(Advice::DoNotRetry));
        assert_eq!(advice("0Y1"), Some(Advice::NotADecline));
    }

    #[test]
    fn class_derived_advice() {
        let advice = |code: &str| BankCode::new(code).advice();
        // Listed codes without an exception take their class's advice.
        assert_eq!(advice("100"), Some(Advice::ContactIssuer));
        assert_eq!(advice("209"), Some(Advice::DoNotRetry));
        assert_eq!(advice("306"), Some(Advice::RetryLater));
        assert_eq!(advice("400"), Some(Advice::NotADecline));
        assert_eq!(advice("502"), Some(Advice::NotADecline));
        assert_eq!(advice("909"), Some(Advice::RetryLater));
        // Unlisted codes of a known class.
        assert_eq!(advice("130"), Some(Advice::ContactIssuer));
        assert_eq!(advice("299"), Some(Advice::DoNotRetry));
        assert_eq!(advice("777"), Some(Advice::NotADecline));
        assert_eq!(advice("999"), Some(Advice::RetryLater));
        // No class.
        assert_eq!(advice(""), None);
        assert_eq!(advice("Z00"), None);
    }

    #[test]
    fn table_has_102_entries() {
        assert_eq!(BankCode::table().len(), 102);
    }

    #[test]
    fn codes_are_unique() {
        let codes: HashSet<&str> = BankCode::table().iter().map(|(c, _)| *c).collect();
        assert_eq!(codes.len(), BankCode::table().len());
    }

    #[test]
    fn codes_and_meanings_are_well_formed() {
        for (code, meaning) in BankCode::table() {
            assert_eq!(code.len(), 3, "code {code:?}");
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
                "code {code:?}"
            );
            assert!(!meaning.is_empty(), "meaning of {code}");
            assert_eq!(meaning.trim(), *meaning, "meaning of {code}");
        }
    }

    #[test]
    fn table_order_matches_document() {
        let table = BankCode::table();
        assert_eq!(table[0].0, "000");
        assert_eq!(table[1].0, "100");
        let tail: Vec<&str> = table[table.len() - 6..].iter().map(|(c, _)| *c).collect();
        assert_eq!(tail, ["XXX", "0Y1", "0Y3", "1Q1", "1Z1", "1Z3"]);
    }

    #[test]
    fn icc_codes_use_digit_zero() {
        assert!(BankCode::new("0Y1").meaning().is_some());
        assert!(BankCode::new("0Y3").meaning().is_some());
        assert_eq!(BankCode::new("OY1").meaning(), None);
        assert_eq!(BankCode::new("OY3").meaning(), None);
        assert!(BankCode::table().iter().all(|(c, _)| !c.starts_with('O')));
    }

    #[test]
    fn has_129_but_not_181() {
        assert_eq!(
            BankCode::new("129").meaning(),
            Some("Rejected, suspected fake card")
        );
        assert_eq!(
            BankCode::new("180").meaning(),
            Some("Rejected, at the request of cardholders")
        );
        assert_eq!(BankCode::new("181").meaning(), None);
    }

    #[test]
    fn spot_check_meanings() {
        let cases = [
            ("000", "Confirmed"),
            ("100", "Rejected (general, no comment)"),
            (
                "108",
                "Declined, please refer to card issuer's special terms",
            ),
            ("116", "Declined, insufficient funds"),
            ("121", "Declined, withdrawal limit exceeded"),
            ("123", "Declined, withdrawal limit exceeded"),
            ("209", "Pick-up, stolen card"),
            ("400", "Accepted (for cancellation)"),
            (
                "606",
                "Status message: request failed \u{2014} required documentation unavailable",
            ),
            (
                "900",
                "The recommendation has been taken into account, no financial obligations have been accepted",
            ),
            (
                "950",
                "Reason for rejection message: business agreement violation",
            ),
            (
                "XXX",
                "Code to be replaced by card status code or stop list reason code",
            ),
            ("0Y1", "Confirmed, offline ICC"),
            // The January 2022 edition's wording (see the module docs).
            ("911", "Decline, card issuer timed out"),
            ("914", "Decline, reversal original not found"),
            ("1Z3", "Rejected due to ICC offline mode"),
        ];
        for (code, meaning) in cases {
            assert_eq!(BankCode::new(code).meaning(), Some(meaning), "code {code}");
        }
    }

    #[test]
    fn unknown_and_non_exact_codes_have_no_meaning() {
        for code in [
            "", "0", "00", "0000", " 000", "000 ", "xxx", "0y1", "999", "130",
        ] {
            assert_eq!(BankCode::new(code).meaning(), None, "code {code:?}");
        }
    }

    #[test]
    fn only_000_is_approved() {
        assert!(BankCode::new("000").is_approved());
        for (code, _) in BankCode::table().iter().filter(|(c, _)| *c != "000") {
            assert!(!BankCode::new(*code).is_approved(), "code {code}");
        }
        assert!(!BankCode::new("0").is_approved());
        assert!(!BankCode::new(" 000").is_approved());
    }

    #[test]
    fn display_known_and_unknown() {
        assert_eq!(
            BankCode::new("116").to_string(),
            "116 (Declined, insufficient funds)"
        );
        assert_eq!(BankCode::new("000").to_string(), "000 (Confirmed)");
        assert_eq!(BankCode::new("181").to_string(), "181");
        assert_eq!(BankCode::new("").to_string(), "");
    }

    #[test]
    fn conversions_keep_code_verbatim() {
        assert_eq!(BankCode::from("1Q1"), BankCode::new("1Q1"));
        assert_eq!(BankCode::from(String::from(" 42 ")).as_str(), " 42 ");
    }

    #[test]
    fn serde_is_a_plain_string() {
        let code = BankCode::new("116");
        assert_eq!(
            serde_json::to_string(&code).ok().as_deref(),
            Some("\"116\"")
        );
        let back: BankCode = serde_json::from_str("\"0Y3\"").expect("valid JSON string");
        assert_eq!(back, BankCode::new("0Y3"));
    }

    #[test]
    fn serde_round_trip_keeps_unknown_code() {
        let unknown = BankCode::new("Z9 ?");
        assert_eq!(unknown.meaning(), None);
        let json = serde_json::to_string(&unknown).expect("serializable");
        assert_eq!(json, "\"Z9 ?\"");
        let back: BankCode = serde_json::from_str(&json).expect("deserializable");
        assert_eq!(back, unknown);
        assert_eq!(back.as_str(), "Z9 ?");
    }

    #[test]
    fn serde_rejects_non_strings() {
        assert!(serde_json::from_str::<BankCode>("116").is_err());
        assert!(serde_json::from_str::<BankCode>("null").is_err());
    }
}
