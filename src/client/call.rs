//! The machinery every call shares: [`Call`] (optional fields, then `.await`), [`Preview`] (the
//! exact request, unsent), sending (sign → generated operation → typed answer), the retry of
//! read-only status queries, and the setters several payloads share.

use std::{
    fmt,
    future::{Future, IntoFuture},
    pin::Pin,
    time::{Duration, Instant, SystemTime},
};

use serde::Serialize;

use super::{field, redirect_url};
use crate::{
    BankCode, Client, PaymentStatus,
    answer::Success,
    error::{Error, Result},
    generated::{
        self, ClientInfo,
        types::{self, Language, SignedEnvelope},
    },
    operation::{Answer, AnswerKind, Operation, ops},
    signing::form_body,
};

/// A prepared, not yet sent, call to one EPoint operation.
///
/// Set optional fields with its methods, then `.await` it to send. An invalid argument
/// makes the call fail before anything is sent. [`Call::preview`] shows the exact request.
#[must_use = "a Call does nothing until it is awaited (or sent with `.send()`)"]
pub struct Call<'c, O: Operation> {
    pub(super) client: &'c Client,
    pub(super) payload: Result<O::Payload>,
}

impl<O: Operation> fmt::Debug for Call<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("payload", &self.payload)
            .finish_non_exhaustive()
    }
}

/// A call's outcome with the ids EPoint gave its answer ([`Call::send_traced`]).
///
/// ```no_run
/// # async fn run(client: epoint_az::Client) {
/// let traced = client.refund("te000000001").send_traced().await;
/// println!("trace_id {:?}, X-Request-ID {:?}", traced.trace_id, traced.request_id);
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Traced<T> {
    /// What [`Call::send`] returns.
    pub result: Result<T>,
    /// The answer's `trace_id` (EPoint's developer site), when it has one.
    pub trace_id: Option<String>,
    /// The answer's `X-Request-ID` header, when EPoint sent one.
    pub request_id: Option<String>,
}

/// Exactly what a call would send, without sending it (a dry run).
///
/// ```
/// use epoint_az::dec;
/// let client = epoint_az::Client::new(epoint_az::Config::new("i000000001", "test_private_key")).unwrap();
/// let preview = client.pay(dec!(30.75), "1").description("test payment").preview().unwrap();
/// assert_eq!(preview.url, "https://epoint.az/api/1/request");
/// assert_eq!(preview.payload["amount"], "30.75");
/// assert!(preview.form_body.starts_with("data="));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Preview {
    /// The operation (its `operationId` is `operation.operation_id()`).
    pub operation: crate::OperationId,
    /// Always `POST`.
    pub method: &'static str,
    /// The path, e.g. `/api/1/request`.
    pub path: &'static str,
    /// The full URL.
    pub url: String,
    /// The decoded payload (what `data` carries).
    pub payload: serde_json::Value,
    /// The exact JSON text inside `data`.
    pub json: String,
    /// The two form fields.
    pub envelope: SignedEnvelope,
    /// The exact `application/x-www-form-urlencoded` body.
    pub form_body: String,
}

impl<'c, O: Operation> Call<'c, O> {
    /// The payload as it stands, or the first invalid argument.
    ///
    /// ```
    /// # use epoint_az::dec;
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let call = client.pay(dec!(0), "1");
    /// assert!(matches!(call.payload(), Err(epoint_az::Error::InvalidInput { field: "amount", .. })));
    /// ```
    pub fn payload(&self) -> Result<&O::Payload, &Error> {
        self.payload.as_ref()
    }

    /// Computes the exact request (URL, JSON, `data`, `signature`, form body) without
    /// sending it. Fails like `send` would on invalid arguments.
    ///
    /// ```
    /// # use epoint_az::dec;
    /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
    /// let p = client.refund("te000000001").preview().unwrap();
    /// assert_eq!(p.path, "/api/1/reverse");
    /// ```
    pub fn preview(&self) -> Result<Preview> {
        let payload = self.payload.as_ref().map_err(clone_invalid)?;
        let json = serde_json::to_string(payload).map_err(|e| Error::invalid("payload", e))?;
        let envelope = self.client.keys.seal_json(json.as_bytes());
        Ok(Preview {
            operation: O::ID,
            method: "POST",
            path: O::ID.path(),
            url: format!("{}{}", self.client.raw.baseurl(), O::ID.path()),
            payload: serde_json::from_str(&json).map_err(|e| Error::invalid("payload", e))?,
            form_body: form_body(&envelope),
            json,
            envelope,
        })
    }

