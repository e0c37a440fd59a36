//! The same suite on both backends: a SQLite file, and PostgreSQL when
//! `EPOINT_TEST_POSTGRES_URL` names a server (`eval "$(bash .ci/postgres.sh)"`). Each test gets
//! its own database and talks to the embedded sandbox over loopback HTTP.

mod support;

use std::{
    process::{Command, Stdio},
    sync::Arc,
    time::Duration,
};

use epoint_az::{OperationId, dec};
use epoint_az_journal::{Inbox, Journal, JournalError, Received, State, Store};
use epoint_az_sandbox::{Fault, Outcome, Sandbox};
use support::{Db, callback, client_for, eventually, sandbox};
use tokio::sync::Barrier;

/// Instantiates each generic test once per backend: `sqlite::name` and `postgres::name`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let db = crate::support::Db::sqlite(stringify!($name));
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(db) = crate::support::Db::postgres(stringify!($name)).await else {
                        return;
                    };
                    super::$name(&db).await;
                }
            )*
        }
    };
}

on_both_backends!(
    a_payment_is_journaled_before_and_after,
    a_second_payment_for_a_taken_order_is_refused_and_not_sent,
    many_tasks_on_two_replicas_make_one_payment,
    two_processes_make_one_payment,
    a_killed_process_leaves_an_intent_that_resolve_settles,
    an_unknown_outcome_is_recorded_and_resolve_settles_it,
    a_crash_mid_call_leaves_an_intent_that_resolve_settles,
    a_request_that_never_arrived_frees_the_order,
    a_request_not_sent_is_a_failure_and_the_order_stays_free,
    invalid_calls_are_refused_before_anything_is_written,
    callbacks_are_stored_once_and_the_status_only_moves_forward,
    a_callback_for_another_transaction_is_kept_not_applied,
    one_callback_on_two_replicas_at_once_is_processed_once,
    an_axum_handler_hands_the_callback_to_the_inbox_in_one_line,
    a_schema_from_a_newer_version_is_refused,
    prune_deletes_only_settled_rows,
);

async fn a_payment_is_journaled_before_and_after(db: &Db) {
    let (sandbox, client) = sandbox().await;
    let journal = Journal::open(&db.url).await.expect("open");
    assert_eq!(journal.store().backend(), db.backend);

    let page = journal
        .pay(&client, dec!(12.00), "j-pay-1")
        .await
        .expect("paid");

    let entries = journal.entries().await.expect("entries");
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    assert_eq!(entry.order_id, "j-pay-1");
    assert_eq!(entry.operation, "payment_request");
    assert_eq!(entry.amount, Some(dec!(12.00)));
    assert_eq!(entry.currency.as_deref(), Some("AZN"));
    assert_eq!(entry.state, State::Done);
    assert_eq!(
        entry.transaction.as_deref(),
        Some(page.transaction.as_str())
    );
    // A hosted page is created, nobody has paid yet.
    assert_eq!(entry.status.as_deref(), Some("new"));
    assert!(entry.sent_at.is_some());
    assert!(entry.created_at <= entry.updated_at);
    assert!(journal.unresolved().await.expect("unresolved").is_empty());
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
}

async fn a_second_payment_for_a_taken_order_is_refused_and_not_sent(db: &Db) {
    let (sandbox, client) = sandbox().await;
    let journal = Journal::open(&db.url).await.expect("open");
    let page = journal
        .pay(&client, dec!(5.00), "j-taken-1")
        .await
        .expect("paid");

    // The same replica, and another one on the same database.
    let other = Journal::open(&db.url).await.expect("open again");
    for j in [&journal, &other] {
        let err = j
            .pay(&client, dec!(5.00), "j-taken-1")
            .await
            .expect_err("refused");
        match &err {
            JournalError::OrderTaken {
                order_id,
                state,
                transaction,
                ..
            } => {
                assert_eq!(order_id, "j-taken-1");
                assert_eq!(*state, State::Done);
                assert_eq!(transaction.as_deref(), Some(page.transaction.as_str()));
            }
            other => panic!("expected OrderTaken, got {other:?}"),
        }
        assert_eq!(
            err.to_string(),
            format!(
                "order \"j-taken-1\" already has a payment_request that is done in the journal (transaction {}); nothing was sent",
                page.transaction
            )
        );
    }
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
    assert_eq!(journal.entries().await.expect("entries").len(), 1);
}

