//! Timestamps as network devices print them in front of their messages,
//! in the forms [`crate::syslog::split`] does not read.
//!
//! A firewall's line often carries two times: the relay's syslog stamp and
//! the device's own (`Feb  8 04:00:48 10.0.0.2 585917: Feb  8 04:00:47.272:
//! %SEC-6-...`). The device's stamp, the last one before the message, says
//! when the event happened, so [`last_time`] reads the head of a line from
//! its end. Forms read, each optionally after `<PRI>`, a `*` or `.` (Cisco's
//! unsynchronised-clock marks) or an RFC 5424 version:
//!
//! - `Mmm d hh:mm:ss`, the day padded with a space, a zero or nothing;
//! - `Mmm dd yyyy hh:mm:ss` (Cisco with `service timestamps ... year`);
//! - either with a fraction and a zone (`UTC`, `GMT`, `UTC+1`, `+02:00`;
//!   other zone names take the run's zone);
//! - RFC 3339 (`2019-11-14T09:37:51.184+01:00`, RFC 5424 headers).
//!
//! The vendor firewall modules (Cisco, pfSense, ipfw, ipfilter, Juniper)
//! share these readers.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;

use crate::bytes::{parse_u8, parse_u16};
use crate::syslog::strip_priority;
use crate::time::{TimeContext, looks_iso, month_number, parse_clock};

/// Bytes of a line's head searched for a time.
const MAX_HEAD: usize = 320;

/// Tokens of a head kept for the backward search.
const MAX_TOKENS: usize = 32;

/// What the head of a line said about when the event happened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// The time, when one could be read.
    pub(crate) time: Option<Timestamp>,
    /// True when something shaped like a time was there but none could be
    /// read (a date that cannot exist, a clock of 25 hours).
    pub(crate) unreadable: bool,
}

