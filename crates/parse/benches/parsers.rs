//! Parser throughput, in bytes per second.
//!
//! One benchmark per [`Format`] (each through a [`Dispatcher`] forced to that
//! format), one for pcap captures, one for netfilter lines sniffed without a
//! forced format, and `line_split`, newline splitting alone: the ceiling no
//! line parser can beat. Inputs are the repository's real fixtures
//! (`tests/fixtures/`), repeated to a few megabytes so that the cost of
//! setting up a dispatcher does not dominate. Where no fixture holds a format
//! (Snort alerts sent to syslog, `journalctl -o json` exports), the input is
//! real fixture lines in that format's envelope.
//!
//! Packets go to a sink that only counts them, so what is measured is the
//! parser and not the collection of its output. A benchmark whose input
//! yields no packet panics on its first iteration rather than report the
//! speed of doing nothing.
//!
//! ```text
//! CARGO_TARGET_DIR=/tmp/bench cargo bench -p picket-parse
//! cargo bench -p picket-parse -- netfilter     # one benchmark
//! ```

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Cursor;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use picket_parse::pcap::read_capture;
use picket_parse::{Dispatcher, Format, Packet, Sink, TimeContext};

/// The repository's fixtures, from this crate's folder.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/");

/// Inputs are repeated until they reach this size: large enough that one
/// dispatcher per iteration costs nothing measurable, small enough to keep
/// the whole run to a few minutes.
const TARGET_BYTES: usize = 2 << 20;

/// The year given to timestamps that lack one.
const YEAR: i16 = 2024;

/// Bytes of a classic pcap file's global header.
const PCAP_HEADER: usize = 24;

/// Counts what the parsers send, and keeps nothing.
#[derive(Default)]
struct Count {
    packets: u64,
    unrecognized: u64,
    warnings: u64,
    skipped: u64,
}

impl Sink for Count {
    fn packet(&mut self, packet: Packet) {
        self.packets += 1;
        drop(black_box(packet));
    }

    fn unrecognized(&mut self, _line: u64, _reason: &'static str) {
        self.unrecognized += 1;
    }

    fn warning(&mut self, _line: u64, _message: String) {
        self.warnings += 1;
    }

    fn skipped(&mut self, _line: u64) {
        self.skipped += 1;
    }
}

/// One benchmark's input.
struct Input {
    /// The benchmark's name.
    name: String,
    /// The bytes parsed on every iteration.
    bytes: Vec<u8>,
    /// How to read them.
    kind: Kind,
}

/// How an input is read.
#[derive(Clone, Copy)]
enum Kind {
    /// Line by line through a dispatcher, forced to one format or sniffing.
    Lines(Option<Format>),
    /// As a pcap capture.
    Capture,
    /// Split into lines, and nothing else.
    Split,
}

/// A fixture's bytes, by its path under `tests/fixtures/`.
fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{FIXTURES}{path}");
    std::fs::read(&full).unwrap_or_else(|e| panic!("cannot read the fixture {full}: {e}"))
}

