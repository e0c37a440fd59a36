//! Where a merchant command sends and with which keys: the options every command takes
//! ([`Opts`]) and the client they build from the environment and those options.

use epoint_az::{Client, Config};

use crate::report::Report;

/// Options every merchant command takes.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Opts {
    /// Send to this base URL (e.g. a sandbox's) instead of EPOINT_BASE_URL / `https://epoint.az`.
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// Seconds allowed for each request to EPoint (default 30). Read-only lookups (`status`,
    /// `reconcile`) are retried twice after a timeout, so they may take three times this.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=600))]
    pub(crate) timeout: Option<u64>,
    /// Print one JSON object on stdout (for scripts) instead of `key: value` lines.
    #[arg(long)]
    pub(crate) json: bool,
    /// Print what would be sent (URL, JSON, data, signature, form body) and send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Money-moving commands: send without asking (for scripts). Without it they ask on a
    /// terminal, and refuse (exit 6) when standard input is not a terminal.
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
}
pub(crate) const ENV_HELP: &str = "Keys come from EPOINT_PUBLIC_KEY and EPOINT_PRIVATE_KEY (never from arguments); \
EPOINT_BASE_URL or --base-url says where to send. See `epoint --help` for the exit codes.";
/// The client from the environment, pointed at `--base-url` when given (which then wins over
/// EPOINT_BASE_URL: a bad value there does not stop a command that does not use it).
pub(crate) fn client(opts: &Opts) -> Result<Client, Report> {
    let mut config = Config::from_lookup(|name| {
        if name == "EPOINT_BASE_URL" && opts.base_url.is_some() {
            return None;
        }
        std::env::var(name).ok()
    })
    .map_err(|e| {
        // The reminder about the keys only when the keys are the problem.
        let keys = ["EPOINT_PUBLIC_KEY", "EPOINT_PRIVATE_KEY"].contains(&e.variable());
        Report::usage(if keys {
            format!(
                "{e}; set EPOINT_PUBLIC_KEY and EPOINT_PRIVATE_KEY in the environment (keys are never arguments)"
            )
        } else {
            e.to_string()
        })
    })?;
    if let Some(url) = &opts.base_url {
        config = config.base_url(url.clone());
    }
    if let Some(seconds) = opts.timeout {
        let timeout = std::time::Duration::from_secs(seconds);
        let connect = timeout.min(config.get_connect_timeout());
        config = config.timeout(timeout).connect_timeout(connect);
    }
    Client::new(config).map_err(|e| match e {
        // Only `--base-url` can still be invalid here: the environment was checked above.
        epoint_az::ConfigError::Invalid {
            variable: "EPOINT_BASE_URL",
            reason,
        } => Report::usage(format!("--base-url is invalid: {reason}")),
        other => Report::usage(other.to_string()),
    })
}
/// A client for read-only lookups (`epoint journal resolve`), from the environment and these
/// options, or the sentence that says what is wrong.
pub(crate) fn lookup_client(
    base_url: Option<String>,
    timeout: Option<u64>,
) -> Result<Client, String> {
    let opts = Opts {
        base_url,
        timeout,
        json: false,
        dry_run: false,
        yes: false,
    };
    client(&opts).map_err(|report| report.error.unwrap_or_default())
}
