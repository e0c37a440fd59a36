//! The merchant's `epoint` commands, run as the real binary against the embedded sandbox
//! started in this test process: output, `--json`, exit codes, confirmation, `--dry-run`,
//! `codes`, `callback send` / `callback serve`, and that the private key is never printed.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Output, Stdio},
};

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
}

fn command(args: &[&str], private_key: Option<&str>) -> Command {
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
    cmd
}

/// Runs the binary (stdin not a terminal) and checks the private key appears nowhere.
async fn run_with(args: Vec<String>, private_key: Option<&'static str>) -> Run {
    let out: Output = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        command(&args, private_key).output().expect("run epoint")
    })
    .await
    .expect("join");
    let run = Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    for secret in [PRIVATE, "wrong_private_key"] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "the private key is never printed: {}\n{}",
            run.stdout,
            run.stderr
        );
    }
    run
}

async fn run(sandbox: &Sandbox, args: &[&str]) -> Run {
    let mut all: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    all.extend(["--base-url".to_owned(), sandbox.base_url().to_owned()]);
    run_with(all, Some(PRIVATE)).await
}

/// A card saved for payouts (or charges) with this test card number.
async fn saved_card(sandbox: &Sandbox, number: &str, payouts: bool) -> String {
    let client = sandbox.client().expect("client");
    let card = client
        .save_card()
        .for_payouts(payouts)
        .await
        .expect("card page");
    sandbox
        .complete(
            &card.card_id,
            Outcome::Card {
                number: number.into(),
                name: "TEST".into(),
            },
        )
        .await
        .expect("complete");
    card.card_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_status_refund_for_people_and_scripts() {
    let sandbox = Sandbox::start().await.expect("sandbox");

    let pay = run(
        &sandbox,
        &[
            "pay",
            "30.75",
            "order-1",
            "--description",
            "2 coffees",
            "--yes",
        ],
    )
    .await;
    assert_eq!(pay.code, 0, "{}{}", pay.stdout, pay.stderr);
    assert!(
        pay.stdout
            .contains("outcome:      page created, not paid yet"),
        "a page is not a payment: {}",
        pay.stdout
    );
    assert!(
        pay.stdout.contains("redirect_url: http://"),
        "{}",
        pay.stdout
    );
    assert!(
        pay.stderr.contains("About to send"),
        "preview first: {}",
        pay.stderr
    );

    let pay = run(&sandbox, &["pay", "12.00", "order-2", "--yes", "--json"]).await;
    assert_eq!(pay.code, 0, "{}", pay.stderr);
    let answer = pay.json();
    assert_eq!(answer["ok"], true);
    assert_eq!(answer["outcome"], "page_created");
    let tx = answer["transaction"]
        .as_str()
        .expect("transaction")
        .to_owned();
    assert!(answer["redirect_url"].as_str().expect("url").contains(&tx));
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 2);

    let status = run(&sandbox, &["status", &tx, "--json"]).await;
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert_eq!(status.json()["status"], "new");
    sandbox.complete(&tx, Outcome::Paid).await.expect("paid");
    let status = run(&sandbox, &["status", &tx]).await;
    assert_eq!(status.code, 0);
    assert!(status.stdout.contains("status:"), "{}", status.stdout);
    assert!(status.stdout.contains("success"), "{}", status.stdout);

    let refund = run(&sandbox, &["refund", &tx, "--amount", "5.00", "--yes"]).await;
    assert_eq!(refund.code, 0, "{}{}", refund.stdout, refund.stderr);
    assert!(
        refund
            .stdout
            .lines()
            .any(|l| l.starts_with("operation:") && l.ends_with(" refund")),
        "{}",
        refund.stdout
    );
    assert_eq!(sandbox.request_count(OperationId::Reverse), 1);
    let returned = run(&sandbox, &["status", &tx, "--json"]).await;
    assert_eq!(returned.json()["status"], "returned");
    let note = returned.json()["note"].as_str().expect("a note").to_owned();
    assert!(
        note.contains("full or a partial refund") && note.contains("does not say how much"),
        "{note}"
    );
    // For people: every amount of the answer, then what the answer does not tell.
    let returned = run(&sandbox, &["status", &tx]).await;
    let amount = returned.stdout.lines().find(|l| l.starts_with("amount:"));
    let payment_amount = sandbox
        .transactions()
        .into_iter()
        .find(|t| t.id == tx)
        .expect("the payment")
        .amount
        .to_string();
    assert!(
        amount.is_some_and(|l| l.ends_with(&format!(" {payment_amount}"))),
        "{}",
        returned.stdout
    );
    assert!(
        returned
            .stdout
            .lines()
            .any(|l| l.starts_with("note:") && l.contains("does not say how much was refunded")),
        "{}",
        returned.stdout
    );

    // The table-driven `call`, any spelling of the operation.
    let call = run(
        &sandbox,
        &[
            "call",
            "get-status",
            "-f",
            &format!("transaction={tx}"),
            "--json",
        ],
    )
    .await;
    assert_eq!(call.code, 0, "{}", call.stderr);
    assert_eq!(call.json()["answer"]["status"], "returned");
    let heartbeat = run(&sandbox, &["heartbeat"]).await;
    assert_eq!(heartbeat.code, 0, "{}", heartbeat.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_sends_nothing_and_money_needs_confirmation() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let card = saved_card(&sandbox, "4169738800000000", true).await;

    let dry = run(&sandbox, &["refund", "te000000001", "--dry-run"]).await;
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains("dry run, nothing sent"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("signature:"), "{}", dry.stdout);
    assert!(dry.stdout.contains("/api/1/reverse"), "{}", dry.stdout);
    let dry = run(
        &sandbox,
        &["payout", &card, "1.00", "p-1", "--dry-run", "--json"],
    )
    .await;
    assert_eq!(dry.code, 0);
    let preview = dry.json();
    assert_eq!(preview["outcome"], "dry_run");
    assert_eq!(preview["payload"]["card_id"], card.as_str());
    assert!(
        preview["form_body"]
            .as_str()
            .expect("body")
            .starts_with("data=")
    );
    let dry = run(
        &sandbox,
        &[
            "call",
            "execute-pay",
            "-f",
            "card_id=ce1",
            "-f",
            "amount=1",
            "--dry-run",
        ],
    )
    .await;
    assert_eq!(dry.code, 0);
    assert_eq!(sandbox.request_count(OperationId::Reverse), 0);
    assert_eq!(sandbox.request_count(OperationId::RefundRequest), 0);
    assert_eq!(sandbox.request_count(OperationId::ExecutePay), 0);

    // No terminal, no --yes: refused with its own exit code, nothing sent.
    for args in [
        vec!["refund", "te000000001"],
        vec!["payout", card.as_str(), "1.00", "p-2"],
        vec!["pay", "1.00", "o-3"],
        vec!["call", "refund-request", "-f", "card_id=ce1"],
    ] {
        let refused = run(&sandbox, &args).await;
        assert_eq!(
            refused.code, 6,
            "{args:?}: {}{}",
            refused.stdout, refused.stderr
        );
        assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
        assert!(
            refused.stderr.contains("not a terminal"),
            "{}",
            refused.stderr
        );
    }
    let refused = run(&sandbox, &["refund", "te000000001", "--json"]).await;
    assert_eq!(refused.json()["outcome"], "not_confirmed");
    assert_eq!(sandbox.request_count(OperationId::Reverse), 0);
    assert_eq!(sandbox.request_count(OperationId::RefundRequest), 0);
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 0);
    // Read-only commands need no confirmation.
    let status = run(&sandbox, &["card-status", &card]).await;
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(status.stdout.contains("active"), "{}", status.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_tell_declined_rejected_unknown_and_usage() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let poor = saved_card(&sandbox, "4169738800000116", true).await;

    // Declined: the bank code and its meaning.
    let declined = run(&sandbox, &["payout", &poor, "5.00", "p-1", "--yes"]).await;
    assert_eq!(declined.code, 2, "{}{}", declined.stdout, declined.stderr);
    // A failure is printed once, on stderr, with its details.
    assert_eq!(declined.stdout, "", "{}", declined.stderr);
    assert!(declined.stderr.contains("outcome:"), "{}", declined.stderr);
    assert!(declined.stderr.contains("116"), "{}", declined.stderr);
    assert!(
        declined.stderr.contains("Declined, insufficient funds"),
        "{}",
        declined.stderr
    );
    assert!(
        declined
            .stderr
            .contains("use another card: ask the customer for another card or payment method"),
        "the shop's advice: {}",
        declined.stderr
    );
    let declined = run(
        &sandbox,
        &["payout", &poor, "5.00", "p-2", "--yes", "--json"],
    )
    .await;
    assert_eq!(declined.code, 2);
    let answer = declined.json();
    assert_eq!(answer["outcome"], "declined");
    assert_eq!(answer["code"], "116");
    assert_eq!(answer["meaning"], "Declined, insufficient funds");
    assert_eq!(answer["advice"], "use_another_card");
    assert_eq!(
        answer["answer"]["trace_id"].as_str().map(str::len),
        Some(32),
        "EPoint's trace_id is kept for a support ticket: {answer}"
    );
    // The same decline through the table-driven `call`.
    let declined = run(
        &sandbox,
        &[
            "call",
            "payout",
            "-f",
            &format!("card_id={poor}"),
            "-f",
            "amount=5.00",
            "-f",
            "order_id=p-3",
            "-f",
            "currency=AZN",
            "-f",
            "language=az",
            "--yes",
            "--json",
        ],
    )
    .await;
    assert_eq!(declined.code, 2, "{}{}", declined.stdout, declined.stderr);
    assert_eq!(declined.json()["code"], "116");

    // Rejected: a wrong key, or an unknown transaction.
    let wrong = run_with(
        vec![
            "status".into(),
            "te000000001".into(),
            "--base-url".into(),
            sandbox.base_url().into(),
        ],
        Some("wrong_private_key"),
    )
    .await;
    assert_eq!(wrong.code, 3, "{}{}", wrong.stdout, wrong.stderr);
    assert!(
        wrong.stderr.contains("Signature did not match"),
        "{}",
        wrong.stderr
    );
    assert!(wrong.stderr.contains("trace_id"), "{}", wrong.stderr);
    let unknown = run(&sandbox, &["refund", "te999999999", "--yes", "--json"]).await;
    assert_eq!(unknown.code, 3, "{}{}", unknown.stdout, unknown.stderr);
    assert_eq!(unknown.json()["outcome"], "rejected");

    // Unknown outcome: processed, then the answer was lost.
    let client = sandbox.client().expect("client");
    let page = client.pay(epoint_az::dec!(20), "o-9").await.expect("pay");
    sandbox
        .complete(&page.transaction, Outcome::Paid)
        .await
        .expect("paid");
    sandbox.inject(OperationId::Reverse, Fault::DropConnection);
    let lost = run(&sandbox, &["refund", &page.transaction, "--yes"]).await;
    assert_eq!(lost.code, 4, "{}{}", lost.stdout, lost.stderr);
    assert!(lost.stderr.contains("epoint status"), "{}", lost.stderr);
    sandbox.clear_faults();

    // Not sent: nothing listens there.
    let not_sent = run_with(
        vec![
            "status".into(),
            "te1".into(),
            "--base-url".into(),
            "http://127.0.0.1:1".into(),
        ],
        Some(PRIVATE),
    )
    .await;
    assert_eq!(not_sent.code, 5, "{}", not_sent.stderr);

    // Usage and configuration: 64, never clap's 2.
    for args in [
        vec!["status"],
        vec!["pay", "abc", "o-1"],
        vec!["call", "pay_later"],
        vec!["call", "get-status", "-f", "novalue"],
        vec!["pay", "0", "o-1", "--yes"],
    ] {
        let usage = run(&sandbox, &args).await;
        assert_eq!(usage.code, 64, "{args:?}: {}{}", usage.stdout, usage.stderr);
    }
    let no_key = run_with(
        vec![
            "status".into(),
            "te1".into(),
            "--base-url".into(),
            sandbox.base_url().into(),
        ],
        None,
    )
    .await;
    assert_eq!(no_key.code, 64, "{}", no_key.stderr);
    assert!(
        no_key.stderr.contains("EPOINT_PRIVATE_KEY"),
        "{}",
        no_key.stderr
    );
    let help = run_with(vec!["--help".into()], None).await;
    assert_eq!(help.code, 0);
    for documented in [
        "Exit codes",
        "64",
        "not confirmed",
        "EPOINT_PRIVATE_KEY",
        "[table-driven]",
    ] {
        assert!(
            help.stdout.contains(documented),
            "{documented}: {}",
            help.stdout
        );
    }
    let help = run_with(vec!["payout".into(), "--help".into()], None).await;
    assert!(help.stdout.contains("Examples:"), "{}", help.stdout);
}

/// `epoint codes --lang`: one line per code, the code first. EPoint publishes bank-code
/// meanings in English only, so `az`/`ru` print English and say so on stderr.
#[test]
fn codes_in_a_language() {
    let codes = |args: &[&str], env_lang: Option<&str>| {
        let mut cmd = command(args, None);
        if let Some(lang) = env_lang {
            cmd.env("EPOINT_INTERFACE_LANG", lang);
        }
        let out = cmd.output().expect("run epoint");
        (
            out.status.code().expect("exit code"),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for lang in ["az", "ru", "en"] {
        let (code, stdout, stderr) = codes(&["codes", "--lang", lang], None);
        assert_eq!(code, 0, "{stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 102, "{lang}");
        for (line, (code, _)) in lines.iter().zip(epoint_az::BankCode::table()) {
            assert!(line.starts_with(&format!("{code}  ")), "{line}");
        }
        assert!(
            stdout.contains("116  Declined, insufficient funds"),
            "{stdout}"
        );
        assert_eq!(
            stderr.contains("English only"),
            lang != "en",
            "{lang}: {stderr}"
        );
    }
    let (code, stdout, stderr) = codes(&["codes", "116", "--lang", "ru"], None);
    assert_eq!(code, 0);
    assert!(stdout.contains("Declined, insufficient funds"), "{stdout}");
    assert!(stderr.contains("English only"), "{stderr}");
    // The default comes from EPOINT_INTERFACE_LANG.
    let (_, _, stderr) = codes(&["codes", "116"], Some("az"));
    assert!(stderr.contains("English only"), "{stderr}");
    let (code, stdout, _) = codes(&["codes", "--json", "116"], Some("ru"));
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(
        (json["meaning"].as_str(), json["language"].as_str()),
        (Some("Declined, insufficient funds"), Some("en"))
    );
    // A language that is not one of EPoint's is a usage error.
    let (code, _, stderr) = codes(&["codes", "--lang", "de"], None);
    assert_eq!(code, 64);
    assert!(stderr.contains("not one of az, en, ru"), "{stderr}");
    let (code, _, stderr) = codes(&["codes"], Some("sandbox_private_key_0000000001"));
    assert_eq!(code, 64);
    assert!(
        !stderr.contains("sandbox_private_key"),
        "a long value is not echoed: {stderr}"
    );
}

/// `epoint codes` gives the shop's advice: 116 (insufficient funds) → use another card, in
/// the text, the one-code view and both JSON forms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_show_the_advice() {
    let one = run_with(vec!["codes".into(), "116".into()], None).await;
    assert_eq!(one.code, 0);
    assert!(
        one.stdout
            .contains("use another card: ask the customer for another card or payment method"),
        "{}",
        one.stdout
    );
    let json = run_with(vec!["codes".into(), "--json".into(), "116".into()], None).await;
    assert_eq!(json.json()["advice"], "use_another_card");
    let json = run_with(vec!["codes".into(), "--json".into(), "911".into()], None).await;
    assert_eq!(json.json()["advice"], "retry_later");
    let table = run_with(vec!["codes".into()], None).await;
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l == "116  Declined, insufficient funds  [use_another_card]"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.lines().all(|l| l.ends_with(']')),
        "every code has an advice"
    );
    let json = run_with(vec!["codes".into(), "--json".into()], None).await;
    let json = json.json();
    assert_eq!(json["advice"]["116"], "use_another_card");
    assert_eq!(json["advice"]["101"], "use_another_card");
    assert_eq!(json["advice"]["000"], "not_a_decline");
    assert_eq!(json["codes"]["116"], "Declined, insufficient funds");
    assert_eq!(
        json["advice"].as_object().map(|a| a.len()),
        Some(epoint_az::BankCode::table().len())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_operations_and_completions() {
    let one = run_with(vec!["codes".into(), "116".into()], None).await;
    assert_eq!(one.code, 0);
    assert!(
        one.stdout.contains("Declined, insufficient funds"),
        "{}",
        one.stdout
    );
    let json = run_with(vec!["codes".into(), "--json".into(), "000".into()], None).await;
    assert_eq!(json.json()["meaning"], "Confirmed");
    let table = run_with(vec!["codes".into()], None).await;
    assert_eq!(
        table.stdout.lines().count(),
        epoint_az::BankCode::table().len()
    );
    let unknown = run_with(vec!["codes".into(), "999".into()], None).await;
    assert_eq!(unknown.code, 1);
    assert!(
        unknown
            .stdout
            .contains("retry later: not the card; check the transaction's status, then let the customer try again later (from its ISO 8583 class)"),
        "{}",
        unknown.stdout
    );

    let ops = run_with(vec!["operations".into(), "--json".into()], None).await;
    let rows = ops.json()["operations"].as_array().expect("rows").len();
    assert_eq!(rows, epoint_az::OPERATIONS.len());
    let ops = run_with(vec!["operations".into()], None).await;
    assert!(
        ops.stdout.contains("/api/1/refund-request"),
        "{}",
        ops.stdout
    );

    for shell in ["bash", "zsh", "fish"] {
        let script = run_with(vec!["completions".into(), shell.into()], None).await;
        assert_eq!(script.code, 0);
        assert!(script.stdout.contains("epoint"), "{}", script.stdout);
        assert!(script.stdout.contains("refund"), "{}", script.stdout);
        assert!(script.stdout.contains("callback"), "{}", script.stdout);
    }
    // The bash script parses and completes nested subcommands' options.
    let script = run_with(vec!["completions".into(), "bash".into()], None).await;
    let file = std::env::temp_dir().join(format!("epoint-completion-{}", std::process::id()));
    std::fs::write(&file, &script.stdout).expect("write script");
    let completed = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source '{}' && COMP_WORDS=(epoint callback send --fl) && COMP_CWORD=3 && _epoint epoint --fl send && echo \"${{COMPREPLY[@]}}\"",
            file.display()
        ))
        .output()
        .expect("bash");
    let _ = std::fs::remove_file(&file);
    assert!(
        completed.status.success(),
        "{}",
        String::from_utf8_lossy(&completed.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&completed.stdout).trim(), "--flow");
}

/// `callback serve` prints the verified callbacks that `callback send` posts, for every flow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_send_reaches_serve_which_verifies_it() {
    let mut serve = command(
        &["callback", "serve", "--port", "0", "--json"],
        Some(PRIVATE),
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("serve");
    let mut lines = BufReader::new(serve.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("read");
    let url = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {first}"))
        .to_owned();

    let flows = [
        ("payment", "payment"),
        ("card-registration", "card-registration"),
        (
            "payment-with-card-registration",
            "payment-with-card-registration",
        ),
        ("split-payment", "split-payment"),
        (
            "split-payment-with-card-registration",
            "split-payment-with-card-registration",
        ),
    ];
    for (flow, _) in flows {
        let sent = run_with(
            vec![
                "callback".into(),
                "send".into(),
                format!("{url}/epoint/result"),
                "--flow".into(),
                flow.into(),
                "--transaction".into(),
                "te000000042".into(),
                "--amount".into(),
                "30.75".into(),
            ],
            Some(PRIVATE),
        )
        .await;
        assert_eq!(sent.code, 0, "{flow}: {}{}", sent.stdout, sent.stderr);
        assert!(sent.stdout.contains("200"), "{}", sent.stdout);
    }
    // Signed with another key: the receiver refuses it and `send` says so.
    let refused = run_with(
        vec![
            "callback".into(),
            "send".into(),
            url.clone(),
            "--status".into(),
            "failed".into(),
        ],
        Some("wrong_private_key"),
    )
    .await;
    assert_eq!(refused.code, 3, "{}{}", refused.stdout, refused.stderr);
    assert!(refused.stderr.contains("400"), "{}", refused.stderr);
    assert_eq!(refused.stdout, "", "a failure is printed once, on stderr");

    serve.kill().expect("stop serve");
    let mut received = Vec::new();
    for line in lines {
        let line = line.expect("read");
        if !line.trim().is_empty() {
            received.push(serde_json::from_str::<Value>(&line).expect("JSON line"));
        }
    }
    let _ = serve.wait();
    assert_eq!(received.len(), flows.len() + 1, "{received:?}");
    for ((_, expected), got) in flows.iter().zip(&received) {
        assert_eq!(got["verified"], true, "{got}");
        assert_eq!(got["flow"], *expected, "{got}");
        assert_eq!(got["path"], "/epoint/result");
    }
    assert_eq!(received[0]["payload"]["transaction"], "te000000042");
    assert_eq!(received[0]["payload"]["amount"], 30.75);
    assert!(
        received[1]["payload"].get("transaction").is_none(),
        "{}",
        received[1]
    );
    assert_eq!(received[flows.len()]["verified"], false);
}

/// `callback serve --once` prints a human-readable verified callback and exits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_serve_once_prints_a_verified_callback() {
    let mut serve = command(
        &["callback", "serve", "--port", "0", "--once"],
        Some(PRIVATE),
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("serve");
    let mut stdout = BufReader::new(serve.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("read");
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .expect("url")
        .to_owned();
    // A callback as EPoint signs it, posted by the test itself.
    let keys = epoint_az::Keys::new(PUBLIC, PRIVATE);
    let body = keys
        .sign_callback(&serde_json::json!({
            "status": "failed", "code": "116", "transaction": "te000000007",
            "order_id": "o-7", "amount": 9.99, "operation_code": "100"
        }))
        .expect("sign");
    let answer = epoint_az::http_client_builder()
        .expect("tls")
        .build()
        .expect("http")
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(answer.status().as_u16(), 200);
    let status = tokio::task::spawn_blocking(move || serve.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("read");
    assert!(rest.contains("signature valid"), "{rest}");
    assert!(rest.contains("te000000007"), "{rest}");
    assert!(
        rest.contains("116 (Declined, insufficient funds)"),
        "{rest}"
    );
    assert!(rest.contains("flow:"), "{rest}");
    assert!(!rest.contains(PRIVATE));
}

/// On a terminal (a pseudo-terminal from util-linux `script`), a money-moving command asks:
/// `n` sends nothing, `y` sends. Skipped where `script` is not installed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_is_asked_before_money_moves() {
    if !std::path::Path::new("/usr/bin/script").exists() {
        eprintln!("skipped: /usr/bin/script (util-linux) is not installed");
        return;
    }
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let page = client.pay(epoint_az::dec!(20), "o-1").await.expect("pay");
    sandbox
        .complete(&page.transaction, Outcome::Paid)
        .await
        .expect("paid");
    let ask = |answer: &'static str| {
        let line = format!(
            "{} refund {} --amount 1.00 --base-url {}",
            env!("CARGO_BIN_EXE_epoint"),
            page.transaction,
            sandbox.base_url()
        );
        async move {
            tokio::task::spawn_blocking(move || {
                use std::io::Write;
                let mut child = Command::new("/usr/bin/script")
                    .args(["-qec", &line, "/dev/null"])
                    .env("EPOINT_PUBLIC_KEY", PUBLIC)
                    .env("EPOINT_PRIVATE_KEY", PRIVATE)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("script");
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(answer.as_bytes())
                    .expect("answer");
                child.wait_with_output().expect("run")
            })
            .await
            .expect("join")
        }
    };
    let no = ask("n\n").await;
    let text = String::from_utf8_lossy(&no.stdout).into_owned();
    assert_eq!(no.status.code(), Some(6), "{text}");
    assert!(text.contains("Send it? [y/N]"), "{text}");
    assert!(text.contains("About to send"), "{text}");
    assert!(!text.contains(PRIVATE));
    assert_eq!(sandbox.request_count(OperationId::Reverse), 0);
    let yes = ask("y\n").await;
    let text = String::from_utf8_lossy(&yes.stdout).into_owned();
    assert_eq!(yes.status.code(), Some(0), "{text}");
    assert!(!text.contains(PRIVATE));
    assert_eq!(sandbox.request_count(OperationId::Reverse), 1);
}

/// Runs the binary with its stdout a pipe whose reader is already gone (what `| head -n 1` does
/// once it has its line), so the first write fails with EPIPE.
fn closed_pipe(args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = command(&args, Some(PRIVATE))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn epoint");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait for epoint")
}

#[tokio::test]
async fn every_command_ends_quietly_on_a_closed_pipe() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let base = sandbox.base_url().to_owned();
    let paid = run(&sandbox, &["pay", "30.75", "pipe-1", "--yes", "--json"]).await;
    assert_eq!(paid.code, 0, "{}", paid.stderr);
    let transaction = paid.json()["transaction"]
        .as_str()
        .expect("transaction")
        .to_owned();
    let cases: Vec<Vec<String>> = [
        vec!["codes"],
        vec!["codes", "--json"],
        vec!["codes", "116"],
        vec!["operations"],
        vec!["completions", "bash"],
        vec!["status", &transaction, "--base-url", &base],
        vec!["status", &transaction, "--json", "--base-url", &base],
        vec!["heartbeat", "--base-url", &base],
        vec!["pay", "1.00", "pipe-2", "--yes", "--base-url", &base],
        vec!["refund", &transaction, "--dry-run", "--base-url", &base],
    ]
    .iter()
    .map(|args| args.iter().map(|a| (*a).to_owned()).collect())
    .collect();
    for args in &cases {
        let out = tokio::task::spawn_blocking({
            let args = args.clone();
            move || closed_pipe(&args)
        })
        .await
        .expect("join");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "epoint {}: {stderr}",
            args.join(" ")
        );
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "epoint {}: {stderr}",
            args.join(" ")
        );
    }
    // The money-moving command still did its work before its output was lost.
    assert!(
        sandbox
            .transactions()
            .iter()
            .any(|t| t.order_id == "pipe-2"),
        "pay went through though nobody read its output"
    );
}

