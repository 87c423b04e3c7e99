//! Every vendor firewall sample parses whole through format sniffing, each
//! line goes to its own vendor's parser, and hostile input never panics.

use std::sync::LazyLock;

use picket_model::{Action, Packet, Sensor};
use picket_parse::dispatch::{Collect, parse_text};
use picket_parse::{Dispatcher, Format, TimeContext};
use proptest::prelude::*;

const VENDOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/samples/vendor/"
);

/// What one sample file must give, counted from the file by hand.
struct Sample {
    file: &'static str,
    format: Format,
    sensor: Sensor,
    packets: usize,
    /// Lines understood without a packet (headers, counters, other
    /// messages of the vendor, session starts whose end is logged).
    skipped: &'static [u64],
    /// Lines of other programs in the sample, which no parser claims.
    foreign: &'static [u64],
    /// Lines kept with a warning.
    warned: &'static [u64],
}

const SAMPLES: [Sample; 8] = [
    Sample {
        file: "cisco_asa.log",
        format: Format::CiscoAsa,
        sensor: Sensor::CiscoAsa,
        packets: 43,
        skipped: &[1, 2, 5, 7, 9, 11, 12, 22, 30, 34, 35, 52, 54],
        foreign: &[],
        // 313001 to the device, with no syslog host to stand for it.
        warned: &[48, 56],
    },
    Sample {
        file: "cisco_ios.log",
        format: Format::CiscoIos,
        sensor: Sensor::CiscoIos,
        packets: 24,
        skipped: &[8, 11],
        foreign: &[14, 15],
        warned: &[],
    },
    Sample {
        file: "filterlog.log",
        format: Format::Filterlog,
        sensor: Sensor::Pf,
        packets: 23,
        skipped: &[],
        foreign: &[22, 23],
        warned: &[],
    },
    Sample {
        file: "ipmon.log",
        format: Format::Ipmon,
        sensor: Sensor::Ipfilter,
        packets: 10,
        skipped: &[1, 2, 8, 9, 10, 11, 12, 13, 14, 15],
        foreign: &[],
        warned: &[],
    },
    Sample {
        file: "ipfw.log",
        format: Format::Ipfw,
        sensor: Sensor::Ipfw,
        packets: 15,
        skipped: &[15],
        foreign: &[],
        // A fragment carries no ports.
        warned: &[13],
    },
    Sample {
        file: "windows_firewall.log",
        format: Format::WindowsFirewall,
        sensor: Sensor::WindowsFirewall,
        packets: 11,
        skipped: &[1, 2, 3, 4, 9, 10, 16, 19],
        foreign: &[],
        // INFO-EVENTS-LOST: 59 events the logger lost.
        warned: &[19],
    },
    Sample {
        file: "juniper.log",
        format: Format::Juniper,
        sensor: Sensor::Juniper,
        packets: 14,
        skipped: &[5, 6, 12, 13, 14, 17],
        foreign: &[],
        warned: &[],
    },
    Sample {
        file: "fortigate.log",
        format: Format::Fortigate,
        sensor: Sensor::Fortigate,
        packets: 9,
        skipped: &[1, 3, 4, 11, 13, 16],
        foreign: &[15],
        warned: &[],
    },
];

