//! The accept loop: one hyper HTTP/1.1 connection per socket, each with a kill switch so a
//! handler can close its own connection (the truncated-body and dropped-connection faults).
//!
//! A leaf: it imports nothing else of `sandbox`, only axum, hyper and tokio.

use std::{
    convert::Infallible,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};

use axum::{
    Router,
    body::{Body, Bytes},
    http::{HeaderValue, Request, header},
    response::Response,
};
use http_body::Frame;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{Notify, watch},
    task::JoinSet,
};
use tower::ServiceExt;

/// Lets a handler close the connection it is answering on.
#[derive(Clone)]
pub(crate) struct ConnControl {
    kill: Arc<Notify>,
}

impl ConnControl {
    /// Closes the connection (without sending anything more).
    pub(crate) fn kill(&self) {
        self.kill.notify_one();
    }
}

/// Serves until `stop` turns true; then closes every connection.
pub(crate) async fn serve(listener: TcpListener, router: Router, mut stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(connection(stream, router.clone(), stop.clone()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sandbox: accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    // Let requests in flight finish (idle connections close at once), then force the rest.
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::debug!("sandbox: closing connections still busy after the grace period");
    }
    connections.shutdown().await;
}

/// How long [`serve`] waits for requests in flight when stopping.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

async fn connection(stream: TcpStream, router: Router, mut stop: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let control = ConnControl {
        kill: Arc::new(Notify::new()),
    };
    let kill = control.kill.clone();
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(control.clone());
        router.clone().oneshot(request)
    });
    let conn =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut stopping = *stop.borrow();
    if stopping {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "sandbox: connection ended with an error");
                }
                return;
            }
            () = kill.notified() => return,
            _ = stop.changed(), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// A response announcing the full length of `text` but sending only its first half, then
/// closing the connection.
pub(crate) fn truncated_body(control: ConnControl, text: String) -> Response {
    let full = text.len();
    let mut bytes = Bytes::from(text);
    let half = bytes.split_to(full / 2);
    let mut response = Response::new(Body::new(Truncated {
        first: Some(half),
        control: Some(control),
    }));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(full));
    response
}

/// How long the truncated-body fault waits before closing (lets the partial body flush).
const TRUNCATE_CLOSE_DELAY: std::time::Duration = std::time::Duration::from_millis(50);

/// Yields one chunk, then never ends; shortly after, the connection is killed.
struct Truncated {
    first: Option<Bytes>,
    control: Option<ConnControl>,
}

impl http_body::Body for Truncated {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(chunk) = self.first.take() {
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if let Some(control) = self.control.take() {
            tokio::spawn(async move {
                tokio::time::sleep(TRUNCATE_CLOSE_DELAY).await;
                control.kill();
            });
        }
        Poll::Pending
    }
}