    /// Signs and sends the call, and reads EPoint's answer (see [`Error`] for failures).
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) -> epoint_az::Result<()> {
    /// let status = client.get_transaction_status("te000000001").send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<O::Output> {
        self.send_traced().await.result
    }

    /// Like [`Call::send`], and also returns the ids EPoint gave its answer, for a support
    /// ticket: the answer's `trace_id` and the `X-Request-ID` response header (each `None`
    /// when EPoint sent none, or nothing was answered). They are on the success and on every
    /// error, and also on the `"EPoint call finished"` tracing event.
    ///
    /// ```no_run
    /// # async fn run(client: epoint_az::Client) {
    /// let traced = client.get_transaction_status("te000000001").send_traced().await;
    /// if let Err(e) = &traced.result {
    ///     eprintln!("{e} (trace_id {:?}, X-Request-ID {:?})", traced.trace_id, traced.request_id);
    /// }
    /// # }
    /// ```
    pub async fn send_traced(self) -> Traced<O::Output> {
        let client = self.client;
        let untraced = |result| Traced {
            result,
            trace_id: None,
            request_id: None,
        };
        let payload = match self.payload {
            Ok(payload) => payload,
            Err(e) => return untraced(Err(e)),
        };
        let envelope = match client.keys.seal(&payload) {
            Ok(envelope) => envelope,
            Err(e) => return untraced(Err(Error::invalid("payload", e))),
        };
        let started = Instant::now();
        // Only read-only status queries are repeated; everything else is sent exactly once.
        let retries = match O::KIND {
            AnswerKind::Status => client.config.status_retries,
            _ => 0,
        };
        let mut attempt: u8 = 0;
        let (result, ids) = loop {
            let (result, ids) = exchange::<O>(&client.raw, &envelope, SystemTime::now()).await;
            match &result {
                Err(e) if attempt < retries && is_retryable(e) => {
                    attempt += 1;
                    tracing::debug!(target: "epoint_az", operation = O::ID.operation_id(), attempt, error = %e, trace_id = ids.trace_id.as_deref(), request_id = ids.request_id.as_deref(), "retrying a status query");
                    tokio::time::sleep(Duration::from_millis(100 << attempt.min(4))).await;
                }
                _ => break (result, ids),
            }
        };
        // The ids EPoint gave the last attempt, for a support ticket.
        tracing::debug!(
            target: "epoint_az",
            operation = O::ID.operation_id(),
            path = O::ID.path(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            attempts = u32::from(attempt) + 1,
            ok = result.is_ok(),
            may_have_reached_epoint = result.as_ref().err().map(Error::may_have_reached_epoint),
            trace_id = ids.trace_id.as_deref(),
            request_id = ids.request_id.as_deref(),
            "EPoint call finished"
        );
        Traced {
            result: result.map_err(|e| e.with_order_id(&payload)),
            trace_id: ids.trace_id,
            request_id: ids.request_id,
        }
    }

    pub(super) fn set<V, E: fmt::Display>(
        mut self,
        name: &'static str,
        value: std::result::Result<V, E>,
        apply: impl FnOnce(&mut O::Payload, V),
    ) -> Self {
        if let Ok(payload) = &mut self.payload {
            match value {
                Ok(v) => apply(payload, v),
                Err(e) => self.payload = Err(Error::invalid(name, e)),
            }
        }
        self
    }
}