async fn many_tasks_on_two_replicas_make_one_payment(db: &Db) {
    const TASKS: usize = 16;
    let (sandbox, client) = sandbox().await;
    let replicas = [
        Journal::open(&db.url).await.expect("open"),
        Journal::open(&db.url).await.expect("open"),
    ];
    let barrier = Arc::new(Barrier::new(TASKS));
    let mut tasks = Vec::new();
    for i in 0..TASKS {
        let journal = replicas[i % 2].clone();
        let client = client.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            journal.pay(&client, dec!(1.00), "j-race-1").await
        }));
    }
    let mut paid = 0;
    let mut taken = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => paid += 1,
            Err(JournalError::OrderTaken { .. }) => taken += 1,
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    assert_eq!((paid, taken), (1, TASKS - 1));
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
    let entries = replicas[0].order("j-race-1").await.expect("order");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].state, State::Done);
}

/// The child half of [`two_processes_make_one_payment`]: does nothing unless the parent set
/// its environment.
#[tokio::test]
async fn child_process_pays_when_asked() {
    let Ok(url) = std::env::var("JOURNAL_CHILD_URL") else {
        return;
    };
    let base = std::env::var("JOURNAL_CHILD_BASE").expect("base");
    let dir = std::path::PathBuf::from(std::env::var("JOURNAL_CHILD_DIR").expect("dir"));
    let me = std::env::var("JOURNAL_CHILD_NAME").expect("name");
    let order = std::env::var("JOURNAL_CHILD_ORDER").unwrap_or_else(|_| "j-two-processes".into());
    let (public, private) = epoint_az_sandbox::SEEDED_MERCHANTS[0];
    let client = epoint_az::Client::new(epoint_az::Config::new(public, private).base_url(base))
        .expect("client");
    let journal = Journal::open(&url).await.expect("open");
    std::fs::write(dir.join(format!("ready-{me}")), "").expect("ready");
    eventually("the parent's go", Duration::from_secs(60), || {
        dir.join("go").exists()
    })
    .await;
    let line = match journal.pay(&client, dec!(1.00), &order).await {
        Ok(page) => format!("paid {}", page.transaction),
        Err(JournalError::OrderTaken { .. }) => "taken".to_owned(),
        Err(other) => format!("error {other}"),
    };
    std::fs::write(dir.join(format!("result-{me}")), line).expect("result");
}

