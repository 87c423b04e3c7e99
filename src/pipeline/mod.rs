//! The whole run: read every input, parse it, hand packets to the analysis,
//! then build the report with evidence lines read back.

mod parallel;
mod progress;
mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read, Seek};

use jiff::tz::TimeZone;
use picket_analyze::{Analyzer, Site};
use picket_knowledge::PortTable;
use picket_model::{InputSummary, Packet, Report, SeverityLevel, Summary};
use picket_parse::pcap;
use picket_parse::{Format, Sink, TimeContext};

use picket_history::ReadPosition;

use crate::history::InputPlan;
use crate::read::{Input, MAX_LINE, excerpt, rotate, walk};
use progress::Progress;
use text::TextReader;

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
    /// Who is behind an address (offline unless DNS was asked for).
    pub identity: picket_identity::IdentityService,
    /// The history store, unless `--no-history`.
    pub history: Option<crate::history::HistoryOptions>,
    /// Only read and parse: count records and problems, analyse nothing.
    pub parse_only: bool,
    /// Show a progress bar on standard error (only when it is a terminal).
    pub progress: bool,
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
    /// Messages about the history store (not fatal).
    pub history_messages: Vec<String>,
    /// How long each stage took, in order, for `--stats`.
    pub stages: Vec<(&'static str, std::time::Duration)>,
    /// The report.
    pub report: Report,
    /// The first few problems of each input.
    pub problems: Vec<Problem>,
    /// True when a named input could not be read.
    pub input_failed: bool,
}

/// Counts problems, quotes the first few, and passes packets on.
pub struct InputSink<'a> {
    input: u32,
    name: &'a str,
    analyzer: &'a mut Analyzer,
    summary: &'a mut InputSummary,
    problems: &'a mut Vec<Problem>,
    quoted: usize,
    observe: bool,
}

/// How a line too long to read is described.
fn too_long_message(len: u64) -> String {
    format!("line of {len} bytes is too long to read")
}

