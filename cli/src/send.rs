//! Sending one call: the preview of what would be sent, the confirmation a money-moving call asks for, and
//! sending it (through the payment journal when one is given).

use std::io::{BufRead, IsTerminal, Write};

use epoint_az::{Call, OperationId, Preview, operation::Operation};
use serde::Serialize;
use serde_json::{Value, json};

use crate::{
    exit,
    report::{Report, failure, print_lines, success},
    target::Opts,
};

/// Whether an operation moves money (or creates a payment), so `call` asks for confirmation:
/// the spec's `x-epoint-moves-money`, through the generated table.
pub(crate) fn moves_money(op: OperationId) -> bool {
    op.info().moves_money
}

/// The lines of a preview: everything sent, none of the signature's secret inputs (the
/// private key is never printed; `data` and `signature` are public on the wire anyway).
pub(crate) fn preview_lines(preview: &PreviewView) -> Vec<(String, String)> {
    vec![
        ("operation".into(), preview.operation.to_owned()),
        ("method".into(), "POST".into()),
        ("url".into(), preview.url.clone()),
        ("json".into(), preview.json.clone()),
        ("data".into(), preview.data.clone()),
        ("signature".into(), preview.signature.clone()),
        ("form_body".into(), preview.form_body.clone()),
    ]
}

/// A preview of a typed call or of a `call`.
pub(crate) struct PreviewView {
    pub(crate) operation: &'static str,
    pub(crate) url: String,
    pub(crate) json: String,
    pub(crate) data: String,
    pub(crate) signature: String,
    pub(crate) form_body: String,
}

impl PreviewView {
    pub(crate) fn of(preview: &Preview) -> Self {
        Self {
            operation: preview.operation.name(),
            url: preview.url.clone(),
            json: preview.json.clone(),
            data: preview.envelope.data.clone(),
            signature: preview.envelope.signature.clone(),
            form_body: preview.form_body.clone(),
        }
    }

    pub(crate) fn value(&self) -> Value {
        json!({
            "ok": true,
            "outcome": "dry_run",
            "operation": self.operation,
            "method": "POST",
            "url": self.url,
            "payload": serde_json::from_str::<Value>(&self.json).unwrap_or(Value::Null),
            "json": self.json,
            "data": self.data,
            "signature": self.signature,
            "form_body": self.form_body,
        })
    }
}

/// `--dry-run` (the preview, nothing sent) or the confirmation of a money-moving command.
/// `Some(report)` means: stop here with this report.
pub(crate) fn before_sending(
    preview: &PreviewView,
    opts: &Opts,
    moves_money: bool,
) -> Option<Report> {
    if opts.dry_run {
        let mut lines = vec![("outcome".to_owned(), "dry run, nothing sent".to_owned())];
        lines.extend(preview_lines(preview));
        return Some(Report {
            exit: exit::SUCCESS,
            value: preview.value(),
            lines,
            error: None,
        });
    }
    if !moves_money {
        return None;
    }
    // What will be sent, on stderr so that stdout stays the result (one JSON object).
    if !(opts.yes && opts.json) {
        let mut err = std::io::stderr();
        let _ = writeln!(err, "About to send (this moves money):");
        print_lines(&mut err, &preview_lines(preview));
    }
    if opts.yes {
        return None;
    }
    let refused = |message: &str| {
        Some(Report {
            exit: exit::NOT_CONFIRMED,
            value: json!({"ok": false, "outcome": "not_confirmed", "operation": preview.operation,
                          "exit_code": exit::NOT_CONFIRMED, "error": message}),
            lines: vec![
                ("outcome".into(), "not confirmed, nothing sent".into()),
                ("operation".into(), preview.operation.into()),
            ],
            error: Some(message.to_owned()),
        })
    };
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return refused(
            "refusing to move money without confirmation: standard input is not a terminal; \
             pass --yes to send from a script (nothing was sent)",
        );
    }
    eprint!("Send it? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if stdin.lock().read_line(&mut answer).is_err() {
        return refused("no answer read; nothing was sent");
    }
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => None,
        _ => refused("not confirmed; nothing was sent"),
    }
}

/// Previews, confirms and sends a typed call to `base_url`.
pub(crate) async fn typed<O: Operation>(
    call: Call<'_, O>,
    opts: &Opts,
    moves_money: bool,
    base_url: &str,
    journal: Option<&epoint_az_journal::Journal>,
) -> Report
where
    O::Output: Serialize,
{
    let preview = match call.preview() {
        Ok(preview) => PreviewView::of(&preview),
        Err(e) => return failure(O::ID, &e, base_url),
    };
    if let Some(report) = before_sending(&preview, opts, moves_money) {
        return report;
    }
    let sent = match journal {
        None => call.send().await,
        // The intent is written first (a taken order is refused, nothing sent), the outcome after.
        Some(journal) => match journal.send(call).await {
            Ok(output) => Ok(output),
            Err(e) => return journal_failure(O::ID, e, base_url),
        },
    };
    match sent {
        Ok(output) => success(O::ID, &output),
        Err(e) => failure(O::ID, &e, base_url),
    }
}

/// The report of a journaled call that failed: the call's own failure with the state the
/// journal recorded, or the journal's refusal (a taken order: exit 9; a database failure
/// before sending), neither of which sent anything.
pub(crate) fn journal_failure(
    operation: OperationId,
    error: epoint_az_journal::JournalError,
    base_url: &str,
) -> Report {
    use epoint_az_journal::JournalError;
    match error {
        JournalError::Call { error, recorded } => {
            let mut report = failure(operation, &error, base_url);
            let said = if recorded.is_unresolved() {
                format!("recorded as {recorded}; `epoint journal resolve` settles it")
            } else {
                format!("recorded as {recorded}")
            };
            let at = report.lines.len()
                - usize::from(report.lines.last().is_some_and(|(k, _)| k == "hint"));
            report.lines.insert(at, ("journal".into(), said));
            if let Value::Object(map) = &mut report.value {
                map.insert("journal".into(), recorded.as_str().into());
            }
            report
        }
        JournalError::Invalid(error) => failure(operation, &error, base_url),
        other => {
            let code = crate::journal::exit_code(&other);
            let outcome = crate::journal::outcome(&other);
            let message = other.to_string();
            Report {
                exit: code,
                value: json!({"ok": false, "outcome": outcome, "operation": operation.name(),
                              "exit_code": code, "error": message}),
                lines: vec![
                    (
                        "outcome".into(),
                        format!("{}, nothing sent", outcome.replace('_', " ")),
                    ),
                    ("operation".into(), operation.name().into()),
                ],
                error: Some(message),
            }
        }
    }
}
