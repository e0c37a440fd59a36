//! EPoint's signature scheme, as pure functions (no I/O, no clock, no randomness).
//!
//! ```text
//! data      = base64(json_string)
//! signature = base64(sha1_raw(private_key + data + private_key))
//! ```
//!
//! Verification decodes the received signature, recomputes the digest over `data` **exactly
//! as received** and compares the two in constant time; only then is `data` decoded.

use std::fmt;

use base64::{Engine, engine::general_purpose::STANDARD};
use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, de::DeserializeOwned};
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

use crate::generated::types::SignedEnvelope;

/// A merchant's key pair: the public key (merchant id, e.g. `i000000001`) and the private key.
///
/// The private key is a [`SecretString`]: it is never printed by `Debug`.
///
/// ```
/// use epoint_az::Keys;
/// let keys = Keys::new("i000000001", "d3hjsl38sd8kdfhbcea0be04eafde9e8e2bad2fb092d");
/// assert_eq!(format!("{keys:?}"), r#"Keys { public_key: "i000000001", private_key: "[REDACTED]" }"#);
/// ```
#[derive(Clone)]
pub struct Keys {
    public_key: String,
    private_key: SecretString,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("public_key", &self.public_key)
            .field("private_key", &"[REDACTED]")
            .finish()
    }
}

/// Why a signed `data` + `signature` pair was refused.
///
/// ```
/// use epoint_az::{Keys, SignatureError};
/// let keys = Keys::new("i000000001", "secret");
/// assert_eq!(keys.verify("", "hOegSy3mV3Ae+UkenQg+jQBuz2A="), Err(SignatureError::EmptyData));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// `data` is empty: an empty string has a valid signature, so it is refused outright.
    #[error("`data` is empty")]
    EmptyData,
    /// `signature` is not base64 of a 20-byte SHA-1 digest (e.g. a hex digest, or base64 of one).
    #[error("`signature` is not base64 of a 20-byte SHA-1 digest ({length} characters received)")]
    MalformedSignature {
        /// Length of the received signature text.
        length: usize,
    },
    /// The signature is well-formed but does not match `data` under this private key.
    #[error("signature does not match `data` (wrong private key, or data changed in transit)")]
    Mismatch,
}

impl Keys {
    /// Keys from the merchant cabinet.
    ///
    /// ```
    /// let keys = epoint_az::Keys::new("i000000001", "private");
    /// assert_eq!(keys.public_key(), "i000000001");
    /// ```
    pub fn new(public_key: impl Into<String>, private_key: impl Into<SecretString>) -> Self {
        Self {
            public_key: public_key.into(),
            private_key: private_key.into(),
        }
    }

    /// The merchant's public key.
    ///
    /// ```
    /// assert_eq!(epoint_az::Keys::new("i1", "p").public_key(), "i1");
    /// ```
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// `base64(sha1_raw(private + data + private))`: the signature of `data` as sent.
    ///
    /// The official vector from EPoint's document v1.0.3:
    /// ```
    /// let keys = epoint_az::Keys::new("i000000001", "d3hjsl38sd8kdfhbcea0be04eafde9e8e2bad2fb092d");
    /// let data = "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsImFtb3VudCI6IjMwLjc1IiwiY3VycmVuY3kiOiJBWk4iLCJkZXNjcmlwdGlvbiI6InRlc3QgcGF5bWVudCIsIm9yZGVyX2lkIjoiMSJ9";
    /// assert_eq!(keys.sign(data), "a76GNudqblZtV8qF199hctA+cG0=");
    /// ```
    pub fn sign(&self, data: &str) -> String {
        STANDARD.encode(self.digest(data))
    }

    fn digest(&self, data: &str) -> [u8; 20] {
        let private = self.private_key.expose_secret().as_bytes();
        let mut hasher = Sha1::new();
        hasher.update(private);
        hasher.update(data.as_bytes());
        hasher.update(private);
        hasher.finalize().into()
    }

