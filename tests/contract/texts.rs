//! `openapi/texts.json`, the one home of what customers and staff read: checked against the
//! official documents' own wording it records, and the crate's tables checked against it.

use std::collections::BTreeMap;

use crate::capture;

use capture::{CaptureServer, Reply};
use epoint_az::{BankCode, Client, Config, Language, PaymentStatus, dec};
use serde_json::Value;

fn texts() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/texts.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("read texts.json")).expect("JSON")
}

/// Letters and digits only, lower-cased: what stays when casing and punctuation are
/// normalised (the transcription's "Status message: file locked" is the PDF's
/// "Status Message File Locked").
fn words(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const LANGUAGES: [(&str, Language); 3] = [
    ("az", Language::Az),
    ("en", Language::En),
    ("ru", Language::Ru),
];

#[test]
fn every_text_names_a_recorded_source() {
    let t = texts();
    let sources = t["sources"].as_object().expect("sources");
    for source in sources.values() {
        for field in ["title", "repo", "path", "commit"] {
            assert!(
                source[field].as_str().is_some_and(|s| !s.is_empty()),
                "{source}"
            );
        }
        assert_eq!(
            source["commit"].as_str().map(str::len),
            Some(40),
            "{source}"
        );
    }
    for kind in ["bank_codes", "statuses"] {
        for entry in t[kind].as_array().expect(kind) {
            for (lang, _) in LANGUAGES {
                let text = &entry["text"][lang];
                let source = &entry["source"][lang];
                assert_eq!(text.is_null(), source.is_null(), "{kind} {entry}: {lang}");
                if let Some(id) = source.as_str() {
                    assert!(sources.contains_key(id), "{kind}: unknown source {id}");
                }
            }
            for id in entry["editions"].as_object().expect("editions").keys() {
                assert!(sources.contains_key(id), "{kind}: unknown edition {id}");
            }
        }
    }
}

/// The crate's English bank-code wording (integrify's transcription of the v1.0.3 PDF) is the
/// PDF's own words, casing and punctuation aside; every departure is listed here and in the
/// entry's `note`.
#[test]
fn english_bank_code_texts_are_the_official_wording() {
    let t = texts();
    let codes = t["bank_codes"].as_array().expect("bank codes");
    assert_eq!(codes.len(), 102, "the v1.0.3 table has 102 codes");
    let mut departures = BTreeMap::new();
    for entry in codes {
        let code = entry["code"].as_str().expect("code");
        let en = entry["text"]["en"].as_str().expect("en");
        let newest = entry["editions"]["pdf-1.0.3-en"]
            .as_str()
            .expect("v1.0.3 wording");
        if words(en) != words(newest) {
            assert!(
                entry["note"].is_string(),
                "{code}: a departure without a note"
            );
            departures.insert(code, (en, newest));
        }
        if let Some(older) = entry["editions"]["pdf-2022-en"].as_str() {
            assert_ne!(older, "", "{code}");
        }
    }
    let listed: Vec<&str> = departures.keys().copied().collect();
    assert_eq!(listed, ["128", "905", "911", "914"], "{departures:#?}");
    // 911 and 914 keep the 2022 edition's wording, verbatim.
    for code in ["911", "914"] {
        let entry = codes.iter().find(|e| e["code"] == code).expect(code);
        assert_eq!(
            entry["text"]["en"], entry["editions"]["pdf-2022-en"],
            "{code}"
        );
        assert_eq!(entry["source"]["en"], "pdf-2022-en");
    }
    assert_eq!(
        words(departures["128"].1).replace("kay", "key"),
        words(departures["128"].0)
    );
}

/// Status texts are the documents' list items ("- new – ödəniş Epoint sistemində qeydə
/// alınıb ;"), without the list's marks.
#[test]
fn status_texts_are_each_documents_wording() {
    let t = texts();
    for entry in t["statuses"].as_array().expect("statuses") {
        let status = entry["status"].as_str().expect("status");
        for (lang, _) in LANGUAGES {
            let text = entry["text"][lang]
                .as_str()
                .expect("every status has all three");
            let source = entry["source"][lang].as_str().expect("source");
            let line = entry["editions"][source]
                .as_str()
                .expect("the source's line");
            let item = line
                .trim_start_matches(['-', ' '])
                .strip_prefix(status)
                .expect("the line names its status");
            assert_eq!(words(text), words(item), "{status} {lang}");
        }
    }
}

#[test]
fn the_crate_tables_are_the_data_file() {
    let t = texts();
    let codes = t["bank_codes"].as_array().expect("bank codes");
    let table = BankCode::table();
    assert_eq!(table.len(), codes.len());
    for (entry, (code, meaning)) in codes.iter().zip(table) {
        assert_eq!(entry["code"], *code);
        assert_eq!(entry["text"]["en"], *meaning, "{code}");
        for (lang, language) in LANGUAGES {
            let m = BankCode::new(*code).meaning_in(language).expect("known");
            match entry["text"][lang].as_str() {
                Some(text) => assert_eq!((m.text, m.language), (text, language)),
                None => assert_eq!((m.text, m.language), (*meaning, Language::En)),
            }
        }
    }
    for entry in t["statuses"].as_array().expect("statuses") {
        let status = PaymentStatus::from(entry["status"].as_str().expect("status").to_owned());
        for (lang, language) in LANGUAGES {
            let m = status.text(language).expect("documented");
            assert_eq!(entry["text"][lang], m.text, "{status} {lang}");
            assert!(m.is_in(language));
        }
    }
}

/// A few texts pinned by hand against the official documents, per language.
#[test]
fn official_wording_pinned_per_language() {
    let status = |s: PaymentStatus, l| s.text(l).expect("documented").text;
    // January 2022, Azerbaijani edition, "Ödəniş statusu".
    assert_eq!(
        status(PaymentStatus::New, Language::Az),
        "Ödəniş Epoint sistemində qeydə alınıb"
    );
    assert_eq!(
        status(PaymentStatus::Success, Language::Az),
        "Ödəniş uğurla edildi"
    );
    assert_eq!(
        status(PaymentStatus::ServerError, Language::Az),
        "Statusun yoxlanmasında xəta baş verdi"
    );
    // January 2022, Russian edition, "Статусы платежа".
    assert_eq!(
        status(PaymentStatus::Returned, Language::Ru),
        "Выполнен возврат средств по платежу"
    );
    assert_eq!(
        status(PaymentStatus::Error, Language::Ru),
        "Во время платежа возникла ошибка"
    );
    // v1.0.3, English.
    assert_eq!(
        status(PaymentStatus::Returned, Language::En),
        "The payment has been refunded"
    );
    assert_eq!(
        status(PaymentStatus::ServerError, Language::En),
        "Status check execution error"
    );
    assert_eq!(
        PaymentStatus::Failed.text(Language::Az),
        None,
        "no edition describes `failed`"
    );

    let code = |c: &str| BankCode::new(c).meaning().expect("known");
    assert_eq!(code("116"), "Declined, insufficient funds");
    assert_eq!(code("101"), "Declined, your card has expired");
    assert_eq!(code("911"), "Decline, card issuer timed out");
}

/// EPoint publishes no Azerbaijani or Russian bank-code text (see the data file's `rules`):
/// every code falls back to English and says so. When a text is added to the data file, this
/// test fails and names the change.
#[test]
fn bank_codes_in_az_and_ru_fall_back_to_english_today() {
    for language in [Language::Az, Language::Ru] {
        let local: Vec<&str> = BankCode::table()
            .iter()
            .filter(|(c, _)| {
                BankCode::new(*c)
                    .meaning_in(language)
                    .is_some_and(|m| m.is_in(language))
            })
            .map(|(c, _)| *c)
            .collect();
        assert_eq!(local, Vec::<&str>::new(), "{language}: new local texts");
    }
}

#[tokio::test]
async fn a_customer_reads_a_short_text_in_their_language() {
    let server = CaptureServer::start(Reply::json(serde_json::json!({
        "status": "failed", "code": "116", "message": "Insufficient funds", "transaction": "te2"
    })))
    .await;
    let client =
        Client::new(Config::new("i000000001", "k").base_url(server.base_url())).expect("client");
    let declined = client
        .pay_with_saved_card("ce1", dec!(10), "o-1")
        .await
        .expect_err("declined");
    // The bank code's meaning: English, the only language EPoint gives it in, and marked so.
    let az = declined.customer_message(Language::Az);
    assert_eq!(
        (az.text, az.language),
        ("Declined, insufficient funds", Language::En)
    );

    // Anything else: EPoint's own text for a failed payment, in the language asked for.
    let invalid = client
        .pay(dec!(0), "o-2")
        .await
        .expect_err("invalid amount");
    let az = invalid.customer_message(Language::Az);
    assert_eq!(
        (az.text, az.language),
        ("Ödəniş zamanı xəta baş verdi", Language::Az)
    );
    assert_eq!(
        invalid.customer_message(Language::En).text,
        "An error occurred during payment"
    );
    let ru = invalid.customer_message(Language::Ru);
    assert_eq!(
        (ru.text, ru.language),
        ("Во время платежа возникла ошибка", Language::Ru)
    );
    assert!(!ru.text.contains("amount"), "no detail of the request");
}

/// Every bank code in `openapi/texts.json` has an advice the crate returns; where it differs
/// from its ISO 8583 class's default, the file says why (`advice_why`).
#[test]
fn every_bank_code_has_the_advice_texts_json_gives() {
    let t = texts();
    let classes = t["advice"]["classes"].as_array().expect("classes");
    assert_eq!(classes.len(), 10);
    let values = t["advice"]["values"].as_object().expect("values");
    for entry in t["bank_codes"].as_array().expect("bank codes") {
        let code = entry["code"].as_str().expect("code");
        let advice = entry["advice"].as_str().expect("every code has an advice");
        assert!(values.contains_key(advice), "{code}: {advice}");
        let crate_advice = BankCode::new(code).advice().expect("the crate has it too");
        assert_eq!(crate_advice.as_str(), advice, "{code}");
        let class = code.chars().next().and_then(|c| c.to_digit(10)).map(|d| {
            classes[d as usize]["advice"]
                .as_str()
                .expect("class advice")
        });
        assert_eq!(
            entry["advice_why"].is_string(),
            class != Some(advice),
            "{code}: advice_why exactly where the class's advice does not apply"
        );
    }
    let advice = |code: &str| BankCode::new(code).advice().map(epoint_az::Advice::as_str);
    assert_eq!(advice("116"), Some("use_another_card"));
    assert_eq!(advice("101"), Some("use_another_card"));
    assert_eq!(advice("911"), Some("retry_later"));
}
