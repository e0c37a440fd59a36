//! Reading the order ids to reconcile from a file: a plain list, or a spreadsheet's CSV export.
//!
//! The accepted input is described on [`OrderList`].

use crate::generated::types::OrderId;

/// The order ids read from a file by [`OrderList::parse`]: every data line is exactly one of
/// `orders` or `unreadable`, each with its line number.
///
/// The accepted input, exactly:
///
/// - UTF-8 text. A byte-order mark at the start (Excel's "CSV UTF-8" writes one) is ignored.
///   UTF-16 or any other non-UTF-8 text is refused as a whole.
/// - Lines end with LF or CRLF. A blank line (nothing but whitespace) is not a data line and is
///   ignored; every other line is a **data line**, except the header.
/// - The first non-blank line decides the format:
///   - **CSV**: it is a header with a column named `order_id` (any letter case, spaces around it
///     ignored), the fields separated by commas, semicolons (Excel in locales with a decimal
///     comma) or tabs, tried in that order. Every data line is one record (no record spans two
///     lines); a field may be quoted (`"a,b"`, `"say ""hi"""`), a quote inside an unquoted
///     field is kept as it is, spaces around a field are ignored; each record must have as many
///     fields as the header, so that a stray separator can never shift another column into
///     `order_id`.
///   - **Refused**: it holds a comma, semicolon, tab or double quote but no `order_id` column
///     (or two), or it is one of the column names `id`, `ids`, `order`, `orders`, `orderid`,
///     `order id`, `order-id`, `order_ids`, `order ids`, `order_no`, `order number`,
///     `transaction` alone (any letter case): a header this reader does not know, never looked
///     up as an order id.
///   - **Plain list**: otherwise every data line, the first included, is one order id (spaces
///     around it ignored).
/// - A data line that holds no usable order id (an unbalanced quote, the wrong number of
///   fields, an empty `order_id`, an id with a control character or longer than EPoint's
///   limit) is an [`UnreadableLine`] naming
///   its line; the lines around it are read as if it were not there.
///
/// So every data line is exactly one [`OrderLine`] or one [`UnreadableLine`].
///
/// ```
/// use epoint_az::reconcile::OrderList;
/// let list = OrderList::parse(b"\xef\xbb\xbforder_id,amount\r\nbom-1,1.00\r\n,7.00\r\n").unwrap();
/// assert_eq!(list.order_ids(), ["bom-1"]);
/// assert_eq!(list.unreadable[0].line, 3);
/// assert_eq!(list.data_lines(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderList {
    /// The order ids, in file order.
    pub orders: Vec<OrderLine>,
    /// The data lines that hold no usable order id, in file order.
    pub unreadable: Vec<UnreadableLine>,
    /// How the file was read.
    pub format: InputFormat,
}

/// One order id and the line it was read from.
///
/// ```
/// let list = epoint_az::reconcile::OrderList::parse(b"a-1\n\nb-2\n").unwrap();
/// assert_eq!((list.orders[1].line, list.orders[1].order_id.as_str()), (3, "b-2"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderLine {
    /// The line number, from 1.
    pub line: usize,
    /// The order id, without surrounding spaces or quotes.
    pub order_id: String,
}

/// A data line without a usable order id: why, and where.
///
/// ```
/// let list = epoint_az::reconcile::OrderList::parse(b"order_id\n\"broken\nok\n").unwrap();
/// assert_eq!(list.unreadable[0].line, 2);
/// assert!(list.unreadable[0].reason.contains("unbalanced quote"));
/// assert_eq!(list.order_ids(), ["ok"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnreadableLine {
    /// The line number, from 1.
    pub line: usize,
    /// Why no order id could be read from it.
    pub reason: String,
}

/// How [`OrderList::parse`] read the file.
///
/// ```
/// use epoint_az::reconcile::{InputFormat, OrderList};
/// let list = OrderList::parse(b"amount;order_id\n1,50;x-1\n").unwrap();
/// assert_eq!(list.format, InputFormat::Csv { delimiter: ';', column: 1, columns: 2 });
/// assert_eq!(OrderList::parse(b"x-1\n").unwrap().format, InputFormat::Lines);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputFormat {
    /// One order id per line.
    Lines,
    /// A CSV with a header.
    Csv {
        /// The field separator: `,`, `;` or a tab.
        delimiter: char,
        /// The `order_id` column, from 0.
        column: usize,
        /// How many fields the header (and so every record) has.
        columns: usize,
    },
}