/// Runs the binary with `input` on its standard input.
async fn run_with_input(sandbox: &Sandbox, args: &[&str], input: &str) -> Run {
    let mut all: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    all.extend(["--base-url".to_owned(), sandbox.base_url().to_owned()]);
    let input = input.to_owned();
    let out = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let args: Vec<&str> = all.iter().map(String::as_str).collect();
        let mut child = command(&args, Some(PRIVATE))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn epoint");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait")
    })
    .await
    .expect("join");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The acceptance run: pay X, look it up by order id, reconcile X and an unknown order.
#[tokio::test]
async fn status_by_order_id_and_reconcile_rows_for_every_order() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let paid = run(&sandbox, &["pay", "10.00", "X", "--yes", "--json"]).await;
    assert_eq!(paid.code, 0, "{}", paid.stderr);
    let transaction = paid.json()["transaction"]
        .as_str()
        .expect("transaction")
        .to_owned();

    let status = run(&sandbox, &["status", "--order-id", "X"]).await;
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(
        status
            .stdout
            .lines()
            .any(|l| l.starts_with("status:") && l.ends_with(" new")),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains(&transaction), "{}", status.stdout);
    let both = run(&sandbox, &["status", &transaction, "--order-id", "X"]).await;
    assert_eq!(both.code, 64, "usage error, nothing sent: {}", both.stderr);
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );

    let csv = run_with_input(&sandbox, &["reconcile", "-"], "X\nunknown\n").await;
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "order_id,transaction,status,amount,code,message",
            &format!("X,{transaction},new,10.00,,"),
            "unknown,,not_found,,,Order not found",
        ],
        "{}",
        csv.stdout
    );
    assert!(
        !csv.stderr.contains('\r'),
        "no progress bar when piped: {:?}",
        csv.stderr
    );

    // CSV input with an `order_id` column, JSON lines out, a malformed line reported.
    let json = run_with_input(
        &sandbox,
        &["reconcile", "--json", "--concurrency", "2"],
        "amount,order_id\n10.00,X\n1.00,bad\u{7}id\n2.00,unknown\n",
    )
    .await;
    assert_eq!(
        json.code, 7,
        "a skipped line makes the run incomplete: {}",
        json.stderr
    );
    assert!(json.stderr.contains(":3: not looked up"), "{}", json.stderr);
    let rows: Vec<Value> = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(rows.len(), 2, "{}", json.stdout);
    assert_eq!(rows[0]["order_id"], "X");
    assert_eq!(rows[0]["status"], "new");
    assert_eq!(rows[0]["transaction"], transaction.as_str());
    assert_eq!(rows[1]["status"], "not_found");

    // A lookup that fails is a row with `lookup_failed` and its message; the others still print.
    sandbox.inject(
        OperationId::GetStatus,
        Fault::HttpStatus {
            status: 502,
            body: "Bad Gateway".into(),
        },
    );
    let failed = run_with_input(&sandbox, &["reconcile", "-"], "X\nunknown\n").await;
    assert_eq!(failed.code, 7, "{}", failed.stderr);
    let rows: Vec<&str> = failed.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "no row dropped: {}", failed.stdout);
    assert!(
        rows[1].starts_with("X,,lookup_failed,,,"),
        "{}",
        failed.stdout
    );
    assert!(
        rows[2].starts_with("unknown,,lookup_failed,,,"),
        "{}",
        failed.stdout
    );
    assert!(
        rows[1].contains("HTTP 502"),
        "the message says why: {}",
        rows[1]
    );
    assert!(
        failed.stderr.contains("2 lookup_failed"),
        "{}",
        failed.stderr
    );
}

