//! The payment journal from the command line (`epoint-az-journal`): `--journal URL` (or
//! `EPOINT_JOURNAL`) on `pay`, `payout` and `pay-with-saved-card` records each intent before it
//! is sent and its outcome after, and `epoint journal list` / `epoint journal resolve` show and
//! settle what a service (or this command) left unknown.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use epoint_az_journal::{Entry, Journal, JournalError};
use serde_json::{Value, json};

use crate::exit;

/// The environment variable that names the journal when `--journal` is not given.
pub(crate) const ENV: &str = "EPOINT_JOURNAL";

/// The CSV columns of `journal list` and `journal resolve`.
const COLUMNS: [&str; 6] = [
    "order_id",
    "operation",
    "amount",
    "state",
    "transaction",
    "status",
];

/// `--journal URL` for the money-moving commands.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct JournalArg {
    /// The payment journal: `sqlite:FILE` or `postgres://USER@HOST/DB` (default:
    /// EPOINT_JOURNAL). A payment or payout records its intent there before sending and its
    /// outcome after; an order already in flight, unknown or done there is refused (exit 9,
    /// nothing sent).
    #[arg(long, value_name = "URL")]
    journal: Option<String>,
}

impl JournalArg {
    /// `--journal`, else a non-empty `EPOINT_JOURNAL`.
    pub(crate) fn url(&self) -> Option<String> {
        self.journal
            .clone()
            .or_else(|| std::env::var(ENV).ok().filter(|v| !v.trim().is_empty()))
    }
}

/// `epoint journal …`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum JournalCommand {
    /// The journal's intents as CSV: order_id,operation,amount,state,transaction,status
    /// (oldest first). Reads only the database; nothing is sent.
    #[command(
        after_help = "Examples:\n  epoint journal list --journal sqlite:shop.db\n  EPOINT_JOURNAL=postgres://shop@db/shop epoint journal list --unresolved\n  epoint journal list --order-id order-1001 --json\n\nStates: pending (in flight, or left by a crash), done, unknown (resolve it), failed (the order may be paid again)."
    )]
    List {
        #[command(flatten)]
        journal: JournalArg,
        /// Only the intents whose outcome is not known yet (pending and unknown).
        #[arg(long, conflicts_with = "order_id")]
        unresolved: bool,
        /// Only this order's intents (its history, oldest first).
        #[arg(long, value_name = "ID")]
        order_id: Option<String>,
        /// JSON lines, one object per intent, with every stored field.
        #[arg(long)]
        json: bool,
    },
    /// Settle the unresolved intents (pending, unknown) by their order id with the
    /// settle-window resolution (`/api/1/get-status`, read-only: nothing is paid), record the
    /// results, and print them as CSV. Exit 0 when every one is settled, 4 when some are still
    /// unknown (run it again later).
    #[command(
        after_help = "Examples:\n  epoint journal resolve --journal sqlite:shop.db\n  epoint journal resolve --journal sqlite:shop.db --wait 300 --json\n\nKeys come from EPOINT_PUBLIC_KEY and EPOINT_PRIVATE_KEY; EPOINT_BASE_URL or --base-url says where to look."
    )]
    Resolve {
        #[command(flatten)]
        journal: JournalArg,
        /// The settle window: how long after an intent was sent a "not found" still means
        /// "not yet" (default 120). Each lookup waits until EPoint knows the order or the
        /// window has passed; only then is the intent failed (never arrived).
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
        wait: Option<u64>,
        /// Send the lookups to this base URL (e.g. a sandbox's) instead of EPOINT_BASE_URL.
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Seconds allowed for each lookup (default 30).
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=600))]
        timeout: Option<u64>,
        /// JSON lines, one object per settled intent, with every stored field.
        #[arg(long)]
        json: bool,
    },
}

/// Opens the journal, or says why not with the exit code: 64 for a URL that is not understood,
/// a database that cannot be reached and a schema from a newer version (nothing was sent).
pub(crate) async fn open(url: &str) -> Result<Journal, (u8, String)> {
    Journal::open(url)
        .await
        .map_err(|e| (exit_code(&e), e.to_string()))
}

