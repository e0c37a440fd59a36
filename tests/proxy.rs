//! `Client::new` leaves reqwest's per-request proxy check out when no proxy variable is set
//! (a measured ~1 % of a call); this proves a proxy set in the environment is still used.
//! One test in its own binary: it sets a process-wide environment variable.

#[path = "capture/mod.rs"]
mod capture;

use capture::{CaptureServer, Reply};
use epoint_az::{Client, Config};

#[tokio::test]
async fn a_proxy_set_in_the_environment_is_still_used() {
    let proxy = CaptureServer::start(Reply::json(serde_json::json!({
        "status": "success", "transaction": "te000000001", "code": "000"
    })))
    .await;
    // SAFETY: the only test in this binary, on a current-thread runtime; nothing else reads or
    // writes the environment concurrently.
    unsafe { std::env::set_var("HTTP_PROXY", proxy.base_url()) };
    let client = Client::new(Config::new("i000000001", "k").base_url("http://epoint.invalid"))
        .expect("client");
    let status = client
        .get_transaction_status("te000000001")
        .await
        .expect("answered through the proxy");
    assert!(status.is_paid());
    let request = proxy.only_request();
    // A request to a proxy names the whole URL (absolute form), not just the path.
    assert_eq!(request.path, "http://epoint.invalid/api/1/get-status");
    assert_eq!(request.header("host"), Some("epoint.invalid"));
}
