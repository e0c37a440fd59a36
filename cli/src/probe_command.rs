//! `epoint probe`: runs [`epoint_az_cli::probe`] and prints what it found.

use std::time::Duration;

use epoint_az_cli::probe::{Probe, ProbeResult, Report, Verdict};
use serde_json::json;

use crate::exit;

/// `epoint probe`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct ProbeArgs {
    /// Probe this base URL (e.g. a sandbox's) instead of EPOINT_BASE_URL / `https://epoint.az`.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Seconds allowed for each request (default 30). Nothing is retried.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: Option<u64>,
    /// Also look up this transaction of yours (read-only); its answer must carry `transaction`.
    #[arg(long, value_name = "ID")]
    transaction: Option<String>,
    /// Print one JSON object on stdout (for CI) instead of one line per probe.
    #[arg(long)]
    json: bool,
}

/// Runs the probe; returns the exit code.
pub(crate) async fn run(args: ProbeArgs) -> u8 {
    let probe = match probe(&args) {
        Ok(probe) => probe,
        Err(message) => return usage(&args, &message),
    };
    eprintln!(
        "epoint probe: moves no money. It sends only read-only lookups of ids that do not exist \
         and requests EPoint must refuse (bad input, broken signatures), and checks each answer \
         against the spec the epoint-az client was built from:"
    );
    for planned in probe.plan() {
        eprintln!(
            "  {:<29} {} {}: {}",
            planned.name, planned.method, planned.path, planned.about
        );
    }
    let report = match probe.run().await {
        Ok(report) => report,
        Err(e) => return usage(&args, &e.to_string()),
    };
    let code = exit_code(&report);
    if args.json {
        out!("{}", to_json(&probe, &report, code));
    } else {
        for result in &report.results {
            print_result(result);
        }
        eprintln!("epoint probe: {}", summary(&report));
    }
    code
}

fn probe(args: &ProbeArgs) -> Result<Probe, String> {
    let keys = crate::keys_from_env("EPOINT_PRIVATE_KEY")?;
    if keys.public_key().trim().is_empty() {
        return Err("EPOINT_PUBLIC_KEY is not set (the merchant's public key)".into());
    }
    let base_url = match &args.base_url {
        Some(url) => url.clone(),
        None => std::env::var("EPOINT_BASE_URL").unwrap_or_else(|_| "https://epoint.az".into()),
    };
    epoint_az::config::check_url(&base_url).map_err(|e| format!("base URL: {e}"))?;
    let mut probe = Probe::new(base_url, keys);
    if let Some(seconds) = args.timeout {
        probe = probe.timeout(Duration::from_secs(seconds));
    }
    if let Some(id) = &args.transaction {
        if id.trim().is_empty() {
            return Err("--transaction is empty".into());
        }
        probe = probe.known_transaction(id.clone());
    }
    Ok(probe)
}

fn usage(args: &ProbeArgs, message: &str) -> u8 {
    if args.json {
        out!(
            "{}",
            json!({"ok": false, "outcome": "usage", "exit_code": exit::USAGE, "error": message,
                   "moves_money": false})
        );
    }
    eprintln!("epoint: {message}");
    exit::USAGE
}

/// 0 every answer conforms; 8 an answer drifted from the spec; 5 EPoint could not be reached
/// (and nothing drifted).
fn exit_code(report: &Report) -> u8 {
    if report.drifted() {
        exit::DRIFT
    } else if report.unreachable() {
        exit::NOT_SENT
    } else {
        exit::SUCCESS
    }
}

fn summary(report: &Report) -> String {
    let total = report.results.len();
    let ok = report
        .results
        .iter()
        .filter(|r| r.verdict == Verdict::Ok)
        .count();
    if report.drifted() {
        format!(
            "{ok} of {total} answers conform; EPoint's answers differ from the spec (exit {})",
            exit::DRIFT
        )
    } else if report.unreachable() {
        format!(
            "{ok} of {total} answers conform; EPoint could not be reached for the others (exit {})",
            exit::NOT_SENT
        )
    } else {
        format!("all {total} answers conform to the spec")
    }
}

fn print_result(result: &ProbeResult) {
    match &result.verdict {
        Verdict::Ok => out!("ok     {} ({})", result.name, result.schema),
        Verdict::Drift(findings) => {
            out!("DRIFT  {} ({})", result.name, result.schema);
            for finding in findings {
                out!("         {finding}");
            }
        }
        Verdict::Unreachable(why) => out!("UNREACHABLE  {}: {why}", result.name),
    }
    for field in &result.new_fields {
        out!("         `/{field}`: not in the spec (a new or renamed field)");
    }
}

fn to_json(probe: &Probe, report: &Report, code: u8) -> serde_json::Value {
    let requests: Vec<_> = probe
        .plan()
        .into_iter()
        .map(|p| {
            json!({"name": p.name, "method": p.method, "path": p.path, "about": p.about,
                   "signature": p.signature})
        })
        .collect();
    let outcome = match code {
        exit::SUCCESS => "conforms",
        exit::DRIFT => "drift",
        _ => "unreachable",
    };
    json!({
        "ok": code == exit::SUCCESS,
        "outcome": outcome,
        "exit_code": code,
        "moves_money": report.moves_money,
        "base_url": report.base_url,
        "requests": requests,
        "probes": report.results,
    })
}
