//! Reports for the renderers' tests: a realistic one rebuilt from the
//! paper's detects (`shared/seed/detects`), a hostile one whose logged
//! fields try to break out of every output, and many tiny probes.

use picket_model::{
    Counted, Detect, DetectKind, EvidenceRef, InputSummary, Report, ScanType, Severity,
    SeverityLevel, Spoofed, Summary,
};

/// Text a hostile sender can place in logged fields: terminal escapes, a
/// bidi override, HTML, a Markdown link and table row, a backtick and a
/// spreadsheet formula.
pub(crate) const HOSTILE: &str =
    "\x1b[2J\x1b]0;pwned\x07 \u{202e}gpj.exe <script> [x](http://e) | a | b | ` =cmd|' /C calc'!A0";

/// Strings for a list.
fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Evidence pointing at lines of one file, with their text.
fn evidence(path: &str, first_line: u64, lines: &[&str]) -> Vec<EvidenceRef> {
    lines
        .iter()
        .zip(first_line..)
        .map(|(text, line)| EvidenceRef {
            path: path.to_owned(),
            line,
            text: Some((*text).to_owned()),
        })
        .collect()
}

/// A severity with its four reasons.
fn severity(values: [u8; 4], level: SeverityLevel, reasons: [&str; 4]) -> Severity {
    let [criticality, lethality, system, network] = values;
    Severity {
        criticality,
        lethality,
        system_countermeasures: system,
        network_countermeasures: network,
        score: (criticality + lethality) as i8 - (system + network) as i8,
        level,
        reasons: strings(&reasons),
    }
}

/// A detect with plain defaults, for tests to adjust.
pub(crate) fn detect(id: &str, kind: DetectKind, level: SeverityLevel) -> Detect {
    Detect {
        id: id.to_owned(),
        title: String::new(),
        first_seen: "2000-04-12T04:49:49+00:00".to_owned(),
        last_seen: "2000-04-12T04:49:49+00:00".to_owned(),
        sensors: strings(&["ipchains"]),
        sources: strings(&["a.supercomputer.place"]),
        targets: strings(&["me.home.com"]),
        protocols: strings(&["tcp"]),
        target_ports: vec![27374],
        packets: 1,
        kind,
        scan_type: None,
        spoofed: Spoofed::Possible,
        active_targeting: String::new(),
        intent: String::new(),
        technique: String::new(),
        history: String::new(),
        identity: String::new(),
        severity: severity([2, 3, 3, 4], level, ["", "", "", ""]),
        recommendations: Vec::new(),
        observations: Vec::new(),
        evidence: Vec::new(),
        evidence_total: 0,
        related: Vec::new(),
        tool_signature: None,
        sources_total: 0,
    }
}

/// Lines of paper detect 10 (port 81 sweep), as the SunScreen logged them.
const SWEEP_LINES: [&str; 10] = [
    "197118 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.799467 somewhere.uk -> www.xxx.yyy.65 TCP D=81 S=35039 Syn Seq=1630776701 Len=0 Win=8760",
    "197119 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.815759 somewhere.uk -> www.xxx.yyy.110 TCP D=81 S=35084 Syn Seq=1633711439 Len=0 Win=8760",
    "197120 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.821791 somewhere.uk -> www.xxx.yyy.120 TCP D=81 S=35094 Syn Seq=1634569286 Len=0 Win=8760",
    "197121 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.881175 somewhere.uk -> www.xxx.yyy.111 TCP D=81 S=35085 Syn Seq=1633717717 Len=0 Win=8760",
    "197122 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.881790 somewhere.uk -> www.xxx.yyy.116 TCP D=81 S=35090 Syn Seq=1634129000 Len=0 Win=8760",
    "197123 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.882470 somewhere.uk -> www.xxx.yyy.118 TCP D=81 S=35092 Syn Seq=1634455097 Len=0 Win=8760",
    "197124 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.883093 somewhere.uk -> www.xxx.yyy.117 TCP D=81 S=35091 Syn Seq=1634163889 Len=0 Win=8760",
    "197125 qfe0 (deny rule or no pass rule)2000/4/23 23:40:41.883867 somewhere.uk -> www.xxx.yyy.121 TCP D=81 S=35095 Syn Seq=1634778972 Len=0 Win=8760",
    "197126 qfe0 (deny rule or no pass rule)2000/4/23 23:40:43.692429 somewhere.uk -> www.xxx.yyy.110 TCP D=81 S=35084 Rst Seq=1633711440 Len=0 Win=8760",
    "197127 qfe0 (deny rule or no pass rule)2000/4/23 23:40:43.692654 somewhere.uk -> www.xxx.yyy.111 TCP D=81 S=35085 Rst Seq=1633717718 Len=0 Win=8760",
];