    /// Serialises `payload` to compact JSON, base64-encodes it and signs it.
    ///
    /// ```
    /// let keys = epoint_az::Keys::new("i000000001", "test_private_key");
    /// let envelope = keys.seal(&serde_json::json!({"public_key": "i000000001", "transaction": "te000000001"})).unwrap();
    /// assert_eq!(envelope.signature, "Og6A7Ce/EWmdqTzyXTTZeypSD4E=");
    /// ```
    pub fn seal<T: Serialize + ?Sized>(
        &self,
        payload: &T,
    ) -> Result<SignedEnvelope, serde_json::Error> {
        // Sized for a typical request, so serialising rarely reallocates.
        let mut json = Vec::with_capacity(512);
        serde_json::to_writer(&mut json, payload)?;
        Ok(self.seal_json(&json))
    }

    /// Signs JSON bytes that are already serialised, byte for byte.
    ///
    /// ```
    /// let keys = epoint_az::Keys::new("i000000001", "test_private_key");
    /// let env = keys.seal_json(br#"{"public_key":"i000000001","transaction":"te000000001"}"#);
    /// assert_eq!(env.data, "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsInRyYW5zYWN0aW9uIjoidGUwMDAwMDAwMDEifQ==");
    /// ```
    pub fn seal_json(&self, json: &[u8]) -> SignedEnvelope {
        let data = STANDARD.encode(json);
        let signature = self.sign(&data);
        envelope(data, signature)
    }

    /// Checks `signature` against `data` exactly as received, in constant time.
    ///
    /// ```
    /// let keys = epoint_az::Keys::new("i000000001", "d3hjsl38sd8kdfhbcea0be04eafde9e8e2bad2fb092d");
    /// let data = "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsImFtb3VudCI6IjMwLjc1IiwiY3VycmVuY3kiOiJBWk4iLCJkZXNjcmlwdGlvbiI6InRlc3QgcGF5bWVudCIsIm9yZGVyX2lkIjoiMSJ9";
    /// assert!(keys.verify(data, "a76GNudqblZtV8qF199hctA+cG0=").is_ok());
    /// assert!(keys.verify(data, "XoL8hqPR6nF172vLYcdVl2jwt+4=").is_err()); // no trailing key
    /// ```
    pub fn verify(&self, data: &str, signature: &str) -> Result<(), SignatureError> {
        if data.is_empty() {
            return Err(SignatureError::EmptyData);
        }
        let malformed = SignatureError::MalformedSignature {
            length: signature.len(),
        };
        // Decoded on the stack: anything that is not exactly 20 bytes is malformed, and a
        // signature too long for the buffer is too long to be 20 bytes.
        let mut received = [0_u8; 32];
        let received = match STANDARD.decode_slice(signature.trim(), &mut received) {
            Ok(20) => &received[..20],
            _ => return Err(malformed),
        };
        let expected = self.digest(data);
        if bool::from(expected.as_slice().ct_eq(received)) {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }

    /// Verifies, then decodes `data` (base64 → JSON → `T`).
    ///
    /// ```
    /// let keys = epoint_az::Keys::new("i000000001", "test_private_key");
    /// let env = keys.seal(&serde_json::json!({"status": "success"})).unwrap();
    /// let value: serde_json::Value = keys.open(&env.data, &env.signature).unwrap();
    /// assert_eq!(value["status"], "success");
    /// ```
    pub fn open<T: DeserializeOwned>(&self, data: &str, signature: &str) -> Result<T, OpenError> {
        self.verify(data, signature)?;
        decode_data(data)
    }
}

/// Why a signed pair could not be opened: a bad signature, or verified data that is not the
/// expected JSON. The decoded text is kept for debugging (it is authentic, having been verified).
///
/// ```
/// let keys = epoint_az::Keys::new("i1", "k");
/// let err = keys.open::<serde_json::Value>("bm90IGpzb24=", &keys.sign("bm90IGpzb24=")).unwrap_err();
/// assert!(matches!(err, epoint_az::signing::OpenError::NotJson { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The signature check failed; nothing was decoded.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// `data` is not valid base64.
    #[error("`data` is not valid base64: {0}")]
    NotBase64(base64::DecodeError),
    /// `data` decodes to bytes that are not the expected JSON.
    #[error("`data` is not the expected JSON: {source}; decoded text: {text}")]
    NotJson {
        /// The decoded text (lossy UTF-8).
        text: String,
        /// The JSON error, with line and column.
        source: serde_json::Error,
    },
}

