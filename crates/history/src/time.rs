//! Reading back the times picket writes in detects (RFC 3339 with offset):
//! the instant for ordering, and the date and time of day as logged, for
//! "seen on 12 days, daily about 15:00".

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::fmt::temporal::Pieces;

/// A detect time taken apart. Every part is `None` when the text does not
/// carry it (an empty or damaged time).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SeenTime {
    /// Seconds since the Unix epoch.
    pub unix: Option<i64>,
    /// The calendar date in the offset the time was written with.
    pub day: Option<Date>,
    /// Minutes after midnight in that offset.
    pub minute: Option<u16>,
}

/// Takes a detect time apart.
pub(crate) fn parse_seen(text: &str) -> SeenTime {
    let text = text.trim();
    if text.is_empty() {
        return SeenTime::default();
    }
    let unix = text.parse::<Timestamp>().ok().map(|t| t.as_second());
    let Ok(pieces) = Pieces::parse(text) else {
        return SeenTime {
            unix,
            ..SeenTime::default()
        };
    };
    let minute = pieces.time().and_then(|t| {
        let minutes = i32::from(t.hour()) * 60 + i32::from(t.minute());
        u16::try_from(minutes).ok()
    });
    SeenTime {
        unix,
        day: Some(pieces.date()),
        minute,
    }
}

/// A minute of the day as `HH:MM`.
pub(crate) fn clock(minute: u16) -> String {
    format!("{:02}:{:02}", (minute / 60) % 24, minute % 60)
}

/// A date as stored (`YYYY-MM-DD`) read back; `None` when damaged.
pub(crate) fn parse_day(text: &str) -> Option<Date> {
    text.parse::<Date>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_times_come_apart_in_their_offset() {
        // first_seen of a paper detect, as picket writes it.
        let seen = parse_seen("2000-09-20T15:04:31-04:00");
        assert_eq!(seen.day, Some(jiff::civil::date(2000, 9, 20)));
        assert_eq!(seen.minute, Some(15 * 60 + 4));
        assert_eq!(seen.unix, Some(969476671));
        let utc = parse_seen("2000-09-20T23:59:00Z");
        assert_eq!(utc.day, Some(jiff::civil::date(2000, 9, 20)));
        assert_eq!(utc.minute, Some(23 * 60 + 59));
    }

    #[test]
    fn damaged_times_give_nothing() {
        assert_eq!(parse_seen(""), SeenTime::default());
        assert_eq!(parse_seen("yesterday"), SeenTime::default());
        assert_eq!(clock(15 * 60 + 5), "15:05");
        assert_eq!(parse_day("2000-13-01"), None);
    }
}
