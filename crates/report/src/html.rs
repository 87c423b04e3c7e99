//! The HTML report: one standalone HTML5 page with the content of the text
//! report, to open in a browser, attach to a ticket or mail to a colleague.
//!
//! The page is inert by construction. It holds no script, loads nothing
//! (styles are inline, the chart is inline SVG), and its
//! Content-Security-Policy forbids both, so that even a mistake here could
//! not make a browser run or fetch anything. Every log-derived string goes
//! through [`crate::sanitize::html`], which shows control characters and
//! Unicode direction overrides as visible escapes (`\x1b`, `\u{202e}`)
//! before it writes `& < > " '` as character references. Evidence is shown
//! left to right in the order it was logged, whatever the characters in it.

mod chart;

use picket_model::{Detect, EvidenceRef, InputSummary, Report};

use crate::RenderOptions;
use crate::fields::{fields, headline};
use crate::layout::{self, Group, Item, Plan};
use crate::sanitize;
use crate::words::{Escape, count, thousands};

/// Escapes element content and attribute values.
const ESCAPE: Escape = sanitize::html;

/// The page's Content-Security-Policy: nothing may load and nothing may run;
/// only the inline styles apply.
pub(crate) const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// The page's styles: readable in light and dark mode and on paper, a
/// colour per severity level, and evidence that keeps its logged order.
const STYLE: &str = "\
:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --muted: #59636e; \
--line: #d1d9e0; --code: #f6f8fa; --warn: #9a6700; --bar: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; \
--muted: #9198a1; --line: #3d444d; --code: #151b23; --warn: #d29922; --bar: #4493f8; } }
body { font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); \
max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid var(--line); margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
h4 { font-size: .95rem; margin: .8rem 0 .3rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .2rem .6rem; text-align: left; \
vertical-align: top; }
.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.flagged td { background: color-mix(in srgb, var(--warn) 12%, transparent); }
.warn { color: var(--warn); font-weight: 600; }
.muted { color: var(--muted); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .5rem 0; }
dt { font-weight: 600; color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
dd ul { margin: .1rem 0; padding-left: 1.2rem; }
ul.reasons { list-style: none; padding-left: .8rem; }
article { border-left: .35rem solid var(--line); padding: .3rem 1rem; margin: 1.5rem 0; }
.level { display: inline-block; min-width: 4.5rem; padding: 0 .4rem; border-radius: .25rem; \
color: #fff; background: #6e7781; font-size: .85em; text-align: center; }
article.critical { border-color: #82071e; } .critical .level { background: #82071e; }
article.high { border-color: #cf222e; } .high .level { background: #cf222e; }
article.medium { border-color: #bc4c00; } .medium .level { background: #bc4c00; }
article.low { border-color: #0969da; } .low .level { background: #0969da; }
code, pre, svg.chart text { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--code); padding: .5rem .7rem; overflow-x: auto; font-size: 13px; \
unicode-bidi: bidi-override; direction: ltr; }
pre .at { color: var(--muted); }
svg.chart { max-width: 100%; height: auto; }
svg.chart text { font-size: 12px; fill: currentColor; }
svg.chart rect { fill: var(--bar); }
@media print { body { max-width: none; } article { break-inside: avoid; } }
";

/// Renders the report as one HTML page, with the same content and choices
/// as the text report.
pub(crate) fn render(report: &Report, options: &RenderOptions) -> String {
    let plan = layout::plan(report, options);
    let generator = ESCAPE(&report.generator);
    let mut out = String::with_capacity(16 * 1024);
    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n",
    );
    out.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
    ));
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{generator} report</title>\n"));
    out.push_str(&format!("<style>\n{STYLE}</style>\n</head>\n<body>\n"));
    out.push_str(&format!(
        "<header>\n<h1>{generator} report</h1>\n<p>{}.</p>\n</header>\n",
        layout::overview(report)
    ));

    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    inputs(&mut out, &report.inputs);
    summary(&mut out, report);
    out.push_str("</section>\n");
    out.push_str(&chart::section(&report.summary.activity));

    out.push_str("<section id=\"detects\">\n<h2>Detects</h2>\n");
    if plan.items.is_empty() {
        out.push_str(&format!(
            "<p>{}</p>\n",
            layout::nothing_shown(report, plan.hidden)
        ));
    }
    for item in &plan.items {
        match item {
            Item::Detect { number, detect } => {
                detect_article(&mut out, *number, detect, &plan, options)
            }
            Item::Group(group) => group_article(&mut out, group),
        }
    }
    if let Some(note) = layout::hidden_note(plan.hidden, options) {
        out.push_str(&format!("<p class=\"muted\">{note}</p>\n"));
    }
    out.push_str("</section>\n</body>\n</html>\n");
    out
}

/// The inputs table, with the unreadable lines of each input, and a warning
/// under it when lines or whole inputs could not be read.
fn inputs(out: &mut String, inputs: &[InputSummary]) {
    if inputs.is_empty() {
        return;
    }
    out.push_str(
        "<table class=\"inputs\">\n<thead><tr><th>Input</th><th>Format</th><th class=\"n\">Lines</th>\
         <th class=\"n\">Records</th><th class=\"n\">Unreadable</th><th class=\"n\">Warnings</th>\
         <th>Note</th></tr></thead>\n<tbody>\n",
    );
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
            (Some(error), _) => format!("could not be read: {}", ESCAPE(error)),
            (None, 0) => String::new(),
            (None, n) => format!("{} not read", count(n, "line", "lines")),
        };
        let flagged = if input.error.is_some() || input.unrecognized > 0 {
            " class=\"flagged\""
        } else {
            ""
        };
        out.push_str(&format!(
            "<tr{flagged}><td>{}</td><td>{format}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td>{note}</td></tr>\n",
            ESCAPE(&input.path),
            thousands(input.lines),
            thousands(input.records),
            thousands(input.unrecognized),
            thousands(input.warnings),
        ));
    }
    out.push_str("</tbody>\n</table>\n");

    let unreadable: u64 = inputs.iter().map(|i| i.unrecognized).sum();
    if unreadable > 0 {
        let with_unreadable = inputs.iter().filter(|i| i.unrecognized > 0).count() as u64;
        out.push_str(&format!(
            "<p class=\"warn\">{} in {} could not be read and {} not part of this analysis.</p>\n",
            count(unreadable, "line", "lines"),
            count(with_unreadable, "input", "inputs"),
            if unreadable == 1 { "is" } else { "are" },
        ));
    }
    let failed = inputs.iter().filter(|i| i.error.is_some()).count() as u64;
    if failed > 0 {
        out.push_str(&format!(
            "<p class=\"warn\">{} could not be read at all.</p>\n",
            count(failed, "input", "inputs")
        ));
    }
}

