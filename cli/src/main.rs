//! The `epoint` command line tool.
//!
//! For the people who run the shop, on the same signed client as the library:
//!
//! ```text
//! export EPOINT_PUBLIC_KEY=i000000001 EPOINT_PRIVATE_KEY=...
//! epoint status te000000001
//! epoint pay 30.75 order-1001 --description "2 coffees"
//! epoint refund te000000001 --amount 10.00
//! epoint payout ce000000009 250.00 payout-77
//! epoint call execute-pay -f card_id=ce000000001 -f amount=9.99 -f order_id=sub-1 -f currency=AZN
//! epoint codes 116
//! epoint callback send http://127.0.0.1:8000/epoint/result --status success --transaction te000000001
//! ```
//!
//! and for developers: `epoint sandbox` (the EPoint simulator as a standalone server; the
//! first line of its output is exactly the base URL), `epoint sign` and `epoint verify`.
//!
//! Exit codes: 0 success, 1 other failure, 2 declined by the bank, 3 rejected by EPoint (or by
//! the callback receiver), 4 outcome unknown (the request may have reached EPoint), 5 not sent
//! (EPoint unreachable), 6 not confirmed (nothing sent), 7 reconcile incomplete, 8 `probe` found
//! drift from the spec, 9 order taken in the journal (nothing sent), 64 usage or configuration
//! error.

#[macro_use]
mod output;
mod call;
mod callbacks;
mod codes;
mod journal;
mod merchant;
mod probe_command;
mod reconcile;
mod report;
mod send;
mod target;

use std::{net::IpAddr, process::ExitCode};

use clap::{CommandFactory, Parser, Subcommand};
use epoint_az_sandbox::{SEEDED_MERCHANTS, Sandbox, SandboxError, TEST_CARDS};

/// The exit codes, documented in `--help` and in `docs/cli.md`.
pub(crate) mod exit {
    /// The call succeeded.
    pub const SUCCESS: u8 = 0;
    /// Any other failure (e.g. `verify` refused a signature).
    pub const FAILURE: u8 = 1;
    /// The bank declined the charge or payout (the bank code says why).
    pub const DECLINED: u8 = 2;
    /// EPoint rejected the request (nothing was charged), or a callback receiver refused it.
    pub const REJECTED: u8 = 3;
    /// The request may have reached EPoint but its outcome is unknown: check the status.
    pub const UNKNOWN: u8 = 4;
    /// The request was not sent (EPoint could not be reached); nothing happened.
    pub const NOT_SENT: u8 = 5;
    /// A money-moving command was not confirmed (no terminal and no `--yes`, or answered no).
    pub const NOT_CONFIRMED: u8 = 6;
    /// `reconcile`: some lookups failed (rows with `lookup_failed`) or some input lines were
    /// reported (every order that could be read still has its row; look the others up again).
    pub const INCOMPLETE: u8 = 7;
    /// `probe`: an answer from EPoint differs from the spec's response schema.
    pub const DRIFT: u8 = 8;
    /// `--journal`: the order already has a payment in flight, unknown or done in the journal;
    /// the store refused a second one and nothing was sent.
    pub const ORDER_TAKEN: u8 = 9;
    /// Usage or configuration error (sysexits `EX_USAGE`); nothing was sent.
    pub const USAGE: u8 = 64;
}

const EXIT_CODES_HELP: &str = "\
Exit codes:
  0   success
  1   other failure (e.g. `verify` refused a signature)
  2   declined by the bank (the bank code and its meaning are printed)
  3   rejected by EPoint, nothing charged (or `callback send`: the receiver answered non-2xx)
  4   outcome unknown: the request may have reached EPoint; check `epoint status` before retrying
  5   not sent: EPoint could not be reached, nothing happened
  6   not confirmed: a money-moving command without a terminal and without --yes (nothing sent)
  7   reconcile: some lookups failed (their rows say `lookup_failed`) or input lines were reported
  8   probe: an answer from EPoint differs from the spec (the field and the types are named)
  9   --journal: the order already has a payment in flight, unknown or done there; nothing sent
  64  usage or configuration error (bad arguments, EPOINT_* variables missing); nothing sent