/// Paper detect 10: one source sweeping TCP 81 across the DMZ.
fn port81_sweep() -> Detect {
    let mut sweep = detect(
        "sweep-81-somewhere.uk",
        DetectKind::HostSweep,
        SeverityLevel::Medium,
    );
    sweep.title = "Sweep of 81/tcp across 15 hosts from somewhere.uk".to_owned();
    sweep.first_seen = "2000-04-23T23:40:41.799467+00:00".to_owned();
    sweep.last_seen = "2000-04-23T23:40:43.722091+00:00".to_owned();
    sweep.sensors = strings(&["sunscreen"]);
    sweep.sources = strings(&["somewhere.uk"]);
    sweep.targets = [
        65, 110, 120, 111, 116, 118, 117, 121, 112, 113, 114, 115, 119, 122, 123,
    ]
    .iter()
    .map(|n| format!("www.xxx.yyy.{n}"))
    .collect();
    sweep.target_ports = vec![81];
    sweep.packets = 23;
    sweep.scan_type = Some(ScanType::Syn);
    sweep.spoofed = Spoofed::Unlikely;
    sweep.active_targeting = "Yes: the sweep walked the DMZ class C, starting with \
        www.xxx.yyy.65 and www.xxx.yyy.110, names a DNS zone would list first."
        .to_owned();
    sweep.intent =
        "Reconnaissance: finding hosts that answer on 81/tcp, an alternate web port.".to_owned();
    sweep.technique = "SYNs to 15 hosts within 90 ms, then about 1.8 s later a RST to each \
        carrying the SYN's sequence number plus one, though the firewall answered nothing: \
        the scanning tool sends the RSTs itself."
        .to_owned();
    sweep.history = "No earlier activity from this source in these logs.".to_owned();
    sweep.identity = "somewhere.uk, as the SunScreen resolved it.".to_owned();
    sweep.severity = severity(
        [5, 2, 4, 5],
        SeverityLevel::Medium,
        [
            "the sweep reached the DNS server and the web cluster",
            "reconnaissance only, nothing sent past the handshake",
            "all DMZ servers run Solaris and nothing listens on 81/tcp",
            "the firewall dropped every SYN",
        ],
    );
    sweep.recommendations = strings(&[
        "Confirm that no DMZ host offers a service on 81/tcp.",
        "Watch for a second pass from the same source at the hosts that were skipped.",
    ]);
    sweep.observations = strings(&[
        "Eight SYN/RST pairs: each RST carries its SYN's sequence number plus one.",
        "Seven RSTs have no SYN in the log.",
        "TCP window 8760 on every packet.",
    ]);
    sweep.evidence = evidence("paper/10-port81-sweep/sunscreen.log", 1, &SWEEP_LINES);
    sweep.evidence_total = 23;
    sweep
}

