//! Reconciliation's input and its stream: `OrderList::parse` (what `epoint reconcile` reads)
//! accounts for every data line, as one order id or one reported line, whatever the file holds
//! (a property over arbitrary CSV-like text); and `reconcile_with` stops looking up a gateway
//! that refuses every connection, still yielding every order. The command itself is in
//! `cli/tests/cli_reconcile.rs`.

use epoint_az::{
    Client, Config, Delivery, Error,
    reconcile::{InputFormat, Lookup, Options, OrderList, StreamExt, reconcile_with},
};
use proptest::prelude::*;

fn ids(list: &OrderList) -> Vec<(usize, &str)> {
    list.orders
        .iter()
        .map(|o| (o.line, o.order_id.as_str()))
        .collect()
}

fn unreadable_lines(list: &OrderList) -> Vec<usize> {
    list.unreadable.iter().map(|u| u.line).collect()
}

#[test]
fn an_excel_csv_utf8_export_with_its_byte_order_mark_and_crlf() {
    let list = OrderList::parse(b"\xef\xbb\xbforder_id,amount\r\nbom-1,1.00\r\n").expect("read");
    assert_eq!(ids(&list), [(2, "bom-1")]);
    assert!(list.unreadable.is_empty(), "{:?}", list.unreadable);
    assert_eq!(
        list.format,
        InputFormat::Csv {
            delimiter: ',',
            column: 0,
            columns: 2
        }
    );

    // A plain list with a byte-order mark and CRLF: the first id is exactly `bom-1`.
    let plain = OrderList::parse(b"\xef\xbb\xbfbom-1\r\nbom-2\r\n").expect("read");
    assert_eq!(ids(&plain), [(1, "bom-1"), (2, "bom-2")]);
}

#[test]
fn an_unbalanced_quote_spoils_its_own_line_only() {
    let text = "order_id,amount\na-1,1.00\n\"broken,quote\na-2,2.00\n\"a,3\",3.00\na-4,4.00\n";
    let list = OrderList::parse(text.as_bytes()).expect("read");
    assert_eq!(ids(&list), [(2, "a-1"), (4, "a-2"), (5, "a,3"), (6, "a-4")]);
    assert_eq!(unreadable_lines(&list), [3]);
    assert!(
        list.unreadable[0].reason.contains("unbalanced quote"),
        "{:?}",
        list.unreadable
    );
    assert_eq!(list.data_lines(), 5);
}

#[test]
fn empty_order_ids_and_wrong_field_counts_are_reported_with_their_line() {
    let text = "order_id,amount\n,7.00\n  ,1.00\nx-1,1,00\nx-2\nbad\u{7}id,1\nok,\"1,00\"\n\n";
    let list = OrderList::parse(text.as_bytes()).expect("read");
    assert_eq!(ids(&list), [(7, "ok")]);
    assert_eq!(unreadable_lines(&list), [2, 3, 4, 5, 6]);
    assert!(list.unreadable[0].reason.contains("empty"));
    assert!(
        list.unreadable[2]
            .reason
            .contains("3 field(s), the header has 2"),
        "a stray comma never shifts the amount into order_id: {:?}",
        list.unreadable[2]
    );

    let long = format!("{}\nok\n", "y".repeat(256));
    let list = OrderList::parse(long.as_bytes()).expect("read");
    assert_eq!(unreadable_lines(&list), [1]);
    assert_eq!(ids(&list), [(2, "ok")]);
}

#[test]
fn semicolon_and_tab_separated_exports_and_quoted_headers() {
    let list = OrderList::parse("amount;Order_ID\n1,50;s-1\n".as_bytes()).expect("read");
    assert_eq!(ids(&list), [(2, "s-1")]);
    let list = OrderList::parse(b"order_id\tamount\nt-1\t1.00\n").expect("read");
    assert_eq!(ids(&list), [(2, "t-1")]);
    let list = OrderList::parse(b"\"order_id\";\"amount\"\n\"q;1\";\"2\"\n").expect("read");
    assert_eq!(ids(&list), [(2, "q;1")]);
    // A header of one column.
    let list = OrderList::parse(b"\n\norder_id\nx-1\n").expect("read");
    assert_eq!(ids(&list), [(4, "x-1")]);
}

#[test]
fn an_unknown_header_is_refused_never_looked_up() {
    for (text, line) in [
        ("id,amount\nx-1,1.00\n", 1),
        ("\n\nname;amount\nx-1;1\n", 3),
        ("\"order\"\nx-1\n", 1),
        ("orders\nx-1\n", 1),
        ("Order ID\nx-1\n", 1),
        ("order_id,ORDER_ID\nx-1,x-1\n", 1),
    ] {
        let refused = OrderList::parse(text.as_bytes()).expect_err(text);
        assert_eq!(refused.line, line, "{text:?}: {refused}");
        assert!(
            refused.to_string().contains("order_id"),
            "the sentence names the column it wants: {refused}"
        );
    }
}