/// The last readable time in `head` (the text before a message's marker).
pub(crate) fn last_time(head: &[u8], ctx: &mut TimeContext) -> Stamp {
    let head = &head[..head.len().min(MAX_HEAD)];
    let mut spans = [(0usize, 0usize); MAX_TOKENS];
    let mut count = 0;
    let mut start = None;
    for (i, b) in head.iter().enumerate() {
        let blank = *b == b' ' || *b == b'\t';
        match (blank, start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                if count < MAX_TOKENS {
                    spans[count] = (s, i);
                    count += 1;
                }
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start
        && count < MAX_TOKENS
    {
        spans[count] = (s, head.len());
        count += 1;
    }
    let token = |k: usize| -> &[u8] {
        let (s, e) = spans[k];
        &head[s..e]
    };
    let mut stamp = Stamp::default();
    for k in (0..count).rev() {
        let first = clean_start(token(k));
        if looks_iso(first) {
            let text = first.strip_suffix(b":").unwrap_or(first);
            match ctx.iso(text) {
                Some((ts, _)) => {
                    stamp.time = Some(ts);
                    return stamp;
                }
                None => stamp.unreadable = true,
            }
            continue;
        }
        // IOS XR glues the device stamp to its node name (`CPU0:Oct`).
        let glued = memchr::memrchr(b':', first).map_or(first, |c| &first[c + 1..]);
        let Some(month) = month_of(first).or_else(|| month_of(glued)) else {
            continue;
        };
        let rest: [&[u8]; 4] = [1, 2, 3, 4].map(|d| if k + d < count { token(k + d) } else { b"" });
        match bsd_at(month, rest, ctx) {
            Some(Some(ts)) => {
                stamp.time = Some(ts);
                stamp.unreadable = false;
                return stamp;
            }
            Some(None) => stamp.unreadable = true,
            None => {}
        }
    }
    stamp
}

/// Drops a `<PRI>` and Cisco's `*` / `.` clock marks from a token's start.
fn clean_start(token: &[u8]) -> &[u8] {
    let token = strip_priority(token);
    token
        .strip_prefix(b"*")
        .or_else(|| token.strip_prefix(b"."))
        .unwrap_or(token)
}

/// The month of a token such as `Feb` or `June` (any case).
fn month_of(token: &[u8]) -> Option<i8> {
    if token.len() < 3 || token.len() > 9 || !token.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    month_number(&token[..3])
}

/// Reads `dd [yyyy] hh:mm:ss[.f][:] [zone]` from the tokens after a month.
/// `None` when they are not shaped like a time; `Some(None)` when they are
/// but the time cannot be read.
fn bsd_at(month: i8, rest: [&[u8]; 4], ctx: &mut TimeContext) -> Option<Option<Timestamp>> {
    let day_text = rest[0].strip_suffix(b",").unwrap_or(rest[0]);
    if day_text.is_empty() || day_text.len() > 2 || !day_text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let day = parse_u8(day_text)?;
    let (year, clock, zone) = if rest[1].len() == 4 && rest[1].iter().all(u8::is_ascii_digit) {
        (parse_u16(rest[1]), rest[2], rest[3])
    } else {
        (None, rest[1], rest[2])
    };
    let clock_text = clock.strip_suffix(b":").unwrap_or(clock);
    if clock_text.len() < 7 || clock_text.get(2) != Some(&b':') && clock_text.get(1) != Some(&b':')
    {
        return None;
    }
    let Some((hour, minute, second, nanos)) = parse_clock(clock_text) else {
        return Some(None);
    };
    let zone = if clock.ends_with(b":") {
        None
    } else {
        zone_offset(zone)
    };
    let day = i8::try_from(day).ok();
    let Some(day) = day else {
        return Some(None);
    };
    let time = Time::new(hour, minute, second, nanos).ok();
    let settled = match (year, zone) {
        (Some(year), zone) => {
            let year = i16::try_from(year).ok();
            let dt = year
                .and_then(|y| Date::new(y, month, day).ok())
                .zip(time)
                .map(|(d, t)| DateTime::from_parts(d, t));
            match (dt, zone) {
                (Some(dt), Some(offset)) => offset.to_timestamp(dt).ok(),
                (Some(dt), None) => ctx.local(dt),
                (None, _) => None,
            }
        }
        (None, None) => ctx.yearless(month, day, hour, minute, second, nanos),
        (None, Some(offset)) => ctx
            .yearless(month, day, hour, minute, second, nanos)
            .map(|ts| ctx.zone().to_datetime(ts).year())
            .and_then(|y| Date::new(y, month, day).ok())
            .zip(time)
            .and_then(|(d, t)| offset.to_timestamp(DateTime::from_parts(d, t)).ok()),
    };
    Some(settled)
}

/// A zone token after a clock: `UTC`, `GMT`, `Z`, `UTC+1`, `UTC-05:30`,
/// `+0200`, `-05:00`, with an optional trailing colon. Zone names that do
/// not say their offset (`EDT`, `CEST`) give `None`: the run's zone is used.
fn zone_offset(token: &[u8]) -> Option<Offset> {
    let token = token.strip_suffix(b":").unwrap_or(token);
    let upper_utc = |t: &[u8]| {
        t.len() >= 3 && (t[..3].eq_ignore_ascii_case(b"UTC") || t[..3].eq_ignore_ascii_case(b"GMT"))
    };
    if token.eq_ignore_ascii_case(b"Z") {
        return Some(Offset::UTC);
    }
    let signed = if upper_utc(token) {
        if token.len() == 3 {
            return Some(Offset::UTC);
        }
        &token[3..]
    } else {
        token
    };
    let (sign, digits) = match signed.first() {
        Some(b'+') => (1, &signed[1..]),
        Some(b'-') => (-1, &signed[1..]),
        _ => return None,
    };
    let (hours, minutes) = match digits {
        h if h.len() <= 2 => (parse_u8(h)?, 0),
        [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
            (parse_u8(&[*h1, *h2])?, parse_u8(&[*m1, *m2])?)
        }
        _ => return None,
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    let seconds = sign * (i32::from(hours) * 3600 + i32::from(minutes) * 60);
    Offset::from_seconds(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn read(head: &str) -> Stamp {
        last_time(head.as_bytes(), &mut TimeContext::fixed_year(2024))
    }

    #[test]
    fn device_stamp_after_relay_stamp() {
        // elastic cisco_ios test-cisco-ios.log, line 1 (head before `%SEC-`).
        let stamp = read("Feb  8 04:00:48 192.168.100.2 585917: Feb  8 04:00:47.272: ");
        assert_eq!(stamp.time, Some(ts("2024-02-08T04:00:47.272Z")));
        assert!(!stamp.unreadable);
    }

    #[test]
    fn year_zone_and_unpadded_day() {
        // elastic cisco_asa test-sample.log: `Apr 15 2014 09:34:34 EDT:`.
        assert_eq!(
            read("Apr 15 2014 09:34:34 EDT: ").time,
            Some(ts("2014-04-15T09:34:34Z"))
        );
        // elastic cisco_ios test-syslog.log: `Jan 23 14:54:28.511 CET:`.
        assert_eq!(
            read("<182>: host-1: 84526125: Jan 23 14:53:33.953 CET: ").time,
            Some(ts("2024-01-23T14:53:33.953Z"))
        );
        // elastic pfsense test-opensense.log: `<134>Jan 1 02:21:38 host`.
        assert_eq!(
            read("<134>Jan 1 02:21:38 firewall.opnsense.net ").time,
            Some(ts("2024-01-01T02:21:38Z"))
        );
        assert_eq!(
            read("May 6 16:13:09.123 UTC+07:30: ").time,
            Some(ts("2024-05-06T08:43:09.123Z"))
        );
        assert_eq!(
            read("*Mar  1 00:00:09 UTC: ").time,
            Some(ts("2024-03-01T00:00:09Z"))
        );
    }

    #[test]
    fn rfc5424_header() {
        // elastic juniper_srx test-flow.log, line 1.
        let stamp = read("<14>1 2019-11-14T09:37:51.184+01:00 SRX-GW1 RT_FLOW - ");
        assert_eq!(stamp.time, Some(ts("2019-11-14T08:37:51.184Z")));
    }

    #[test]
    fn impossible_dates_are_unreadable_and_words_are_not_times() {
        let stamp = read("Feb 30 2023 10:00:00: ");
        assert_eq!(stamp.time, None);
        assert!(stamp.unreadable);
        let stamp = read("March of the penguins: ");
        assert_eq!(stamp, Stamp::default());
        assert_eq!(read("").time, None);
    }
}
