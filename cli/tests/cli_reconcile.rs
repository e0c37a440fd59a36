//! `epoint reconcile`, run as the real binary against the embedded sandbox (or a closed
//! loopback port): a spreadsheet's byte-order mark, a broken line among good ones, a declined
//! payment told apart from a failed lookup, an unknown header refused, and a dead gateway
//! given up on with every row still reported. The parser and the stream are tested in
//! `tests/client/reconcile.rs`.

use std::{
    io::Write,
    path::PathBuf,
    process::{Command, Stdio},
};

use epoint_az::{OperationId, dec};
use epoint_az_sandbox::{Fault, Outcome, SEEDED_MERCHANTS, Sandbox};
use serde_json::Value;

const PUBLIC: &str = SEEDED_MERCHANTS[0].0;
const PRIVATE: &str = SEEDED_MERCHANTS[0].1;
const HEADER: &str = "order_id,transaction,status,amount,code,message";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `epoint reconcile ARGS --base-url BASE` with `input` on standard input.
async fn reconcile(base_url: &str, args: &[&str], input: &[u8]) -> Run {
    let mut all: Vec<String> = vec!["reconcile".into()];
    all.extend(args.iter().map(|s| (*s).to_owned()));
    all.extend(["--base-url".to_owned(), base_url.to_owned()]);
    let input = input.to_vec();
    let out = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_epoint"))
            .args(&all)
            .env_remove("EPOINT_BASE_URL")
            .env_remove("EPOINT_INTERFACE_LANG")
            .env("EPOINT_PUBLIC_KEY", PUBLIC)
            .env("EPOINT_PRIVATE_KEY", PRIVATE)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn epoint");
        let mut stdin = child.stdin.take().expect("stdin");
        // The command may refuse the input before reading all of it.
        let _ = stdin.write_all(&input);
        drop(stdin);
        child.wait_with_output().expect("wait")
    })
    .await
    .expect("join");
    let run = Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stdout.contains(PRIVATE) && !run.stderr.contains(PRIVATE),
        "the private key is never printed"
    );
    run
}

/// A file in the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, bytes: &[u8]) -> Self {
        let path = std::env::temp_dir().join(format!(
            "epoint-cli-reconcile-{}-{name}",
            std::process::id()
        ));
        std::fs::write(&path, bytes).expect("write the input file");
        Self(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("UTF-8 path")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A payment page for `order_id`, left `new`; its transaction id.
async fn pay(sandbox: &Sandbox, order_id: &str) -> String {
    let client = sandbox.client().expect("client");
    client
        .pay(dec!(1.00), order_id)
        .await
        .expect("pay")
        .transaction
}

#[tokio::test]
async fn an_excel_csv_utf8_file_with_a_byte_order_mark_finds_the_order() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let transaction = pay(&sandbox, "bom-1").await;
    let file = TempFile::new("bom.csv", b"\xef\xbb\xbforder_id,amount\r\nbom-1,1.00\r\n");

    let run = reconcile(sandbox.base_url(), &[file.path()], b"").await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        [HEADER, &format!("bom-1,{transaction},new,1.00,,")],
        "exactly `bom-1` looked up, the header not: {}",
        run.stdout
    );
    assert_eq!(
        sandbox.request_count(OperationId::GetStatus),
        1,
        "one lookup: the header is not an order"
    );
    assert!(
        run.stderr
            .contains("1 data line(s): 1 found, 0 not_found, 0 lookup_failed, 0 line(s) not read"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn an_unbalanced_quote_or_an_empty_id_is_reported_and_every_other_line_answered() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let a1 = pay(&sandbox, "a-1").await;
    let a4 = pay(&sandbox, "a-4").await;
    let text = "order_id,amount\na-1,1.00\n\"broken,quote\na-2,2.00\na-3,3.00\na-4,4.00\n";
    let file = TempFile::new("quote.csv", text.as_bytes());

    let run = reconcile(sandbox.base_url(), &[file.path()], b"").await;
    assert_eq!(run.code, 7, "a reported line makes the run incomplete");
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        [
            HEADER,
            &format!("a-1,{a1},new,1.00,,"),
            "a-2,,not_found,,,Order not found",
            "a-3,,not_found,,,Order not found",
            &format!("a-4,{a4},new,1.00,,"),
        ],
        "{}",
        run.stdout
    );
    let reported: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("not looked up"))
        .collect();
    assert_eq!(reported.len(), 1, "{}", run.stderr);
    assert!(
        reported[0].starts_with(&format!(
            "epoint: {}:3: not looked up: unbalanced quote",
            file.path()
        )),
        "the broken line is named: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("5 data line(s): 2 found, 2 not_found, 0 lookup_failed, 1 line(s) not read"),
        "{}",
        run.stderr
    );

    // An empty order id is reported, never dropped; the JSON lines say the same.
    let run = reconcile(
        sandbox.base_url(),
        &["--json"],
        b"order_id,amount\r\n,7.00\r\na-1,1.00\r\n",
    )
    .await;
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("<stdin>:2: not looked up: the order id is empty"),
        "{}",
        run.stderr
    );
    let rows: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(rows.len(), 1, "{}", run.stdout);
    assert_eq!(rows[0]["order_id"], "a-1");
    assert!(run.stderr.contains("2 data line(s)"), "{}", run.stderr);
}