async fn two_processes_make_one_payment(db: &Db) {
    let sandbox = Sandbox::start().await.expect("sandbox");
    // Migrate first, so the children race on the payment, not on the schema.
    Store::open(&db.url).await.expect("open");
    let dir = std::env::temp_dir().join(format!(
        "epoint-journal-procs-{}-{}",
        std::process::id(),
        db.backend
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let exe = std::env::current_exe().expect("test binary");
    let mut children = Vec::new();
    for name in ["a", "b"] {
        let child = Command::new(&exe)
            .args([
                "--exact",
                "child_process_pays_when_asked",
                "--test-threads=1",
            ])
            .env("JOURNAL_CHILD_URL", &db.url)
            .env("JOURNAL_CHILD_BASE", sandbox.base_url())
            .env("JOURNAL_CHILD_DIR", &dir)
            .env("JOURNAL_CHILD_NAME", name)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn a child");
        children.push(child);
    }
    let ready = |n: &str| dir.join(format!("ready-{n}")).exists();
    eventually("both children ready", Duration::from_secs(120), || {
        ready("a") && ready("b")
    })
    .await;
    std::fs::write(dir.join("go"), "").expect("go");
    let mut results = Vec::new();
    for (child, name) in children.into_iter().zip(["a", "b"]) {
        let output = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .expect("join")
            .expect("wait");
        assert!(
            output.status.success(),
            "child {name} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        results.push(std::fs::read_to_string(dir.join(format!("result-{name}"))).expect("result"));
    }
    let _ = std::fs::remove_dir_all(&dir);
    results.sort();
    assert!(results[0].starts_with("paid te"), "{results:?}");
    assert_eq!(results[1], "taken", "{results:?}");
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
}

/// A service process is killed (SIGKILL) while its payment request is at the gateway; the
/// restarted service finds the intent and settles it.
async fn a_killed_process_leaves_an_intent_that_resolve_settles(db: &Db) {
    let (sandbox, client) = sandbox().await;
    sandbox.inject_times(
        OperationId::PaymentRequest,
        Fault::Latency(Duration::from_secs(3)),
        Some(1),
    );
    let proxy = support::Proxy::start(sandbox.addr()).await;
    Store::open(&db.url).await.expect("open");
    let dir = std::env::temp_dir().join(format!(
        "epoint-journal-kill-{}-{}",
        std::process::id(),
        db.backend
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("go"), "").expect("go");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "child_process_pays_when_asked",
            "--test-threads=1",
        ])
        .env("JOURNAL_CHILD_URL", &db.url)
        .env("JOURNAL_CHILD_BASE", &proxy.base_url)
        .env("JOURNAL_CHILD_DIR", &dir)
        .env("JOURNAL_CHILD_NAME", "killed")
        .env("JOURNAL_CHILD_ORDER", "j-killed-1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn a child");
    eventually(
        "the child's request reached the sandbox",
        Duration::from_secs(120),
        || proxy.delivered() == 1,
    )
    .await;
    child.kill().expect("kill");
    child.wait().expect("reap");
    assert!(
        !dir.join("result-killed").exists(),
        "the child finished before it was killed"
    );
    let _ = std::fs::remove_dir_all(&dir);

    let journal = Journal::open(&db.url).await.expect("reopen");
    let unresolved = journal.unresolved().await.expect("unresolved");
    assert_eq!(unresolved.len(), 1, "{unresolved:?}");
    assert_eq!(unresolved[0].order_id, "j-killed-1");
    assert_eq!(unresolved[0].state, State::Pending);
    let settled = journal.resolve(&client).await.expect("resolve");
    assert_eq!(settled[0].state, State::Done, "{settled:?}");
    assert_eq!(settled[0].status.as_deref(), Some("new"));
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
}

async fn an_unknown_outcome_is_recorded_and_resolve_settles_it(db: &Db) {
    let sandbox = Sandbox::start().await.expect("sandbox");
    // The client gives up before the gateway answers; the gateway goes on.
    let impatient = client_for(&sandbox, Some(Duration::from_millis(150)));
    sandbox.inject_times(
        OperationId::PaymentRequest,
        Fault::Latency(Duration::from_millis(600)),
        Some(1),
    );
    let journal = Journal::open(&db.url).await.expect("open");
    let err = journal
        .pay(&impatient, dec!(12.00), "J1")
        .await
        .expect_err("timed out");
    assert!(err.is_unknown_outcome(), "{err}");
    assert!(
        err.call_error()
            .is_some_and(|e| e.may_have_reached_epoint())
    );
    assert!(
        err.to_string()
            .ends_with("(recorded in the journal as unknown)"),
        "{err}"
    );

    let unresolved = journal.unresolved().await.expect("unresolved");
    assert_eq!(unresolved.len(), 1);
    assert_eq!(unresolved[0].order_id, "J1");
    assert_eq!(unresolved[0].state, State::Unknown);
    assert!(
        unresolved[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("may have reached EPoint"))
    );
    assert!(unresolved[0].sent_at.is_some());

    // Until it is settled, the order is not paid again.
    let again = journal
        .pay(&impatient, dec!(12.00), "J1")
        .await
        .expect_err("refused");
    assert!(
        matches!(
            again,
            JournalError::OrderTaken {
                state: State::Unknown,
                ..
            }
        ),
        "{again}"
    );

    let client = client_for(&sandbox, None);
    let settled = journal.resolve(&client).await.expect("resolve");
    assert_eq!(settled.len(), 1);
    let tx = sandbox
        .transactions()
        .into_iter()
        .find(|t| t.order_id == "J1")
        .expect("the gateway made the payment");
    assert_eq!(settled[0].state, State::Done);
    assert_eq!(settled[0].transaction.as_deref(), Some(tx.id.as_str()));
    assert_eq!(settled[0].status.as_deref(), Some("new"));
    assert!(journal.unresolved().await.expect("unresolved").is_empty());
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
}

async fn a_crash_mid_call_leaves_an_intent_that_resolve_settles(db: &Db) {
    let (sandbox, client) = sandbox().await;
    // The gateway holds its answer; the service dies once its request has reached it.
    sandbox.inject_times(
        OperationId::PaymentRequest,
        Fault::Latency(Duration::from_secs(3)),
        Some(1),
    );
    let proxy = support::Proxy::start(sandbox.addr()).await;
    let (public, private) = epoint_az_sandbox::SEEDED_MERCHANTS[0];
    let via_proxy = epoint_az::Client::new(
        epoint_az::Config::new(public, private).base_url(proxy.base_url.clone()),
    )
    .expect("client");
    let journal = Journal::open(&db.url).await.expect("open");
    let call = {
        let journal = journal.clone();
        tokio::spawn(async move { journal.pay(&via_proxy, dec!(7.00), "j-crash-1").await })
    };
    eventually(
        "the request reached the sandbox",
        Duration::from_secs(30),
        || proxy.delivered() == 1,
    )
    .await;
    call.abort();
    assert!(call.await.expect_err("aborted").is_cancelled());
    drop(journal);

    // The restarted service opens the same journal.
    let journal = Journal::open(&db.url).await.expect("reopen");
    let unresolved = journal.unresolved().await.expect("unresolved");
    assert_eq!(unresolved.len(), 1);
    assert_eq!(unresolved[0].state, State::Pending);
    assert_eq!(unresolved[0].amount, Some(dec!(7.00)));
    let settled = journal.resolve(&client).await.expect("resolve");
    assert_eq!(settled[0].state, State::Done, "{settled:?}");
    assert_eq!(settled[0].status.as_deref(), Some("new"));
    assert!(
        settled[0]
            .transaction
            .as_deref()
            .is_some_and(|t| t.starts_with("te"))
    );
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
}

async fn a_request_that_never_arrived_frees_the_order(db: &Db) {
    let (sandbox, client) = sandbox().await;
    // A proxy answers 502 and the gateway never sees the payment.
    sandbox.inject_times(
        OperationId::PaymentRequest,
        Fault::HttpStatus {
            status: 502,
            body: "bad gateway".into(),
        },
        Some(1),
    );
    let journal = Journal::open(&db.url).await.expect("open");
    let err = journal
        .pay(&client, dec!(3.00), "j-never-1")
        .await
        .expect_err("502");
    assert!(err.is_unknown_outcome(), "{err}");
    let settled = journal
        .resolve_with(&client, Some(Duration::from_millis(300)))
        .await
        .expect("resolve");
    assert_eq!(settled.len(), 1);
    assert_eq!(settled[0].state, State::Failed);
    assert!(
        settled[0]
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("never arrived")),
        "{settled:?}"
    );

    // Now the order may be paid again.
    let page = journal
        .pay(&client, dec!(3.00), "j-never-1")
        .await
        .expect("paid");
    let history = journal.order("j-never-1").await.expect("order");
    let states: Vec<State> = history.iter().map(|e| e.state).collect();
    assert_eq!(states, [State::Failed, State::Done]);
    assert_eq!(
        history[1].transaction.as_deref(),
        Some(page.transaction.as_str())
    );
}

async fn a_request_not_sent_is_a_failure_and_the_order_stays_free(db: &Db) {
    let (sandbox, client) = sandbox().await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let (public, private) = epoint_az_sandbox::SEEDED_MERCHANTS[0];
    let nowhere = epoint_az::Client::new(
        epoint_az::Config::new(public, private).base_url(format!("http://127.0.0.1:{closed}")),
    )
    .expect("client");
    let journal = Journal::open(&db.url).await.expect("open");
    let err = journal
        .pay(&nowhere, dec!(2.00), "j-notsent-1")
        .await
        .expect_err("refused connection");
    assert!(
        matches!(
            err,
            JournalError::Call {
                recorded: State::Failed,
                ..
            }
        ),
        "{err}"
    );
    assert!(!err.is_unknown_outcome());
    assert!(journal.unresolved().await.expect("unresolved").is_empty());

    journal
        .pay(&client, dec!(2.00), "j-notsent-1")
        .await
        .expect("the order is free");
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
}

async fn invalid_calls_are_refused_before_anything_is_written(db: &Db) {
    let (sandbox, client) = sandbox().await;
    let journal = Journal::open(&db.url).await.expect("open");
    let err = journal
        .pay(&client, dec!(0), "j-invalid-1")
        .await
        .expect_err("zero");
    assert!(matches!(err, JournalError::Invalid(_)), "{err}");
    assert!(err.to_string().contains("nothing was sent"), "{err}");
    let err = journal
        .send(client.get_order_status("j-invalid-1"))
        .await
        .expect_err("read-only");
    assert_eq!(
        err.to_string(),
        "get_status does not move money; the journal records only money-moving calls (nothing was sent)"
    );
    assert!(journal.entries().await.expect("entries").is_empty());
    assert_eq!(sandbox.all_requests().len(), 0);
}

async fn callbacks_are_stored_once_and_the_status_only_moves_forward(db: &Db) {
    let inbox = Inbox::open(&db.url).await.expect("open");
    let success = callback(serde_json::json!({
        "order_id": "j-cb-1", "status": "success", "code": "000", "transaction": "te100", "amount": 12.0
    }));
    assert_eq!(
        inbox.receive(&success).await.expect("receive"),
        Received::New
    );
    assert_eq!(
        inbox.receive(&success).await.expect("receive"),
        Received::Repeat
    );
    let status = inbox.status("j-cb-1").await.expect("status").expect("some");
    assert_eq!(status.status, "success");
    assert_eq!(status.transaction.as_deref(), Some("te100"));

    // A late `failed` is kept, but the order stays paid.
    let failed = callback(serde_json::json!({
        "order_id": "j-cb-1", "status": "failed", "code": "116", "transaction": "te100"
    }));
    assert_eq!(
        inbox.receive(&failed).await.expect("receive"),
        Received::Stale
    );
    assert_eq!(
        inbox.receive(&failed).await.expect("receive"),
        Received::Repeat
    );
    assert_eq!(
        inbox
            .status("j-cb-1")
            .await
            .expect("status")
            .expect("some")
            .status,
        "success"
    );

    // A refund moves it on; nothing moves it back from there.
    let returned = callback(serde_json::json!({
        "order_id": "j-cb-1", "status": "returned", "transaction": "te100"
    }));
    assert_eq!(
        inbox.receive(&returned).await.expect("receive"),
        Received::New
    );
    let new = callback(
        serde_json::json!({"order_id": "j-cb-1", "status": "new", "transaction": "te100"}),
    );
    assert_eq!(inbox.receive(&new).await.expect("receive"), Received::Stale);
    assert_eq!(
        inbox
            .status("j-cb-1")
            .await
            .expect("status")
            .expect("some")
            .status,
        "returned"
    );

    let stored = inbox.callbacks("j-cb-1").await.expect("callbacks");
    let summary: Vec<(&str, bool)> = stored.iter().map(|c| (c.key.as_str(), c.applied)).collect();
    assert_eq!(stored.len(), 4, "{summary:?}");
    for (cb, key, applied) in [
        (&success, "transaction:te100:success", true),
        (&failed, "transaction:te100:failed", false),
        (&returned, "transaction:te100:returned", true),
        (&new, "transaction:te100:new", false),
    ] {
        let row = stored.iter().find(|c| c.key == key).expect("stored");
        assert_eq!(row.body, cb.json, "the authentic JSON, as received");
        assert_eq!(row.applied, applied, "{key}");
    }

    // A decline first, then a payment that succeeds: forward.
    let declined = callback(
        serde_json::json!({"order_id": "j-cb-2", "status": "failed", "transaction": "te201"}),
    );
    let paid = callback(
        serde_json::json!({"order_id": "j-cb-2", "status": "success", "transaction": "te202"}),
    );
    assert_eq!(
        inbox.receive(&declined).await.expect("receive"),
        Received::New
    );
    assert_eq!(inbox.receive(&paid).await.expect("receive"), Received::New);

    // What a handler acted on is marked; the rest is listed for a sweep.
    assert_eq!(inbox.unprocessed().await.expect("unprocessed").len(), 4);
    inbox
        .processed("transaction:te100:success")
        .await
        .expect("processed");
    assert_eq!(inbox.unprocessed().await.expect("unprocessed").len(), 3);

    let unkeyed = callback(serde_json::json!({"status": "success"}));
    let err = inbox.receive(&unkeyed).await.expect_err("unkeyed");
    assert!(matches!(err, JournalError::Unkeyed), "{err}");
}

async fn a_callback_for_another_transaction_is_kept_not_applied(db: &Db) {
    let (_sandbox, client) = sandbox().await;
    let store = Store::open(&db.url).await.expect("open");
    let (journal, inbox) = (store.journal(), store.inbox());
    let page = journal
        .pay(&client, dec!(9.00), "j-foreign-1")
        .await
        .expect("paid");
    let foreign = callback(serde_json::json!({
        "order_id": "j-foreign-1", "status": "success", "transaction": "te999999999"
    }));
    assert_eq!(
        inbox.receive(&foreign).await.expect("receive"),
        Received::Stale
    );
    assert!(inbox.status("j-foreign-1").await.expect("status").is_none());
    let own = callback(serde_json::json!({
        "order_id": "j-foreign-1", "status": "success", "transaction": page.transaction
    }));
    assert_eq!(inbox.receive(&own).await.expect("receive"), Received::New);
}

async fn one_callback_on_two_replicas_at_once_is_processed_once(db: &Db) {
    const DELIVERIES: usize = 16;
    let replicas = [
        Inbox::open(&db.url).await.expect("open"),
        Inbox::open(&db.url).await.expect("open"),
    ];
    let cb = callback(serde_json::json!({
        "order_id": "j-cb-race", "status": "success", "transaction": "te300"
    }));
    let barrier = Arc::new(Barrier::new(DELIVERIES));
    let mut tasks = Vec::new();
    for i in 0..DELIVERIES {
        let (inbox, cb, barrier) = (replicas[i % 2].clone(), cb.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            inbox.receive(&cb).await
        }));
    }
    let mut received = Vec::new();
    for task in tasks {
        received.push(task.await.expect("task").expect("receive"));
    }
    assert_eq!(
        received.iter().filter(|r| **r == Received::New).count(),
        1,
        "{received:?}"
    );
    assert_eq!(
        received.iter().filter(|r| **r == Received::Repeat).count(),
        DELIVERIES - 1
    );
    assert_eq!(
        replicas[1]
            .callbacks("j-cb-race")
            .await
            .expect("callbacks")
            .len(),
        1
    );
}