/// Base64-decodes `data` and parses the JSON inside, without checking any signature.
///
/// Use it only on data that was verified, or that you produced.
///
/// ```
/// let v: serde_json::Value = epoint_az::signing::decode_data("eyJhIjoxfQ==").unwrap();
/// assert_eq!(v["a"], 1);
/// ```
pub fn decode_data<T: DeserializeOwned>(data: &str) -> Result<T, OpenError> {
    let bytes = STANDARD.decode(data.trim()).map_err(OpenError::NotBase64)?;
    serde_json::from_slice(&bytes).map_err(|source| OpenError::NotJson {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        source,
    })
}

/// The form body `data=…&signature=…` for an envelope, with `+`, `/`, `=` percent-encoded.
///
/// ```
/// let keys = epoint_az::Keys::new("i000000001", "test_private_key");
/// let env = keys.seal_json(b"{}");
/// assert_eq!(epoint_az::signing::form_body(&env), "data=e30%3D&signature=".to_owned() + &env.signature.replace('+', "%2B").replace('/', "%2F").replace('=', "%3D"));
/// ```
pub fn form_body(envelope: &SignedEnvelope) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("data", &envelope.data)
        .append_pair("signature", &envelope.signature)
        .finish()
}

fn envelope(data: String, signature: String) -> SignedEnvelope {
    SignedEnvelope { data, signature }
}

/// Which common signing mistake a refused signature matches: what the other side (or your own
/// code) did instead of `base64(sha1_raw(private_key + data + private_key))` over `data` exactly
/// as sent. Found by [`explain_mismatch`]; never holds a private key.
///
/// ```
/// use epoint_az::signing::SignatureMistake;
/// let mistake = SignatureMistake::HexDigest { base64_encoded: true };
/// assert!(mistake.to_string().starts_with("the signature is base64 of the hex digest"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureMistake {
    /// The SHA-1 digest was taken as 40 hex characters (PHP's `sha1()` without raw output)
    /// instead of its 20 raw bytes; `base64_encoded`: the hex text was then base64-encoded.
    HexDigest {
        /// `true` when the signature is base64 of the hex text, `false` when it is the hex text.
        base64_encoded: bool,
    },
    /// The private key was put on one side of `data` only.
    KeyOnOneSide {
        /// Where the key was put.
        side: KeySide,
    },
    /// The signature was computed over the decoded JSON text instead of the base64 `data`.
    SignedJsonNotData,
    /// URL encoding got in the way of `data` (or of the signature).
    UrlEncoding {
        /// What exactly happened.
        how: UrlMistake,
    },
    /// The signature was computed over the same JSON with different whitespace (re-encoded,
    /// pretty-printed or spaced), not over the `data` that was sent.
    JsonWhitespace {
        /// The layout of the JSON that was signed.
        signed: JsonLayout,
    },
    /// The signature was made with another merchant's private key.
    OtherMerchantKey {
        /// That merchant's public key (the private key is never kept).
        public_key: String,
    },
}

/// Where [`SignatureMistake::KeyOnOneSide`] put the private key.
///
/// ```
/// assert_eq!(epoint_az::signing::KeySide::Before.to_string(), "sha1(private_key + data)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeySide {
    /// `sha1(private_key + data)`.
    Before,
    /// `sha1(data + private_key)`.
    After,
}

impl fmt::Display for KeySide {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Before => "sha1(private_key + data)",
            Self::After => "sha1(data + private_key)",
        })
    }
}

