//! The summary's top lists and the activity chart: where the packets came
//! from, where they went, and when.

use picket_model::Counted;

use crate::sanitize;
use crate::words::thousands;

/// Most hourly rows charted; longer spans are charted per day.
const MAX_ROWS: usize = 48;
/// Width of the longest bar, in characters.
const BAR: usize = 40;

/// `1.2.3.4 (1,002), 5.6.7.8 (12)`, names escaped for the terminal.
pub(crate) fn top_line(items: &[Counted]) -> String {
    items
        .iter()
        .map(|c| format!("{} ({})", sanitize::terminal(&c.name), thousands(c.count)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows of (label, count): hourly when the span is short, else per day
/// (the first ten characters of the hour label).
pub(crate) fn rows(activity: &[Counted]) -> Vec<(String, u64)> {
    if activity.len() <= MAX_ROWS {
        return activity
            .iter()
            .map(|c| (c.name.replacen('T', " ", 1), c.count))
            .collect();
    }
    let mut days: Vec<(String, u64)> = Vec::new();
    for c in activity {
        let day: String = c.name.chars().take(10).collect();
        match days.last_mut() {
            Some((d, n)) if *d == day => *n += c.count,
            _ => days.push((day, c.count)),
        }
    }
    days
}

/// A bar chart of packets over time, one row per hour (or day), for a
/// terminal: ASCII only.
pub(crate) fn chart(activity: &[Counted]) -> String {
    let rows = rows(activity);
    if rows.len() < 2 {
        return String::new();
    }
    let peak = rows.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let label_width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let per = if activity.len() <= MAX_ROWS {
        "hour"
    } else {
        "day"
    };
    let mut out = format!("Packets per {per}:\n");
    for (label, count) in &rows {
        let len = ((*count as u128 * BAR as u128).div_ceil(peak as u128)) as usize;
        out.push_str(&format!(
            "  {:<label_width$}  {:<BAR$}  {}\n",
            sanitize::terminal(label),
            "#".repeat(len.min(BAR)),
            thousands(*count)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str, count: u64) -> Counted {
        Counted {
            name: name.into(),
            count,
        }
    }

    #[test]
    fn chart_scales_bars_to_the_peak() {
        let text = chart(&[
            c("2000-04-04T09:00", 4),
            c("2000-04-04T14:00", 40),
            c("2000-04-04T15:00", 1),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Packets per hour:");
        assert!(lines[2].contains(&"#".repeat(40)));
        assert!(lines[1].contains(&"#".repeat(4)) && !lines[1].contains(&"#".repeat(5)));
        assert!(lines[3].contains('#'), "a non-zero hour always shows");
    }

    #[test]
    fn long_spans_are_charted_per_day_and_one_row_is_no_chart() {
        let hours: Vec<Counted> = (0..72)
            .map(|h| c(&format!("2024-01-{:02}T{:02}:00", 1 + h / 24, h % 24), 1))
            .collect();
        let text = chart(&hours);
        assert!(text.starts_with("Packets per day:"));
        assert_eq!(text.lines().count(), 4);
        assert!(chart(&[c("2024-01-01T00:00", 3)]).is_empty());
    }

    #[test]
    fn top_line_escapes_names() {
        assert_eq!(top_line(&[c("a\x1bb", 1200)]), "a\\x1bb (1,200)");
    }
}
