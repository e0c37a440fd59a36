//! The HTTP client's TLS setup.
//!
//! With the default `rustls` feature, reqwest is built with `rustls-no-provider` and this crate
//! hands it a rustls configuration that uses the *ring* crypto provider and the same platform
//! certificate verifier reqwest would use, so aws-lc (a C library whose build dominates a clean
//! build) is not compiled. Nothing process-wide is changed: no provider is installed.
//!
//! reqwest's own choice is kept whenever it can make one:
//! * a rustls process-wide default provider installed by the program
//!   (`CryptoProvider::install_default`) is used as reqwest would use it;
//! * with the `native-tls` feature, reqwest's default backend is native-tls, as before;
//! * with the `rustls-aws-lc` feature, reqwest uses its aws-lc-rs provider, as before.

/// A `reqwest::ClientBuilder` with this crate's TLS setup: what [`crate::Client::new`], the
/// sandbox and the command line build their HTTP clients from.
///
/// Use it for your own `reqwest::Client` passed to [`crate::Client::with_http_client`] when
/// your program enables no reqwest TLS provider of its own: under the default `rustls` feature
/// alone, `reqwest::Client::new()` has no crypto provider and panics, unless a rustls default
/// provider is installed first (`rustls::crypto::ring::default_provider().install_default()`).
///
/// ```
/// let http = epoint_az::http_client_builder()?
///     .timeout(std::time::Duration::from_secs(10))
///     .build()?;
/// let client = epoint_az::Client::with_http_client(epoint_az::Config::new("i1", "k"), http);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`ConfigError::Invalid`](crate::ConfigError::Invalid) for `HTTP client` under the `rustls`
/// feature (without `native-tls` or `rustls-aws-lc`), when no CA certificates can be loaded
/// from the system: reqwest's own default fails the same way, when the client is built.
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, crate::ConfigError> {
    let builder = reqwest::Client::builder();
    #[cfg(all(
        feature = "rustls",
        not(feature = "native-tls"),
        not(feature = "rustls-aws-lc")
    ))]
    let builder = match ring::config()? {
        Some(tls) => builder.tls_backend_preconfigured(tls),
        None => builder,
    };
    Ok(builder)
}

#[cfg(all(
    feature = "rustls",
    not(feature = "native-tls"),
    not(feature = "rustls-aws-lc")
))]
mod ring {
    use std::sync::Arc;

    use rustls::crypto::CryptoProvider;
    use rustls_platform_verifier::BuilderVerifierExt;

    use crate::ConfigError;

    fn invalid(e: rustls::Error) -> ConfigError {
        ConfigError::Invalid {
            variable: "HTTP client",
            reason: format!("cannot set up TLS: {e}"),
        }
    }

    /// The rustls configuration reqwest would build by default, with the ring provider; `None`
    /// when the program installed a process-wide default provider, which reqwest then uses.
    pub(super) fn config() -> Result<Option<rustls::ClientConfig>, ConfigError> {
        if CryptoProvider::get_default().is_some() {
            return Ok(None);
        }
        // rustls 0.23.48 deprecates the ring provider because ring has no post-quantum key
        // exchange; it has no replacement inside ring. The default feature keeps ring for its
        // build time (classical X25519/P-256/P-384 key exchange); `rustls-aws-lc` is the feature
        // for post-quantum hybrid key exchange. `allow`, not `expect`: older rustls 0.23 releases,
        // which a user's lock file may hold, do not deprecate it.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(rustls::ALL_VERSIONS)
            .map_err(invalid)?
            .with_platform_verifier()
            .map_err(invalid)?
            .with_no_client_auth();
        // As reqwest does for HTTP/1 only (this crate enables no HTTP/2).
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Some(config))
    }
}
