//! The activity chart of the HTML report: packets per hour (or per day over
//! long spans, as [`crate::activity::rows`] decides) as horizontal bars in
//! an inline SVG, so the page needs no image, font or script to show it.

use picket_model::Counted;

use crate::activity;
use crate::sanitize;
use crate::words::{count, thousands};

/// Height of one row of the chart, in pixels.
const ROW: u64 = 18;
/// Width of the label column (`2000-04-23 23:00`), in pixels.
const LABEL: u64 = 130;
/// Width of the longest bar, in pixels.
const BAR: u64 = 400;
/// Room right of the longest bar for its count, in pixels.
const COUNT: u64 = 70;

/// The chart's section, or nothing when there is no activity to chart.
pub(crate) fn section(activity: &[Counted]) -> String {
    let rows = activity::rows(activity);
    if rows.is_empty() {
        return String::new();
    }
    let per = if hourly(activity, &rows) {
        "hour"
    } else {
        "day"
    };
    let peak = rows.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let total: u64 = rows.iter().map(|(_, n)| *n).sum();
    let width = LABEL + BAR + COUNT;
    let height = rows.len() as u64 * ROW;
    let mut out = format!(
        "<section id=\"activity\">\n<h2>Packets per {per}</h2>\n\
         <svg class=\"chart\" role=\"img\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" aria-label=\"{}, per {per}\">\n",
        count(total, "packet", "packets")
    );
    for (i, (label, packets)) in rows.iter().enumerate() {
        let top = i as u64 * ROW;
        let baseline = top + ROW - 5;
        let bar = (u128::from(*packets) * u128::from(BAR)).div_ceil(u128::from(peak)) as u64;
        let label = sanitize::html(label);
        let packets = thousands(*packets);
        out.push_str(&format!(
            "<text x=\"0\" y=\"{baseline}\">{label}</text>\
             <rect x=\"{LABEL}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{label}: {packets}</title></rect>\
             <text x=\"{}\" y=\"{baseline}\">{packets}</text>\n",
            top + 3,
            bar.min(BAR),
            ROW - 6,
            LABEL + bar.min(BAR) + 6,
        ));
    }
    out.push_str("</svg>\n</section>\n");
    out
}

/// Whether the rows are the hours themselves rather than days summed:
/// [`activity::rows`] keeps each hour's name (with a space for the `T`)
/// when it charts hours.
fn hourly(activity: &[Counted], rows: &[(String, u64)]) -> bool {
    rows.len() == activity.len()
        && rows
            .iter()
            .zip(activity)
            .all(|((label, _), hour)| *label == hour.name.replacen('T', " ", 1))
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

    /// The `width` of every bar, in order.
    fn bar_widths(svg: &str) -> Vec<u64> {
        svg.split("<rect ")
            .skip(1)
            .filter_map(|rect| {
                let width = rect.split("width=\"").nth(1)?;
                width.split('"').next()?.parse().ok()
            })
            .collect()
    }

    #[test]
    fn bars_scale_to_the_peak_hour() {
        let out = section(&[
            c("2000-04-04T09:00", 4),
            c("2000-04-04T14:00", 40),
            c("2000-04-04T15:00", 1),
        ]);
        assert!(out.contains("<h2>Packets per hour</h2>"));
        assert!(out.contains("aria-label=\"45 packets, per hour\""));
        assert_eq!(bar_widths(&out), vec![40, 400, 10]);
        assert!(out.contains("<text x=\"0\" y=\"31\">2000-04-04 14:00</text>"));
        assert!(out.contains("<title>2000-04-04 14:00: 40</title>"));
        assert!(out.contains("<text x=\"536\" y=\"31\">40</text>"));
        assert_eq!(out.matches("<rect ").count(), 3);
    }

    #[test]
    fn long_spans_are_charted_per_day() {
        let hours: Vec<Counted> = (0..72)
            .map(|h| c(&format!("2024-01-{:02}T{:02}:00", 1 + h / 24, h % 24), 1))
            .collect();
        let out = section(&hours);
        assert!(out.contains("<h2>Packets per day</h2>"));
        assert_eq!(bar_widths(&out), vec![400, 400, 400]);
        assert!(out.contains(">2024-01-03</text>"));
    }

    #[test]
    fn no_activity_no_chart() {
        assert_eq!(section(&[]), "");
        // One hour still says when it was.
        assert_eq!(bar_widths(&section(&[c("2024-01-01T00:00", 3)])), vec![400]);
    }

    #[test]
    fn labels_are_escaped() {
        let out = section(&[c("<script>", 1), c("\u{202e}x", 2)]);
        assert!(out.contains(">&lt;script&gt;</text>"));
        assert!(out.contains(">\\u{202e}x</text>"));
        assert!(!out.contains("<script"));
    }
}
