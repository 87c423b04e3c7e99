//! When a detect happened, worded for a reader: `2000-04-12 04:49:49 to
//! 04:49:51 (+00:00)` and how long it lasted (`2 s`, `1 h 8 min`).
//!
//! The model carries RFC 3339 strings. A string that does not parse is shown
//! escaped, as it is, and no duration is given.

use crate::words::Escape;

/// One RFC 3339 timestamp split into what a reader wants to see.
#[derive(Debug, PartialEq, Eq)]
struct Stamp<'a> {
    /// `YYYY-MM-DD`.
    date: &'a str,
    /// `HH:MM:SS` with any fraction.
    time: &'a str,
    /// `+00:00`, `-07:00` or `Z`.
    offset: &'a str,
    /// Seconds since 1970-01-01T00:00:00Z, for durations.
    epoch: i64,
    /// Nanoseconds past `epoch`, from the fraction.
    nanos: u32,
}

/// The span between two timestamps, for the "When" line: the range, and
/// how long it lasted when both ends could be read and differ. Stamps that
/// do not parse are shown through `escape`; parsed ones hold only digits
/// and punctuation picket checked.
pub(crate) fn span(first: &str, last: &str, escape: Escape) -> (String, Option<String>) {
    let (Some(start), Some(end)) = (parse(first), parse(last)) else {
        if first == last {
            return (escape(first), None);
        }
        return (format!("{} to {}", escape(first), escape(last)), None);
    };
    let zone = |offset: &str| {
        if offset == "Z" {
            "UTC".to_owned()
        } else {
            offset.to_owned()
        }
    };
    let range = if start == end {
        format!("{} {} ({})", start.date, start.time, zone(start.offset))
    } else if start.offset == end.offset && start.date == end.date {
        format!(
            "{} {} to {} ({})",
            start.date,
            start.time,
            end.time,
            zone(start.offset)
        )
    } else if start.offset == end.offset {
        format!(
            "{} {} to {} {} ({})",
            start.date,
            start.time,
            end.date,
            end.time,
            zone(start.offset)
        )
    } else {
        format!(
            "{} {} ({}) to {} {} ({})",
            start.date,
            start.time,
            zone(start.offset),
            end.date,
            end.time,
            zone(end.offset)
        )
    };
    let lasted = if start == end {
        None
    } else {
        let nanos =
            |stamp: &Stamp<'_>| i128::from(stamp.epoch) * 1_000_000_000 + i128::from(stamp.nanos);
        Some(duration(nanos(&end) - nanos(&start)))
    };
    (range, lasted)
}

/// A duration in nanoseconds as a reader says it: `under 1 ms`, `4 ms`,
/// `1.9 s`, `48 s`, `17 min 2 s`, `7 h 12 min`, `3 days 4 h`.
fn duration(nanos: i128) -> String {
    const MILLI: i128 = 1_000_000;
    const SECOND: i128 = 1_000_000_000;
    if nanos < MILLI {
        return "under 1 ms".to_owned();
    }
    if nanos < SECOND {
        return format!("{} ms", nanos / MILLI);
    }
    if nanos < 10 * SECOND {
        let tenths = (nanos + SECOND / 20) / (SECOND / 10);
        return if tenths % 10 == 0 {
            format!("{} s", tenths / 10)
        } else {
            format!("{}.{} s", tenths / 10, tenths % 10)
        };
    }
    if nanos < 60 * SECOND {
        return format!("{} s", (nanos + SECOND / 2) / SECOND);
    }
    let seconds = nanos / SECOND;
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (hours, rest) = (rest / 3_600, rest % 3_600);
    let (minutes, secs) = (rest / 60, rest % 60);
    let pair = |big: i128, big_unit: &str, small: i128, small_unit: &str| {
        if small == 0 {
            format!("{big} {big_unit}")
        } else {
            format!("{big} {big_unit} {small} {small_unit}")
        }
    };
    if days > 0 {
        let unit = if days == 1 { "day" } else { "days" };
        pair(days, unit, hours, "h")
    } else if hours > 0 {
        pair(hours, "h", minutes, "min")
    } else {
        pair(minutes, "min", secs, "s")
    }
}

/// Reads `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)`.
fn parse(text: &str) -> Option<Stamp<'_>> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !matches!(bytes.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let date = text.get(..10)?;
    let rest = text.get(11..)?;
    let offset_at = rest.find(['Z', 'z', '+', '-'])?;
    let (clock, offset) = rest.split_at(offset_at);
    let year = digits(date, 0, 4)?;
    let month = digits(date, 5, 2)?;
    let day = digits(date, 8, 2)?;
    let hour = digits(clock, 0, 2)?;
    let minute = digits(clock, 3, 2)?;
    let second = digits(clock, 6, 2)?;
    let nanos = match clock.get(8..) {
        Some("") => 0,
        Some(fraction) => fraction_nanos(fraction)?,
        None => return None,
    };
    let well_formed = date.as_bytes().get(4) == Some(&b'-')
        && date.as_bytes().get(7) == Some(&b'-')
        && clock.as_bytes().get(2) == Some(&b':')
        && clock.as_bytes().get(5) == Some(&b':')
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61;
    if !well_formed {
        return None;
    }
    let offset_seconds = match offset {
        "Z" | "z" => 0,
        _ => {
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            if offset.len() != 6 || offset.as_bytes().get(3) != Some(&b':') {
                return None;
            }
            sign * (digits(offset, 1, 2)? * 3_600 + digits(offset, 4, 2)? * 60)
        }
    };
    let epoch = days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second
        - offset_seconds;
    Some(Stamp {
        date,
        time: clock,
        offset,
        epoch,
        nanos,
    })
}

