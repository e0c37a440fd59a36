//! The merchant's commands: hand-made ones for the daily jobs (status, pay, refund, payout, …)
//! and `call`, which sends any operation of the spec's table with fields given as `key=value`.
//!
//! Every command reads the keys from the environment (`Config::from_env`), prints either
//! aligned `key: value` lines or, with `--json`, one JSON object, and maps the outcome to an
//! exit code (see [`crate::exit`]). Money-moving commands print the request first and ask for
//! confirmation (`--yes` skips it; without a terminal and without `--yes` they refuse).

use std::io::{BufRead, IsTerminal, Write};

use epoint_az::{
    Advice, BankCode, Call, Client, Config, Error, Money, OperationId, Preview, Resolution,
    operation::{AnswerKind, Operation},
};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::exit;

/// Options every merchant command takes.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Opts {
    /// Send to this base URL (e.g. a sandbox's) instead of EPOINT_BASE_URL / `https://epoint.az`.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Seconds allowed for each request to EPoint (default 30). Read-only lookups (`status`,
    /// `reconcile`) are retried twice after a timeout, so they may take three times this.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: Option<u64>,
    /// Print one JSON object on stdout (for scripts) instead of `key: value` lines.
    #[arg(long)]
    json: bool,
    /// Print what would be sent (URL, JSON, data, signature, form body) and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Money-moving commands: send without asking (for scripts). Without it they ask on a
    /// terminal, and refuse (exit 6) when standard input is not a terminal.
    #[arg(long, short = 'y')]
    yes: bool,
}

const ENV_HELP: &str = "Keys come from EPOINT_PUBLIC_KEY and EPOINT_PRIVATE_KEY (never from arguments); \
EPOINT_BASE_URL or --base-url says where to send. See `epoint --help` for the exit codes.";