Environment:
  EPOINT_PUBLIC_KEY, EPOINT_PRIVATE_KEY  the merchant keys (never passed as arguments)
  EPOINT_BASE_URL                        default https://epoint.az (or --base-url)
  EPOINT_INTERFACE_LANG                  az | en | ru
  EPOINT_JOURNAL                         the payment journal (or --journal URL): sqlite:FILE | postgres://…

Hand-made commands for the daily jobs: status, reconcile, pay, refund, payout,
pay-with-saved-card, save-card, card-status, heartbeat. Every other operation of the spec: `epoint operations`
lists them and `epoint call OPERATION -f key=value ...` sends any of them (table-driven).";

#[derive(Debug, Parser)]
#[command(
    name = "epoint",
    version,
    about = "EPoint (epoint.az) tools: payments, refunds, payouts, bank codes and callbacks from a terminal; sandbox, sign and verify for developers",
    after_help = EXIT_CODES_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(flatten)]
    Merchant(merchant::MerchantCommand),
    /// Test callback handlers: send a signed callback, or receive and verify them.
    #[command(subcommand)]
    Callback(callbacks::CallbackCommand),
    /// The payment journal (`--journal URL` or EPOINT_JOURNAL): list the intents, settle the
    /// unknown ones.
    #[command(subcommand)]
    Journal(journal::JournalCommand),
    /// The bank response code table, or one code's meaning, in a language.
    #[command(
        after_help = "Examples:\n  epoint codes\n  epoint codes 116\n  epoint codes --lang ru 116\n  epoint codes --json 051\n\nEPoint publishes the meanings in English only; --lang az|ru says so on stderr and prints English."
    )]
    Codes {
        /// A bank response code, e.g. 116.
        code: Option<String>,
        /// az, en or ru (default: EPOINT_INTERFACE_LANG, else en).
        #[arg(long, value_name = "LANG")]
        lang: Option<String>,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Check EPoint's answers against the spec with requests that cannot move money
    /// (read-only lookups of unknown ids, requests EPoint must refuse); exit 8 names the drift.
    #[command(
        after_help = "Examples:\n  epoint probe\n  epoint probe --json\n  epoint probe --base-url http://127.0.0.1:40215\n  epoint probe --transaction te000000001\n\nKeys come from EPOINT_PUBLIC_KEY and EPOINT_PRIVATE_KEY. Exit codes: 0 every answer conforms, 8 an answer differs from the spec, 5 EPoint could not be reached, 64 usage error."
    )]
    Probe(probe_command::ProbeArgs),
    /// Print a shell completion script (bash, zsh or fish).
    #[command(
        after_help = "Examples:\n  epoint completions bash > /etc/bash_completion.d/epoint\n  epoint completions zsh > \"${fpath[1]}/_epoint\"\n  epoint completions fish > ~/.config/fish/completions/epoint.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Run the EPoint sandbox (a local simulator of the gateway) until interrupted.
    #[command(
        after_help = "Example:\n  epoint sandbox --port 0 --result-url http://127.0.0.1:8000/epoint/result"
    )]
    Sandbox {
        /// Port to listen on; 0 picks a free port.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// Where the merchants' signed callbacks are POSTed (EPoint's `result_url`).
        #[arg(long, value_name = "URL")]
        result_url: Option<String>,
    },
    /// Sign a JSON object: prints `data`, `signature` and the form body to POST.
    ///
    /// The private key is read from the environment variable named by --key-env (default
    /// EPOINT_PRIVATE_KEY), never from the command line.
    #[command(
        after_help = "Example:\n  EPOINT_PRIVATE_KEY=test_private_key epoint sign '{\"public_key\":\"i000000001\",\"transaction\":\"te000000001\"}'"
    )]
    Sign {
        /// The JSON object (e.g. '{"public_key":"i000000001","transaction":"te000000001"}');
        /// `-` reads it from standard input. Signed byte for byte as given, a trailing newline
        /// included (pipe it with `printf '%s'`, not `echo`, to leave it out).
        json: String,
        /// Environment variable holding the private key.
        #[arg(long, default_value = "EPOINT_PRIVATE_KEY", value_name = "VAR")]
        key_env: String,
    },
    /// Verify a signed form (a request you built, or a callback): prints the decoded JSON,
    /// or says exactly why the signature is refused.
    #[command(
        after_help = "Examples:\n  epoint verify 'data=...&signature=...'\n  epoint verify - < callback-body.txt\n  epoint verify --explain --candidate-key-env OLD_KEYS - < callback-body.txt"
    )]
    Verify {
        /// The form body `data=...&signature=...`, or the JSON envelope
        /// `{"data":"...","signature":"..."}`; `-` reads it from standard input, byte for byte.
        form: String,
        /// Environment variable holding the private key.
        #[arg(long, default_value = "EPOINT_PRIVATE_KEY", value_name = "VAR")]
        key_env: String,
        /// On a signature mismatch, name the common mistake the signature matches (a hex
        /// digest, the key on one side only, the JSON signed instead of `data`, URL encoding,
        /// JSON whitespace, another merchant's key: the sandbox's seeded merchants and each
        /// --candidate-key-env). No key is ever printed.
        #[arg(long)]
        explain: bool,
        /// With --explain: an environment variable holding another merchant's keys as
        /// `PUBLIC_KEY:PRIVATE_KEY`, tried as the key that signed; repeatable.
        #[arg(long, value_name = "VAR", requires = "explain")]
        candidate_key_env: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap's own code for usage errors is 2, which here means "declined".
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::SUCCESS
            };
            // With --json a script reads one JSON object on stdout, bad arguments included
            // (an amount such as `1e3` or `-5` is refused here, by `Money`'s own rules).
            if code == exit::USAGE && std::env::args_os().any(|a| a == "--json") {
                let rendered = e.render().to_string();
                let message = rendered
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("error: ");
                out!(
                    "{}",
                    serde_json::json!({"ok": false, "outcome": "usage", "exit_code": code, "error": message})
                );
                return ExitCode::from(code);
            }
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let offline = match &cli.command {
        Command::Sign { json, key_env } => Some(sign(json, key_env)),
        Command::Verify {
            form,
            key_env,
            explain,
            candidate_key_env,
        } => Some(verify(
            form,
            key_env,
            explain.then_some(candidate_key_env.as_slice()),
        )),
        Command::Codes { code, lang, json } => {
            return ExitCode::from(codes::run(code.as_deref(), lang.as_deref(), *json));
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "epoint", &mut script);
            output::bytes(&script);
            return ExitCode::SUCCESS;
        }
        Command::Sandbox { .. }
        | Command::Merchant(_)
        | Command::Callback(_)
        | Command::Probe(_)
        | Command::Journal(_) => None,
    };
    if let Some(result) = offline {
        return match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("epoint: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("epoint: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(async {
        match cli.command {
            Command::Sandbox {
                port,
                host,
                result_url,
            } => match sandbox(host, port, result_url).await {
                Ok(()) => exit::SUCCESS,
                Err(e) => {
                    eprintln!("epoint: {e}");
                    exit::FAILURE
                }
            },
            Command::Merchant(command) => merchant::run(command).await,
            Command::Callback(command) => callbacks::run(command).await,
            Command::Probe(args) => probe_command::run(args).await,
            Command::Journal(command) => journal::run(command).await,
            Command::Sign { .. }
            | Command::Verify { .. }
            | Command::Codes { .. }
            | Command::Completions { .. } => exit::SUCCESS,
        }
    });
    ExitCode::from(code)
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

/// The keys for `sign` / `verify`: the private key from the environment, never an argument
/// (arguments are visible to every user of the machine).
pub(crate) fn keys_from_env(var: &str) -> Result<epoint_az::Keys, String> {
    let private = match std::env::var(var) {
        Ok(v) if v.trim().is_empty() => {
            return Err(format!(
                "{var} is set but empty (the merchant's private key)"
            ));
        }
        Ok(v) => v,
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(format!(
                "{var} is not valid UTF-8 (the merchant's private key)"
            ));
        }
        Err(std::env::VarError::NotPresent) => {
            return Err(format!("{var} is not set (the merchant's private key)"));
        }
    };
    let public = std::env::var("EPOINT_PUBLIC_KEY").unwrap_or_default();
    Ok(epoint_az::Keys::new(public, private))
}

/// The argument, or standard input when it is `-`.
fn argument_or_stdin(value: &str) -> Result<String, std::io::Error> {
    if value == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
        // Byte for byte: what is signed or verified is exactly what was given.
        Ok(text)
    } else {
        Ok(value.to_owned())
    }
}

