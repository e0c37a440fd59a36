//! The 0/1 switches of EPoint payloads (`is_installment`, `refund`): the spec's `Flag`.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A yes/no switch that EPoint expects as the number `0` or `1`.
///
/// Sent as `0`/`1`; read from `0`/`1`, `"0"`/`"1"` (some PHP clients send strings) or
/// `true`/`false`. Anything else is a decode error, so a payload can never carry `5`.
///
/// ```
/// use epoint_az::Flag;
/// assert_eq!(serde_json::to_string(&Flag::from(true)).unwrap(), "1");
/// assert_eq!(serde_json::from_str::<Flag>(r#""0""#).unwrap(), Flag::from(false));
/// assert!(serde_json::from_str::<Flag>("5").is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flag(bool);

impl Flag {
    /// `true` for `1`.
    ///
    /// ```
    /// assert!(epoint_az::Flag::from(true).is_set());
    /// ```
    pub fn is_set(self) -> bool {
        self.0
    }
}

impl From<bool> for Flag {
    fn from(value: bool) -> Self {
        Self(value)
    }
}

impl From<Flag> for bool {
    fn from(value: Flag) -> Self {
        value.0
    }
}

/// `0` or `1`.
impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "1" } else { "0" })
    }
}

/// Parses `0` or `1`.
impl FromStr for Flag {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "0" => Ok(Self(false)),
            "1" => Ok(Self(true)),
            other => Err(format!("{other:?} is not 0 or 1")),
        }
    }
}

impl Serialize for Flag {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(u8::from(self.0))
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("0 or 1")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Flag, E> {
                match v {
                    0 => Ok(Flag(false)),
                    1 => Ok(Flag(true)),
                    _ => Err(E::custom(format!("{v} is not 0 or 1"))),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Flag, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom(format!("{v} is not 0 or 1")))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Flag, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Matches the spec's `Flag` component: an integer from 0 to 1.
impl schemars::JsonSchema for Flag {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Flag".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "0 (no) or 1 (yes).",
            "type": "integer",
            "minimum": 0,
            "maximum": 1
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_spelling_of_zero_and_one_and_nothing_else() {
        for (text, set) in [
            ("0", false),
            ("1", true),
            ("\"1\"", true),
            ("false", false),
            ("true", true),
        ] {
            let flag: Flag = serde_json::from_str(text).expect(text);
            assert_eq!(flag.is_set(), set, "{text}");
        }
        for bad in ["2", "-1", "\"yes\"", "0.5", "null"] {
            assert!(serde_json::from_str::<Flag>(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn writes_a_number() {
        assert_eq!(
            serde_json::to_string(&Flag::from(false)).expect("json"),
            "0"
        );
        assert_eq!(Flag::from(true).to_string(), "1");
    }
}