impl<'c, O: Operation> IntoFuture for Call<'c, O> {
    type Output = Result<O::Output>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

fn clone_invalid(e: &Error) -> Error {
    match e {
        Error::InvalidInput { field, reason } => Error::InvalidInput {
            field,
            reason: reason.clone(),
        },
        other => Error::invalid("payload", other),
    }
}

/// Maps an HTTP-200 answer to `Ok` or a typed error, by the operation's [`AnswerKind`], then
/// to its success type (an answer that lacks what success guarantees is an error).
fn interpret<O: Operation>(answer: O::Response) -> Result<O::Output> {
    check_status(O::KIND, &answer)?;
    O::Output::from_answer(answer).map_err(|(missing, answer)| Error::IncompleteAnswer {
        missing,
        response: Box::new(serde_json::to_value(&answer).unwrap_or(serde_json::Value::Null)),
    })
}

/// The `status` rules of each [`AnswerKind`].
pub(super) fn check_status<A: Answer + Serialize>(kind: AnswerKind, answer: &A) -> Result<()> {
    // A schema without `status` (EPoint's token payments) succeeds by its shape.
    let Some(status) = answer.status() else {
        return Ok(());
    };
    let names_payment = answer.transaction().is_some() || answer.code().is_some();
    let raw = || Box::new(serde_json::to_value(answer).unwrap_or(serde_json::Value::Null));
    let rejected = || Error::Rejected {
        status: status.clone(),
        message: answer.message().unwrap_or_default().to_owned(),
        response: raw(),
    };
    match (kind, status) {
        (_, PaymentStatus::Success) => Ok(()),
        (_, PaymentStatus::ServerError) => Err(rejected()),
        (AnswerKind::Status, PaymentStatus::Error) if !names_payment => Err(rejected()),
        (AnswerKind::Status, _) => Ok(()),
        (AnswerKind::Charge, PaymentStatus::Failed | PaymentStatus::Error) if names_payment => {
            Err(Error::Declined {
                status: status.clone(),
                code: answer.code().map(BankCode::new),
                message: answer.message().map(str::to_owned),
                transaction: answer.transaction().map(str::to_owned),
                response: raw(),
            })
        }
        (_, PaymentStatus::Error | PaymentStatus::Failed) => Err(rejected()),
        _ => Err(Error::UnexpectedStatus {
            status: status.clone(),
            response: raw(),
        }),
    }
}

/// An answer kept as JSON (for [`Client::send_signed`]).
pub(super) struct JsonAnswer {
    pub(super) value: serde_json::Value,
    status: Option<PaymentStatus>,
}

impl JsonAnswer {
    pub(super) fn new(value: serde_json::Value) -> Self {
        let status = value
            .get("status")
            .and_then(serde_json::Value::as_str)
            .map(|s| PaymentStatus::from(s.to_owned()));
        Self { value, status }
    }
}

impl Serialize for JsonAnswer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl Answer for JsonAnswer {
    fn status(&self) -> Option<&PaymentStatus> {
        self.status.as_ref()
    }
    fn message(&self) -> Option<&str> {
        self.value
            .get("message")
            .and_then(serde_json::Value::as_str)
    }
    fn transaction(&self) -> Option<&str> {
        self.value
            .get("transaction")
            .and_then(serde_json::Value::as_str)
    }
    fn code(&self) -> Option<&str> {
        self.value.get("code").and_then(serde_json::Value::as_str)
    }
    fn trace_id(&self) -> Option<&str> {
        self.value
            .get("trace_id")
            .and_then(serde_json::Value::as_str)
    }
}

/// The ids a support ticket quotes: the answer's `trace_id` and the `X-Request-ID` header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct CallIds {
    pub(super) trace_id: Option<String>,
    pub(super) request_id: Option<String>,
}

impl CallIds {
    /// The `X-Request-ID` header of an answer, when it is printable text.
    pub(super) fn request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
        headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
}

/// One request of `O` and its answer, read into `O`'s result, with the answer's ids.
async fn exchange<O: Operation>(
    raw: &generated::Client,
    envelope: &SignedEnvelope,
    sent_at: SystemTime,
) -> (Result<O::Output>, CallIds) {
    match O::send_raw(raw, envelope).await {
        Ok(answer) => {
            let request_id = CallIds::request_id(answer.headers());
            let answer = answer.into_inner();
            let ids = CallIds {
                trace_id: answer.trace_id().map(str::to_owned),
                request_id,
            };
            (interpret::<O>(answer), ids)
        }
        Err(e) => {
            let request_id = match &e {
                progenitor_client::Error::ErrorResponse(r) => CallIds::request_id(r.headers()),
                progenitor_client::Error::UnexpectedResponse(r) => CallIds::request_id(r.headers()),
                _ => None,
            };
            let error = from_progenitor(e, sent_at).await;
            let ids = CallIds {
                trace_id: error.trace_id().map(str::to_owned),
                request_id,
            };
            (Err(error), ids)
        }
    }
}

