//! A detect and the report that carries it: the shape of the JSON contract
//! (`docs/detect-json.md`), which outside tools rely on.

use serde::Serialize;

/// What kind of activity a detect is. The text form is the contract's `kind`
/// vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DetectKind {
    /// One source, one target, many ports.
    PortScan,
    /// One source, many targets, one or a few ports.
    HostSweep,
    /// Many targets and many ports.
    BlockScan,
    /// Probes of ports known for backdoors and trojans.
    TrojanProbe,
    /// A few probes of one service that are not a scan.
    ServiceProbe,
    /// Traffic matching a known worm's propagation.
    Worm,
    /// A high rate at one target.
    Flood,
    /// Replies to packets someone else forged with our addresses.
    Backscatter,
    /// Legitimate traffic blocked by a local rule or setting.
    Misconfiguration,
    /// Scanning by a party the site authorized.
    AuthorizedScan,
    /// An inside host behaving as if compromised.
    Compromise,
    /// An IDS alert that fits none of the above.
    Alert,
}

impl DetectKind {
    /// Every kind, for vocabulary checks.
    pub const ALL: [DetectKind; 12] = [
        DetectKind::PortScan,
        DetectKind::HostSweep,
        DetectKind::BlockScan,
        DetectKind::TrojanProbe,
        DetectKind::ServiceProbe,
        DetectKind::Worm,
        DetectKind::Flood,
        DetectKind::Backscatter,
        DetectKind::Misconfiguration,
        DetectKind::AuthorizedScan,
        DetectKind::Compromise,
        DetectKind::Alert,
    ];

    /// The contract's name for this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            DetectKind::PortScan => "port-scan",
            DetectKind::HostSweep => "host-sweep",
            DetectKind::BlockScan => "block-scan",
            DetectKind::TrojanProbe => "trojan-probe",
            DetectKind::ServiceProbe => "service-probe",
            DetectKind::Worm => "worm",
            DetectKind::Flood => "flood",
            DetectKind::Backscatter => "backscatter",
            DetectKind::Misconfiguration => "misconfiguration",
            DetectKind::AuthorizedScan => "authorized-scan",
            DetectKind::Compromise => "compromise",
            DetectKind::Alert => "alert",
        }
    }

    /// A phrase for reports ("port scan", "trojan probe").
    pub fn phrase(self) -> &'static str {
        match self {
            DetectKind::PortScan => "port scan",
            DetectKind::HostSweep => "host sweep",
            DetectKind::BlockScan => "block scan",
            DetectKind::TrojanProbe => "trojan probe",
            DetectKind::ServiceProbe => "service probe",
            DetectKind::Worm => "worm",
            DetectKind::Flood => "flood",
            DetectKind::Backscatter => "backscatter",
            DetectKind::Misconfiguration => "misconfiguration",
            DetectKind::AuthorizedScan => "authorized scan",
            DetectKind::Compromise => "compromised inside host",
            DetectKind::Alert => "IDS alert",
        }
    }
}

/// The scan technique, from the TCP flags or protocol of the probes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScanType {
    /// Half-open SYN.
    Syn,
    /// Full connect().
    Connect,
    /// FIN only.
    Fin,
    /// No flags.
    Null,
    /// FIN, PSH and URG.
    Xmas,
    /// ACK only.
    Ack,
    /// FIN and ACK.
    Maimon,
    /// ACK, judged by the window in replies.
    Window,
    /// UDP.
    Udp,
    /// ICMP echo requests.
    IcmpEcho,
    /// Many IP protocol numbers.
    IpProtocol,
    /// Several of the above.
    Mixed,
}

impl ScanType {
    /// Every scan type, for vocabulary checks.
    pub const ALL: [ScanType; 12] = [
        ScanType::Syn,
        ScanType::Connect,
        ScanType::Fin,
        ScanType::Null,
        ScanType::Xmas,
        ScanType::Ack,
        ScanType::Maimon,
        ScanType::Window,
        ScanType::Udp,
        ScanType::IcmpEcho,
        ScanType::IpProtocol,
        ScanType::Mixed,
    ];

