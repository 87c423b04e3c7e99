//! Reading one text input: line by line on one core, or block by block on
//! every core once the input's first megabytes show only formats whose lines
//! stand alone.

use std::collections::BTreeMap;
use std::io::Read;

use picket_model::Packet;
use picket_parse::{Dispatcher, Format, TimeContext};

use super::InputSink;
use super::parallel::{Block, CHUNK_BYTES, parse_block};
use crate::read::MAX_LINE;
use crate::read::lines::{Line, for_each_line};

/// How the rest of the input is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Line by line, on this thread: stateful formats, or one worker.
    Sequential,
    /// Line by line while the first megabytes show what the input holds.
    Deciding,
    /// In blocks, on every worker.
    Parallel,
}

/// Reads lines into the analysis, choosing between one core and all.
pub struct TextReader<'a, 'b> {
    /// Where packets and problems go.
    pub sink: InputSink<'a>,
    dispatcher: Dispatcher,
    time: &'b mut TimeContext,
    forced: Option<Format>,
    mode: Mode,
    block: Block,
    /// Packet buffers kept from one block to the next.
    spare: Vec<Vec<Packet>>,
    decided_after: u64,
    read: u64,
    formats: BTreeMap<Format, u64>,
}

impl<'a, 'b> TextReader<'a, 'b> {
    /// A reader feeding `sink`; `workers` is how many threads may parse.
    pub fn new(
        sink: InputSink<'a>,
        time: &'b mut TimeContext,
        forced: Option<Format>,
        workers: usize,
    ) -> TextReader<'a, 'b> {
        TextReader {
            sink,
            dispatcher: Dispatcher::new(forced),
            time,
            forced,
            mode: if workers > 1 {
                Mode::Deciding
            } else {
                Mode::Sequential
            },
            block: Block::default(),
            spare: Vec::new(),
            decided_after: CHUNK_BYTES as u64,
            read: 0,
            formats: BTreeMap::new(),
        }
    }

    /// Reads every line of `reader`, numbering from `first_line + 1`, and
    /// calls `progress` now and then with the lines read so far. Returns the
    /// lines and bytes read.
    pub fn read_all(
        &mut self,
        reader: impl Read,
        first_line: u64,
        last_line: &mut u64,
        mut progress: impl FnMut(u64),
    ) -> std::io::Result<(u64, u64)> {
        let result = for_each_line(reader, MAX_LINE, |n, line| {
            let n = n + first_line;
            *last_line = n;
            self.line(n, line);
            if n.is_multiple_of(65_536) {
                progress(n - first_line);
            }
        });
        self.finish();
        result
    }

    fn line(&mut self, n: u64, line: Line<'_>) {
        if self.mode == Mode::Parallel {
            if self.block.text.capacity() == 0 {
                // The block's full size and one more line, once, rather
                // than doubling past it.
                let workers = self.sink.analyzer.workers().len();
                self.block
                    .text
                    .reserve_exact(CHUNK_BYTES * workers + MAX_LINE + 1);
            }
            match line {
                Line::Text(text) => self.block.push_text(n, text),
                Line::TooLong(len) => self.block.push_too_long(n, len),
            }
            if self.block.text.len() >= CHUNK_BYTES * self.sink.analyzer.workers().len() {
                self.flush_block();
            }
            return;
        }
        match line {
            Line::Text(text) => {
                self.read += text.len() as u64 + 1;
                self.dispatcher.feed(text, n, self.time, &mut self.sink);
            }
            Line::TooLong(len) => {
                self.read += len + 1;
                self.sink.too_long(n, len);
            }
        }
        if self.mode == Mode::Deciding && self.read >= self.decided_after {
            self.decide();
        }
    }

    /// Goes parallel when every format seen so far reads line by line on its
    /// own and no record is open.
    fn decide(&mut self) {
        let formats = self.dispatcher.formats();
        let alone = !self.dispatcher.is_pending()
            && self.forced.is_none_or(Format::lines_stand_alone)
            && formats.iter().all(|(f, _)| f.lines_stand_alone());
        self.mode = if alone {
            Mode::Parallel
        } else {
            Mode::Sequential
        };
    }

    fn flush_block(&mut self) {
        if self.block.lines == 0 {
            return;
        }
        let observe = self.sink.observe;
        let input = self.sink.input;
        let outcomes = parse_block(
            &self.block,
            input,
            self.forced,
            self.time,
            self.sink.analyzer.workers(),
            observe,
            &mut self.spare,
        );
        let mut quotes: Vec<(u64, String, bool)> = Vec::new();
        let mut cut = false;
        for out in outcomes {
            let summary = &mut *self.sink.summary;
            summary.records += out.records;
            summary.unrecognized += out.unrecognized;
            summary.warnings += out.warnings;
            summary.skipped += out.skipped;
            quotes.extend(out.quotes);
            for (format, n) in out.formats {
                *self.formats.entry(format).or_default() += n;
            }
            cut |= out.cut_record;
            let mut packets = out.packets;
            packets.clear();
            self.spare.push(packets);
        }
        for &(line, len) in &self.block.too_long {
            self.sink.summary.unrecognized += 1;
            quotes.push((line, super::too_long_message(len), false));
        }
        quotes.sort_by_key(|q| q.0);
        for (line, message, kept) in quotes {
            self.sink.quote(line, message, kept);
        }
        self.block.clear();
        if cut {
            // A record over several lines turned up: the rest is read in
            // order, so that no later record is cut.
            self.mode = Mode::Sequential;
        }
    }

    fn finish(&mut self) {
        self.flush_block();
        self.dispatcher.finish(self.time, &mut self.sink);
    }

    /// Records per format over the whole input, most first.
    pub fn formats(&self) -> Vec<(Format, u64)> {
        let mut all = self.formats.clone();
        for (format, n) in self.dispatcher.formats() {
            *all.entry(format).or_default() += n;
        }
        let mut out: Vec<(Format, u64)> = all.into_iter().filter(|(_, n)| *n > 0).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}
