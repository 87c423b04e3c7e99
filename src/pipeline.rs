//! The whole run: read every input, parse it, hand packets to the analysis,
//! then build the report with evidence lines read back.

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use jiff::tz::TimeZone;
use picket_analyze::{Analyzer, Site};
use picket_knowledge::PortTable;
use picket_model::{InputSummary, Packet, Report, SeverityLevel, Summary};
use picket_parse::{Dispatcher, Format, Sink, TimeContext};

use crate::read::lines::{Line, for_each_line};
use crate::read::{Input, MAX_LINE, excerpt};

/// How many unreadable lines per input are quoted on standard error.
pub const QUOTED_PER_INPUT: usize = 5;

/// Everything an analysis run needs, already validated.
#[derive(Debug)]
pub struct RunOptions {
    /// Inputs as named (`-` for standard input).
    pub inputs: Vec<String>,
    /// Read every input as this format instead of sniffing.
    pub format: Option<Format>,
    /// The year for timestamps that lack one.
    pub year: Option<i16>,
    /// The zone for timestamps that lack one, and for reports.
    pub zone: TimeZone,
    /// The site description.
    pub site: Site,
    /// Ports, services, trojans and worms.
    pub ports: PortTable,
    /// Threads for the analysis.
    pub threads: usize,
}

/// A line that could not be read, or a record kept with damage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The input's name.
    pub input: String,
    /// The line.
    pub line: u64,
    /// What was wrong.
    pub message: String,
    /// True for a warning (record kept), false for an unreadable line.
    pub kept: bool,
}

/// The report, the problems worth quoting, and whether an input failed.
#[derive(Debug)]
pub struct RunOutcome {
    /// The report.
    pub report: Report,
    /// The first few problems of each input.
    pub problems: Vec<Problem>,
    /// True when a named input could not be read.
    pub input_failed: bool,
}

/// Counts problems, quotes the first few, and passes packets on.
struct InputSink<'a> {
    input: u32,
    name: &'a str,
    analyzer: &'a mut Analyzer,
    summary: &'a mut InputSummary,
    problems: &'a mut Vec<Problem>,
    quoted: usize,
}

impl InputSink<'_> {
    fn quote(&mut self, line: u64, message: String, kept: bool) {
        if self.quoted < QUOTED_PER_INPUT {
            self.quoted += 1;
            self.problems.push(Problem {
                input: self.name.to_string(),
                line,
                message,
                kept,
            });
        }
    }
}

impl Sink for InputSink<'_> {
    fn packet(&mut self, mut packet: Packet) {
        packet.origin.input = self.input;
        self.summary.records += 1;
        self.analyzer.observe(packet);
    }

    fn unrecognized(&mut self, line: u64, reason: &'static str) {
        self.summary.unrecognized += 1;
        self.quote(line, reason.to_string(), false);
    }

    fn warning(&mut self, line: u64, message: String) {
        self.summary.warnings += 1;
        self.quote(line, message, true);
    }

    fn skipped(&mut self, _line: u64) {
        self.summary.skipped += 1;
    }
}

