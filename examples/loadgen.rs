//! Load generator: the crate's `pay` and `get_transaction_status` against raw reqwest, on the
//! same local EPoint-compatible server, as calls/s, latency percentiles, peak RSS and ratios.
//!
//! ```sh
//! # the whole comparison (server and every client in their own process), 3 rounds, medians:
//! cargo run --release --example loadgen -- bench
//! # one client against a server you started yourself:
//! cargo run --release --example loadgen -- serve            # prints its URL
//! cargo run --release --example loadgen -- run pay 64 http://127.0.0.1:PORT
//! ```
//!
//! Modes (every one answers the same calls on the same server):
//! - `floor`: raw reqwest POSTing one body signed once (the floor: no signing, no parsing);
//! - `raw`: raw reqwest, the payload built, signed and form-encoded per call, the answer parsed;
//! - `pay`: `epoint_az::Client::pay(..).await`;
//! - `status`: `epoint_az::Client::get_transaction_status(..).await`;
//! - `pay-bare`: `pay` on a reqwest client without `Client::new`'s timeouts and user agent
//!   (what those settings cost; not in the default `bench` set).
//!
//! `count MODE CALLS URL` makes CALLS calls one after another on a single-threaded runtime, for
//! counting instructions per call without the noise of a shared machine:
//! `valgrind --tool=callgrind loadgen count pay 3000 URL` minus the same with 1000 calls, / 2000.
//!
//! `bench` flags: `--rounds N` (3), `--seconds S` per measurement (3), `--warmup S` (1),
//! `--concurrency 1,16,64,256,1024`, `--modes floor,raw,pay,status`, `--sandbox` (the embedded
//! sandbox as the server instead of the echo server), `--json FILE` (results for
//! `benches/report.py`). Never run in tests: numbers on a shared machine are only ratios.

