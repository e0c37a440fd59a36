//! axum integration (feature `axum`): the [`EpointCallback`] extractor verifies and decodes
//! EPoint's callback before your handler runs.
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use epoint::{Keys, axum::EpointCallback};
//!
//! async fn result_url(EpointCallback(callback): EpointCallback) -> &'static str {
//!     // Signature already checked; record the outcome idempotently by transaction id.
//!     println!("{:?} {:?} {}", callback.flow, callback.payload.transaction, callback.payload.status);
//!     "OK"
//! }
//!
//! # async fn run() {
//! let keys = Keys::new("i000000001", "private-key");
//! let app: Router = Router::new().route("/epoint/result", post(result_url)).with_state(keys);
//! # }
//! ```

use ::axum::{
    body::Bytes,
    extract::{FromRef, FromRequest, Request},
    http::StatusCode,
    response::{IntoResponse, Response},
};

use crate::{Callback, CallbackError, Keys};

/// A verified, decoded EPoint callback. Needs [`Keys`] in the router state (directly or via
/// `FromRef`). Rejects with 400 (malformed form) or 401 (bad signature).
///
/// ```
/// fn handler_signature(_: epoint::axum::EpointCallback) {}
/// ```
#[derive(Clone, Debug)]
pub struct EpointCallback(pub Callback);

/// Why [`EpointCallback`] refused a request; answers 400 or 401 with a short text.
///
/// ```
/// use axum::response::IntoResponse;
/// let r = epoint::axum::CallbackRejection(epoint::CallbackError::MissingField("data")).into_response();
/// assert_eq!(r.status(), 400);
/// ```
#[derive(Debug)]
pub struct CallbackRejection(pub CallbackError);

impl IntoResponse for CallbackRejection {
    fn into_response(self) -> Response {
        let status = match &self.0 {
            CallbackError::Signature(_) => StatusCode::UNAUTHORIZED,
            _ => StatusCode::BAD_REQUEST,
        };
        tracing::warn!(target: "epoint", error = %self.0, "EPoint callback refused");
        (status, format!("EPoint callback refused: {}", self.0)).into_response()
    }
}

impl<S> FromRequest<S> for EpointCallback
where
    Keys: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = CallbackRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let keys = Keys::from_ref(state);
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| CallbackRejection(CallbackError::NotAForm(e.body_text())))?;
        keys.verify_callback(&body)
            .map(EpointCallback)
            .map_err(CallbackRejection)
    }
}
