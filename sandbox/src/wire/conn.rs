//! The accept loop: one hyper HTTP/1.1 connection per socket, each with a kill switch so a
//! handler can close its own connection (the truncated-body and dropped-connection faults).
//!
//! A leaf: it imports nothing else of `sandbox`, only axum, hyper and tokio.

use std::{
    convert::Infallible,
    io,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::{Body, Bytes},
    http::{HeaderValue, Request, header},
    response::Response,
};
use http_body::Frame;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
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

/// How long a connection may take or wait: see `SandboxBuilder::header_read_timeout` and
/// `SandboxBuilder::idle_timeout`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// From the first byte of a request to the end of its headers.
    pub(crate) header_read: Duration,
    /// With no request in progress and no byte sent or received.
    pub(crate) idle: Duration,
    /// From the start of a request's body to its end.
    pub(crate) body_read: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            body_read: Duration::from_secs(30),
        }
    }
}

/// Serves until `stop` turns true; then closes every connection.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    mut stop: watch::Receiver<bool>,
    limits: Limits,
) {
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
                    connections.spawn(connection(stream, router.clone(), stop.clone(), limits));
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

/// When a connection last sent or received a byte, and how many requests it has in progress.
struct Activity {
    start: Instant,
    /// Milliseconds after `start`.
    last_io: AtomicU64,
    busy: AtomicUsize,
    /// Requests whose body has not been read to its end yet.
    reading: AtomicUsize,
    /// When the oldest body still being read began (milliseconds after `start`).
    reading_since: AtomicU64,
    /// When the first byte of the next request's headers arrived ([`NOT_STARTED`]: none has).
    /// Set by [`Framing`] as the bytes are read, so a head pipelined behind a complete request
    /// (read with it, or while it is processed) is timed from its own first byte.
    head_since: AtomicU64,
    /// When the last request in progress ended (milliseconds after `start`): a pipelined head
    /// is not cut sooner than the header-read timeout after it.
    free_since: AtomicU64,
    /// [`Framing`] could not follow the stream (a chunked body, say): heads are then timed
    /// from the first byte that arrives while no request is in progress.
    framing_lost: AtomicBool,
}

/// [`Activity::head_since`] when no request's headers are arriving.
const NOT_STARTED: u64 = u64::MAX;

impl Activity {
    fn touch(&self) {
        self.last_io.store(self.now(), Ordering::Relaxed);
    }

    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Bytes arrived; `head` says whether a request's head is now partly received (`None`:
    /// the framing is lost, so a byte with no request in progress starts one).
    fn received(&self, head: Option<bool>) {
        self.touch();
        let started = match head {
            Some(started) => started,
            None => {
                self.framing_lost.store(true, Ordering::Relaxed);
                self.busy.load(Ordering::Relaxed) == 0
            }
        };
        if started {
            let _ = self.head_since.compare_exchange(
                NOT_STARTED,
                self.now(),
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        } else if head.is_some() {
            self.head_since.store(NOT_STARTED, Ordering::Relaxed);
        }
    }

    /// How long a head has been arriving with no request in progress: from its first byte, or
    /// from the end of the request before it, whichever is later (zero when none is arriving,
    /// or while a request is in progress: a request being processed is never cut).
    fn head_for(&self) -> Duration {
        if self.busy.load(Ordering::Relaxed) > 0 {
            return Duration::ZERO;
        }
        match self.head_since.load(Ordering::Relaxed) {
            NOT_STARTED => Duration::ZERO,
            since => {
                let since = since.max(self.free_since.load(Ordering::Relaxed));
                self.start
                    .elapsed()
                    .saturating_sub(Duration::from_millis(since))
            }
        }
    }

    /// How long the body being read has been arriving (zero when none is).
    fn reading_for(&self) -> Duration {
        if self.reading.load(Ordering::Relaxed) == 0 {
            return Duration::ZERO;
        }
        let since = Duration::from_millis(self.reading_since.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(since)
    }

    fn quiet_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_io.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }
}

/// Counts a request in progress until dropped.
struct Busy(Arc<Activity>);

impl Busy {
    fn new(activity: Arc<Activity>) -> Self {
        activity.busy.fetch_add(1, Ordering::Relaxed);
        if activity.framing_lost.load(Ordering::Relaxed) {
            // The headers are complete: they are no longer arriving. (When the framing is
            // followed, it knows, and a head pipelined behind these keeps its time.)
            activity.head_since.store(NOT_STARTED, Ordering::Relaxed);
        }
        Self(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if self.0.busy.fetch_sub(1, Ordering::Relaxed) == 1 {
            self.0.free_since.store(self.0.now(), Ordering::Relaxed);
        }
        self.0.touch();
    }
}

/// Follows the requests' framing in the bytes read, as hyper parses them (heads with
/// `httparse`, bodies by `Content-Length`), only to know when a request's head is partly
/// received: a head pipelined behind a complete request, or sent while one is processed,
/// sits in hyper's buffer where the socket no longer shows it. A chunked body (or anything
/// hyper would refuse) loses the framing; then [`Activity::received`] falls back to timing a
/// head from the first byte that arrives while no request is in progress.
#[derive(Default)]
struct Framing {
    /// The bytes of the head being received (leading empty lines skipped, as httparse does).
    head: Vec<u8>,
    /// Body bytes still to come before the next head.
    body_left: u64,
    lost: bool,
}

/// The most header bytes followed; hyper refuses a longer head anyway.
const MAX_HEAD: usize = 512 * 1024;

impl Framing {
    /// Feeds bytes read. `Some(true)` when a head is partly received after them, `Some(false)`
    /// when none is, `None` when the framing is lost.
    fn feed(&mut self, mut bytes: &[u8]) -> Option<bool> {
        while !bytes.is_empty() && !self.lost {
            if self.body_left > 0 {
                let n = usize::try_from(self.body_left)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                self.body_left -= n as u64;
                bytes = &bytes[n..];
                continue;
            }
            if self.head.is_empty() {
                let skip = bytes
                    .iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .count();
                bytes = &bytes[skip..];
                if bytes.is_empty() {
                    break;
                }
            }
            let before = self.head.len();
            // A head can only end on a line feed: parse only when one arrives.
            let end = match bytes.iter().position(|b| *b == b'\n') {
                Some(_) => bytes.len(),
                None => {
                    self.head.extend_from_slice(bytes);
                    self.lost = self.head.len() > MAX_HEAD;
                    break;
                }
            };
            self.head.extend_from_slice(&bytes[..end]);
            let mut headers = [httparse::EMPTY_HEADER; 128];
            let mut request = httparse::Request::new(&mut headers);
            match request.parse(&self.head) {
                Ok(httparse::Status::Complete(length)) => {
                    match body_length(request.headers) {
                        Some(body) => self.body_left = body,
                        None => self.lost = true,
                    }
                    bytes = &bytes[length.saturating_sub(before).min(bytes.len())..];
                    self.head.clear();
                }
                Ok(httparse::Status::Partial) => {
                    self.lost = self.head.len() > MAX_HEAD;
                    break;
                }
                Err(_) => self.lost = true,
            }
        }
        (!self.lost).then_some(!self.head.is_empty())
    }
}

/// The body length a request head announces: `Content-Length` (0 without one); `None` for a
/// chunked or otherwise framed body, or conflicting lengths.
fn body_length(headers: &[httparse::Header<'_>]) -> Option<u64> {
    let mut length = None;
    for header in headers {
        if header.name.eq_ignore_ascii_case("transfer-encoding") {
            return None;
        }
        if header.name.eq_ignore_ascii_case("content-length") {
            let value: u64 = std::str::from_utf8(header.value)
                .ok()?
                .trim()
                .parse()
                .ok()?;
            if length.is_some_and(|l| l != value) {
                return None;
            }
            length = Some(value);
        }
    }
    Some(length.unwrap_or(0))
}

/// A request body, counted in [`Activity::reading`] until it ends (or is dropped unread).
struct Reading {
    inner: Incoming,
    activity: Option<Arc<Activity>>,
}

impl Reading {
    fn new(inner: Incoming, activity: Arc<Activity>) -> Self {
        use http_body::Body as _;
        if inner.is_end_stream() {
            return Self {
                inner,
                activity: None,
            };
        }
        if activity.reading.fetch_add(1, Ordering::Relaxed) == 0 {
            activity
                .reading_since
                .store(activity.now(), Ordering::Relaxed);
        }
        Self {
            inner,
            activity: Some(activity),
        }
    }

    fn done(&mut self) {
        if let Some(activity) = self.activity.take() {
            activity.reading.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        self.done();
    }
}

impl http_body::Body for Reading {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None) | Poll::Ready(Some(Err(_))))
            || http_body::Body::is_end_stream(&self.inner)
        {
            self.done();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The socket, noting every byte read or written in [`Activity`].
struct Tracked {
    stream: TcpStream,
    activity: Arc<Activity>,
    framing: Framing,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            let this = &mut *self;
            let head = this.framing.feed(&buf.filled()[before..]);
            this.activity.received(head);
        }
        result
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        result
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

async fn connection(
    stream: TcpStream,
    router: Router,
    mut stop: watch::Receiver<bool>,
    limits: Limits,
) {
    let _ = stream.set_nodelay(true);
    let control = ConnControl {
        kill: Arc::new(Notify::new()),
    };
    let kill = control.kill.clone();
    let activity = Arc::new(Activity {
        start: Instant::now(),
        last_io: AtomicU64::new(0),
        busy: AtomicUsize::new(0),
        reading: AtomicUsize::new(0),
        reading_since: AtomicU64::new(0),
        head_since: AtomicU64::new(NOT_STARTED),
        free_since: AtomicU64::new(0),
        framing_lost: AtomicBool::new(false),
    });
    let in_service = activity.clone();
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let busy = Busy::new(in_service.clone());
        let mut request = request.map(|body| Body::new(Reading::new(body, in_service.clone())));
        request.extensions_mut().insert(control.clone());
        let response = router.clone().oneshot(request);
        async move {
            let _busy = busy;
            response.await
        }
    });
    let io = TokioIo::new(Tracked {
        stream,
        activity: activity.clone(),
        framing: Framing::default(),
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        // hyper's header timer also runs while a keep-alive connection waits for its next
        // request (it closed idle keep-alive connections at 10 s, not at `idle`): the check
        // below times the headers from their first byte instead.
        .header_read_timeout(None)
        .serve_connection(io, service);
    tokio::pin!(conn);
    // Half a request's headers is not a request in progress: the idle check closes it too.
    let check_every = (limits.idle.min(limits.body_read).min(limits.header_read) / 4)
        .clamp(Duration::from_millis(10), Duration::from_secs(1));
    let mut idle_check = tokio::time::interval(check_every);
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
            _ = idle_check.tick() => {
                // Idle: no request in progress. Stalled: a request whose body stopped arriving
                // (a request being processed, with its body read, is never cut).
                let idle = activity.busy.load(Ordering::Relaxed) == 0;
                let stalled = activity.reading.load(Ordering::Relaxed) > 0;
                if (idle || stalled) && activity.quiet_for() >= limits.idle {
                    tracing::debug!(idle, stalled, "sandbox: closing a quiet connection");
                    return;
                }
                if activity.head_for() >= limits.header_read {
                    tracing::debug!("sandbox: closing a connection whose headers are too slow");
                    return;
                }
                // A body that trickles in is never quiet: it gets a deadline of its own.
                if activity.reading_for() >= limits.body_read {
                    tracing::debug!("sandbox: closing a connection whose body is too slow");
                    return;
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_sees_a_head_pipelined_behind_a_complete_request() {
        let mut framing = Framing::default();
        assert_eq!(
            framing.feed(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHo"),
            Some(true)
        );
        assert_eq!(framing.feed(b"st: x\r\n\r\n"), Some(false));
        // A body is not a head, whatever it holds; the bytes after it are.
        assert_eq!(
            framing.feed(b"POST /c HTTP/1.1\r\nContent-Length: 9\r\n\r\nGET / HTT"),
            Some(false)
        );
        assert_eq!(framing.feed(b"G"), Some(true));
        assert_eq!(framing.feed(b"ET / HTTP/1.1\r\n\r\n\r\n"), Some(false));
        // Split anywhere, one byte at a time.
        let mut framing = Framing::default();
        let stream = b"POST /d HTTP/1.1\r\ncontent-length: 2\r\n\r\nokGET /e HTTP/1.1\n\n";
        let seen: Vec<Option<bool>> = stream.chunks(1).map(|b| framing.feed(b)).collect();
        assert_eq!(seen.last(), Some(&Some(false)));
        assert_eq!(seen[seen.len() - 2], Some(true));
        // A chunked body loses the framing (the connection falls back).
        let mut framing = Framing::default();
        assert_eq!(
            framing.feed(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            None
        );
        assert_eq!(framing.feed(b"GET"), None);
    }
}
