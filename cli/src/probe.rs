//! A read-only probe of EPoint's live API: a fixed set of requests that cannot move money,
//! each answer validated against the response schema the spec (`epoint_az::SPEC_YAML`) gives
//! for that operation, so a team learns when EPoint's answers stopped matching the contract.
//!
//! What is sent ([`plan`]): the heartbeat; `get-status` of an unknown transaction and of an
//! unknown order id; `get-status-card` of an unknown saved card; `get-status` with a
//! 300-character order id (longer than the spec allows); `get-installment-request` (a
//! read-only lookup of installment offers) with a zero and a negative amount; and `get-status`
//! with four broken signatures (another key, a hex digest, a truncated and an empty
//! signature). Optionally, `get-status` of one transaction of yours that exists. Every lookup
//! is read-only and every other request is one EPoint must refuse: nothing is created and no
//! money moves.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use epoint_az::Keys;
//! use epoint_az_cli::probe::{Probe, Verdict};
//! let keys = Keys::new("i000000001", std::env::var("EPOINT_PRIVATE_KEY")?);
//! let report = Probe::new("https://epoint.az", keys).run().await?;
//! for result in &report.results {
//!     if let Verdict::Drift(findings) = &result.verdict {
//!         for finding in findings {
//!             println!("{}: {finding}", result.name);
//!         }
//!     }
//! }
//! assert!(report.conforms());
//! # Ok(()) }
//! ```

use std::{collections::BTreeSet, fmt, time::Duration};

use base64::Engine as _;
use epoint_az::Keys;
use serde::Serialize;
use serde_json::{Value, json};

/// The order id of the over-long probe: 300 characters (the spec allows at most 255).
const LONG_ORDER_ID_LEN: usize = 300;
/// Ids no merchant has: the lookups of unknown things.
const UNKNOWN_TRANSACTION: &str = "te-epoint-probe-unknown";
const UNKNOWN_ORDER: &str = "epoint-probe-unknown-order";
const UNKNOWN_CARD: &str = "ce-epoint-probe-unknown";
/// The key the "another key" signature is made with (no merchant's key).
const WRONG_KEY: &str = "epoint-probe-not-your-private-key";

/// What a probe expects of an answer beyond its operation's response schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// Only the schema.
    Schema,
    /// A refusal: `status` is `error` or `server_error` (the request is one EPoint must refuse).
    Refusal,
    /// The looked-up transaction: `transaction` is present.
    Transaction,
}

/// How the probe breaks a request's signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signature {
    /// The correct signature.
    Valid,
    /// Signed with a key that is not the merchant's.
    WrongKey,
    /// base64 of the hex SHA-1 digest instead of the raw digest (PHP's `sha1()` default).
    HexDigest,
    /// The correct signature with its last four characters cut.
    Truncated,
    /// An empty signature.
    Empty,
}

/// One request of the probe, before it is sent.
///
/// ```
/// let plan = epoint_az_cli::probe::plan("i000000001", None);
/// assert_eq!(plan[0].name, "heartbeat");
/// assert!(plan.iter().all(|p| p.operation != "payment_request"));
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct Planned {
    /// A short name, e.g. `status-unknown-transaction`.
    pub name: &'static str,
    /// The spec's `operationId` whose answer schema applies.
    pub operation: &'static str,
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path, e.g. `/api/1/get-status`.
    pub path: &'static str,
    /// The JSON payload signed into `data` (`null` for the unsigned heartbeat).
    pub payload: Value,
    /// How the signature is made.
    pub signature: Signature,
    /// What the answer must show besides matching the schema.
    pub expect: Expect,
    /// What this request is, in one sentence.
    pub about: String,
}