#[tokio::test]
async fn a_header_without_order_id_is_refused_and_nothing_is_looked_up() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    for input in [
        &b"id,amount\nx-1,1.00\n"[..],
        b"\xef\xbb\xbfname;amount\r\nx-1;1\r\n",
        b"orders\nx-1\n",
    ] {
        let run = reconcile(sandbox.base_url(), &[], input).await;
        assert_eq!(run.code, 64, "{}", run.stderr);
        assert_eq!(run.stdout, "", "no CSV at all");
        assert!(
            run.stderr.contains("<stdin>:1:")
                && run.stderr.contains("`order_id`")
                && run.stderr.contains("nothing was looked up"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(sandbox.request_count(OperationId::GetStatus), 0);
}

#[tokio::test]
async fn a_declined_payment_and_a_failed_lookup_get_different_statuses() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let transaction = pay(&sandbox, "dec-1").await;
    sandbox
        .complete(&transaction, Outcome::Declined("116".into()))
        .await
        .expect("decline");

    let declined = reconcile(sandbox.base_url(), &["--json"], b"dec-1\n").await;
    assert_eq!(declined.code, 0, "EPoint answered: {}", declined.stderr);
    let row: Value = serde_json::from_str(declined.stdout.trim()).expect("one JSON line");
    assert_eq!(row["status"], "error", "EPoint's status, as it sent it");
    assert_eq!(row["code"], "116");
    assert_eq!(row["transaction"], transaction.as_str());

    sandbox.inject(
        OperationId::GetStatus,
        Fault::HttpStatus {
            status: 502,
            body: "Bad Gateway".into(),
        },
    );
    let failed = reconcile(sandbox.base_url(), &["--json"], b"dec-1\n").await;
    assert_eq!(failed.code, 7, "{}", failed.stderr);
    let row: Value = serde_json::from_str(failed.stdout.trim()).expect("one JSON line");
    assert_eq!(row["status"], "lookup_failed");
    assert_ne!(row["status"], "error");
    assert!(
        row["message"]
            .as_str()
            .is_some_and(|m| m.contains("HTTP 502")),
        "the message says why: {row}"
    );

    let csv = reconcile(sandbox.base_url(), &[], b"dec-1\n").await;
    assert_eq!(csv.code, 7);
    assert!(
        csv.stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("dec-1,,lookup_failed,,,")),
        "{}",
        csv.stdout
    );
    assert!(
        csv.stderr
            .contains("1 data line(s): 0 found, 0 not_found, 1 lookup_failed, 0 line(s) not read"),
        "{}",
        csv.stderr
    );
}

/// 30 orders against a closed port: the lookups stop after 20 in a row could not connect,
/// stderr says why, and all 30 still have their row.
#[tokio::test]
async fn a_dead_gateway_is_given_up_on_and_every_row_is_still_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener); // nothing listens there now: every connection is refused
    let ids: Vec<String> = (1..=30).map(|i| format!("dead-{i}")).collect();
    let input = ids.join("\n") + "\n";

    let run = reconcile(&url, &[], input.as_bytes()).await;
    assert_eq!(run.code, 7, "{}", run.stderr);
    let rows: Vec<&str> = run.stdout.lines().skip(1).collect();
    assert_eq!(
        rows.iter()
            .map(|r| r.split(',').next().unwrap_or_default())
            .collect::<Vec<_>>(),
        ids,
        "every order has its row, in input order"
    );
    assert!(
        rows.iter().all(|r| r.contains(",lookup_failed,")),
        "{}",
        run.stdout
    );
    let not_made = rows
        .iter()
        .filter(|r| r.contains("not looked up: EPoint unreachable"))
        .count();
    // 20 in a row, and at most the 3 others already under way at concurrency 4.
    assert!((7..=10).contains(&not_made), "{not_made}: {}", run.stdout);
    assert!(
        rows[..20].iter().all(|r| !r.contains("not looked up")),
        "the first 20 were tried: {}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("EPoint looks unreachable: 20 lookups in a row could not connect"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "30 data line(s): 0 found, 0 not_found, 30 lookup_failed ({not_made} of them not looked up: EPoint unreachable)"
        )),
        "{}",
        run.stderr
    );
}
