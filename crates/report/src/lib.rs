//! picket's reports: the analysis of each detect as plain text for a
//! terminal, as Markdown to keep or publish, as one standalone HTML page to
//! share, as CSV for a spreadsheet, and as JSON for other tools (the
//! contract in `docs/detect-json.md`).
//!
//! Everything a log supplied is attacker-controlled, so every renderer
//! passes each such string through the [`sanitize`] function that fits
//! where it lands.

mod activity;
mod csv;
mod fields;
mod html;
mod json;
mod layout;
mod markdown;
pub mod sanitize;

pub use words::thousands;
mod text;
mod when;
mod words;

#[cfg(test)]
mod fixture;

use picket_model::{Report, SeverityLevel};

/// Options shared by the human-readable renderers (text, Markdown and
/// HTML); the JSON and CSV reports always carry every detect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// Detects below this level are counted, not shown.
    pub min_severity: SeverityLevel,
    /// Evidence lines shown per detect; the rest are counted.
    pub evidence_lines: usize,
}

impl Default for RenderOptions {
    /// Every detect, eight evidence lines each.
    fn default() -> Self {
        RenderOptions {
            min_severity: SeverityLevel::None,
            evidence_lines: 8,
        }
    }
}

/// The report as plain text for a terminal: a summary of the run and its
/// inputs, then one analyst's write-up per detect, most severe first,
/// wrapped to 100 columns.
pub fn render_text(report: &Report, options: &RenderOptions) -> String {
    text::render(report, options)
}

/// The report as the JSON contract (`docs/detect-json.md`), pretty-printed
/// with a trailing newline: every detect, whatever its severity.
pub fn render_json(report: &Report) -> String {
    json::render(report)
}

/// Writes the JSON report straight to `out` (as [`render_json`] renders it),
/// without holding the whole text in memory: a report of a million detects
/// runs to gigabytes.
pub fn write_json(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    json::write(report, out)
}

/// The report as Markdown: the same content as [`render_text`], with a
/// table of inputs, a section per detect and evidence in code blocks.
pub fn render_markdown(report: &Report, options: &RenderOptions) -> String {
    markdown::render(report, options)
}

/// The report as one standalone HTML5 page to open in a browser or attach
/// to a ticket: the same content as [`render_text`], with the activity as
/// an SVG bar chart. The page loads nothing, runs nothing (its
/// Content-Security-Policy forbids both) and shows log text as text.
pub fn render_html(report: &Report, options: &RenderOptions) -> String {
    html::render(report, options)
}

/// The report as CSV for a spreadsheet: a header row, then one row per
/// detect, every detect whatever its severity. Cells are quoted per RFC 4180
/// and no cell a log supplied can start a formula.
pub fn render_csv(report: &Report) -> String {
    csv::render(report)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::fixture::paper_report;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever a log put in a detect's fields, the text report holds no
        /// raw control character, the Markdown report none either, and the
        /// JSON report parses back to the same values.
        #[test]
        fn any_logged_text_renders_safely(
            source in any::<String>(),
            intent in any::<String>(),
            evidence in any::<String>(),
            first_seen in any::<String>(),
            port in any::<u16>(),
            evidence_lines in 0usize..4,
        ) {
            let mut report = paper_report();
            let detect = &mut report.detects[1];
            detect.sources = vec![source.clone()];
            detect.intent.clone_from(&intent);
            detect.first_seen = first_seen;
            detect.target_ports = vec![port];
            detect.evidence[0].text = Some(evidence);
            let options = RenderOptions { evidence_lines, ..RenderOptions::default() };

            let text = render_text(&report, &options);
            prop_assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
            let markdown = render_markdown(&report, &options);
            prop_assert!(!markdown.chars().any(|c| c.is_control() && c != '\n'));

            let json: serde_json::Value = serde_json::from_str(&render_json(&report))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&json["detects"][1]["sources"][0], &serde_json::Value::from(source));
            prop_assert_eq!(&json["detects"][1]["intent"], &serde_json::Value::from(intent));
        }
    }
}