/// The files of a fixture folder whose names start with `prefix`, sorted.
fn fixtures_named(folder: &str, prefix: &str) -> Vec<String> {
    let dir = format!("{FIXTURES}{folder}");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|entry| entry.expect("a directory entry").file_name())
        .filter_map(|name| name.into_string().ok())
        .filter(|name| name.starts_with(prefix))
        .map(|name| format!("{folder}/{name}"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no fixture {folder}/{prefix}*");
    names
}

/// The fixtures' texts one after another, each ending with a blank line so
/// that a multi-line record never runs into the next file.
fn texts(paths: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for path in paths {
        out.extend_from_slice(&fixture(path));
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    out
}

/// `text` repeated whole until it reaches [`TARGET_BYTES`].
fn repeated(text: Vec<u8>) -> Vec<u8> {
    assert!(!text.is_empty(), "an empty benchmark input");
    let copies = TARGET_BYTES.div_ceil(text.len());
    text.repeat(copies)
}

/// The non-blank lines of a text.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|b| *b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
}

/// Every psad iptables fixture and Elastic's iptables lines: scans of every
/// kind, IPv4 and IPv6, several syslog envelopes.
fn netfilter_text() -> Vec<u8> {
    let mut paths = fixtures_named("samples/psad", "iptables_");
    paths.push("samples/elastic/iptables_test-iptables-raw.log".into());
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    texts(&paths)
}

/// Snort's fast alerts (Elastic's sample) as Snort's `alert_syslog` output
/// prints the same alerts:
///
/// ```text
/// 05/30-19:09:10.917356  [**] [1:527:8] BAD-TRAFFIC same SRC/DST [**] [Classification: Potentially Bad Traffic] [Priority: 2] {UDP} 0.0.0.0:68 -> 255.255.255.255:67
/// May 30 19:09:10 sensor snort[2107]: [1:527:8] BAD-TRAFFIC same SRC/DST [Classification: Potentially Bad Traffic] [Priority: 2]: {UDP} 0.0.0.0:68 -> 255.255.255.255:67
/// ```
fn snort_syslog_text() -> Vec<u8> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let fast = fixture("samples/elastic/snort_test-log-fast.log");
    let mut out = String::new();
    for line in lines(&fast) {
        let line = std::str::from_utf8(line).expect("the fast alerts are UTF-8");
        let (stamp, rest) = line.split_once("  [**] ").expect("a fast alert");
        let (signature, rest) = rest.split_once(" [**] ").expect("a fast alert");
        let (tags, flow) = rest.split_once(" {").expect("a fast alert");
        let month: usize = stamp[..2].parse().expect("a month");
        let day: u32 = stamp[3..5].parse().expect("a day");
        let clock = &stamp[6..14];
        writeln!(
            out,
            "{} {day:>2} {clock} sensor snort[2107]: {signature} {tags}: {{{flow}",
            MONTHS[month - 1]
        )
        .expect("writing to a String");
    }
    out.into_bytes()
}

