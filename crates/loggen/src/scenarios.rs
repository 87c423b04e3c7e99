//! The labelled scenarios: each a few hundred packets of one kind of
//! activity, with the source(s) and the verdict an analysis should reach.

use serde::Serialize;

use crate::event::{Event, Proto};
use crate::rng::Rng;

/// What an analysis of the log should conclude about some sources.
#[derive(Clone, Debug, Serialize)]
pub struct Label {
    /// A name for the scenario.
    pub scenario: String,
    /// The sources behind it (a flood's first few).
    pub sources: Vec<String>,
    /// The detect kind expected.
    pub kind: String,
    /// The scan type expected, for scans.
    pub scan_type: Option<String>,
}

/// The home network: a /24 every scenario aims at.
pub const HOME: [u8; 3] = [203, 0, 113];

/// Seconds the log spans.
pub const SPAN_SECS: u64 = 86_400;

/// First octets of publicly routed /8s, for outside addresses.
const PUBLIC: [u8; 15] = [
    23, 45, 61, 77, 89, 103, 116, 125, 141, 159, 176, 185, 193, 212, 222,
];

/// A public address from a number: distinct numbers give distinct addresses.
pub fn public(n: u64) -> [u8; 4] {
    let first = PUBLIC[(n % PUBLIC.len() as u64) as usize];
    let rest = n / PUBLIC.len() as u64;
    [
        first,
        (rest >> 16) as u8,
        (rest >> 8) as u8,
        (rest as u8).max(1),
    ]
}

fn home(host: u8) -> [u8; 4] {
    [HOME[0], HOME[1], HOME[2], host]
}

fn ip(a: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])
}

