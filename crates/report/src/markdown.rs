//! The Markdown report: the text report's content as a document to keep or
//! publish. Log-derived strings go through [`crate::sanitize::markdown`],
//! except inside the evidence code blocks, where Markdown escapes would show
//! literally: there they go through [`crate::sanitize::terminal`] and the
//! fence is longer than any run of backticks inside.

use picket_model::{Detect, EvidenceRef, InputSummary, Report};

use crate::RenderOptions;
use crate::fields::{fields, headline};
use crate::layout::{self, Group, Item, Plan};
use crate::sanitize;
use crate::words::{Escape, count, escape_terminal, thousands};

/// Escapes prose, headings and table cells.
const ESCAPE: Escape = sanitize::markdown;

/// Renders the report as Markdown, with the same content and choices as the
/// text report.
/// Top sources and ports, and packets over time as a table.
fn top_lists(out: &mut String, report: &Report) {
    let summary = &report.summary;
    for (label, items) in [
        ("Top sources", &summary.top_sources),
        ("Top ports", &summary.top_ports),
    ] {
        if items.is_empty() {
            continue;
        }
        let list: Vec<String> = items
            .iter()
            .map(|c| format!("{} ({})", ESCAPE(&c.name), crate::words::thousands(c.count)))
            .collect();
        out.push_str(&format!("**{label}:** {}\n\n", list.join(", ")));
    }
    let rows = crate::activity::rows(&summary.activity);
    if rows.len() >= 2 {
        out.push_str("| Time | Packets |\n| --- | ---: |\n");
        for (label, count) in rows {
            out.push_str(&format!(
                "| {} | {} |\n",
                ESCAPE(&label),
                crate::words::thousands(count)
            ));
        }
        out.push('\n');
    }
}

pub(crate) fn render(report: &Report, options: &RenderOptions) -> String {
    let plan = layout::plan(report, options);
    let mut out = String::with_capacity(4096);
    out.push_str("# ");
    out.push_str(&ESCAPE(&report.generator));
    out.push_str(" report\n\n");
    out.push_str(&layout::overview(report));
    out.push_str(".\n\n");
    inputs(&mut out, &report.inputs);
    if !report.detects.is_empty() {
        out.push_str("**Detects by severity:** ");
        out.push_str(&layout::severities(report));
        out.push_str("\n\n**Detects by kind:** ");
        out.push_str(&layout::kinds(report));
        out.push_str("\n\n");
    }
    home_network(&mut out, report);
    if let Some(line) = crate::layout::beyond_limits(&report.summary) {
        out.push_str(&format!("**Limits:** {line}.\n\n"));
    }
    top_lists(&mut out, report);

    if plan.items.is_empty() {
        out.push_str(layout::nothing_shown(report, plan.hidden));
        out.push_str("\n\n");
    }
    for item in &plan.items {
        match item {
            Item::Detect { number, detect } => {
                detect_section(&mut out, *number, detect, &plan, options);
            }
            Item::Group(group) => group_section(&mut out, group),
        }
    }
    if let Some(note) = layout::hidden_note(plan.hidden, options) {
        out.push('*');
        out.push_str(&note);
        out.push_str("*\n\n");
    }
    // One trailing newline, not a blank line.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The inputs table, with a note on inputs that had unreadable lines or
/// could not be read.
fn inputs(out: &mut String, inputs: &[InputSummary]) {
    if inputs.is_empty() {
        return;
    }
    out.push_str("| Input | Format | Lines | Records | Unreadable | Warnings | Note |\n");
    out.push_str("| --- | --- | ---: | ---: | ---: | ---: | --- |\n");
    for input in inputs {
        let mut format = ESCAPE(&input.format);
        if input.formats.len() > 1 {
            let formats: Vec<String> = input
                .formats
                .iter()
                .map(|(name, n)| format!("{} {}", ESCAPE(name), thousands(*n)))
                .collect();
            format = format!("{format} ({})", formats.join(", "));
        }
        let note = match (&input.error, input.unrecognized) {
            (Some(error), _) => format!("**could not be read:** {}", ESCAPE(error)),
            (None, 0) => String::new(),
            (None, n) => format!("**{} not read**", count(n, "line", "lines")),
        };
        out.push_str(&format!(
            "| {} | {format} | {} | {} | {} | {} | {note} |\n",
            ESCAPE(&input.path),
            thousands(input.lines),
            thousands(input.records),
            thousands(input.unrecognized),
            thousands(input.warnings),
        ));
    }
    out.push('\n');
    let unreadable: u64 = inputs.iter().map(|i| i.unrecognized).sum();
    if unreadable > 0 {
        out.push_str(&format!(
            "**{} could not be read** and {} not part of this analysis.\n\n",
            count(unreadable, "line", "lines"),
            if unreadable == 1 { "is" } else { "are" },
        ));
    }
}

/// `**Home network:** me.home.com (inferred from the log)`.
fn home_network(out: &mut String, report: &Report) {
    let summary = &report.summary;
    out.push_str("**Home network:** ");
    if summary.home_network.is_empty() {
        out.push_str("not known");
    } else {
        let names: Vec<String> = summary.home_network.iter().map(|n| ESCAPE(n)).collect();
        out.push_str(&names.join(", "));
    }
    if !summary.home_network_basis.trim().is_empty() {
        out.push_str(" (");
        out.push_str(&ESCAPE(&summary.home_network_basis));
        out.push(')');
    }
    out.push_str("\n\n");
}

/// One detect: a heading, its fields as a list, its evidence as code.
fn detect_section(
    out: &mut String,
    number: usize,
    detect: &Detect,
    plan: &Plan<'_>,
    options: &RenderOptions,
) {
    out.push_str(&format!(
        "## {number}. {}: {}\n\n",
        detect.severity.level.as_str().to_uppercase(),
        headline(detect, ESCAPE)
    ));
    out.push_str(&format!("- **Id:** {}\n", ESCAPE(&detect.id)));
    for field in fields(detect, ESCAPE, &plan.numbers) {
        out.push_str(&format!("- **{}:**", field.label));
        if !field.head.is_empty() {
            out.push(' ');
            out.push_str(&field.head);
        }
        out.push('\n');
        for item in &field.items {
            out.push_str("  - ");
            out.push_str(item);
            out.push('\n');
        }
    }
    out.push('\n');
    evidence(out, detect, options.evidence_lines);
}

/// The evidence in a fenced code block, then how many lines were left out.
fn evidence(out: &mut String, detect: &Detect, limit: usize) {
    let total = detect.evidence_total.max(detect.evidence.len() as u64);
    if total == 0 {
        return;
    }
    let lines: Vec<String> = detect
        .evidence
        .iter()
        .take(limit)
        .flat_map(evidence_lines)
        .collect();
    let shown = detect.evidence.len().min(limit);
    out.push_str(&format!(
        "**Evidence** ({} of {}):\n\n",
        thousands(shown as u64),
        count(total, "line", "lines")
    ));
    if lines.is_empty() {
        return;
    }
    let longest_run = lines
        .iter()
        .map(|l| longest_backtick_run(l))
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest_run.max(2) + 1);
    out.push_str(&fence);
    out.push_str("text\n");
    for line in &lines {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&fence);
    out.push_str("\n\n");
}