/// How URL encoding broke a signature ([`SignatureMistake::UrlEncoding`]).
///
/// ```
/// use epoint_az::signing::UrlMistake;
/// assert_ne!(UrlMistake::StillPercentEncoded, UrlMistake::PlusAsSpace);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlMistake {
    /// The `data` being verified is still percent-encoded (`%2B`, `%2F`, `%3D`): the form body
    /// was not decoded before verifying.
    StillPercentEncoded,
    /// A `+` in `data` became a space: it was sent unencoded and a form decoder read it as a space.
    PlusAsSpace,
    /// The signer signed the percent-encoded `data` instead of `data` itself.
    SignedPercentEncoded,
    /// The signature itself is still percent-encoded.
    SignaturePercentEncoded,
}

/// The layout of the JSON that was signed ([`SignatureMistake::JsonWhitespace`]).
///
/// ```
/// use epoint_az::signing::JsonLayout;
/// assert_ne!(JsonLayout::Compact, JsonLayout::Spaced);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonLayout {
    /// No whitespace at all (`{"a":1,"b":2}`), while `data` carries some.
    Compact,
    /// A space after `:` and `,` (`{"a": 1, "b": 2}`, Python's `json.dumps` default).
    Spaced,
    /// Pretty-printed on several lines, indented by two spaces.
    Pretty2,
    /// Pretty-printed on several lines, indented by four spaces (PHP's `JSON_PRETTY_PRINT`).
    Pretty4,
}

impl fmt::Display for JsonLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Compact => "compact JSON without whitespace",
            Self::Spaced => "JSON with a space after `:` and `,`",
            Self::Pretty2 => "JSON pretty-printed with two-space indents",
            Self::Pretty4 => "JSON pretty-printed with four-space indents",
        })
    }
}

/// A sentence naming the mistake and its fix; it never contains a private key.
impl fmt::Display for SignatureMistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const RIGHT: &str = "base64(sha1_raw(private_key + data + private_key))";
        match self {
            Self::HexDigest {
                base64_encoded: true,
            } => write!(
                f,
                "the signature is base64 of the hex digest (PHP's sha1() without raw output); \
                 base64-encode the 20 raw digest bytes instead (PHP: sha1($s, true)): {RIGHT}"
            ),
            Self::HexDigest {
                base64_encoded: false,
            } => write!(
                f,
                "the signature is the hex digest itself; base64-encode the 20 raw digest bytes \
                 instead (PHP: base64_encode(sha1($s, true))): {RIGHT}"
            ),
            Self::KeyOnOneSide { side } => write!(
                f,
                "the signature is {side}: the private key was put on one side only; put it on \
                 both sides: {RIGHT}"
            ),
            Self::SignedJsonNotData => write!(
                f,
                "the signature was computed over the JSON text instead of the base64 `data`; \
                 sign the base64 string exactly as sent: {RIGHT}"
            ),
            Self::UrlEncoding {
                how: UrlMistake::StillPercentEncoded,
            } => f.write_str(
                "the `data` verified is still URL-encoded (%2B, %2F, %3D); decode the form body \
                 first and verify the decoded `data`",
            ),
            Self::UrlEncoding {
                how: UrlMistake::PlusAsSpace,
            } => f.write_str(
                "a `+` in `data` was decoded as a space: it was sent unencoded in a form body; \
                 send `+` as %2B (and `/` as %2F, `=` as %3D)",
            ),
            Self::UrlEncoding {
                how: UrlMistake::SignedPercentEncoded,
            } => f.write_str(
                "the signature was computed over the URL-encoded `data`; sign `data` before \
                 URL-encoding the form body",
            ),
            Self::UrlEncoding {
                how: UrlMistake::SignaturePercentEncoded,
            } => f.write_str(
                "the signature is still URL-encoded (%2B, %2F, %3D); decode the form body \
                 before verifying",
            ),
            Self::JsonWhitespace { signed } => write!(
                f,
                "the signature was computed over base64 of {signed}, not over the `data` sent; \
                 sign (and verify) the `data` string exactly as sent, never a re-encoded JSON"
            ),
            Self::OtherMerchantKey { public_key } => write!(
                f,
                "the signature was made with the private key of merchant {public_key}; sign with \
                 the private key that belongs to the `public_key` in `data`"
            ),
        }
    }
}