/// The input as a whole is refused: nothing in it should be looked up.
///
/// ```
/// let refused = epoint_az::reconcile::OrderList::parse(b"id,amount\nx-1,1.00\n").unwrap_err();
/// assert_eq!(refused.line, 1);
/// assert!(refused.to_string().contains("no `order_id` column"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
#[non_exhaustive]
pub struct InputRefused {
    /// The line at fault, from 1.
    pub line: usize,
    /// Why, in a sentence that says what to do.
    pub reason: String,
}

/// The separators a CSV header may use, in the order they are tried.
const DELIMITERS: [char; 3] = [',', ';', '\t'];

/// First lines that name a column rather than hold an order id: refused, not looked up.
const COLUMN_NAMES: [&str; 12] = [
    "id",
    "ids",
    "order",
    "orders",
    "orderid",
    "order id",
    "order-id",
    "order_ids",
    "order ids",
    "order_no",
    "order number",
    "transaction",
];

impl OrderList {
    /// Reads order ids from a file's bytes, as described on [`OrderList`]:
    /// a plain list, or a CSV with an `order_id` column. An unknown header or text that is not
    /// UTF-8 is refused as a whole; a bad data line is reported in
    /// [`unreadable`](Self::unreadable) and the others are still read.
    ///
    /// ```
    /// use epoint_az::reconcile::OrderList;
    /// let text = b"order_id,amount\na-1,1.00\n\"broken,quote\na-2,2.00\n";
    /// let list = OrderList::parse(text).unwrap();
    /// assert_eq!(list.order_ids(), ["a-1", "a-2"]);
    /// assert_eq!(list.unreadable[0].line, 3);
    /// assert!(OrderList::parse(b"name,amount\nx,1\n").is_err());
    /// ```
    pub fn parse(input: &[u8]) -> Result<Self, InputRefused> {
        if input.starts_with(&[0xFF, 0xFE]) || input.starts_with(&[0xFE, 0xFF]) {
            return Err(refused(
                1,
                "the text is UTF-16 (Excel's \"Unicode Text\"); save it as \"CSV UTF-8\" or plain UTF-8 text",
            ));
        }
        let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
        let text = std::str::from_utf8(input).map_err(|e| {
            let line = 1 + input[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            refused(
                line,
                "the text is not UTF-8; save it as \"CSV UTF-8\" or plain UTF-8 text",
            )
        })?;
        let mut lines = text
            .split('\n')
            .enumerate()
            .map(|(index, line)| (index + 1, line.strip_suffix('\r').unwrap_or(line)))
            .filter(|(_, line)| !line.trim().is_empty());
        let mut list = Self {
            orders: Vec::new(),
            unreadable: Vec::new(),
            format: InputFormat::Lines,
        };
        let Some((first_number, first)) = lines.next() else {
            return Ok(list);
        };
        if let Some(format) = header(first_number, first)? {
            list.format = format;
            for (number, line) in lines {
                list.push_record(number, line);
            }
        } else {
            for (number, line) in std::iter::once((first_number, first)).chain(lines) {
                list.push_id(number, line.trim());
            }
        }
        Ok(list)
    }

    /// The order ids, in file order (what [`super::reconcile`] takes).
    ///
    /// ```
    /// let list = epoint_az::reconcile::OrderList::parse(b"a-1\nb-2\n").unwrap();
    /// assert_eq!(list.order_ids(), ["a-1", "b-2"]);
    /// ```
    pub fn order_ids(&self) -> Vec<String> {
        self.orders.iter().map(|o| o.order_id.clone()).collect()
    }

    /// How many data lines the file has: `orders` plus `unreadable`.
    ///
    /// ```
    /// let list = epoint_az::reconcile::OrderList::parse(b"order_id\n\nx-1\n,\n").unwrap();
    /// assert_eq!(list.data_lines(), 2);
    /// ```
    pub fn data_lines(&self) -> usize {
        self.orders.len() + self.unreadable.len()
    }

    fn push_record(&mut self, number: usize, line: &str) {
        let InputFormat::Csv {
            delimiter,
            column,
            columns,
        } = self.format
        else {
            return self.push_id(number, line.trim());
        };
        match split_record(line, delimiter) {
            Err(reason) => self.report(number, reason),
            Ok(fields) if fields.len() != columns => self.report(
                number,
                format!(
                    "{} field(s), the header has {columns} (a separator inside a value must be quoted)",
                    fields.len()
                ),
            ),
            Ok(fields) => self.push_id(number, fields[column].trim()),
        }
    }

    fn push_id(&mut self, number: usize, id: &str) {
        if id.is_empty() {
            return self.report(number, "the order id is empty".into());
        }
        if id.chars().any(char::is_control) {
            return self.report(number, format!("{id:?} contains a control character"));
        }
        match OrderId::try_from(id) {
            Ok(_) => self.orders.push(OrderLine {
                line: number,
                order_id: id.to_owned(),
            }),
            Err(e) => self.report(number, format!("{id:?} is not a valid order id: {e}")),
        }
    }

    fn report(&mut self, line: usize, reason: String) {
        self.unreadable.push(UnreadableLine { line, reason });
    }
}

fn refused(line: usize, reason: &str) -> InputRefused {
    InputRefused {
        line,
        reason: reason.to_owned(),
    }
}

/// The format the first non-blank line announces: a CSV header with an `order_id` column,
/// `None` for a plain list, or refused.
fn header(number: usize, line: &str) -> Result<Option<InputFormat>, InputRefused> {
    for delimiter in DELIMITERS {
        let Ok(fields) = split_record(line, delimiter) else {
            continue;
        };
        let mut named = fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.trim().eq_ignore_ascii_case("order_id"));
        if let Some((column, _)) = named.next() {
            if named.next().is_some() {
                return Err(refused(
                    number,
                    "the header has two `order_id` columns; keep one",
                ));
            }
            return Ok(Some(InputFormat::Csv {
                delimiter,
                column,
                columns: fields.len(),
            }));
        }
    }
    let shown: String = line.chars().take(80).collect();
    if line.contains([',', ';', '\t', '"']) {
        return Err(InputRefused {
            line: number,
            reason: format!(
                "{shown:?} looks like a CSV header but has no `order_id` column; name the column of order ids `order_id`, or give one order id per line"
            ),
        });
    }
    if COLUMN_NAMES.contains(&line.trim().to_lowercase().as_str()) {
        return Err(InputRefused {
            line: number,
            reason: format!(
                "{shown:?} is a column name, not an order id; name the column `order_id`, or give one order id per line without a header"
            ),
        });
    }
    Ok(None)
}