/// Nanoseconds from a fraction of a second written `.123456`; digits past
/// the ninth are ignored.
fn fraction_nanos(fraction: &str) -> Option<u32> {
    let digits = fraction.strip_prefix('.')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut nanos = 0u32;
    for position in 0..9 {
        let digit = digits.as_bytes().get(position).map_or(0, |b| b - b'0');
        nanos = nanos * 10 + u32::from(digit);
    }
    Some(nanos)
}

/// The number made of `len` ASCII digits at `at`, or `None`.
fn digits(text: &str, at: usize, len: usize) -> Option<i64> {
    let field = text.as_bytes().get(at..at.checked_add(len)?)?;
    field.iter().try_fold(0i64, |value, &b| {
        b.is_ascii_digit().then(|| value * 10 + i64::from(b - b'0'))
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::escape_terminal;

    /// The span as the text report words it.
    fn span(first: &str, last: &str) -> (String, Option<String>) {
        super::span(first, last, escape_terminal)
    }

    #[test]
    fn same_day_span_names_the_date_once() {
        // Paper detect 02 (SubSeven): the first source's four packets.
        let (range, lasted) = span("2000-04-12T04:49:49+00:00", "2000-04-12T04:49:51+00:00");
        assert_eq!(range, "2000-04-12 04:49:49 to 04:49:51 (+00:00)");
        assert_eq!(lasted.as_deref(), Some("2 s"));
    }

    #[test]
    fn hour_long_span_counts_minutes() {
        // Paper detect 01 (NTP): five packets about 17 minutes apart.
        let (range, lasted) = span("2000-03-12T04:05:35-05:00", "2000-03-12T05:13:50-05:00");
        assert_eq!(range, "2000-03-12 04:05:35 to 05:13:50 (-05:00)");
        assert_eq!(lasted.as_deref(), Some("1 h 8 min"));
    }

    #[test]
    fn span_across_days_and_offsets() {
        let (range, lasted) = span("2000-02-28T23:00:00Z", "2000-03-01T01:00:30Z");
        assert_eq!(range, "2000-02-28 23:00:00 to 2000-03-01 01:00:30 (UTC)");
        assert_eq!(lasted.as_deref(), Some("1 day 2 h"));
        let (range, lasted) = span("2000-04-12T04:00:00+02:00", "2000-04-12T03:00:00+00:00");
        assert_eq!(
            range,
            "2000-04-12 04:00:00 (+02:00) to 2000-04-12 03:00:00 (+00:00)"
        );
        assert_eq!(lasted.as_deref(), Some("1 h"));
    }

    #[test]
    fn one_instant_has_no_duration() {
        // Paper detect 04 (Deep Throat): a single packet.
        let (range, lasted) = span("2000-04-13T19:11:02+00:00", "2000-04-13T19:11:02+00:00");
        assert_eq!(range, "2000-04-13 19:11:02 (+00:00)");
        assert_eq!(lasted, None);
    }

    #[test]
    fn fractions_are_kept_and_sub_second_spans_said_so() {
        let (range, lasted) = span("2000-04-04T10:00:00.004Z", "2000-04-04T10:00:00.008Z");
        assert_eq!(range, "2000-04-04 10:00:00.004 to 10:00:00.008 (UTC)");
        assert_eq!(lasted.as_deref(), Some("4 ms"));
        // Paper detect 10 (port 81 sweep): first SYN to last RST.
        let (_, lasted) = span(
            "2000-04-23T23:40:41.799467+00:00",
            "2000-04-23T23:40:43.722091+00:00",
        );
        assert_eq!(lasted.as_deref(), Some("1.9 s"));
        let (_, lasted) = span("2000-04-04T10:00:00.0001Z", "2000-04-04T10:00:00.0002Z");
        assert_eq!(lasted.as_deref(), Some("under 1 ms"));
    }

    #[test]
    fn unreadable_stamps_are_shown_as_given() {
        let (range, lasted) = span("yesterday", "2000-13-01T00:00:00Z");
        assert_eq!(range, "yesterday to 2000-13-01T00:00:00Z");
        assert_eq!(lasted, None);
        assert_eq!(span("", ""), (String::new(), None));
        assert_eq!(span("\x1b[2J", "\x1b[2J").0, "\\x1b[2J");
        assert_eq!(parse("2000-04-12T04:49:49+0"), None);
        assert_eq!(parse("2000-04-12T04:49:49é00:00"), None);
        assert_eq!(parse("2000-04-12T04:49:49.+00:00"), None);
        assert_eq!(parse("2000-04-12T04:49:49x1+00:00"), None);
    }

    #[test]
    fn durations_read_naturally() {
        const SECOND: i128 = 1_000_000_000;
        assert_eq!(duration(48 * SECOND + SECOND / 3), "48 s");
        assert_eq!(duration(2 * SECOND), "2 s");
        assert_eq!(duration(1_022 * SECOND), "17 min 2 s");
        assert_eq!(duration(7 * 3_600 * SECOND), "7 h");
        assert_eq!(
            duration((3 * 86_400 + 4 * 3_600 + 5) * SECOND),
            "3 days 4 h"
        );
    }

    #[test]
    fn epoch_matches_known_dates() {
        assert_eq!(parse("1970-01-01T00:00:00Z").map(|s| s.epoch), Some(0));
        assert_eq!(
            parse("2000-04-12T04:49:49+00:00").map(|s| s.epoch),
            Some(955_514_989)
        );
    }
}
