//! Exact money: [`Money`] wraps [`rust_decimal::Decimal`] and is the type of every `amount`
//! in the generated payloads, answers and callbacks (the spec's `Money` component).

use std::{fmt, str::FromStr};

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// An exact amount in manat (the currency's major unit).
///
/// * Sent to EPoint as a decimal **string with two decimals** (`"30.75"`, `"100.00"`), as
///   EPoint's official example does.
/// * Read from EPoint as a JSON number (`30.75`) or a string (`"30.75"`), without going
///   through `f64` arithmetic.
///
/// Amounts you send are checked by [`Money::new`]: positive, at most two decimals, at most
/// [`Money::MAX`].
///
/// ```
/// use epoint_az::Money;
/// use rust_decimal::Decimal;
///
/// let m = Money::new(Decimal::new(3075, 2)).unwrap();
/// assert_eq!(serde_json::to_string(&m).unwrap(), r#""30.75""#);
/// let read: Money = serde_json::from_str("30.75").unwrap();
/// assert_eq!(read, m);
/// assert!(Money::new(Decimal::new(1001, 3)).is_err()); // 1.001: three decimals
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Money(Decimal);

/// Why an amount cannot be sent to EPoint.
///
/// ```
/// use epoint_az::{AmountError, Money};
/// assert_eq!(Money::new(0.into()), Err(AmountError::NotPositive));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Zero or negative.
    #[error("must be greater than zero")]
    NotPositive,
    /// More than two decimal places (after removing trailing zeros).
    #[error("must have at most two decimal places")]
    TooPrecise,
    /// Not written as the wire format writes amounts: `[-]digits[.digits]`, nothing else
    /// (no sign `+`, no `_`, no spaces, no exponent, no bare `.5` or `5.`).
    #[error("is not a decimal number like 30.75")]
    NotDecimal,
    /// Above [`Money::MAX`] (1 000 000 000.00), this crate's own bound: EPoint documents no
    /// maximum, and no real payment comes near it, so a larger amount is a bug to report
    /// before anything is sent.
    ///
    /// ```
    /// use epoint_az::{AmountError, Money};
    /// assert_eq!(Money::new(epoint_az::Decimal::MAX), Err(AmountError::TooLarge));
    /// ```
    #[error("must be at most 1000000000.00 (this crate's own bound; EPoint documents none)")]
    TooLarge,
}

impl Money {
    /// The largest amount [`Money::new`] accepts: 1 000 000 000.00 manat. EPoint documents no
    /// maximum; this is the crate's own bound, far above any real payment, so that an amount
    /// like `Decimal::MAX` (a unit mix-up, an overflow) is refused instead of sent.
    ///
    /// ```
    /// use epoint_az::Money;
    /// assert!(Money::new(Money::MAX).is_ok());
    /// assert!(Money::new(Money::MAX + epoint_az::dec!(0.01)).is_err());
    /// ```
    pub const MAX: rust_decimal::Decimal =
        rust_decimal::Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

    /// An amount to send: positive, at most two decimals (`10.500` counts as `10.5`), at most
    /// [`Money::MAX`].
    ///
    /// ```
    /// # use epoint_az::Money;
    /// # use rust_decimal::Decimal;
    /// assert_eq!(Money::new(Decimal::new(10500, 3)).unwrap().to_string(), "10.50");
    /// ```
    pub fn new(amount: Decimal) -> Result<Self, AmountError> {
        if amount <= Decimal::ZERO {
            return Err(AmountError::NotPositive);
        }
        if amount > Self::MAX {
            return Err(AmountError::TooLarge);
        }
        if amount.normalize().scale() > 2 {
            return Err(AmountError::TooPrecise);
        }
        Ok(Self(amount))
    }

    /// The exact value.
    ///
    /// ```
    /// # use epoint_az::Money;
    /// # use rust_decimal::Decimal;
    /// let m: Money = "5.5".parse().unwrap();
    /// assert_eq!(m.amount(), Decimal::new(55, 1));
    /// ```
    pub fn amount(self) -> Decimal {
        self.0
    }
}

