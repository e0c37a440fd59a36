//! The operation table, generated from the spec by `build.rs`: every EPoint operation by name
//! ([`OperationId`], [`OPERATIONS`]) and, for each signed operation, a marker type in [`ops`]
//! that ties it to its payload, its answer and the way its answer is read.
//!
//! Nothing here repeats the spec by hand: adding an operation to `openapi/epoint.yaml` adds its
//! `OperationId`, its `OperationInfo` and its `ops::…` marker, callable at once with
//! [`crate::Client::operation`].
//!
//! ```
//! use epoint_az::{OperationId, operation::Operation, ops};
//! assert_eq!(<ops::ExecutePay as Operation>::ID, OperationId::ExecutePay);
//! assert_eq!(OperationId::ExecutePay.path(), "/api/1/execute-pay");
//! assert_eq!(OperationId::ExecutePay.info().payload, Some("ExecutePayRequest"));
//! ```

use std::{fmt, future::Future, str::FromStr};

use serde::Serialize;

pub use crate::answer::Success;
use crate::{
    PaymentStatus,
    generated::{self, types::SignedEnvelope},
};

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// One signed EPoint operation (implemented by the generated markers in [`ops`]; sealed).
pub trait Operation: sealed::Sealed + Send + Sync + 'static {
    /// The payload schema (`x-epoint-payload`), the JSON signed into `data`.
    type Payload: Serialize + Clone + fmt::Debug + Send + Sync + 'static;
    /// The generated answer type (the `200` schema).
    type Response: Answer + Serialize + Send + 'static;
    /// What a successful call returns (by the operation's `x-epoint-answer`; the generated
    /// answer itself when the spec names none).
    type Output: Success<Self::Response> + Send + 'static;
    /// The operation's name.
    const ID: OperationId;
    /// How its answer's `status` is read.
    const KIND: AnswerKind;

    #[doc(hidden)]
    fn send_raw<'a>(
        raw: &'a generated::Client,
        envelope: &'a SignedEnvelope,
    ) -> impl Future<
        Output = Result<
            progenitor_client::ResponseValue<Self::Response>,
            progenitor_client::Error<()>,
        >,
    > + Send
    + 'a;
}

/// One operation of the spec (see [`OPERATIONS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationInfo {
    /// The typed name.
    pub id: OperationId,
    /// The spec's `operationId`, e.g. `payment_request`.
    pub operation_id: &'static str,
    /// The domain name (`x-epoint-name`, e.g. `pay`): the client's method and the CLI's word.
    pub name: &'static str,
    /// `POST` (or `GET` for the few unsigned reads).
    pub method: &'static str,
    /// The HTTP path, e.g. `/api/1/request`.
    pub path: &'static str,
    /// The payload schema named by `x-epoint-payload`, e.g. `PaymentRequest`.
    pub payload: Option<&'static str>,
    /// The schema of the `200` answer, e.g. `RedirectResponse`.
    pub answer: Option<&'static str>,
    /// How the answer's `status` is read.
    pub kind: AnswerKind,
    /// Whether EPoint later POSTs a signed callback to the merchant's `result_url`.
    pub callback: bool,
    /// Whether the operation creates a payment or moves money (`x-epoint-moves-money`): a
    /// tool asks before sending it, and nothing repeats it after an unknown outcome.
    ///
    /// ```
    /// use epoint_az::OperationId;
    /// assert!(OperationId::ExecutePay.info().moves_money);
    /// assert!(!OperationId::GetStatus.info().moves_money);
    /// ```
    pub moves_money: bool,
    /// Where the operation is documented (`x-epoint-source`).
    pub source: &'static str,
    /// The payload's fields whose schema is the spec's `Money` (e.g. `amount`,
    /// `split_amount`), checked like [`crate::Money`]'s `FromStr` by
    /// [`OperationId::validate_field`].
    ///
    /// ```
    /// use epoint_az::OperationId;
    /// assert_eq!(OperationId::SplitRequest.info().money_fields, ["amount", "split_amount"]);
    /// ```
    pub money_fields: &'static [&'static str],
    /// The payload's fields whose schema is the spec's `OrderId`, checked by
    /// [`crate::validate_order_id`] in [`OperationId::validate_field`].
    ///
    /// ```
    /// use epoint_az::OperationId;
    /// assert_eq!(OperationId::ExecutePay.info().order_id_fields, ["order_id"]);
    /// ```
    pub order_id_fields: &'static [&'static str],
}