impl InputSink<'_> {
    /// Counts a line too long to read.
    fn too_long(&mut self, line: u64, len: u64) {
        self.summary.unrecognized += 1;
        self.quote(line, too_long_message(len), false);
    }

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
        if self.observe {
            self.analyzer.observe(packet);
        }
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
    let mut clock = std::time::Instant::now();
    let mut stages: Vec<(&'static str, std::time::Duration)> = Vec::new();
    let mut lap = |name: &'static str| {
        let now = std::time::Instant::now();
        stages.push((name, now - clock));
        clock = now;
    };
    let threads = options.threads.max(1);
    let mut analyzer = Analyzer::new(options.site.thresholds.clone(), threads);
    let mut summaries = Vec::new();
    let mut problems = Vec::new();
    let mut opened: Vec<Option<Input>> = Vec::new();
    let mut input_failed = false;
    let planned = rotate::plan(walk::expand(&options.inputs));
    let progress = Progress::new(
        options.progress,
        planned
            .iter()
            .filter_map(|p| std::fs::metadata(&p.found.path).ok())
            .map(|m| m.len())
            .sum(),
    );
    let mut paths: Vec<String> = Vec::with_capacity(planned.len());
    // With `--year`, the pieces of a rotated set share one year reckoning,
    // so that a December piece followed by a January one moves to the next
    // year; without it, each piece is dated by its own modification time.
    let mut carried: Option<(usize, TimeContext)> = None;
    let mut history_messages = Vec::new();
    let wanted_history = options.history.as_ref().filter(|_| !options.parse_only);
    let mut history = wanted_history.and_then(|h| {
        crate::history::RunHistory::open(h)
            .map_err(|e| history_messages.push(e))
            .ok()
    });
    let mut positions: Vec<(String, InputPlan, ReadPosition)> = Vec::new();
    for (index, item) in planned.iter().enumerate() {
        let found = &item.found;
        paths.push(found.name.clone());
        let mut summary = InputSummary {
            path: found.name.clone(),
            format: "unknown".into(),
            ..InputSummary::default()
        };
        let opened_input = match &found.error {
            Some(error) => Err(error.clone()),
            None => Input::open_at(&found.name, &found.path).map_err(|e| e.to_string()),
        };
        match opened_input {
            Ok(input) => {
                let mut time = match (carried.take(), item.set) {
                    (Some((set, time)), Some(current))
                        if set == current && options.year.is_some() =>
                    {
                        time
                    }
                    _ => TimeContext::new(options.zone.clone(), options.year, input.modified),
                };
                let plan = match history.as_mut() {
                    Some(h) => h.plan(&input),
                    None => InputPlan::whole(),
                };
                // Every input is read whole, so the report is complete; the
                // store is told what it already holds, so nothing counts twice.
                if plan.skip {
                    summary.history =
                        Some("stored by an earlier run: reported again, not counted again".into());
                } else if plan.start.line > 0 {
                    summary.history = Some(format!(
                        "lines 1-{} were stored by an earlier run: only the lines after them count \
                         as new",
                        plan.start.line
                    ));
                    analyzer.count_from(index as u32, plan.start.line);
                }
                let mut end = ReadPosition::START;
                match read_input(
                    &input,
                    index as u32,
                    ReadPosition::START,
                    &mut time,
                    &options,
                    &mut analyzer,
                    &mut summary,
                    &mut problems,
                    &progress,
                ) {
                    Ok(read_to) => end = read_to,
                    Err(e) => {
                        summary.error = Some(e);
                        input_failed = true;
                    }
                }
                positions.push((found.name.clone(), plan, end));
                carried = item.set.map(|set| (set, time));
                opened.push(Some(input));
            }
            Err(e) => {
                summary.error = Some(e);
                input_failed = true;
                opened.push(None);
                positions.push((
                    found.name.clone(),
                    InputPlan {
                        skip: true,
                        ..InputPlan::whole()
                    },
                    ReadPosition::START,
                ));
            }
        }
        summaries.push(summary);
    }
    lap("read and parse");
    progress.phase("analysing");
    let analysis = analyzer.finish(
        &options.site,
        &options.ports,
        &options.identity,
        &options.zone,
        &paths,
    );
    let mut detects = analysis.detects;
    lap("analysis");
    progress.phase("reading evidence lines back");
    fill_evidence_text(&mut detects, &opened);
    lap("evidence read back");
    let generator = format!("picket {}", env!("CARGO_PKG_VERSION"));
    if let Some(h) = history.as_mut() {
        progress.phase("storing history");
        h.record(&mut detects, &positions, &analysis.source_days, &generator);
        history_messages.append(&mut h.messages);
        lap("history");
    }
    progress.done();

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
        sources_beyond_limits: analysis.beyond_limits.sources,
        packets_beyond_limits: analysis.beyond_limits.packets,
        home_network_basis: if options.parse_only {
            "not analysed (--parse-only)".into()
        } else if analysis.home.stated {
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
        history_messages,
        stages,
        report: Report {
            schema: 1,
            generator,
            inputs: summaries,
            detects,
            summary,
        },
        problems,
        input_failed,
    }
}

/// Reads one input into the analysis: its lines through the format
/// dispatcher, or its packets when it is a capture. Fills `summary` with
/// what was read even when the input breaks off; returns the error that
/// broke it off, if one did (a damaged compressed stream, a read error).
#[allow(clippy::too_many_arguments)]
fn read_input(
    input: &Input,
    index: u32,
    start: ReadPosition,
    time: &mut TimeContext,
    options: &RunOptions,
    analyzer: &mut Analyzer,
    summary: &mut InputSummary,
    problems: &mut Vec<Problem>,
    progress: &Progress,
) -> Result<ReadPosition, String> {
    let mut sink = InputSink {
        input: index,
        name: &input.name,
        analyzer,
        summary,
        problems,
        quoted: 0,
        observe: !options.parse_only,
    };
    let counter = progress.input_counter();
    let reader = input
        .reader_counted(counter.clone())
        .map_err(|e| e.to_string())?;
    if let Some(kind) = input.capture() {
        let mut tracked = Tracked {
            inner: reader,
            error: None,
        };
        let result = pcap::read_capture(&mut tracked, &mut sink);
        let summary = sink.summary;
        summary.format = kind.as_str().into();
        return match result {
            Ok(stats) => {
                summary.lines = stats.frames;
                summary.formats = vec![(kind.as_str().to_string(), summary.records)];
                tracked.error.map_or(Ok(start), Err)
            }
            Err(e) => Err(tracked.error.unwrap_or(e.message)),
        };
    }
    let reader: Box<dyn Read + Send> = if start.byte_offset > 0 {
        let mut file = std::fs::File::open(&input.path).map_err(|e| e.to_string())?;
        file.seek(io::SeekFrom::Start(start.byte_offset))
            .map_err(|e| e.to_string())?;
        Box::new(file)
    } else {
        reader
    };
    let workers = sink.analyzer.workers().len();
    let mut reader_state = TextReader::new(sink, time, options.format, workers);
    let mut last_line = 0u64;
    let read = reader_state.read_all(reader, start.line, &mut last_line, |lines| {
        progress.update(&counter, lines);
    });
    let formats = reader_state.formats();
    let mut sink = reader_state.sink;
    let outcome = match read {
        Ok((lines, bytes)) => {
            sink.summary.lines = lines;
            Ok(ReadPosition {
                byte_offset: start.byte_offset + bytes,
                line: start.line + lines,
            })
        }
        Err(e) => {
            // What was decoded before the damage has been read; the line
            // being read when it broke off is lost with the damage.
            sink.summary.lines = last_line.saturating_sub(start.line);
            sink.warning(last_line + 1, e.to_string());
            Err(e.to_string())
        }
    };
    progress.finish_input(&counter);
    let summary = sink.summary;
    summary.format = match formats.as_slice() {
        [] => "unknown".into(),
        [(f, _)] => f.as_str().into(),
        [(f, _), ..] => format!("mixed ({})", f.as_str()),
    };
    summary.formats = formats
        .into_iter()
        .map(|(f, n)| (f.as_str().to_string(), n))
        .collect();
    outcome
}