/// Names the common mistake behind a refused signature, by recomputing each one; `None` when
/// the signature is valid or matches none of them. Checks, in order: a hex digest (raw or
/// base64'd), the key on one side only, the JSON signed instead of `data`, URL encoding, JSON
/// whitespace, then each of `other_keys` (another merchant's key). Pure, compares in
/// constant time, and the answer never contains a private key. It is a debugging aid: log
/// what it finds, rather than telling it to whoever sent the signature.
///
/// ```
/// use base64::Engine;
/// use epoint_az::{Keys, signing::{explain_mismatch, SignatureMistake}};
/// use sha1::Digest;
///
/// let keys = Keys::new("i000000001", "secret");
/// let data = keys.seal_json(br#"{"status":"success"}"#).data;
/// // PHP: base64_encode(sha1($key . $data . $key)) — the hex digest, base64'd.
/// let digest = sha1::Sha1::digest(format!("secret{data}secret"));
/// let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
/// let signature = base64::engine::general_purpose::STANDARD.encode(hex);
/// assert_eq!(
///     explain_mismatch(&data, &signature, &keys, &[]),
///     Some(SignatureMistake::HexDigest { base64_encoded: true })
/// );
/// assert_eq!(explain_mismatch(&data, &keys.sign(&data), &keys, &[]), None);
/// ```
pub fn explain_mismatch(
    data: &str,
    signature: &str,
    keys: &Keys,
    other_keys: &[&Keys],
) -> Option<SignatureMistake> {
    use SignatureMistake as M;
    if data.is_empty() || keys.verify(data, signature).is_ok() {
        return None;
    }
    let signature = signature.trim();
    let private = keys.private_key.expose_secret();
    let sha1 = |parts: &[&str]| -> [u8; 20] {
        let mut hasher = Sha1::new();
        for part in parts {
            hasher.update(part.as_bytes());
        }
        hasher.finalize().into()
    };
    // Constant-time, like `verify`: the candidates derive from the private key.
    let same = |a: &str, b: &str| bool::from(a.as_bytes().ct_eq(b.as_bytes()));
    let raw_matches = |digest: [u8; 20]| same(&STANDARD.encode(digest), signature);

    let right = sha1(&[private, data, private]);
    let hex = hex_lower(&right);
    if same(&STANDARD.encode(&hex), signature) {
        return Some(M::HexDigest {
            base64_encoded: true,
        });
    }
    if same(&hex, &signature.to_ascii_lowercase()) {
        return Some(M::HexDigest {
            base64_encoded: false,
        });
    }
    if raw_matches(sha1(&[private, data])) {
        return Some(M::KeyOnOneSide {
            side: KeySide::Before,
        });
    }
    if raw_matches(sha1(&[data, private])) {
        return Some(M::KeyOnOneSide {
            side: KeySide::After,
        });
    }
    let json = STANDARD
        .decode(data.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    if let Some(json) = &json
        && raw_matches(sha1(&[private, json, private]))
    {
        return Some(M::SignedJsonNotData);
    }
    let url = |how| Some(M::UrlEncoding { how });
    if data.contains('%')
        && let Some(decoded) = percent_decode(data)
        && keys.verify(&decoded, signature).is_ok()
    {
        return url(UrlMistake::StillPercentEncoded);
    }
    if data.contains(' ') && keys.verify(&data.replace(' ', "+"), signature).is_ok() {
        return url(UrlMistake::PlusAsSpace);
    }
    let encoded: String = form_urlencoded::byte_serialize(data.as_bytes()).collect();
    if encoded != data && raw_matches(sha1(&[private, &encoded, private])) {
        return url(UrlMistake::SignedPercentEncoded);
    }
    if signature.contains('%')
        && let Some(decoded) = percent_decode(signature)
        && keys.verify(data, &decoded).is_ok()
    {
        return url(UrlMistake::SignaturePercentEncoded);
    }
    if let Some(json) = &json {
        let compact = compact_json(json);
        let layouts = [
            (JsonLayout::Compact, compact.clone()),
            (JsonLayout::Spaced, spaced_json(&compact)),
            (JsonLayout::Pretty2, pretty_json(&compact, 2)),
            (JsonLayout::Pretty4, pretty_json(&compact, 4)),
        ];
        for (layout, text) in layouts {
            if text != *json && keys.verify(&STANDARD.encode(&text), signature).is_ok() {
                return Some(M::JsonWhitespace { signed: layout });
            }
        }
    }
    other_keys
        .iter()
        .find(|other| other.verify(data, signature).is_ok())
        .map(|other| M::OtherMerchantKey {
            public_key: other.public_key.clone(),
        })
}

fn hex_lower(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// `%XX` escapes decoded (nothing else); `None` when the result is not UTF-8 or an escape is broken.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Calls `f` with each character of `json` and whether it lies outside a string literal.
fn each_char(json: &str, mut f: impl FnMut(char, bool)) {
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        let outside = !in_string;
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        }
        f(c, outside && c != '"');
    }
}