/// The requests the probe sends, in order, for the merchant `public_key`; with
/// `known_transaction` (one of the merchant's own transactions), a status lookup of it too.
///
/// ```
/// let plan = epoint_az_cli::probe::plan("i000000001", Some("te000000001"));
/// assert_eq!(plan.len(), 12);
/// assert_eq!(plan.last().map(|p| p.name), Some("status-known-transaction"));
/// ```
pub fn plan(public_key: &str, known_transaction: Option<&str>) -> Vec<Planned> {
    let status = |payload: Value,
                  name: &'static str,
                  signature: Signature,
                  expect: Expect,
                  about: String| Planned {
        name,
        operation: "get_status",
        method: "POST",
        path: "/api/1/get-status",
        payload,
        signature,
        expect,
        about,
    };
    let unknown_tx = json!({"public_key": public_key, "transaction": UNKNOWN_TRANSACTION});
    let installment = |amount: &str| {
        json!({"public_key": public_key, "order_id": "epoint-probe-installment",
               "amount": amount, "currency": "AZN", "language": "en"})
    };
    let mut plan = vec![
        Planned {
            name: "heartbeat",
            operation: "heartbeat",
            method: "GET",
            path: "/api/heartbeat",
            payload: Value::Null,
            signature: Signature::Valid,
            expect: Expect::Schema,
            about: "is EPoint up (unsigned)".into(),
        },
        status(
            unknown_tx.clone(),
            "status-unknown-transaction",
            Signature::Valid,
            Expect::Refusal,
            format!("status of an unknown transaction ({UNKNOWN_TRANSACTION})"),
        ),
        status(
            json!({"public_key": public_key, "order_id": UNKNOWN_ORDER}),
            "status-unknown-order",
            Signature::Valid,
            Expect::Refusal,
            format!("status of an unknown order id ({UNKNOWN_ORDER})"),
        ),
        Planned {
            name: "card-status-unknown-card",
            operation: "get_status_card",
            method: "POST",
            path: "/api/1/get-status-card",
            payload: json!({"public_key": public_key, "card_id": UNKNOWN_CARD}),
            signature: Signature::Valid,
            expect: Expect::Refusal,
            about: format!("status of an unknown saved card ({UNKNOWN_CARD})"),
        },
        status(
            json!({"public_key": public_key, "order_id": "x".repeat(LONG_ORDER_ID_LEN)}),
            "status-long-order-id",
            Signature::Valid,
            Expect::Refusal,
            format!("status of a {LONG_ORDER_ID_LEN}-character order id (over the 255 allowed)"),
        ),
        Planned {
            name: "installments-zero-amount",
            operation: "get_installment_request",
            method: "POST",
            path: "/api/1/get-installment-request",
            payload: installment("0"),
            signature: Signature::Valid,
            expect: Expect::Refusal,
            about: "installment offers (a read-only lookup) for an amount of 0".into(),
        },
        Planned {
            name: "installments-negative-amount",
            operation: "get_installment_request",
            method: "POST",
            path: "/api/1/get-installment-request",
            payload: installment("-1.00"),
            signature: Signature::Valid,
            expect: Expect::Refusal,
            about: "installment offers (a read-only lookup) for an amount of -1.00".into(),
        },
    ];
    for (name, signature, how) in [
        (
            "signature-wrong-key",
            Signature::WrongKey,
            "signed with another key",
        ),
        (
            "signature-hex-digest",
            Signature::HexDigest,
            "signed with base64 of the hex digest",
        ),
        (
            "signature-truncated",
            Signature::Truncated,
            "with a truncated signature",
        ),
        (
            "signature-empty",
            Signature::Empty,
            "with an empty signature",
        ),
    ] {
        plan.push(status(
            unknown_tx.clone(),
            name,
            signature,
            Expect::Refusal,
            format!("status of an unknown transaction, {how}"),
        ));
    }
    if let Some(id) = known_transaction {
        plan.push(status(
            json!({"public_key": public_key, "transaction": id}),
            "status-known-transaction",
            Signature::Valid,
            Expect::Transaction,
            format!("status of your transaction {id}"),
        ));
    }
    plan
}

/// One way an answer differs from the spec.
///
/// ```
/// let finding = epoint_az_cli::probe::Finding {
///     pointer: "/message".into(),
///     expected: "string".into(),
///     actual: "object".into(),
/// };
/// assert_eq!(finding.to_string(), "`/message`: expected string, got object");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Where, as a JSON pointer into the answer (`""` is the whole answer).
    pub pointer: String,
    /// What the spec expects there, e.g. `string`, `present (required)`.
    pub expected: String,
    /// What came, e.g. `object`, `missing`.
    pub actual: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.actual == "missing" {
            write!(f, "`{}`: missing ({})", self.pointer, self.expected)
        } else {
            write!(
                f,
                "`{}`: expected {}, got {}",
                self.pointer, self.expected, self.actual
            )
        }
    }
}

