//! What a command prints and how it exits: the [`Report`] of a success or a failure (aligned
//! `key: value` lines for people, one JSON object with `--json`), the hint a failure ends with
//! (the exact command that settles an unknown outcome), and the line printers the other
//! commands share.

use std::io::Write;

use epoint_az::{Advice, BankCode, Error, OperationId, operation::AnswerKind};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::exit;

/// What a command prints and how it exits.
pub(crate) struct Report {
    pub(crate) exit: u8,
    /// The `--json` object.
    pub(crate) value: Value,
    /// The human lines, in order.
    pub(crate) lines: Vec<(String, String)>,
    /// For failures: the sentence that says what went wrong (`None`: the command succeeded).
    pub(crate) error: Option<String>,
}

impl Report {
    /// A status answer shows every amount EPoint sent, but `returned` does not say how much was
    /// returned: a partial refund (10.00 of 30.75) and a full one read the same. Say so.
    pub(crate) fn note_what_status_does_not_tell(&mut self) {
        let answer = &self.value["answer"];
        if answer["status"].as_str() != Some("returned") {
            return;
        }
        let amount = answer["amount"].as_str().map_or_else(
            || "the answer carries no amount".to_owned(),
            |a| format!("`amount` {a} is the payment's amount"),
        );
        let note = format!(
            "`returned` follows a full or a partial refund: EPoint's status answer does not say how much was refunded ({amount}); the refund answers are the record of what went back"
        );
        self.lines.push(("note".into(), note.clone()));
        if let Value::Object(map) = &mut self.value {
            map.insert("note".into(), note.into());
        }
    }

    /// Prints the report once. Results go to stdout. A failure is said once, in one place:
    /// with `--json` as the JSON object on stdout and nothing on stderr (the object carries
    /// the outcome, the error, the hint and the exit code, so a script reads exactly one object
    /// whatever happened); for people on stderr only, the sentence first and its details after
    /// it (so `epoint pay … > result.txt` never records a failure as a result, and a terminal
    /// does not show the same failure twice).
    pub(crate) fn print(&self, json_mode: bool) -> u8 {
        if json_mode {
            out!("{}", self.value);
        } else if let Some(error) = &self.error {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "epoint: {error}");
            print_lines(&mut err, &self.lines);
        } else {
            print_stdout_lines(&self.lines);
        }
        self.exit
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            exit: exit::USAGE,
            value: json!({"ok": false, "outcome": "usage", "exit_code": exit::USAGE, "error": message}),
            lines: Vec::new(),
            error: Some(message),
        }
    }
}

/// `key: value` lines with the values aligned.
pub(crate) fn print_lines(out: &mut impl Write, lines: &[(String, String)]) {
    for line in aligned(lines) {
        let _ = writeln!(out, "{line}");
    }
}

/// Aligned `key: value` lines on stdout; a closed pipe ends the program quietly.
pub(crate) fn print_stdout_lines(lines: &[(String, String)]) {
    for line in aligned(lines) {
        out!("{line}");
    }
}

pub(crate) fn aligned(lines: &[(String, String)]) -> impl Iterator<Item = String> + '_ {
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
    lines
        .iter()
        .map(move |(key, value)| format!("{:<width$} {value}", format!("{key}:")))
}

/// A JSON value as one line of text (strings without quotes).
pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The lines of an answer object: its fields, plus the meaning of a bank `code`.
pub(crate) fn answer_lines(lines: &mut Vec<(String, String)>, answer: &Value) {
    let Value::Object(map) = answer else {
        if !answer.is_null() {
            lines.push(("answer".into(), text(answer)));
        }
        return;
    };
    for (key, value) in map {
        if value.is_null() || lines.iter().any(|(k, _)| k == key) {
            continue;
        }
        if let Value::Object(inner) = value
            && inner.is_empty()
        {
            continue;
        }
        lines.push((key.clone(), text(value)));
        if key == "code"
            && let Value::String(code) = value
            && let Some(meaning) = BankCode::new(code.as_str()).meaning()
        {
            lines.push(("meaning".into(), meaning.to_owned()));
            // What the shop should do next, for a refused payment.
            if let Some(advice) = BankCode::new(code.as_str())
                .advice()
                .filter(|a| *a != Advice::NotADecline)
            {
                lines.push(("advice".into(), advice.to_string()));
            }
        }
    }
}

/// What a successful call achieved: `(--json outcome, human outcome)`. A hosted page is only
/// a page: EPoint's `success` means the page exists, and the customer has paid nothing (or
/// saved no card) yet, so it is never called a success.
pub(crate) fn success_outcome(operation: OperationId) -> (&'static str, &'static str) {
    let info = operation.info();
    match info.kind {
        AnswerKind::HostedPage if info.name == "save_card" => {
            ("page_created", "page created, no card saved yet")
        }
        AnswerKind::HostedPage => ("page_created", "page created, not paid yet"),
        // A lookup's success is that EPoint answered; the payment's own state is `status`.
        AnswerKind::Status => ("found", "found"),
        _ => ("success", "success"),
    }
}