/// How an operation's answer maps to `Ok` / `Err` (from the spec's `x-epoint-answer`).
///
/// ```
/// use epoint_az::{OperationId, operation::AnswerKind};
/// assert_eq!(OperationId::ExecutePay.info().kind, AnswerKind::Charge);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnswerKind {
    /// Hosted-page creation: only `success` is `Ok`; `error`/`server_error` are rejections.
    HostedPage,
    /// Status query: every payment state is `Ok`; `server_error` (or an `error` naming no
    /// transaction) is a rejection.
    Status,
    /// Synchronous charge or payout: `failed`/`error` with a bank code or transaction is a
    /// [`crate::Error::Declined`]; without, a rejection.
    Charge,
    /// Refund: only `success` is `Ok`; `error`/`failed` are rejections.
    Refund,
    /// An operation the spec gives no `x-epoint-answer`: `success` (or no `status` at all) is
    /// `Ok`; `error`/`failed`/`server_error` are rejections.
    Plain,
}

/// The fields every EPoint answer may carry, for mapping answers to results (generated for
/// each answer schema from the fields it declares).
///
/// ```
/// use epoint_az::operation::Answer;
/// let a: epoint_az::generated::types::ReverseResponse =
///     serde_json::from_str(r#"{"status":"error","message":"Already returned"}"#).unwrap();
/// assert_eq!(a.message(), Some("Already returned"));
/// ```
pub trait Answer {
    /// `status`, when the schema has one.
    fn status(&self) -> Option<&PaymentStatus>;
    /// `message`.
    fn message(&self) -> Option<&str>;
    /// `transaction`.
    fn transaction(&self) -> Option<&str>;
    /// `code` (bank response code).
    fn code(&self) -> Option<&str>;
    /// `trace_id`, EPoint's id of the request (developer site; absent from older answers).
    fn trace_id(&self) -> Option<&str> {
        None
    }
}

pub(crate) mod sealed {
    pub trait Sealed {}
}