/// What one probe found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "findings", rename_all = "snake_case")]
pub enum Verdict {
    /// The answer conforms to the spec.
    Ok,
    /// The answer differs from the spec: each difference.
    Drift(Vec<Finding>),
    /// EPoint could not be reached (connection, TLS or timeout): why.
    Unreachable(String),
}

/// One probe's request and verdict.
#[derive(Clone, Debug, Serialize)]
pub struct ProbeResult {
    /// The probe's name (see [`Planned::name`]).
    pub name: &'static str,
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path requested.
    pub path: &'static str,
    /// The spec's answer schema the answer was checked against.
    pub schema: String,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Top-level fields the answer carries that the spec does not declare (the spec allows
    /// them, so they are not drift; a renamed field shows here and as missing).
    pub new_fields: Vec<String>,
    /// The answer's HTTP status, when one came.
    pub http_status: Option<u16>,
}

/// Everything the probe found.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Where the probe went.
    pub base_url: String,
    /// Always `false`: the probe sends no request that moves money.
    pub moves_money: bool,
    /// One result per planned request, in order.
    pub results: Vec<ProbeResult>,
}

impl Report {
    /// True when every answer came and conforms.
    ///
    /// ```
    /// let report = epoint_az_cli::probe::Report {
    ///     base_url: "http://127.0.0.1:1".into(),
    ///     moves_money: false,
    ///     results: vec![],
    /// };
    /// assert!(report.conforms());
    /// ```
    pub fn conforms(&self) -> bool {
        self.results.iter().all(|r| r.verdict == Verdict::Ok)
    }

    /// True when at least one answer differs from the spec.
    ///
    /// ```
    /// let report = epoint_az_cli::probe::Report {
    ///     base_url: "http://127.0.0.1:1".into(),
    ///     moves_money: false,
    ///     results: vec![],
    /// };
    /// assert!(!report.drifted());
    /// ```
    pub fn drifted(&self) -> bool {
        self.results
            .iter()
            .any(|r| matches!(r.verdict, Verdict::Drift(_)))
    }

    /// True when at least one request could not reach EPoint.
    ///
    /// ```
    /// let report = epoint_az_cli::probe::Report {
    ///     base_url: "http://127.0.0.1:1".into(),
    ///     moves_money: false,
    ///     results: vec![],
    /// };
    /// assert!(!report.unreachable());
    /// ```
    pub fn unreachable(&self) -> bool {
        self.results
            .iter()
            .any(|r| matches!(r.verdict, Verdict::Unreachable(_)))
    }
}

/// Why the probe could not run at all (nothing was sent).
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The embedded spec could not be read as JSON Schema (a build defect).
    #[error("the embedded spec cannot be used: {0}")]
    Spec(String),
    /// The base URL or the HTTP client is unusable.
    #[error("{0}")]
    Config(String),
}

/// The probe: the merchant's keys, where EPoint is, and the options.
///
/// ```
/// let probe = epoint_az_cli::probe::Probe::new(
///     "http://127.0.0.1:8080",
///     epoint_az::Keys::new("i000000001", "sandbox_private_key_0000000001"),
/// )
/// .known_transaction("te000000001");
/// assert_eq!(probe.plan().len(), 12);
/// ```
#[derive(Debug)]
pub struct Probe {
    base_url: String,
    keys: Keys,
    known_transaction: Option<String>,
    timeout: Duration,
}

