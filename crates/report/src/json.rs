//! The JSON report: the model serialized as the contract
//! (`docs/detect-json.md`) describes it, pretty-printed.
//!
//! serde_json already writes control characters as `\u001b`-style escapes.
//! On top of that, Unicode bidirectional and invisible format controls are
//! written as `\u202e`-style escapes too: the decoded value is the same, but
//! a person paging through the file in a terminal sees them.

use std::io::{self, Write};

use picket_model::Report;
use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use crate::sanitize::is_invisible_format;

/// Serializes the whole report, every detect included, with a trailing
/// newline.
pub(crate) fn render(report: &Report) -> String {
    let mut buffer = Vec::with_capacity(16 * 1024);
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut buffer, VisibleFormatter::default());
    let written = report
        .serialize(&mut serializer)
        .map_err(|e| e.to_string())
        .and_then(|()| String::from_utf8(buffer).map_err(|e| e.to_string()));
    match written {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        // The model's types cannot fail to serialize; should that change,
        // the output still parses and says why.
        Err(why) => format!(
            "{{\"schema\": {}, \"error\": {}}}\n",
            report.schema,
            serde_json::Value::String(why)
        ),
    }
}

/// Serializes the whole report to `out`, with a trailing newline.
pub(crate) fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(256 * 1024, out);
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut buffered, VisibleFormatter::default());
    report
        .serialize(&mut serializer)
        .map_err(io::Error::other)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// serde_json's pretty printer, escaping invisible format characters.
#[derive(Default)]
struct VisibleFormatter {
    /// Indentation and layout.
    pretty: PrettyFormatter<'static>,
}

