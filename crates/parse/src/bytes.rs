//! Small byte-level helpers shared by the parsers: numbers, tokens and an
//! interner, so that the hot path scans bytes and allocates only for new names.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use picket_model::Host;

/// Parses an unsigned decimal number; `None` on anything else, on an empty
/// slice, or on overflow.
pub fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    let mut value: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(value)
}

/// Parses up to nine decimal digits, which cannot overflow a `u32`: the
/// common short case of the functions below, without overflow checks.
#[inline]
fn parse_short(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    let mut value: u32 = 0;
    for &b in digits {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + u32::from(digit);
    }
    Some(value)
}

/// Parses a decimal number that must fit in `u32`.
pub fn parse_u32(digits: &[u8]) -> Option<u32> {
    if digits.len() <= 9 {
        return parse_short(digits);
    }
    parse_u64(digits).and_then(|v| u32::try_from(v).ok())
}

/// Parses a decimal number that must fit in `u16`.
pub fn parse_u16(digits: &[u8]) -> Option<u16> {
    if digits.len() <= 9 {
        return parse_short(digits).and_then(|v| u16::try_from(v).ok());
    }
    parse_u64(digits).and_then(|v| u16::try_from(v).ok())
}

/// Parses a decimal number that must fit in `u8`.
pub fn parse_u8(digits: &[u8]) -> Option<u8> {
    if digits.len() <= 9 {
        return parse_short(digits).and_then(|v| u8::try_from(v).ok());
    }
    parse_u64(digits).and_then(|v| u8::try_from(v).ok())
}

/// Parses hexadecimal digits, with or without a `0x` prefix.
pub fn parse_hex(text: &[u8]) -> Option<u64> {
    let digits = text
        .strip_prefix(b"0x")
        .or_else(|| text.strip_prefix(b"0X"))
        .unwrap_or(text);
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut value: u64 = 0;
    for &b in digits {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return None,
        };
        value = (value << 4) | u64::from(d);
    }
    Some(value)
}

/// Removes ASCII white space at both ends.
pub fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if first.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if last.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// Splits off the first space-separated token, skipping leading spaces and
/// tabs. Returns the token and the rest (which starts at the separator).
pub fn next_token(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let start = s.iter().position(|b| *b != b' ' && *b != b'\t')?;
    let s = &s[start..];
    let end = s
        .iter()
        .position(|b| *b == b' ' || *b == b'\t')
        .unwrap_or(s.len());
    Some((&s[..end], &s[end..]))
}

/// Parses an IPv4 or IPv6 address from bytes without allocating.
pub fn parse_ip(text: &[u8]) -> Option<IpAddr> {
    if text.is_empty() || text.len() > 45 {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// Turns logged names into shared strings, once per distinct name, so a log
/// with a million lines from ten hosts allocates ten names.
#[derive(Default, Debug)]
pub struct Interner {
    names: HashMap<Box<[u8]>, Arc<str>>,
}

impl Interner {
    /// Most distinct strings kept; past this, strings are allocated each time
    /// (a hostile log with a new name per line cannot grow the table forever).
    const CAP: usize = 65_536;

    /// The shared string for `bytes` (invalid UTF-8 replaced).
    pub fn intern(&mut self, bytes: &[u8]) -> Arc<str> {
        if let Some(s) = self.names.get(bytes) {
            return s.clone();
        }
        let s: Arc<str> = Arc::from(String::from_utf8_lossy(bytes).as_ref());
        if self.names.len() < Self::CAP {
            self.names.insert(bytes.into(), s.clone());
        }
        s
    }

    /// An endpoint: an address when `text` is one, else an interned,
    /// lower-cased name. `None` for empty text.
    pub fn host(&mut self, text: &[u8]) -> Option<Host> {
        let text = trim(text);
        if text.is_empty() {
            return None;
        }
        if let Some(addr) = parse_ip(text) {
            return Some(Host::Addr(addr));
        }
        if text.iter().any(u8::is_ascii_uppercase) {
            let lower = text.to_ascii_lowercase();
            return Some(Host::Name(self.intern(&lower)));
        }
        Some(Host::Name(self.intern(text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_reject_garbage_and_overflow() {
        assert_eq!(parse_u64(b"123"), Some(123));
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_u64(b"12a"), None);
        assert_eq!(parse_u64(b"99999999999999999999999"), None);
        assert_eq!(parse_u16(b"99999"), None);
        assert_eq!(parse_u8(b"255"), Some(255));
        assert_eq!(parse_hex(b"0x91ED9D"), Some(0x91ED9D));
        assert_eq!(parse_hex(b"4000"), Some(0x4000));
        assert_eq!(parse_hex(b"0x"), None);
    }

    proptest::proptest! {
        /// The short-number path reads exactly what the general one reads.
        #[test]
        fn short_numbers_read_as_the_general_parse(text in "[0-9+a ]{0,24}") {
            let bytes = text.as_bytes();
            let general = parse_u64(bytes);
            proptest::prop_assert_eq!(parse_u32(bytes), general.and_then(|v| u32::try_from(v).ok()));
            proptest::prop_assert_eq!(parse_u16(bytes), general.and_then(|v| u16::try_from(v).ok()));
            proptest::prop_assert_eq!(parse_u8(bytes), general.and_then(|v| u8::try_from(v).ok()));
        }
    }

    #[test]
    fn tokens_and_trim() {
        assert_eq!(trim(b"  a b \t"), b"a b");
        let (tok, rest) = next_token(b"  one two").unwrap();
        assert_eq!(tok, b"one");
        assert_eq!(rest, b" two");
        assert_eq!(next_token(b"   "), None);
    }

    #[test]
    fn interner_shares_names_and_parses_addresses() {
        let mut interner = Interner::default();
        let a = interner.host(b"Me.Home.com").unwrap();
        let b = interner.host(b"me.home.com").unwrap();
        assert_eq!(a, b);
        assert!(matches!(interner.host(b"10.0.0.1"), Some(Host::Addr(_))));
        assert_eq!(interner.host(b" "), None);
    }
}
