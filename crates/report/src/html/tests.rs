//! The HTML page: what it shows, and that nothing a log supplied can become
//! markup, a script, a fetch or a reordering of the evidence.

use picket_model::{Report, SeverityLevel};
use proptest::prelude::*;

use super::CSP;
use crate::fixture::{hostile_report, many_probes_report, paper_report};
use crate::{RenderOptions, render_html};

/// Every element the page may hold.
const TAGS: [&str; 29] = [
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4", "p",
    "section", "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd", "article", "span",
    "code", "ul", "li", "pre", "svg",
];

/// The SVG elements of the chart.
const SVG_TAGS: [&str; 2] = ["text", "rect"];

/// Every attribute the page may use: none that loads or runs anything.
const ATTRIBUTES: [&str; 15] = [
    "lang",
    "dir",
    "charset",
    "http-equiv",
    "content",
    "name",
    "class",
    "id",
    "role",
    "width",
    "height",
    "viewBox",
    "aria-label",
    "x",
    "y",
];

fn html(report: &Report) -> String {
    render_html(report, &RenderOptions::default())
}

/// Checks that every `<` of the page opens or closes an allowed element and
/// that every attribute is an allowed one with a quoted value: log text
/// cannot have added an element or an attribute.
fn assert_only_known_markup(page: &str) {
    let body = page
        .strip_prefix("<!DOCTYPE html>\n")
        .unwrap_or_else(|| panic!("no doctype: {page:.40}"));
    for (at, tag) in body.split('<').enumerate().skip(1) {
        let end = tag
            .find('>')
            .unwrap_or_else(|| panic!("unclosed tag {at}: {tag:.60}"));
        let inside = tag[..end].trim_start_matches('/');
        let (name, mut attributes) = inside.split_once(' ').unwrap_or((inside, ""));
        assert!(
            TAGS.contains(&name) || SVG_TAGS.contains(&name),
            "unexpected element <{name}> in {tag:.80}"
        );
        while !attributes.is_empty() {
            let (attribute, rest) = attributes
                .split_once("=\"")
                .unwrap_or_else(|| panic!("attribute without a quoted value: {attributes:?}"));
            assert!(
                ATTRIBUTES.contains(&attribute),
                "unexpected attribute {attribute:?} in <{name}>"
            );
            let (_, rest) = rest
                .split_once('"')
                .unwrap_or_else(|| panic!("unclosed value in <{name}>"));
            attributes = rest.trim_start();
        }
    }
}

#[test]
fn html_snapshot() {
    // Beside the other renderers' snapshots.
    insta::with_settings!({ snapshot_path => "../snapshots" }, {
        insta::assert_snapshot!(html(&paper_report()));
    });
}

#[test]
fn page_is_standalone_and_inert() {
    let out = html(&paper_report());
    assert!(out.starts_with(
        "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n"
    ));
    assert!(out.contains(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
    )));
    assert_eq!(CSP, "default-src 'none'; style-src 'unsafe-inline'");
    assert!(out.ends_with("</body>\n</html>\n"));
    for loader in [
        "<script", "src=", "href=", "url(", "@import", "http:", "https:", "<link",
    ] {
        assert!(!out.contains(loader), "{loader}");
    }
    assert_only_known_markup(&out);
}

#[test]
fn summary_has_inputs_counts_and_chart() {
    let out = html(&paper_report());
    assert!(out.contains("<h1>picket 0.1.0 report</h1>\n<p>4 inputs, 1,825 records, 1,204 packets from 5 sources, 5 detects.</p>"));
    assert!(out.contains(
        "<tr class=\"flagged\"><td>paper/10-port81-sweep/sunscreen.log</td><td>sunscreen</td>\
         <td class=\"n\">25</td><td class=\"n\">23</td><td class=\"n\">2</td><td class=\"n\">0</td>\
         <td>2 lines not read</td></tr>"
    ));
    assert!(out.contains("<td>mixed (ipchains 1,785, snort 5)</td>"));
    assert!(out.contains("<td>could not be read: No such file or directory (os error 2)</td>"));
    assert!(out.contains("<p class=\"warn\">2 lines in 1 input could not be read and are not part of this analysis.</p>"));
    assert!(out.contains("<p class=\"warn\">1 input could not be read at all.</p>"));
    assert!(out.contains("<dt>Detects by severity</dt><dd>1 medium, 3 low, 1 none</dd>"));
    assert!(out.contains(
        "<dt>Detects by kind</dt><dd>trojan-probe 3, host-sweep 1, misconfiguration 1</dd>"
    ));
    assert!(
        out.contains("<dt>Top sources</dt><dd>somewhere.uk (23), a.supercomputer.place (4)</dd>")
    );
    assert!(out.contains("<dt>Top ports</dt><dd>81/tcp (23), 27374/tcp (12)</dd>"));
    assert!(out.contains("<h2>Packets per hour</h2>"));
    assert_eq!(out.matches("<rect ").count(), 3);
}

