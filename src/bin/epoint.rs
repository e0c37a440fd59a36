//! The `epoint` command line tool.
//!
//! ```text
//! epoint sandbox --port 0 --result-url http://127.0.0.1:8000/epoint/result
//! ```
//!
//! starts the EPoint sandbox as a standalone server for other-language teams and manual
//! testers. The first line of its output is exactly the base URL (`http://127.0.0.1:PORT`);
//! the merchant keys and test cards follow. It runs until Ctrl-C or SIGTERM and then shuts
//! down cleanly.

use std::{net::IpAddr, process::ExitCode};

use clap::{Parser, Subcommand};
use epoint::sandbox::{SEEDED_MERCHANTS, Sandbox, SandboxError, TEST_CARDS};

#[derive(Debug, Parser)]
#[command(name = "epoint", version, about = "EPoint (epoint.az) tools")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the EPoint sandbox (a local simulator of the gateway) until interrupted.
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
    Verify {
        /// The form body `data=...&signature=...`, or the JSON envelope
        /// `{"data":"...","signature":"..."}`; `-` reads it from standard input, byte for byte.
        form: String,
        /// Environment variable holding the private key.
        #[arg(long, default_value = "EPOINT_PRIVATE_KEY", value_name = "VAR")]
        key_env: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let offline = match &cli.command {
        Command::Sign { json, key_env } => Some(sign(json, key_env)),
        Command::Verify { form, key_env } => Some(verify(form, key_env)),
        Command::Sandbox { .. } => None,
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
    let result = runtime.block_on(async {
        match cli.command {
            Command::Sandbox {
                port,
                host,
                result_url,
            } => sandbox(host, port, result_url).await,
            Command::Sign { .. } | Command::Verify { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("epoint: {e}");
            ExitCode::FAILURE
        }
    }
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

/// The keys for `sign` / `verify`: the private key from the environment, never an argument
/// (arguments are visible to every user of the machine).
fn keys_from_env(var: &str) -> Result<epoint::Keys, String> {
    let private = std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("{var} is not set (the merchant's private key)"))?;
    let public = std::env::var("EPOINT_PUBLIC_KEY").unwrap_or_default();
    Ok(epoint::Keys::new(public, private))
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
    println!("data={}", envelope.data);
    println!("signature={}", envelope.signature);
    println!("form_body={}", epoint::signing::form_body(&envelope));
    Ok(())
}

fn verify(form: &str, key_env: &str) -> CliResult {
    let keys = keys_from_env(key_env)?;
    let input = argument_or_stdin(form)?;
    // The JSON envelope the sandbox also accepts, or the form body.
    let (form, signature) = if input.trim_start().starts_with('{') {
        let envelope: epoint::generated::types::SignedEnvelope = serde_json::from_str(&input)
            .map_err(|e| format!("not a JSON envelope {{\"data\":…,\"signature\":…}}: {e}"))?;
        let signature = envelope.signature.clone();
        (epoint::signing::form_body(&envelope), Some(signature))
    } else {
        let signature = form_urlencoded::parse(input.trim().as_bytes())
            .find(|(k, _)| k == "signature")
            .map(|(_, v)| v.into_owned());
        (input, signature)
    };
    // The most common porting bug: `+` sent unencoded, which a form decoder reads as a space.
    if signature.as_deref().is_some_and(|s| s.contains(' ')) {
        return Err("the signature contains a space: a `+` was sent unencoded and decoded as a \
                    space; in a form body `+` must be sent as `%2B` (and `/` as `%2F`, `=` as `%3D`)"
            .into());
    }
    let verified = keys.verify_form(form.as_bytes()).map_err(|e| match e {
        epoint::CallbackError::Signature(e) => {
            format!("signed form (request or callback) refused: {e}")
        }
        other => format!("signed form (request or callback): {other}"),
    })?;
    println!("signature valid");
    println!("{}", verified.json());
    if let Ok(callback) = verified.parse() {
        println!("flow: {:?}", callback.flow);
    }
    Ok(())
}

async fn sandbox(
    host: IpAddr,
    port: u16,
    result_url: Option<String>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Sandbox::builder().ip(host).port(port);
    if let Some(url) = &result_url {
        builder = builder.result_url(url.clone());
    }
    let sandbox = builder.start().await.map_err(|e| match e {
        SandboxError::InvalidResultUrl { reason, .. } => format!("--result-url: {reason}"),
        other => other.to_string(),
    })?;
    // The first line is exactly the base URL, for scripts.
    println!("{}", sandbox.base_url());
    println!();
    println!("EPoint sandbox: POST the signed /api/1/... operations here (form data + signature).");
    println!(
        "Callbacks go to: {}",
        result_url
            .as_deref()
            .unwrap_or("(none: pass --result-url URL)")
    );
    println!();
    println!("Merchants (public test keys):");
    for (public, private) in SEEDED_MERCHANTS {
        println!("  public_key {public}   private_key {private}");
    }
    println!();
    println!("Test cards (any expiry MM/YY, any CVV; the last three digits are the bank code):");
    for (number, code, what) in TEST_CARDS {
        println!("  {number}   {code}   {what}");
    }
    println!();
    println!(
        "Inspect: GET {0}/_sandbox/requests, /_sandbox/transactions, /_sandbox/cards, /_sandbox/callbacks",
        sandbox.base_url()
    );
    println!(
        "Complete a page without a browser: POST {}/_sandbox/complete/ID  (outcome=paid | outcome=declined&code=116)",
        sandbox.base_url()
    );
    println!(
        "Inject a fault: POST {}/_sandbox/faults/OPERATION  (kind=drop | truncated | latency&ms=500 | status&status=502 | not_json)",
        sandbox.base_url()
    );
    println!("Press Ctrl-C to stop.");

    wait_for_signal().await?;
    sandbox.shutdown().await;
    println!("sandbox stopped");
    Ok(())
}

#[cfg(unix)]
async fn wait_for_signal() -> std::io::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result,
        _ = term.recv() => Ok(()),
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> std::io::Result<()> {
    tokio::signal::ctrl_c().await
}
