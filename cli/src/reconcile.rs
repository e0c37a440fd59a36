//! `epoint reconcile [FILE|-]`: reads order ids (the library's `OrderList`: a plain list or a
//! CSV with an `order_id` column), looks them up (the library's `reconcile_with` stream) and
//! writes one CSV row (or JSON line) per order; every line it could not read is reported on
//! stderr with its number.

use std::io::{self, IsTerminal, Read};

use epoint_az::{
    Client,
    reconcile::{
        DEFAULT_UNREACHABLE_AFTER, Lookup, Options, OrderList, Reconciled, StreamExt,
        reconcile_with,
    },
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};

use crate::exit;

/// `epoint reconcile --help`, after the options: the input it reads, the status values, the
/// early stop and the exit codes.
pub(crate) const AFTER_HELP: &str = "\
Input: UTF-8 text (a byte-order mark, as Excel's \"CSV UTF-8\" writes, is ignored), LF or CRLF
line ends; blank lines are ignored. The first non-blank line decides:
  - a CSV header with an `order_id` column (any case), separated by commas, semicolons or
    tabs: every other line is one record, fields may be quoted (\"a,b\"), and each record
    must have as many fields as the header;
  - a line with a comma, semicolon, tab or quote but no `order_id` column, or a column name
    alone (`id`, `orders`, ...): refused, exit 64, nothing is looked up;
  - anything else: a plain list, one order id per line.
A line without a usable order id (unbalanced quote, wrong number of fields, empty or invalid
order id) is reported on stderr as FILE:LINE with the reason, and the other lines are still
looked up. `-` (the default) reads standard input.

The `status` column:
  new, success, error, returned, ...
                 EPoint's status of the order's latest transaction, as EPoint sent it
                 (`error`: the payment failed, e.g. the bank declined it; `code` says why)
  not_found      EPoint answered that it has no such order
  lookup_failed  no answer: the lookup failed (`message` says why) or was not made; the
                 order may be paid, look it up again
After 20 lookups in a row that could not connect to EPoint, the rest are not looked up: their
rows say `lookup_failed`, \"not looked up: EPoint unreachable\", and stderr says so.

Every data line gives one row, or one FILE:LINE report on stderr; stderr ends with the counts.
Exit 0 when every line was looked up and answered (found or not_found), 7 when some lookups
failed or lines were reported, 64 when the input is refused. A progress bar is drawn on a
terminal only.

Examples:
  epoint reconcile orders.txt > status.csv
  printf 'order-1\\norder-2\\n' | epoint reconcile -
  epoint reconcile export.csv --concurrency 8 --json";

/// The `status` of a row whose lookup got no answer (failed, or not made): never one of
/// EPoint's statuses.
const LOOKUP_FAILED: &str = "lookup_failed";

/// The columns, `order_id` first.
const COLUMNS: [&str; 6] = [
    "order_id",
    "transaction",
    "status",
    "amount",
    "code",
    "message",
];

/// One output row's fields, in [`COLUMNS`] order.
fn fields(row: &Reconciled) -> [String; 6] {
    match &row.lookup {
        Lookup::Found(state) => {
            let answer = &state.answer;
            [
                row.order_id.clone(),
                answer.transaction.clone().unwrap_or_default(),
                state.status.to_string(),
                answer.amount.map(|m| m.to_string()).unwrap_or_default(),
                answer.code.clone().unwrap_or_default(),
                answer.message.clone().unwrap_or_default(),
            ]
        }
        Lookup::NotFound { message } => [
            row.order_id.clone(),
            String::new(),
            "not_found".into(),
            String::new(),
            String::new(),
            message.clone(),
        ],
        Lookup::Failed(e) => [
            row.order_id.clone(),
            String::new(),
            LOOKUP_FAILED.into(),
            String::new(),
            String::new(),
            e.to_string(),
        ],
        Lookup::Unreachable { after } => [
            row.order_id.clone(),
            String::new(),
            LOOKUP_FAILED.into(),
            String::new(),
            String::new(),
            format!(
                "not looked up: EPoint unreachable ({after} lookups in a row could not connect)"
            ),
        ],
        other => [
            row.order_id.clone(),
            String::new(),
            LOOKUP_FAILED.into(),
            String::new(),
            String::new(),
            format!("unknown lookup result: {other:?}"),
        ],
    }
}

/// The counts for the summary on stderr; `found + not_found + failed + not_made` is the
/// number of orders read.
#[derive(Debug, Default)]
struct Counts {
    found: usize,
    not_found: usize,
    failed: usize,
    not_made: usize,
}

/// Runs `epoint reconcile`; returns the exit code.
pub(crate) async fn run(client: &Client, input: &str, concurrency: usize, json_mode: bool) -> u8 {
    let name = if input == "-" { "<stdin>" } else { input };
    let bytes = match read(input) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("epoint: cannot read {name}: {e}");
            return exit::USAGE;
        }
    };
    let orders = match OrderList::parse(&bytes) {
        Ok(orders) => orders,
        Err(refused) => {
            eprintln!(
                "epoint: {name}:{}: {}; nothing was looked up",
                refused.line, refused.reason
            );
            return exit::USAGE;
        }
    };
    for line in &orders.unreadable {
        eprintln!(
            "epoint: {name}:{}: not looked up: {}",
            line.line, line.reason
        );
    }
    let total = orders.orders.len();
    let bar = ProgressBar::with_draw_target(
        Some(total as u64),
        if io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} orders looked up {msg}") {
        bar.set_style(style);
    }
    if !json_mode {
        crate::output::bytes(&csv_line(&COLUMNS));
    }
    let mut counts = Counts::default();
    let mut last_not_sent: Option<String> = None;
    let options = Options::default()
        .concurrency(concurrency)
        .unreachable_after(DEFAULT_UNREACHABLE_AFTER);
    let mut rows = std::pin::pin!(reconcile_with(client, orders.order_ids(), options));
    let mut done = 0usize;
    while let Some(row) = rows.next().await {
        bar.inc(1);
        done += 1;
        match &row.lookup {
            Lookup::Found(_) => counts.found += 1,
            Lookup::NotFound { .. } => counts.not_found += 1,
            Lookup::Unreachable { after } => {
                if counts.not_made == 0 {
                    let remaining = total - done + 1;
                    let cause = last_not_sent.as_deref().unwrap_or("could not connect");
                    bar.suspend(|| {
                        eprintln!(
                            "epoint: EPoint looks unreachable: {after} lookups in a row could not connect (last: {cause}). \
The remaining {remaining} order(s) are not looked up; their rows say `{LOOKUP_FAILED}`. \
Check --base-url / EPOINT_BASE_URL and the network, then run again."
                        );
                    });
                }
                counts.not_made += 1;
            }
            lookup => {
                if let Lookup::Failed(e) = lookup
                    && lookup.is_not_sent()
                {
                    last_not_sent = Some(e.to_string());
                }
                counts.failed += 1;
            }
        }
        let values = fields(&row);
        match json_mode {
            false => bar.suspend(|| crate::output::bytes(&csv_line(&values))),
            true => {
                let object: serde_json::Map<String, Value> = COLUMNS
                    .iter()
                    .zip(values)
                    .map(|(k, v)| {
                        let v = if v.is_empty() { Value::Null } else { json!(v) };
                        ((*k).to_owned(), v)
                    })
                    .collect();
                bar.suspend(|| out!("{}", Value::Object(object)));
            }
        }
    }
    bar.finish_and_clear();
    let unreadable = orders.unreadable.len();
    let not_made = match counts.not_made {
        0 => String::new(),
        n => format!(" ({n} of them not looked up: EPoint unreachable)"),
    };
    eprintln!(
        "epoint: {} data line(s): {} found, {} not_found, {} {LOOKUP_FAILED}{not_made}, {unreadable} line(s) not read",
        orders.data_lines(),
        counts.found,
        counts.not_found,
        counts.failed + counts.not_made,
    );
    let mut todo = Vec::new();
    if counts.failed + counts.not_made > 0 {
        todo.push(format!("look the `{LOOKUP_FAILED}` orders up again"));
    }
    if unreadable > 0 {
        todo.push("correct the lines reported above and look them up".to_owned());
    }
    if !todo.is_empty() {
        eprintln!("epoint: incomplete: {}", todo.join("; "));
        exit::INCOMPLETE
    } else {
        exit::SUCCESS
    }
}

/// One CSV record, quoted where needed, with its line end.
fn csv_line<S: AsRef<[u8]>>(fields: &[S]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(fields);
    writer.into_inner().unwrap_or_default()
}

fn read(input: &str) -> io::Result<Vec<u8>> {
    if input == "-" {
        let mut bytes = Vec::new();
        io::stdin().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(input)
    }
}

#[cfg(test)]
mod tests {
    use super::{AFTER_HELP, DEFAULT_UNREACHABLE_AFTER, LOOKUP_FAILED};

    #[test]
    fn the_help_states_the_library_threshold_and_the_status_values() {
        assert!(AFTER_HELP.contains(&format!(
            "After {DEFAULT_UNREACHABLE_AFTER} lookups in a row that could not connect"
        )));
        assert!(AFTER_HELP.contains(&format!("  {LOOKUP_FAILED}  ")));
        assert!(AFTER_HELP.contains("  not_found  "));
    }
}