impl OperationId {
    /// Everything the spec says about this operation.
    ///
    /// ```
    /// assert!(epoint_az::OperationId::PaymentRequest.info().callback);
    /// ```
    pub fn info(self) -> &'static OperationInfo {
        OPERATIONS
            .iter()
            .find(|info| info.id == self)
            .expect("every OperationId is in OPERATIONS (both are generated from the spec)")
    }

    /// The spec's `operationId`, e.g. `execute_pay`.
    ///
    /// ```
    /// assert_eq!(epoint_az::OperationId::Reverse.operation_id(), "reverse");
    /// ```
    pub fn operation_id(self) -> &'static str {
        self.info().operation_id
    }

    /// The HTTP path, e.g. `/api/1/execute-pay`.
    ///
    /// ```
    /// assert_eq!(epoint_az::OperationId::Reverse.path(), "/api/1/reverse");
    /// ```
    pub fn path(self) -> &'static str {
        self.info().path
    }

    /// The domain name (`x-epoint-name`), which is also the client's method, e.g.
    /// `pay_with_saved_card`.
    ///
    /// ```
    /// assert_eq!(epoint_az::OperationId::ExecutePay.name(), "pay_with_saved_card");
    /// ```
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Every operation, in the spec's order.
    ///
    /// ```
    /// assert!(epoint_az::OperationId::all().any(|op| op == epoint_az::OperationId::GetStatus));
    /// ```
    pub fn all() -> impl Iterator<Item = OperationId> {
        OPERATIONS.iter().map(|info| info.id)
    }

    /// Checks one field of a payload built by hand (for [`crate::Client::send_signed`], or the
    /// CLI's `epoint call`) with the rules the typed methods apply, before anything is sent:
    /// a [`OperationInfo::money_fields`] field must read as [`crate::Money`] does (its `FromStr`
    /// on a string, on a number's JSON text); an [`OperationInfo::order_id_fields`] field must
    /// be a string that passes [`crate::validate_order_id`] and, when another operation reads
    /// the order back by it in its URL path (the B2B transfer), is usable as one path segment.
    /// An operation whose payload schema the spec does not name is checked by field name
    /// (`amount`, `order_id`). Other fields are left to EPoint. A refusal is
    /// [`crate::Error::InvalidInput`] naming the field.
    ///
    /// ```
    /// use epoint_az::{Error, OperationId};
    /// use serde_json::json;
    /// let op = OperationId::ExecutePay;
    /// assert!(op.validate_field("amount", &json!("9.99")).is_ok());
    /// assert!(op.validate_field("amount", &json!(5)).is_ok());
    /// for bad in [json!("1e3"), json!("+5"), json!("NaN"), json!(-5), json!(0.001)] {
    ///     assert!(matches!(
    ///         op.validate_field("amount", &bad),
    ///         Err(Error::InvalidInput { field: "amount", .. })
    ///     ));
    /// }
    /// assert!(op.validate_field("order_id", &json!("x".repeat(10_000))).is_err());
    /// assert!(OperationId::B2bPayment.validate_field("order_id", &json!("..")).is_err());
    /// ```
    pub fn validate_field(self, key: &str, value: &serde_json::Value) -> crate::Result<()> {
        use serde_json::Value;
        let info = self.info();
        // An operation whose payload schema the spec does not name (the B2B transfer, whose
        // `data` is described in prose) is checked by the names every payload uses.
        let (money_fields, order_id_fields): (&[&'static str], &[&'static str]) = match info.payload
        {
            Some(_) => (info.money_fields, info.order_id_fields),
            None => (&["amount"], &["order_id"]),
        };
        if let Some(field) = money_fields.iter().copied().find(|f| *f == key) {
            let text = match value {
                Value::String(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                _ => {
                    return Err(crate::Error::invalid(
                        field,
                        "is not an amount (a decimal string like \"30.75\", or a number)",
                    ));
                }
            };
            text.parse::<crate::Money>()
                .map_err(|e| crate::Error::invalid(field, e))?;
        }
        if let Some(field) = order_id_fields.iter().copied().find(|f| *f == key) {
            let Value::String(order_id) = value else {
                return Err(crate::Error::invalid(field, "is not a string"));
            };
            crate::validate_order_id(order_id).map_err(|e| match e {
                crate::Error::InvalidInput { reason, .. } => crate::Error::invalid(field, reason),
                other => other,
            })?;
            let read_back_by_path = OPERATIONS.iter().any(|other| {
                other
                    .path
                    .strip_prefix(info.path)
                    .is_some_and(|rest| rest == format!("/{{{field}}}"))
            });
            if read_back_by_path {
                crate::order_id::check_path_order_id(order_id)
                    .map_err(|reason| crate::Error::invalid(field, reason))?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for OperationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.operation_id())
    }
}

impl From<OperationId> for &'static str {
    fn from(op: OperationId) -> Self {
        op.operation_id()
    }
}

/// An operation name that matches no operation of the spec.
///
/// ```
/// let e = "pay_later".parse::<epoint_az::OperationId>().unwrap_err();
/// assert!(e.to_string().contains("pay_later"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "no EPoint operation is named `{0}` (use an operationId like `execute_pay`, a path like `/api/1/execute-pay` or `execute-pay`, or a method name like `pay_with_saved_card`)"
)]
pub struct UnknownOperation(pub String);

impl FromStr for OperationId {
    type Err = UnknownOperation;

    /// Accepts every spelling in use: the `operationId` (`execute_pay`), the path
    /// (`/api/1/execute-pay`), the path without its `/api/1/` prefix (`execute-pay`) and the
    /// domain name (`pay_with_saved_card`).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let tail = |path: &'static str| {
            path.strip_prefix("/api/1/")
                .or_else(|| path.strip_prefix("/api/"))
                .unwrap_or(path)
        };
        OPERATIONS
            .iter()
            .find(|i| {
                i.operation_id == name || i.path == name || tail(i.path) == name || i.name == name
            })
            .map(|i| i.id)
            .ok_or_else(|| UnknownOperation(name.to_owned()))
    }
}
