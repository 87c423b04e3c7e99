//! Reading one text input on every core: lines are gathered into blocks,
//! each block is cut at line boundaries into one chunk per worker, the chunks
//! are parsed at once, and each worker hands its packets to its own tracker
//! (state sharded by source address; the trackers are merged at the end).
//!
//! A chunk is parsed from a guess of the year reckoning (the one the block
//! started with). The guesses are then checked in input order: a chunk whose
//! guess differs from how the chunk before it ended (the month changed, the
//! year rolled over) is parsed again from the right reckoning, so that the
//! result is exactly what one reader going line by line would produce.

use memchr::memchr_iter;
use picket_analyze::track::Tracker;
use picket_model::Packet;
use picket_parse::{Dispatcher, Format, Sink, TimeContext};

use super::QUOTED_PER_INPUT;

/// Text bytes per worker in one block: large enough that starting threads
/// costs nothing, small enough that a block's packets stay a few megabytes.
pub const CHUNK_BYTES: usize = 2 << 20;

/// Whole lines gathered for parallel parsing. Each line ends in `\n`; a line
/// too long to keep stands as an empty line and is listed in `too_long`.
#[derive(Debug, Default)]
pub struct Block {
    /// The lines' bytes.
    pub text: Vec<u8>,
    /// The number of the block's first line.
    pub first_line: u64,
    /// Lines in the block.
    pub lines: u64,
    /// Lines too long to keep: (line number, length).
    pub too_long: Vec<(u64, u64)>,
}

impl Block {
    /// Adds a line (without its terminator).
    pub fn push_text(&mut self, line_no: u64, text: &[u8]) {
        self.start(line_no);
        self.text.extend_from_slice(text);
        self.text.push(b'\n');
    }

    /// Adds a line that was too long to keep.
    pub fn push_too_long(&mut self, line_no: u64, len: u64) {
        self.start(line_no);
        self.too_long.push((line_no, len));
        self.text.push(b'\n');
    }

    fn start(&mut self, line_no: u64) {
        if self.lines == 0 {
            self.first_line = line_no;
        }
        self.lines += 1;
    }

    /// Empties the block for reuse, keeping its buffer.
    pub fn clear(&mut self) {
        self.text.clear();
        self.lines = 0;
        self.too_long.clear();
    }
}

/// What parsing one chunk produced.
#[derive(Debug, Default)]
pub struct ChunkOutcome {
    /// Packets, in line order.
    pub packets: Vec<Packet>,
    /// Records read.
    pub records: u64,
    /// Lines no format could read.
    pub unrecognized: u64,
    /// Records kept with damage.
    pub warnings: u64,
    /// Lines deliberately passed over.
    pub skipped: u64,
    /// The first problems: (line, message, record kept).
    pub quotes: Vec<(u64, String, bool)>,
    /// Records per format.
    pub formats: Vec<(Format, u64)>,
    /// A record over several lines was cut by the chunk's end.
    pub cut_record: bool,
}

/// Collects one chunk's packets and problems.
struct ChunkSink<'a> {
    input: u32,
    out: &'a mut ChunkOutcome,
}

impl ChunkSink<'_> {
    fn quote(&mut self, line: u64, message: String, kept: bool) {
        if self.out.quotes.len() < QUOTED_PER_INPUT {
            self.out.quotes.push((line, message, kept));
        }
    }
}

impl Sink for ChunkSink<'_> {
    fn packet(&mut self, mut packet: Packet) {
        packet.origin.input = self.input;
        self.out.records += 1;
        self.out.packets.push(packet);
    }

    fn unrecognized(&mut self, line: u64, reason: &'static str) {
        self.out.unrecognized += 1;
        self.quote(line, reason.to_string(), false);
    }

    fn warning(&mut self, line: u64, message: String) {
        self.out.warnings += 1;
        self.quote(line, message, true);
    }

    fn skipped(&mut self, _line: u64) {
        self.out.skipped += 1;
    }
}

