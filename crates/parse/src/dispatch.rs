//! Line-by-line format sniffing: each line goes to the parser that claims it,
//! so a syslog file mixing netfilter, Snort and sshd lines reads as it should.

use picket_model::Packet;

use crate::format::{Feed, Format, FormatParser, Sink};
use crate::time::TimeContext;

/// Sends each line of one input to the parser of its format, and counts the
/// records each format produced.
pub struct Dispatcher {
    forced: Option<Format>,
    parsers: Vec<Box<dyn FormatParser>>,
    records: Vec<u64>,
    pending: Option<usize>,
    last: Option<usize>,
}

impl Dispatcher {
    /// A dispatcher that sniffs every format, or only reads `forced`.
    pub fn new(forced: Option<Format>) -> Dispatcher {
        let formats: Vec<Format> = match forced {
            Some(f) => vec![f],
            None => Format::ALL.to_vec(),
        };
        let records = vec![0; formats.len()];
        Dispatcher {
            forced,
            parsers: formats.into_iter().map(Format::parser).collect(),
            records,
            pending: None,
            last: None,
        }
    }

    /// Reads one line (without its terminator). `line_no` counts from 1.
    pub fn feed(&mut self, line: &[u8], line_no: u64, time: &mut TimeContext, sink: &mut dyn Sink) {
        if let Some(index) = self.pending.take() {
            match self.feed_to(index, line, line_no, time, sink) {
                Feed::Done => return,
                Feed::Pending => {
                    self.pending = Some(index);
                    return;
                }
                Feed::Rejected => {}
            }
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let index = match self.claimant(line) {
            Some(index) => index,
            None => {
                let reason = if self.forced.is_some() {
                    "not a line of the forced format"
                } else {
                    "no known log format"
                };
                sink.unrecognized(line_no, reason);
                return;
            }
        };
        self.last = Some(index);
        match self.feed_to(index, line, line_no, time, sink) {
            Feed::Pending => self.pending = Some(index),
            Feed::Done => {}
            Feed::Rejected => sink.unrecognized(line_no, "rejected by its format's parser"),
        }
    }

    /// The input ended: flush any record still pending.
    pub fn finish(&mut self, time: &mut TimeContext, sink: &mut dyn Sink) {
        if let Some(index) = self.pending.take() {
            let mut counting = Counting {
                inner: sink,
                records: &mut self.records[index],
            };
            self.parsers[index].finish(time, &mut counting);
        }
    }

    /// True while a record over several lines has begun and not ended.
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Records read per format, most first, formats with none left out.
    pub fn formats(&self) -> Vec<(Format, u64)> {
        let mut out: Vec<(Format, u64)> = self
            .parsers
            .iter()
            .zip(&self.records)
            .filter(|(_, n)| **n > 0)
            .map(|(p, n)| (p.format(), *n))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    fn claimant(&self, line: &[u8]) -> Option<usize> {
        if let Some(last) = self.last
            && self.parsers[last].claims(line)
        {
            return Some(last);
        }
        self.parsers.iter().position(|p| p.claims(line))
    }

    fn feed_to(
        &mut self,
        index: usize,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        let mut counting = Counting {
            inner: sink,
            records: &mut self.records[index],
        };
        self.parsers[index].feed(line, line_no, time, &mut counting)
    }
}

/// Counts the packets a parser emits on their way to the real sink.
struct Counting<'a> {
    inner: &'a mut dyn Sink,
    records: &'a mut u64,
}

impl Sink for Counting<'_> {
    fn packet(&mut self, packet: Packet) {
        *self.records += 1;
        self.inner.packet(packet);
    }

    fn unrecognized(&mut self, line: u64, reason: &'static str) {
        self.inner.unrecognized(line, reason);
    }

    fn warning(&mut self, line: u64, message: String) {
        self.inner.warning(line, message);
    }

    fn skipped(&mut self, line: u64) {
        self.inner.skipped(line);
    }
}

/// A sink that keeps everything, for tests and small inputs.
#[derive(Default, Debug)]
pub struct Collect {
    /// Packets read.
    pub packets: Vec<Packet>,
    /// Unrecognized lines and why.
    pub unrecognized: Vec<(u64, &'static str)>,
    /// Warnings and their lines.
    pub warnings: Vec<(u64, String)>,
    /// Lines understood that carry no packet.
    pub skipped: Vec<u64>,
}

impl Sink for Collect {
    fn packet(&mut self, packet: Packet) {
        self.packets.push(packet);
    }

    fn unrecognized(&mut self, line: u64, reason: &'static str) {
        self.unrecognized.push((line, reason));
    }

    fn warning(&mut self, line: u64, message: String) {
        self.warnings.push((line, message));
    }

    fn skipped(&mut self, line: u64) {
        self.skipped.push(line);
    }
}

/// Parses a whole text with a fresh dispatcher, for tests and examples.
pub fn parse_text(text: &[u8], forced: Option<Format>, time: &mut TimeContext) -> Collect {
    let mut dispatcher = Dispatcher::new(forced);
    let mut sink = Collect::default();
    for (i, line) in text.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        dispatcher.feed(line, i as u64 + 1, time, &mut sink);
    }
    dispatcher.finish(time, &mut sink);
    sink
}
