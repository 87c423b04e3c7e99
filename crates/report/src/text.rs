//! The plain-text report, for a person at a terminal: a summary of the run
//! and its inputs, then one block per detect written like an analyst's
//! notes, wrapped to 100 columns. Every log-derived string goes through
//! [`crate::sanitize::terminal`].

use picket_model::{Detect, EvidenceRef, InputSummary, Report};

use crate::RenderOptions;
use crate::activity;
use crate::fields::{Field, fields, headline};
use crate::layout::{self, Group, Item, Plan};
use crate::words::{count, escape_terminal, pad_left, pad_right, thousands, wrap};

/// Columns a wrapped line may use.
const WIDTH: usize = 100;

/// Where a field's text starts: four spaces of indent and a 12-column label.
const VALUE_COLUMN: usize = 16;

/// The widest an input path column grows before rows go ragged.
const PATH_COLUMN_MAX: usize = 40;

/// The widest the format column grows; a longer name pushes its row wider.
const FORMAT_COLUMN_MAX: usize = 16;

/// Renders the report as plain text. Detects below `options.min_severity`
/// are counted, not shown; many tiny detects at one port share one line.
pub(crate) fn render(report: &Report, options: &RenderOptions) -> String {
    let plan = layout::plan(report, options);
    let mut out = String::with_capacity(4096);
    let heading = format!(
        "{}: {}",
        escape_terminal(&report.generator),
        layout::overview(report)
    );
    out.push_str(&wrap(&heading, "", 2, WIDTH));
    inputs(&mut out, &report.inputs);
    if !report.detects.is_empty() {
        let severities = layout::severities(report);
        out.push_str(&wrap(&severities, "Detects by severity: ", 2, WIDTH));
        out.push_str(&wrap(&layout::kinds(report), "Detects by kind: ", 2, WIDTH));
    }
    home_network(&mut out, report);
    if let Some(line) = crate::layout::beyond_limits(&report.summary) {
        out.push_str(&wrap(&line, "Limits: ", 2, WIDTH));
    }
    let summary = &report.summary;
    if !summary.top_sources.is_empty() {
        let line = activity::top_line(&summary.top_sources);
        out.push_str(&wrap(&line, "Top sources: ", 2, WIDTH));
    }
    if !summary.top_ports.is_empty() {
        let line = activity::top_line(&summary.top_ports);
        out.push_str(&wrap(&line, "Top ports: ", 2, WIDTH));
    }
    out.push_str(&activity::chart(&summary.activity));
    out.push('\n');

    if plan.items.is_empty() {
        out.push_str(&wrap(
            layout::nothing_shown(report, plan.hidden),
            "",
            0,
            WIDTH,
        ));
    }
    for (i, item) in plan.items.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match item {
            Item::Detect { number, detect } => {
                detect_block(&mut out, *number, detect, &plan, options)
            }
            Item::Group(group) => group_line(&mut out, group),
        }
    }
    if let Some(note) = layout::hidden_note(plan.hidden, options) {
        out.push('\n');
        out.push_str(&wrap(&note, "", 0, WIDTH));
    }
    out
}