/// Builds every scenario. Scenario sources are numbered from `base` so they
/// never collide with noise sources.
pub fn all(rng: &mut Rng, base: u64) -> (Vec<Event>, Vec<Label>) {
    let mut events = Vec::new();
    let mut labels = Vec::new();
    let mut next = base;
    let mut source = || {
        next += 7919;
        public(next)
    };
    let start = |rng: &mut Rng| rng.range(3_600, SPAN_SECS - 7_200) * 1_000_000;

    // Vertical scans, one per TCP technique, and UDP.
    let techniques: [(&str, Proto, &str); 7] = [
        ("syn-scan", Proto::Tcp("SYN"), "syn"),
        ("fin-scan", Proto::Tcp("FIN"), "fin"),
        ("null-scan", Proto::Tcp(""), "null"),
        ("xmas-scan", Proto::Tcp("URG PSH FIN"), "xmas"),
        ("ack-scan", Proto::Tcp("ACK"), "ack"),
        ("maimon-scan", Proto::Tcp("ACK FIN"), "maimon"),
        ("udp-scan", Proto::Udp(8), "udp"),
    ];
    for (i, (name, proto, scan)) in techniques.into_iter().enumerate() {
        let src = source();
        let t0 = start(rng);
        let target = home(10 + i as u8);
        let sport = rng.range(30_000, 60_000) as u16;
        for (k, port) in (1..=300u16).enumerate() {
            let mut e = Event::syn(t0 + k as u64 * 900, src, target, sport, port);
            e.proto = proto;
            e.len = if matches!(proto, Proto::Udp(_)) {
                28
            } else {
                40
            };
            e.ttl = 47;
            e.id = rng.below(65_536) as u16;
            events.push(e);
        }
        labels.push(label(name, &[src], "port-scan", Some(scan)));
    }

    // A slow scan: one port every 15 minutes for ten hours.
    let src = source();
    for k in 0..40u64 {
        let mut e = Event::syn(
            k * 900 * 1_000_000 + 1_000,
            src,
            home(30),
            51_000,
            1000 + k as u16,
        );
        e.id = rng.below(65_536) as u16;
        events.push(e);
    }
    labels.push(label("slow-scan", &[src], "port-scan", Some("syn")));

    // A horizontal sweep of ssh, an ICMP echo sweep, a block scan.
    let src = source();
    let t0 = start(rng);
    for h in 1..=60u8 {
        events.push(Event::syn(
            t0 + u64::from(h) * 20_000,
            src,
            home(h),
            44_000 + u16::from(h),
            22,
        ));
    }
    labels.push(label("ssh-sweep", &[src], "host-sweep", Some("syn")));
    let src = source();
    let t0 = start(rng);
    for h in 1..=40u8 {
        let mut e = Event::syn(t0 + u64::from(h) * 50_000, src, home(h), 0, 0);
        e.proto = Proto::Icmp(8, 0);
        e.len = 28;
        events.push(e);
    }
    labels.push(label("ping-sweep", &[src], "host-sweep", Some("icmp-echo")));
    let src = source();
    let t0 = start(rng);
    for h in 1..=20u8 {
        for p in [21u16, 22, 23, 25, 80, 110, 143, 443, 445, 3389] {
            events.push(Event::syn(
                t0 + u64::from(h) * 40_000 + u64::from(p),
                src,
                home(h),
                33_000,
                p,
            ));
        }
    }
    labels.push(label("block-scan", &[src], "block-scan", Some("syn")));

    // An IP protocol scan.
    let src = source();
    let t0 = start(rng);
    for p in 0..=120u8 {
        let mut e = Event::syn(t0 + u64::from(p) * 1_000, src, home(40), 0, 0);
        e.proto = Proto::Other(if p == 6 || p == 17 || p == 1 {
            200 + p
        } else {
            p
        });
        e.len = 20;
        events.push(e);
    }
    labels.push(label(
        "protocol-scan",
        &[src],
        "port-scan",
        Some("ip-protocol"),
    ));

    // A distributed scan: four sources, one tool, each a quarter of the ports.
    let t0 = start(rng);
    let mut srcs = Vec::new();
    for q in 0..4u16 {
        let src = source();
        srcs.push(src);
        for port in (q * 50 + 1)..=(q * 50 + 50) {
            let mut e = Event::syn(t0 + u64::from(port) * 5_000, src, home(50), 61_000, port);
            e.ttl = 44;
            e.window = 2048;
            events.push(e);
        }
    }
    for src in &srcs {
        labels.push(label("distributed-scan", &[*src], "port-scan", Some("syn")));
    }

    // Worms: SQL Slammer from three sources, Mirai telnet probes.
    for _ in 0..3 {
        let src = source();
        let t0 = start(rng);
        for h in 0..3u8 {
            let mut e = Event::syn(t0 + u64::from(h) * 3_000, src, home(60 + h), 1_055, 1434);
            e.proto = Proto::Udp(384);
            e.len = 404;
            e.ttl = 113;
            events.push(e);
        }
        labels.push(label("slammer", &[src], "worm", None));
    }
    let src = source();
    let t0 = start(rng);
    for h in 0..4u8 {
        for port in [23u16, 2323] {
            events.push(Event::syn(
                t0 + u64::from(h) * 700_000 + u64::from(port),
                src,
                home(70 + h),
                40_100 + u16::from(h),
                port,
            ));
        }
    }
    labels.push(label("mirai", &[src], "worm", None));

    // A SYN flood from forged sources, one packet each, one TTL.
    let t0 = start(rng);
    let mut first = Vec::new();
    for k in 0..3_000u64 {
        let src = if k % 50 == 0 {
            [10, (k >> 8) as u8, k as u8, 1]
        } else {
            public(9_000_000 + k * 13)
        };
        if first.len() < 5 {
            first.push(src);
        }
        let mut e = Event::syn(
            t0 + k * 300,
            src,
            home(80),
            rng.range(1_024, 65_000) as u16,
            80,
        );
        e.ttl = 57;
        e.window = 512;
        events.push(e);
    }
    labels.push(label("syn-flood", &first, "flood", None));

    // Backscatter: SYN-ACKs and RSTs answering someone else's forged SYNs.
    for k in 0..40u64 {
        let src = source();
        let t0 = start(rng);
        let flags = if k % 2 == 0 { "ACK SYN" } else { "ACK RST" };
        for j in 0..rng.range(1, 3) {
            let mut e = Event::syn(
                t0 + j * 1_000_000,
                src,
                home(rng.range(1, 254) as u8),
                80,
                rng.range(1_024, 65_000) as u16,
            );
            e.proto = Proto::Tcp(flags);
            e.window = 65_535;
            e.ttl = 50;
            events.push(e);
        }
        labels.push(label("backscatter", &[src], "backscatter", None));
    }

    // A compromised inside host scanning out for SMB.
    let inside = home(200);
    let t0 = start(rng);
    for k in 0..80u64 {
        let mut e = Event::syn(
            t0 + k * 30_000,
            inside,
            public(5_000_000 + k * 31),
            49_152 + k as u16,
            445,
        );
        e.outbound = true;
        e.ttl = 128;
        e.window = 8192;
        events.push(e);
    }
    labels.push(label(
        "compromised-host",
        &[inside],
        "compromise",
        Some("syn"),
    ));

    // NTP replies that a local rule drops: a misconfiguration.
    let server = source();
    for k in 0..12u64 {
        let mut e = Event::syn(
            k * 1_024_000_000 + 500_000,
            server,
            home(5),
            123,
            40_000 + k as u16,
        );
        e.proto = Proto::Udp(56);
        e.len = 76;
        e.ttl = 245;
        events.push(e);
    }
    labels.push(label(
        "ntp-misconfiguration",
        &[server],
        "misconfiguration",
        None,
    ));

    // Accepted traffic (web clients), so that first-contact outcomes exist,
    // and a scanner that Threshold Random Walk catches after four failures.
    for k in 0..50u64 {
        let src = source();
        let mut e = Event::syn(
            start(rng) + k,
            src,
            home(8),
            rng.range(1_024, 65_000) as u16,
            443,
        );
        e.accept = true;
        e.window = 64_240;
        e.len = 60;
        events.push(e);
    }
    let src = source();
    let t0 = start(rng);
    for h in [101u8, 102, 103, 104] {
        events.push(Event::syn(
            t0 + u64::from(h) * 2_000_000,
            src,
            home(h),
            52_000 + u16::from(h),
            3389,
        ));
    }
    labels.push(label("trw-scanner", &[src], "host-sweep", Some("syn")));

    events.sort_by_key(|e| e.at_us);
    (events, labels)
}

fn label(name: &str, sources: &[[u8; 4]], kind: &str, scan: Option<&str>) -> Label {
    Label {
        scenario: name.to_string(),
        sources: sources.iter().map(|s| ip(*s)).collect(),
        kind: kind.to_string(),
        scan_type: scan.map(str::to_string),
    }
}