impl From<Money> for Decimal {
    fn from(value: Money) -> Self {
        value.0
    }
}

/// Two decimals when the value has at most two (`30.75`, `100.00`); every digit otherwise.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.two_decimals(&mut [0_u8; 40]) {
            Some(text) => f.write_str(text),
            // Negative amounts (only ever parsed, never sent) and more than two decimals.
            None if self.0.normalize().scale() <= 2 => write!(f, "{:.2}", self.0),
            None => write!(f, "{}", self.0.normalize()),
        }
    }
}

/// Parses an amount as the wire writes it, strictly: `[-]digits[.digits]`, then the same
/// checks as [`Money::new`] (a `Money` is always positive, with at most two decimals, at most
/// [`Money::MAX`]).
///
/// ```
/// use epoint_az::{AmountError, Money};
/// assert_eq!("30.75".parse::<Money>().unwrap().to_string(), "30.75");
/// for bad in ["1_000.00", "+5", ".5", "5.", " 7.50 ", "1e3", ""] {
///     assert_eq!(bad.parse::<Money>(), Err(AmountError::NotDecimal), "{bad:?}");
/// }
/// assert_eq!("-0.00".parse::<Money>(), Err(AmountError::NotPositive));
/// assert_eq!("0.001".parse::<Money>(), Err(AmountError::TooPrecise));
/// ```
impl FromStr for Money {
    type Err = AmountError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !is_wire_decimal(s) {
            return Err(AmountError::NotDecimal);
        }
        let amount = Decimal::from_str_exact(s).map_err(|_| AmountError::NotDecimal)?;
        Self::new(amount)
    }
}

/// `[-]digits[.digits]`: the only text an amount may be on the wire.
fn is_wire_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buffer = [0_u8; 40];
        match self.two_decimals(&mut buffer) {
            Some(text) => serializer.serialize_str(text),
            None => serializer.collect_str(self),
        }
    }
}

impl Money {
    /// The amount with exactly two decimals ("30.75", "30.00") when it has at most two,
    /// written digit by digit into `buffer` (`Display` and `Serialize` both use it; several
    /// times cheaper than `Decimal`'s formatter). `None` for anything else.
    fn two_decimals<'b>(&self, buffer: &'b mut [u8; 40]) -> Option<&'b str> {
        let mut value = self.0;
        if value.is_sign_negative() {
            return None;
        }
        if value.scale() > 2 {
            value = value.normalize();
        }
        if value.scale() > 2 {
            return None;
        }
        let cents = u128::try_from(value.mantissa())
            .ok()?
            .checked_mul(10_u128.pow(2 - value.scale()))?;
        let mut at = buffer.len();
        let mut rest = cents;
        let mut digits = 0;
        while rest > 0 || digits < 3 {
            if digits == 2 {
                at -= 1;
                buffer[at] = b'.';
            }
            at -= 1;
            buffer[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            digits += 1;
        }
        std::str::from_utf8(&buffer[at..]).ok()
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount as a JSON number or a decimal string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
                v.parse().map_err(|e| out_of_contract(format!("{v:?}"), e))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Money, E> {
                Money::new(Decimal::from(v)).map_err(|e| out_of_contract(v, e))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Money, E> {
                Money::new(Decimal::from(v)).map_err(|e| out_of_contract(v, e))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Money, E> {
                // `f64`'s Display is the shortest text that reads back as the same number,
                // i.e. exactly the digits EPoint wrote (30.75, 10.1), with no binary noise.
                if !v.is_finite() {
                    return Err(E::custom("amount is not a finite number"));
                }
                let exact = Decimal::from_str_exact(&v.to_string())
                    .or_else(|_| Decimal::from_scientific(&format!("{v:e}")))
                    .map_err(|e| E::custom(format!("invalid amount {v}: {e}")))?;
                // -0.0 is read as zero: not positive.
                Money::new(exact).map_err(|e| out_of_contract(v, e))
            }
        }
        /// An amount off the wire that a `Money` cannot hold: the value as sent, and why.
        fn out_of_contract<E: de::Error>(value: impl fmt::Display, why: AmountError) -> E {
            E::custom(format!(
                "amount {value} is outside EPoint's contract (an amount {why}); it was not read as Money"
            ))
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Matches the spec's `Money` component: a decimal string or a number.
impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An amount in manat: greater than zero, at most two decimals; a decimal string (preferred) or a number.",
            "oneOf": [
                { "type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,2})?$" },
                { "type": "number", "minimum": 0.01 }
            ]
        })
    }
}

