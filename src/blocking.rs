//! Blocking calls (feature `blocking`), for programs without an async runtime.
//!
//! [`Call::send_blocking`] runs the same signed call on a small runtime shared by the whole
//! process (one worker thread, created on first use), so connections are pooled across calls.
//! Do not call it from inside an async task: `.await` the call there instead.

use std::sync::OnceLock;

use crate::{
    Call,
    error::{Error, Result},
    operation::Operation,
};

static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> = OnceLock::new();

fn runtime() -> Result<&'static tokio::runtime::Runtime> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("epoint-blocking")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|reason| Error::InvalidInput {
            field: "runtime",
            reason: format!("cannot start the blocking runtime: {reason}"),
        })
}

impl<O: Operation> Call<'_, O> {
    /// Sends the call and waits for the answer, blocking the current thread.
    ///
    /// ```no_run
    /// use epoint_az::dec;
    /// let client = epoint_az::Client::from_env()?;
    /// let payment = client.pay(dec!(30.75), "order-1001").send_blocking()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_blocking(self) -> Result<O::Output> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::InvalidInput {
                field: "runtime",
                reason:
                    "send_blocking was called inside an async runtime; `.await` the call instead"
                        .to_owned(),
            });
        }
        runtime()?.block_on(self.send())
    }
}