/// Paper detect 02: one SubSeven source, four retransmitted SYNs.
fn subseven(source: &str, id: &str, related: &str, lines: &[&str], first_line: u64) -> Detect {
    let mut probe = detect(id, DetectKind::TrojanProbe, SeverityLevel::Low);
    probe.title = format!("SubSeven trojan probe of 27374/tcp from {source}");
    probe.sources = strings(&[source]);
    probe.packets = 4;
    probe.scan_type = Some(ScanType::Syn);
    probe.spoofed = Spoofed::Unlikely;
    probe.active_targeting = "Yes: a single SYN to me.home.com, retransmitted.".to_owned();
    probe.intent = "Looking for hosts infected with the SubSeven trojan.".to_owned();
    probe.technique = "Four SYNs from one source port within two seconds: one connection \
        attempt and its retransmissions."
        .to_owned();
    probe.history = "SubSeven probes are common; two sources tried on this day.".to_owned();
    probe.identity = format!("{source}, as logged.");
    probe.severity = severity(
        [2, 3, 4, 4],
        SeverityLevel::Low,
        [
            "a home machine",
            "the trojan would give full control",
            "no SubSeven server runs on the target",
            "IPChains dropped the SYNs",
        ],
    );
    probe.observations = strings(&[
        "IP IDs rise in steps that are multiples of 256: a Windows sender.",
        "TTL 111, 17 hops below an initial 128.",
    ]);
    probe.evidence = evidence("paper/02-subseven/ipchains.log", first_line, lines);
    probe.evidence_total = lines.len() as u64;
    probe.related = strings(&[related]);
    probe
}

/// Paper detect 04: one UDP packet seen by Snort and IPChains.
fn deep_throat() -> Detect {
    let mut probe = detect(
        "deep-throat-user.dsl.ma",
        DetectKind::TrojanProbe,
        SeverityLevel::Low,
    );
    probe.title = "Deep Throat trojan probe of 2140/udp from user.dsl.ma".to_owned();
    probe.first_seen = "2000-04-21T17:04:13.198326+00:00".to_owned();
    probe.last_seen = probe.first_seen.clone();
    probe.sensors = strings(&["snort", "ipchains"]);
    probe.sources = strings(&["user.dsl.ma"]);
    probe.targets = strings(&["me.at.home"]);
    probe.protocols = strings(&["udp"]);
    probe.target_ports = vec![2140];
    probe.intent = "Looking for a Deep Throat server.".to_owned();
    probe.technique = "One UDP packet from port 60000.".to_owned();
    probe.evidence = vec![
        EvidenceRef {
            path: "paper/04-deep-throat/snort.alert".to_owned(),
            line: 1,
            text: Some(
                "[**] Deep Throat/Invasor [**]\n04/21-17:04:13.198326 user.dsl.ma:60000 -> \
                 me.at.home:2140\nUDP TTL:50 TOS:0x0 ID:2320\nLen: 10"
                    .to_owned(),
            ),
        },
        EvidenceRef {
            path: "paper/04-deep-throat/ipchains.log".to_owned(),
            line: 1,
            text: None,
        },
    ];
    probe.evidence_total = 2;
    probe
}

/// Paper detect 01: NTP replies dropped by a reversed local rule.
fn ntp_misconfiguration() -> Detect {
    let mut ntp = detect(
        "misconfig-123-snort.someplace.net",
        DetectKind::Misconfiguration,
        SeverityLevel::None,
    );
    ntp.title = "NTP replies from snort.someplace.net blocked by a local rule".to_owned();
    ntp.first_seen = "2000-03-12T04:05:35+00:00".to_owned();
    ntp.last_seen = "2000-03-12T05:13:50+00:00".to_owned();
    ntp.sources = strings(&["snort.someplace.net"]);
    ntp.targets = strings(&["me.nowhere.com"]);
    ntp.protocols = strings(&["udp"]);
    ntp.target_ports = (61218..=61222).collect();
    ntp.packets = 5;
    ntp.spoofed = Spoofed::Unlikely;
    ntp.intent = "None: replies to this host's own time requests.".to_owned();
    ntp.severity = severity(
        [2, 1, 5, 5],
        SeverityLevel::None,
        ["a home machine", "harmless", "nothing listens", "dropped"],
    );
    ntp.recommendations = strings(&["Swap the source and destination ports of the NTP rule."]);
    ntp
}