/// The inputs table, one row per input with right-aligned counts; rows of
/// inputs with unreadable lines or an error start with `!`, and a note under
/// the table says what that means.
fn inputs(out: &mut String, inputs: &[InputSummary]) {
    if inputs.is_empty() {
        return;
    }
    let paths: Vec<String> = inputs.iter().map(|i| escape_terminal(&i.path)).collect();
    let formats: Vec<String> = inputs.iter().map(|i| escape_terminal(&i.format)).collect();
    let numbers: Vec<[String; 4]> = inputs
        .iter()
        .map(|i| [i.lines, i.records, i.unrecognized, i.warnings].map(thousands))
        .collect();
    let headers = ["lines", "records", "unreadable", "warnings"];
    let path_width = paths
        .iter()
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(2, PATH_COLUMN_MAX);
    let format_width = formats
        .iter()
        .map(|f| f.chars().count())
        .filter(|&width| width <= FORMAT_COLUMN_MAX)
        .chain([6])
        .max()
        .unwrap_or(6);
    let mut number_widths = headers.map(str::len);
    for row in &numbers {
        for (width, number) in number_widths.iter_mut().zip(row) {
            *width = (*width).max(number.len());
        }
    }

    let mut header = format!(
        "{}  {}",
        pad_right("Inputs", path_width + 4),
        pad_right("format", format_width)
    );
    for (name, width) in headers.iter().zip(number_widths) {
        header.push_str("  ");
        header.push_str(&pad_left(name, width));
    }
    out.push_str(&header);
    out.push('\n');

    for (i, input) in inputs.iter().enumerate() {
        let flagged = input.unrecognized > 0 || input.error.is_some();
        let marker = if flagged { "  ! " } else { "    " };
        let path = paths.get(i).map_or("", String::as_str);
        let mut row = format!("{marker}{}", pad_right(path, path_width));
        if path.chars().count() > path_width {
            // A long path gets a line of its own; the counts go under it.
            out.push_str(&row);
            out.push('\n');
            row = " ".repeat(path_width + 4);
        }
        if let Some(error) = &input.error {
            row.push_str("  could not be read:");
            out.push_str(&wrap(&escape_terminal(error), &format!("{row} "), 8, WIDTH));
            continue;
        }
        row.push_str("  ");
        row.push_str(&pad_right(
            formats.get(i).map_or("", String::as_str),
            format_width,
        ));
        for (number, width) in numbers.get(i).into_iter().flatten().zip(number_widths) {
            row.push_str("  ");
            row.push_str(&pad_left(number, width));
        }
        out.push_str(&row);
        out.push('\n');
        if input.formats.len() > 1 {
            let mix: Vec<String> = input
                .formats
                .iter()
                .map(|(name, n)| format!("{} {}", escape_terminal(name), thousands(*n)))
                .collect();
            out.push_str(&wrap(&mix.join(", "), "      formats: ", 8, WIDTH));
        }
    }

    let unreadable: u64 = inputs.iter().map(|i| i.unrecognized).sum();
    let with_unreadable = inputs.iter().filter(|i| i.unrecognized > 0).count() as u64;
    if unreadable > 0 {
        let note = format!(
            "{} in {} could not be read and {} not part of this analysis.",
            count(unreadable, "line", "lines"),
            count(with_unreadable, "input", "inputs"),
            if unreadable == 1 { "is" } else { "are" },
        );
        out.push_str(&wrap(&note, "  ! ", 4, WIDTH));
    }
    let failed = inputs.iter().filter(|i| i.error.is_some()).count() as u64;
    if failed > 0 {
        let note = format!(
            "{} could not be read at all.",
            count(failed, "input", "inputs")
        );
        out.push_str(&wrap(&note, "  ! ", 4, WIDTH));
    }
}