/// Worth repeating a read-only call: the network failed, or a proxy said "try again".
fn is_retryable(error: &Error) -> bool {
    match error {
        Error::Transport { .. } => true,
        Error::Http { status, .. } => matches!(status, 429 | 502 | 503 | 504),
        _ => false,
    }
}

/// Converts the generated client's error, keeping the body and whether EPoint saw the request
/// (sent at `sent_at`).
pub(super) async fn from_progenitor(
    error: progenitor_client::Error<()>,
    sent_at: SystemTime,
) -> Error {
    use progenitor_client::Error as E;
    match error {
        E::InvalidRequest(reason) => Error::invalid("request", reason),
        E::CommunicationError(source)
        | E::InvalidUpgrade(source)
        | E::ResponseBodyError(source) => Error::transport(source, sent_at),
        E::InvalidResponsePayload(body, source) => Error::Decode { body, source },
        E::ErrorResponse(response) => Error::Http {
            status: response.status().as_u16(),
            body: String::new(),
        },
        E::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            match response.bytes().await {
                Ok(body) => Error::Http {
                    status,
                    body: String::from_utf8_lossy(&body).into_owned(),
                },
                Err(source) => Error::transport(source, sent_at),
            }
        }
        E::Custom(reason) => Error::invalid("request", reason),
    }
}

/// Setters shared by several payloads, generated for each payload that has the field.
macro_rules! setters {
    ($($payload:ident: [$($setter:ident),* $(,)?];)*) => {$(
        impl<'c> Call<'c, ops::$payload> {
            $(setters!(@$setter);)*
        }
    )*};
    (@description) => {
        /// Free text shown to the customer (at most 1000 characters).
        ///
        /// ```
        /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
        /// let call = client.save_card().description("Card for the monthly plan");
        /// ```
        pub fn description(self, description: impl Into<String>) -> Self {
            self.set("description", field("description", &description.into()), |p, v| p.description = Some(v))
        }
    };
    (@language) => {
        /// Language of EPoint's pages for this call (default: the config's).
        ///
        /// ```
        /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
        /// let call = client.save_card().language(epoint_az::Language::En);
        /// ```
        pub fn language(self, language: Language) -> Self {
            self.set("language", Ok::<_, Error>(language), |p, v| p.language = v)
        }
    };
    (@redirects) => {
        /// Where the customer's browser goes after a successful payment (absolute http(s) URL).
        ///
        /// ```
        /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
        /// let call = client.save_card().success_redirect_url("https://shop.example/ok");
        /// ```
        pub fn success_redirect_url(self, url: impl Into<String>) -> Self {
            self.set("success_redirect_url", redirect_url("success_redirect_url", &url.into()), |p, v| p.success_redirect_url = Some(v))
        }

        /// Where the customer's browser goes after a failed payment (absolute http(s) URL).
        ///
        /// ```
        /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
        /// let call = client.save_card().error_redirect_url("https://shop.example/failed");
        /// ```
        pub fn error_redirect_url(self, url: impl Into<String>) -> Self {
            self.set("error_redirect_url", redirect_url("error_redirect_url", &url.into()), |p, v| p.error_redirect_url = Some(v))
        }
    };
    (@other_attr) => {
        /// Extra data (a JSON object) that EPoint echoes back in the callback.
        ///
        /// ```
        /// # use epoint_az::dec;
        /// # let client = epoint_az::Client::new(epoint_az::Config::new("i1", "k")).unwrap();
        /// let call = client.pay(dec!(1), "o").other_attr(serde_json::json!({"cart": "42"}));
        /// ```
        pub fn other_attr(self, attrs: serde_json::Value) -> Self {
            let value = match attrs {
                serde_json::Value::Object(map) => Ok(types::OtherAttr(map)),
                other => Err(format!("must be a JSON object, got {other}")),
            };
            self.set("other_attr", value, |p, v| p.other_attr = Some(v))
        }
    };
}

// Which payloads get which shared setters is read from the spec by build.rs.
include!(concat!(env!("OUT_DIR"), "/setters.rs"));
