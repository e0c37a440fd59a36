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