impl Probe {
    /// A probe of `base_url` (e.g. `https://epoint.az`) with the merchant's keys; 30 s timeout.
    ///
    /// ```
    /// let probe = epoint_az_cli::probe::Probe::new("https://epoint.az", epoint_az::Keys::new("i1", "k"));
    /// assert_eq!(probe.plan().len(), 11);
    /// ```
    pub fn new(base_url: impl Into<String>, keys: Keys) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            keys,
            known_transaction: None,
            timeout: Duration::from_secs(30),
        }
    }

    /// Also look up one of your own transactions (its answer must carry `transaction`).
    ///
    /// ```
    /// let probe = epoint_az_cli::probe::Probe::new("https://epoint.az", epoint_az::Keys::new("i1", "k"))
    ///     .known_transaction("te000000001");
    /// assert_eq!(probe.plan().len(), 12);
    /// ```
    pub fn known_transaction(mut self, transaction: impl Into<String>) -> Self {
        self.known_transaction = Some(transaction.into());
        self
    }

    /// Each request's timeout (default 30 s).
    ///
    /// ```
    /// let probe = epoint_az_cli::probe::Probe::new("https://epoint.az", epoint_az::Keys::new("i1", "k"))
    ///     .timeout(std::time::Duration::from_secs(5));
    /// # let _ = probe;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The requests [`Probe::run`] sends.
    ///
    /// ```
    /// let probe = epoint_az_cli::probe::Probe::new("https://epoint.az", epoint_az::Keys::new("i1", "k"));
    /// assert!(probe.plan().iter().any(|p| p.name == "signature-hex-digest"));
    /// ```
    pub fn plan(&self) -> Vec<Planned> {
        plan(self.keys.public_key(), self.known_transaction.as_deref())
    }

    /// Sends every planned request once (never retried), and checks each answer.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let keys = epoint_az::Keys::new("i000000001", "sandbox_private_key_0000000001");
    /// let report = epoint_az_cli::probe::Probe::new("http://127.0.0.1:8080", keys).run().await?;
    /// println!("{}", serde_json::to_string(&report)?);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ProbeError`] when nothing could be sent: an unusable spec, base URL or HTTP client.
    /// A request that cannot reach EPoint is a [`Verdict::Unreachable`] in the report.
    pub async fn run(&self) -> Result<Report, ProbeError> {
        epoint_az::config::check_url(&self.base_url)
            .map_err(|e| ProbeError::Config(format!("base URL: {e}")))?;
        let spec = Spec::load()?;
        let http = epoint_az::http_client_builder()
            .map_err(|e| ProbeError::Config(e.to_string()))?
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .build()
            .map_err(|e| ProbeError::Config(format!("HTTP client: {e}")))?;
        let mut results = Vec::new();
        for planned in self.plan() {
            results.push(self.one(&http, &spec, &planned).await?);
        }
        Ok(Report {
            base_url: self.base_url.clone(),
            moves_money: false,
            results,
        })
    }

    async fn one(
        &self,
        http: &reqwest::Client,
        spec: &Spec,
        planned: &Planned,
    ) -> Result<ProbeResult, ProbeError> {
        let (schema_name, schema) = spec.answer_schema(planned)?;
        let url = format!("{}{}", self.base_url, planned.path);
        let request = if planned.method == "GET" {
            http.get(url)
        } else {
            let envelope = self.keys.seal_json(planned.payload.to_string().as_bytes());
            let signature = broken(&self.keys, &envelope.data, planned.signature);
            let body = form_urlencoded::Serializer::new(String::new())
                .append_pair("data", &envelope.data)
                .append_pair("signature", &signature)
                .finish();
            http.post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
        };
        let mut result = ProbeResult {
            name: planned.name,
            method: planned.method,
            path: planned.path,
            schema: schema_name,
            verdict: Verdict::Ok,
            new_fields: Vec::new(),
            http_status: None,
        };
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                result.verdict = Verdict::Unreachable(transport_error(&e));
                return Ok(result);
            }
        };
        let status = response.status().as_u16();
        result.http_status = Some(status);
        let text = match response.text().await {
            Ok(text) => text,
            Err(e) => {
                result.verdict = Verdict::Unreachable(transport_error(&e));
                return Ok(result);
            }
        };
        let mut findings = Vec::new();
        if status != 200 {
            findings.push(Finding {
                pointer: String::new(),
                expected: "HTTP status 200".into(),
                actual: format!("HTTP status {status}"),
            });
        }
        match serde_json::from_str::<Value>(&text) {
            Err(_) => findings.push(Finding {
                pointer: String::new(),
                expected: "a JSON answer".into(),
                actual: format!("{} bytes that are not JSON", text.len()),
            }),
            Ok(answer) => {
                findings.extend(check(&schema, &answer)?);
                result.new_fields = spec.new_fields(&schema, &answer);
            }
        }
        if !findings.is_empty() {
            result.verdict = Verdict::Drift(findings);
        }
        Ok(result)
    }
}

