//! The contract between the dispatcher and each format's parser.

use picket_model::Packet;

use crate::time::TimeContext;

/// The log formats picket reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Linux 2.2 ipchains `Packet log:` lines.
    Ipchains,
    /// netfilter LOG lines (iptables, ip6tables, nftables, ufw).
    Netfilter,
    /// SunScreen SPF-200 `ssadm logdump` lines.
    Sunscreen,
    /// Snort "full" alerts: multi-line records opened by `[**]`.
    SnortFull,
    /// Snort "fast" alerts: one line each.
    SnortFast,
    /// Snort alerts sent to syslog.
    SnortSyslog,
    /// OpenBSD/FreeBSD pf logs as `tcpdump -n -e -ttt -r pflog` prints them.
    Pf,
    /// Cisco ASA, PIX and FTD syslog messages.
    CiscoAsa,
    /// Cisco IOS access-list logging (`%SEC-6-IPACCESSLOGP` and relatives).
    CiscoIos,
    /// pfSense and OPNsense `filterlog` CSV lines.
    Filterlog,
    /// ipfilter `ipmon` lines.
    Ipmon,
    /// FreeBSD `ipfw` log lines.
    Ipfw,
    /// Windows Firewall `pfirewall.log` (W3C extended format).
    WindowsFirewall,
    /// Juniper SRX `RT_FLOW` and NetScreen traffic logs.
    Juniper,
    /// FortiGate key=value traffic logs.
    Fortigate,
    /// Suricata `eve.json` events (alert, drop, flow, netflow, anomaly).
    SuricataEve,
    /// Zeek `conn.log`, TSV with its `#fields` header or JSON.
    ZeekConn,
    /// `journalctl -o json` exports holding kernel netfilter messages.
    Journald,
}

impl Format {
    /// Every format, in the order the dispatcher tries them.
    pub const ALL: [Format; 18] = [
        Format::SuricataEve,
        Format::ZeekConn,
        Format::Journald,
        Format::Netfilter,
        Format::Pf,
        Format::Ipchains,
        Format::SnortSyslog,
        Format::SnortFast,
        Format::SnortFull,
        Format::Sunscreen,
        Format::CiscoAsa,
        Format::CiscoIos,
        Format::Filterlog,
        Format::Ipmon,
        Format::Ipfw,
        Format::WindowsFirewall,
        Format::Juniper,
        Format::Fortigate,
    ];

    /// The name used by `--input-format` and in the report's `inputs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Ipchains => "ipchains",
            Format::Netfilter => "netfilter",
            Format::Sunscreen => "sunscreen",
            Format::SnortFull => "snort-full",
            Format::SnortFast => "snort-fast",
            Format::SnortSyslog => "snort-syslog",
            Format::Pf => "pf",
            Format::CiscoAsa => "cisco-asa",
            Format::CiscoIos => "cisco-ios",
            Format::Filterlog => "filterlog",
            Format::Ipmon => "ipfilter",
            Format::Ipfw => "ipfw",
            Format::WindowsFirewall => "windows-firewall",
            Format::Juniper => "juniper",
            Format::Fortigate => "fortigate",
            Format::SuricataEve => "suricata-eve",
            Format::ZeekConn => "zeek-conn",
            Format::Journald => "journald",
        }
    }

    /// Parses a format name as `--input-format` takes it.
    pub fn parse(name: &str) -> Option<Format> {
        let name = name.to_ascii_lowercase();
        let alias = match name.as_str() {
            "iptables" | "ip6tables" | "nftables" | "ufw" => "netfilter",
            "snort" => "snort-full",
            other => other,
        };
        Format::ALL.into_iter().find(|f| f.as_str() == alias)
    }

    /// True when every line of this format parses on its own: no header that
    /// names columns, no record over several lines, no table of open
    /// connections. An input of such formats can be cut between any two lines
    /// and the parts read in parallel.
    pub fn lines_stand_alone(self) -> bool {
        !matches!(
            self,
            Format::SnortFull
                | Format::Pf
                | Format::CiscoAsa
                | Format::WindowsFirewall
                | Format::Juniper
                | Format::ZeekConn
        )
    }

    /// A fresh parser for this format.
    #[allow(clippy::default_constructed_unit_structs)]
    pub fn parser(self) -> Box<dyn FormatParser> {
        match self {
            Format::Ipchains => Box::new(crate::ipchains::IpchainsParser::default()),
            Format::Netfilter => Box::new(crate::netfilter::NetfilterParser::default()),
            Format::Sunscreen => Box::new(crate::sunscreen::SunscreenParser::default()),
            Format::SnortFull => Box::new(crate::snort::full::SnortFullParser::default()),
            Format::SnortFast => Box::new(crate::snort::fast::SnortFastParser::default()),
            Format::SnortSyslog => Box::new(crate::snort::syslog::SnortSyslogParser::default()),
            Format::Pf => Box::new(crate::pf::PfParser::default()),
            Format::CiscoAsa => Box::new(crate::cisco_asa::CiscoAsaParser::default()),
            Format::CiscoIos => Box::new(crate::cisco_ios::CiscoIosParser::default()),
            Format::Filterlog => Box::new(crate::filterlog::FilterlogParser::default()),
            Format::Ipmon => Box::new(crate::ipmon::IpmonParser::default()),
            Format::Ipfw => Box::new(crate::ipfw::IpfwParser::default()),
            Format::WindowsFirewall => {
                Box::new(crate::windows_firewall::WindowsFirewallParser::default())
            }
            Format::Juniper => Box::new(crate::juniper::JuniperParser::default()),
            Format::Fortigate => Box::new(crate::fortigate::FortigateParser::default()),
            Format::SuricataEve => Box::new(crate::suricata_eve::SuricataEveParser::default()),
            Format::ZeekConn => Box::new(crate::zeek_conn::ZeekConnParser::default()),
            Format::Journald => Box::new(crate::journald::JournaldParser::default()),
        }
    }
}

/// Where parsers send what they read.
pub trait Sink {
    /// A packet was read. Its `origin.line` is the record's first line.
    fn packet(&mut self, packet: Packet);
    /// A claimed line could not be read at all; `reason` says why in a few words.
    fn unrecognized(&mut self, line: u64, reason: &'static str);
    /// A record was kept despite damage; `message` says what was wrong.
    fn warning(&mut self, line: u64, message: String);
    /// A line was read and understood but carries no packet: a header
    /// (`#fields`), a statistics or protocol event, a non-firewall message in a
    /// journal export. Counted apart, so it is neither a packet nor unreadable.
    fn skipped(&mut self, _line: u64) {}
}

/// What a parser did with a line it was fed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feed {
    /// The line was consumed and any record it completed was emitted.
    Done,
    /// The line was consumed; the record goes on in the next lines.
    Pending,
    /// The line does not continue the pending record: the parser has emitted
    /// (or reported) what it had, and the line should be sniffed anew.
    Rejected,
}

/// One log format's parser. A parser keeps only the state of a record that
/// spans several lines, and caches (interned names, the last timestamp).
pub trait FormatParser: Send {
    /// The format this parser reads.
    fn format(&self) -> Format;

    /// True when `line` begins a record of this format. Cheap: a few byte
    /// comparisons, no full parse.
    fn claims(&self, line: &[u8]) -> bool;

    /// Reads a claimed line, or the next line of a pending record.
    /// `line_no` counts from 1; `line` has no line terminator.
    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed;

    /// The input ended: emit or report whatever record is pending.
    fn finish(&mut self, _time: &mut TimeContext, _sink: &mut dyn Sink) {}
}
