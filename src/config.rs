//! Client configuration: explicit, or from `EPOINT_*` environment variables.

use std::{fmt, time::Duration};

use secrecy::SecretString;

use crate::generated::types::Language;

/// The production gateway.
pub const DEFAULT_BASE_URL: &str = "https://epoint.az";

/// Everything a [`crate::Client`] needs. The private key is never printed.
///
/// ```
/// use epoint_az::Config;
/// let config = Config::new("i000000001", "private-key")
///     .language(epoint_az::Language::En)
///     .base_url("http://127.0.0.1:8080");
/// assert!(!format!("{config:?}").contains("private-key"));
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) public_key: String,
    pub(crate) private_key: SecretString,
    pub(crate) language: Language,
    pub(crate) success_redirect_url: Option<String>,
    pub(crate) error_redirect_url: Option<String>,
    pub(crate) base_url: String,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) status_retries: u8,
    pub(crate) settle_window: Duration,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("public_key", &self.public_key)
            .field("private_key", &"[REDACTED]")
            .field("language", &self.language)
            .field("success_redirect_url", &self.success_redirect_url)
            .field("error_redirect_url", &self.error_redirect_url)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("status_retries", &self.status_retries)
            .field("settle_window", &self.settle_window)
            .finish()
    }
}

/// A configuration problem, naming the variable or setting at fault.
///
/// ```
/// let err = epoint_az::Config::from_lookup(|_| None).unwrap_err();
/// assert_eq!(err.to_string(), "EPOINT_PUBLIC_KEY is not set (the merchant's public key, e.g. i000000001)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required variable is not set at all.
    #[error("{variable} is not set ({what})")]
    Missing {
        /// The environment variable.
        variable: &'static str,
        /// What it should hold.
        what: &'static str,
    },
    /// A required variable (or key) is set but empty, or only whitespace: `EPOINT_PRIVATE_KEY=`
    /// in a `.env` file, or an empty secret in a CI setting.
    ///
    /// ```
    /// let err = epoint_az::Config::from_lookup(|name| match name {
    ///     "EPOINT_PUBLIC_KEY" => Some("i000000001".into()),
    ///     _ => Some(String::new()),
    /// }).unwrap_err();
    /// assert_eq!(err.to_string(), "EPOINT_PRIVATE_KEY is set but empty (the merchant's private key from the EPoint cabinet)");
    /// ```
    #[error("{variable} is set but empty ({what})")]
    Empty {
        /// The environment variable.
        variable: &'static str,
        /// What it should hold.
        what: &'static str,
    },
    /// A variable holds a value that cannot be used.
    #[error("{variable} is invalid: {reason}")]
    Invalid {
        /// The environment variable or setting.
        variable: &'static str,
        /// Why.
        reason: String,
    },
}

impl ConfigError {
    /// The environment variable (or setting) at fault: tells a problem with the keys
    /// (`EPOINT_PUBLIC_KEY`, `EPOINT_PRIVATE_KEY`) from one with, say, `EPOINT_BASE_URL`.
    ///
    /// ```
    /// let err = epoint_az::Config::from_lookup(|_| None).unwrap_err();
    /// assert_eq!(err.variable(), "EPOINT_PUBLIC_KEY");
    /// ```
    pub fn variable(&self) -> &'static str {
        match self {
            Self::Missing { variable, .. }
            | Self::Empty { variable, .. }
            | Self::Invalid { variable, .. } => variable,
        }
    }
}

/// What `EPOINT_PRIVATE_KEY` holds, for its errors.
const PRIVATE_KEY_WHAT: &str = "the merchant's private key from the EPoint cabinet";

impl Config {
    /// Names of the environment variables read by [`Config::from_env`].
    pub const ENV_VARS: [&'static str; 6] = [
        "EPOINT_PUBLIC_KEY",
        "EPOINT_PRIVATE_KEY",
        "EPOINT_INTERFACE_LANG",
        "EPOINT_SUCCESS_REDIRECT_URL",
        "EPOINT_FAILED_REDIRECT_URL",
        "EPOINT_BASE_URL",
    ];