/// What to do after a hosted page was created, naming the command that tells when the
/// customer has finished (the page's transaction, or the card being saved).
pub(crate) fn next_after_page(
    operation: OperationId,
    object: &Map<String, Value>,
    answer: &Value,
) -> String {
    let id = |key: &str| {
        object
            .get(key)
            .or_else(|| answer.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let lookup = if operation.info().name == "save_card" {
        id("card_id")
            .map(|card| format!("`epoint card-status {card}` tells when the card is saved"))
    } else {
        id("transaction").map(|tx| format!("`epoint status {tx}` tells when it is paid"))
    };
    match lookup {
        Some(lookup) => format!("send the customer to redirect_url; {lookup}"),
        None => "send the customer to the page; EPoint's callback tells how it ended".to_owned(),
    }
}

/// The report of a successful call: `lead` fields first, then the rest of EPoint's answer.
pub(crate) fn success(operation: OperationId, output: &impl Serialize) -> Report {
    let value = serde_json::to_value(output).unwrap_or(Value::Null);
    let (outcome, said) = success_outcome(operation);
    let mut lines = vec![
        ("outcome".to_owned(), said.to_owned()),
        ("operation".to_owned(), operation.name().to_owned()),
    ];
    let mut object = Map::new();
    object.insert("ok".into(), Value::Bool(true));
    object.insert("outcome".into(), outcome.into());
    object.insert("operation".into(), operation.name().into());
    let mut answer = Value::Null;
    if let Value::Object(map) = &value {
        for (key, field) in map {
            if key == "answer" {
                answer = field.clone();
            } else {
                object.insert(key.clone(), field.clone());
                if !field.is_null() {
                    lines.push((key.clone(), text(field)));
                }
            }
        }
    } else {
        answer = value;
    }
    match &answer {
        // EPoint's `status: success` here means "page created"; printed as is under the
        // outcome it would read as a payment's success. `--json` keeps the answer whole.
        Value::Object(map) if outcome == "page_created" => {
            let mut shown = map.clone();
            shown.remove("status");
            answer_lines(&mut lines, &Value::Object(shown));
        }
        _ => answer_lines(&mut lines, &answer),
    }
    if outcome == "page_created" {
        let next = next_after_page(operation, &object, &answer);
        lines.push(("next".into(), next.clone()));
        object.insert("next".into(), next.into());
    }
    object.insert("answer".into(), answer);
    Report {
        exit: exit::SUCCESS,
        value: Value::Object(object),
        lines,
        error: None,
    }
}

/// The report of a failed call, with the exit code that says what happened. `base_url` is
/// where the call went (named in the hint when nothing answered there).
pub(crate) fn failure(operation: OperationId, error: &Error, base_url: &str) -> Report {
    let mut object = Map::new();
    object.insert("ok".into(), Value::Bool(false));
    object.insert("operation".into(), operation.name().into());
    let mut lines = Vec::new();
    let declined_answer = match error {
        // `call` reads every answer as a plain one; for a charge or payout an answer naming a
        // bank code or a transaction is the bank's decline, as the typed client reads it.
        Error::Rejected { response, .. }
            if operation.info().kind == AnswerKind::Charge
                && (response.get("code").is_some_and(|c| !c.is_null())
                    || response.get("transaction").is_some_and(|t| !t.is_null())) =>
        {
            Some(response.as_ref())
        }
        Error::Declined { response, .. } => Some(response.as_ref()),
        _ => None,
    };
    let (outcome, code, answer) = if let Some(answer) = declined_answer {
        ("declined", exit::DECLINED, Some(answer))
    } else {
        match error {
            Error::InvalidInput { .. } => ("invalid", exit::USAGE, None),
            Error::Rejected { response, .. } => {
                ("rejected", exit::REJECTED, Some(response.as_ref()))
            }
            Error::Transport { .. } if !error.may_have_reached_epoint() => {
                ("not_sent", exit::NOT_SENT, None)
            }
            Error::UnexpectedStatus { response, .. } | Error::IncompleteAnswer { response, .. } => {
                ("unknown", exit::UNKNOWN, Some(response.as_ref()))
            }
            _ => ("unknown", exit::UNKNOWN, None),
        }
    };
    lines.push(("outcome".into(), outcome.into()));
    lines.push(("operation".into(), operation.name().into()));
    let message = error_text(error);
    object.insert("outcome".into(), outcome.into());
    object.insert("exit_code".into(), code.into());
    object.insert("error".into(), message.clone().into());
    object.insert(
        "may_have_reached_epoint".into(),
        error.may_have_reached_epoint().into(),
    );
    if let Some(answer) = answer {
        if let Some(bank) = answer.get("code").and_then(Value::as_str) {
            object.insert("code".into(), bank.into());
            object.insert(
                "meaning".into(),
                BankCode::new(bank)
                    .meaning()
                    .map_or(Value::Null, Value::from),
            );
            object.insert("advice".into(), json!(BankCode::new(bank).advice()));
        }
        answer_lines(&mut lines, answer);
        object.insert("answer".into(), answer.clone());
    }
    // The hint is the last line: what to do next.
    if let Some(hint) = hint(operation, error, outcome, base_url) {
        lines.push(("hint".into(), hint.clone()));
        object.insert("hint".into(), hint.into());
    }
    Report {
        exit: code,
        value: Value::Object(object),
        lines,
        error: Some(message),
    }
}

/// An error's message followed by each cause it does not already include, on one line: a
/// transport error's first words say what happened ("timed out …", "connection refused …"),
/// the causes say where (e.g. `tcp connect error: Connection refused (os error 111)`).
pub(crate) fn error_text(error: &Error) -> String {
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(c) = cause {
        let more = c.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

/// A read-only operation: a lookup changes nothing at EPoint, so when one fails it can simply
/// be run again, and there is no outcome to check first.
pub(crate) fn is_read_only(operation: OperationId) -> bool {
    operation.info().kind == AnswerKind::Status || operation == OperationId::Heartbeat
}

/// What to do after a call that changes something (a payment, a refund, a page) may have
/// reached EPoint without an answer: look its outcome up before trying again. `None` for
/// read-only operations and for calls that surely did not reach EPoint.
///
/// With the call's order id, the hint ends with the exact command that settles the outcome:
/// `epoint status --order-id ID --wait SECONDS` (the settle window; with `--base-url` when the
/// call did not go to EPoint itself), which waits until EPoint knows the order or the window
/// has passed, since right after a timeout EPoint may not know the order *yet*.
pub(crate) fn unknown_outcome_hint(
    operation: OperationId,
    error: &Error,
    base_url: &str,
) -> Option<String> {
    if is_read_only(operation) || !error.may_have_reached_epoint() {
        return None;
    }
    let Some(order_id) = error.order_id() else {
        return Some("check `epoint status` (or your order id) before trying again".to_owned());
    };
    let mut command = format!(
        "epoint status --order-id {} --wait {}",
        shell_word(order_id),
        epoint_az::DEFAULT_SETTLE_WINDOW.as_secs()
    );
    if base_url.trim_end_matches('/') != epoint_az::config::DEFAULT_BASE_URL {
        command.push_str(&format!(" --base-url {}", shell_word(base_url)));
    }
    Some(format!(
        "do not pay again until it is settled; this waits until EPoint knows the order or the settle window has passed: `{command}`"
    ))
}

/// `word` as one shell word: as is when it is plain, else single-quoted.
pub(crate) fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@%+=,".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The hint printed last after a failure, fitted to the command: after an unknown outcome of
/// a call that changes something, [`unknown_outcome_hint`]; when nothing answered at the base
/// URL, or something answered that is not EPoint's API, check the base URL; a read-only lookup
/// that failed otherwise changes nothing and can be run again. Declines, rejections and bad
/// input say everything in their message: no hint.
pub(crate) fn hint(
    operation: OperationId,
    error: &Error,
    outcome: &str,
    base_url: &str,
) -> Option<String> {
    if outcome == "unknown"
        && let Some(hint) = unknown_outcome_hint(operation, error, base_url)
    {
        return Some(hint);
    }
    let check_base_url = format!("check --base-url / EPOINT_BASE_URL (now {base_url})");
    match error {
        Error::Transport { delivery, .. } if *delivery == epoint_az::Delivery::NotSent => Some(
            format!("nothing was sent; {check_base_url} and the network"),
        ),
        Error::Http { .. } | Error::Decode { .. } if is_read_only(operation) => Some(format!(
            "a lookup changes nothing, so it is safe to run again; if the answer is not \
             EPoint's API, {check_base_url}"
        )),
        Error::Transport { .. }
        | Error::UnexpectedStatus { .. }
        | Error::IncompleteAnswer { .. }
        | Error::AnswerMismatch { .. }
            if is_read_only(operation) =>
        {
            Some("a lookup changes nothing, so it is safe to run again".to_owned())
        }
        _ => None,
    }
}

/// Prints aligned `key: value` lines on stdout.
pub(crate) fn print_pairs(lines: &[(&str, String)]) {
    let owned: Vec<(String, String)> = lines
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    print_owned_pairs(&owned);
}

/// Prints aligned `key: value` lines on stderr (the details of a failure).
pub(crate) fn eprint_pairs(lines: &[(&str, String)]) {
    let owned: Vec<(String, String)> = lines
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    print_lines(&mut std::io::stderr().lock(), &owned);
}

/// Prints aligned `key: value` lines on stdout.
pub(crate) fn print_owned_pairs(lines: &[(String, String)]) {
    print_stdout_lines(lines);
}

/// A JSON value as one line of text (strings without quotes).
pub(crate) fn text_of(value: &Value) -> String {
    text(value)
}