/// `--timeout` bounds a command against a gateway that accepts and never answers
/// (with the default, `status` waited 30 s per attempt, three attempts).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_bounds_a_command_against_a_hung_gateway() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let hung = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket); // accepted, never answered
        }
    });
    let started = std::time::Instant::now();
    let run = run_with(
        vec![
            "status".into(),
            "te000000001".into(),
            "--base-url".into(),
            url,
            "--timeout".into(),
            "1".into(),
        ],
        Some(PRIVATE),
    )
    .await;
    hung.abort();
    assert_eq!(run.code, 4, "outcome unknown: {}", run.stderr);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "three 1-second attempts, not three 30-second ones: {:?}",
        started.elapsed()
    );
    let bad = run_with(
        vec![
            "status".into(),
            "te1".into(),
            "--timeout".into(),
            "0".into(),
        ],
        Some(PRIVATE),
    )
    .await;
    assert_eq!(bad.code, 64, "a usage error: {}", bad.stderr);
}

/// Amounts are read by the library's `Money` parser and order ids by its `validate_order_id`,
/// in the typed commands and in `call`: a typo (`1e3`, `+5`, `-5`, `.5`, `1_000`, `NaN`, a
/// 10 KB order id) is exit 64 with the library's sentence, and nothing reaches the gateway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typos_in_amounts_and_order_ids_are_refused_before_anything_is_sent() {
    const NOT_DECIMAL: &str = "is not a decimal number like 30.75";
    const NOT_POSITIVE: &str = "must be greater than zero";
    let sandbox = Sandbox::start().await.expect("sandbox");
    let long_order_id = format!("order_id={}", "x".repeat(10 * 1024));
    fn call<'a>(fields: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["call", "execute-pay", "-f", "card_id=ce000000001"];
        args.extend_from_slice(&["-f", "currency=AZN", "-f", "language=az"]);
        for field in fields {
            args.extend_from_slice(&["-f", field]);
        }
        args.push("--yes");
        args
    }
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["pay", "1e3", "amt-1", "--yes"], NOT_DECIMAL),
        (vec!["pay", "1E3", "amt-1", "--yes"], NOT_DECIMAL),
        (vec!["pay", "1_000", "amt-1", "--yes"], NOT_DECIMAL),
        (vec!["pay", "+5", "amt-1", "--yes"], NOT_DECIMAL),
        (vec!["pay", "-5", "amt-1", "--yes"], NOT_POSITIVE),
        (vec!["pay", "-5.00", "amt-1", "--yes"], NOT_POSITIVE),
        (vec!["pay", ".5", "amt-1", "--yes"], NOT_DECIMAL),
        (vec!["pay", "5.", "amt-1", "--yes"], NOT_DECIMAL),
        (vec!["pay", "NaN", "amt-1", "--yes"], NOT_DECIMAL),
        (vec!["pay", "5", "\u{00AD}", "--yes"], "order_id"),
        (
            vec!["refund", "te000000001", "--amount", "1e3", "--yes"],
            NOT_DECIMAL,
        ),
        (
            vec!["refund", "te000000001", "--amount", "-5", "--yes"],
            NOT_POSITIVE,
        ),
        (
            vec!["payout", "ce000000009", "1_000", "payout-1", "--yes"],
            NOT_DECIMAL,
        ),
        (
            vec!["pay-with-saved-card", "ce000000001", "-1", "sub-1", "--yes"],
            NOT_POSITIVE,
        ),
        (call(&["amount=1e3", "order_id=c-1"]), NOT_DECIMAL),
        (call(&["amount:=-5", "order_id=c-1"]), NOT_POSITIVE),
        (call(&["amount:=1e3", "order_id=c-1"]), NOT_DECIMAL),
        (call(&["amount=NaN", "order_id=c-1"]), NOT_DECIMAL),
        (call(&["amount=-5", "order_id=c-1"]), NOT_POSITIVE),
        (
            call(&["amount:=0.001", "order_id=c-1"]),
            "two decimal places",
        ),
        (call(&["amount:=null", "order_id=c-1"]), "is not an amount"),
        (call(&["amount=5.00", &long_order_id]), "longer than 255"),
        (call(&["amount=5.00", "order_id=\u{2062}"]), "order_id"),
        (call(&["amount=5.00", "order_id=c-\u{202E}1"]), "U+202E"),
        (call(&["amount=5.00", "order_id:=7"]), "order_id"),
        (
            vec![
                "call",
                "split-request",
                "-f",
                "amount=10.00",
                "-f",
                "split_amount=1e3",
                "--yes",
            ],
            "split_amount",
        ),
        (
            vec!["call", "b2b_transfer", "-f", "order_id=..", "--yes"],
            "path segment",
        ),
        (
            vec!["call", "b2b_transfer", "-f", "amount=1e3", "--yes"],
            NOT_DECIMAL,
        ),
    ];
    for (args, sentence) in &cases {
        let refused = run(&sandbox, args).await;
        let shown: Vec<String> = args.iter().map(|a| a.chars().take(40).collect()).collect();
        assert_eq!(
            refused.code, 64,
            "{shown:?}: {}{}",
            refused.stdout, refused.stderr
        );
        assert!(
            refused.stderr.contains(sentence),
            "{shown:?}: {}",
            refused.stderr
        );
        assert!(
            refused.stderr.len() < 1000,
            "the 10 KB order id is not echoed back: {}",
            refused.stderr.len()
        );
    }
    assert!(
        sandbox.all_requests().is_empty(),
        "nothing reached the sandbox: {:?}",
        sandbox.all_requests()
    );

    // The same commands with well-formed values go through (and the log records them).
    let paid = run(&sandbox, &["pay", "1000.00", "amt-1", "--yes", "--json"]).await;
    assert_eq!(paid.code, 0, "{}{}", paid.stdout, paid.stderr);
    let transaction = paid.json()["transaction"]
        .as_str()
        .expect("transaction")
        .to_owned();
    let created = sandbox.transaction(&transaction).expect("created");
    assert_eq!(created.amount.to_string(), "1000.00");
    let preview = run(
        &sandbox,
        &[
            "call",
            "execute-pay",
            "-f",
            "amount:=5",
            "-f",
            "order_id=sifariş-1",
            "--dry-run",
            "--json",
        ],
    )
    .await;
    assert_eq!(preview.code, 0, "{}{}", preview.stdout, preview.stderr);
    assert_eq!(preview.json()["payload"]["amount"], 5);
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
    assert_eq!(sandbox.all_requests().len(), 1);
}