/// A realistic report: five detects of four kinds at three levels, inputs
/// clean, damaged, mixed and unreadable.
pub(crate) fn paper_report() -> Report {
    let subseven_lines = [
        "Apr 12 04:49:49 unbeliever kernel: Packet log: input - eth0 PROTO=6 a.supercomputer.place: 3254 me.home.com: 27374 L=48 S=0x00 I=57926 F=0x4000 T=111",
        "Apr 12 04:49:50 unbeliever kernel: Packet log: input - eth0 PROTO=6 a.supercomputer.place: 3254 me.home.com: 27374 L=48 S=0x00 I=65094 F=0x4000 T=111",
        "Apr 12 04:49:50 unbeliever kernel: Packet log: input - eth0 PROTO=6 a.supercomputer.place: 3254 me.home.com: 27374 L=48 S=0x00 I=5191 F=0x4000 T=111",
        "Apr 12 04:49:51 unbeliever kernel: Packet log: input - eth0 PROTO=6 a.supercomputer.place: 3254 me.home.com: 27374 L=48 S=0x00 I=6727 F=0x4000 T=111",
    ];
    let mut first = subseven(
        "a.supercomputer.place",
        "subseven-a.supercomputer.place",
        "subseven-cable.socal.com",
        &subseven_lines,
        1,
    );
    first.last_seen = "2000-04-12T04:49:51+00:00".to_owned();
    let mut second = subseven(
        "cable.socal.com",
        "subseven-cable.socal.com",
        "subseven-a.supercomputer.place",
        &[
            "Apr 12 07:26:14 unbeliever kernel: Packet log: input - eth0 PROTO=6 cable.socal.com:22619 me.home.com:27374 L=48 S=0x00 I=15306 F=0x4000 T=106",
        ],
        5,
    );
    second.first_seen = "2000-04-12T07:26:14+00:00".to_owned();
    second.last_seen = "2000-04-12T07:26:16+00:00".to_owned();
    second.evidence_total = 4;

    let mut detects = vec![
        port81_sweep(),
        first,
        second,
        deep_throat(),
        ntp_misconfiguration(),
    ];
    for d in &mut detects {
        d.sources_total = d.sources.len() as u64;
    }
    let input =
        |path: &str, format: &str, lines: u64, records: u64, unrecognized: u64| InputSummary {
            path: path.to_owned(),
            format: format.to_owned(),
            lines,
            records,
            unrecognized,
            warnings: 0,
            skipped: 0,
            formats: vec![(format.to_owned(), records)],
            error: None,
            history: None,
        };
    let mut mixed = input("home/messages", "mixed", 1_812, 1_790, 0);
    mixed.formats = vec![("ipchains".to_owned(), 1_785), ("snort".to_owned(), 5)];
    mixed.warnings = 1;
    let mut missing = input("/var/log/missing.log", "unknown", 0, 0, 0);
    missing.formats = Vec::new();
    missing.error = Some("No such file or directory (os error 2)".to_owned());
    let inputs = vec![
        input(
            "paper/10-port81-sweep/sunscreen.log",
            "sunscreen",
            25,
            23,
            2,
        ),
        input("paper/02-subseven/ipchains.log", "ipchains", 12, 12, 0),
        mixed,
        missing,
    ];
    Report {
        schema: 1,
        generator: "picket 0.1.0".to_owned(),
        inputs,
        summary: Summary {
            records: 1_825,
            packets: 1_204,
            detects: detects.len() as u64,
            unrecognized: 2,
            warnings: 1,
            by_kind: vec![
                ("trojan-probe".to_owned(), 3),
                ("host-sweep".to_owned(), 1),
                ("misconfiguration".to_owned(), 1),
            ],
            by_severity: vec![
                ("medium".to_owned(), 1),
                ("low".to_owned(), 3),
                ("none".to_owned(), 1),
            ],
            sources: 5,
            sources_beyond_limits: 0,
            packets_beyond_limits: 0,
            home_network_basis: "inferred from the log".to_owned(),
            home_network: strings(&["me.home.com", "me.at.home", "me.nowhere.com"]),
            top_sources: vec![
                Counted {
                    name: "somewhere.uk".to_owned(),
                    count: 23,
                },
                Counted {
                    name: "a.supercomputer.place".to_owned(),
                    count: 4,
                },
            ],
            top_ports: vec![
                Counted {
                    name: "81/tcp".to_owned(),
                    count: 23,
                },
                Counted {
                    name: "27374/tcp".to_owned(),
                    count: 12,
                },
            ],
            activity: vec![
                Counted {
                    name: "2000-04-12T04:00".to_owned(),
                    count: 4,
                },
                Counted {
                    name: "2000-04-12T07:00".to_owned(),
                    count: 4,
                },
                Counted {
                    name: "2000-04-23T23:00".to_owned(),
                    count: 23,
                },
            ],
        },
        detects,
    }
}

