//! Timestamps: settling the year and zone of times that lack them.
//!
//! BSD syslog and Snort print `Mar 12 04:05:35` or `03/12-04:05:35` without a
//! year or zone. With `--year`, the first such time takes that year and a
//! month that falls back by half a year or more (December, then January)
//! moves to the next year. Without it, the year is the one that puts the line
//! at or before the file's modification time, which also settles a
//! December-to-January rollover inside a file.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};

use crate::bytes::parse_u32;

/// How a run settles missing years and zones. One per input file.
#[derive(Clone, Debug)]
pub struct TimeContext {
    zone: TimeZone,
    forced_year: Option<i16>,
    reference: DateTime,
    current_year: Option<i16>,
    last_month: Option<i8>,
    cache_key: [u8; 15],
    cache_value: Option<Option<Timestamp>>,
}

impl TimeContext {
    /// A context for one input. `zone` settles times logged without an
    /// offset; `forced_year` is `--year`; `reference` is when the file was last
    /// written (its modification time), used when no year is forced.
    pub fn new(zone: TimeZone, forced_year: Option<i16>, reference: Timestamp) -> TimeContext {
        let reference = zone.to_datetime(reference);
        TimeContext {
            zone,
            forced_year,
            reference,
            current_year: None,
            last_month: None,
            cache_key: [0; 15],
            cache_value: None,
        }
    }

    /// True when `other` settles the next timestamps exactly as this context
    /// would: the same year reckoning, whatever its caches hold. Parts of an
    /// input read in parallel start from a guess of the context; a part whose
    /// guess differs from the context the previous part ended with is read
    /// again.
    pub fn same_reckoning(&self, other: &TimeContext) -> bool {
        self.forced_year == other.forced_year
            && self.current_year == other.current_year
            && self.last_month == other.last_month
            && self.reference == other.reference
    }

    /// A context in UTC with a forced year, for tests and examples.
    pub fn fixed_year(year: i16) -> TimeContext {
        TimeContext::new(TimeZone::UTC, Some(year), Timestamp::UNIX_EPOCH)
    }

    /// The zone used for times without an offset.
    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// Settles a time with a known year in the context's zone.
    pub fn local(&self, dt: DateTime) -> Option<Timestamp> {
        self.zone.to_ambiguous_timestamp(dt).compatible().ok()
    }

    /// Settles a time without a year: picks the year as the module docs say,
    /// then the zone. `None` when the date cannot exist (February 30, or
    /// February 29 in a year that has none).
    pub fn yearless(
        &mut self,
        month: i8,
        day: i8,
        hour: i8,
        minute: i8,
        second: i8,
        nanos: i32,
    ) -> Option<Timestamp> {
        if !(1..=12).contains(&month) {
            return None;
        }
        let year = match self.forced_year {
            Some(forced) => {
                let year = self.current_year.get_or_insert(forced);
                if let Some(last) = self.last_month
                    && last - month >= 6
                {
                    *year = year.saturating_add(1);
                }
                self.last_month = Some(month);
                *year
            }
            None => {
                let ref_year = self.reference.year();
                if month > self.reference.month() {
                    ref_year - 1
                } else {
                    ref_year
                }
            }
        };
        let date = Date::new(year, month, day).ok()?;
        let time = Time::new(hour, minute, second, nanos).ok()?;
        self.local(DateTime::from_parts(date, time))
    }

    /// Parses a BSD syslog time, `Mmm dd hh:mm:ss` (day padded with a space or
    /// a zero), from the first 15 bytes of `text`. Caches the last answer: a
    /// busy log repeats the same second many times.
    pub fn bsd_syslog(&mut self, text: &[u8]) -> Option<Timestamp> {
        let key: &[u8; 15] = text.get(..15)?.try_into().ok()?;
        if let Some(cached) = self.cache_value
            && &self.cache_key == key
        {
            return cached;
        }
        let parsed = parse_bsd(key).and_then(|(mo, d, h, mi, s)| self.yearless(mo, d, h, mi, s, 0));
        self.cache_key = *key;
        self.cache_value = Some(parsed);
        parsed
    }

    /// Parses an RFC 3339 / ISO 8601 time such as `2021-03-12T14:10:18Z`,
    /// `2015-03-07T05:09:30.045015+02:00` or `journalctl -o short-iso`'s
    /// `2021-03-12T14:10:18+0100`. A time without an offset takes the
    /// context's zone. Returns the time and the bytes it used.
    pub fn iso(&self, text: &[u8]) -> Option<(Timestamp, usize)> {
        let end = text
            .iter()
            .position(|b| *b == b' ' || *b == b'\t')
            .unwrap_or(text.len());
        let token = std::str::from_utf8(&text[..end]).ok()?;
        if token.len() < 19 || token.as_bytes().get(10) != Some(&b'T') {
            return None;
        }
        if let Ok(ts) = token.parse::<Timestamp>() {
            return Some((ts, end));
        }
        if let Ok(z) = token.parse::<ZonedDateTime>() {
            return Some((z.timestamp(), end));
        }
        // An offset without a colon (+0100), which jiff's RFC 3339 parser wants.
        let bytes = token.as_bytes();
        if bytes.len() >= 24
            && let (Some(head), Some(offset)) =
                (token.get(..token.len() - 5), token.get(token.len() - 5..))
            && (offset.starts_with('+') || offset.starts_with('-'))
            && offset[1..].bytes().all(|b| b.is_ascii_digit())
        {
            let fixed = format!("{head}{}:{}", &offset[..3], &offset[3..]);
            if let Ok(ts) = fixed.parse::<Timestamp>() {
                return Some((ts, end));
            }
        }
        let dt: DateTime = token.parse().ok()?;
        Some((self.local(dt)?, end))
    }
}

