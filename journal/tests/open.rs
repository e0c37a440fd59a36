//! Opening a journal: bad URLs and unreachable databases are refused with a sentence before
//! anything is sent; the in-memory database works for tests.

mod support;

use epoint_az::{OperationId, dec};
use epoint_az_journal::{Intent, JournalError, Received, State, Store};

#[tokio::test]
async fn an_unknown_scheme_is_refused_with_a_sentence() {
    let err = Store::open("mysql://shop:s3cret@db/shop")
        .await
        .expect_err("refused");
    assert_eq!(
        err.to_string(),
        "the journal URL \"mysql://shop:***@db/shop\" is not understood: the scheme `mysql:` is not supported; \
         use sqlite:FILE, sqlite::memory: or postgres://USER@HOST/DATABASE (nothing was sent)"
    );
    let err = Store::open("shop.db").await.expect_err("refused");
    assert!(
        err.to_string()
            .contains("it has no scheme (for a file, write sqlite:FILE)"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_postgres_is_refused_with_a_sentence() {
    // A port nothing listens on.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let url = format!("postgres://shop:s3cret@127.0.0.1:{port}/shop");
    let err = Store::open(&url).await.expect_err("unreachable");
    assert!(matches!(err, JournalError::Unreachable { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "cannot open the journal database postgres://shop:***@127.0.0.1:{port}/shop: "
        )),
        "{text}"
    );
    assert!(text.ends_with("(nothing was sent)"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}

#[tokio::test]
async fn an_unopenable_sqlite_file_is_refused_with_a_sentence() {
    let err = Store::open("sqlite:/nonexistent-epoint-dir/sub/shop.db")
        .await
        .expect_err("unopenable");
    assert!(matches!(err, JournalError::Unreachable { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(
            "cannot open the journal database sqlite:/nonexistent-epoint-dir/sub/shop.db: "
        ),
        "{err}"
    );
}

#[tokio::test]
async fn the_in_memory_database_holds_a_journal_and_an_inbox() {
    let store = Store::open("sqlite::memory:").await.expect("open");
    let (journal, inbox) = (store.journal(), store.inbox());
    let ticket = journal
        .begin(Intent::new(OperationId::PaymentRequest, "mem-1").amount(dec!(1.00)))
        .await
        .expect("begin");
    let again = journal
        .begin(Intent::new(OperationId::PaymentRequest, "mem-1"))
        .await
        .expect_err("taken");
    assert!(
        matches!(
            again,
            JournalError::OrderTaken {
                state: State::Pending,
                ..
            }
        ),
        "{again}"
    );
    assert_eq!(journal.unresolved().await.expect("unresolved").len(), 1);
    journal
        .finish(
            &ticket,
            &epoint_az_journal::Outcome::Done {
                transaction: Some("te1".into()),
                status: Some("new".into()),
            },
        )
        .await
        .expect("finish");
    assert!(journal.unresolved().await.expect("unresolved").is_empty());

    let cb = support::callback(
        serde_json::json!({"order_id": "mem-1", "status": "success", "transaction": "te1"}),
    );
    assert_eq!(inbox.receive(&cb).await.expect("receive"), Received::New);
    assert_eq!(inbox.receive(&cb).await.expect("receive"), Received::Repeat);

    // Each open of `sqlite::memory:` is its own database.
    let other = Store::open("sqlite::memory:").await.expect("open");
    assert!(other.journal().entries().await.expect("entries").is_empty());
}

#[tokio::test]
async fn a_read_only_intent_is_refused() {
    let journal = Store::open("sqlite::memory:")
        .await
        .expect("open")
        .journal();
    let err = journal
        .begin(Intent::new(OperationId::GetStatus, "mem-2"))
        .await
        .expect_err("read-only");
    assert!(matches!(err, JournalError::NotMoneyMoving { .. }), "{err}");
    assert!(journal.entries().await.expect("entries").is_empty());
}