#[test]
fn text_that_is_not_utf8_is_refused_as_a_whole() {
    let utf16 = OrderList::parse(b"\xff\xfeo\0r\0").expect_err("UTF-16");
    assert!(utf16.reason.contains("UTF-16"), "{utf16}");
    let latin1 = OrderList::parse(b"a-1\nb-\xe92\n").expect_err("Latin-1");
    assert_eq!(latin1.line, 2);
    assert!(latin1.reason.contains("not UTF-8"), "{latin1}");
}

#[test]
fn an_empty_input_has_no_data_lines() {
    for text in ["", "\n", "\r\n  \r\n", "\u{feff}"] {
        let list = OrderList::parse(text.as_bytes()).expect(text);
        assert_eq!(list.data_lines(), 0, "{text:?}");
    }
    let header_only = OrderList::parse(b"order_id,amount\r\n").expect("read");
    assert_eq!(header_only.data_lines(), 0);
}

/// Pieces of CSV-like lines: ids, separators, quotes, spaces, a byte-order mark, a lone CR,
/// non-ASCII text.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9-]{1,6}",
        2 => Just(",".to_owned()),
        1 => Just(";".to_owned()),
        1 => Just("\t".to_owned()),
        2 => Just("\"".to_owned()),
        1 => Just("\"\"".to_owned()),
        1 => Just(" ".to_owned()),
        1 => Just("\r".to_owned()),
        1 => Just("\u{feff}".to_owned()),
        1 => Just("sifariş".to_owned()),
        1 => Just("order_id".to_owned()),
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        1 => Just("  ".to_owned()),
        8 => prop::collection::vec(piece(), 0..8).prop_map(|p| p.concat()),
    ]
}

fn input() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop_oneof![
            Just(None),
            Just(Some("order_id")),
            Just(Some("order_id,amount")),
            Just(Some("amount;order_id;note")),
            Just(Some("\"order_id\"\t\"amount\"")),
            Just(Some("name,amount")),
        ],
        prop::collection::vec((line(), any::<bool>()), 0..12),
        any::<bool>(),
    )
        .prop_map(|(bom, header, lines, last_newline)| {
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            if let Some(header) = header {
                text.push_str(header);
                text.push_str("\r\n");
            }
            let count = lines.len();
            for (i, (line, crlf)) in lines.into_iter().enumerate() {
                text.push_str(&line);
                if i + 1 < count || last_newline {
                    text.push_str(if crlf { "\r\n" } else { "\n" });
                }
            }
            text
        })
}

/// The non-blank lines' numbers, counted without the parser: after a leading byte-order
/// mark, lines split at LF, a CR before the LF dropped.
fn non_blank_lines(text: &str) -> Vec<(usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Every data line is exactly one order id or one reported line: rows + reported lines =
    /// data lines, each line number once, in file order; a refusal names the first line.
    #[test]
    fn every_data_line_is_one_order_or_one_reported_line(text in input()) {
        let lines = non_blank_lines(&text);
        match OrderList::parse(text.as_bytes()) {
            Ok(list) => {
                let data: Vec<usize> = match list.format {
                    InputFormat::Csv { .. } => lines.iter().skip(1).map(|(n, _)| *n).collect(),
                    _ => lines.iter().map(|(n, _)| *n).collect(),
                };
                prop_assert_eq!(list.orders.len() + list.unreadable.len(), data.len());
                prop_assert_eq!(list.data_lines(), data.len());
                let mut seen: Vec<usize> = list
                    .orders
                    .iter()
                    .map(|o| o.line)
                    .chain(list.unreadable.iter().map(|u| u.line))
                    .collect();
                seen.sort_unstable();
                prop_assert_eq!(&seen, &data, "each data line accounted for once");
                for order in &list.orders {
                    prop_assert!(!order.order_id.is_empty());
                    prop_assert_eq!(order.order_id.trim(), order.order_id.as_str());
                    prop_assert!(!order.order_id.chars().any(char::is_control));
                }
                // Each record is read on its own: the header and that line alone give the
                // same answer, so no line can swallow or shift the ones after it.
                if let InputFormat::Csv { .. } = list.format {
                    let header = lines[0].1;
                    for (number, line) in lines.iter().skip(1) {
                        let alone = OrderList::parse(format!("{header}\r\n{line}\r\n").as_bytes())
                            .expect("the same header is read the same way");
                        let expected = list
                            .orders
                            .iter()
                            .find(|o| o.line == *number)
                            .map(|o| o.order_id.clone());
                        prop_assert_eq!(alone.order_ids().first().cloned(), expected);
                        prop_assert_eq!(alone.data_lines(), 1);
                    }
                }
            }
            Err(refused) => {
                prop_assert_eq!(Some(refused.line), lines.first().map(|(n, _)| *n));
                prop_assert!(refused.reason.contains("order_id"), "{}", refused);
            }
        }
    }
}