/// The signature `how` for `data` (the correct one is `keys.sign(data)`).
fn broken(keys: &Keys, data: &str, how: Signature) -> String {
    let good = keys.sign(data);
    match how {
        Signature::Valid => good,
        Signature::WrongKey => Keys::new(keys.public_key(), WRONG_KEY).sign(data),
        Signature::HexDigest => {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(&good)
                .unwrap_or_default();
            let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
            base64::engine::general_purpose::STANDARD.encode(hex)
        }
        Signature::Truncated => good.chars().take(good.len().saturating_sub(4)).collect(),
        Signature::Empty => String::new(),
    }
}

/// Why a request did not get an answer, without the URL's query or any body.
fn transport_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "the connection failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {cause}")
    }
}

/// The spec as JSON, its `components` turned into a JSON Schema document.
struct Spec {
    doc: Value,
    components: Value,
}

impl Spec {
    fn load() -> Result<Self, ProbeError> {
        let doc: Value = serde_norway::from_str(epoint_az::SPEC_YAML)
            .map_err(|e| ProbeError::Spec(e.to_string()))?;
        let mut components = doc
            .get("components")
            .cloned()
            .ok_or_else(|| ProbeError::Spec("no components".into()))?;
        json_schema(&mut components);
        Ok(Self { doc, components })
    }

    /// The component name and a JSON Schema for the `200` answer of `planned`'s operation,
    /// with the probe's own expectation added.
    fn answer_schema(&self, planned: &Planned) -> Result<(String, Value), ProbeError> {
        let pointer = format!(
            "/paths/{}/{}/responses/200/content/application~1json/schema/$ref",
            planned.path.replace('~', "~0").replace('/', "~1"),
            planned.method.to_ascii_lowercase()
        );
        let reference = self
            .doc
            .pointer(&pointer)
            .and_then(Value::as_str)
            .ok_or_else(|| ProbeError::Spec(format!("no 200 JSON answer for {}", planned.path)))?;
        let name = reference
            .strip_prefix("#/components/schemas/")
            .ok_or_else(|| ProbeError::Spec(format!("unexpected $ref {reference}")))?;
        let mut all = vec![json!({"$ref": reference})];
        match planned.expect {
            Expect::Schema => {}
            Expect::Refusal => all.push(json!({
                "properties": {"status": {"enum": ["error", "server_error"]}}
            })),
            Expect::Transaction => all.push(json!({"required": ["transaction"]})),
        }
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "allOf": all,
            "components": self.components,
        });
        Ok((name.to_owned(), schema))
    }

    /// Top-level fields of `answer` that no branch of the answer schema declares.
    fn new_fields(&self, schema: &Value, answer: &Value) -> Vec<String> {
        let Some(object) = answer.as_object() else {
            return Vec::new();
        };
        let mut declared = BTreeSet::new();
        let mut seen = 0;
        self.declared(schema, &mut declared, &mut seen);
        object
            .keys()
            .filter(|k| !declared.contains(k.as_str()))
            .cloned()
            .collect()
    }

    fn declared(&self, schema: &Value, out: &mut BTreeSet<String>, seen: &mut usize) {
        // Bounds a `$ref` cycle.
        *seen += 1;
        if *seen > 64 {
            return;
        }
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str)
            && let Some(target) = reference
                .strip_prefix("#/components/schemas/")
                .and_then(|name| self.components.get("schemas")?.get(name))
        {
            self.declared(target, out, seen);
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            out.extend(props.keys().cloned());
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for branch in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.declared(branch, out, seen);
            }
        }
    }
}