    /// Explicit keys; everything else defaulted (language `az`, base URL
    /// [`DEFAULT_BASE_URL`], 30 s timeout, 10 s connect timeout).
    ///
    /// ```
    /// let c = epoint_az::Config::new("i000000001", "key");
    /// assert_eq!(c.get_base_url(), "https://epoint.az");
    /// ```
    pub fn new(public_key: impl Into<String>, private_key: impl Into<SecretString>) -> Self {
        Self {
            public_key: public_key.into(),
            private_key: private_key.into(),
            language: Language::Az,
            success_redirect_url: None,
            error_redirect_url: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            status_retries: 2,
            settle_window: crate::DEFAULT_SETTLE_WINDOW,
        }
    }

    /// Reads `EPOINT_PUBLIC_KEY`, `EPOINT_PRIVATE_KEY` (required), `EPOINT_INTERFACE_LANG`
    /// (`az`/`en`/`ru`, default `az`), `EPOINT_SUCCESS_REDIRECT_URL`,
    /// `EPOINT_FAILED_REDIRECT_URL` and `EPOINT_BASE_URL` (default `https://epoint.az`).
    ///
    /// ```no_run
    /// let config = epoint_az::Config::from_env()?;
    /// # Ok::<(), epoint_az::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Config::from_env`], reading variables through `lookup` (for tests, or other
    /// sources of settings) instead of the process environment.
    ///
    /// ```
    /// let config = epoint_az::Config::from_lookup(|name| match name {
    ///     "EPOINT_PUBLIC_KEY" => Some("i000000001".into()),
    ///     "EPOINT_PRIVATE_KEY" => Some("secret".into()),
    ///     "EPOINT_INTERFACE_LANG" => Some("en".into()),
    ///     _ => None,
    /// }).unwrap();
    /// assert_eq!(config.get_language(), epoint_az::Language::En);
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        // A key that is not set and one that is set but empty are different mistakes (a
        // missing `export`, or `EPOINT_PRIVATE_KEY=` with nothing after it): say which.
        let required = |variable: &'static str, what: &'static str| match lookup(variable) {
            None => Err(ConfigError::Missing { variable, what }),
            Some(v) if v.trim().is_empty() => Err(ConfigError::Empty { variable, what }),
            Some(v) => Ok(v),
        };
        let public_key = required(
            "EPOINT_PUBLIC_KEY",
            "the merchant's public key, e.g. i000000001",
        )?;
        let private_key = required("EPOINT_PRIVATE_KEY", PRIVATE_KEY_WHAT)?;
        let mut config = Self::new(public_key.trim(), private_key);
        if let Some(language) = Self::interface_language_from(&lookup)? {
            config.language = language;
        }
        config.success_redirect_url = get("EPOINT_SUCCESS_REDIRECT_URL");
        config.error_redirect_url = get("EPOINT_FAILED_REDIRECT_URL");
        if let Some(url) = get("EPOINT_BASE_URL") {
            config.base_url = url;
        }
        config.validate()?;
        Ok(config)
    }

    /// `EPOINT_INTERFACE_LANG` read through `lookup`: `None` when unset or blank, an error
    /// naming the variable when it is not `az`, `en` or `ru` (a long value, say a key pasted
    /// into the wrong variable, is reported by its length only). What [`Config::from_lookup`]
    /// reads, for programs that need the language without the keys.
    ///
    /// ```
    /// use epoint_az::{Config, Language};
    /// assert_eq!(Config::interface_language_from(|_| Some("ru".into())).unwrap(), Some(Language::Ru));
    /// assert_eq!(Config::interface_language_from(|_| None).unwrap(), None);
    /// assert!(Config::interface_language_from(|_| Some("de".into())).is_err());
    /// ```
    pub fn interface_language_from(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Language>, ConfigError> {
        let Some(lang) = lookup("EPOINT_INTERFACE_LANG").filter(|v| !v.trim().is_empty()) else {
            return Ok(None);
        };
        lang.trim()
            .parse()
            .map(Some)
            .map_err(|_| ConfigError::Invalid {
                variable: "EPOINT_INTERFACE_LANG",
                reason: format!("{} is not one of az, en, ru", shown(&lang, 8)),
            })
    }

    /// Language of EPoint's pages for every call (each call can override it).
    ///
    /// ```
    /// let c = epoint_az::Config::new("i1", "k").language(epoint_az::Language::Ru);
    /// assert_eq!(c.get_language(), epoint_az::Language::Ru);
    /// ```
    pub fn language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// Default `success_redirect_url` for hosted-page calls.
    ///
    /// ```
    /// let c = epoint_az::Config::new("i1", "k").success_redirect_url("https://shop.example/ok");
    /// ```
    pub fn success_redirect_url(mut self, url: impl Into<String>) -> Self {
        self.success_redirect_url = Some(url.into());
        self
    }

    /// Default `error_redirect_url` for hosted-page calls (read from
    /// `EPOINT_FAILED_REDIRECT_URL`, the Python client's name for it).
    ///
    /// ```
    /// let c = epoint_az::Config::new("i1", "k").error_redirect_url("https://shop.example/failed");
    /// assert_eq!(c.get_error_redirect_url(), Some("https://shop.example/failed"));
    /// ```
    pub fn error_redirect_url(mut self, url: impl Into<String>) -> Self {
        self.error_redirect_url = Some(url.into());
        self
    }

    /// Where EPoint is (default `https://epoint.az`); point it at a sandbox in tests.
    ///
    /// ```
    /// let c = epoint_az::Config::new("i1", "k").base_url("http://127.0.0.1:9000/");
    /// assert_eq!(c.get_base_url(), "http://127.0.0.1:9000/");
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Total time allowed for one call (default 30 s).
    ///
    /// ```
    /// let c = epoint_az::Config::new("i1", "k").timeout(std::time::Duration::from_secs(10));
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to connect (default 10 s).
    ///
    /// ```
    /// let c = epoint_az::Config::new("i1", "k").connect_timeout(std::time::Duration::from_secs(2));
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How many times a **status query** (`get-status`, read-only) is repeated after a
    /// transport error or an HTTP 429/502/503/504, with a short backoff (default 2; 0 turns it
    /// off). Calls that move money or create payments are never repeated.
    ///
    /// ```
    /// let c = epoint_az::Config::new("i1", "k").status_retries(0);
    /// ```
    pub fn status_retries(mut self, retries: u8) -> Self {
        self.status_retries = retries;
        self
    }

    /// How long after sending a request EPoint is assumed to have recorded it, if it received
    /// it: [`crate::Client::resolve`] calls an order "never arrived" only once this window has
    /// passed (default [`crate::DEFAULT_SETTLE_WINDOW`], 120 s; the reasoning is there).
    ///
    /// ```
    /// let c = epoint_az::Config::new("i1", "k").settle_window(std::time::Duration::from_secs(300));
    /// assert_eq!(c.get_settle_window().as_secs(), 300);
    /// ```
    pub fn settle_window(mut self, window: Duration) -> Self {
        self.settle_window = window;
        self
    }

    // Getters are named `get_*` (as `std::process::Command`'s are) because the setters above
    // take the plain names.

    /// The merchant's public key.
    ///
    /// ```
    /// assert_eq!(epoint_az::Config::new("i1", "k").get_public_key(), "i1");
    /// ```
    pub fn get_public_key(&self) -> &str {
        &self.public_key
    }

    /// The configured base URL.
    ///
    /// ```
    /// assert_eq!(epoint_az::Config::new("i1", "k").get_base_url(), epoint_az::config::DEFAULT_BASE_URL);
    /// ```
    pub fn get_base_url(&self) -> &str {
        &self.base_url
    }

    /// The configured language.
    ///
    /// ```
    /// assert_eq!(epoint_az::Config::new("i1", "k").get_language(), epoint_az::Language::Az);
    /// ```
    pub fn get_language(&self) -> Language {
        self.language
    }

    /// The default `success_redirect_url`, if set.
    ///
    /// ```
    /// assert_eq!(epoint_az::Config::new("i1", "k").get_success_redirect_url(), None);
    /// ```
    pub fn get_success_redirect_url(&self) -> Option<&str> {
        self.success_redirect_url.as_deref()
    }

    /// The default `error_redirect_url`, if set.
    ///
    /// ```
    /// assert_eq!(epoint_az::Config::new("i1", "k").get_error_redirect_url(), None);
    /// ```
    pub fn get_error_redirect_url(&self) -> Option<&str> {
        self.error_redirect_url.as_deref()
    }

    /// The total time allowed for one call.
    ///
    /// ```
    /// assert_eq!(epoint_az::Config::new("i1", "k").get_timeout().as_secs(), 30);
    /// ```
    pub fn get_timeout(&self) -> Duration {
        self.timeout
    }

    /// The time allowed to connect.
    ///
    /// ```
    /// assert_eq!(epoint_az::Config::new("i1", "k").get_connect_timeout().as_secs(), 10);
    /// ```
    pub fn get_connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// How many times a status query is repeated.
    ///
    /// ```
    /// assert_eq!(epoint_az::Config::new("i1", "k").get_status_retries(), 2);
    /// ```
    pub fn get_status_retries(&self) -> u8 {
        self.status_retries
    }

    /// The settle window of [`crate::Client::resolve`].
    ///
    /// ```
    /// assert_eq!(epoint_az::Config::new("i1", "k").get_settle_window().as_secs(), 120);
    /// ```
    pub fn get_settle_window(&self) -> Duration {
        self.settle_window
    }

    /// Checks the private key and the URLs; called by [`crate::Client::new`].
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        // An empty key signs anyway (`sha1(data)`), and every call would be refused by EPoint
        // with a misleading "Signature did not match".
        if secrecy::ExposeSecret::expose_secret(&self.private_key)
            .trim()
            .is_empty()
        {
            return Err(ConfigError::Empty {
                variable: "EPOINT_PRIVATE_KEY",
                what: PRIVATE_KEY_WHAT,
            });
        }
        check_url(&self.base_url).map_err(|reason| ConfigError::Invalid {
            variable: "EPOINT_BASE_URL",
            reason,
        })?;
        for (variable, url) in [
            ("EPOINT_SUCCESS_REDIRECT_URL", &self.success_redirect_url),
            ("EPOINT_FAILED_REDIRECT_URL", &self.error_redirect_url),
        ] {
            if let Some(url) = url {
                check_url(url).map_err(|reason| ConfigError::Invalid { variable, reason })?;
            }
        }
        Ok(())
    }
}