/// Detects by severity and kind, the home network, top sources and ports.
fn summary(out: &mut String, report: &Report) {
    let summary = &report.summary;
    out.push_str("<dl class=\"summary\">\n");
    if !report.detects.is_empty() {
        out.push_str(&format!(
            "<dt>Detects by severity</dt><dd>{}</dd>\n<dt>Detects by kind</dt><dd>{}</dd>\n",
            layout::severities(report),
            layout::kinds(report)
        ));
    }
    let mut home = if summary.home_network.is_empty() {
        "not known".to_owned()
    } else {
        let names: Vec<String> = summary.home_network.iter().map(|n| ESCAPE(n)).collect();
        names.join(", ")
    };
    if !summary.home_network_basis.trim().is_empty() {
        home.push_str(&format!(" ({})", ESCAPE(&summary.home_network_basis)));
    }
    out.push_str(&format!("<dt>Home network</dt><dd>{home}</dd>\n"));
    if let Some(line) = crate::layout::beyond_limits(summary) {
        out.push_str(&format!("<dt>Limits</dt><dd>{line}</dd>\n"));
    }
    for (label, items) in [
        ("Top sources", &summary.top_sources),
        ("Top ports", &summary.top_ports),
    ] {
        if items.is_empty() {
            continue;
        }
        let list: Vec<String> = items
            .iter()
            .map(|c| format!("{} ({})", ESCAPE(&c.name), thousands(c.count)))
            .collect();
        out.push_str(&format!("<dt>{label}</dt><dd>{}</dd>\n", list.join(", ")));
    }
    out.push_str("</dl>\n");
}

