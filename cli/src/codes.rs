//! `epoint codes [CODE] [--lang az|ru|en]`: the bank response code table, or one code, in a
//! language (default: `EPOINT_INTERFACE_LANG`, else English), with the advice for the shop
//! (`BankCode::advice`).

use epoint_az::{BankCode, Config, Language};
use serde_json::{Map, Value, json};

use crate::{exit, report::print_pairs};

/// The language asked for: `--lang`, else `EPOINT_INTERFACE_LANG` (read as the client reads
/// it), else English.
pub(crate) fn language(lang: Option<&str>) -> Result<Language, String> {
    match lang {
        Some(lang) => lang
            .trim()
            .parse()
            .map_err(|_| format!("--lang: {lang:?} is not one of az, en, ru")),
        None => Config::interface_language_from(|name| std::env::var(name).ok())
            .map(|language| language.unwrap_or(Language::En))
            .map_err(|e| e.to_string()),
    }
}

/// Runs `epoint codes`; returns the exit code.
pub(crate) fn run(code: Option<&str>, lang: Option<&str>, json_mode: bool) -> u8 {
    let language = match language(lang) {
        Ok(language) => language,
        Err(e) => {
            eprintln!("epoint: {e}");
            return exit::USAGE;
        }
    };
    let fallback_note = || {
        if !json_mode && language != Language::En {
            eprintln!(
                "epoint: EPoint publishes bank-code meanings in English only (its {language} documents print the table in English); shown in English"
            );
        }
    };
    match code {
        None => {
            let rows: Vec<(&str, epoint_az::Localized)> = BankCode::table()
                .iter()
                .filter_map(|(code, _)| Some((*code, BankCode::new(*code).meaning_in(language)?)))
                .collect();
            if json_mode {
                let table: Map<String, Value> = rows
                    .iter()
                    .map(|(code, m)| ((*code).to_owned(), Value::from(m.text)))
                    .collect();
                // A map of its own, so `codes` keeps its shape (code → meaning).
                let advice: Map<String, Value> = rows
                    .iter()
                    .map(|(code, _)| ((*code).to_owned(), json!(BankCode::new(*code).advice())))
                    .collect();
                out!(
                    "{}",
                    json!({ "language": language, "codes": table, "advice": advice })
                );
            } else {
                for (code, meaning) in &rows {
                    match BankCode::new(*code).advice() {
                        Some(advice) => out!("{code}  {meaning}  [{}]", advice.as_str()),
                        None => out!("{code}  {meaning}"),
                    }
                }
                if rows.iter().any(|(_, m)| !m.is_in(language)) {
                    fallback_note();
                }
            }
            exit::SUCCESS
        }
        Some(code) => {
            let bank = BankCode::new(code);
            let meaning = bank.meaning_in(language);
            // An unlisted code of a known ISO 8583 class gets its class's advice, and says so.
            let advice = bank.advice();
            if json_mode {
                out!(
                    "{}",
                    json!({"code": code, "known": meaning.is_some(), "approved": bank.is_approved(),
                           "meaning": meaning.map(|m| m.text), "language": meaning.map(|m| m.language),
                           "advice": advice})
                );
            } else {
                let advice_text = match (advice, meaning.is_some()) {
                    (Some(advice), true) => advice.to_string(),
                    (Some(advice), false) => format!("{advice} (from its ISO 8583 class)"),
                    (None, _) => "(none: not an ISO 8583 action code)".to_owned(),
                };
                print_pairs(&[
                    ("code", code.to_owned()),
                    (
                        "meaning",
                        meaning
                            .map_or("(not in EPoint's table)", |m| m.text)
                            .to_owned(),
                    ),
                    ("approved", bank.is_approved().to_string()),
                    ("advice", advice_text),
                ]);
                if meaning.is_some_and(|m| !m.is_in(language)) {
                    fallback_note();
                }
            }
            if meaning.is_some() {
                exit::SUCCESS
            } else {
                if !json_mode {
                    eprintln!("epoint: code {code} is not in EPoint's table of bank codes");
                }
                exit::FAILURE
            }
        }
    }
}
