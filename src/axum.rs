//! axum integration (feature `axum`): the [`EpointCallback`] extractor verifies and decodes
//! EPoint's callback before your handler runs.
//!
//! # Router state
//!
//! The extractor needs the merchant [`Keys`] from the router state, through axum's
//! [`FromRef`]. Three states work out of the box: [`Keys`] itself, a [`Client`] (its
//! [`Client::keys`]), and anything with an `impl FromRef<YourState> for Keys`:
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use epoint_az::axum::EpointCallback;
//!
//! async fn result_url(EpointCallback(callback): EpointCallback) -> &'static str {
//!     // Signature already checked; record the outcome idempotently by transaction id.
//!     println!("{:?} {:?} {}", callback.flow, callback.payload.transaction, callback.payload.status);
//!     "OK"
//! }
//!
//! # fn run() -> Result<(), epoint_az::ConfigError> {
//! let client = epoint_az::Client::from_env()?;
//! let app: Router = Router::new().route("/epoint/result", post(result_url)).with_state(client);
//! # Ok(()) }
//! ```
//!
//! Your own state struct holding a `Client` needs one impl. (axum's `#[derive(FromRef)]`,
//! from its `macros` feature, implements `FromRef` for each *field's* type: it gives the
//! extractor its keys only if the struct has a `keys: epoint_az::Keys` field, not from a
//! `Client` field.)
//!
//! ```no_run
//! use axum::{Router, extract::{FromRef, State}, routing::post};
//! use epoint_az::axum::EpointCallback;
//!
//! #[derive(Clone)]
//! struct AppState {
//!     client: epoint_az::Client,
//!     // … your database pool, templates, …
//! }
//!
//! // The recipe: tell the extractor where the merchant keys are.
//! impl FromRef<AppState> for epoint_az::Keys {
//!     fn from_ref(state: &AppState) -> Self {
//!         state.client.keys().clone()
//!     }
//! }
//!
//! async fn result_url(State(state): State<AppState>, EpointCallback(cb): EpointCallback) -> &'static str {
//!     // …and `state.client.get_transaction_status(…)` to confirm when in doubt.
//!     "OK"
//! }
//!
//! # fn run(client: epoint_az::Client) {
//! let app: Router = Router::new()
//!     .route("/epoint/result", post(result_url))
//!     .with_state(AppState { client });
//! # }
//! ```
//!
//! Without it, the handler fails to compile with axum's generic
//! "the trait `Handler<_, _>` is not implemented" error; `#[axum::debug_handler]` (axum's
//! `macros` feature) narrows it down to "the trait `FromRef<AppState>` is not implemented
//! for `Keys`": add the impl above.
//!
//! # Body size limit
//!
//! The extractor reads the body with axum's `Bytes` extractor, so axum's
//! [`DefaultBodyLimit`](::axum::extract::DefaultBodyLimit) applies: **2 MB** unless you change
//! it. A larger body is refused with **413 Payload Too Large** ([`CallbackError::TooLarge`])
//! before the signature is checked, and the handler does not run. Below that, the verifier's
//! own cap applies: a body over 64 KiB ([`crate::callback::MAX_CALLBACK_BODY`]) is refused
//! with 413 too ([`CallbackError::BodyTooLarge`]). EPoint's callbacks are a few hundred bytes,
//! so both are ample; lower axum's limit for the callback route if you like:
//!
//! ```no_run
//! use axum::{Router, extract::DefaultBodyLimit, routing::post};
//! # async fn result_url(_: epoint_az::axum::EpointCallback) {}
//! # fn run(client: epoint_az::Client) {
//! let app: Router = Router::new()
//!     .route("/epoint/result", post(result_url).layer(DefaultBodyLimit::max(64 * 1024)))
//!     .with_state(client);
//! # }
//! ```
//!
//! A complete web service (checkout, callback, order page) is `examples/axum_shop.rs`:
//! `cargo run --example axum_shop --features axum`.

use ::axum::{
    body::Bytes,
    extract::{FromRef, FromRequest, Request, rejection::BytesRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};

use crate::{Callback, CallbackError, Client, Keys};

/// A verified, decoded EPoint callback. Needs [`Keys`] from the router state: the state is
/// `Keys`, a [`Client`], or implements `FromRef<State> for Keys` (see the [module
/// docs](self)). Rejects with 400 (malformed form), 401 (bad signature) or 413 (body over
/// axum's `DefaultBodyLimit`, 2 MB by default).
///
/// ```
/// use axum::{Router, routing::post};
/// async fn result_url(epoint_az::axum::EpointCallback(cb): epoint_az::axum::EpointCallback) -> &'static str {
///     if cb.is_success() { /* mark cb.payload.order_id paid, once per cb.payload.transaction */ }
///     "OK"
/// }
/// let client = epoint_az::Client::new(epoint_az::Config::new("i000000001", "private-key")).unwrap();
/// let app: Router = Router::new().route("/epoint/result", post(result_url)).with_state(client);
/// ```
#[derive(Clone, Debug)]
pub struct EpointCallback(pub Callback);

/// Why [`EpointCallback`] refused a request; answers 400, 401 or 413 with a short text.
///
/// ```
/// use axum::response::IntoResponse;
/// let r = epoint_az::axum::CallbackRejection(epoint_az::CallbackError::MissingField("data")).into_response();
/// assert_eq!(r.status(), 400);
/// ```
#[derive(Debug)]
pub struct CallbackRejection(pub CallbackError);

impl CallbackRejection {
    /// The HTTP status this rejection answers with.
    ///
    /// ```
    /// use epoint_az::{CallbackError, axum::CallbackRejection};
    /// assert_eq!(CallbackRejection(CallbackError::TooLarge("length limit exceeded".into())).status(), 413);
    /// ```
    pub fn status(&self) -> StatusCode {
        match &self.0 {
            CallbackError::Signature(_) => StatusCode::UNAUTHORIZED,
            CallbackError::TooLarge(_) | CallbackError::BodyTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl IntoResponse for CallbackRejection {
    fn into_response(self) -> Response {
        let status = self.status();
        tracing::warn!(target: "epoint_az", error = %self.0, "EPoint callback refused");
        (status, format!("EPoint callback refused: {}", self.0)).into_response()
    }
}

/// The merchant keys of a [`Client`] in the router state: `Router::with_state(client)` is
/// enough for [`EpointCallback`].
///
/// ```
/// use axum::extract::FromRef;
/// let client = epoint_az::Client::new(epoint_az::Config::new("i000000001", "private-key")).unwrap();
/// assert_eq!(epoint_az::Keys::from_ref(&client).public_key(), "i000000001");
/// ```
impl FromRef<Client> for Keys {
    fn from_ref(client: &Client) -> Keys {
        client.keys().clone()
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
            .map_err(body_rejection)?;
        keys.verify_callback(&body)
            .map(EpointCallback)
            .map_err(CallbackRejection)
    }
}

/// Keeps axum's 413 for a body over the limit; anything else is a malformed request.
fn body_rejection(rejection: BytesRejection) -> CallbackRejection {
    let text = rejection.body_text();
    CallbackRejection(if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        CallbackError::TooLarge(text)
    } else {
        CallbackError::NotAForm(text)
    })
}