/// `json` without whitespace outside string literals.
fn compact_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    each_char(json, |c, outside| {
        if !(outside && c.is_whitespace()) {
            out.push(c);
        }
    });
    out
}

/// Compact `json` with a space after each `:` and `,` outside string literals.
fn spaced_json(compact: &str) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    each_char(compact, |c, outside| {
        out.push(c);
        if outside && (c == ':' || c == ',') {
            out.push(' ');
        }
    });
    out
}

/// Compact `json` pretty-printed with `indent` spaces (empty `{}` and `[]` kept on one line).
fn pretty_json(compact: &str, indent: usize) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0_usize;
    let mut previous = ' ';
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', depth * indent));
    };
    each_char(compact, |c, outside| {
        if !outside {
            if matches!(previous, '{' | '[') && c == '"' {
                newline(&mut out, depth);
            }
            out.push(c);
            // Inside a string: no bracket of the text counts as structure.
            previous = '"';
            return;
        }
        match c {
            '{' | '[' => {
                out.push(c);
                depth += 1;
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if !matches!(previous, '{' | '[') {
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => {
                if matches!(previous, '{' | '[') {
                    newline(&mut out, depth);
                }
                out.push(c);
            }
        }
        previous = c;
    });
    out
}

#[cfg(test)]
mod explain_tests {
    use super::*;

    const PRIVATE: &str = "the-private-key-1234";

    fn keys() -> Keys {
        Keys::new("i000000001", PRIVATE)
    }

    fn data() -> String {
        // A `+` and a `/` in the base64, so URL encoding changes it.
        (0..1000)
            .map(|n| {
                let json = format!(
                    r#"{{"status":"success","message":"{}?>?>>>","n":[1,{{}}]}}"#,
                    "a".repeat(n)
                );
                keys().seal_json(json.as_bytes()).data
            })
            .find(|data| data.contains('+') && data.contains('/'))
            .unwrap()
    }

    fn raw(parts: &[&str]) -> String {
        let mut hasher = Sha1::new();
        for part in parts {
            hasher.update(part.as_bytes());
        }
        STANDARD.encode(hasher.finalize())
    }

    fn explain(data: &str, signature: &str) -> Option<SignatureMistake> {
        let other = Keys::new("i000000002", "another-merchant-key");
        let mistake = explain_mismatch(data, signature, &keys(), &[&other]);
        if let Some(mistake) = &mistake {
            for text in [mistake.to_string(), format!("{mistake:?}")] {
                assert!(!text.contains(PRIVATE), "{text}");
                assert!(!text.contains("another-merchant-key"), "{text}");
            }
        }
        mistake
    }

    #[test]
    fn a_valid_signature_or_an_unknown_one_is_not_explained() {
        let data = data();
        assert_eq!(explain(&data, &keys().sign(&data)), None);
        assert_eq!(explain(&data, "AAAAAAAAAAAAAAAAAAAAAAAAAAA="), None);
        assert_eq!(explain("", "x"), None);
    }

    #[test]
    fn hex_digests_are_named() {
        let data = data();
        let mut hasher = Sha1::new();
        hasher.update(format!("{PRIVATE}{data}{PRIVATE}"));
        let hex = hex_lower(&hasher.finalize());
        assert_eq!(
            explain(&data, &STANDARD.encode(&hex)),
            Some(SignatureMistake::HexDigest {
                base64_encoded: true
            })
        );
        assert_eq!(
            explain(&data, &hex.to_uppercase()),
            Some(SignatureMistake::HexDigest {
                base64_encoded: false
            })
        );
    }

    #[test]
    fn a_key_on_one_side_is_named() {
        let data = data();
        assert_eq!(
            explain(&data, &raw(&[PRIVATE, &data])),
            Some(SignatureMistake::KeyOnOneSide {
                side: KeySide::Before
            })
        );
        assert_eq!(
            explain(&data, &raw(&[&data, PRIVATE])),
            Some(SignatureMistake::KeyOnOneSide {
                side: KeySide::After
            })
        );
    }

    #[test]
    fn json_signed_instead_of_data_is_named() {
        let data = data();
        let json = String::from_utf8(STANDARD.decode(&data).unwrap()).unwrap();
        assert_eq!(
            explain(&data, &raw(&[PRIVATE, &json, PRIVATE])),
            Some(SignatureMistake::SignedJsonNotData)
        );
    }

    #[test]
    fn url_encoding_mistakes_are_named() {
        let data = data();
        let signature = keys().sign(&data);
        let encoded: String = form_urlencoded::byte_serialize(data.as_bytes()).collect();
        let how = |how| Some(SignatureMistake::UrlEncoding { how });
        assert_eq!(
            explain(&encoded, &signature),
            how(UrlMistake::StillPercentEncoded)
        );
        assert_eq!(
            explain(&data.replace('+', " "), &signature),
            how(UrlMistake::PlusAsSpace)
        );
        assert_eq!(
            explain(&data, &keys().sign(&encoded)),
            how(UrlMistake::SignedPercentEncoded)
        );
        let data = (0..1000)
            .map(|n| keys().seal_json(format!("{{\"n\":{n}}}").as_bytes()))
            .find(|e| e.signature.contains(['+', '/', '=']))
            .unwrap();
        let encoded: String = form_urlencoded::byte_serialize(data.signature.as_bytes()).collect();
        assert_ne!(encoded, data.signature);
        assert_eq!(
            explain(&data.data, &encoded),
            how(UrlMistake::SignaturePercentEncoded)
        );
    }

    #[test]
    fn whitespace_in_the_json_is_named() {
        let compact = r#"{"status":"success","message":"a, b: [c]","list":[1,{}],"o":{"k":[]}}"#;
        let data = STANDARD.encode(compact);
        let check = |text: &str, layout| {
            let signature = keys().sign(&STANDARD.encode(text));
            assert_eq!(
                explain(&data, &signature),
                Some(SignatureMistake::JsonWhitespace { signed: layout }),
                "{text}"
            );
        };
        check(
            r#"{"status": "success", "message": "a, b: [c]", "list": [1, {}], "o": {"k": []}}"#,
            JsonLayout::Spaced,
        );
        check(
            "{\n  \"status\": \"success\",\n  \"message\": \"a, b: [c]\",\n  \"list\": [\n    1,\n    {}\n  ],\n  \"o\": {\n    \"k\": []\n  }\n}",
            JsonLayout::Pretty2,
        );
        check(&pretty_json(compact, 4), JsonLayout::Pretty4);
        // `data` carries whitespace, the signer signed the compact JSON.
        let spaced = STANDARD.encode(spaced_json(compact));
        assert_eq!(
            explain(&spaced, &keys().sign(&data)),
            Some(SignatureMistake::JsonWhitespace {
                signed: JsonLayout::Compact
            })
        );
    }

    #[test]
    fn another_merchants_key_is_named_by_public_key_only() {
        let data = data();
        let other = Keys::new("i000000002", "another-merchant-key");
        let mistake = explain(&data, &other.sign(&data)).unwrap();
        assert_eq!(
            mistake,
            SignatureMistake::OtherMerchantKey {
                public_key: "i000000002".into()
            }
        );
        assert!(mistake.to_string().contains("i000000002"));
    }
}
