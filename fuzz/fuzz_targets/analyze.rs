//! Fuzzes the whole analysis: any bytes, sniffed line by line as every
//! format, analysed and rendered as text, Markdown and JSON. Inputs whose
//! first byte is odd are tracked with tiny limits, so that crowds, sources
//! moved to them and back, and lowered per-source caps are fuzzed too.

#![no_main]

use libfuzzer_sys::fuzz_target;
use picket_analyze::{Analyzer, Site, Thresholds};
use picket_identity::IdentityService;
use picket_knowledge::PortTable;
use picket_parse::TimeContext;
use picket_parse::dispatch::parse_text;
use picket_report::{RenderOptions, render_json, render_markdown, render_text};

fuzz_target!(|data: &[u8]| {
    let parsed = parse_text(data, None, &mut TimeContext::fixed_year(2024));
    let mut limits = Thresholds::default();
    if data.first().is_some_and(|b| b & 1 == 1) {
        limits.max_sources = 4;
        limits.max_kept_packets = 16;
        limits.packets_per_source = 8;
    }
    let mut analyzer = Analyzer::new(limits, 1);
    for packet in parsed.packets {
        analyzer.observe(packet);
    }
    let analysis = analyzer.finish(
        &Site::default(),
        PortTable::builtin(),
        &IdentityService::offline(),
        &jiff::tz::TimeZone::UTC,
        &["fuzz".to_string()],
    );
    let report = picket_model::Report {
        schema: 1,
        generator: "picket fuzz".into(),
        inputs: Vec::new(),
        detects: analysis.detects,
        summary: picket_model::Summary::default(),
    };
    let options = RenderOptions::default();
    let text = render_text(&report, &options);
    assert!(!text.bytes().any(|b| b < 0x20 && b != b'\n'), "raw control character in text");
    let _ = render_markdown(&report, &options);
    let _ = render_json(&report);
});