/// Month abbreviations as syslog prints them.
const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// The month number (1-12) of a three-letter English abbreviation.
pub fn month_number(abbrev: &[u8]) -> Option<i8> {
    let pos = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(abbrev))?;
    i8::try_from(pos + 1).ok()
}

/// True when `text` starts like a BSD syslog time (`Mar 12 04:05:35`).
pub fn looks_bsd(text: &[u8]) -> bool {
    text.len() >= 15
        && month_number(&text[..3]).is_some()
        && text[3] == b' '
        && text[9] == b':'
        && text[12] == b':'
}

/// True when `text` starts like an ISO 8601 date and time (`2021-03-12T`).
pub fn looks_iso(text: &[u8]) -> bool {
    text.len() >= 19
        && text[..4].iter().all(u8::is_ascii_digit)
        && text[4] == b'-'
        && text[7] == b'-'
        && text[10] == b'T'
}

fn parse_bsd(text: &[u8; 15]) -> Option<(i8, i8, i8, i8, i8)> {
    let month = month_number(&text[..3])?;
    if text[3] != b' ' || text[6] != b' ' || text[9] != b':' || text[12] != b':' {
        return None;
    }
    let day_text = if text[4] == b' ' {
        &text[5..6]
    } else {
        &text[4..6]
    };
    let day = parse_u32(day_text)?;
    let hour = parse_u32(&text[7..9])?;
    let minute = parse_u32(&text[10..12])?;
    let second = parse_u32(&text[13..15])?;
    Some((
        month,
        i8::try_from(day).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
    ))
}

/// Parses `hh:mm:ss` with an optional fraction of up to nine digits, as in
/// `17:04:13.198326`. Returns hour, minute, second and nanoseconds.
pub fn parse_clock(text: &[u8]) -> Option<(i8, i8, i8, i32)> {
    if text.len() < 8 && !(text.len() == 7 && text[1] == b':') {
        return None;
    }
    let mut parts = text.splitn(3, |b| *b == b':');
    let hour = parse_u32(parts.next()?)?;
    let minute = parse_u32(parts.next()?)?;
    let rest = parts.next()?;
    let (sec_text, frac) = match memchr::memchr(b'.', rest) {
        Some(dot) => (&rest[..dot], &rest[dot + 1..]),
        None => (rest, &b""[..]),
    };
    let second = parse_u32(sec_text)?;
    let mut nanos: i32 = 0;
    if !frac.is_empty() {
        if frac.len() > 9 || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let value = i32::try_from(parse_u32(frac)?).ok()?;
        nanos = value * 10_i32.pow(9 - frac.len() as u32);
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some((hour as i8, minute as i8, second.min(59) as i8, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn forced_year_with_rollover() {
        let mut ctx = TimeContext::fixed_year(2000);
        assert_eq!(
            ctx.bsd_syslog(b"Dec 31 23:59:59 host"),
            Some(ts("2000-12-31T23:59:59Z"))
        );
        assert_eq!(
            ctx.bsd_syslog(b"Jan  1 00:00:01 host"),
            Some(ts("2001-01-01T00:00:01Z"))
        );
    }

    #[test]
    fn year_from_modification_time_handles_rollover() {
        let mtime = ts("2024-01-02T10:00:00Z");
        let mut ctx = TimeContext::new(TimeZone::UTC, None, mtime);
        assert_eq!(
            ctx.bsd_syslog(b"Dec 30 08:00:00 h"),
            Some(ts("2023-12-30T08:00:00Z"))
        );
        assert_eq!(
            ctx.bsd_syslog(b"Jan  2 08:00:00 h"),
            Some(ts("2024-01-02T08:00:00Z"))
        );
    }

    #[test]
    fn february_29_needs_a_leap_year() {
        let mut leap = TimeContext::fixed_year(2000);
        assert!(leap.bsd_syslog(b"Feb 29 12:00:00 h").is_some());
        let mut plain = TimeContext::fixed_year(2001);
        assert_eq!(plain.bsd_syslog(b"Feb 29 12:00:00 h"), None);
    }

    #[test]
    fn iso_forms() {
        let ctx = TimeContext::fixed_year(2000);
        assert_eq!(
            ctx.iso(b"2021-03-12T14:10:18Z host").map(|x| x.0),
            Some(ts("2021-03-12T14:10:18Z"))
        );
        assert_eq!(
            ctx.iso(b"2015-03-07T05:09:30.045015+02:00 x").map(|x| x.0),
            Some(ts("2015-03-07T03:09:30.045015Z"))
        );
        assert_eq!(
            ctx.iso(b"2021-03-12T14:10:18+0100 x").map(|x| x.0),
            Some(ts("2021-03-12T13:10:18Z"))
        );
        assert_eq!(ctx.iso(b"2021-03-12 nonsense"), None);
        // Found by fuzzing: a multi-byte character where the offset would be.
        assert_eq!(
            ctx.iso("2019-11-14T09:37:51.1\u{201d}+0100".as_bytes()),
            None
        );
        assert_eq!(
            ctx.iso("2019-11-14T09:37:51.184+01\u{201d}0".as_bytes()),
            None
        );
    }

    #[test]
    fn clock_with_fraction() {
        assert_eq!(
            parse_clock(b"17:04:13.198326"),
            Some((17, 4, 13, 198_326_000))
        );
        assert_eq!(
            parse_clock(b"9:29:34.654960"),
            Some((9, 29, 34, 654_960_000))
        );
        assert_eq!(parse_clock(b"25:00:00"), None);
        assert_eq!(parse_clock(b"12:00"), None);
    }
}
