//! `epoint … --journal URL` and `epoint journal list|resolve`, run as the real binary against
//! the embedded sandbox, on a SQLite file and (when `EPOINT_TEST_POSTGRES_URL` is set) on
//! PostgreSQL: an unknown outcome is recorded, listed and settled; two `pay` processes racing
//! for one order make one payment; a bad journal is refused before anything is sent.

use std::{
    io::Write,
    path::PathBuf,
    process::{Command, Output, Stdio},
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

use epoint_az::OperationId;
use epoint_az_sandbox::{Fault, SEEDED_MERCHANTS, Sandbox};
use sqlx::Connection;

const PUBLIC: &str = SEEDED_MERCHANTS[0].0;
const PRIVATE: &str = SEEDED_MERCHANTS[0].1;

/// A fresh journal database for one test: a SQLite file in its own directory, or a PostgreSQL
/// database named after the test, dropped and created anew.
struct Db {
    url: String,
    backend: &'static str,
    dir: Option<PathBuf>,
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl Db {
    fn sqlite(test: &str) -> Db {
        let dir = std::env::temp_dir().join(format!(
            "epoint-cli-journal-{}-{}-{test}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Db {
            url: format!("sqlite:{}", dir.join("shop.db").display()),
            backend: "sqlite",
            dir: Some(dir),
        }
    }

    /// A fresh database on the server at `EPOINT_TEST_POSTGRES_URL`, or `None` after a visible
    /// SKIPPED line (a failure when `EPOINT_REQUIRE_POSTGRES=1`).
    async fn postgres(test: &str) -> Option<Db> {
        let required =
            std::env::var("EPOINT_REQUIRE_POSTGRES").is_ok_and(|v| !v.is_empty() && v != "0");
        let skip = |why: String| {
            assert!(!required, "EPOINT_REQUIRE_POSTGRES is set but {why}");
            // Straight to the process's stderr: libtest captures `eprintln!`, not this.
            let _ = writeln!(
                std::io::stderr(),
                "\nSKIPPED {test} on PostgreSQL: {why} (`eval \"$(bash .ci/postgres.sh)\"` starts a server); \
                 EPOINT_REQUIRE_POSTGRES=1 turns this into a failure"
            );
            None
        };
        let admin_url = match std::env::var("EPOINT_TEST_POSTGRES_URL") {
            Ok(url) if !url.trim().is_empty() => url,
            _ => return skip("EPOINT_TEST_POSTGRES_URL is not set".to_owned()),
        };
        let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
            Ok(c) => c,
            Err(e) => {
                return skip(format!(
                    "the server at EPOINT_TEST_POSTGRES_URL is unreachable: {e}"
                ));
            }
        };
        let name = format!("epoint_cli_{test}");
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .expect("drop the test database");
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let _ = admin.close().await;
        Some(Db {
            url: with_database(&admin_url, &name),
            backend: "postgres",
            dir: None,
        })
    }

    /// The test's databases: SQLite always, PostgreSQL when a server is given.
    async fn all(test: &str) -> Vec<Db> {
        let mut dbs = vec![Db::sqlite(test)];
        dbs.extend(Db::postgres(test).await);
        dbs
    }
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{host_part}/{name}{query}")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn command(args: &[String]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_epoint"));
    cmd.args(args)
        .env_remove("EPOINT_BASE_URL")
        .env_remove("EPOINT_JOURNAL")
        .env("EPOINT_PUBLIC_KEY", PUBLIC)
        .env("EPOINT_PRIVATE_KEY", PRIVATE)
        .stdin(Stdio::null());
    cmd
}

fn finished(out: Output) -> Run {
    let run = Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stdout.contains(PRIVATE) && !run.stderr.contains(PRIVATE),
        "the private key is never printed: {run:?}"
    );
    run
}

/// Runs `epoint ARGS` to the end.
async fn epoint(args: &[&str]) -> Run {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    tokio::task::spawn_blocking(move || finished(command(&args).output().expect("run epoint")))
        .await
        .expect("join")
}