impl Formatter for VisibleFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Every invisible format character is outside ASCII.
        if fragment.is_ascii() {
            return writer.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if is_invisible_format(c) {
                writer.write_all(fragment.get(start..at).unwrap_or_default().as_bytes())?;
                write!(writer, "\\u{:04x}", c as u32)?;
                start = at + c.len_utf8();
            }
        }
        writer.write_all(fragment.get(start..).unwrap_or_default().as_bytes())
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_array(writer)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object(writer)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use picket_model::{DetectKind, ScanType, SeverityLevel, Spoofed};
    use serde_json::Value;

    use crate::fixture::{HOSTILE, hostile_report, paper_report};
    use crate::render_json;

    /// The contract's fields of one detect.
    const DETECT_FIELDS: [&str; 22] = [
        "id",
        "first_seen",
        "last_seen",
        "sensors",
        "sources",
        "targets",
        "protocols",
        "target_ports",
        "packets",
        "kind",
        "scan_type",
        "spoofed",
        "active_targeting",
        "intent",
        "technique",
        "history",
        "identity",
        "severity",
        "recommendations",
        "observations",
        "evidence",
        "evidence_total",
    ];

    fn parse(json: &str) -> Value {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("not JSON: {e}\n{json}"))
    }

    fn field<'a>(value: &'a Value, name: &str) -> &'a Value {
        value
            .get(name)
            .unwrap_or_else(|| panic!("missing field {name} in {value}"))
    }

    #[test]
    fn json_snapshot() {
        insta::assert_snapshot!(render_json(&paper_report()));
    }

    #[test]
    fn written_json_is_the_rendered_json() {
        let report = paper_report();
        let mut written = Vec::new();
        crate::write_json(&report, &mut written).unwrap();
        assert_eq!(String::from_utf8(written).unwrap(), render_json(&report));
    }

    #[test]
    fn json_has_every_contract_field() {
        let json = render_json(&paper_report());
        assert!(json.ends_with("}\n"));
        let root = parse(&json);
        assert_eq!(field(&root, "schema"), 1);
        assert_eq!(field(&root, "generator"), "picket 0.1.0");
        let inputs = field(&root, "inputs")
            .as_array()
            .expect("inputs is an array");
        assert_eq!(inputs.len(), 4);
        for input in inputs {
            assert!(field(input, "path").is_string());
            assert!(field(input, "format").is_string());
            for number in ["lines", "records", "unrecognized", "warnings"] {
                assert!(field(input, number).is_u64(), "{number} in {input}");
            }
        }
        assert_eq!(field(&inputs[0], "unrecognized"), 2);
        let summary = field(&root, "summary");
        assert_eq!(field(summary, "records"), 1_825);
        assert_eq!(field(summary, "packets"), 1_204);
        assert_eq!(field(summary, "detects"), 5);

        let detects = field(&root, "detects")
            .as_array()
            .expect("detects is an array");
        assert_eq!(detects.len(), 5);
        for detect in detects {
            for name in DETECT_FIELDS {
                field(detect, name);
            }
            let severity = field(detect, "severity");
            for name in [
                "criticality",
                "lethality",
                "system_countermeasures",
                "network_countermeasures",
            ] {
                let value = field(severity, name).as_u64().expect("a number");
                assert!((1..=5).contains(&value), "{name} {value}");
            }
            assert!(field(severity, "score").is_i64());
            for evidence in field(detect, "evidence").as_array().expect("an array") {
                assert!(field(evidence, "path").is_string());
                assert!(field(evidence, "line").is_u64());
            }
        }
        // The sweep: its values as the analysis found them.
        let sweep = &detects[0];
        assert_eq!(field(sweep, "kind"), "host-sweep");
        assert_eq!(field(sweep, "scan_type"), "syn");
        assert_eq!(field(sweep, "target_ports"), &serde_json::json!([81]));
        assert_eq!(field(sweep, "packets"), 23);
        assert_eq!(field(field(sweep, "severity"), "score"), -2);
        assert_eq!(field(sweep, "evidence").as_array().map(Vec::len), Some(10));
        // Not a scan: scan_type is present and null.
        assert_eq!(field(&detects[4], "scan_type"), &Value::Null);
    }

    #[test]
    fn json_uses_only_the_contract_vocabularies() {
        let root = parse(&render_json(&paper_report()));
        let kinds: Vec<&str> = DetectKind::ALL.iter().map(|k| k.as_str()).collect();
        let scans: Vec<&str> = ScanType::ALL.iter().map(|s| s.as_str()).collect();
        let spoofed = [Spoofed::Likely, Spoofed::Possible, Spoofed::Unlikely].map(Spoofed::as_str);
        let levels = SeverityLevel::ALL.map(SeverityLevel::as_str);
        assert_eq!(
            kinds,
            [
                "port-scan",
                "host-sweep",
                "block-scan",
                "trojan-probe",
                "service-probe",
                "worm",
                "flood",
                "backscatter",
                "misconfiguration",
                "authorized-scan",
                "compromise",
                "alert"
            ]
        );
        for detect in field(&root, "detects").as_array().into_iter().flatten() {
            let kind = field(detect, "kind").as_str().expect("kind is text");
            assert!(kinds.contains(&kind), "{kind}");
            match field(detect, "scan_type") {
                Value::Null => {}
                Value::String(scan) => assert!(scans.contains(&scan.as_str()), "{scan}"),
                other => panic!("scan_type {other}"),
            }
            let spoof = field(detect, "spoofed").as_str().expect("spoofed is text");
            assert!(spoofed.contains(&spoof), "{spoof}");
            let level = field(field(detect, "severity"), "level");
            assert!(levels.contains(&level.as_str().expect("level is text")));
        }
    }

    #[test]
    fn json_serializes_every_kind_and_scan_type_by_its_contract_name() {
        for kind in DetectKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).ok(),
                Some(Value::from(kind.as_str()))
            );
        }
        for scan in ScanType::ALL {
            assert_eq!(
                serde_json::to_value(scan).ok(),
                Some(Value::from(scan.as_str()))
            );
        }
        for level in SeverityLevel::ALL {
            assert_eq!(
                serde_json::to_value(level).ok(),
                Some(Value::from(level.as_str()))
            );
        }
    }

    #[test]
    fn json_escapes_controls_and_keeps_the_values() {
        let json = render_json(&hostile_report());
        assert!(!json.contains('\x1b'), "raw ESC in JSON");
        assert!(!json.contains('\x07'), "raw BEL in JSON");
        assert!(!json.contains('\u{202e}'), "raw bidi override in JSON");
        assert!(json.contains("\\u001b[2J"));
        assert!(json.contains("\\u202e"));
        // Decoded, the fields are exactly what was logged.
        let root = parse(&json);
        let detect = &field(&root, "detects")[0];
        assert_eq!(field(detect, "intent"), HOSTILE);
        assert_eq!(field(&field(detect, "evidence")[0], "path"), HOSTILE);
        // Text output is capped; JSON keeps every detect.
        assert_eq!(field(&root, "detects").as_array().map(Vec::len), Some(6));
    }

    #[test]
    fn empty_report_is_valid_json() {
        let mut report = paper_report();
        report.detects.clear();
        report.inputs.clear();
        let root = parse(&render_json(&report));
        assert_eq!(field(&root, "detects"), &serde_json::json!([]));
        assert_eq!(field(&root, "inputs"), &serde_json::json!([]));
    }
}
