//! `epoint reconcile [FILE|-]`: looks orders up by `order_id` (the library's
//! `epoint_az::reconcile` stream) and writes one CSV row (or JSON line) per order.

use std::io::{self, IsTerminal, Read};

use epoint_az::{
    Client,
    reconcile::{Lookup, Reconciled, StreamExt, reconcile},
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};

use crate::exit;

/// The columns, `order_id` first.
const COLUMNS: [&str; 6] = [
    "order_id",
    "transaction",
    "status",
    "amount",
    "code",
    "message",
];

/// The order ids of the input, and the lines that could not be read (line number, why).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Orders {
    pub(crate) ids: Vec<String>,
    pub(crate) malformed: Vec<(usize, String)>,
}

/// Reads order ids: one per line, or a CSV whose header has an `order_id` column. Blank lines
/// are skipped; a line that holds no usable order id is reported with its number.
pub(crate) fn parse(text: &str) -> Orders {
    let mut orders = Orders::default();
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let is_csv = first.contains(',') && first.split(',').any(|c| c.trim() == "order_id");
    if is_csv {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let column = reader
            .headers()
            .ok()
            .and_then(|h| h.iter().position(|c| c.trim() == "order_id"));
        let Some(column) = column else {
            orders
                .malformed
                .push((1, "the header has no `order_id` column".into()));
            return orders;
        };
        for record in reader.records() {
            match record {
                Ok(record) => {
                    let line = record.position().map_or(0, |p| p.line() as usize);
                    match record.get(column).map(str::trim) {
                        Some(id) => push(&mut orders, line, id),
                        None => orders.malformed.push((line, "no `order_id` field".into())),
                    }
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    orders.malformed.push((line, e.to_string()));
                }
            }
        }
    } else {
        for (index, line) in text.lines().enumerate() {
            let id = line.trim();
            if !id.is_empty() {
                push(&mut orders, index + 1, id);
            }
        }
    }
    orders
}

fn push(orders: &mut Orders, line: usize, id: &str) {
    if id.is_empty() {
        return;
    }
    match epoint_az::generated::types::OrderId::try_from(id) {
        Ok(_) if !id.chars().any(char::is_control) => orders.ids.push(id.to_owned()),
        Ok(_) => orders
            .malformed
            .push((line, format!("{id:?} contains a control character"))),
        Err(e) => orders.malformed.push((line, format!("{id:?}: {e}"))),
    }
}

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
            "error".into(),
            String::new(),
            String::new(),
            e.to_string(),
        ],
        _ => [
            row.order_id.clone(),
            String::new(),
            "error".into(),
            String::new(),
            String::new(),
            "unknown lookup result".into(),
        ],
    }
}

/// Runs `epoint reconcile`; returns the exit code.
pub(crate) async fn run(client: &Client, input: &str, concurrency: usize, json_mode: bool) -> u8 {
    let text = match read(input) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("epoint: cannot read {input}: {e}");
            return exit::USAGE;
        }
    };
    let orders = parse(&text);
    for (line, why) in &orders.malformed {
        eprintln!("epoint: {input}:{line}: skipped: {why}");
    }
    let bar = ProgressBar::with_draw_target(
        Some(orders.ids.len() as u64),
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
    let mut failed = 0usize;
    let mut rows = std::pin::pin!(reconcile(client, orders.ids, concurrency));
    while let Some(row) = rows.next().await {
        bar.inc(1);
        if !row.lookup.is_answered() {
            failed += 1;
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
    if failed > 0 || !orders.malformed.is_empty() {
        eprintln!(
            "epoint: {failed} lookup(s) failed, {} input line(s) skipped; look those up again",
            orders.malformed.len()
        );
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

fn read(input: &str) -> io::Result<String> {
    if input == "-" {
        let mut text = String::new();
        io::stdin().read_to_string(&mut text)?;
        Ok(text)
    } else {
        std::fs::read_to_string(input)
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn plain_lines_and_csv_with_an_order_id_column() {
        let plain = parse("a-1\n\n  b-2  \nbad\u{7}id\n");
        assert_eq!(plain.ids, ["a-1", "b-2"]);
        assert_eq!(plain.malformed.len(), 1);
        assert_eq!(plain.malformed[0].0, 4);

        let csv = parse("amount,order_id\n10.00,x-1\n\"5,00\",\"x,2\"\n1.00\n");
        assert_eq!(csv.ids, ["x-1", "x,2"]);
        assert_eq!(csv.malformed.len(), 1, "{:?}", csv.malformed);
        assert_eq!(csv.malformed[0].0, 4, "{:?}", csv.malformed);

        let long = "y".repeat(256);
        assert_eq!(parse(&long).malformed.len(), 1);
    }
}
