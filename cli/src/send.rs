//! Sending one call: the options every merchant command takes ([`Opts`]), the client they
//! build, the preview of what would be sent, the confirmation a money-moving call asks for, and
//! sending it (through the payment journal when one is given).

use std::io::{BufRead, IsTerminal, Write};

use epoint_az::{Call, Client, Config, OperationId, Preview, operation::Operation};
use serde::Serialize;
use serde_json::{Value, json};

use crate::{
    exit,
    report::{Report, failure, print_lines, success},
};

/// Options every merchant command takes.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Opts {
    /// Send to this base URL (e.g. a sandbox's) instead of EPOINT_BASE_URL / `https://epoint.az`.
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// Seconds allowed for each request to EPoint (default 30). Read-only lookups (`status`,
    /// `reconcile`) are retried twice after a timeout, so they may take three times this.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=600))]
    pub(crate) timeout: Option<u64>,
    /// Print one JSON object on stdout (for scripts) instead of `key: value` lines.
    #[arg(long)]
    pub(crate) json: bool,
    /// Print what would be sent (URL, JSON, data, signature, form body) and send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Money-moving commands: send without asking (for scripts). Without it they ask on a
    /// terminal, and refuse (exit 6) when standard input is not a terminal.
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
}

pub(crate) const ENV_HELP: &str = "Keys come from EPOINT_PUBLIC_KEY and EPOINT_PRIVATE_KEY (never from arguments); \
EPOINT_BASE_URL or --base-url says where to send. See `epoint --help` for the exit codes.";

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

/// The client from the environment, pointed at `--base-url` when given (which then wins over
/// EPOINT_BASE_URL: a bad value there does not stop a command that does not use it).
pub(crate) fn client(opts: &Opts) -> Result<Client, Report> {
    let mut config = Config::from_lookup(|name| {
        if name == "EPOINT_BASE_URL" && opts.base_url.is_some() {
            return None;
        }
        std::env::var(name).ok()
    })
    .map_err(|e| {
        // The reminder about the keys only when the keys are the problem.
        let keys = ["EPOINT_PUBLIC_KEY", "EPOINT_PRIVATE_KEY"].contains(&e.variable());
        Report::usage(if keys {
            format!(
                "{e}; set EPOINT_PUBLIC_KEY and EPOINT_PRIVATE_KEY in the environment (keys are never arguments)"
            )
        } else {
            e.to_string()
        })
    })?;
    if let Some(url) = &opts.base_url {
        config = config.base_url(url.clone());
    }
    if let Some(seconds) = opts.timeout {
        let timeout = std::time::Duration::from_secs(seconds);
        let connect = timeout.min(config.get_connect_timeout());
        config = config.timeout(timeout).connect_timeout(connect);
    }
    Client::new(config).map_err(|e| match e {
        // Only `--base-url` can still be invalid here: the environment was checked above.
        epoint_az::ConfigError::Invalid {
            variable: "EPOINT_BASE_URL",
            reason,
        } => Report::usage(format!("--base-url is invalid: {reason}")),
        other => Report::usage(other.to_string()),
    })
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

/// A client for read-only lookups (`epoint journal resolve`), from the environment and these
/// options, or the sentence that says what is wrong.
pub(crate) fn lookup_client(
    base_url: Option<String>,
    timeout: Option<u64>,
) -> Result<Client, String> {
    let opts = Opts {
        base_url,
        timeout,
        json: false,
        dry_run: false,
        yes: false,
    };
    client(&opts).map_err(|report| report.error.unwrap_or_default())
}
