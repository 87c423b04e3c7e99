//! Hostile log fields, end to end through the binary, in every report
//! format: a netfilter log prefix and a Snort message carrying terminal
//! escapes, HTML, Markdown links, table pipes, backticks, direction
//! overrides and spreadsheet formulas; host names that are formulas, tags
//! and links; a file name that is all of these. Whatever the format, the
//! hostile text must not act, and must still be there for the analyst to
//! see that something odd was logged.

use serde_json::Value;

use crate::util::run;

/// What a sender puts in a log prefix or an IDS message.
const PAYLOAD: &str = "\x1b[2J\x1b]0;title\x07 <script>alert(1)</script> <img src=x onerror=alert(1)> \
     [x](javascript:alert(1)) ![x](http://evil/) | a | b | `code` \u{202e}fdp.exe\u{2066}x\u{2069} \
     =HYPERLINK(\"http://evil\",\"x\") +cmd @SUM(1) -2+3";

/// A file name with escapes, a tag, a link, a bidi override, a pipe and a
/// backtick (everything a file name can hold but `/`).
const FILE_NAME: &str =
    "evil\x1b[31m<img src=x onerror=alert(1)>[x](javascript:alert(1))\u{202e}|`.log";

/// The netfilter line whose log prefix is [`PAYLOAD`].
fn netfilter_line() -> String {
    format!(
        "Mar 11 20:35:11 fw kernel: {PAYLOAD} IN=eth1 OUT= SRC=203.0.113.9 DST=192.0.2.1 LEN=44 \
         TTL=53 ID=1 PROTO=TCP SPT=1 DPT=27374 WINDOW=3072 RES=0x00 SYN URGP=0"
    )
}

/// Writes the hostile logs into `dir` and returns their paths: a netfilter
/// line under [`FILE_NAME`]; a Snort alert whose message is [`PAYLOAD`] (on
/// a port with no known service, so the message becomes the title); ipchains
/// and SunScreen lines whose host names are a tag, a link and formulas.
fn write_logs(dir: &std::path::Path) -> Vec<String> {
    let files = [
        (FILE_NAME.to_owned(), format!("{}\n", netfilter_line())),
        (
            "snort.alert".to_owned(),
            format!(
                "[**] {PAYLOAD} [**]\n04/21-17:04:13.198326 -2+3:60000 -> me.at.home:40001\n\
                 UDP TTL:50 TOS:0x0 ID:2320\nLen: 10\n\n"
            ),
        ),
        (
            "ipchains.log".to_owned(),
            "Apr 21 17:04:13 fw kernel: Packet log: input - eth0 PROTO=17 \
             <img/src=x/onerror=alert(1)>:60000 me.at.home:2140 L=30 S=0x00 I=2320 F=0x0000 T=50\n\
             Apr 22 17:04:13 fw kernel: Packet log: input - eth0 PROTO=17 \
             [x](javascript:alert(1)):60000 me.at.home:2140 L=30 S=0x00 I=2321 F=0x0000 T=50\n"
                .to_owned(),
        ),
        (
            "sunscreen.log".to_owned(),
            "197118 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.799467 \
             =HYPERLINK(\"http://evil\",\"x\") -> @SUM(1) TCP D=81 S=35039 Syn Seq=1630776701 \
             Len=0 Win=8760\n\
             197119 qfe0 (deny rule or no pass rule)2000/4/23 23:41:41.799467 +cmd -> \
             \u{202e}\u{2066}evil TCP D=81 S=35040 Syn Seq=1630776801 Len=0 Win=8760\n"
                .to_owned(),
        ),
    ];
    files
        .iter()
        .map(|(name, text)| {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path.to_string_lossy().into_owned()
        })
        .collect()
}

/// The report of the hostile logs in `format`.
fn report(format: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = [
        "analyze",
        "--no-history",
        "--year",
        "2000",
        "--tz",
        "UTC",
        "--format",
        format,
    ]
    .map(String::from)
    .to_vec();
    args.extend(write_logs(dir.path()));
    let out = run(&args, None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains('\x1b'), "stderr escapes too: {stderr}");
    String::from_utf8(out.stdout).expect("the report is UTF-8")
}

/// Fails on any character that could act on a terminal or reorder what is
/// shown: C0 controls but the line feed (and, in CSV, the CR of a row's
/// CRLF), DEL, C1 controls, and bidirectional or invisible format controls.
fn assert_no_raw_controls(format: &str, out: &str) {
    let out = if format == "csv" {
        out.replace("\r\n", "\n")
    } else {
        out.to_owned()
    };
    for (at, c) in out.char_indices() {
        let invisible = matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        );
        let control = (c.is_control() && c != '\n') || invisible;
        assert!(!control, "{format}: raw {c:?} at {at}");
    }
}