/// A loopback port with nothing listening: every connection is refused (not sent).
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    url
}

/// Against a gateway that refuses every connection, the stream stops looking up after the
/// threshold and still yields every order, in input order: the first `after` as not-sent
/// failures, those already under way as what they found, the rest `Unreachable`.
#[tokio::test]
async fn a_dead_gateway_stops_the_lookups_and_every_order_is_still_yielded() {
    let client = Client::new(
        Config::new("i000000001", "sandbox_private_key_0000000001")
            .base_url(closed_port_url())
            .status_retries(0),
    )
    .expect("client");
    let ids: Vec<String> = (0..40).map(|i| format!("dead-{i}")).collect();
    for concurrency in [1, 4] {
        let options = Options::default()
            .concurrency(concurrency)
            .unreachable_after(10);
        let rows: Vec<_> = reconcile_with(&client, ids.clone(), options)
            .collect()
            .await;
        assert_eq!(
            rows.iter().map(|r| r.order_id.clone()).collect::<Vec<_>>(),
            ids,
            "every order, in input order"
        );
        let looked_up = rows
            .iter()
            .take_while(|r| {
                matches!(
                    &r.lookup,
                    Lookup::Failed(Error::Transport {
                        delivery: Delivery::NotSent,
                        ..
                    })
                )
            })
            .count();
        assert!(
            (10..10 + concurrency).contains(&looked_up),
            "stops after 10 in a row (plus those under way): {looked_up}"
        );
        for row in &rows[looked_up..] {
            assert!(
                matches!(row.lookup, Lookup::Unreachable { after: 10 }),
                "{}: {:?}",
                row.order_id,
                row.lookup
            );
            assert!(!row.lookup.is_answered());
        }
    }

    // `0` never stops: every order is tried.
    let rows: Vec<_> = reconcile_with(
        &client,
        ids.clone(),
        Options::default().concurrency(8).unreachable_after(0),
    )
    .collect()
    .await;
    assert!(rows.iter().all(|r| r.lookup.is_not_sent()));
}

/// Answered lookups never stop the run; an invalid id (nothing sent) neither counts nor
/// resets the run of not-sent failures.
#[tokio::test]
async fn answers_never_stop_the_run_and_invalid_ids_do_not_break_it() {
    use epoint_az::OperationId;
    use epoint_az_sandbox::Sandbox;

    let sandbox = Sandbox::start().await.expect("sandbox");
    let base = sandbox.base_url().to_owned();
    let dead = closed_port_url();
    let keys = epoint_az_sandbox::SEEDED_MERCHANTS[0];
    let live =
        Client::new(Config::new(keys.0, keys.1).base_url(base).status_retries(0)).expect("client");
    let down =
        Client::new(Config::new(keys.0, keys.1).base_url(dead).status_retries(0)).expect("client");

    // Through the live gateway: never stops, whatever the threshold.
    let ids: Vec<String> = (0..6).map(|i| format!("live-{i}")).collect();
    let rows: Vec<_> = reconcile_with(&live, ids, Options::default().unreachable_after(1))
        .collect()
        .await;
    assert!(rows.iter().all(|r| r.lookup.is_answered()));
    assert_eq!(sandbox.request_count(OperationId::GetStatus), 6);

    // Invalid ids between not-sent failures do not break the run: 3 failures, 2 invalid,
    // then stopped at the threshold of 3.
    let ids: Vec<String> = ["d-1", "d-2", "", "d-3", "bad\nid", "d-4", "d-5"]
        .map(String::from)
        .to_vec();
    let rows: Vec<_> = reconcile_with(
        &down,
        ids,
        Options::default().concurrency(1).unreachable_after(3),
    )
    .collect()
    .await;
    let kinds: Vec<&str> = rows
        .iter()
        .map(|r| match &r.lookup {
            l if l.is_not_sent() => "not_sent",
            Lookup::Failed(Error::InvalidInput { .. }) => "invalid",
            Lookup::Unreachable { .. } => "unreachable",
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "not_sent",
            "not_sent",
            "invalid",
            "not_sent",
            "unreachable",
            "unreachable",
            "unreachable"
        ]
    );
}