/// The CSV rows of `journal list` for `order_id` (header checked).
fn rows_for<'a>(run: &'a Run, order_id: &str) -> Vec<Vec<&'a str>> {
    let mut lines = run.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("order_id,operation,amount,state,transaction,status"),
        "{run:?}"
    );
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|row| row[0] == order_id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_payment_is_recorded_listed_and_resolved() {
    for db in Db::all("unknown_resolved").await {
        let sandbox = Sandbox::start().await.expect("sandbox");
        let base = sandbox.base_url().to_owned();
        let url = db.url.as_str();
        sandbox.inject(
            OperationId::PaymentRequest,
            Fault::Latency(Duration::from_secs(3)),
        );

        let pay = epoint(&[
            "pay",
            "12.00",
            "J1",
            "--timeout",
            "1",
            "--yes",
            "--journal",
            url,
            "--base-url",
            &base,
        ])
        .await;
        assert_eq!(pay.code, 4, "unknown outcome ({}): {pay:?}", db.backend);
        assert!(
            pay.stderr.contains("recorded as unknown")
                && pay.stderr.contains("epoint journal resolve"),
            "{pay:?}"
        );

        let list = epoint(&["journal", "list", "--journal", url]).await;
        assert_eq!(list.code, 0, "{list:?}");
        assert_eq!(
            rows_for(&list, "J1"),
            vec![vec!["J1", "payment_request", "12.00", "unknown", "", ""]],
            "{}: {list:?}",
            db.backend
        );
        let unresolved = epoint(&["journal", "list", "--unresolved", "--journal", url]).await;
        assert_eq!(rows_for(&unresolved, "J1").len(), 1, "{unresolved:?}");

        // The journal refuses a second payment for J1 while it is unknown: nothing is sent.
        let again = epoint(&[
            "pay",
            "12.00",
            "J1",
            "--yes",
            "--journal",
            url,
            "--base-url",
            &base,
        ])
        .await;
        assert_eq!(again.code, 9, "{again:?}");
        assert!(
            again
                .stderr
                .contains("already has a payment_request that is unknown")
                && again.stderr.contains("nothing was sent"),
            "{again:?}"
        );

        // Read-only lookups by order id until EPoint knows J1 (its request is still in the
        // sandbox's latency when resolve starts, or just done).
        let resolve = epoint(&["journal", "resolve", "--journal", url, "--base-url", &base]).await;
        assert_eq!(resolve.code, 0, "{resolve:?}");
        let settled = rows_for(&resolve, "J1");
        assert_eq!(settled.len(), 1, "{resolve:?}");
        let transaction = settled[0][4].to_owned();
        assert!(transaction.starts_with("te"), "{resolve:?}");
        assert_eq!(settled[0][3..], ["done", transaction.as_str(), "new"]);

        let list = epoint(&["journal", "list", "--journal", url]).await;
        assert_eq!(
            rows_for(&list, "J1"),
            vec![vec![
                "J1",
                "payment_request",
                "12.00",
                "done",
                transaction.as_str(),
                "new"
            ]],
            "{list:?}"
        );
        let json = epoint(&[
            "journal",
            "list",
            "--json",
            "--order-id",
            "J1",
            "--journal",
            url,
        ])
        .await;
        let entry: serde_json::Value =
            serde_json::from_str(json.stdout.trim()).expect("one JSON line");
        assert_eq!(entry["transaction"], transaction.as_str());
        assert_eq!(entry["state"], "done");
        assert_eq!(entry["amount"], "12.00");
        assert_eq!(entry["currency"], "AZN");

        // Nothing left to settle, and only the one payment ever reached the sandbox.
        let unresolved = epoint(&["journal", "list", "--unresolved", "--journal", url]).await;
        assert_eq!(
            unresolved.stdout.lines().count(),
            1,
            "header only: {unresolved:?}"
        );
        assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
        let payments = sandbox
            .transactions()
            .into_iter()
            .filter(|tx| tx.order_id == "J1")
            .count();
        assert_eq!(payments, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_pays_started_together_make_one_payment() {
    for db in Db::all("two_pays").await {
        let sandbox = Sandbox::start().await.expect("sandbox");
        // The first payment is still at the gateway when the second process writes its intent.
        sandbox.inject(
            OperationId::PaymentRequest,
            Fault::Latency(Duration::from_millis(500)),
        );
        let base = sandbox.base_url().to_owned();
        for round in 0..3 {
            let order_id = if round == 0 {
                "J2".to_owned()
            } else {
                format!("J2-{round}")
            };
            let args: Vec<String> = [
                "pay",
                "1.00",
                &order_id,
                "--yes",
                "--journal",
                &db.url,
                "--base-url",
                &base,
            ]
            .map(str::to_owned)
            .to_vec();
            let runs = tokio::task::spawn_blocking(move || {
                let children: Vec<_> = (0..2)
                    .map(|_| {
                        command(&args)
                            .stdout(Stdio::piped())
                            .stderr(Stdio::piped())
                            .spawn()
                            .expect("spawn epoint")
                    })
                    .collect();
                children
                    .into_iter()
                    .map(|c| finished(c.wait_with_output().expect("wait")))
                    .collect::<Vec<_>>()
            })
            .await
            .expect("join");
            let mut codes: Vec<i32> = runs.iter().map(|r| r.code).collect();
            codes.sort_unstable();
            assert_eq!(codes, [0, 9], "{}: {runs:?}", db.backend);
            let refused = runs.iter().find(|r| r.code == 9).expect("refused");
            assert!(refused.stderr.contains("nothing was sent"), "{refused:?}");
            let payments = sandbox
                .transactions()
                .into_iter()
                .filter(|tx| tx.order_id == order_id)
                .count();
            assert_eq!(payments, 1, "{order_id} on {}", db.backend);
            assert_eq!(
                sandbox.request_count(OperationId::PaymentRequest),
                round + 1
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_journal_is_refused_before_anything_is_sent() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let base = sandbox.base_url().to_owned();
    let pay = |journal: String| {
        let base = base.clone();
        async move {
            epoint(&[
                "pay",
                "1.00",
                "B1",
                "--yes",
                "--journal",
                &journal,
                "--base-url",
                &base,
            ])
            .await
        }
    };

    let unknown = pay("mysql://shop@127.0.0.1/shop".into()).await;
    assert_eq!(unknown.code, 64, "{unknown:?}");
    assert!(unknown.stderr.contains("is not understood"), "{unknown:?}");
    let bare = pay("shop.db".into()).await;
    assert_eq!(bare.code, 64, "{bare:?}");

    // Nothing listens on port 1.
    let unreachable = pay("postgres://shop:secret-password@127.0.0.1:1/shop".into()).await;
    assert_eq!(unreachable.code, 64, "{unreachable:?}");
    assert!(
        unreachable
            .stderr
            .contains("cannot open the journal database"),
        "{unreachable:?}"
    );
    assert!(
        !unreachable.stderr.contains("secret-password"),
        "{unreachable:?}"
    );

    // A database set up by a newer version is refused and left as it is.
    let db = Db::sqlite("newer");
    let list = epoint(&["journal", "list", "--journal", &db.url]).await;
    assert_eq!(list.code, 0, "{list:?}");
    let mut c = sqlx::SqliteConnection::connect(&db.url)
        .await
        .expect("connect");
    sqlx::raw_sql("UPDATE epoint_journal_meta SET value = 99 WHERE name = 'schema_version'")
        .execute(&mut c)
        .await
        .expect("update");
    c.close().await.expect("close");
    let newer = pay(db.url.clone()).await;
    assert_eq!(newer.code, 64, "{newer:?}");
    assert!(newer.stderr.contains("has schema version 99"), "{newer:?}");
    let listed = epoint(&["journal", "list", "--journal", &db.url, "--json"]).await;
    assert_eq!(listed.code, 64, "{listed:?}");
    let object: serde_json::Value = serde_json::from_str(listed.stdout.trim()).expect("JSON");
    assert_eq!(object["exit_code"], 64);

    // No journal at all.
    let none = epoint(&["journal", "list"]).await;
    assert_eq!(none.code, 64, "{none:?}");
    assert!(none.stderr.contains("EPOINT_JOURNAL"), "{none:?}");

    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn epoint_journal_names_the_journal_for_every_command() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let base = sandbox.base_url().to_owned();
    let db = Db::sqlite("env");
    let run = |args: &[&str]| {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        let url = db.url.clone();
        tokio::task::spawn_blocking(move || {
            finished(
                command(&args)
                    .env("EPOINT_JOURNAL", url)
                    .output()
                    .expect("run epoint"),
            )
        })
    };
    let pay = run(&["pay", "3.50", "E1", "--yes", "--json", "--base-url", &base])
        .await
        .expect("join");
    assert_eq!(pay.code, 0, "{pay:?}");
    let again = run(&["pay", "3.50", "E1", "--yes", "--json", "--base-url", &base])
        .await
        .expect("join");
    assert_eq!(again.code, 9, "{again:?}");
    let object: serde_json::Value = serde_json::from_str(again.stdout.trim()).expect("JSON");
    assert_eq!(object["outcome"], "order_taken");
    assert_eq!(object["exit_code"], 9);
    let list = run(&["journal", "list"]).await.expect("join");
    let rows = rows_for(&list, "E1");
    assert_eq!(rows.len(), 1, "{list:?}");
    assert_eq!(rows[0][..4], ["E1", "payment_request", "3.50", "done"]);
    assert_eq!(rows[0][5], "new");
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
}

/// A charge of a saved card and a payout go through the journal too: recorded with their
/// operation, amount, transaction and status, and a second one for the same order is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_card_charges_and_payouts_are_journaled() {
    use epoint_az_sandbox::Outcome;

    let sandbox = Sandbox::start().await.expect("sandbox");
    let base = sandbox.base_url().to_owned();
    let db = Db::sqlite("saved_card");
    let client = sandbox.client().expect("client");
    let mut cards = Vec::new();
    for payouts in [false, true] {
        let card = client
            .save_card()
            .for_payouts(payouts)
            .await
            .expect("card page");
        sandbox
            .complete(
                &card.card_id,
                Outcome::Card {
                    number: "4169738800000000".into(),
                    name: "TEST".into(),
                },
            )
            .await
            .expect("complete");
        cards.push(card.card_id);
    }
    let url = db.url.as_str();
    for (command, card, order) in [
        ("pay-with-saved-card", &cards[0], "S1"),
        ("payout", &cards[1], "P1"),
    ] {
        let args = [
            command,
            card,
            "2.00",
            order,
            "--yes",
            "--journal",
            url,
            "--base-url",
            &base,
        ];
        let first = epoint(&args).await;
        assert_eq!(first.code, 0, "{first:?}");
        let second = epoint(&args).await;
        assert_eq!(second.code, 9, "{second:?}");
    }
    let list = epoint(&["journal", "list", "--journal", url]).await;
    for (order, operation) in [("S1", "execute_pay"), ("P1", "refund_request")] {
        let rows = rows_for(&list, order);
        assert_eq!(rows.len(), 1, "{list:?}");
        assert_eq!(rows[0][1..4], [operation, "2.00", "done"], "{list:?}");
        assert!(rows[0][4].starts_with("te"), "{list:?}");
        assert_eq!(rows[0][5], "success", "{list:?}");
    }
    assert_eq!(sandbox.request_count(OperationId::ExecutePay), 1);
    assert_eq!(sandbox.request_count(OperationId::RefundRequest), 1);
}
