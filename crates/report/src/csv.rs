//! The CSV report: one row per detect, for a spreadsheet, after a header row.
//!
//! Cells are quoted per RFC 4180 (a cell holding a comma, semicolon, double
//! quote or line break is put in double quotes, and its quotes doubled) and
//! rows end with CRLF. Every text cell goes through
//! [`crate::sanitize::csv_cell`], so no text a log supplied (a host name
//! such as `=HYPERLINK(...)`, a title or sentence quoting one) can start a
//! formula: such a cell gets a leading `'` and shows as text.
//!
//! The columns picket computes as numbers (`score`, `packets`) are written
//! bare so a spreadsheet can sort and sum them. A negative score such as
//! `-4` starts with `-`, but it is picket's arithmetic, not a log's text, and
//! a spreadsheet reads it as the number it is. The vocabularies (`kind`,
//! `scan_type`, `severity`, `spoofed`) and the port ranges are picket's too;
//! they still pass through `csv_cell`, which only quotes them.

use picket_model::{Detect, Report};

use crate::sanitize::csv_cell;

/// The header row, in column order.
pub(crate) const COLUMNS: [&str; 15] = [
    "id",
    "kind",
    "scan_type",
    "severity",
    "score",
    "first_seen",
    "last_seen",
    "sources",
    "targets",
    "target_ports",
    "protocols",
    "packets",
    "spoofed",
    "title",
    "intent",
];

/// Most sources or targets listed in one cell; the rest are counted. A
/// sweep of a /16 would otherwise make a cell longer than a spreadsheet
/// holds (32,767 characters in Excel).
const LIST_CAP: usize = 100;

/// Most port ranges listed in one cell; the rest are counted.
const RANGE_CAP: usize = 500;

/// Line break between rows, as RFC 4180 has it.
const CRLF: &str = "\r\n";

/// The header row and one row per detect, every detect whatever its
/// severity (like JSON, CSV is for working on the data), most severe first.
pub(crate) fn render(report: &Report) -> String {
    let mut out = String::with_capacity(256 + report.detects.len() * 256);
    out.push_str(&COLUMNS.join(","));
    out.push_str(CRLF);
    for detect in &report.detects {
        out.push_str(&row(detect).join(","));
        out.push_str(CRLF);
    }
    out
}

/// One detect's cells, in the order of [`COLUMNS`], each ready to write.
fn row(detect: &Detect) -> [String; 15] {
    [
        csv_cell(&detect.id),
        csv_cell(detect.kind.as_str()),
        csv_cell(detect.scan_type.map_or("", |s| s.as_str())),
        csv_cell(detect.severity.level.as_str()),
        // A number: bare, even when negative.
        detect.severity.score.to_string(),
        csv_cell(&detect.first_seen),
        csv_cell(&detect.last_seen),
        csv_cell(&list(&detect.sources, detect.source_count(), LIST_CAP)),
        csv_cell(&list(
            &detect.targets,
            detect.targets.len() as u64,
            LIST_CAP,
        )),
        csv_cell(&port_ranges(&detect.target_ports)),
        csv_cell(&list(
            &detect.protocols,
            detect.protocols.len() as u64,
            LIST_CAP,
        )),
        detect.packets.to_string(),
        csv_cell(detect.spoofed.as_str()),
        csv_cell(&detect.title),
        csv_cell(&detect.intent),
    ]
}

/// Up to `cap` items joined by `, `, then `and N more`. The items stay raw:
/// the whole cell is escaped once, since a spreadsheet looks for a formula
/// only at the start of a cell.
fn list(items: &[String], total: u64, cap: usize) -> String {
    let mut out = items
        .iter()
        .take(cap)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let rest = total
        .max(items.len() as u64)
        .saturating_sub(cap.min(items.len()) as u64);
    if rest > 0 {
        out.push_str(&format!(" and {rest} more"));
    }
    out
}