fn sign(json: &str, key_env: &str) -> CliResult {
    let keys = keys_from_env(key_env)?;
    let json = argument_or_stdin(json)?;
    let value =
        serde_json::from_str::<serde_json::Value>(&json).map_err(|e| format!("not JSON: {e}"))?;
    if !value.is_object() {
        return Err("not a JSON object: EPoint payloads are objects ({...})".into());
    }
    let envelope = keys.seal_json(json.as_bytes());
    out!("data={}", envelope.data);
    out!("signature={}", envelope.signature);
    out!("form_body={}", epoint_az::signing::form_body(&envelope));
    Ok(())
}

/// `--explain`'s candidate keys: each variable holds `PUBLIC_KEY:PRIVATE_KEY`.
fn candidate_keys(vars: &[String]) -> Result<Vec<epoint_az::Keys>, String> {
    vars.iter()
        .map(|var| {
            let value = std::env::var(var).unwrap_or_default();
            match value.split_once(':') {
                Some((public, private)) if !public.is_empty() && !private.is_empty() => {
                    Ok(epoint_az::Keys::new(public, private))
                }
                // The value is a secret: the message names the variable, never its content.
                _ => Err(format!(
                    "--candidate-key-env {var}: the variable must hold PUBLIC_KEY:PRIVATE_KEY"
                )),
            }
        })
        .collect()
}