/// The exit code for a journal error that is not a failed call.
pub(crate) fn exit_code(error: &JournalError) -> u8 {
    match error {
        JournalError::BadUrl { .. }
        | JournalError::Unreachable { .. }
        | JournalError::NewerSchema { .. }
        | JournalError::Invalid(_)
        | JournalError::NotMoneyMoving { .. }
        | JournalError::NoOrderId { .. } => exit::USAGE,
        JournalError::OrderTaken { .. } => exit::ORDER_TAKEN,
        JournalError::Call { .. } if error.is_unknown_outcome() => exit::UNKNOWN,
        _ => exit::FAILURE,
    }
}

/// The `--json` outcome word of a journal error.
pub(crate) fn outcome(error: &JournalError) -> &'static str {
    match exit_code(error) {
        exit::USAGE => "usage",
        exit::ORDER_TAKEN => "order_taken",
        _ => "journal_failed",
    }
}

/// Runs `epoint journal …`; returns the exit code.
pub(crate) async fn run(command: JournalCommand) -> u8 {
    let (arg, json_mode) = match &command {
        JournalCommand::List { journal, json, .. }
        | JournalCommand::Resolve { journal, json, .. } => (journal.clone(), *json),
    };
    let fail = |code: u8, message: String| {
        if json_mode {
            out!(
                "{}",
                json!({"ok": false, "exit_code": code, "error": message})
            );
        } else {
            eprintln!("epoint: {message}");
        }
        code
    };
    let Some(url) = arg.url() else {
        return fail(
            exit::USAGE,
            format!("no journal: pass --journal URL (e.g. --journal sqlite:shop.db) or set {ENV}"),
        );
    };
    match command {
        JournalCommand::List {
            unresolved,
            order_id,
            ..
        } => {
            let journal = match open(&url).await {
                Ok(journal) => journal,
                Err((code, message)) => return fail(code, message),
            };
            let entries = match (unresolved, order_id) {
                (true, _) => journal.unresolved().await,
                (false, Some(order_id)) => journal.order(&order_id).await,
                (false, None) => journal.entries().await,
            };
            match entries {
                Ok(entries) => {
                    print_entries(&entries, json_mode);
                    exit::SUCCESS
                }
                Err(e) => fail(exit_code(&e), e.to_string()),
            }
        }
        JournalCommand::Resolve {
            wait,
            base_url,
            timeout,
            ..
        } => {
            // The keys first: a missing key is said before the database is touched.
            let client = match crate::target::lookup_client(base_url, timeout) {
                Ok(client) => client,
                Err(message) => return fail(exit::USAGE, message),
            };
            let journal = match open(&url).await {
                Ok(journal) => journal,
                Err((code, message)) => return fail(code, message),
            };
            let window = wait.map(Duration::from_secs);
            match journal.resolve_with(&client, window).await {
                Ok(settled) => {
                    print_entries(&settled, json_mode);
                    let left = settled.iter().filter(|e| e.state.is_unresolved()).count();
                    if left > 0 {
                        if !json_mode {
                            eprintln!(
                                "epoint: {left} of {} intents are still unknown (every lookup failed); do not pay them again, run `epoint journal resolve` later",
                                settled.len()
                            );
                        }
                        exit::UNKNOWN
                    } else {
                        exit::SUCCESS
                    }
                }
                Err(e) => fail(exit_code(&e), e.to_string()),
            }
        }
    }
}

/// The intents as CSV (header first, even when there are none) or JSON lines.
fn print_entries(entries: &[Entry], json_mode: bool) {
    if json_mode {
        for entry in entries {
            out!("{}", entry_json(entry));
        }
        return;
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(COLUMNS);
    for entry in entries {
        let amount = entry.amount.map(|a| a.to_string()).unwrap_or_default();
        let _ = writer.write_record([
            entry.order_id.as_str(),
            entry.operation.as_str(),
            amount.as_str(),
            entry.state.as_str(),
            entry.transaction.as_deref().unwrap_or_default(),
            entry.status.as_deref().unwrap_or_default(),
        ]);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    for line in String::from_utf8_lossy(&bytes).lines() {
        out!("{line}");
    }
}

/// Milliseconds since the Unix epoch, as the journal stores times.
fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn entry_json(entry: &Entry) -> Value {
    json!({
        "order_id": entry.order_id,
        "operation": entry.operation,
        "amount": entry.amount.map(|a| a.to_string()),
        "currency": entry.currency,
        "state": entry.state.as_str(),
        "transaction": entry.transaction,
        "status": entry.status,
        "error": entry.error,
        "created_at_ms": millis(entry.created_at),
        "sent_at_ms": entry.sent_at.map(millis),
        "updated_at_ms": millis(entry.updated_at),
    })
}