fn read(file: &str) -> Vec<u8> {
    let path = format!("{VENDOR}{file}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sniffed(text: &[u8]) -> Collect {
    parse_text(text, None, &mut TimeContext::fixed_year(2024))
}

fn lines(text: &[u8]) -> Vec<&[u8]> {
    text.split(|b| *b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .collect()
}

#[test]
fn every_sample_parses_whole_with_exact_counts() {
    for sample in &SAMPLES {
        let text = read(sample.file);
        let out = sniffed(&text);
        let name = sample.file;
        assert_eq!(out.packets.len(), sample.packets, "{name} packets");
        assert_eq!(out.skipped, sample.skipped, "{name} skipped");
        let unrecognized: Vec<u64> = out.unrecognized.iter().map(|(line, _)| *line).collect();
        assert_eq!(unrecognized, sample.foreign, "{name} unrecognized");
        let warned: Vec<u64> = out.warnings.iter().map(|(line, _)| *line).collect();
        assert_eq!(warned, sample.warned, "{name} warnings {:?}", out.warnings);
        assert!(
            out.packets.iter().all(|p| p.sensor == sample.sensor),
            "{name}: a packet from another sensor"
        );
        // Every line is a packet, a skipped line or another program's.
        let total = lines(&text).len();
        assert_eq!(
            sample.packets + sample.skipped.len() + sample.foreign.len(),
            total,
            "{name}: lines unaccounted for"
        );
        assert!(out.packets.iter().all(|p| p.origin.line > 0));
    }
}

#[test]
fn sniffing_gives_what_the_forced_format_gives() {
    for sample in &SAMPLES {
        let text = read(sample.file);
        let sniffed = sniffed(&text);
        let forced = parse_text(
            &text,
            Some(sample.format),
            &mut TimeContext::fixed_year(2024),
        );
        assert_eq!(sniffed.packets, forced.packets, "{}", sample.file);
        assert_eq!(sniffed.skipped, forced.skipped, "{}", sample.file);
    }
}

#[test]
fn no_line_is_claimed_by_another_format() {
    for sample in &SAMPLES {
        let text = read(sample.file);
        for format in Format::ALL {
            if format == sample.format {
                continue;
            }
            let parser = format.parser();
            for (i, line) in lines(&text).iter().enumerate() {
                assert!(
                    !parser.claims(line),
                    "{} line {} claimed by {}",
                    sample.file,
                    i + 1,
                    format.as_str()
                );
            }
        }
    }
}

#[test]
fn samples_hold_the_facts_an_analyst_reads() {
    let asa = sniffed(&read("cisco_asa.log"));
    let unanswered = asa
        .packets
        .iter()
        .filter(|p| {
            p.flow
                .as_ref()
                .and_then(|f| f.outcome)
                .is_some_and(|o| o == picket_model::FlowOutcome::Unanswered)
        })
        .count();
    assert_eq!(unanswered, 1, "one SYN Timeout teardown");
    let dropped = |out: &Collect| {
        out.packets
            .iter()
            .filter(|p| p.action == Action::Drop)
            .count()
    };
    assert_eq!(dropped(&asa), 31);
    let ios = sniffed(&read("cisco_ios.log"));
    let summarized: u64 = ios
        .packets
        .iter()
        .filter_map(|p| p.flow.as_ref().and_then(|f| f.packets_out))
        .sum();
    assert_eq!(summarized, 9 + 32 + 327 + 342 + 2 + 6 + 20 + 8);
    let pf = sniffed(&read("filterlog.log"));
    let syns = pf
        .packets
        .iter()
        .filter(|p| {
            p.tcp_flags()
                .is_some_and(|f| f.is_exactly(picket_model::TcpFlags::SYN))
        })
        .count();
    assert_eq!(syns, 15);
    let windows = sniffed(&read("windows_firewall.log"));
    assert_eq!(dropped(&windows), 9);
    let juniper = sniffed(&read("juniper.log"));
    assert_eq!(dropped(&juniper), 6);
    let fortigate = sniffed(&read("fortigate.log"));
    assert_eq!(dropped(&fortigate), 3);
    let timeless: Vec<&Packet> = [&asa, &ios, &pf, &windows, &juniper, &fortigate]
        .iter()
        .flat_map(|out| out.packets.iter())
        .filter(|p| p.time.is_none())
        .collect();
    assert!(timeless.is_empty(), "{timeless:?}");
}

/// Feeds every line to one sniffing dispatcher and one forced to `format`.
fn feed_all(lines: &[Vec<u8>], format: Format) {
    let mut time = TimeContext::fixed_year(2024);
    let mut sniffing = Dispatcher::new(None);
    let mut forced = Dispatcher::new(Some(format));
    let mut sink = Collect::default();
    for (i, line) in lines.iter().enumerate() {
        sniffing.feed(line, i as u64 + 1, &mut time, &mut sink);
        forced.feed(line, i as u64 + 1, &mut time, &mut sink);
    }
    sniffing.finish(&mut time, &mut sink);
    forced.finish(&mut time, &mut sink);
}

#[test]
fn every_prefix_of_every_sample_line_is_safe() {
    for sample in &SAMPLES {
        let text = read(sample.file);
        let prefixes: Vec<Vec<u8>> = lines(&text)
            .iter()
            .flat_map(|line| (0..=line.len()).map(|n| line[..n].to_vec()))
            .collect();
        feed_all(&prefixes, sample.format);
    }
}

#[test]
fn binary_huge_and_invalid_utf8_lines_are_safe() {
    let small: Vec<Vec<u8>> = vec![(0..=255u8).collect(), vec![0xff; 4096], Vec::new()];
    for sample in &SAMPLES {
        feed_all(&small, sample.format);
    }
    let markers: [(Format, &[u8]); 10] = [
        (Format::CiscoAsa, b"Oct 10 2018 12:34:56 h: %ASA-4-106023: Deny tcp src "),
        (
            Format::CiscoIos,
            b"Feb  8 04:00:48 r 1: Feb  8 04:00:47.272: %SEC-6-IPACCESSLOGP: list 1 denied tcp ",
        ),
        (
            Format::Filterlog,
            b"<134>Jul  3 19:10:30 filterlog[1]: 1,,,2,em0,match,block,in,4,",
        ),
        (
            Format::Ipmon,
            b"28/06/2020 18:57:52.179848 rge0 @0:12 b 1.2.3.4,1 -> 5.6.7.8,2 PR tcp len ",
        ),
        (Format::Ipfw, b"Feb  3 08:00:02 h kernel: ipfw: 900 Deny UDP "),
        (Format::WindowsFirewall, b"2024-01-02 10:20:30 DROP TCP "),
        (
            Format::Juniper,
            b"<14>1 2019-11-14T09:37:51Z h RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@1 source-address=\"",
        ),
        (
            Format::Juniper,
            b"h: NetScreen device_id=x [Root]system-notification-00257(traffic): src=",
        ),
        (Format::Fortigate, b"logid=\"0000000013\" type=\"traffic\" srcip="),
        (
            Format::Juniper,
            b"h: NetScreen device_id=x [Root]system-critical-00438: X! From ",
        ),
    ];
    for (format, marker) in markers {
        let mut huge = marker.to_vec();
        huge.resize(1 << 20, b'9');
        let mut spaced = marker.to_vec();
        while spaced.len() < 1 << 20 {
            spaced.extend_from_slice(b"a=\" ( -> /:,");
        }
        let mut invalid = marker.to_vec();
        invalid.extend_from_slice(&[0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, b' ', 0xf0, 0x90]);
        feed_all(&[huge, spaced, invalid], format);
    }
    // Sample lines with their bytes corrupted one at a time.
    for sample in &SAMPLES {
        let text = read(sample.file);
        let mut corrupted = Vec::new();
        for line in lines(&text) {
            for at in (0..line.len()).step_by(7) {
                let mut bad = line.to_vec();
                bad[at] = 0xff;
                corrupted.push(bad);
            }
        }
        feed_all(&corrupted, sample.format);
    }
}

/// The first packet line of each sample, for the property tests.
static SEEDS: LazyLock<Vec<(Format, Vec<u8>)>> = LazyLock::new(|| {
    SAMPLES
        .iter()
        .map(|sample| {
            let text = read(sample.file);
            let out = sniffed(&text);
            let line_no = out.packets.first().map_or(1, |p| p.origin.line);
            let line = lines(&text)[line_no as usize - 1].to_vec();
            (sample.format, line)
        })
        .collect()
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_after_a_vendor_marker_never_panic(
        which in 0usize..8,
        tail in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let (format, seed) = &SEEDS[which];
        let cut = seed.len() / 2;
        let mut line = seed[..cut].to_vec();
        line.extend_from_slice(&tail);
        feed_all(&[line], *format);
    }

    #[test]
    fn sample_lines_with_spliced_bytes_never_panic(
        which in 0usize..8,
        at in 0usize..2000,
        len in 0usize..40,
        insert in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let (format, seed) = &SEEDS[which];
        let start = at.min(seed.len());
        let end = (start + len).min(seed.len());
        let mut line = seed[..start].to_vec();
        line.extend_from_slice(&insert);
        line.extend_from_slice(&seed[end..]);
        feed_all(&[line], *format);
    }
}