/// The `data` and `signature` of a form body or JSON envelope, decoded, for `--explain`.
fn data_and_signature(input: &str) -> Option<(String, String)> {
    if input.trim_start().starts_with('{') {
        let envelope: epoint_az::generated::types::SignedEnvelope =
            serde_json::from_str(input).ok()?;
        return Some((envelope.data, envelope.signature));
    }
    let field = |name: &str| {
        form_urlencoded::parse(input.trim().as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    Some((field("data")?, field("signature")?))
}

/// `explain`: the candidate-key variables when `--explain` was given.
fn verify(form: &str, key_env: &str, explain: Option<&[String]>) -> CliResult {
    let keys = keys_from_env(key_env)?;
    let candidates = explain.map(candidate_keys).transpose()?;
    let input = argument_or_stdin(form)?;
    let explained = |reason: String| -> String {
        let Some(candidates) = &candidates else {
            return reason;
        };
        let seeded = SEEDED_MERCHANTS
            .iter()
            .filter(|(public, _)| *public != keys.public_key())
            .map(|(public, private)| epoint_az::Keys::new(*public, *private));
        let others: Vec<epoint_az::Keys> = candidates.iter().cloned().chain(seeded).collect();
        let others: Vec<&epoint_az::Keys> = others.iter().collect();
        let mistake = data_and_signature(&input).and_then(|(data, signature)| {
            epoint_az::signing::explain_mismatch(&data, &signature, &keys, &others)
        });
        match mistake {
            Some(mistake) => format!("{reason}\nlikely mistake: {mistake}"),
            None => format!(
                "{reason}\nlikely mistake: none of the common ones (hex digest, key on one side, \
                 JSON signed instead of data, URL encoding, JSON whitespace, another merchant's \
                 key) matches; check the private key"
            ),
        }
    };
    // The JSON envelope the sandbox also accepts, or the form body.
    let (form, signature) = if input.trim_start().starts_with('{') {
        let envelope: epoint_az::generated::types::SignedEnvelope = serde_json::from_str(&input)
            .map_err(|e| format!("not a JSON envelope {{\"data\":…,\"signature\":…}}: {e}"))?;
        let signature = envelope.signature.clone();
        (epoint_az::signing::form_body(&envelope), Some(signature))
    } else {
        let signature = form_urlencoded::parse(input.trim().as_bytes())
            .find(|(k, _)| k == "signature")
            .map(|(_, v)| v.into_owned());
        (input.clone(), signature)
    };
    // The most common porting bug: `+` sent unencoded, which a form decoder reads as a space.
    if signature.as_deref().is_some_and(|s| s.contains(' ')) {
        return Err("the signature contains a space: a `+` was sent unencoded and decoded as a \
                    space; in a form body `+` must be sent as `%2B` (and `/` as `%2F`, `=` as `%3D`)"
            .into());
    }
    let verified = keys.verify_form(form.as_bytes()).map_err(|e| match e {
        epoint_az::CallbackError::Signature(e) => {
            explained(format!("signed form (request or callback) refused: {e}"))
        }
        other => format!("signed form (request or callback): {other}"),
    })?;
    out!("signature valid");
    out!("{}", verified.json());
    if let Ok(callback) = verified.parse() {
        out!("flow: {:?}", callback.flow);
    }
    Ok(())
}

async fn sandbox(
    host: IpAddr,
    port: u16,
    result_url: Option<String>,
) -> Result<(), Box<dyn std::error::Error>> {
    // The handlers exist before the first line is printed: whoever sees the banner (a person,
    // or a script that reads the base URL and signals at once) can stop the server with
    // SIGINT/SIGTERM and get a clean exit, never the default action that kills it.
    let mut stop = StopSignals::install()?;
    let mut builder = Sandbox::builder().ip(host).port(port);
    if let Some(url) = &result_url {
        builder = builder.result_url(url.clone());
    }
    let sandbox = builder.start().await.map_err(|e| match e {
        SandboxError::InvalidResultUrl { reason, .. } => format!("--result-url: {reason}"),
        other => other.to_string(),
    })?;
    // The first line is exactly the base URL, for scripts.
    note!("{}", sandbox.base_url());
    note!();
    note!("EPoint sandbox: POST the signed /api/1/... operations here (form data + signature).");
    note!(
        "Callbacks go to: {}",
        result_url
            .as_deref()
            .unwrap_or("(none: pass --result-url URL)")
    );
    note!();
    note!("Merchants (public test keys):");
    for (public, private) in SEEDED_MERCHANTS {
        note!("  public_key {public}   private_key {private}");
    }
    note!();
    note!("Test cards (any expiry MM/YY, any CVV; the last three digits are the bank code):");
    for (number, code, what) in TEST_CARDS {
        note!("  {number}   {code}   {what}");
    }
    note!();
    note!(
        "Inspect: GET {0}/_sandbox/requests, /_sandbox/transactions, /_sandbox/cards, /_sandbox/callbacks",
        sandbox.base_url()
    );
    note!(
        "Complete a page without a browser: POST {}/_sandbox/complete/ID  (outcome=paid | outcome=declined&code=116)",
        sandbox.base_url()
    );
    note!(
        "Inject a fault: POST {}/_sandbox/faults/OPERATION  (kind=drop | truncated | latency&ms=500 | status&status=502 | not_json)",
        sandbox.base_url()
    );
    note!("Press Ctrl-C to stop.");

    stop.wait().await?;
    sandbox.shutdown().await;
    note!("sandbox stopped");
    Ok(())
}

/// The signals that stop `epoint sandbox`, registered when made: tokio installs the handler of
/// `tokio::signal::ctrl_c()` only when it is first polled, so a signal arriving earlier (while
/// the banner is printed) would kill the process instead.
#[cfg(unix)]
struct StopSignals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl StopSignals {
    /// Registers SIGINT and SIGTERM handlers now (inside the runtime).
    fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Waits for SIGINT or SIGTERM, including one that arrived since [`StopSignals::install`].
    async fn wait(&mut self) -> std::io::Result<()> {
        tokio::select! {
            _ = self.interrupt.recv() => Ok(()),
            _ = self.terminate.recv() => Ok(()),
        }
    }
}

/// Ctrl-C where there are no unix signals.
#[cfg(not(unix))]
struct StopSignals;

#[cfg(not(unix))]
impl StopSignals {
    fn install() -> std::io::Result<Self> {
        Ok(Self)
    }

    async fn wait(&mut self) -> std::io::Result<()> {
        tokio::signal::ctrl_c().await
    }
}