    /// The contract's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanType::Syn => "syn",
            ScanType::Connect => "connect",
            ScanType::Fin => "fin",
            ScanType::Null => "null",
            ScanType::Xmas => "xmas",
            ScanType::Ack => "ack",
            ScanType::Maimon => "maimon",
            ScanType::Window => "window",
            ScanType::Udp => "udp",
            ScanType::IcmpEcho => "icmp-echo",
            ScanType::IpProtocol => "ip-protocol",
            ScanType::Mixed => "mixed",
        }
    }
}

/// How likely it is that the logged source address is forged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Spoofed {
    /// The source cannot be genuine, or several claimed sources act as one.
    Likely,
    /// Nothing proves the source genuine (single UDP or ICMP packets).
    Possible,
    /// The activity needs replies to reach the source.
    Unlikely,
}

impl Spoofed {
    /// The contract's word.
    pub fn as_str(self) -> &'static str {
        match self {
            Spoofed::Likely => "likely",
            Spoofed::Possible => "possible",
            Spoofed::Unlikely => "unlikely",
        }
    }
}

/// The severity level derived from the GIAC score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeverityLevel {
    /// Benign.
    None,
    /// Worth knowing, no action needed.
    Low,
    /// Worth a look.
    Medium,
    /// Act soon.
    High,
    /// Act now.
    Critical,
}

impl SeverityLevel {
    /// Every level, lowest first.
    pub const ALL: [SeverityLevel; 5] = [
        SeverityLevel::None,
        SeverityLevel::Low,
        SeverityLevel::Medium,
        SeverityLevel::High,
        SeverityLevel::Critical,
    ];

    /// The contract's word.
    pub fn as_str(self) -> &'static str {
        match self {
            SeverityLevel::None => "none",
            SeverityLevel::Low => "low",
            SeverityLevel::Medium => "medium",
            SeverityLevel::High => "high",
            SeverityLevel::Critical => "critical",
        }
    }

    /// Parses a level name.
    pub fn parse(text: &str) -> Option<SeverityLevel> {
        SeverityLevel::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(text))
    }
}

/// Severity as GIAC defines it: (criticality + lethality) - (system +
/// network countermeasures), each from 1 to 5, with the reason for each.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Severity {
    /// How much the target matters (5: core servers).
    pub criticality: u8,
    /// How much damage the attack could do if it worked (5: root access).
    pub lethality: u8,
    /// How well the target itself resists (5: not vulnerable, patched).
    pub system_countermeasures: u8,
    /// How well the network stopped it (5: dropped at the firewall).
    pub network_countermeasures: u8,
    /// (criticality + lethality) - (system + network).
    pub score: i8,
    /// The level derived from the score and kind.
    pub level: SeverityLevel,
    /// Why each of the four values was chosen, in the order above.
    pub reasons: Vec<String>,
}

/// A pointer to a log line behind a detect.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EvidenceRef {
    /// The input's path as given on the command line.
    pub path: String,
    /// Line number, from 1.
    pub line: u64,
    /// The logged line (or the lines of a multi-line record), when it could
    /// be read back. Attacker-controlled: escape on output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One detect: grouped packets and the analysis of them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Detect {
    /// Stable identifier for the same input.
    pub id: String,
    /// A one-line headline: what, which port or service, from whom.
    pub title: String,
    /// First packet, RFC 3339 with offset; empty when no packet had a
    /// readable time (written as `null` in JSON).
    #[serde(serialize_with = "empty_as_null")]
    pub first_seen: String,
    /// Last packet, RFC 3339 with offset; empty as for `first_seen`.
    #[serde(serialize_with = "empty_as_null")]
    pub last_seen: String,
    /// Sensors that saw it.
    pub sensors: Vec<String>,
    /// Sources, as logged (the first thousand of a many-source flood).
    pub sources: Vec<String>,
    /// How many sources there were, listed or not.
    pub sources_total: u64,
    /// Targets, as logged.
    pub targets: Vec<String>,
    /// Protocol names or numbers.
    pub protocols: Vec<String>,
    /// Sorted, distinct destination ports.
    pub target_ports: Vec<u16>,
    /// Distinct packets after merging what several sensors saw.
    pub packets: u64,
    /// The contract's `kind`.
    pub kind: DetectKind,
    /// The contract's `scan_type`, `None` when not a scan.
    pub scan_type: Option<ScanType>,
    /// Whether the source is forged.
    pub spoofed: Spoofed,
    /// Whether the site was singled out, and why.
    pub active_targeting: String,
    /// What the sender was after.
    pub intent: String,
    /// How it was done.
    pub technique: String,
    /// What is known of this activity before.
    pub history: String,
    /// Who is behind the source.
    pub identity: String,
    /// GIAC severity.
    pub severity: Severity,
    /// What to do.
    pub recommendations: Vec<String>,
    /// Facts noticed, each a sentence.
    pub observations: Vec<String>,
    /// Lines behind it (capped; `evidence_total` says how many there were).
    pub evidence: Vec<EvidenceRef>,
    /// How many evidence lines there were before capping.
    pub evidence_total: u64,
    /// Ids of other detects in this report that look related (same campaign,
    /// same tool).
    pub related: Vec<String>,
    /// What the sender's packets have in common, as a short key (`initial
    /// TTL, window, options, source-port and IP ID behaviour`), so that the
    /// same tool can be recognised across sources and runs; `None` when the
    /// log carries too little.
    pub tool_signature: Option<String>,
}