/// Parses one chunk of whole lines whose first line is `first_line`,
/// advancing `time` through it. Packets go into `packets` (emptied first),
/// so that a buffer grown for one block serves the next.
pub fn parse_chunk(
    text: &[u8],
    first_line: u64,
    input: u32,
    forced: Option<Format>,
    time: &mut TimeContext,
    mut packets: Vec<Packet>,
) -> ChunkOutcome {
    packets.clear();
    // At most a packet a line, mostly one: room for them at once rather
    // than doubling past it (a chunk's packets are megabytes).
    packets.reserve_exact(memchr_iter(b'\n', text).count() + 1);
    let mut out = ChunkOutcome {
        packets,
        ..ChunkOutcome::default()
    };
    let mut dispatcher = Dispatcher::new(forced);
    {
        let mut sink = ChunkSink {
            input,
            out: &mut out,
        };
        let mut start = 0;
        let mut line_no = first_line;
        for end in memchr_iter(b'\n', text) {
            dispatcher.feed(&text[start..end], line_no, time, &mut sink);
            line_no += 1;
            start = end + 1;
        }
        if start < text.len() {
            dispatcher.feed(&text[start..], line_no, time, &mut sink);
        }
        sink.out.cut_record = dispatcher.is_pending();
        dispatcher.finish(time, &mut sink);
    }
    out.formats = dispatcher.formats();
    out
}

/// Cuts `text` (whole lines) into at most `parts` chunks of about equal
/// size, each ending just after a newline. Returns the chunks' byte ranges
/// and first line numbers.
pub fn cut(text: &[u8], first_line: u64, parts: usize) -> Vec<(std::ops::Range<usize>, u64)> {
    let parts = parts.max(1);
    let mut out = Vec::with_capacity(parts);
    let mut start = 0usize;
    let mut line = first_line;
    for i in 1..=parts {
        if start >= text.len() {
            break;
        }
        let target = if i == parts {
            text.len()
        } else {
            (text.len() * i / parts).max(start)
        };
        let end = if target >= text.len() {
            text.len()
        } else {
            match memchr::memchr(b'\n', &text[target..]) {
                Some(pos) => target + pos + 1,
                None => text.len(),
            }
        };
        if end <= start {
            continue;
        }
        out.push((start..end, line));
        line += memchr_iter(b'\n', &text[start..end]).count() as u64;
        start = end;
    }
    out
}

