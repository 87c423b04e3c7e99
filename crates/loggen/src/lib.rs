//! A deterministic generator of realistic netfilter logs with labelled
//! scenarios amid background noise, for tests and benchmarks: the same
//! options give the same log on every machine.

mod event;
mod rng;
mod scenarios;

use std::io::{self, Write};

pub use event::{Event, Proto};
pub use scenarios::Label;

use event::write_line;
use rng::Rng;

/// Ports background noise probes, weighted by repetition.
const NOISE_PORTS: [u16; 16] = [
    23, 23, 23, 22, 22, 445, 445, 3389, 80, 8080, 1433, 5900, 6379, 27374, 21, 25,
];

/// What to generate.
#[derive(Clone, Debug)]
pub struct Options {
    /// Lines in all (scenarios included).
    pub lines: u64,
    /// Distinct background noise sources.
    pub sources: u64,
    /// Seed of the generator.
    pub seed: u64,
    /// Whether to include the labelled scenarios.
    pub scenarios: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            lines: 100_000,
            sources: 5_000,
            seed: 1,
            scenarios: true,
        }
    }
}

/// Writes the log to `out` and returns the labels of its scenarios. The log
/// spans one day from March 1 (analyse it with `--year 2024`).
pub fn generate<W: Write>(o: &Options, out: &mut W) -> io::Result<Vec<Label>> {
    let sources = o.sources.max(1);
    let mut rng = Rng::new(o.seed);
    let (events, labels) = if o.scenarios {
        scenarios::all(&mut rng, 1_000_000_000)
    } else {
        (Vec::new(), Vec::new())
    };
    let noise_lines = o.lines.saturating_sub(events.len() as u64);
    let per_source = noise_lines.div_ceil(sources).max(1);
    let span_us = scenarios::SPAN_SECS * 1_000_000;
    let mut line = String::with_capacity(256);
    let mut scenario = events.iter().peekable();
    let mut written = 0u64;
    let mut source = 0u64;
    while written < noise_lines {
        let at = source * span_us / sources.min(noise_lines);
        let src = scenarios::public(source);
        let target = [
            scenarios::HOME[0],
            scenarios::HOME[1],
            scenarios::HOME[2],
            1 + rng.below(254) as u8,
        ];
        let port = *rng.pick(&NOISE_PORTS);
        let sport = rng.range(1_024, 65_000) as u16;
        let ttl = *rng.pick(&[46u8, 51, 54, 109, 113, 116, 238, 241]);
        for k in 0..per_source.min(noise_lines - written) {
            let mut e = Event::syn(at + k * 1_500_000, src, target, sport, port);
            e.ttl = ttl;
            e.id = rng.below(65_536) as u16;
            e.window = *rng.pick(&[1024u16, 29_200, 64_240, 65_535]);
            e.len = if e.window == 1024 { 44 } else { 60 };
            while let Some(s) = scenario.next_if(|s| s.at_us <= e.at_us) {
                line.clear();
                write_line(&mut line, s);
                out.write_all(line.as_bytes())?;
            }
            line.clear();
            write_line(&mut line, &e);
            out.write_all(line.as_bytes())?;
            written += 1;
        }
        source += 1;
    }
    for s in scenario {
        line.clear();
        write_line(&mut line, s);
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    Ok(labels)
}