/// The unknown outcome as a person meets it on the command line: `epoint pay` times out
/// (exit 4) and its last line names the command that settles it; that command, run at once,
/// finds the payment (`new`, exit 0), and no second payment reaches the sandbox.
#[tokio::test]
async fn the_cli_names_the_command_that_settles_an_unknown_outcome() {
    use std::time::Duration;

    use epoint_az_sandbox::SEEDED_MERCHANTS;

    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox.inject(
        OperationId::PaymentRequest,
        Fault::Latency(Duration::from_millis(2500)),
    );
    let epoint = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_epoint"))
                .args(&args)
                .env("EPOINT_PUBLIC_KEY", SEEDED_MERCHANTS[0].0)
                .env("EPOINT_PRIVATE_KEY", SEEDED_MERCHANTS[0].1)
                .env_remove("EPOINT_BASE_URL")
                .stdin(std::process::Stdio::null())
                .output()
                .expect("run epoint")
        })
    };
    let base = sandbox.base_url().to_owned();
    let pay = epoint(
        [
            "pay",
            "12.00",
            "slow-1",
            "--timeout",
            "1",
            "--yes",
            "--base-url",
            &base,
        ]
        .map(str::to_owned)
        .to_vec(),
    )
    .await
    .expect("join");
    assert_eq!(pay.status.code(), Some(4), "{pay:?}");
    let stderr = String::from_utf8_lossy(&pay.stderr);
    let last = stderr.lines().last().expect("a message");
    let command = last
        .rsplit('`')
        .nth(1)
        .expect("the last line ends with a command in backticks");
    let words: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
    assert_eq!(words[0], "epoint", "{last}");
    assert!(command.contains("--order-id slow-1"), "{last}");
    assert!(command.contains(&base), "the same gateway: {last}");

    let settle = epoint(words[1..].to_vec()).await.expect("join");
    let stdout = String::from_utf8_lossy(&settle.stdout);
    assert_eq!(settle.status.code(), Some(0), "{settle:?}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("status:") && l.ends_with(" new")),
        "{stdout}"
    );
    assert_eq!(sandbox.request_count(OperationId::PaymentRequest), 1);
}
