//! The order-id rule: what an `order_id` (the merchant's key for an order) may be, checked
//! before anything is sent by the client, and applied by the sandbox and the CLI too.

use icu_properties::props::{BidiControl, BinaryProperty, DefaultIgnorableCodePoint};

use crate::{
    error::{Error, Result},
    generated::types,
};

/// Checks an `order_id` before anything is sent: the spec's `OrderId` limits (1 to 255
/// characters), no control character (NUL, CR, LF, tab, …), no bidirectional control character
/// anywhere (the Unicode `Bidi_Control` property: U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
/// U+061C), and at least one visible character (not only whitespace and `Default_Ignorable_Code_Point`
/// characters such as U+200B or U+00AD). The order id is the merchant's key for matching
/// callbacks and for looking an unknown outcome up: an id that prints as nothing, or that
/// displays in another order than it is stored, cannot be read back from a log or a
/// spreadsheet. Every method of [`crate::Client`], the CLI and the sandbox apply this rule.
///
/// ```
/// use epoint_az::{Error, validate_order_id};
/// assert!(validate_order_id("sifariş-1").is_ok());
/// assert!(validate_order_id("заказ-7").is_ok());
/// assert!(matches!(
///     validate_order_id("\u{00AD}"),
///     Err(Error::InvalidInput { field: "order_id", .. })
/// ));
/// assert!(validate_order_id("order-\u{202E}1001").is_err());
/// ```
pub fn validate_order_id(order_id: &str) -> Result<()> {
    check_order_id(order_id)
        .and_then(|()| {
            order_id
                .parse::<types::OrderId>()
                .map(drop)
                .map_err(|e| e.to_string())
        })
        .map_err(|reason| Error::invalid("order_id", reason))
}

/// The order-id rule of [`validate_order_id`] without the spec's length limits (which the
/// generated type checks), as a reason sentence.
pub(crate) fn check_order_id(value: &str) -> std::result::Result<(), String> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(format!("contains the control character {c:?}"));
    }
    if let Some(c) = value.chars().find(|&c| BidiControl::for_char(c)) {
        return Err(format!(
            "contains the bidirectional control character U+{:04X}, which changes how the id \
             is displayed",
            u32::from(c)
        ));
    }
    if !value.is_empty() && value.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
        return Err(
            "has no visible character (only whitespace or invisible characters such as U+200B)"
                .into(),
        );
    }
    Ok(())
}

/// Characters that print as nothing: the Unicode `Default_Ignorable_Code_Point` property
/// (U+00AD soft hyphen, U+180E, U+200B–U+200F, U+2060–U+206F, U+FEFF, variation selectors, …).
fn is_invisible(c: char) -> bool {
    DefaultIgnorableCodePoint::for_char(c)
}

/// An order id that goes into a URL path (`GET /api/1/b2b/payment/{order_id}`): as for any
/// order id, plus what a URL parser would read as path structure. The generated call
/// percent-encodes `/`, `%`, `?`, `#`, spaces and non-ASCII, but an http URL also treats `\`
/// as a separator and drops `.` and `..` segments, which would make the request about
/// another transfer (or another endpoint).
pub(crate) fn check_path_order_id(value: &str) -> std::result::Result<(), String> {
    check_order_id(value)?;
    // The spec's `OrderId` limits (1 to 255 characters), from the generated type.
    value
        .parse::<crate::generated::types::OrderId>()
        .map_err(|e| e.to_string())?;
    if value.contains('\\') {
        return Err(
            "contains `\\`, which a URL path reads as a separator: not usable as a path segment"
                .into(),
        );
    }
    if value == "." || value == ".." {
        return Err(format!(
            "is {value:?}, a relative URL path segment: not usable as a path segment"
        ));
    }
    Ok(())
}