/// Runs a whole analysis.
pub fn run(options: RunOptions) -> RunOutcome {
    let threads = options.threads.max(1);
    let mut analyzer = Analyzer::new(options.site.thresholds.clone(), threads);
    let mut summaries = Vec::new();
    let mut problems = Vec::new();
    let mut opened: Vec<Option<Input>> = Vec::new();
    let mut input_failed = false;
    for (index, name) in options.inputs.iter().enumerate() {
        let mut summary = InputSummary {
            path: name.clone(),
            format: "unknown".into(),
            ..InputSummary::default()
        };
        match Input::open(name) {
            Ok(input) => {
                if let Err(e) = read_input(
                    &input,
                    index as u32,
                    &options,
                    &mut analyzer,
                    &mut summary,
                    &mut problems,
                ) {
                    summary.error = Some(e.to_string());
                    input_failed = true;
                }
                opened.push(Some(input));
            }
            Err(e) => {
                summary.error = Some(e.to_string());
                input_failed = true;
                opened.push(None);
            }
        }
        summaries.push(summary);
    }
    let paths: Vec<String> = options.inputs.clone();
    let analysis = analyzer.finish(&options.site, &options.ports, &options.zone, &paths);
    let mut detects = analysis.detects;
    fill_evidence_text(&mut detects, &opened);

    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_level: BTreeMap<SeverityLevel, u64> = BTreeMap::new();
    for d in &detects {
        *by_kind.entry(d.kind.as_str().to_string()).or_default() += 1;
        *by_level.entry(d.severity.level).or_default() += 1;
    }
    let mut by_kind: Vec<(String, u64)> = by_kind.into_iter().collect();
    by_kind.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let summary = Summary {
        records: summaries.iter().map(|s| s.records).sum(),
        packets: analysis.packets,
        detects: detects.len() as u64,
        unrecognized: summaries.iter().map(|s| s.unrecognized).sum(),
        warnings: summaries.iter().map(|s| s.warnings).sum(),
        by_kind,
        by_severity: by_level
            .into_iter()
            .rev()
            .map(|(l, n)| (l.as_str().to_string(), n))
            .collect(),
        sources: analysis.sources,
        home_network_basis: if analysis.home.stated {
            "site file".into()
        } else {
            "inferred from the log".into()
        },
        home_network: analysis.home.describe(10),
        top_sources: analysis.top_sources,
        top_ports: analysis.top_ports,
        activity: analysis.activity,
    };
    RunOutcome {
        report: Report {
            schema: 1,
            generator: format!("picket {}", env!("CARGO_PKG_VERSION")),
            inputs: summaries,
            detects,
            summary,
        },
        problems,
        input_failed,
    }
}

fn read_input(
    input: &Input,
    index: u32,
    options: &RunOptions,
    analyzer: &mut Analyzer,
    summary: &mut InputSummary,
    problems: &mut Vec<Problem>,
) -> io::Result<()> {
    let mut time = TimeContext::new(options.zone.clone(), options.year, input.modified);
    let mut dispatcher = Dispatcher::new(options.format);
    let mut sink = InputSink {
        input: index,
        name: &input.name,
        analyzer,
        summary,
        problems,
        quoted: 0,
    };
    let reader = input.reader()?;
    let (lines, _bytes) = for_each_line(reader, MAX_LINE, |n, line| match line {
        Line::Text(text) => dispatcher.feed(text, n, &mut time, &mut sink),
        Line::TooLong(len) => {
            sink.summary.unrecognized += 1;
            sink.quote(n, format!("line of {len} bytes is too long to read"), false);
        }
    })?;
    dispatcher.finish(&mut time, &mut sink);
    summary.lines = lines;
    let formats = dispatcher.formats();
    summary.format = match formats.as_slice() {
        [] => "unknown".into(),
        [(f, _)] => f.as_str().into(),
        [(f, _), ..] => format!("mixed ({})", f.as_str()),
    };
    summary.formats = formats
        .into_iter()
        .map(|(f, n)| (f.as_str().to_string(), n))
        .collect();
    Ok(())
}

/// Reads back the text of every evidence line the report cites.
fn fill_evidence_text(detects: &mut [picket_model::Detect], inputs: &[Option<Input>]) {
    let mut wanted: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    for d in detects.iter() {
        for e in &d.evidence {
            wanted.entry(e.path.as_str()).or_default().insert(e.line);
        }
    }
    let mut texts: BTreeMap<String, BTreeMap<u64, String>> = BTreeMap::new();
    for input in inputs.iter().flatten() {
        let Some(lines) = wanted.get(input.name.as_str()) else {
            continue;
        };
        if let Ok(reader) = input.reader() {
            texts.insert(
                input.name.clone(),
                excerpt::excerpts(reader, lines, MAX_LINE),
            );
        }
    }
    for d in detects.iter_mut() {
        for e in &mut d.evidence {
            e.text = texts.get(&e.path).and_then(|m| m.get(&e.line)).cloned();
        }
    }
}