#[test]
fn text_shows_hostile_fields_without_running_them() {
    let out = report("text");
    assert_no_raw_controls("text", &out);
    // Visible, as escapes: the screen-clear, the title change, the override.
    assert!(out.contains("\\x1b[2J\\x1b]0;title\\x07 <script>alert(1)</script>"));
    assert!(out.contains("\\u{202e}fdp.exe\\u{2066}x\\u{2069}"));
    assert!(out.contains("evil\\x1b[31m<img src=x onerror=alert(1)>"));
    assert!(out.contains("Source      =hyperlink(\"http://evil\",\"x\") (spoofed:"));
    assert!(out.contains("\\u{202e}\\u{2066}evil"));
}

/// The characters of a Markdown line that are not backslash-escaped.
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
fn markdown_has_no_live_link_image_or_html_from_the_log() {
    let out = report("markdown");
    assert_no_raw_controls("markdown", &out);
    let mut fence: Option<&str> = None;
    let mut evidence_lines = 0;
    for line in out.lines() {
        if let Some(open) = fence {
            // Only the renderer's own closing line may end a code block: a
            // logged run of backticks that closed it early would let the
            // rest of the line be read as Markdown.
            if line.trim_start_matches(' ').starts_with(open) {
                assert_eq!(line, open, "a code block closed by log text");
                fence = None;
            } else {
                evidence_lines += 1;
            }
            continue;
        }
        if line.starts_with("```") {
            fence = Some(line.trim_end_matches("text"));
            continue;
        }
        let bare = unescaped(line);
        for live in ["<", ">", "[", "](", "![", "`", "javascript:", "http:"] {
            assert!(!bare.contains(live), "unescaped {live:?} in {line:?}");
        }
        let pipes = bare.matches('|').count();
        if line.starts_with('|') {
            // The inputs table has 7 columns, the activity table 2.
            assert!(pipes == 8 || pipes == 3, "table row broken: {line:?}");
        } else {
            assert_eq!(pipes, 0, "stray pipe: {line:?}");
        }
    }
    assert_eq!(fence, None, "every code block is closed");
    assert!(evidence_lines >= 6, "the evidence is shown");
    // Visible in prose, escaped...
    assert!(out.contains("\\<script\\>alert\\(1\\)\\</script\\>"));
    assert!(out.contains("\\[x\\]\\(javascript\\:alert\\(1\\)\\)"));
    assert!(out.contains("\\!\\[x\\]\\(http\\://evil/\\)"));
    assert!(out.contains("\\<img/src=x/onerror=alert\\(1\\)\\>"));
    assert!(out.contains("\\\\x1b\\[2J"));
    assert!(out.contains("\\\\u\\{202e\\}fdp\\.exe"));
    // ...and as logged (terminal escapes aside) in the code blocks.
    assert!(out.contains(&format!(
        "{}  Mar 11 20:35:11 fw kernel: \\x1b[2J\\x1b]0;title\\x07 <script>alert(1)</script>",
        "evil\\x1b[31m<img src=x onerror=alert(1)>[x](javascript:alert(1))\\u{202e}|`.log:1"
    )));
}

/// Every element the HTML report may hold.
const HTML_TAGS: [&str; 31] = [
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4", "p",
    "section", "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd", "article", "span",
    "code", "ul", "li", "pre", "svg", "text", "rect",
];