/// Parses a block on every worker and feeds each worker's tracker. `time`
/// is the reckoning before the block and is left as it stands after it.
/// `spare` holds packet buffers left by earlier blocks, taken for the
/// chunks: growing fresh ones for every block cost a sixth of the run in
/// page faults. Returns the chunks' outcomes in input order, their packets
/// already tracked when `observe` (the buffers emptied, to be given back to
/// `spare`).
pub fn parse_block(
    block: &Block,
    input: u32,
    forced: Option<Format>,
    time: &mut TimeContext,
    trackers: &mut [Tracker],
    observe: bool,
    spare: &mut Vec<Vec<Packet>>,
) -> Vec<ChunkOutcome> {
    let chunks = cut(&block.text, block.first_line, trackers.len());
    let guess = time.clone();
    let mut parsed: Vec<(ChunkOutcome, TimeContext)> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|(range, first)| {
                let text = &block.text[range.clone()];
                let mut time = guess.clone();
                let first = *first;
                let packets = spare.pop().unwrap_or_default();
                scope.spawn(move || {
                    let out = parse_chunk(text, first, input, forced, &mut time, packets);
                    (out, time)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a parser thread panicked"))
            .collect()
    });
    // Check each guess against how the chunk before ended.
    let mut actual = time.clone();
    for ((range, first), (out, end)) in chunks.iter().zip(parsed.iter_mut()) {
        if !guess.same_reckoning(&actual) {
            let mut again = actual.clone();
            let packets = std::mem::take(&mut out.packets);
            *out = parse_chunk(
                &block.text[range.clone()],
                *first,
                input,
                forced,
                &mut again,
                packets,
            );
            *end = again;
        }
        actual = end.clone();
    }
    *time = actual;
    if observe {
        std::thread::scope(|scope| {
            for ((out, _), tracker) in parsed.iter_mut().zip(trackers.iter_mut()) {
                let packets = &mut out.packets;
                scope.spawn(move || {
                    for packet in packets.drain(..) {
                        tracker.observe(packet);
                    }
                });
            }
        });
    }
    parsed.into_iter().map(|(out, _)| out).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_line_once_with_the_right_numbers() {
        let text: String = (1..=1000).map(|i| format!("line {i}\n")).collect();
        for parts in [1, 2, 3, 7, 64, 2000] {
            let chunks = cut(text.as_bytes(), 41, parts);
            assert!(chunks.len() <= parts);
            let mut next_line = 41;
            let mut next_byte = 0;
            for (range, first) in &chunks {
                assert_eq!(range.start, next_byte);
                assert_eq!(*first, next_line);
                let piece = &text.as_bytes()[range.clone()];
                assert!(piece.ends_with(b"\n"));
                let first_text = std::str::from_utf8(piece).unwrap().lines().next().unwrap();
                assert_eq!(first_text, format!("line {}", first - 40));
                next_line += piece.iter().filter(|b| **b == b'\n').count() as u64;
                next_byte = range.end;
            }
            assert_eq!(next_byte, text.len());
            assert_eq!(next_line, 1041);
        }
    }

    #[test]
    fn a_year_rollover_inside_a_block_dates_every_later_chunk_in_the_new_year() {
        // December lines, then January lines: chunks after the rollover were
        // guessed with December's reckoning and must be read again.
        let mut text = String::new();
        for i in 0..400 {
            text.push_str(&format!(
                "Dec 31 23:{:02}:{:02} fw kernel: IN=eth0 OUT= SRC=192.0.2.{} DST=203.0.113.5 \
                 LEN=40 TTL=50 ID=1 PROTO=TCP SPT=4000 DPT=23 WINDOW=1024 RES=0x00 SYN URGP=0\n",
                i / 60,
                i % 60,
                i % 200 + 1
            ));
        }
        for i in 0..400 {
            text.push_str(&format!(
                "Jan  1 00:{:02}:{:02} fw kernel: IN=eth0 OUT= SRC=192.0.2.{} DST=203.0.113.5 \
                 LEN=40 TTL=50 ID=1 PROTO=TCP SPT=4000 DPT=23 WINDOW=1024 RES=0x00 SYN URGP=0\n",
                i / 60,
                i % 60,
                i % 200 + 1
            ));
        }
        let block = Block {
            text: text.into_bytes(),
            first_line: 1,
            lines: 800,
            too_long: Vec::new(),
        };
        let mut whole = TimeContext::fixed_year(2023);
        let one = parse_chunk(&block.text, 1, 0, None, &mut whole, Vec::new());
        let mut time = TimeContext::fixed_year(2023);
        let mut trackers: Vec<Tracker> = (0..5).map(|_| Tracker::new(4, 100)).collect();
        let outs = parse_block(
            &block,
            0,
            None,
            &mut time,
            &mut trackers,
            false,
            &mut Vec::new(),
        );
        let years = |packets: &[Packet]| -> Vec<(u64, i16)> {
            packets
                .iter()
                .map(|p| {
                    let t = p.time.expect("dated");
                    (p.origin.line, jiff::tz::TimeZone::UTC.to_datetime(t).year())
                })
                .collect()
        };
        let parallel: Vec<(u64, i16)> = outs.iter().flat_map(|o| years(&o.packets)).collect();
        assert_eq!(parallel, years(&one.packets));
        assert_eq!(parallel.len(), 800);
        assert_eq!(parallel.last().unwrap().1, 2024);
        assert!(time.same_reckoning(&whole));
    }
}
