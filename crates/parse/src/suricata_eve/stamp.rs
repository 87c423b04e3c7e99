//! Times as the JSON log formats write them: ISO 8601 with an offset that may
//! lack its colon (`2021-03-12T14:10:18.123456+0000`), and epoch seconds with
//! a fraction (`1521911721.255387`). Both are read from bytes without
//! allocating.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;

use crate::bytes::{parse_u32, parse_u64};
use crate::time::TimeContext;

/// Parses `YYYY-MM-DDTHH:MM:SS`, an optional fraction of up to nine digits,
/// and `Z`, `+HHMM`, `+HH:MM`, `+HH` or nothing (the context's zone).
pub(crate) fn iso(text: &[u8], context: &TimeContext) -> Option<Timestamp> {
    let head = text.get(..19)?;
    if head[4] != b'-' || head[7] != b'-' || !matches!(head[10], b'T' | b' ') {
        return None;
    }
    if head[13] != b':' || head[16] != b':' {
        return None;
    }
    let year = i16::try_from(parse_u32(&head[..4])?).ok()?;
    let month = two_digits(&head[5..7])?;
    let day = two_digits(&head[8..10])?;
    let hour = two_digits(&head[11..13])?;
    let minute = two_digits(&head[14..16])?;
    let second = two_digits(&head[17..19])?.min(59);
    let mut rest = &text[19..];
    let mut nanos = 0i32;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let kept = digits.min(9);
        let value = i32::try_from(parse_u32(&fraction[..kept])?).ok()?;
        nanos = value * 10_i32.pow(9 - kept as u32);
        rest = &fraction[digits..];
    }
    let date = Date::new(year, month, day).ok()?;
    let clock = Time::new(hour, minute, second, nanos).ok()?;
    let civil = DateTime::from_parts(date, clock);
    let offset_seconds = match rest {
        [] => return context.local(civil),
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, tail @ ..] => {
            let hours = i32::from(two_digits(&[*h1, *h2])?);
            let minutes = match tail {
                [] => 0,
                [m1, m2] | [b':', m1, m2] => i32::from(two_digits(&[*m1, *m2])?),
                _ => return None,
            };
            let magnitude = hours * 3600 + minutes * 60;
            if *sign == b'-' { -magnitude } else { magnitude }
        }
        _ => return None,
    };
    Offset::from_seconds(offset_seconds)
        .ok()?
        .to_timestamp(civil)
        .ok()
}

/// Parses seconds since the epoch with an optional fraction (digits past the
/// ninth are dropped).
pub(crate) fn epoch(text: &[u8]) -> Option<Timestamp> {
    let (seconds, nanos) = seconds_and_nanos(text)?;
    Timestamp::new(i64::try_from(seconds).ok()?, nanos).ok()
}

/// A time as a JSON number: seconds with a fraction, or (Zeek's
/// `JSON::TS_MILLIS`) whole milliseconds, told apart by size. Kept to the
/// microsecond, which is what a double holds exactly at this magnitude.
pub(crate) fn epoch_number(value: f64) -> Option<Timestamp> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let micros = if value >= 100_000_000_000.0 {
        (value * 1e3).round()
    } else {
        (value * 1e6).round()
    };
    if micros >= 9.0e18 {
        return None;
    }
    Timestamp::from_microsecond(micros as i64).ok()
}

/// Seconds with a fraction, as text (`0.004266`), to whole milliseconds,
/// rounded.
pub(crate) fn seconds_text_to_millis(text: &[u8]) -> Option<u64> {
    let (seconds, nanos) = seconds_and_nanos(text)?;
    let rounded = (u64::try_from(nanos).ok()? + 500_000) / 1_000_000;
    seconds.checked_mul(1000)?.checked_add(rounded)
}

/// Seconds as a JSON number to whole milliseconds, rounded.
pub(crate) fn seconds_to_millis(value: f64) -> Option<u64> {
    if !(0.0..1.0e15).contains(&value) {
        return None;
    }
    Some((value * 1000.0).round() as u64)
}