/// Two replicas of a web service behind one database: the sandbox delivers the callback to
/// one, then the same body arrives at both at once; the order is acted on once.
async fn an_axum_handler_hands_the_callback_to_the_inbox_in_one_line(db: &Db) {
    use axum::{
        Router,
        extract::{FromRef, State},
        http::StatusCode,
        routing::post,
    };
    use epoint_az::axum::EpointCallback;

    #[derive(Clone)]
    struct App {
        inbox: Inbox,
        keys: epoint_az::Keys,
    }
    impl FromRef<App> for epoint_az::Keys {
        fn from_ref(app: &App) -> Self {
            app.keys.clone()
        }
    }

    async fn result_url(
        State(app): State<App>,
        EpointCallback(cb): EpointCallback,
    ) -> Result<&'static str, (StatusCode, String)> {
        match app.inbox.receive(&cb).await {
            Ok(Received::New) => Ok("new"),
            Ok(Received::Repeat) => Ok("repeat"),
            Ok(Received::Stale) => Ok("stale"),
            Err(e) => Err((StatusCode::SERVICE_UNAVAILABLE, e.to_string())),
        }
    }

    let mut addresses = Vec::new();
    for _ in 0..2 {
        let app = App {
            inbox: Inbox::open(&db.url).await.expect("open"),
            keys: support::keys(),
        };
        let router = Router::new()
            .route("/epoint/result", post(result_url))
            .with_state(app);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        addresses.push(listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, router).await });
    }
    let sandbox = Sandbox::builder()
        .result_url(format!("http://{}/epoint/result", addresses[0]))
        .start()
        .await
        .expect("sandbox");
    let client = client_for(&sandbox, None);
    let journal = Journal::open(&db.url).await.expect("open");
    let page = journal
        .pay(&client, dec!(4.50), "j-axum-1")
        .await
        .expect("paid");
    let done = sandbox
        .complete(&page.transaction, Outcome::Paid)
        .await
        .expect("complete");
    let delivery = done.callback.expect("a callback was delivered");

    let inbox = Inbox::open(&db.url).await.expect("open");
    assert_eq!(
        inbox
            .status("j-axum-1")
            .await
            .expect("status")
            .expect("some")
            .status,
        "success"
    );

    // EPoint sends it again, to both replicas at once.
    let sends = addresses
        .iter()
        .map(|addr| http_post(*addr, "/epoint/result", delivery.body.clone()));
    let answers = join_all(sends).await;
    assert_eq!(
        answers,
        [(200, "repeat".to_owned()), (200, "repeat".to_owned())]
    );
    assert_eq!(
        inbox.callbacks("j-axum-1").await.expect("callbacks").len(),
        1
    );
}

