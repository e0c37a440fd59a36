//! What customers and staff read, in EPoint's three languages: the meaning of each bank
//! response code and of each payment status. The texts live in `openapi/texts.json` in the
//! crate's source (with the official document each language comes from); build.rs turns that
//! file into the tables below, so a text is never typed twice.
//!
//! EPoint publishes the bank-code meanings in English only (its Azerbaijani and Russian
//! documents print the code table in English), so a bank code asked for in `az` or `ru` comes
//! back in English, and [`Localized::language`] says so. Status texts exist in all three.

use crate::{Advice, Language};

/// The Azerbaijani and Russian texts of one entry; `None` where EPoint publishes none.
struct Local {
    az: Option<&'static str>,
    ru: Option<&'static str>,
}

/// One entry's texts: English always, the others where they exist.
struct Texts {
    en: &'static str,
    local: Local,
}

include!(concat!(env!("OUT_DIR"), "/texts.rs"));

/// A text in the language asked for or, where EPoint publishes none in it, in English;
/// `language` is the language the text is actually in.
///
/// ```
/// use epoint_az::{BankCode, Language, PaymentStatus};
///
/// let error = PaymentStatus::Error.text(Language::Az).unwrap();
/// assert_eq!(error.text, "Ödəniş zamanı xəta baş verdi");
/// assert!(error.is_in(Language::Az));
///
/// let code = BankCode::new("116").meaning_in(Language::Ru).unwrap();
/// assert_eq!(code.text, "Declined, insufficient funds");
/// assert_eq!(code.language, Language::En, "EPoint has no Russian text for bank codes");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Localized {
    /// The text.
    pub text: &'static str,
    /// The language `text` is in: the one asked for, or English when EPoint has no text in it.
    pub language: Language,
}

impl Localized {
    /// `true` when the text is in `language` (not the English fallback).
    ///
    /// ```
    /// use epoint_az::{Language, PaymentStatus};
    /// assert!(PaymentStatus::New.text(Language::Ru).unwrap().is_in(Language::Ru));
    /// ```
    pub fn is_in(&self, language: Language) -> bool {
        self.language == language
    }
}

/// Writes the text alone.
///
/// ```
/// use epoint_az::{Language, PaymentStatus};
/// assert_eq!(PaymentStatus::Success.text(Language::Ru).unwrap().to_string(), "Платеж выполнен удачно");
/// ```
impl std::fmt::Display for Localized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text)
    }
}

fn pick(en: &'static str, local: &Local, language: Language) -> Localized {
    let text = match language {
        Language::Az => local.az,
        Language::Ru => local.ru,
        Language::En => None,
    };
    match text {
        Some(text) => Localized { text, language },
        None => Localized {
            text: en,
            language: Language::En,
        },
    }
}

/// Every bank code EPoint documents, in its table's order, with the English meaning.
pub(crate) fn bank_codes() -> &'static [(&'static str, &'static str)] {
    &BANK_CODES
}

/// The meaning of bank code `code` (exact match) in `language`.
pub(crate) fn bank_code(code: &str, language: Language) -> Option<Localized> {
    let at = BANK_CODES.iter().position(|(known, _)| *known == code)?;
    Some(pick(BANK_CODES[at].1, &BANK_CODES_LOCAL[at], language))
}

/// The advice for bank code `code`: its own (exact match) or, for an unlisted code whose
/// first character is a digit, its ISO 8583 class's; `None` otherwise.
pub(crate) fn bank_code_advice(code: &str) -> Option<Advice> {
    if let Some(at) = BANK_CODES.iter().position(|(known, _)| *known == code) {
        return Some(BANK_CODE_ADVICE[at]);
    }
    let class = code.chars().next()?.to_digit(10)?;
    CLASS_ADVICE.get(usize::try_from(class).ok()?).copied()
}

/// EPoint's text for a failed payment (the `error` status), in `language`.
pub(crate) fn payment_error(language: Language) -> Localized {
    let (_, texts) = &STATUS_TEXTS[PAYMENT_ERROR_AT];
    pick(texts.en, &texts.local, language)
}

/// The description of payment status `status` (its wire text) in `language`.
pub(crate) fn status(status: &str, language: Language) -> Option<Localized> {
    STATUS_TEXTS
        .iter()
        .find(|(known, _)| *known == status)
        .map(|(_, t)| pick(t.en, &t.local, language))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_local_table_row_belongs_to_a_code() {
        assert_eq!(BANK_CODES.len(), BANK_CODES_LOCAL.len());
        assert_eq!(BANK_CODES.len(), BANK_CODE_ADVICE.len());
    }

    #[test]
    fn a_missing_language_falls_back_to_english_and_says_so() {
        let local = Local {
            az: Some("az"),
            ru: None,
        };
        assert_eq!(pick("en", &local, Language::Az).language, Language::Az);
        let ru = pick("en", &local, Language::Ru);
        assert_eq!((ru.text, ru.language), ("en", Language::En));
        assert!(!ru.is_in(Language::Ru));
    }
}