fn seconds_and_nanos(text: &[u8]) -> Option<(u64, i32)> {
    let (whole, fraction) = match memchr::memchr(b'.', text) {
        Some(dot) => (&text[..dot], &text[dot + 1..]),
        None => (text, &b""[..]),
    };
    let seconds = parse_u64(whole)?;
    if !fraction.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let kept = fraction.len().min(9);
    let nanos = if kept == 0 {
        0
    } else {
        let value = i32::try_from(parse_u32(&fraction[..kept])?).ok()?;
        value * 10_i32.pow(9 - kept as u32)
    };
    Some((seconds, nanos))
}

fn two_digits(text: &[u8]) -> Option<i8> {
    match text {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some(((a - b'0') * 10 + (b - b'0')) as i8)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn suricata_offsets_without_colon() {
        // eve-2.json (josevnz/SuricataLog), an alert's timestamp.
        let ctx = TimeContext::fixed_year(2000);
        assert_eq!(
            iso(b"2022-02-08T11:33:00.175195-0500", &ctx),
            Some(ts("2022-02-08T16:33:00.175195Z"))
        );
        assert_eq!(
            iso(b"2022-04-25T00:04:12.542081+0000", &ctx),
            Some(ts("2022-04-25T00:04:12.542081Z"))
        );
        assert_eq!(
            iso(b"2020-08-16T06:26:03.553287Z", &ctx),
            Some(ts("2020-08-16T06:26:03.553287Z"))
        );
        assert_eq!(
            iso(b"2015-03-07T05:09:30+02:00", &ctx),
            Some(ts("2015-03-07T03:09:30Z"))
        );
        assert_eq!(
            iso(b"2011-08-12T12:53:47.928539", &ctx),
            Some(ts("2011-08-12T12:53:47.928539Z")),
            "no offset: the context's zone (UTC here)"
        );
    }

    #[test]
    fn damaged_iso_times_are_refused() {
        let ctx = TimeContext::fixed_year(2000);
        for bad in [
            &b"2022-02-30T11:33:00+0000"[..],
            b"2022-02-08T25:33:00+0000",
            b"2022-02-08T11:33:00.+0000",
            b"2022-02-08T11:33:00+05:3",
            b"2022-02-08T11:33:00 junk",
            b"2022-02-08",
            b"\xff\xfe-02-08T11:33:00Z",
        ] {
            assert_eq!(iso(bad, &ctx), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn epoch_seconds_text_and_numbers() {
        // brimdata/zed conn.log, first record.
        assert_eq!(
            epoch(b"1521911721.255387"),
            Some(ts("2018-03-24T17:15:21.255387Z"))
        );
        assert_eq!(epoch(b"1521911721"), Some(ts("2018-03-24T17:15:21Z")));
        assert_eq!(epoch(b"15x"), None);
        assert_eq!(epoch(b"99999999999999999999"), None);
        assert_eq!(
            epoch_number(1_521_911_721.255_387),
            Some(ts("2018-03-24T17:15:21.255387Z"))
        );
        assert_eq!(
            epoch_number(1_521_911_721_255.0),
            Some(ts("2018-03-24T17:15:21.255Z")),
            "milliseconds"
        );
        assert_eq!(epoch_number(f64::NAN), None);
        assert_eq!(epoch_number(-1.0), None);
        assert_eq!(epoch_number(1e300), None);
    }

    #[test]
    fn durations_to_milliseconds() {
        assert_eq!(seconds_text_to_millis(b"0.004266"), Some(4));
        assert_eq!(seconds_text_to_millis(b"1.550793"), Some(1551));
        assert_eq!(seconds_text_to_millis(b"28.448321"), Some(28448));
        assert_eq!(seconds_text_to_millis(b"-"), None);
        assert_eq!(seconds_to_millis(0.06685185432434082), Some(67));
        assert_eq!(seconds_to_millis(f64::INFINITY), None);
    }
}