/// An absolute http(s) URL written the normal way, or why not. The string itself is what gets
/// sent, so it is checked as written: a URL parser silently drops tabs and line breaks and
/// repairs odd forms (`http:///x`, `https:host`, `http:\\host`), which would let a string
/// through that is not the URL that was checked. The rule for every URL this crate sends or
/// stores (base URL, redirect URLs; the sandbox's result URL).
///
/// ```
/// use epoint_az::config::check_url;
/// assert!(check_url("https://shop.example/paid").is_ok());
/// assert!(check_url("https:shop.example").is_err());
/// assert!(check_url("http://a b").is_err());
/// ```
pub fn check_url(url: &str) -> Result<(), String> {
    // A key pasted into the wrong setting must not be printed: a value that does not even
    // start like a URL is shown only when short, a long one only by its beginning.
    let shown = if url.starts_with("http") {
        shown(url, 80)
    } else {
        shown(url, 24)
    };
    if let Some(c) = url
        .chars()
        .find(|c| c.is_control() || c.is_whitespace() || *c == '\\')
    {
        return Err(format!(
            "{shown} contains {c:?}: a URL has no spaces, control characters or backslashes"
        ));
    }
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Err(format!("{shown} must start with https:// or http://"));
    };
    if rest.is_empty() || rest.starts_with(['/', '?', '#', '@', ':']) {
        return Err(format!("{shown} has no host"));
    }
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{shown} is not a URL: {e}"))?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("{shown} has no host"));
    }
    Ok(())
}

/// `value` quoted when it has at most `max` characters; otherwise only its length, or (for a
/// value that starts like a URL) its first 40 characters and its length. Errors name the
/// variable and never echo a long value whole: it may be a key pasted into the wrong variable.
pub(crate) fn shown(value: &str, max: usize) -> String {
    let count = value.chars().count();
    if count <= max {
        format!("{value:?}")
    } else if max >= 80 {
        format!(
            "{:?}… ({count} characters)",
            value.chars().take(40).collect::<String>()
        )
    } else {
        format!("a value of {count} characters (not shown)")
    }
}