async fn join_all<F: std::future::Future<Output = (u16, String)> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<(u16, String)> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("join"));
    }
    out
}

/// A minimal HTTP/1.1 form POST over loopback: (status, body).
async fn http_post(addr: std::net::SocketAddr, path: &str, body: String) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    let status = response[9..12].parse().expect("status");
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

async fn a_schema_from_a_newer_version_is_refused(db: &Db) {
    Store::open(&db.url).await.expect("open");
    db.execute("UPDATE epoint_journal_meta SET value = 999 WHERE name = 'schema_version'")
        .await;
    let err = Store::open(&db.url).await.expect_err("newer");
    assert!(
        matches!(
            err,
            JournalError::NewerSchema {
                found: 999,
                supported: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains(&format!(
            "has schema version 999, newer than version 1 that epoint-az-journal {} understands; upgrade epoint-az-journal to use it (nothing was changed and nothing was sent)",
            env!("CARGO_PKG_VERSION")
        )),
        "{err}"
    );
}

async fn prune_deletes_only_settled_rows(db: &Db) {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client_for(&sandbox, None);
    let impatient = client_for(&sandbox, Some(Duration::from_millis(100)));
    let store = Store::open(&db.url).await.expect("open");
    let (journal, inbox) = (store.journal(), store.inbox());
    let page = journal
        .pay(&client, dec!(1.00), "j-prune-done")
        .await
        .expect("paid");
    sandbox.inject_times(
        OperationId::PaymentRequest,
        Fault::Latency(Duration::from_millis(400)),
        Some(1),
    );
    journal
        .pay(&impatient, dec!(1.00), "j-prune-unknown")
        .await
        .expect_err("unknown");
    inbox
        .receive(&callback(serde_json::json!({"order_id": "j-prune-done", "status": "success", "transaction": page.transaction})))
        .await
        .expect("receive");

    // Nothing is as old as a year.
    let none = journal
        .prune(Duration::from_secs(365 * 24 * 3600))
        .await
        .expect("prune");
    assert_eq!((none.intents, none.callbacks, none.orders), (0, 0, 0));

    tokio::time::sleep(Duration::from_millis(20)).await;
    let pruned = journal.prune(Duration::ZERO).await.expect("prune");
    assert_eq!((pruned.intents, pruned.callbacks, pruned.orders), (1, 1, 1));
    let left = journal.entries().await.expect("entries");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].order_id, "j-prune-unknown");
    assert_eq!(left[0].state, State::Unknown);
}

