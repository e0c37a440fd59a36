//! What the `epoint` merchant commands say is true and said once, run as the real binary over
//! loopback: a payment page is not a payment, a transport failure's first line says what
//! happened, configuration errors name the real problem, hints fit the command, and a failure
//! is printed in one place (stderr for people, the JSON object for scripts).

use std::process::{Command, Stdio};

use epoint_az::OperationId;
use epoint_az_sandbox::{Fault, Outcome, SEEDED_MERCHANTS, Sandbox};
use serde_json::Value;

const PUBLIC: &str = SEEDED_MERCHANTS[0].0;
const PRIVATE: &str = SEEDED_MERCHANTS[0].1;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("one JSON object on stdout ({e}): {}", self.stdout))
    }

    /// The lines of stderr after the preview a money-moving command prints first.
    fn failure_lines(&self) -> Vec<&str> {
        let lines: Vec<&str> = self.stderr.lines().collect();
        // `epoint: …`, or clap's `error: …` for arguments refused while parsing.
        let first = lines
            .iter()
            .position(|l| l.starts_with("epoint: ") || l.starts_with("error: "))
            .unwrap_or_else(|| panic!("a failure line on stderr: {}", self.stderr));
        lines[first..].to_vec()
    }
}

/// Runs `epoint` with the keys (the private key as given) and the extra variables.
async fn epoint(args: &[&str], private_key: Option<&str>, vars: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_epoint"));
    cmd.args(args)
        .env_remove("EPOINT_PRIVATE_KEY")
        .env_remove("EPOINT_BASE_URL")
        .env_remove("EPOINT_INTERFACE_LANG")
        .env("EPOINT_PUBLIC_KEY", PUBLIC)
        .stdin(Stdio::null());
    if let Some(key) = private_key {
        cmd.env("EPOINT_PRIVATE_KEY", key);
    }
    for (name, value) in vars {
        cmd.env(name, value);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run epoint"))
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

/// `epoint ARGS --base-url BASE` with the sandbox merchant's keys.
async fn at(base: &str, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--base-url", base]);
    epoint(&all, Some(PRIVATE), &[]).await
}

/// A loopback URL where nothing listens (bound, then closed).
async fn closed_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_page_is_not_called_a_success() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let base = sandbox.base_url().to_owned();

    let pay = at(&base, &["pay", "12.00", "page-1", "--yes"]).await;
    assert_eq!(pay.code, 0, "{}", pay.stderr);
    let transaction = sandbox
        .transactions()
        .into_iter()
        .find(|t| t.order_id == "page-1")
        .expect("the page's transaction")
        .id;
    assert!(
        pay.stdout
            .lines()
            .next()
            .is_some_and(|l| l.starts_with("outcome:") && l.ends_with("page created, not paid yet")),
        "{}",
        pay.stdout
    );
    assert!(
        !pay.stdout.contains("success"),
        "nothing is paid, so nothing reads `success`: {}",
        pay.stdout
    );
    assert!(
        pay.stdout
            .lines()
            .any(|l| l.starts_with("next:") && l.contains(&format!("epoint status {transaction}"))),
        "it says how to learn when it is paid: {}",
        pay.stdout
    );

    let json = at(&base, &["pay", "12.00", "page-2", "--yes", "--json"])
        .await
        .json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["outcome"], "page_created");
    assert_eq!(
        json["answer"]["status"], "success",
        "EPoint's answer is kept whole"
    );

    // The same through `call`, and for a card page.
    let call = at(
        &base,
        &[
            "call",
            "payment_request",
            "-f",
            "amount=3.00",
            "-f",
            "order_id=page-3",
            "-f",
            "currency=AZN",
            "-f",
            "language=az",
            "--yes",
            "--json",
        ],
    )
    .await;
    assert_eq!(call.code, 0, "{}", call.stderr);
    assert_eq!(call.json()["outcome"], "page_created");
    let card = at(&base, &["save-card"]).await;
    assert_eq!(card.code, 0, "{}", card.stderr);
    assert!(
        card.stdout.contains("page created, no card saved yet") && !card.stdout.contains("success"),
        "{}",
        card.stdout
    );

    // Once the customer has paid, the status says so.
    sandbox
        .complete(&transaction, Outcome::Paid)
        .await
        .expect("paid");
    let status = at(&base, &["status", &transaction, "--json"]).await;
    assert_eq!(status.json()["status"], "success");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_line_of_a_transport_failure_says_what_happened() {
    // Refused: nothing listens. Read-only, so the hint is about the base URL.
    let closed = closed_url().await;
    let refused = epoint(
        &["status", "te000000001", "--base-url", &closed],
        Some(PRIVATE),
        &[],
    )
    .await;
    assert_eq!(refused.code, 5, "{}", refused.stderr);
    let lines = refused.failure_lines();
    assert!(
        lines[0].starts_with("epoint: connection refused"),
        "{}",
        refused.stderr
    );
    assert!(
        lines[0].contains("Connection refused (os error"),
        "the detail follows: {}",
        lines[0]
    );

    // Timed out: the gateway accepts and never answers; a payment may have reached it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hung_url = format!("http://{}", listener.local_addr().expect("addr"));
    let hung = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let slow = epoint(
        &[
            "pay",
            "12.00",
            "slow-1",
            "--yes",
            "--timeout",
            "1",
            "--base-url",
            &hung_url,
        ],
        Some(PRIVATE),
        &[],
    )
    .await;
    assert_eq!(slow.code, 4, "{}", slow.stderr);
    let lines = slow.failure_lines();
    assert!(lines[0].starts_with("epoint: timed out"), "{}", slow.stderr);
    assert!(lines[0].contains("order_id slow-1"), "{}", lines[0]);
    let json = epoint(
        &[
            "pay",
            "12.00",
            "slow-2",
            "--yes",
            "--json",
            "--timeout",
            "1",
            "--base-url",
            &hung_url,
        ],
        Some(PRIVATE),
        &[],
    )
    .await;
    hung.abort();
    assert_eq!(json.code, 4);
    let error = json.json()["error"].as_str().expect("error").to_owned();
    assert!(error.starts_with("timed out"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_errors_name_the_real_problem() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let base = sandbox.base_url().to_owned();

    // A bad base URL is not a key problem.
    let foo = epoint(
        &["status", "te000000001"],
        Some(PRIVATE),
        &[("EPOINT_BASE_URL", "foo")],
    )
    .await;
    assert_eq!(foo.code, 64, "{}", foo.stderr);
    assert!(
        foo.stderr.contains("EPOINT_BASE_URL is invalid"),
        "{}",
        foo.stderr
    );
    assert!(
        !foo.stderr.contains("EPOINT_PRIVATE_KEY") && !foo.stderr.contains("keys are never"),
        "no key hint for a URL problem: {}",
        foo.stderr
    );
    // `--base-url` wins over a bad EPOINT_BASE_URL.
    let flag = epoint(
        &["status", "te000000001", "--base-url", &base],
        Some(PRIVATE),
        &[("EPOINT_BASE_URL", "foo")],
    )
    .await;
    assert_eq!(flag.code, 3, "the call went to --base-url: {}", flag.stderr);
    assert!(
        flag.stderr.contains("Transaction not found"),
        "{}",
        flag.stderr
    );
    let bad_flag = epoint(
        &["status", "te000000001", "--base-url", "foo"],
        Some(PRIVATE),
        &[],
    )
    .await;
    assert_eq!(bad_flag.code, 64);
    assert!(
        bad_flag.stderr.contains("--base-url is invalid") && !bad_flag.stderr.contains("keys"),
        "{}",
        bad_flag.stderr
    );

    // Set but empty is not "not set"; both get the key hint.
    let empty = epoint(&["status", "te000000001"], Some(""), &[]).await;
    assert_eq!(empty.code, 64);
    assert!(
        empty
            .stderr
            .starts_with("epoint: EPOINT_PRIVATE_KEY is set but empty"),
        "{}",
        empty.stderr
    );
    assert!(!empty.stderr.contains("not set"), "{}", empty.stderr);
    assert!(
        empty.stderr.contains("keys are never arguments"),
        "{}",
        empty.stderr
    );
    let unset = epoint(&["status", "te000000001"], None, &[]).await;
    assert!(
        unset
            .stderr
            .starts_with("epoint: EPOINT_PRIVATE_KEY is not set"),
        "{}",
        unset.stderr
    );
    let json = epoint(&["status", "te000000001", "--json"], Some(""), &[]).await;
    assert_eq!(json.code, 64);
    assert!(
        json.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("set but empty"))
    );
    // `sign` and `callback send` read the key the same way.
    let sign = epoint(&["sign", "{}"], Some(""), &[]).await;
    assert!(
        sign.stderr.contains("EPOINT_PRIVATE_KEY is set but empty"),
        "{}",
        sign.stderr
    );
    let send = epoint(&["callback", "send", &base], Some("  "), &[]).await;
    assert_eq!(send.code, 64);
    assert!(
        send.stderr.contains("EPOINT_PRIVATE_KEY is set but empty"),
        "{}",
        send.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hints_fit_the_command() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let base = sandbox.base_url().to_owned();
    let never_for_lookups = |run: &Run| {
        for wrong in ["before trying again", "epoint status"] {
            assert!(
                !run.stderr.contains(wrong) && !run.stdout.contains(wrong),
                "a read-only command never says {wrong:?}: {}{}",
                run.stdout,
                run.stderr
            );
        }
    };

    // Nothing listens at the base URL: check the base URL.
    let closed = closed_url().await;
    for args in [
        vec!["status", "te000000001"],
        vec!["status", "--order-id", "o-1"],
        vec!["card-status", "ce000000001"],
        vec!["heartbeat"],
    ] {
        let run = at(&closed, &args).await;
        assert_eq!(run.code, 5, "{args:?}: {}", run.stderr);
        never_for_lookups(&run);
        let hint = run.stderr.lines().last().unwrap_or_default();
        assert!(
            hint.starts_with("hint:") && hint.contains("--base-url") && hint.contains(&closed),
            "{args:?}: {}",
            run.stderr
        );
    }
    // Something answers that is not EPoint's API (a wrong path): exit 4, and still no
    // "check epoint status" for a lookup.
    let wrong = at(&format!("{base}/not-epoint"), &["status", "te000000001"]).await;
    assert_eq!(wrong.code, 4, "{}", wrong.stderr);
    never_for_lookups(&wrong);
    assert!(wrong.stderr.contains("--base-url"), "{}", wrong.stderr);
    let json = at(&closed, &["status", "te000000001", "--json"]).await;
    assert!(
        json.json()["hint"]
            .as_str()
            .is_some_and(|h| h.contains("--base-url"))
    );

    // A money-moving command whose answer was lost: look it up before trying again, said last.
    let client = sandbox.client().expect("client");
    let page = client
        .pay(epoint_az::dec!(20), "hint-1")
        .await
        .expect("pay");
    sandbox
        .complete(&page.transaction, Outcome::Paid)
        .await
        .expect("paid");
    sandbox.inject(OperationId::Reverse, Fault::DropConnection);
    let lost = at(&base, &["refund", &page.transaction, "--yes"]).await;
    assert_eq!(lost.code, 4, "{}", lost.stderr);
    let last = lost.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("hint:") && last.contains("epoint status"),
        "{}",
        lost.stderr
    );
    // Rejections and declines explain themselves: no hint.
    sandbox.clear_faults();
    let rejected = at(&base, &["refund", "te999999999", "--yes"]).await;
    assert_eq!(rejected.code, 3, "{}", rejected.stderr);
    assert!(!rejected.stderr.contains("hint:"), "{}", rejected.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_is_printed_once() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let base = sandbox.base_url().to_owned();
    let failures: [Vec<&str>; 4] = [
        vec!["status", "te999999999"],          // rejected
        vec!["refund", "te999999999", "--yes"], // rejected, money-moving
        vec!["refund", "te000000001"],          // not confirmed
        vec!["pay", "0", "o-1", "--yes"],       // invalid input
    ];
    for args in &failures {
        // For people: stderr only, the sentence first and once.
        let human = at(&base, args).await;
        assert_ne!(human.code, 0, "{args:?}");
        assert_eq!(human.stdout, "", "{args:?}: nothing on stdout");
        let lines = human.failure_lines();
        let sentence = lines[0]
            .trim_start_matches("epoint: ")
            .trim_start_matches("error: ");
        assert_eq!(
            human.stderr.matches(sentence).count(),
            1,
            "{args:?}: said once: {}",
            human.stderr
        );
        // For scripts: the JSON object, nothing on stderr.
        let mut json_args = args.clone();
        json_args.push("--json");
        let json = at(&base, &json_args).await;
        assert_eq!(json.code, human.code, "{args:?}");
        let object = json.json();
        assert_eq!(object["ok"], false, "{args:?}");
        assert!(object["error"].is_string(), "{args:?}: {object}");
        // (A money-moving command without --yes shows what it would send, on stderr, before
        // it asks; that is the question, not the failure.)
        assert!(
            !json.stderr.contains("epoint:") && !json.stderr.contains(sentence),
            "{args:?}: the failure is not repeated on stderr with --json: {}",
            json.stderr
        );
        if !args.contains(&"refund") || args.contains(&"--yes") {
            assert_eq!(json.stderr, "", "{args:?}: nothing on stderr with --json");
        }
    }
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 0);
}