/// An exact [`Decimal`](rust_decimal::Decimal) from a literal, checked at compile time:
/// `epoint_az::dec!(30.75)`. Needs no dependency besides `epoint`.
///
/// ```
/// let amount = epoint_az::dec!(30.75);
/// assert_eq!(amount, epoint_az::Decimal::new(3075, 2));
/// assert_eq!(epoint_az::dec!(-1_000.5).to_string(), "-1000.5");
/// ```
///
/// A literal that is not a plain decimal number does not compile:
///
/// ```compile_fail
/// let amount = epoint_az::dec!(1e3);
/// ```
#[macro_export]
macro_rules! dec {
    ($amount:literal) => {
        const {
            match $crate::__private::parse_decimal(stringify!($amount)) {
                Some(amount) => amount,
                None => panic!(concat!(
                    "epoint_az::dec!: `",
                    stringify!($amount),
                    "` is not a decimal literal like 30.75 (at most 28 digits after the point)"
                )),
            }
        }
    };
}

/// Parses `[-]digits[.digits]` (underscores allowed, as in Rust literals) at compile time.
#[doc(hidden)]
pub const fn parse_decimal(text: &str) -> Option<Decimal> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut negative = false;
    while i < bytes.len() && bytes[i] == b' ' {
        i += 1;
    }
    if i < bytes.len() && bytes[i] == b'-' {
        negative = true;
        i += 1;
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
    }
    let mut mantissa: u128 = 0;
    let mut scale: u32 = 0;
    let mut digits = 0;
    let mut point = false;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'0'..=b'9' => {
                mantissa = match mantissa.checked_mul(10) {
                    Some(m) => match m.checked_add((b - b'0') as u128) {
                        Some(m) => m,
                        None => return None,
                    },
                    None => return None,
                };
                digits += 1;
                if point {
                    scale += 1;
                }
            }
            b'_' => {}
            b'.' if !point => point = true,
            _ => return None,
        }
        i += 1;
    }
    // 96-bit mantissa, scale at most 28.
    if digits == 0 || scale > 28 || mantissa >> 96 != 0 {
        return None;
    }
    Some(Decimal::from_parts(
        mantissa as u32,
        (mantissa >> 32) as u32,
        (mantissa >> 64) as u32,
        negative,
        scale,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn display_and_serialized_text_are_decimals_own() {
        // The digit writer against `Decimal`'s own formatter, over every shape an amount takes:
        // whole, one and two decimals, trailing zeros beyond two, the smallest and the largest.
        let mut cases: Vec<Decimal> = Vec::new();
        for cents in (0_i64..2_000).chain([99_999, 100_000, 123_456_789, 100_000_000_000]) {
            for scale in 0..=6 {
                let value = Decimal::new(cents * 10_i64.pow(scale), scale + 2);
                cases.push(value);
                cases.push(Decimal::new(cents, scale));
            }
        }
        cases.extend([
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(1, 28),
            Decimal::new(-3075, 2),
            Decimal::new(-30, 0),
            Decimal::new(-1, 4),
            -Decimal::ZERO,
        ]);
        for value in cases {
            let money = super::Money(value);
            // `Decimal`'s own formatting: two decimals when there are at most two, else all.
            let expected = if value.normalize().scale() <= 2 {
                format!("{value:.2}")
            } else {
                value.normalize().to_string()
            };
            assert_eq!(money.to_string(), expected, "{value:?}");
            let json = serde_json::to_string(&money).expect("serialises");
            assert_eq!(json, format!("\"{money}\""), "{value:?}");
        }
    }

    #[test]
    fn dec_literals_parse_exactly_or_not_at_all() {
        use std::str::FromStr;
        for text in [
            "30.75",
            "0.01",
            "-5",
            "1_000.50",
            "79228162514264337593543950335",
            "0.0000000000000000000000000001",
        ] {
            let expected = Decimal::from_str(&text.replace('_', "")).expect("valid");
            assert_eq!(super::parse_decimal(text), Some(expected), "{text}");
            assert_eq!(
                super::parse_decimal(text).map(|d| d.scale()),
                Some(expected.scale())
            );
        }
        assert_eq!(
            super::parse_decimal("- 5"),
            Some(Decimal::from(-5)),
            "stringify!(-5) may space"
        );
        for bad in [
            "",
            ".",
            "-",
            "1e3",
            "30.75f64",
            "1.2.3",
            "79228162514264337593543950336",
            "0.00000000000000000000000000001",
            "0x10",
        ] {
            assert_eq!(super::parse_decimal(bad), None, "{bad}");
        }
        assert_eq!(crate::dec!(30.75), Decimal::new(3075, 2));
    }

    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).expect("test decimal")
    }

    #[test]
    fn sends_two_decimals_as_a_string() {
        for (input, wire) in [
            ("30.75", "\"30.75\""),
            ("100", "\"100.00\""),
            ("10.5", "\"10.50\""),
            ("0.01", "\"0.01\""),
        ] {
            let m = Money::new(dec(input)).expect("valid");
            assert_eq!(serde_json::to_string(&m).expect("json"), wire, "{input}");
        }
    }

    #[test]
    fn rejects_amounts_that_cannot_be_sent() {
        assert_eq!(Money::new(dec("0")), Err(AmountError::NotPositive));
        assert_eq!(Money::new(dec("-1.00")), Err(AmountError::NotPositive));
        assert_eq!(Money::new(dec("1.001")), Err(AmountError::TooPrecise));
        assert_eq!(Money::new(dec("0.005")), Err(AmountError::TooPrecise));
        assert!(
            Money::new(dec("1.100")).is_ok(),
            "trailing zeros are not precision"
        );
    }

    #[test]
    fn reads_numbers_and_strings_exactly() {
        for text in ["30.75", "\"30.75\"", " \"30.750\""] {
            let m: Money = serde_json::from_str(text).expect(text);
            assert_eq!(m.amount().normalize(), dec("30.75"), "{text}");
        }
        let m: Money = serde_json::from_str("10.1").expect("10.1");
        assert_eq!(m.amount(), dec("10.1"), "no binary noise from f64");
        let m: Money = serde_json::from_str("20").expect("20");
        assert_eq!(m.amount(), dec("20"));
        let big: Money = serde_json::from_str("1e3").expect("exponent");
        assert_eq!(big.amount(), dec("1000"));
        assert!(serde_json::from_str::<Money>("\"abc\"").is_err());
        assert!(serde_json::from_str::<Money>("null").is_err());
        assert!(serde_json::from_str::<Money>("true").is_err());
    }

    /// An amount off the wire that is outside the contract is an error naming the
    /// value, never a `Money` (which is always positive with at most two decimals).
    #[test]
    fn out_of_contract_amounts_are_not_read_as_money() {
        for (json, value) in [
            ("-5", "-5"),
            ("0", "0"),
            ("-0.0", "-0"),
            ("0.001", "0.001"),
            ("30.749999999999996", "30.749999999999996"),
            ("\"-0.00\"", "\"-0.00\""),
            ("\"0.00\"", "\"0.00\""),
            ("\"-5.00\"", "\"-5.00\""),
            ("\"30.755\"", "\"30.755\""),
            ("1000000000.01", "1000000000.01"),
        ] {
            let err = serde_json::from_str::<Money>(json)
                .expect_err(json)
                .to_string();
            assert!(
                err.contains(&format!("amount {value} is outside EPoint's contract")),
                "{json}: {err}"
            );
        }
        assert_eq!("1.2345".parse::<Money>(), Err(AmountError::TooPrecise));
        assert_eq!("-1".parse::<Money>(), Err(AmountError::NotPositive));
        let m: Money = serde_json::from_str("30.750").expect("trailing zero is not precision");
        assert_eq!(m.to_string(), "30.75");
    }
}