#[test]
fn each_detect_has_its_analysis_and_evidence() {
    let out = html(&paper_report());
    assert_eq!(out.matches("<article ").count(), 5);
    assert!(out.contains(
        "<article class=\"detect medium\" id=\"detect-1\">\n<h3>1. <span class=\"level\">MEDIUM</span> \
         Sweep of 81/tcp across 15 hosts from somewhere.uk</h3>"
    ));
    assert!(out.contains("<dt>Id</dt><dd><code>sweep-81-somewhere.uk</code></dd>"));
    assert!(out.contains("<dt>Source</dt><dd>somewhere.uk (spoofed: unlikely)</dd>"));
    assert!(out.contains("<dt>Kind</dt><dd>host sweep, syn scan</dd>"));
    assert!(out.contains(
        "<dt>Severity</dt><dd>medium: (criticality 5 + lethality 2) - (system 4 + network 5) = -2\
         <ul class=\"reasons\"><li>criticality 5: the sweep reached the DNS server and the web cluster</li>"
    ));
    assert!(out.contains(
        "<dt>Do</dt><dd><ul class=\"items\"><li>Confirm that no DMZ host offers a service on 81/tcp.</li>"
    ));
    assert!(out.contains("<dt>Related</dt><dd>subseven-cable.socal.com (detect 3)</dd>"));
    // Evidence: 8 of the sweep's 23 lines, in logged order.
    assert!(out.contains(
        "<h4>Evidence (8 of 23 lines)</h4>\n<pre><span class=\"at\">paper/10-port81-sweep/sunscreen.log:1</span>  197118 qfe0"
    ));
    assert!(out.contains("sunscreen.log:8</span>"));
    assert!(!out.contains("sunscreen.log:9</span>"));
    // A Snort record's further lines are indented; a line without text is
    // named alone.
    assert!(
        out.contains(
            "snort.alert:1</span>  [**] Deep Throat/Invasor [**]\n  04/21-17:04:13.198326"
        )
    );
    assert!(out.contains("<span class=\"at\">paper/04-deep-throat/ipchains.log:1</span>\n</pre>"));

    let none = RenderOptions {
        evidence_lines: 0,
        ..RenderOptions::default()
    };
    let out = render_html(&paper_report(), &none);
    assert!(out.contains("<h4>Evidence</h4>\n<p class=\"muted\">23 lines, not shown.</p>"));
    assert!(!out.contains("<pre>"));
}

#[test]
fn logged_text_cannot_become_markup_and_stays_visible() {
    let out = html(&hostile_report());
    assert_only_known_markup(&out);
    assert!(!out.to_lowercase().contains("<script"));
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'));
    for hidden in ['\u{202e}', '\u{2066}', '\u{200b}', '\u{feff}'] {
        assert!(!out.contains(hidden), "{hidden:?}");
    }
    // What was logged shows as text, escapes and all.
    let shown = "\\x1b[2J\\x1b]0;pwned\\x07 \\u{202e}gpj.exe &lt;script&gt; [x](http://e) | a | b | ` =cmd|&#39; /C calc&#39;!A0";
    assert!(out.contains(&format!("<title>{shown} report</title>")));
    assert!(out.contains(&format!("<dt>Intent</dt><dd>{shown}</dd>")));
    assert!(out.contains(&format!("<td>could not be read: {shown}</td>")));
    // The record's second line stays a line of its own in the evidence.
    assert!(out.contains(&format!(
        "<span class=\"at\">{shown}:7</span>  {shown}\n  {shown}\n  ````` fence\n"
    )));
    // The evidence is laid out left to right as logged, whatever its text.
    assert!(out.contains("unicode-bidi: bidi-override; direction: ltr;"));
}

#[test]
fn html_hides_and_groups_like_text() {
    let options = RenderOptions {
        min_severity: SeverityLevel::Low,
        ..RenderOptions::default()
    };
    let out = render_html(&paper_report(), &options);
    assert_eq!(out.matches("<article ").count(), 4);
    assert!(!out.contains("NTP replies"));
    assert!(out.contains(
        "<p class=\"muted\">1 detect below low was left out; run with --min-severity none to see it.</p>"
    ));

    let out = html(&many_probes_report(40));
    assert_eq!(out.matches("<article ").count(), 2);
    assert!(out.contains(
        "<article class=\"group low\" id=\"detect-2\">\n<h3>2. <span class=\"level\">LOW</span> \
         40 sources probed 23/tcp once or twice (service probe, 40 detects)</h3>\n\
         <p>Looking for an open telnet service.</p>\n</article>"
    ));
    assert!(!out.contains("probe-23-"));
}

#[test]
fn empty_report_says_so() {
    let mut report = paper_report();
    report.detects.clear();
    report.inputs.clear();
    report.summary = picket_model::Summary::default();
    let out = html(&report);
    assert!(out.contains(
        "<h2>Detects</h2>\n<p>No detects: nothing in these logs needs attention.</p>\n</section>"
    ));
    assert!(!out.contains("<table"));
    assert!(!out.contains("<svg"));
    assert_only_known_markup(&out);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever a log put in a detect or an input, the page keeps only its
    /// own markup and carries no raw control character.
    #[test]
    fn any_logged_text_renders_as_text(
        source in any::<String>(),
        intent in any::<String>(),
        evidence in any::<String>(),
        path in any::<String>(),
        hour in any::<String>(),
    ) {
        let mut report = paper_report();
        let detect = &mut report.detects[1];
        detect.sources = vec![source];
        detect.intent = intent;
        detect.evidence[0].text = Some(evidence);
        report.inputs[0].path = path;
        report.summary.activity[0].name = hour;
        let out = html(&report);
        assert_only_known_markup(&out);
        prop_assert!(!out.chars().any(|c| c.is_control() && c != '\n'));
    }
}