/// Ports as compact ranges: `21-23,80`. Sorts and drops repeats first, so
/// the result does not depend on the order the ports came in.
pub(crate) fn port_ranges(ports: &[u16]) -> String {
    let mut sorted = ports.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut ranges: Vec<(u16, u16)> = Vec::new();
    for port in sorted {
        match ranges.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(port) => *end = port,
            _ => ranges.push((port, port)),
        }
    }
    let mut out = ranges
        .iter()
        .take(RANGE_CAP)
        .map(|&(start, end)| {
            if start == end {
                start.to_string()
            } else {
                format!("{start}-{end}")
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    let rest = ranges.len().saturating_sub(RANGE_CAP);
    if rest > 0 {
        out.push_str(&format!(" and {rest} more"));
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::fixture::{HOSTILE, hostile_report, paper_report};
    use crate::render_csv;

    /// The rows of a CSV document, each a list of unquoted cells, read the
    /// way RFC 4180 describes (and spreadsheets do).
    fn parse(document: &str) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let mut row = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut chars = document.chars().peekable();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => cell.push(c),
                (false, '"') if cell.is_empty() => quoted = true,
                (false, ',') => row.push(std::mem::take(&mut cell)),
                (false, '\r') if chars.peek() == Some(&'\n') => {}
                (false, '\n') => {
                    row.push(std::mem::take(&mut cell));
                    rows.push(std::mem::take(&mut row));
                }
                (false, c) => cell.push(c),
            }
        }
        assert!(!quoted, "unclosed quote");
        assert!(cell.is_empty() && row.is_empty(), "last row unterminated");
        rows
    }

    /// Whether a spreadsheet could read the cell as a formula.
    fn starts_a_formula(cell: &str) -> bool {
        cell.starts_with(['\t', '\r'])
            || cell.trim_start_matches(char::is_whitespace).starts_with([
                '=', '+', '-', '@', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
            ])
    }

    #[test]
    fn csv_snapshot() {
        insta::assert_snapshot!(render_csv(&paper_report()));
    }

    #[test]
    fn csv_has_a_header_and_one_row_per_detect() {
        let out = render_csv(&paper_report());
        assert!(out.starts_with(
            "id,kind,scan_type,severity,score,first_seen,last_seen,sources,targets,\
             target_ports,protocols,packets,spoofed,title,intent\r\n"
        ));
        assert!(out.ends_with("\r\n"));
        let rows = parse(&out);
        assert_eq!(rows.len(), 6);
        for row in &rows {
            assert_eq!(row.len(), COLUMNS.len(), "{row:?}");
        }
        // The sweep, as a spreadsheet shows it.
        assert_eq!(
            rows[1][..13],
            [
                "sweep-81-somewhere.uk",
                "host-sweep",
                "syn",
                "medium",
                "-2",
                "2000-04-23T23:40:41.799467+00:00",
                "2000-04-23T23:40:43.722091+00:00",
                "somewhere.uk",
                "www.xxx.yyy.65, www.xxx.yyy.110, www.xxx.yyy.120, www.xxx.yyy.111, \
                 www.xxx.yyy.116, www.xxx.yyy.118, www.xxx.yyy.117, www.xxx.yyy.121, \
                 www.xxx.yyy.112, www.xxx.yyy.113, www.xxx.yyy.114, www.xxx.yyy.115, \
                 www.xxx.yyy.119, www.xxx.yyy.122, www.xxx.yyy.123",
                "81",
                "tcp",
                "23",
                "unlikely",
            ]
        );
        assert_eq!(
            rows[1][13],
            "Sweep of 81/tcp across 15 hosts from somewhere.uk"
        );
        // The NTP misconfiguration: five ports as one range, no scan type.
        assert_eq!(rows[5][2], "");
        assert_eq!(rows[5][9], "61218-61222");
    }

    #[test]
    fn csv_keeps_every_detect_whatever_its_severity() {
        // The NTP detect's level is none; the text report can hide it, CSV
        // cannot.
        let out = render_csv(&paper_report());
        assert!(out.contains("\r\nmisconfig-123-snort.someplace.net,misconfiguration,,none,-7,"));
    }

    #[test]
    fn csv_neutralizes_formulas_from_the_log() {
        let mut report = hostile_report();
        report.detects[1].sources = vec!["=HYPERLINK(\"http://evil\",\"x\")".to_owned()];
        report.detects[1].targets = vec!["@SUM(1)".to_owned(), "+cmd".to_owned()];
        report.detects[2].sources = vec!["-2+3".to_owned()];
        report.detects[2].title = "\u{a0}=1+1".to_owned();
        let out = render_csv(&report);
        assert!(!out.contains(['\x1b', '\x07', '\u{202e}']));
        let rows = parse(&out);
        assert_eq!(rows.len(), report.detects.len() + 1);
        for row in &rows[1..] {
            assert_eq!(row.len(), COLUMNS.len(), "{row:?}");
            for (column, cell) in COLUMNS.iter().zip(row) {
                if matches!(*column, "score" | "packets") {
                    assert!(cell.parse::<i64>().is_ok(), "{column}: {cell:?}");
                } else {
                    assert!(!starts_a_formula(cell), "{column}: {cell:?}");
                }
            }
        }
        // The hostile text is still there to read, made inert.
        assert_eq!(rows[2][7], "'=HYPERLINK(\"http://evil\",\"x\")");
        assert_eq!(rows[2][8], "'@SUM(1), +cmd");
        assert_eq!(rows[3][7], "'-2+3");
        assert_eq!(rows[3][13], "'\u{a0}=1+1");
        assert!(rows[1][14].starts_with("\\x1b[2J\\x1b]0;pwned\\x07 \\u{202e}gpj.exe <script>"));
        // A negative score stays a number.
        assert_eq!(rows[3][4], "-3");
        // Formula text inside a cell is harmless and kept as logged.
        assert!(rows[1][14].ends_with(&HOSTILE[HOSTILE.len() - 20..]));
    }

    #[test]
    fn csv_caps_long_lists_and_counts_the_rest() {
        let mut report = paper_report();
        report.detects[0].targets = (0..250)
            .map(|n| format!("10.0.{}.{}", n / 256, n % 256))
            .collect();
        let rows = parse(&render_csv(&report));
        assert!(rows[1][8].starts_with("10.0.0.0, 10.0.0.1, "));
        assert!(rows[1][8].ends_with(", 10.0.0.99 and 150 more"));
    }

    #[test]
    fn port_ranges_are_compact() {
        assert_eq!(port_ranges(&[21, 22, 23, 80]), "21-23,80");
        assert_eq!(port_ranges(&[80, 23, 21, 22, 22]), "21-23,80");
        assert_eq!(port_ranges(&[81]), "81");
        assert_eq!(port_ranges(&[]), "");
        assert_eq!(port_ranges(&[65534, 65535, 0]), "0,65534-65535");
        let every_other: Vec<u16> = (0..2_000).map(|n| n * 2).collect();
        assert!(port_ranges(&every_other).ends_with(",998 and 1500 more"));
    }

    #[test]
    fn empty_report_is_the_header_alone() {
        let mut report = paper_report();
        report.detects.clear();
        assert_eq!(
            parse(&render_csv(&report)),
            vec![COLUMNS.map(String::from).to_vec()]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever a log put in a detect, the row keeps its columns, no
        /// cell can start a formula, and no raw control character but the
        /// row's CRLF is written.
        #[test]
        fn any_logged_text_stays_in_its_cell(
            source in any::<String>(),
            title in any::<String>(),
            intent in any::<String>(),
            first_seen in any::<String>(),
        ) {
            let mut report = paper_report();
            let detect = &mut report.detects[1];
            detect.sources = vec![source];
            detect.title = title;
            detect.intent = intent;
            detect.first_seen = first_seen;
            let out = render_csv(&report);
            prop_assert!(!out.replace("\r\n", "").chars().any(char::is_control));
            let rows = parse(&out);
            prop_assert_eq!(rows.len(), 6);
            for (column, cell) in COLUMNS.iter().zip(&rows[2]) {
                if !matches!(*column, "score" | "packets") {
                    prop_assert!(!starts_a_formula(cell), "{}: {:?}", column, cell);
                }
            }
        }
    }
}
