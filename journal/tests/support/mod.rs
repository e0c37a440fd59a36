//! One database per test, on either backend, and the embedded sandbox.
#![allow(dead_code)]

use std::{
    io::Write,
    path::PathBuf,
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

use epoint_az::{Client, Keys};
use epoint_az_sandbox::Sandbox;
use sqlx::Connection;

/// A fresh database for one test: a SQLite file in its own directory, or a PostgreSQL
/// database named after the test, dropped and created anew.
pub struct Db {
    pub url: String,
    pub backend: &'static str,
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

/// The PostgreSQL URL the tests use, or why there is none (after printing a SKIPPED line past
/// libtest's capture, or failing when `EPOINT_REQUIRE_POSTGRES` is set).
fn postgres_url(test: &str, problem: Option<String>) -> Option<String> {
    let required =
        std::env::var("EPOINT_REQUIRE_POSTGRES").is_ok_and(|v| !v.is_empty() && v != "0");
    let why = match (std::env::var("EPOINT_TEST_POSTGRES_URL"), problem) {
        (Ok(url), None) if !url.trim().is_empty() => return Some(url),
        (_, Some(problem)) => problem,
        _ => "EPOINT_TEST_POSTGRES_URL is not set".to_owned(),
    };
    assert!(!required, "EPOINT_REQUIRE_POSTGRES is set but {why}");
    // Straight to the process's stderr: libtest captures `eprintln!`, not this.
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED {test} on PostgreSQL: {why} (`eval \"$(bash .ci/postgres.sh)\"` starts a server); \
         EPOINT_REQUIRE_POSTGRES=1 turns this into a failure"
    );
    None
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

impl Db {
    pub fn sqlite(test: &str) -> Db {
        let dir = std::env::temp_dir().join(format!(
            "epoint-journal-{}-{}-{test}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Db {
            url: format!("sqlite:{}", dir.join("journal.db").display()),
            backend: "sqlite",
            dir: Some(dir),
        }
    }

    pub async fn postgres(test: &str) -> Option<Db> {
        let admin_url = postgres_url(test, None)?;
        let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
            Ok(c) => c,
            Err(e) => {
                postgres_url(
                    test,
                    Some(format!(
                        "the server at EPOINT_TEST_POSTGRES_URL is unreachable: {e}"
                    )),
                )?;
                return None;
            }
        };
        // PostgreSQL cuts names at 63 bytes: a short prefix and a hash keep them distinct.
        let hash = test.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let prefix: String = test.to_lowercase().chars().take(32).collect();
        let name = format!("epoint_t_{prefix}_{hash:016x}");
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

    /// Runs SQL on the database directly, beside the crate.
    pub async fn execute(&self, sql: &str) {
        if self.backend == "sqlite" {
            let mut c = sqlx::SqliteConnection::connect(&self.url)
                .await
                .expect("connect");
            sqlx::raw_sql(sql).execute(&mut c).await.expect("execute");
        } else {
            let mut c = sqlx::PgConnection::connect(&self.url)
                .await
                .expect("connect");
            sqlx::raw_sql(sql).execute(&mut c).await.expect("execute");
        }
    }
}

/// The embedded sandbox and a client for its first merchant, with a short settle window.
pub async fn sandbox() -> (Sandbox, Client) {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client_for(&sandbox, None);
    (sandbox, client)
}

/// A client for the sandbox's first merchant; `timeout` when given.
pub fn client_for(sandbox: &Sandbox, timeout: Option<Duration>) -> Client {
    let mut config = sandbox
        .config_for("i000000001")
        .expect("config")
        .settle_window(Duration::from_secs(30));
    if let Some(timeout) = timeout {
        config = config.timeout(timeout);
    }
    Client::new(config).expect("client")
}

/// The sandbox merchant's keys, to sign callbacks as EPoint would.
pub fn keys() -> Keys {
    let (public, private) = epoint_az_sandbox::SEEDED_MERCHANTS[0];
    Keys::new(public, private)
}

/// A verified callback for `json`, as the axum extractor would hand it over.
pub fn callback(json: serde_json::Value) -> epoint_az::Callback {
    let keys = keys();
    let body = keys.sign_callback(&json).expect("sign");
    keys.verify_callback(body.as_bytes()).expect("verify")
}

/// Polls `check` every 10 ms until it holds, failing after `limit` (a bound, not a timing
/// assertion: the condition is expected well before).
pub async fn eventually(what: &str, limit: Duration, mut check: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !check() {
        assert!(
            start.elapsed() < limit,
            "{what} did not happen within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A loopback TCP proxy in front of the sandbox that says when a whole HTTP request (headers
/// and `Content-Length` body) has been passed on: from then on the request has reached the
/// gateway, whatever the client does next.
pub struct Proxy {
    pub base_url: String,
    delivered: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Proxy {
    pub async fn start(upstream: std::net::SocketAddr) -> Proxy {
        use std::sync::{Arc, atomic::AtomicUsize};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let delivered = Arc::new(AtomicUsize::new(0));
        let counter = delivered.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let counter = counter.clone();
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut server_read, mut server_write) = server.into_split();
                    let up = async move {
                        let mut seen = Vec::new();
                        let mut buf = [0u8; 8192];
                        loop {
                            let n = match client_read.read(&mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            if server_write.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                            seen.extend_from_slice(&buf[..n]);
                            while let Some(len) = whole_request(&seen) {
                                counter.fetch_add(1, Ordering::SeqCst);
                                seen.drain(..len);
                            }
                        }
                        // Keep the upstream open: the gateway goes on with what it received.
                    };
                    let down = async move {
                        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                    };
                    tokio::join!(up, down);
                });
            }
        });
        Proxy {
            base_url,
            delivered,
        }
    }

    /// How many whole requests have been passed on.
    pub fn delivered(&self) -> usize {
        self.delivered.load(Ordering::SeqCst)
    }
}

/// The length of the first whole HTTP request in `bytes`, if it is all there.
fn whole_request(bytes: &[u8]) -> Option<usize> {
    let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&bytes[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(Some(0), |v| v.trim().parse().ok())?;
    (bytes.len() >= head_end + length).then_some(head_end + length)
}
