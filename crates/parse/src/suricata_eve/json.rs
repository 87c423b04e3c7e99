//! Lenient JSON leaves for the formats that log one JSON object per line
//! (Suricata `eve.json`, Zeek's JSON logs, `journalctl -o json`).
//!
//! Every leaf field is read as a [`Scalar`]: text is borrowed from the line
//! when it holds no escapes, so a record costs no allocation, and a field of
//! an unexpected type (an object where a number was expected) reads as absent
//! instead of failing the whole record. Nested values inside a leaf are
//! skipped by serde_json without recursion, and containers read by the
//! parsers' own structs are bounded by serde_json's recursion limit, so no
//! line can exhaust the stack.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::bytes::parse_u64;

/// One JSON leaf as logged.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum Scalar<'a> {
    /// Missing, `null`, or a value of a type no leaf has (object, array).
    #[default]
    Absent,
    /// A string, borrowed from the line unless it held escapes.
    Text(Cow<'a, str>),
    /// A non-negative integer.
    Unsigned(u64),
    /// A negative integer.
    Signed(i64),
    /// A number with a fraction or an exponent.
    Float(f64),
    /// `true` or `false`.
    Flag(bool),
}

impl Scalar<'_> {
    /// The text of a string leaf.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Scalar::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The bytes of a string leaf.
    pub(crate) fn bytes(&self) -> Option<&[u8]> {
        self.text().map(str::as_bytes)
    }

    /// A count: an integer, a string of digits, or a whole non-negative float.
    pub(crate) fn unsigned(&self) -> Option<u64> {
        match self {
            Scalar::Unsigned(n) => Some(*n),
            Scalar::Text(text) => parse_u64(text.as_bytes()),
            Scalar::Float(f)
                if f.fract() == 0.0 && *f >= 0.0 && *f < 18_446_744_073_709_551_616.0 =>
            {
                Some(*f as u64)
            }
            _ => None,
        }
    }

    /// A number of any kind, as a float.
    pub(crate) fn float(&self) -> Option<f64> {
        match self {
            Scalar::Unsigned(n) => Some(*n as f64),
            Scalar::Signed(n) => Some(*n as f64),
            Scalar::Float(f) if f.is_finite() => Some(*f),
            _ => None,
        }
    }

    /// A boolean leaf.
    pub(crate) fn flag(&self) -> Option<bool> {
        match self {
            Scalar::Flag(b) => Some(*b),
            _ => None,
        }
    }

    /// True unless the leaf is missing or `null`.
    pub(crate) fn is_present(&self) -> bool {
        !matches!(self, Scalar::Absent)
    }
}

/// Reads a count that must fit `T`. A leaf that is present but does not fit
/// (a port of 70000, a string where a number belongs) adds one to `bad`.
pub(crate) fn count<T: TryFrom<u64>>(leaf: &Scalar<'_>, bad: &mut u32) -> Option<T> {
    if !leaf.is_present() {
        return None;
    }
    let value = leaf.unsigned().and_then(|n| T::try_from(n).ok());
    if value.is_none() {
        *bad += 1;
    }
    value
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Cow::Owned(v)))
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Unsigned(v))
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(match u64::try_from(v) {
            Ok(n) => Scalar::Unsigned(n),
            Err(_) => Scalar::Signed(v),
        })
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Float(v))
    }

    fn visit_bool<E: Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Flag(v))
    }

    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Absent)
    }

    fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Absent)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Absent)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Absent)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Leaves<'a> {
        #[serde(borrow, default)]
        a: Scalar<'a>,
        #[serde(borrow, default)]
        b: Scalar<'a>,
    }

    fn leaves(json: &str) -> Leaves<'_> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let l = leaves(r#"{"a":"eth0","b":"say \"hi\""}"#);
        assert!(matches!(l.a, Scalar::Text(Cow::Borrowed("eth0"))));
        assert_eq!(l.b.text(), Some("say \"hi\""));
    }

    #[test]
    fn counts_from_numbers_digits_and_whole_floats() {
        assert_eq!(leaves(r#"{"a":443}"#).a.unsigned(), Some(443));
        assert_eq!(
            leaves(r#"{"a":"1757422415123456"}"#).a.unsigned(),
            Some(1_757_422_415_123_456)
        );
        assert_eq!(leaves(r#"{"a":3.0}"#).a.unsigned(), Some(3));
        assert_eq!(leaves(r#"{"a":3.5}"#).a.unsigned(), None);
        assert_eq!(leaves(r#"{"a":-1}"#).a, Scalar::Signed(-1));
        let mut bad = 0;
        assert_eq!(count::<u16>(&leaves(r#"{"a":70000}"#).a, &mut bad), None);
        assert_eq!(count::<u16>(&leaves(r#"{"b":1}"#).a, &mut bad), None);
        assert_eq!(bad, 1, "only the present, oversized port is damage");
    }

    #[test]
    fn containers_and_null_read_as_absent() {
        let l = leaves(r#"{"a":{"x":[1,{"y":null}]},"b":null}"#);
        assert_eq!((l.a, l.b), (Scalar::Absent, Scalar::Absent));
    }
}
