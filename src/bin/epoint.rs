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
use epoint::sandbox::{SEEDED_MERCHANTS, Sandbox, TEST_CARDS};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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

async fn sandbox(
    host: IpAddr,
    port: u16,
    result_url: Option<String>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Sandbox::builder().ip(host).port(port);
    if let Some(url) = &result_url {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("--result-url {url:?}: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!("--result-url {url:?} must be an http(s) URL").into());
        }
        builder = builder.result_url(url.clone());
    }
    let sandbox = builder.start().await?;
    // The first line is exactly the base URL, for scripts.
    println!("{}", sandbox.base_url());
    println!();
    println!("EPoint sandbox: POST the ten /api/1/... operations here (form data + signature).");
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