/// One detect: a heading, its fields, its evidence.
fn detect_article(
    out: &mut String,
    number: usize,
    detect: &Detect,
    plan: &Plan<'_>,
    options: &RenderOptions,
) {
    let level = detect.severity.level.as_str();
    out.push_str(&format!(
        "<article class=\"detect {level}\" id=\"detect-{number}\">\n\
         <h3>{number}. <span class=\"level\">{}</span> {}</h3>\n<dl>\n",
        level.to_uppercase(),
        headline(detect, ESCAPE)
    ));
    out.push_str(&format!(
        "<dt>Id</dt><dd><code>{}</code></dd>\n",
        ESCAPE(&detect.id)
    ));
    for field in fields(detect, ESCAPE, &plan.numbers) {
        out.push_str(&format!("<dt>{}</dt><dd>{}", field.label, field.head));
        if !field.items.is_empty() {
            let class = if field.bullets { "items" } else { "reasons" };
            out.push_str(&format!("<ul class=\"{class}\">"));
            for item in &field.items {
                out.push_str(&format!("<li>{item}</li>"));
            }
            out.push_str("</ul>");
        }
        out.push_str("</dd>\n");
    }
    out.push_str("</dl>\n");
    evidence(out, detect, options.evidence_lines);
    out.push_str("</article>\n");
}

/// The evidence lines, up to `limit`, in a `<pre>`, after how many there
/// were.
fn evidence(out: &mut String, detect: &Detect, limit: usize) {
    let total = detect.evidence_total.max(detect.evidence.len() as u64);
    if total == 0 {
        return;
    }
    let shown = detect.evidence.len().min(limit);
    if shown == 0 {
        out.push_str(&format!(
            "<h4>Evidence</h4>\n<p class=\"muted\">{}, not shown.</p>\n",
            count(total, "line", "lines")
        ));
        return;
    }
    out.push_str(&format!(
        "<h4>Evidence ({} of {})</h4>\n<pre>",
        thousands(shown as u64),
        count(total, "line", "lines")
    ));
    for reference in detect.evidence.iter().take(shown) {
        evidence_entry(out, reference);
    }
    out.push_str("</pre>\n");
}

/// `path:line  text`; the further lines of a multi-line record indented
/// under it.
fn evidence_entry(out: &mut String, reference: &EvidenceRef) {
    out.push_str(&format!(
        "<span class=\"at\">{}:{}</span>",
        ESCAPE(&reference.path),
        reference.line
    ));
    let Some(text) = &reference.text else {
        out.push('\n');
        return;
    };
    let mut lines = text.trim_end_matches(['\n', '\r']).split('\n');
    if let Some(first) = lines.next() {
        out.push_str("  ");
        out.push_str(&ESCAPE(first.trim_end_matches('\r')));
    }
    out.push('\n');
    for line in lines {
        out.push_str("  ");
        out.push_str(&ESCAPE(line.trim_end_matches('\r')));
        out.push('\n');
    }
}

/// Many tiny detects in one short article.
fn group_article(out: &mut String, group: &Group<'_>) {
    let level = group.level().as_str();
    out.push_str(&format!(
        "<article class=\"group {level}\" id=\"detect-{}\">\n\
         <h3>{}. <span class=\"level\">{}</span> {}</h3>\n",
        group.number,
        group.number,
        level.to_uppercase(),
        group.summary(ESCAPE)
    ));
    if let Some(intent) = group.intent(ESCAPE) {
        out.push_str(&format!("<p>{intent}</p>\n"));
    }
    out.push_str("</article>\n");
}

#[cfg(test)]
mod tests;