/// OpenAPI 3.0 schema objects to JSON Schema: `nullable: true` becomes a `null` type (or an
/// `anyOf` with `{type: null}` when the schema has no `type`, e.g. a `$ref`/`allOf`), in place.
fn json_schema(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(json_schema),
        Value::Object(map) => {
            map.values_mut().for_each(json_schema);
            if map.get("nullable") == Some(&Value::Bool(true)) {
                map.remove("nullable");
                match map.get_mut("type") {
                    Some(Value::String(t)) => {
                        let t = t.clone();
                        map.insert("type".into(), json!([t, "null"]));
                    }
                    Some(_) => {}
                    None => {
                        let inner = Value::Object(std::mem::take(map));
                        map.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                    }
                }
            } else if map.get("nullable") == Some(&Value::Bool(false)) {
                map.remove("nullable");
            }
        }
        _ => {}
    }
}

/// Validates `answer` against `schema`; each error as a [`Finding`].
fn check(schema: &Value, answer: &Value) -> Result<Vec<Finding>, ProbeError> {
    let validator =
        jsonschema::validator_for(schema).map_err(|e| ProbeError::Spec(e.to_string()))?;
    let mut findings: Vec<Finding> = validator
        .iter_errors(answer)
        .map(|error| finding(&error))
        .collect();
    // The same place reported through two schema paths (`allOf` branches) is one finding.
    findings.dedup();
    Ok(findings)
}

fn finding(error: &jsonschema::ValidationError<'_>) -> Finding {
    use jsonschema::error::ValidationErrorKind as Kind;
    let pointer = error.instance_path().to_string();
    let actual = || type_name(error.instance()).to_owned();
    match error.kind() {
        Kind::Required { property } => Finding {
            pointer: format!(
                "{pointer}/{}",
                property
                    .as_str()
                    .unwrap_or_default()
                    .replace('~', "~0")
                    .replace('/', "~1")
            ),
            expected: "required".into(),
            actual: "missing".into(),
        },
        Kind::Type { kind } => Finding {
            pointer,
            expected: match kind {
                jsonschema::error::TypeKind::Single(t) => t.to_string(),
                jsonschema::error::TypeKind::Multiple(ts) => ts
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            },
            actual: actual(),
        },
        Kind::Enum { options } => Finding {
            pointer,
            expected: format!("one of {options}"),
            actual: error.instance().to_string(),
        },
        Kind::AnyOf { .. } | Kind::OneOfNotValid { .. } => Finding {
            pointer,
            expected: "one of the spec's alternative shapes".into(),
            actual: actual(),
        },
        _ => Finding {
            pointer,
            expected: error.to_string(),
            actual: actual(),
        },
    }
}

/// The JSON type name of `value`.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_null_type() {
        let mut schema = json!({"a": {"type": "string", "nullable": true},
                                "b": {"$ref": "#/x", "nullable": true}});
        json_schema(&mut schema);
        assert_eq!(schema["a"], json!({"type": ["string", "null"]}));
        assert_eq!(
            schema["b"],
            json!({"anyOf": [{"$ref": "#/x"}, {"type": "null"}]})
        );
    }

    #[test]
    fn the_plan_moves_no_money() {
        let spec = Spec::load().expect("spec");
        for planned in plan("i000000001", Some("te1")) {
            let pointer = format!(
                "/paths/{}/{}/x-epoint-moves-money",
                planned.path.replace('/', "~1"),
                planned.method.to_ascii_lowercase()
            );
            assert_eq!(
                spec.doc.pointer(&pointer),
                Some(&Value::Bool(false)),
                "{} must be read-only",
                planned.name
            );
        }
    }

    #[test]
    fn a_type_change_and_a_missing_field_are_named() {
        let spec = Spec::load().expect("spec");
        let planned = plan("i000000001", Some("te1"))
            .pop()
            .expect("the known-transaction probe");
        let (name, schema) = spec.answer_schema(&planned).expect("schema");
        assert_eq!(name, "StatusResponse");
        let findings = check(
            &schema,
            &json!({"status": "success", "message": {"az": "x"}, "tx": "te1"}),
        )
        .expect("check");
        let shown: Vec<String> = findings.iter().map(ToString::to_string).collect();
        assert!(
            shown.contains(&"`/message`: expected string, got object".to_owned()),
            "{shown:?}"
        );
        assert!(
            shown.contains(&"`/transaction`: missing (required)".to_owned()),
            "{shown:?}"
        );
        assert_eq!(
            spec.new_fields(&schema, &json!({"status": "success", "tx": "te1"})),
            ["tx"]
        );
    }
}