/// Without a server the PostgreSQL half says SKIPPED where `cargo test` shows it (past
/// libtest's capture) and passes; with `EPOINT_REQUIRE_POSTGRES=1` it fails instead.
#[test]
fn a_missing_postgres_is_a_visible_skip_or_a_failure_when_required() {
    if std::env::var_os("JOURNAL_CHILD_URL").is_some() {
        return;
    }
    let run = |require: Option<&str>| {
        let mut command = Command::new(std::env::current_exe().expect("test binary"));
        command
            .args([
                "--exact",
                "postgres::a_payment_is_journaled_before_and_after",
            ])
            .env_remove("EPOINT_TEST_POSTGRES_URL")
            .env_remove("EPOINT_REQUIRE_POSTGRES");
        if let Some(value) = require {
            command.env("EPOINT_REQUIRE_POSTGRES", value);
        }
        command.output().expect("run the test binary")
    };
    let skipped = run(None);
    let stderr = String::from_utf8_lossy(&skipped.stderr);
    assert!(skipped.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "SKIPPED a_payment_is_journaled_before_and_after on PostgreSQL: EPOINT_TEST_POSTGRES_URL is not set"
        ),
        "{stderr}"
    );
    let required = run(Some("1"));
    let stdout = String::from_utf8_lossy(&required.stdout);
    assert!(!required.status.success(), "{stdout}");
    assert!(
        stdout.contains("EPOINT_REQUIRE_POSTGRES is set but EPOINT_TEST_POSTGRES_URL is not set"),
        "{stdout}"
    );
}