/// `Home network: me.home.com, me.at.home (inferred from the log)`.
fn home_network(out: &mut String, report: &Report) {
    let summary = &report.summary;
    let mut line = if summary.home_network.is_empty() {
        "not known".to_owned()
    } else {
        summary
            .home_network
            .iter()
            .map(|n| escape_terminal(n))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !summary.home_network_basis.trim().is_empty() {
        line.push_str(" (");
        line.push_str(&escape_terminal(&summary.home_network_basis));
        line.push(')');
    }
    out.push_str(&wrap(&line, "Home network: ", 2, WIDTH));
}

/// One detect's block: headline, fields, evidence.
fn detect_block(
    out: &mut String,
    number: usize,
    detect: &Detect,
    plan: &Plan<'_>,
    options: &RenderOptions,
) {
    let prefix = format!(
        "[{number}] {} ",
        pad_right(&detect.severity.level.as_str().to_uppercase(), 8)
    );
    let title = format!(
        "{} ({})",
        headline(detect, escape_terminal),
        escape_terminal(&detect.id)
    );
    out.push_str(&wrap(&title, &prefix, prefix.chars().count(), WIDTH));
    for field in fields(detect, escape_terminal, &plan.numbers) {
        field_lines(out, &field);
    }
    evidence(out, detect, options.evidence_lines);
}

/// One field: label and head, then its items.
fn field_lines(out: &mut String, field: &Field) {
    let label = format!("    {}", pad_right(field.label, VALUE_COLUMN - 4));
    let mut items = field.items.iter();
    if field.head.is_empty() {
        // Lists start on the label's line.
        let Some(first) = items.next() else {
            return;
        };
        out.push_str(&wrap(first, &format!("{label}- "), VALUE_COLUMN + 2, WIDTH));
    } else {
        out.push_str(&wrap(&field.head, &label, VALUE_COLUMN, WIDTH));
    }
    let indent = " ".repeat(VALUE_COLUMN);
    for item in items {
        let (first, hang) = if field.bullets {
            (format!("{indent}- "), VALUE_COLUMN + 2)
        } else {
            (format!("{indent}  "), VALUE_COLUMN + 4)
        };
        out.push_str(&wrap(item, &first, hang, WIDTH));
    }
}

/// The evidence lines, up to `limit`, then how many more there were. Log
/// lines are not wrapped, so they can be searched for and copied whole.
fn evidence(out: &mut String, detect: &Detect, limit: usize) {
    let total = detect.evidence_total.max(detect.evidence.len() as u64);
    if total == 0 {
        return;
    }
    let mut prefix = format!("    {}", pad_right("Evidence", VALUE_COLUMN - 4));
    let indent = " ".repeat(VALUE_COLUMN);
    let shown = detect.evidence.len().min(limit);
    for reference in detect.evidence.iter().take(shown) {
        out.push_str(&prefix);
        evidence_entry(out, reference);
        prefix.clone_from(&indent);
    }
    let more = total - shown as u64;
    if more > 0 {
        out.push_str(&prefix);
        if shown == 0 {
            out.push_str(&count(more, "line", "lines"));
            out.push_str(", not shown\n");
        } else {
            out.push_str("... ");
            out.push_str(&count(more, "more line", "more lines"));
            out.push('\n');
        }
    }
}

/// `path:line  text`; the further lines of a multi-line record indented
/// under it.
fn evidence_entry(out: &mut String, reference: &EvidenceRef) {
    out.push_str(&escape_terminal(&reference.path));
    out.push(':');
    out.push_str(&reference.line.to_string());
    let Some(text) = &reference.text else {
        out.push('\n');
        return;
    };
    let mut lines = text.trim_end_matches(['\n', '\r']).split('\n');
    if let Some(first) = lines.next() {
        out.push_str("  ");
        out.push_str(&escape_terminal(first.trim_end_matches('\r')));
    }
    out.push('\n');
    for line in lines {
        out.push_str(&" ".repeat(VALUE_COLUMN + 2));
        out.push_str(&escape_terminal(line.trim_end_matches('\r')));
        out.push('\n');
    }
}

/// Many tiny detects as one line.
fn group_line(out: &mut String, group: &Group<'_>) {
    let prefix = format!(
        "[{}] {} ",
        group.number,
        pad_right(&group.level().as_str().to_uppercase(), 8)
    );
    out.push_str(&wrap(
        &group.sentence(escape_terminal),
        &prefix,
        prefix.chars().count(),
        WIDTH,
    ));
}

#[cfg(test)]
mod tests {
    use picket_model::SeverityLevel;

    use crate::fixture::{hostile_report, many_probes_report, paper_report};
    use crate::{RenderOptions, render_text};

    fn text(report: &picket_model::Report) -> String {
        render_text(report, &RenderOptions::default())
    }

    #[test]
    fn text_snapshot() {
        insta::assert_snapshot!(text(&paper_report()));
    }

    #[test]
    fn text_summarizes_the_run_and_flags_unreadable_inputs() {
        let out = text(&paper_report());
        let mut lines = out.lines();
        assert_eq!(
            lines.next(),
            Some("picket 0.1.0: 4 inputs, 1,825 records, 1,204 packets from 5 sources, 5 detects")
        );
        assert_eq!(
            lines.next(),
            Some(
                "Inputs                                   format     lines  records  unreadable  warnings"
            )
        );
        assert_eq!(
            lines.next(),
            Some(
                "  ! paper/10-port81-sweep/sunscreen.log  sunscreen     25       23           2         0"
            )
        );
        assert_eq!(
            lines.next(),
            Some(
                "    paper/02-subseven/ipchains.log       ipchains      12       12           0         0"
            )
        );
        assert!(out.contains("      formats: ipchains 1,785, snort 5\n"));
        assert!(out.contains(
            "  ! /var/log/missing.log                 could not be read: No such file or directory"
        ));
        assert!(out.contains(
            "  ! 2 lines in 1 input could not be read and are not part of this analysis.\n"
        ));
        assert!(out.contains("  ! 1 input could not be read at all.\n"));
        assert!(out.contains("Detects by severity: 1 medium, 3 low, 1 none\n"));
        assert!(
            out.contains("Detects by kind: trojan-probe 3, host-sweep 1, misconfiguration 1\n")
        );
        assert!(out.contains("Home network: me.home.com, me.at.home, me.nowhere.com (inferred"));
    }

    #[test]
    fn text_puts_a_long_path_on_a_line_of_its_own() {
        let mut report = paper_report();
        let long = format!("/srv/logs/{}/firewall.log", "archive".repeat(8));
        report.inputs[1].path.clone_from(&long);
        let out = text(&report);
        assert!(out.contains(&format!("\n    {long}\n{}  ipchains", " ".repeat(44))));
        for line in out.lines().take(8) {
            assert!(
                line.chars().count() <= 100 || line.contains(&long),
                "{line:?}"
            );
        }
    }

    #[test]
    fn text_writes_each_detect_like_an_analyst() {
        let out = text(&paper_report());
        assert!(out.contains(
            "[1] MEDIUM   Sweep of 81/tcp across 15 hosts from somewhere.uk (sweep-81-somewhere.uk)\n"
        ));
        assert!(out.contains(
            "    When        2000-04-23 23:40:41.799467 to 23:40:43.722091 (+00:00), over 1.9 s; \
             23 packets, seen\n"
        ));
        assert!(out.contains("    Source      somewhere.uk (spoofed: unlikely)\n"));
        assert!(out.contains("www.xxx.yyy.112, www.xxx.yyy.113\n                and 5 more\n"));
        assert!(out.contains("    Port        81/tcp\n"));
        assert!(out.contains("    Kind        host sweep, syn scan\n"));
        assert!(out.contains(
            "    Severity    medium: (criticality 5 + lethality 2) - (system 4 + network 5) = -2\n"
        ));
        assert!(out.contains("                  network 5: the firewall dropped every SYN\n"));
        assert!(
            out.contains(
                "    Do          - Confirm that no DMZ host offers a service on 81/tcp.\n"
            )
        );
        assert!(out.contains("    Related     subseven-cable.socal.com (detect 3)\n"));
        assert!(out.contains("    Ports       61218, 61219, 61220, 61221, 61222 (udp)\n"));
    }

    #[test]
    fn text_caps_evidence_and_counts_the_rest() {
        let out = text(&paper_report());
        // Sweep: 10 lines kept of 23, 8 shown.
        assert!(out.contains(
            "    Evidence    paper/10-port81-sweep/sunscreen.log:1  197118 qfe0 (deny rule"
        ));
        assert!(out.contains("paper/10-port81-sweep/sunscreen.log:8  197125"));
        assert!(!out.contains("sunscreen.log:9 "));
        assert!(out.contains("                ... 15 more lines\n"));
        // A Snort record's further lines are indented; a line without text
        // is named alone.
        assert!(out.contains(
            "snort.alert:1  [**] Deep Throat/Invasor [**]\n                  04/21-17:04:13"
        ));
        assert!(out.contains("                paper/04-deep-throat/ipchains.log:1\n"));
        // The second SubSeven detect kept one line of four.
        assert!(out.contains("ipchains.log:5  Apr 12 07:26:14"));
        assert!(out.contains("... 3 more lines\n"));

        let none = RenderOptions {
            evidence_lines: 0,
            ..RenderOptions::default()
        };
        let out = render_text(&paper_report(), &none);
        assert!(out.contains("    Evidence    23 lines, not shown\n"));
    }

    #[test]
    fn text_wraps_sentences_at_100_columns() {
        let out = text(&paper_report());
        for line in out
            .lines()
            .filter(|l| !l.contains(".log:") && !l.contains(".alert:"))
        {
            assert!(line.chars().count() <= 100, "too wide: {line:?}");
        }
        assert!(out.contains(
            "    Technique   SYNs to 15 hosts within 90 ms, then about 1.8 s later a RST to each carrying the\n                SYN's"
        ));
    }

    #[test]
    fn text_output_carries_no_raw_control_characters() {
        let out = text(&hostile_report());
        for (at, byte) in out.bytes().enumerate() {
            assert!(byte >= 0x20 || byte == b'\n', "byte {byte:#x} at {at}");
            assert_ne!(byte, 0x7f);
        }
        assert!(!out.contains('\u{202e}'));
        assert!(!out.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)));
        assert!(out.contains("\\x1b[2J\\x1b]0;pwned\\x07 \\u{202e}gpj.exe <script>"));
        // The evidence's second line stays a line of its own, escaped.
        assert!(out.contains("\n                  \\x1b[2J"));
    }

    #[test]
    fn text_hides_detects_below_the_minimum_and_counts_them() {
        let options = RenderOptions {
            min_severity: SeverityLevel::Low,
            ..RenderOptions::default()
        };
        let out = render_text(&paper_report(), &options);
        assert!(!out.contains("NTP replies"));
        assert!(out.contains("[4] LOW      Deep Throat"));
        assert!(out.ends_with(
            "\n1 detect below low was left out; run with --min-severity none to see it.\n"
        ));

        let options = RenderOptions {
            min_severity: SeverityLevel::Critical,
            ..RenderOptions::default()
        };
        let out = render_text(&paper_report(), &options);
        assert!(!out.contains("[1]"));
        assert!(out.contains("No detects at or above the minimum severity.\n"));
        assert!(
            out.contains("5 detects below critical were left out; run with --min-severity none")
        );
    }

    #[test]
    fn text_groups_many_tiny_probes_of_one_port() {
        let out = text(&many_probes_report(1_204));
        assert!(out.contains(
            "\n[2] LOW      1,204 sources probed 23/tcp once or twice (service probe, 1,204 detects): \
             Looking for\n             an open telnet service.\n"
        ));
        assert_eq!(
            out.matches("\n[").count(),
            2,
            "one block and one group line"
        );
        assert!(!out.contains("probe-23-"));

        // Five are not many: each keeps its block.
        let out = text(&many_probes_report(5));
        assert_eq!(out.matches("\n[").count(), 6);
        assert!(out.contains("(probe-23-4)\n"));
    }

    #[test]
    fn text_groups_single_packets_as_once() {
        let mut report = many_probes_report(6);
        for detect in &mut report.detects[1..] {
            detect.packets = 1;
        }
        let out = text(&report);
        assert!(
            out.contains("[2] LOW      6 sources probed 23/tcp once (service probe, 6 detects):")
        );
    }

    #[test]
    fn text_keeps_detects_with_more_packets_out_of_groups() {
        let mut report = many_probes_report(7);
        report.detects[3].packets = 21;
        let out = text(&report);
        assert!(out.contains("6 sources probed 23/tcp once or twice (service probe, 6 detects)"));
        assert!(out.contains("(probe-23-2)\n"));
    }

    #[test]
    fn text_groups_low_noise_of_a_few_packets_each() {
        let mut report = many_probes_report(7);
        report.detects[3].packets = 12;
        let out = text(&report);
        assert!(
            out.contains("7 sources probed 23/tcp up to 12 times each (service probe, 7 detects)"),
            "{out}"
        );
        // Above low, a few packets more keep a detect on its own.
        report.detects[3].severity.level = SeverityLevel::Medium;
        let out = text(&report);
        assert!(
            out.contains("6 sources probed 23/tcp once or twice"),
            "{out}"
        );
    }

    #[test]
    fn empty_report_says_so_plainly() {
        let mut report = paper_report();
        report.detects.clear();
        let out = text(&report);
        assert!(out.ends_with("\nNo detects: nothing in these logs needs attention.\n"));
        assert!(!out.contains("Detects by kind"));

        report.inputs.clear();
        report.summary = picket_model::Summary::default();
        insta::assert_snapshot!("text_empty", text(&report));
    }
}