/// The psad iptables fixtures' kernel messages as `journalctl -o json`
/// entries, each timed by the journal, up to [`TARGET_BYTES`].
fn journald_text() -> Vec<u8> {
    let netfilter = texts(
        &fixtures_named("samples/psad", "iptables_")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let mut out = String::new();
    let mut micros: u64 = 1_426_106_111_251_762;
    for line in lines(&netfilter) {
        if out.len() >= TARGET_BYTES {
            break;
        }
        let line = String::from_utf8_lossy(line);
        let Some((_, message)) = line.split_once("kernel: ") else {
            continue;
        };
        // The kernel's uptime stamp is the journal's own field, not the message's.
        let message = match message.strip_prefix('[') {
            Some(rest) => rest.split_once("] ").map_or(message, |(_, m)| m),
            None => message,
        };
        let message = serde_json::to_string(message).expect("a JSON string");
        writeln!(
            out,
            r#"{{"__REALTIME_TIMESTAMP":"{micros}","_TRANSPORT":"kernel","SYSLOG_IDENTIFIER":"kernel","_HOSTNAME":"linux","PRIORITY":"4","MESSAGE":{message}}}"#
        )
        .expect("writing to a String");
        micros += 1_037;
    }
    out.into_bytes()
}

/// The input of a forced format's benchmark. The match has no catch-all arm,
/// so a new format cannot go unmeasured.
fn text_of(format: Format) -> Vec<u8> {
    match format {
        Format::Netfilter => netfilter_text(),
        Format::Ipchains => texts(&[
            "paper/01-ntp-misconfig/ipchains.log",
            "paper/02-subseven/ipchains.log",
            "paper/04-deep-throat/ipchains.log",
            "paper/05-smb-wildcard/ipchains.log",
            "paper/06-wingate/ipchains.log",
            "paper/07-hackatack/ipchains.log",
            "paper/09-nntp-scanner/ipchains.log",
            "samples/ipchains/lkml_ipchains_excerpts.log",
        ]),
        Format::Sunscreen => texts(&[
            "paper/03-netbios-spoofed/sunscreen.log",
            "paper/08-netbios-arpanet/sunscreen.log",
            "paper/10-port81-sweep/sunscreen.log",
        ]),
        Format::SnortFull => texts(&[
            "paper/04-deep-throat/snort.alert",
            "paper/05-smb-wildcard/snort.alert",
            "paper/06-wingate/snort.alert",
            "samples/snort/securitywing_alert.full",
            "samples/elastic/snort_test-log-full.log",
        ]),
        Format::SnortFast => texts(&["samples/elastic/snort_test-log-fast.log"]),
        Format::SnortSyslog => snort_syslog_text(),
        Format::Pf => texts(&["samples/psad/pf_syn_scan_1100_1500"]),
        Format::CiscoAsa => texts(&["samples/vendor/cisco_asa.log"]),
        Format::CiscoIos => texts(&["samples/vendor/cisco_ios.log"]),
        Format::Filterlog => texts(&["samples/vendor/filterlog.log"]),
        Format::Ipmon => texts(&["samples/vendor/ipmon.log"]),
        Format::Ipfw => texts(&["samples/vendor/ipfw.log"]),
        Format::WindowsFirewall => texts(&["samples/vendor/windows_firewall.log"]),
        Format::Juniper => texts(&["samples/vendor/juniper.log"]),
        Format::Fortigate => texts(&["samples/vendor/fortigate.log"]),
        Format::SuricataEve => texts(&[
            "samples/suricata_eve/eve-2.json",
            "samples/suricata_eve/eve_udp_flow.json",
        ]),
        Format::ZeekConn => texts(&[
            "samples/zeek/brimdata_zed_conn.log",
            "samples/zeek/zeek_teredo_conn.log",
            "samples/zeek/brimdata_zed_conn_iso.json",
            "samples/zeek/zeek_teredo_conn.json",
        ]),
        Format::Journald => journald_text(),
    }
}

/// One classic pcap file (little-endian microseconds, Ethernet, the largest
/// snapshot length of its parts) holding the frames of the repository's
/// Ethernet captures, repeated.
fn capture() -> Vec<u8> {
    let parts = [
        "samples/pcaps/esnet_curated/attacks_scanners_masscan_tcp_0_1000_20190821.pcap",
        "samples/pcaps/esnet_curated/attacks_scanners_masscan_udp_0_1000_20190821.pcap",
        "samples/pcaps/esnet_curated/attacks_scanners_nmap_nmap_80_all.pcap",
        "samples/pcaps/esnet_curated/attacks_scanners_nmap_nmap_80_w_service_detection.pcap",
        "samples/pcaps/ncsa_bro_simple_scan/pcaps_backscatter.trace",
    ];
    let mut header: Option<[u8; PCAP_HEADER]> = None;
    let mut frames = Vec::new();
    for path in parts {
        let bytes = fixture(path);
        let (head, body) = bytes.split_at(PCAP_HEADER);
        // Magic, version, zone and accuracy, then the snapshot length, then the link type.
        let ours = header.get_or_insert_with(|| head.try_into().expect("a pcap header"));
        assert_eq!(ours[..16], head[..16], "{path}: another pcap flavour");
        assert_eq!(ours[20..], head[20..], "{path}: another link type");
        let snaplen = |h: &[u8]| u32::from_le_bytes(h[16..20].try_into().expect("4 bytes"));
        if snaplen(head) > snaplen(ours) {
            ours[16..20].copy_from_slice(&head[16..20]);
        }
        frames.extend_from_slice(body);
    }
    let mut out = header.expect("at least one capture").to_vec();
    out.extend_from_slice(&repeated(frames));
    out
}

/// Every benchmark's input, in the order they run.
fn inputs() -> Vec<Input> {
    let mut out: Vec<Input> = Format::ALL
        .into_iter()
        .map(|format| Input {
            name: format.as_str().to_string(),
            bytes: repeated(text_of(format)),
            kind: Kind::Lines(Some(format)),
        })
        .collect();
    out.push(Input {
        name: "pcap".into(),
        bytes: capture(),
        kind: Kind::Capture,
    });
    out.push(Input {
        name: "sniffed/netfilter".into(),
        bytes: repeated(netfilter_text()),
        kind: Kind::Lines(None),
    });
    out.push(Input {
        name: "line_split".into(),
        bytes: repeated(netfilter_text()),
        kind: Kind::Split,
    });
    out
}

/// Feeds every line of `text` to a fresh dispatcher, as picket's reader
/// does: split on `\n`, a trailing `\r` removed, lines numbered from 1.
fn parse_lines(text: &[u8], forced: Option<Format>, sink: &mut Count) -> u64 {
    let mut dispatcher = Dispatcher::new(forced);
    let mut time = TimeContext::fixed_year(YEAR);
    let mut start = 0;
    let mut line_no = 0;
    for end in memchr::memchr_iter(b'\n', text) {
        line_no += 1;
        let line = &text[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        dispatcher.feed(line, line_no, &mut time, sink);
        start = end + 1;
    }
    if start < text.len() {
        line_no += 1;
        dispatcher.feed(&text[start..], line_no, &mut time, sink);
    }
    dispatcher.finish(&mut time, sink);
    line_no
}

/// Splits `text` into lines as [`parse_lines`] does, and only counts them
/// and their bytes.
fn split_lines(text: &[u8]) -> (u64, u64) {
    let mut start = 0;
    let mut lines = 0;
    let mut bytes = 0;
    for end in memchr::memchr_iter(b'\n', text) {
        let line = black_box(&text[start..end]);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        lines += 1;
        bytes += line.len() as u64;
        start = end + 1;
    }
    (lines, bytes)
}

/// Reads an input once. Returns the packets it held (lines, for `Split`)
/// and what the sink saw.
fn run(input: &Input) -> (u64, Count) {
    let mut sink = Count::default();
    let packets = match input.kind {
        Kind::Lines(forced) => {
            parse_lines(&input.bytes, forced, &mut sink);
            sink.packets
        }
        Kind::Capture => {
            let stats = read_capture(Cursor::new(input.bytes.as_slice()), &mut sink)
                .unwrap_or_else(|e| panic!("{}: {e}", input.name));
            assert_eq!(stats.packets, sink.packets, "{}", input.name);
            sink.packets
        }
        Kind::Split => split_lines(&input.bytes).0,
    };
    (packets, sink)
}

/// Non-blank lines (frames, for a capture) in an input, to turn bytes per
/// second into lines per second.
fn records(input: &Input) -> u64 {
    match input.kind {
        Kind::Capture => {
            let mut sink = Count::default();
            read_capture(Cursor::new(input.bytes.as_slice()), &mut sink)
                .map(|stats| stats.frames)
                .unwrap_or(0)
        }
        _ => lines(&input.bytes).count() as u64,
    }
}

fn parsers(c: &mut Criterion) {
    let inputs = inputs();
    eprintln!(
        "{:<18} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "input", "bytes", "lines", "packets", "unread", "warned", "skipped"
    );
    for input in &inputs {
        let (packets, sink) = run(input);
        eprintln!(
            "{:<18} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8}",
            input.name,
            input.bytes.len(),
            records(input),
            packets,
            sink.unrecognized,
            sink.warnings,
            sink.skipped
        );
    }

    let mut group = c.benchmark_group("parse");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for input in &inputs {
        group.throughput(Throughput::Bytes(input.bytes.len() as u64));
        group.bench_function(input.name.as_str(), |b| {
            let mut first = true;
            b.iter(|| {
                let (packets, _) = run(black_box(input));
                if first {
                    assert!(packets > 0, "{}: nothing read", input.name);
                    first = false;
                }
                packets
            });
        });
    }
    group.finish();
}

criterion_group!(benches, parsers);
criterion_main!(benches);