/// Keeps the error of a reader that packet-capture parsing would reduce to
/// "read error", so that the report can say what broke (a damaged gzip...).
struct Tracked<R> {
    inner: R,
    error: Option<String>,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            if e.kind() != io::ErrorKind::Interrupted {
                self.error.get_or_insert_with(|| e.to_string());
            }
        })
    }
}

/// Reads back the text of the evidence lines the report cites, up to
/// [`EVIDENCE_TEXTS`] of them.
fn fill_evidence_text(detects: &mut [picket_model::Detect], inputs: &[Option<Input>]) {
    let mut wanted: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    // Detects come most severe first: the budget goes to them.
    let mut budget = EVIDENCE_TEXTS;
    let mut with_text = 0;
    for d in detects.iter() {
        if d.evidence.len() > budget {
            break;
        }
        budget -= d.evidence.len();
        with_text += 1;
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
    let citing = detects[..with_text]
        .iter_mut()
        .flat_map(|d| d.evidence.iter_mut())
        .collect();
    attach_texts(citing, &mut texts);
}

/// Gives each evidence reference its line's text from `texts` (by path,
/// then line). A text moves to the last reference to its line; the others
/// get a copy, so that texts are not held twice until the report is out.
fn attach_texts(
    mut citing: Vec<&mut picket_model::EvidenceRef>,
    texts: &mut BTreeMap<String, BTreeMap<u64, String>>,
) {
    citing.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    for i in 0..citing.len() {
        let last = citing
            .get(i + 1)
            .is_none_or(|next| (&next.path, next.line) != (&citing[i].path, citing[i].line));
        let e = &mut *citing[i];
        let Some(file) = texts.get_mut(&e.path) else {
            continue;
        };
        e.text = if last {
            file.remove(&e.line)
        } else {
            file.get(&e.line).cloned()
        };
    }
}

/// Evidence lines read back into a report, at most. Detects past this
/// (the least severe of a very large log) keep their file and line
/// references without the text, so that memory does not grow with the
/// number of detects times their evidence.
const EVIDENCE_TEXTS: usize = 50_000;

#[cfg(test)]
mod tests {
    use super::*;
    use picket_model::EvidenceRef;

    fn cite(path: &str, line: u64) -> EvidenceRef {
        EvidenceRef {
            path: path.into(),
            line,
            text: None,
        }
    }

    #[test]
    fn every_reference_gets_its_text_once_read_back() {
        let mut refs = [
            cite("b.log", 7),
            cite("a.log", 3),
            cite("b.log", 7),
            cite("a.log", 9),
        ];
        let mut texts: BTreeMap<String, BTreeMap<u64, String>> = BTreeMap::new();
        texts
            .entry("a.log".into())
            .or_default()
            .insert(3, "three".into());
        texts
            .entry("b.log".into())
            .or_default()
            .insert(7, "seven".into());
        attach_texts(refs.iter_mut().collect(), &mut texts);
        let got: Vec<Option<&str>> = refs.iter().map(|r| r.text.as_deref()).collect();
        assert_eq!(got, [Some("seven"), Some("three"), Some("seven"), None]);
        assert!(texts.values().all(BTreeMap::is_empty), "moved, not copied");
    }
}