/// Splits one line into fields (RFC 4180 quoting, within the line): a field that starts with
/// `"` (after spaces) runs to the next lone `"`, and `""` inside it is one quote; a quote
/// inside an unquoted field is kept as it is.
fn split_record(line: &str, delimiter: char) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = line.char_indices().peekable();
    loop {
        while chars.next_if(|&(_, c)| c == ' ').is_some() {}
        let mut field = String::new();
        if let Some((opened, _)) = chars.next_if(|&(_, c)| c == '"') {
            loop {
                match chars.next() {
                    None => {
                        return Err(format!(
                            "unbalanced quote: the quote at column {} is not closed on this line",
                            line[..opened].chars().count() + 1
                        ));
                    }
                    Some((_, '"')) if chars.next_if(|&(_, c)| c == '"').is_some() => {
                        field.push('"');
                    }
                    Some((_, '"')) => break,
                    Some((_, c)) => field.push(c),
                }
            }
            while chars.next_if(|&(_, c)| c == ' ').is_some() {}
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some((_, c)) if c == delimiter => fields.push(field),
                Some((at, _)) => {
                    return Err(format!(
                        "text after a closing quote at column {}",
                        line[..at].chars().count() + 1
                    ));
                }
            }
        } else {
            loop {
                match chars.next() {
                    None => {
                        fields.push(field);
                        return Ok(fields);
                    }
                    Some((_, c)) if c == delimiter => break,
                    Some((_, c)) => field.push(c),
                }
            }
            fields.push(field);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_record;

    #[test]
    fn records_split_with_quotes_inside_one_line() {
        assert_eq!(split_record("a,b", ','), Ok(vec!["a".into(), "b".into()]));
        assert_eq!(
            split_record(" \"x,2\" ,\"say \"\"hi\"\"\",", ','),
            Ok(vec!["x,2".into(), "say \"hi\"".into(), String::new()])
        );
        assert_eq!(
            split_record("a\"b,c", ','),
            Ok(vec!["a\"b".into(), "c".into()])
        );
        assert!(split_record("\"broken,quote", ',').is_err());
        assert!(split_record("\"a\"b,c", ',').is_err());
        assert_eq!(split_record("a\tb", '\t'), Ok(vec!["a".into(), "b".into()]));
    }
}