/// `path:line  text`, and the further lines of a multi-line record indented,
/// each made safe for a terminal (a code block shows text as it is).
fn evidence_lines(reference: &EvidenceRef) -> Vec<String> {
    let mut head = format!("{}:{}", escape_terminal(&reference.path), reference.line);
    let Some(text) = &reference.text else {
        return vec![head];
    };
    let mut parts = text.trim_end_matches(['\n', '\r']).split('\n');
    if let Some(first) = parts.next() {
        head.push_str("  ");
        head.push_str(&escape_terminal(first.trim_end_matches('\r')));
    }
    let mut lines = vec![head];
    lines.extend(parts.map(|part| format!("  {}", escape_terminal(part.trim_end_matches('\r')))));
    lines
}

/// The longest run of backticks in a line.
fn longest_backtick_run(line: &str) -> usize {
    line.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Many tiny detects in one short section.
fn group_section(out: &mut String, group: &Group<'_>) {
    out.push_str(&format!(
        "## {}. {}: {}\n\n",
        group.number,
        group.level().as_str().to_uppercase(),
        group.summary(ESCAPE)
    ));
    if let Some(intent) = group.intent(ESCAPE) {
        out.push_str(&intent);
        out.push_str("\n\n");
    }
}

#[cfg(test)]
mod tests {
    use picket_model::SeverityLevel;

    use super::*;
    use crate::fixture::{hostile_report, many_probes_report, paper_report};
    use crate::render_markdown;

    fn markdown(report: &Report) -> String {
        render_markdown(report, &RenderOptions::default())
    }

    /// The lines outside fenced code blocks.
    fn prose(document: &str) -> Vec<&str> {
        let mut fence: Option<&str> = None;
        let mut lines = Vec::new();
        for line in document.lines() {
            match fence {
                Some(open) if line == open => fence = None,
                Some(_) => {}
                None if line.starts_with("```") => {
                    fence = Some(line.trim_end_matches("text"));
                }
                None => lines.push(line),
            }
        }
        assert_eq!(fence, None, "unclosed fence");
        lines
    }

    /// The characters of a line that are not backslash-escaped.
    fn unescaped(line: &str) -> String {
        let mut out = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                chars.next();
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn markdown_snapshot() {
        insta::assert_snapshot!(markdown(&paper_report()));
    }

    #[test]
    fn markdown_has_title_inputs_table_and_a_section_per_detect() {
        let out = markdown(&paper_report());
        assert!(out.starts_with("# picket 0\\.1\\.0 report\n\n4 inputs, 1,825 records,"));
        assert!(out.contains(
            "| paper/10\\-port81\\-sweep/sunscreen\\.log | sunscreen | 25 | 23 | 2 | 0 | **2 lines not read** |\n"
        ));
        assert!(out.contains("| mixed (ipchains 1,785, snort 5) |"));
        assert!(
            out.contains("**could not be read:** No such file or directory \\(os error 2\\) |")
        );
        assert_eq!(out.matches("\n## ").count(), 5);
        assert!(out.contains(
            "\n## 2. LOW: SubSeven trojan probe of 27374/tcp from a\\.supercomputer\\.place\n"
        ));
        assert!(out.contains("- **Severity:** low: (criticality 2 + lethality 3) - (system 4 + network 4) = -3\n  - criticality 2: a home machine\n"));
        assert!(out.contains("**Evidence** (8 of 23 lines):\n\n```text\npaper/10-port81-sweep/sunscreen.log:1  197118 qfe0"));
        assert!(out.ends_with("\n"));
        assert!(!out.ends_with("\n\n"));
    }

    #[test]
    fn markdown_leaves_no_log_text_active() {
        let out = markdown(&hostile_report());
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'));
        assert!(!out.contains('\u{202e}'));
        for line in prose(&out) {
            let bare = unescaped(line);
            for syntax in ['<', '[', '`', '>'] {
                assert!(!bare.contains(syntax), "unescaped {syntax:?} in {line:?}");
            }
            let pipes = bare.matches('|').count();
            if line.starts_with('|') {
                // The inputs table has 7 columns, the activity table 2.
                assert!(pipes == 8 || pipes == 3, "table row broken: {line:?}");
            } else {
                assert_eq!(pipes, 0, "stray pipe: {line:?}");
            }
            assert!(
                !bare.contains("](") && !bare.contains("http:"),
                "link: {line:?}"
            );
        }
        // The evidence holds a run of five backticks: the fence is longer.
        assert!(out.contains("\n``````text\n"));
        assert!(out.contains("\n  \\x1b[2J"));
    }

    #[test]
    fn markdown_hides_and_groups_like_text() {
        let options = RenderOptions {
            min_severity: SeverityLevel::Low,
            ..RenderOptions::default()
        };
        let out = render_markdown(&paper_report(), &options);
        assert_eq!(out.matches("\n## ").count(), 4);
        assert!(out.ends_with(
            "*1 detect below low was left out; run with --min-severity none to see it.*\n"
        ));

        let out = markdown(&many_probes_report(40));
        assert!(out.contains(
            "\n## 2. LOW: 40 sources probed 23/tcp once or twice (service probe, 40 detects)\n\nLooking for an open telnet service\\.\n"
        ));
        assert_eq!(out.matches("\n## ").count(), 2);
    }

    #[test]
    fn empty_markdown_report_says_so() {
        let mut report = paper_report();
        report.detects.clear();
        report.inputs.clear();
        let out = markdown(&report);
        assert!(out.contains("\n\nNo detects: nothing in these logs needs attention.\n"));
    }

    #[test]
    fn fence_outgrows_backtick_runs() {
        assert_eq!(longest_backtick_run("no ticks"), 0);
        assert_eq!(longest_backtick_run("a ``` b ` c"), 3);
    }

    #[test]
    fn multi_line_evidence_is_indented() {
        // A Snort alert record, as in paper detect 04 (Deep Throat).
        let reference = EvidenceRef {
            path: "paper/04-deep-throat/snort.alert".to_owned(),
            line: 1,
            text: Some(
                "[**] Deep Throat/Invasor [**]\n04/13-19:11:02.545914 a.b.c.d:60000 -> me.home.com:2140\r\n"
                    .to_owned(),
            ),
        };
        assert_eq!(
            evidence_lines(&reference),
            vec![
                "paper/04-deep-throat/snort.alert:1  [**] Deep Throat/Invasor [**]".to_owned(),
                "  04/13-19:11:02.545914 a.b.c.d:60000 -> me.home.com:2140".to_owned(),
            ]
        );
    }
}