/// The merchant's commands (flattened into the top-level command list).
#[derive(Debug, clap::Subcommand)]
pub(crate) enum MerchantCommand {
    /// [hand-made] The status of a transaction, or of your order's latest transaction
    /// (`/api/1/get-status`). Read-only.
    #[command(after_help = format!("Examples:\n  epoint status te000000001\n  epoint status --order-id order-1001\n  epoint status --order-id order-1001 --wait 120\n  epoint status te000000001 --json\n  epoint status te000000001 --base-url http://127.0.0.1:40215\n\n{ENV_HELP}"))]
    Status {
        /// The transaction id (`te…`).
        #[arg(required_unless_present = "order_id")]
        transaction: Option<String>,
        /// Look up by your order id instead (what resolves a payment whose answer was lost).
        #[arg(long, value_name = "ID", conflicts_with = "transaction")]
        order_id: Option<String>,
        /// With --order-id: settle an unknown outcome. Look the order up until EPoint knows it
        /// or SECONDS have passed (polling with backoff); only then is "not found" an answer
        /// (the payment never arrived, exit 3). Lookups that keep failing: exit 4.
        #[arg(long, value_name = "SECONDS", requires = "order_id", value_parser = clap::value_parser!(u64).range(1..=3600))]
        wait: Option<u64>,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Look many orders up by order id (`/api/1/get-status`, read-only) and write
    /// CSV: `order_id,transaction,status,amount,code,message`, one row per order, in input
    /// order. `status` is EPoint's as it sent it, or `not_found`, or `lookup_failed` (no
    /// answer; `message` says why). Exit 0 when every order was looked up, 7 when some lookups
    /// failed or input lines were reported, 64 when the input is refused.
    #[command(after_help = format!("{}\n\n{ENV_HELP}", crate::reconcile::AFTER_HELP))]
    Reconcile {
        /// A file of order ids, or `-` for standard input.
        #[arg(default_value = "-", value_name = "FILE|-")]
        input: String,
        /// How many lookups run at once (gentle on EPoint by default).
        #[arg(long, default_value_t = epoint_az::reconcile::DEFAULT_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
        concurrency: u16,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Create a payment on EPoint's hosted page (`/api/1/request`) and print the
    /// redirect URL to send the customer to. Asks for confirmation.
    #[command(after_help = format!("Examples:\n  epoint pay 30.75 order-1001 --description \"2 coffees\"\n  epoint pay 30.75 order-1001 --yes --json\n  epoint pay 30.75 order-1001 --dry-run\n\n{ENV_HELP}"))]
    Pay {
        /// The amount in AZN, e.g. 30.75.
        #[arg(allow_hyphen_values = true)]
        amount: Money,
        /// Your order id.
        order_id: String,
        /// The description shown on the page.
        #[arg(long)]
        description: Option<String>,
        #[command(flatten)]
        journal: crate::journal::JournalArg,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Refund a payment (`/api/1/reverse`), in full or `--amount` of it. Moves
    /// money: asks for confirmation.
    #[command(after_help = format!("Examples:\n  epoint refund te000000001 --amount 10.00\n  epoint refund te000000001 --yes\n  epoint refund te000000001 --dry-run\n\n{ENV_HELP}"))]
    Refund {
        /// The transaction id of the payment (`te…`).
        transaction: String,
        /// Refund only this much (AZN); without it, the whole remaining amount.
        #[arg(long, allow_hyphen_values = true)]
        amount: Option<Money>,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Pay out to a card saved for payouts (`/api/1/refund-request`). Moves money:
    /// asks for confirmation.
    #[command(after_help = format!("Examples:\n  epoint payout ce000000009 250.00 payout-77\n  epoint payout ce000000009 250.00 payout-77 --yes --json\n\n{ENV_HELP}"))]
    Payout {
        /// The saved card (`ce…`), registered with `save-card --for-payouts`.
        card_id: String,
        /// The amount in AZN.
        #[arg(allow_hyphen_values = true)]
        amount: Money,
        /// Your order id for this payout.
        order_id: String,
        #[command(flatten)]
        journal: crate::journal::JournalArg,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Charge a saved card (`/api/1/execute-pay`). Moves money: asks for
    /// confirmation.
    #[command(after_help = format!("Examples:\n  epoint pay-with-saved-card ce000000001 9.99 sub-2026-11\n  epoint pay-with-saved-card ce000000001 9.99 sub-2026-11 --yes\n\n{ENV_HELP}"))]
    PayWithSavedCard {
        /// The saved card (`ce…`).
        card_id: String,
        /// The amount in AZN.
        #[arg(allow_hyphen_values = true)]
        amount: Money,
        /// Your order id.
        order_id: String,
        #[command(flatten)]
        journal: crate::journal::JournalArg,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Save a card without charging it (`/api/1/card-registration`): prints the
    /// card id and the page to send the customer to.
    #[command(after_help = format!("Examples:\n  epoint save-card\n  epoint save-card --for-payouts --description \"Payout card\"\n\n{ENV_HELP}"))]
    SaveCard {
        /// Register the card for payouts (money to the card) instead of charges.
        #[arg(long)]
        for_payouts: bool,
        /// The description shown on the page.
        #[arg(long)]
        description: Option<String>,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] The state of a saved card (`/api/1/get-status-card`). Read-only.
    #[command(after_help = format!("Examples:\n  epoint card-status ce000000001\n  epoint card-status ce000000001 --json\n\n{ENV_HELP}"))]
    CardStatus {
        /// The saved card (`ce…`).
        card_id: String,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Is EPoint up? (`GET /api/heartbeat`, unsigned).
    #[command(
        after_help = "Examples:\n  epoint heartbeat\n  epoint heartbeat --base-url http://127.0.0.1:40215"
    )]
    Heartbeat {
        #[command(flatten)]
        opts: Opts,
    },
    /// [table-driven] Every operation of the spec: name, path, answer kind, whether it moves
    /// money (and so asks for confirmation under `call`).
    #[command(after_help = "Examples:\n  epoint operations\n  epoint operations --json")]
    Operations {
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// [table-driven] Send any signed operation of the spec, its payload built from fields.
    ///
    /// OPERATION is any spelling of the operation: the operationId (`execute_pay`), the path
    /// (`/api/1/execute-pay` or `execute-pay`) or the method name (`pay_with_saved_card`); see
    /// `epoint operations`. `public_key` is added from EPOINT_PUBLIC_KEY. The payload is signed
    /// and POSTed to the operation's path as given (EPoint checks it, not this tool); the answer
    /// is printed. Operations that move money (charges, payouts, refunds, payments, pre-auth
    /// completion, B2B transfers) ask for confirmation.
    #[command(after_help = format!("Examples:\n  epoint call get-status -f transaction=te000000001\n  epoint call execute-pay -f card_id=ce000000001 -f amount=9.99 -f order_id=sub-1 -f currency=AZN -f language=az --yes\n  epoint call pay_with_wallet -f wallet_id=1 -f amount=5 -f order_id=w-1 -f currency=AZN -f language=az --dry-run\n  epoint call invoices-create -f sum=12.50 -f display:=true --json\n\nFields: `key=value` is a JSON string; `key:=json` is raw JSON (numbers, true/false, objects).\n\n{ENV_HELP}"))]
    Call {
        /// The operation (see `epoint operations`).
        operation: OperationId,
        /// A payload field: `key=value` (a string) or `key:=json` (raw JSON). Repeatable.
        #[arg(long = "field", short = 'f', value_name = "KEY=VALUE")]
        fields: Vec<String>,
        #[command(flatten)]
        opts: Opts,
    },
}

/// Whether an operation moves money (or creates a payment), so `call` asks for confirmation:
/// the spec's `x-epoint-moves-money`, through the generated table.
pub(crate) fn moves_money(op: OperationId) -> bool {
    op.info().moves_money
}

/// What a command prints and how it exits.
struct Report {
    exit: u8,
    /// The `--json` object.
    value: Value,
    /// The human lines, in order.
    lines: Vec<(String, String)>,
    /// For failures: the sentence that says what went wrong (`None`: the command succeeded).
    error: Option<String>,
}

impl Report {
    /// A status answer shows every amount EPoint sent, but `returned` does not say how much was
    /// returned: a partial refund (10.00 of 30.75) and a full one read the same. Say so.
    fn note_what_status_does_not_tell(&mut self) {
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
    fn print(&self, json_mode: bool) -> u8 {
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

    fn usage(message: impl Into<String>) -> Self {
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
fn print_lines(out: &mut impl Write, lines: &[(String, String)]) {
    for line in aligned(lines) {
        let _ = writeln!(out, "{line}");
    }
}

/// Aligned `key: value` lines on stdout; a closed pipe ends the program quietly.
fn print_stdout_lines(lines: &[(String, String)]) {
    for line in aligned(lines) {
        out!("{line}");
    }
}

fn aligned(lines: &[(String, String)]) -> impl Iterator<Item = String> + '_ {
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
    lines
        .iter()
        .map(move |(key, value)| format!("{:<width$} {value}", format!("{key}:")))
}

/// A JSON value as one line of text (strings without quotes).
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The lines of an answer object: its fields, plus the meaning of a bank `code`.
fn answer_lines(lines: &mut Vec<(String, String)>, answer: &Value) {
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
fn success_outcome(operation: OperationId) -> (&'static str, &'static str) {
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
fn next_after_page(operation: OperationId, object: &Map<String, Value>, answer: &Value) -> String {
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
fn success(operation: OperationId, output: &impl Serialize) -> Report {
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
fn failure(operation: OperationId, error: &Error, base_url: &str) -> Report {
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
fn error_text(error: &Error) -> String {
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
fn is_read_only(operation: OperationId) -> bool {
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
fn unknown_outcome_hint(operation: OperationId, error: &Error, base_url: &str) -> Option<String> {
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
fn shell_word(word: &str) -> String {
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
fn hint(operation: OperationId, error: &Error, outcome: &str, base_url: &str) -> Option<String> {
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

/// The lines of a preview: everything sent, none of the signature's secret inputs (the
/// private key is never printed; `data` and `signature` are public on the wire anyway).
fn preview_lines(preview: &PreviewView) -> Vec<(String, String)> {
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
struct PreviewView {
    operation: &'static str,
    url: String,
    json: String,
    data: String,
    signature: String,
    form_body: String,
}

impl PreviewView {
    fn of(preview: &Preview) -> Self {
        Self {
            operation: preview.operation.name(),
            url: preview.url.clone(),
            json: preview.json.clone(),
            data: preview.envelope.data.clone(),
            signature: preview.envelope.signature.clone(),
            form_body: preview.form_body.clone(),
        }
    }

    fn value(&self) -> Value {
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
fn before_sending(preview: &PreviewView, opts: &Opts, moves_money: bool) -> Option<Report> {
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
fn client(opts: &Opts) -> Result<Client, Report> {
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
async fn typed<O: Operation>(
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
fn journal_failure(
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

/// Runs one merchant command and returns its exit code.
pub(crate) async fn run(command: MerchantCommand) -> u8 {
    if let MerchantCommand::Operations { json } = command {
        return operations(json);
    }
    let opts = match &command {
        MerchantCommand::Status { opts, .. }
        | MerchantCommand::Reconcile { opts, .. }
        | MerchantCommand::Pay { opts, .. }
        | MerchantCommand::Refund { opts, .. }
        | MerchantCommand::Payout { opts, .. }
        | MerchantCommand::PayWithSavedCard { opts, .. }
        | MerchantCommand::SaveCard { opts, .. }
        | MerchantCommand::CardStatus { opts, .. }
        | MerchantCommand::Heartbeat { opts }
        | MerchantCommand::Call { opts, .. } => opts.clone(),
        MerchantCommand::Operations { .. } => return exit::SUCCESS,
    };
    let client = match client(&opts) {
        Ok(client) => client,
        Err(report) => return report.print(opts.json),
    };
    let base = client.config().get_base_url().to_owned();
    // `--journal` / EPOINT_JOURNAL: opened (and checked) before anything is sent.
    let journal = match &command {
        MerchantCommand::Pay { journal, .. }
        | MerchantCommand::Payout { journal, .. }
        | MerchantCommand::PayWithSavedCard { journal, .. } => journal.url(),
        _ => None,
    };
    let journal = match journal {
        Some(url) => match crate::journal::open(&url).await {
            Ok(journal) => Some(journal),
            Err((code, message)) => {
                let mut report = Report::usage(message);
                report.exit = code;
                if let Value::Object(map) = &mut report.value {
                    map.insert("exit_code".into(), code.into());
                }
                return report.print(opts.json);
            }
        },
        None => None,
    };
    let report = match command {
        MerchantCommand::Status {
            order_id: Some(order_id),
            wait: Some(seconds),
            ..
        } => settle(&client, &order_id, seconds, &opts, &base).await,
        MerchantCommand::Status {
            transaction,
            order_id,
            ..
        } => {
            let call = match (transaction, order_id) {
                (_, Some(order_id)) => client.get_order_status(order_id),
                (Some(transaction), None) => client.get_transaction_status(transaction),
                (None, None) => return exit::USAGE, // clap requires one of them
            };
            let mut report = typed(call, &opts, false, &base, None).await;
            report.note_what_status_does_not_tell();
            report
        }
        MerchantCommand::Reconcile {
            input, concurrency, ..
        } => {
            return crate::reconcile::run(&client, &input, usize::from(concurrency), opts.json)
                .await;
        }
        MerchantCommand::Pay {
            amount,
            order_id,
            description,
            ..
        } => {
            let mut call = client.pay(amount.amount(), order_id);
            if let Some(description) = description {
                call = call.description(description);
            }
            typed(call, &opts, true, &base, journal.as_ref()).await
        }
        MerchantCommand::Refund {
            transaction,
            amount,
            ..
        } => {
            let mut call = client.refund(transaction);
            if let Some(amount) = amount {
                call = call.amount(amount.amount());
            }
            typed(call, &opts, true, &base, None).await
        }
        MerchantCommand::Payout {
            card_id,
            amount,
            order_id,
            ..
        } => {
            typed(
                client.payout(card_id, amount.amount(), order_id),
                &opts,
                true,
                &base,
                journal.as_ref(),
            )
            .await
        }
        MerchantCommand::PayWithSavedCard {
            card_id,
            amount,
            order_id,
            ..
        } => {
            typed(
                client.pay_with_saved_card(card_id, amount.amount(), order_id),
                &opts,
                true,
                &base,
                journal.as_ref(),
            )
            .await
        }
        MerchantCommand::SaveCard {
            for_payouts,
            description,
            ..
        } => {
            let mut call = client.save_card().for_payouts(for_payouts);
            if let Some(description) = description {
                call = call.description(description);
            }
            typed(call, &opts, false, &base, None).await
        }
        MerchantCommand::CardStatus { card_id, .. } => {
            typed(client.get_card_status(card_id), &opts, false, &base, None).await
        }
        MerchantCommand::Heartbeat { .. } => heartbeat(&client, &opts).await,
        MerchantCommand::Call {
            operation, fields, ..
        } => call(&client, operation, &fields, &opts).await,
        MerchantCommand::Operations { .. } => return exit::SUCCESS,
    };
    report.print(opts.json)
}

/// `epoint status --order-id ID --wait SECONDS`: the library's settle-window resolution.
async fn settle(
    client: &Client,
    order_id: &str,
    seconds: u64,
    opts: &Opts,
    base_url: &str,
) -> Report {
    let op = OperationId::GetStatus;
    let resolve = client
        .resolve_order(order_id)
        .settle_window(std::time::Duration::from_secs(seconds));
    if opts.dry_run {
        // The lookup it would repeat, unsent.
        return typed(
            client.get_order_status(order_id),
            opts,
            false,
            base_url,
            None,
        )
        .await;
    }
    if std::io::stderr().is_terminal() {
        eprintln!(
            "epoint: looking order {order_id} up until EPoint knows it, for up to {seconds} s…"
        );
    }
    match resolve.await {
        Ok(Resolution::Found(state)) => {
            let mut report = success(op, &*state);
            report.note_what_status_does_not_tell();
            report
        }
        Ok(Resolution::NeverArrived { message, lookups }) => {
            let text = format!(
                "order {order_id} is not known to EPoint after waiting {seconds} s ({lookups} lookups, last answer: {message:?}): the request never arrived, so paying again cannot charge twice"
            );
            Report {
                exit: exit::REJECTED,
                value: json!({"ok": false, "outcome": "never_arrived", "operation": op.name(),
                              "order_id": order_id, "lookups": lookups, "exit_code": exit::REJECTED,
                              "message": message, "error": text}),
                lines: vec![
                    ("outcome".into(), "never arrived".into()),
                    ("order_id".into(), order_id.to_owned()),
                    ("lookups".into(), lookups.to_string()),
                ],
                error: Some(text),
            }
        }
        Ok(Resolution::StillUnknown { error, lookups }) => {
            let text = format!(
                "order {order_id} is still unknown after {seconds} s: every lookup failed ({lookups}, the last: {error}); do not pay again, look again later"
            );
            Report {
                exit: exit::UNKNOWN,
                value: json!({"ok": false, "outcome": "unknown", "operation": op.name(),
                              "order_id": order_id, "lookups": lookups, "exit_code": exit::UNKNOWN,
                              "error": text}),
                lines: vec![
                    ("outcome".into(), "still unknown".into()),
                    ("order_id".into(), order_id.to_owned()),
                ],
                error: Some(text),
            }
        }
        Ok(other) => Report {
            exit: exit::FAILURE,
            value: json!({"ok": false, "outcome": "unrecognised", "exit_code": exit::FAILURE}),
            lines: Vec::new(),
            error: Some(format!("unrecognised resolution: {other:?}")),
        },
        Err(e) => failure(op, &e, base_url),
    }
}

async fn heartbeat(client: &Client, opts: &Opts) -> Report {
    let op = OperationId::Heartbeat;
    if opts.dry_run {
        let url = format!(
            "{}{}",
            client.config().get_base_url().trim_end_matches('/'),
            op.path()
        );
        return Report {
            exit: exit::SUCCESS,
            value: json!({"ok": true, "outcome": "dry_run", "operation": op.name(), "method": "GET", "url": url}),
            lines: vec![
                ("outcome".into(), "dry run, nothing sent".into()),
                ("method".into(), "GET".into()),
                ("url".into(), url),
            ],
            error: None,
        };
    }
    match client.heartbeat().await {
        Ok(answer) => success(op, &answer),
        Err(e) => failure(op, &e, client.config().get_base_url()),
    }
}

/// Builds a payload object from `key=value` (string) and `key:=json` (raw JSON) fields, each
/// checked by the library's rules for `op` (`OperationId::validate_field`: amounts as `Money`
/// parses them, order ids as `validate_order_id`), so nothing invalid is sent.
fn payload_of(
    op: OperationId,
    fields: &[String],
    public_key: &str,
) -> Result<Map<String, Value>, String> {
    let mut payload = Map::new();
    for field in fields {
        let (key, value, checked) = if let Some((key, raw)) = field.split_once(":=") {
            let value: Value = serde_json::from_str(raw)
                .map_err(|e| format!("--field {key}:=…: not JSON ({e}); use {key}=… for text"))?;
            // A raw number is checked as typed (`1e3` is not an amount), not as serde_json
            // reads it back (`1000.0`).
            let checked = match &value {
                Value::Number(_) if op.info().money_fields.contains(&key) => {
                    Value::String(raw.trim().to_owned())
                }
                other => other.clone(),
            };
            (key, value, checked)
        } else if let Some((key, text)) = field.split_once('=') {
            let value = Value::String(text.to_owned());
            (key, value.clone(), value)
        } else {
            return Err(format!(
                "--field `{field}`: expected key=value (text) or key:=json"
            ));
        };
        if key.is_empty() {
            return Err(format!("--field `{field}`: the key is empty"));
        }
        op.validate_field(key, &checked)
            .map_err(|e| e.to_string())?;
        payload.insert(key.to_owned(), value);
    }
    payload
        .entry("public_key")
        .or_insert_with(|| Value::String(public_key.to_owned()));
    Ok(payload)
}

/// `epoint call OPERATION -f …`: table-driven, for every signed operation.
async fn call(client: &Client, op: OperationId, fields: &[String], opts: &Opts) -> Report {
    let info = op.info();
    if info.method != "POST" {
        return Report::usage(format!(
            "`{}` is an unsigned {} {}; use `epoint heartbeat`",
            info.name, info.method, info.path
        ));
    }
    let payload = match payload_of(op, fields, client.keys().public_key()) {
        Ok(payload) => Value::Object(payload),
        Err(message) => return Report::usage(message),
    };
    // `send_signed` signs exactly this text (serde_json writes an object the same way twice).
    let json = payload.to_string();
    let envelope = client.keys().seal_json(json.as_bytes());
    let preview = PreviewView {
        operation: info.name,
        url: format!(
            "{}{}",
            client.config().get_base_url().trim_end_matches('/'),
            info.path
        ),
        form_body: epoint_az::signing::form_body(&envelope),
        data: envelope.data,
        signature: envelope.signature,
        json,
    };
    if let Some(report) = before_sending(&preview, opts, moves_money(op)) {
        return report;
    }
    match client.send_signed::<Value>(info.path, &payload).await {
        Ok(answer) => success(op, &json!({ "answer": answer })),
        // `send_signed` reads every answer as a plain one; a status query reports any payment
        // state (`returned`, `error` of a failed payment, …) as its answer, like the typed client.
        Err(Error::UnexpectedStatus { response, .. } | Error::Rejected { response, .. })
            if info.kind == AnswerKind::Status && is_payment_state(&response) =>
        {
            success(op, &json!({ "answer": response }))
        }
        Err(e) => failure(op, &e, client.config().get_base_url()),
    }
}

/// A status answer that reports a payment's state rather than refusing the query.
fn is_payment_state(answer: &Value) -> bool {
    answer.get("status").and_then(Value::as_str) != Some("server_error")
        && answer.get("transaction").is_some_and(|t| !t.is_null())
}

/// `epoint operations`: the table.
fn operations(json_mode: bool) -> u8 {
    let rows: Vec<Value> = OperationId::all()
        .map(|op| {
            let info = op.info();
            json!({
                "name": info.name,
                "operation_id": info.operation_id,
                "method": info.method,
                "path": info.path,
                "payload": info.payload,
                "kind": format!("{:?}", info.kind),
                "moves_money": moves_money(op),
                "callback": info.callback,
            })
        })
        .collect();
    if json_mode {
        out!("{}", json!({ "operations": rows }));
        return exit::SUCCESS;
    }
    let width = OperationId::all()
        .map(|op| op.name().len())
        .max()
        .unwrap_or(0);
    let path_width = OperationId::all()
        .map(|op| op.path().len())
        .max()
        .unwrap_or(0);
    for op in OperationId::all() {
        let info = op.info();
        out!(
            "{:<width$}  {:<4} {:<path_width$}  {}{}",
            info.name,
            info.method,
            info.path,
            if moves_money(op) { "moves money" } else { "" },
            if info.callback {
                " (callback follows)"
            } else {
                ""
            },
        );
    }
    exit::SUCCESS
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