/// A report whose every logged field is [`HOSTILE`].
pub(crate) fn hostile_report() -> Report {
    let mut report = paper_report();
    let mut bad = detect(HOSTILE, DetectKind::Alert, SeverityLevel::High);
    bad.title = HOSTILE.to_owned();
    bad.sensors = strings(&[HOSTILE]);
    bad.sources = strings(&[HOSTILE]);
    bad.targets = strings(&[HOSTILE]);
    bad.protocols = strings(&[HOSTILE]);
    bad.active_targeting = HOSTILE.to_owned();
    bad.intent = HOSTILE.to_owned();
    bad.technique = HOSTILE.to_owned();
    bad.history = HOSTILE.to_owned();
    bad.identity = HOSTILE.to_owned();
    bad.first_seen = HOSTILE.to_owned();
    bad.last_seen = HOSTILE.to_owned();
    bad.severity.reasons = strings(&[HOSTILE, HOSTILE, HOSTILE, HOSTILE]);
    bad.recommendations = strings(&[HOSTILE]);
    bad.observations = strings(&[HOSTILE]);
    bad.related = strings(&[HOSTILE]);
    bad.evidence = vec![EvidenceRef {
        path: HOSTILE.to_owned(),
        line: 7,
        text: Some(format!("{HOSTILE}\n{HOSTILE}\r\n````` fence")),
    }];
    bad.evidence_total = 1;
    report.detects.insert(0, bad);
    report.inputs[0].path = HOSTILE.to_owned();
    report.inputs[0].format = HOSTILE.to_owned();
    report.inputs[2].formats.push((HOSTILE.to_owned(), 1));
    report.inputs[3].error = Some(HOSTILE.to_owned());
    report.generator = HOSTILE.to_owned();
    report.summary.home_network = strings(&[HOSTILE]);
    report.summary.home_network_basis = HOSTILE.to_owned();
    report
}

/// `count` one-packet probes of 23/tcp from distinct sources, after one
/// ordinary detect.
pub(crate) fn many_probes_report(count: usize) -> Report {
    let mut report = paper_report();
    report.detects.truncate(1);
    for n in 0..count {
        let mut probe = detect(
            &format!("probe-23-{n}"),
            DetectKind::ServiceProbe,
            SeverityLevel::Low,
        );
        probe.sources = vec![format!("198.51.{}.{}", n / 256, n % 256)];
        probe.target_ports = vec![23];
        probe.packets = 1 + (n % 2) as u64;
        probe.intent = "Looking for an open telnet service.".to_owned();
        report.detects.push(probe);
    }
    report
}