use std::{
    convert::Infallible,
    net::SocketAddr,
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use bytes::Bytes;
use epoint_az::{Client, Config, dec};
use sha1::{Digest, Sha1};

const PUBLIC_KEY: &str = "i000000001";
const PRIVATE_KEY: &str = "loadgen_private_key_0123456789abcdef";
const ORDER: &str = "order-1001";
const TRANSACTION: &str = "te000000001";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(args.iter().any(|a| a == "--sandbox")),
        Some("run") => run_command(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("count") => count(&args[1..]),
        _ => Err(
            "usage: loadgen serve [--sandbox] | run MODE CONCURRENCY URL [SECONDS WARMUP] | count MODE CALLS URL | bench [flags]"
                .into(),
        ),
    };
    if let Err(e) = result {
        eprintln!("loadgen: {e}");
        std::process::exit(2);
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

// ───────────────────────────── server ─────────────────────────────

/// Serves EPoint's answers for `/api/1/request` and `/api/1/get-status`: the echo server reads
/// the whole form body and answers a fixed JSON (what EPoint answers on success); `--sandbox`
/// runs the embedded sandbox instead (signature checks, ledger, request log).
fn serve(sandbox: bool) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        if sandbox {
            let sandbox = epoint_az_sandbox::Sandbox::builder()
                .no_merchants()
                .merchant(epoint_az_sandbox::Merchant::new(PUBLIC_KEY, PRIVATE_KEY))
                .request_log_limit(1000)
                .start()
                .await?;
            println!("{}", sandbox.base_url());
            std::future::pending::<()>().await;
            return Ok(());
        }
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        println!("http://{}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(echo);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

static PAY_ANSWER: &str = r#"{"status":"success","transaction":"te000000001","redirect_url":"https://epoint.az/api/1/redirect?id=te000000001"}"#;
static STATUS_ANSWER: &str = r#"{"status":"success","code":"000","message":"Approved","transaction":"te000000001","bank_transaction":"1234567890","rrn":"123456789012","card_mask":"411111******1111","card_name":"TEST CARDHOLDER","amount":30.75,"order_id":"order-1001","operation_code":"100"}"#;

async fn echo(
    request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<String>, Infallible> {
    use http_body_util::BodyExt;
    let path = request.uri().path().to_owned();
    let body = request.into_body().collect().await.map(|b| b.to_bytes());
    let answer = match (path.as_str(), body) {
        (_, Ok(body)) if !body.starts_with(b"data=") => {
            r#"{"status":"error","message":"data is required"}"#
        }
        ("/api/1/request", Ok(_)) => PAY_ANSWER,
        ("/api/1/get-status", Ok(_)) => STATUS_ANSWER,
        _ => r#"{"status":"error","message":"unknown operation"}"#,
    };
    let mut response = hyper::Response::new(answer.to_owned());
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

// ───────────────────────────── one client ─────────────────────────────

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Floor,
    Raw,
    Pay,
    Status,
    PayBare,
    PaySend,
}

impl Mode {
    fn parse(s: &str) -> Result<Self, BoxError> {
        Ok(match s {
            "floor" => Self::Floor,
            "raw" => Self::Raw,
            "pay" => Self::Pay,
            "pay-bare" => Self::PayBare,
            "pay-send" => Self::PaySend,
            "status" => Self::Status,
            other => {
                return Err(
                    format!("unknown mode {other} (floor, raw, pay, status, pay-bare)").into(),
                );
            }
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Floor => "floor",
            Self::Raw => "raw",
            Self::Pay => "pay",
            Self::PayBare => "pay-bare",
            Self::PaySend => "pay-send",
            Self::Status => "status",
        }
    }
}

/// The payload a hand-written client builds per call (the same fields `pay` sends).
#[derive(serde::Serialize)]
struct RawPayment<'a> {
    public_key: &'a str,
    amount: &'a str,
    currency: &'a str,
    language: &'a str,
    order_id: &'a str,
}

/// The answer a hand-written client reads.
#[derive(serde::Deserialize)]
struct RawAnswer {
    status: String,
    #[allow(dead_code)]
    transaction: Option<String>,
    #[allow(dead_code)]
    redirect_url: Option<String>,
}

fn raw_sign(json: &[u8]) -> String {
    let data = STANDARD.encode(json);
    let mut hasher = Sha1::new();
    hasher.update(PRIVATE_KEY.as_bytes());
    hasher.update(data.as_bytes());
    hasher.update(PRIVATE_KEY.as_bytes());
    let signature = STANDARD.encode(hasher.finalize());
    form_urlencoded::Serializer::new(String::new())
        .append_pair("data", &data)
        .append_pair("signature", &signature)
        .finish()
}

struct Target {
    mode: Mode,
    transaction: String,
    url: String,
    client: Client,
    http: reqwest::Client,
    floor_body: Bytes,
}

impl Target {
    /// What both raw modes send: a form body POSTed with plain reqwest.
    async fn post_form(
        &self,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Result<reqwest::Response> {
        self.http
            .post(&self.url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
    }

    async fn call(&self) -> Result<(), BoxError> {
        match self.mode {
            Mode::Floor => {
                self.post_form(self.floor_body.clone())
                    .await?
                    .bytes()
                    .await?;
            }
            Mode::Raw => {
                let json = serde_json::to_vec(&RawPayment {
                    public_key: PUBLIC_KEY,
                    amount: "30.75",
                    currency: "AZN",
                    language: "az",
                    order_id: ORDER,
                })?;
                let response = self.post_form(raw_sign(&json)).await?;
                if response.status() != reqwest::StatusCode::OK {
                    return Err(format!("HTTP {}", response.status()).into());
                }
                let answer: RawAnswer = serde_json::from_slice(&response.bytes().await?)?;
                if answer.status != "success" {
                    return Err(format!("status {}", answer.status).into());
                }
            }
            Mode::Pay | Mode::PayBare => {
                self.client.pay(dec!(30.75), ORDER).await?;
            }
            Mode::PaySend => {
                self.client.pay(dec!(30.75), ORDER).send().await?;
            }
            Mode::Status => {
                self.client
                    .get_transaction_status(self.transaction.as_str())
                    .await?;
            }
        }
        Ok(())
    }
}

/// One measurement, as printed by `run` (one JSON line) and read by `bench`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Sample {
    mode: String,
    concurrency: usize,
    calls: u64,
    errors: u64,
    seconds: f64,
    calls_per_s: f64,
    p50_us: f64,
    p99_us: f64,
    peak_rss_kb: u64,
}

fn run_command(args: &[String]) -> Result<(), BoxError> {
    let [mode, concurrency, url, rest @ ..] = args else {
        return Err("run MODE CONCURRENCY URL [SECONDS WARMUP]".into());
    };
    let seconds: f64 = rest.first().map_or(Ok(3.0), |s| s.parse())?;
    let warmup: f64 = rest.get(1).map_or(Ok(1.0), |s| s.parse())?;
    let sample = run(
        Mode::parse(mode)?,
        concurrency.parse()?,
        url,
        Duration::from_secs_f64(seconds),
        Duration::from_secs_f64(warmup),
    )?;
    println!("{}", serde_json::to_string(&sample)?);
    Ok(())
}

fn count(args: &[String]) -> Result<(), BoxError> {
    let [mode, calls, url] = args else {
        return Err("count MODE CALLS URL".into());
    };
    let calls: u64 = calls.parse()?;
    let mut target = target(Mode::parse(mode)?, url)?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            prepare(&mut target).await?;
            for _ in 0..calls {
                target.call().await?;
            }
            Ok::<_, BoxError>(())
        })?;
    println!("{calls} calls");
    Ok(())
}

/// The crate with `Client::new`'s defaults; raw reqwest with reqwest's.
fn target(mode: Mode, base_url: &str) -> Result<Target, BoxError> {
    let config = Config::new(PUBLIC_KEY, PRIVATE_KEY).base_url(base_url);
    let client = if mode == Mode::PayBare {
        // `pay` on a reqwest client with no timeouts, user agent or proxy check: what the
        // crate's own layer costs, apart from `Client::new`'s settings.
        Client::with_http_client(
            config,
            epoint_az::http_client_builder()?.no_proxy().build()?,
        )
    } else {
        Client::new(config)?
    };
    let path = match mode {
        Mode::Status => "/api/1/get-status",
        _ => "/api/1/request",
    };
    let json = format!(
        r#"{{"public_key":"{PUBLIC_KEY}","amount":"30.75","currency":"AZN","language":"az","order_id":"{ORDER}"}}"#
    );
    Ok(Target {
        mode,
        transaction: TRANSACTION.to_owned(),
        url: format!("{base_url}{path}"),
        client,
        // reqwest's defaults; its TLS set-up from `http_client_builder` (ring), which plain
        // `reqwest::Client::new()` lacks in this crate's default build (no TLS is used here).
        http: epoint_az::http_client_builder()?.build()?,
        floor_body: Bytes::from(raw_sign(json.as_bytes())),
    })
}

/// Makes one call before measuring, so a server that does not answer this mode as expected
/// fails fast; status queries ask about a payment made here (the sandbox knows no other).
async fn prepare(target: &mut Target) -> Result<(), BoxError> {
    if target.mode == Mode::Status {
        target.transaction = target.client.pay(dec!(30.75), ORDER).await?.transaction;
    }
    target.call().await
}

fn run(
    mode: Mode,
    concurrency: usize,
    base_url: &str,
    seconds: Duration,
    warmup: Duration,
) -> Result<Sample, BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let mut target = target(mode, base_url)?;
        prepare(&mut target).await?;
        let target = Arc::new(target);

        let measure_from = Instant::now() + warmup;
        let end = measure_from + seconds;
        let mut tasks = Vec::with_capacity(concurrency);
        for _ in 0..concurrency {
            let target = Arc::clone(&target);
            tasks.push(tokio::spawn(async move {
                let mut latencies: Vec<u32> = Vec::with_capacity(1 << 14);
                let mut errors = 0u64;
                loop {
                    let started = Instant::now();
                    if started >= end {
                        break;
                    }
                    let ok = target.call().await.is_ok();
                    if started >= measure_from {
                        if ok {
                            let micros = started.elapsed().as_micros();
                            latencies.push(u32::try_from(micros).unwrap_or(u32::MAX));
                        } else {
                            errors += 1;
                        }
                    }
                }
                (latencies, errors)
            }));
        }
        let mut latencies = Vec::new();
        let mut errors = 0;
        for task in tasks {
            let (l, e) = task.await?;
            latencies.extend(l);
            errors += e;
        }
        latencies.sort_unstable();
        let pct = |p: f64| -> f64 {
            if latencies.is_empty() {
                return 0.0;
            }
            let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
            f64::from(latencies[i])
        };
        let calls = latencies.len() as u64;
        Ok(Sample {
            mode: mode.name().to_owned(),
            concurrency,
            calls,
            errors,
            seconds: seconds.as_secs_f64(),
            calls_per_s: calls as f64 / seconds.as_secs_f64(),
            p50_us: pct(0.50),
            p99_us: pct(0.99),
            peak_rss_kb: peak_rss_kb(),
        })
    })
}