/// Every attribute the HTML report may use: none loads or runs anything.
const HTML_ATTRIBUTES: [&str; 15] = [
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

#[test]
fn html_has_no_script_image_or_attribute_from_the_log() {
    let out = report("html");
    assert_no_raw_controls("html", &out);
    assert!(out.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    ));
    let lower = out.to_lowercase();
    assert!(!lower.contains("<script"), "a script element");
    assert!(!lower.contains("<img"), "an image element");
    // Every `<` opens or closes one of the page's own elements, and every
    // attribute is one of its own with a quoted value.
    let body = out.strip_prefix("<!DOCTYPE html>\n").expect("a doctype");
    for tag in body.split('<').skip(1) {
        let end = tag.find('>').expect("every tag is closed");
        let inside = tag[..end].trim_start_matches('/');
        let (name, mut attributes) = inside.split_once(' ').unwrap_or((inside, ""));
        assert!(HTML_TAGS.contains(&name), "element <{name}>: {tag:.80}");
        while !attributes.is_empty() {
            let (attribute, rest) = attributes
                .split_once("=\"")
                .unwrap_or_else(|| panic!("unquoted attribute in <{name} {attributes}>"));
            assert!(
                HTML_ATTRIBUTES.contains(&attribute),
                "attribute {attribute:?} in <{name}>"
            );
            let (_, rest) = rest.split_once('"').expect("a closed value");
            attributes = rest.trim_start();
        }
    }
    // Visible, as text.
    assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(out.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(out.contains("&lt;img/src=x/onerror=alert(1)&gt;"));
    assert!(out.contains("[x](javascript:alert(1))"));
    assert!(out.contains("\\x1b[2J\\x1b]0;title\\x07"));
    assert!(out.contains("\\u{202e}fdp.exe\\u{2066}x\\u{2069}"));
    assert!(out.contains("=hyperlink(&quot;http://evil&quot;,&quot;x&quot;)"));
}

/// The rows of a CSV document, each a list of unquoted cells (RFC 4180).
fn csv_rows(document: &str) -> Vec<Vec<String>> {
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
    assert!(!quoted && cell.is_empty() && row.is_empty(), "a cut row");
    rows
}

#[test]
fn csv_has_no_cell_that_starts_a_formula() {
    let out = report("csv");
    assert_no_raw_controls("csv", &out);
    let rows = csv_rows(&out);
    let header = &rows[0];
    assert_eq!(header[0], "id");
    assert_eq!(rows.len(), 7, "a header and six detects");
    let cells: Vec<&String> = rows[1..].iter().flatten().collect();
    for row in &rows[1..] {
        assert_eq!(row.len(), header.len(), "{row:?}");
        for (column, cell) in header.iter().zip(row) {
            if column == "score" || column == "packets" {
                // picket's own numbers, bare so a spreadsheet can sum them.
                assert!(cell.parse::<i64>().is_ok(), "{column}: {cell:?}");
                continue;
            }
            let start = cell.trim_start_matches(char::is_whitespace);
            assert!(
                !cell.starts_with(['\t', '\r'])
                    && !start.starts_with([
                        '=', '+', '-', '@', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}'
                    ]),
                "{column} starts a formula: {cell:?}"
            );
        }
    }
    // Visible, as text.
    for shown in [
        "'=hyperlink(\"http://evil\",\"x\")",
        "'@sum(1)",
        "'+cmd",
        "'-2+3",
        "\\u{202e}\\u{2066}evil",
        "<img/src=x/onerror=alert(1)>",
    ] {
        assert!(cells.iter().any(|c| *c == shown), "{shown:?} not a cell");
    }
    assert!(
        cells
            .iter()
            .any(|c| c.starts_with("IDS alert \"\\x1b[2J\\x1b]0;title\\x07 <script>")),
        "the Snort message, escaped"
    );
}

#[test]
fn json_keeps_the_logged_text_exactly() {
    let out = report("json");
    // JSON escapes: no raw control or direction override in the file...
    assert_no_raw_controls("json", &out);
    assert!(out.contains("\\u001b[2J\\u001b]0;title\\u0007"));
    assert!(out.contains("\\u202efdp.exe\\u2066x\\u2069"));
    // ...and the decoded values are what was logged (names in their
    // normalized, lower-case form), for scripts to escape where they print.
    let root: Value = serde_json::from_str(&out).expect("valid JSON");
    let detects = root["detects"].as_array().expect("detects");
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(String::from))
            .collect()
    };
    let sources: Vec<String> = detects
        .iter()
        .flat_map(|d| strings(&d["sources"]))
        .collect();
    let targets: Vec<String> = detects
        .iter()
        .flat_map(|d| strings(&d["targets"]))
        .collect();
    for source in [
        "=hyperlink(\"http://evil\",\"x\")",
        "+cmd",
        "-2+3",
        "<img/src=x/onerror=alert(1)>",
        "[x](javascript:alert(1))",
    ] {
        assert!(sources.iter().any(|s| s == source), "{source:?}");
    }
    assert!(targets.iter().any(|t| t == "@sum(1)"));
    assert!(targets.iter().any(|t| t == "\u{202e}\u{2066}evil"));
    assert!(
        detects
            .iter()
            .any(|d| d["title"].as_str().is_some_and(|t| t.contains(PAYLOAD))),
        "the Snort message, exactly"
    );
    let evidence: Vec<&Value> = detects
        .iter()
        .flat_map(|d| d["evidence"].as_array().into_iter().flatten())
        .collect();
    let logged = evidence
        .iter()
        .find(|e| e["path"].as_str().is_some_and(|p| p.ends_with(FILE_NAME)))
        .expect("evidence from the hostile file name");
    assert_eq!(logged["text"], Value::from(netfilter_line()));
}
