//! Small helpers that turn numbers, times and lists into words.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// `1 packet`, `3 packets`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", picket_model::thousands(n))
    }
}

/// A packet rate in words: `11,111 per second`, `2.5 per second`,
/// `3.0 per minute`, `1.0 per hour`.
pub fn rate(per_second: f64) -> String {
    if per_second >= 100.0 {
        format!(
            "{} per second",
            picket_model::thousands(per_second.round() as u64)
        )
    } else if per_second >= 1.0 {
        format!("{per_second:.1} per second")
    } else if per_second * 60.0 >= 1.0 {
        format!("{:.1} per minute", per_second * 60.0)
    } else {
        format!("{:.1} per hour", per_second * 3600.0)
    }
}

/// A duration in words: `0.7 s`, `18 s`, `17 min 2 s`, `3 h 55 min`, `2 days 4 h`.
pub fn duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "an unknown time".into();
    }
    if secs < 1.0 {
        return format!("{} ms", (secs * 1000.0).round());
    }
    if secs < 10.0 {
        return format!("{:.1} s", secs);
    }
    let s = secs.round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => {
            let (m, r) = (s / 60, s % 60);
            if r == 0 {
                format!("{m} min")
            } else {
                format!("{m} min {r} s")
            }
        }
        3600..=86399 => {
            let (h, m) = (s / 3600, (s % 3600) / 60);
            if m == 0 {
                format!("{h} h")
            } else {
                format!("{h} h {m} min")
            }
        }
        _ => {
            let (d, h) = (s / 86400, (s % 86400) / 3600);
            let days = plural(d, "day", "days");
            if h == 0 {
                days
            } else {
                format!("{days} {h} h")
            }
        }
    }
}

/// RFC 3339 with the offset of `zone`, microseconds when the time has them.
pub fn rfc3339(ts: Timestamp, zone: &TimeZone) -> String {
    let dt = zone.to_datetime(ts);
    let offset = zone.to_offset(ts);
    let secs = offset.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.unsigned_abs();
    let frac = if dt.subsec_nanosecond() == 0 {
        String::new()
    } else {
        format!(".{:06}", dt.subsec_nanosecond() / 1000)
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{frac}{sign}{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        abs / 3600,
        (abs % 3600) / 60
    )
}

/// A time for sentences: `2000-04-23 15:04:00`.
pub fn short_time(ts: Timestamp, zone: &TimeZone) -> String {
    let dt = zone.to_datetime(ts);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Only the clock: `15:04:00`.
pub fn clock(ts: Timestamp, zone: &TimeZone) -> String {
    let dt = zone.to_datetime(ts);
    format!("{:02}:{:02}:{:02}", dt.hour(), dt.minute(), dt.second())
}

/// Sorted ports as ranges: `1000-1150, 1433, 27374`.
pub fn port_ranges<'a>(ports: impl IntoIterator<Item = &'a u16>, most: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut iter = ports.into_iter().copied().peekable();
    let mut total = 0usize;
    while let Some(start) = iter.next() {
        let mut end = start;
        while iter.peek() == Some(&(end.wrapping_add(1))) && end != u16::MAX {
            end = iter.next().unwrap_or(end);
        }
        total += 1;
        if out.len() < most {
            out.push(if start == end {
                start.to_string()
            } else {
                format!("{start}-{end}")
            });
        }
    }
    if total > out.len() {
        out.push(format!("and {} more ranges", total - out.len()));
    }
    out.join(", ")
}

/// Up to `most` items joined with commas and `and`, then `and N more`.
pub fn list<T: std::fmt::Display>(items: &[T], most: usize) -> String {
    let shown: Vec<String> = items.iter().take(most).map(|i| i.to_string()).collect();
    let rest = items.len().saturating_sub(shown.len());
    match (shown.len(), rest) {
        (0, _) => String::new(),
        (1, 0) => shown[0].clone(),
        (n, 0) => format!("{} and {}", shown[..n - 1].join(", "), shown[n - 1]),
        (_, r) => format!(
            "{} and {} more",
            shown.join(", "),
            picket_model::thousands(r as u64)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(0.004), "4 ms");
        assert_eq!(duration(1.5), "1.5 s");
        assert_eq!(duration(1022.0), "17 min 2 s");
        assert_eq!(duration(14100.0), "3 h 55 min");
        assert_eq!(duration(2.0 * 86400.0), "2 days");
    }

    #[test]
    fn ranges_and_lists() {
        assert_eq!(
            port_ranges(&[1000, 1001, 1002, 1433, 27374], 10),
            "1000-1002, 1433, 27374"
        );
        assert_eq!(port_ranges(&[1, 3, 5], 2), "1, 3, and 1 more ranges");
        assert_eq!(list(&["a", "b", "c"], 5), "a, b and c");
        assert_eq!(list(&["a", "b", "c"], 2), "a, b and 1 more");
    }

    #[test]
    fn rfc3339_with_offset() {
        let ts: Timestamp = "2000-04-21T17:04:13.198326Z".parse().unwrap();
        assert_eq!(
            rfc3339(ts, &TimeZone::UTC),
            "2000-04-21T17:04:13.198326+00:00"
        );
        let fixed = TimeZone::fixed(jiff::tz::Offset::from_hours(-5).unwrap());
        assert_eq!(rfc3339(ts, &fixed), "2000-04-21T12:04:13.198326-05:00");
    }
}