/// `VmHWM` (peak resident set) of this process, in kB; 0 where `/proc` is missing.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

// ───────────────────────────── the comparison ─────────────────────────────

struct BenchArgs {
    rounds: usize,
    seconds: f64,
    warmup: f64,
    concurrency: Vec<usize>,
    modes: Vec<Mode>,
    sandbox: bool,
    json: Option<String>,
}

fn parse_bench_args(args: &[String]) -> Result<BenchArgs, BoxError> {
    let mut parsed = BenchArgs {
        rounds: 3,
        seconds: 3.0,
        warmup: 1.0,
        concurrency: vec![1, 16, 64, 256, 1024],
        modes: vec![Mode::Floor, Mode::Raw, Mode::Pay, Mode::Status],
        sandbox: false,
        json: None,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--rounds" => parsed.rounds = value()?.parse()?,
            "--seconds" => parsed.seconds = value()?.parse()?,
            "--warmup" => parsed.warmup = value()?.parse()?,
            "--concurrency" => {
                parsed.concurrency = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
            }
            "--modes" => {
                parsed.modes = value()?
                    .split(',')
                    .map(Mode::parse)
                    .collect::<Result<_, _>>()?;
            }
            "--sandbox" => parsed.sandbox = true,
            "--json" => parsed.json = Some(value()?.clone()),
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    Ok(parsed)
}

/// Starts the server process, then runs every (concurrency, mode) in its own process, the
/// modes interleaved within each round so drift on a noisy machine hits them alike.
fn bench(args: &[String]) -> Result<(), BoxError> {
    let args = parse_bench_args(args)?;
    let exe = std::env::current_exe()?;
    let mut server = Command::new(&exe)
        .arg("serve")
        .args(args.sandbox.then_some("--sandbox"))
        .stdout(Stdio::piped())
        .spawn()?;
    let url = {
        use std::io::BufRead;
        let stdout = server.stdout.take().ok_or("server has no stdout")?;
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line)?;
        line.trim().to_owned()
    };
    let _: SocketAddr = url
        .trim_start_matches("http://")
        .parse()
        .map_err(|e| format!("server printed {url:?}: {e}"))?;
    eprintln!(
        "server: {url} ({}); {} round(s) of {} s (+{} s warm-up) per point",
        if args.sandbox {
            "embedded sandbox"
        } else {
            "echo"
        },
        args.rounds,
        args.seconds,
        args.warmup
    );

    let mut samples: Vec<Sample> = Vec::new();
    let result = (|| -> Result<(), BoxError> {
        for round in 1..=args.rounds {
            for &c in &args.concurrency {
                for &mode in &args.modes {
                    let output = Command::new(&exe)
                        .args(["run", mode.name(), &c.to_string(), &url])
                        .arg(args.seconds.to_string())
                        .arg(args.warmup.to_string())
                        .stderr(Stdio::inherit())
                        .output()?;
                    if !output.status.success() {
                        return Err(format!("{} at c={c} failed", mode.name()).into());
                    }
                    let sample: Sample = serde_json::from_slice(&output.stdout)?;
                    eprintln!(
                        "round {round} c={c:<5} {:<7} {:>9.0} calls/s  p50 {:>7.0} µs  p99 {:>7.0} µs  rss {:>6} kB  errors {}",
                        sample.mode,
                        sample.calls_per_s,
                        sample.p50_us,
                        sample.p99_us,
                        sample.peak_rss_kb,
                        sample.errors
                    );
                    samples.push(sample);
                }
            }
        }
        Ok(())
    })();
    let _ = server.kill();
    let _ = server.wait();
    result?;

    let medians = medians(&samples, &args);
    print_table(&medians, &args);
    if let Some(path) = &args.json {
        let doc = serde_json::json!({
            "server": if args.sandbox { "sandbox" } else { "echo" },
            "rounds": args.rounds,
            "seconds": args.seconds,
            "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "medians": medians,
            "samples": samples,
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)?)?;
        eprintln!("wrote {path}");
    }
    Ok(())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn medians(samples: &[Sample], args: &BenchArgs) -> Vec<Sample> {
    let mut out = Vec::new();
    for &c in &args.concurrency {
        for &mode in &args.modes {
            let these: Vec<&Sample> = samples
                .iter()
                .filter(|s| s.concurrency == c && s.mode == mode.name())
                .collect();
            let of = |f: fn(&Sample) -> f64| median(these.iter().map(|s| f(s)).collect());
            out.push(Sample {
                mode: mode.name().to_owned(),
                concurrency: c,
                calls: of(|s| s.calls as f64) as u64,
                errors: these.iter().map(|s| s.errors).sum(),
                seconds: args.seconds,
                calls_per_s: of(|s| s.calls_per_s),
                p50_us: of(|s| s.p50_us),
                p99_us: of(|s| s.p99_us),
                peak_rss_kb: of(|s| s.peak_rss_kb as f64) as u64,
            });
        }
    }
    out
}

fn print_table(medians: &[Sample], args: &BenchArgs) {
    let find = |mode: &str, c: usize| {
        medians
            .iter()
            .find(|s| s.mode == mode && s.concurrency == c)
    };
    println!(
        "| concurrency | mode | calls/s | p50 µs | p99 µs | peak RSS kB | vs raw | vs floor | RSS vs raw |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    for &c in &args.concurrency {
        for &mode in &args.modes {
            let Some(s) = find(mode.name(), c) else {
                continue;
            };
            let ratio = |base: Option<&Sample>, f: fn(&Sample) -> f64| {
                base.filter(|b| f(b) > 0.0)
                    .map_or("—".to_owned(), |b| format!("{:.2}×", f(s) / f(b)))
            };
            println!(
                "| {c} | {} | {:.0} | {:.0} | {:.0} | {} | {} | {} | {} |",
                s.mode,
                s.calls_per_s,
                s.p50_us,
                s.p99_us,
                s.peak_rss_kb,
                ratio(find("raw", c), |s| s.calls_per_s),
                ratio(find("floor", c), |s| s.calls_per_s),
                ratio(find("raw", c), |s| s.peak_rss_kb as f64),
            );
        }
    }
}