impl Detect {
    /// How many sources the detect had: `sources` lists at most the first
    /// thousand of a many-source flood.
    pub fn source_count(&self) -> u64 {
        self.sources_total.max(self.sources.len() as u64)
    }
}

/// What was read from one input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct InputSummary {
    /// The path as given (`-` for standard input).
    pub path: String,
    /// The main format found, or `unknown`, or `mixed` plus `formats`.
    pub format: String,
    /// Lines read.
    pub lines: u64,
    /// Records parsed (a multi-line record counts once).
    pub records: u64,
    /// Non-blank lines no parser could read.
    pub unrecognized: u64,
    /// Records kept despite damage.
    pub warnings: u64,
    /// Lines understood that carry no packet (headers, statistics events).
    pub skipped: u64,
    /// Every format found, with its record count, most common first.
    pub formats: Vec<(String, u64)>,
    /// Why the input could not be read, when it could not.
    pub error: Option<String>,
    /// What the history store decided about it (already read, read from a
    /// line), when it decided anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<String>,
}

/// A name and how often it occurred, for the summary's top lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct Counted {
    /// What was counted: a source, `23/tcp`, an hour (`2024-01-02T15:00`).
    pub name: String,
    /// How many packets.
    pub count: u64,
}

/// Counts over the whole run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct Summary {
    /// Records parsed, over all inputs.
    pub records: u64,
    /// Distinct packets after merging sensors.
    pub packets: u64,
    /// Detects reported.
    pub detects: u64,
    /// Lines no parser could read.
    pub unrecognized: u64,
    /// Records kept with a warning.
    pub warnings: u64,
    /// Detects per kind.
    pub by_kind: Vec<(String, u64)>,
    /// Detects per severity level.
    pub by_severity: Vec<(String, u64)>,
    /// Distinct sources seen.
    pub sources: u64,
    /// Sources past the tracking limits (`max_sources`, `max_kept_packets`),
    /// counted in crowds by target and port instead of one by one.
    pub sources_beyond_limits: u64,
    /// Packets of those sources.
    pub packets_beyond_limits: u64,
    /// Where the home network came from: `site file` or `inferred from the log`.
    pub home_network_basis: String,
    /// The home networks or hosts used.
    pub home_network: Vec<String>,
    /// Sources that sent the most packets, most first.
    pub top_sources: Vec<Counted>,
    /// Destination ports that received the most packets, most first.
    pub top_ports: Vec<Counted>,
    /// Packets per clock hour (in the report's zone), in time order.
    pub activity: Vec<Counted>,
}

/// The whole result of an analysis run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Contract version.
    pub schema: u32,
    /// `picket <version>`.
    pub generator: String,
    /// One entry per input.
    pub inputs: Vec<InputSummary>,
    /// Most severe first.
    pub detects: Vec<Detect>,
    /// Run totals.
    pub summary: Summary,
}

/// Writes an empty string as `null`: "no time known" must not look like a
/// malformed time to a script reading the contract.
fn empty_as_null<S: serde::Serializer>(value: &str, serializer: S) -> Result<S::Ok, S::Error> {
    if value.is_empty() {
        serializer.serialize_none()
    } else {
        serializer.serialize_str(value)
    }
}
