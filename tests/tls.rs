//! HTTPS works with the crate's default TLS setup: `Client::new` with default features (rustls
//! with the ring provider, no aws-lc), a real TLS handshake and request against a local rustls
//! server on 127.0.0.1, with nothing installed process-wide. Under `native-tls` the same test
//! goes through OpenSSL, which reads `SSL_CERT_FILE` too.
//!
//! The certificate below is a self-signed `localhost` / 127.0.0.1 server certificate made for
//! this test (EC P-256, valid for 100 years); the test trusts it through `SSL_CERT_FILE`, which
//! the platform verifier (and OpenSSL) read.

use std::{
    io::{Read, Write},
    net::TcpListener,
    sync::Arc,
};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};

const CERT: &str = "-----BEGIN CERTIFICATE-----\n\
MIIBvjCCAWWgAwIBAgIUA/ZCG146T5uKzXQKnb5eomODSwcwCgYIKoZIzj0EAwIw\n\
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyOTA5MDQ0MloYDzIxMjYxMTA1\n\
MDkwNDQyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO\n\
PQMBBwNCAAQv1zMWPJ0e81Jq4gKWvPHySEvGCXUSAU0MmfoxU0xpMVYYC+Sw5Gc7\n\
oC6ixUgfDUcO20Va5+YVnGmbXaWgl0QVo4GSMIGPMB0GA1UdDgQWBBQK8nm1kORb\n\
/gc1gk5G7Uo5ozeabDAfBgNVHSMEGDAWgBQK8nm1kORb/gc1gk5G7Uo5ozeabDAa\n\
BgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwDAYDVR0TAQH/BAIwADAOBgNVHQ8B\n\
Af8EBAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwCgYIKoZIzj0EAwIDRwAwRAIg\n\
dPVZ9NCIxhPXXuRP35ceIALPgdOWGpkIK5AHDt6sMt0CICTOdHeEZMQ5j2phybGE\n\
/HAMZp49pl6R+CgEyGBjduha\n\
-----END CERTIFICATE-----";
const KEY: &str = "-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGMQ1qCEtb0wTfjAm\n\
8ZQrAUhzo5EO6s6aP9MhxxeLPHqhRANCAAQv1zMWPJ0e81Jq4gKWvPHySEvGCXUS\n\
AU0MmfoxU0xpMVYYC+Sw5Gc7oC6ixUgfDUcO20Va5+YVnGmbXaWgl0QV\n\
-----END PRIVATE KEY-----";

/// Serves one HTTPS request with `answer`; returns the request line.
fn serve_once(listener: TcpListener, answer: &'static str) -> String {
    // The same provider as the crate's default feature (deprecated since rustls 0.23.48 for
    // lacking post-quantum key exchange; see src/tls.rs).
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(CERT.as_bytes()).expect("cert")],
            PrivateKeyDer::from_pem_slice(KEY.as_bytes()).expect("key"),
        )
        .expect("server config");
    let (socket, _) = listener.accept().expect("accept");
    let connection = rustls::ServerConnection::new(Arc::new(config)).expect("connection");
    let mut tls = rustls::StreamOwned::new(connection, socket);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tls.read(&mut chunk).expect("read over TLS");
        assert!(n > 0, "the client closed before a whole request");
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().expect("length"))
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                tls.write_all(reply.as_bytes()).expect("write over TLS");
                tls.conn.send_close_notify();
                tls.flush().expect("flush");
                return text.lines().next().unwrap_or_default().to_owned();
            }
        }
    }
}

#[tokio::test]
async fn https_round_trip_with_the_default_tls_setup() {
    let dir = std::env::temp_dir().join(format!("epoint-tls-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cert_file = dir.join("cert.pem");
    std::fs::write(&cert_file, CERT).expect("write cert");
    // SAFETY: the only test in this binary, and no other thread runs yet.
    unsafe { std::env::set_var("SSL_CERT_FILE", &cert_file) };

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        serve_once(
            listener,
            r#"{"status":"success","transaction":"te000000001","message":"ok"}"#,
        )
    });

    let client = epoint_az::Client::new(
        epoint_az::Config::new("i000000001", "key").base_url(format!("https://localhost:{port}")),
    )
    .expect("a client with the default TLS setup");
    let state = client
        .get_transaction_status("te000000001")
        .await
        .expect("an HTTPS answer");
    assert_eq!(state.status, epoint_az::PaymentStatus::Success);
    let request_line = server.join().expect("server thread");
    assert_eq!(request_line, "POST /api/1/get-status HTTP/1.1");

    // The crate chose its provider without touching process-wide state.
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    std::fs::remove_dir_all(&dir).ok();
}
