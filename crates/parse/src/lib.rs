//! Parsers: one module per log format.
//!
//! Each format module offers a parser that implements [`FormatParser`]: it says
//! whether a line belongs to its format ([`FormatParser::claims`]) and turns
//! claimed lines into [`Packet`]s sent to a [`Sink`]. Parsers never panic and
//! never allocate per line on the common path; what they cannot read they
//! report as unrecognized, and what they keep despite damage they report as a
//! warning. [`Dispatcher`] sniffs each line's format, so one file may mix
//! formats as syslog files do.

pub mod bytes;
pub mod cisco_asa;
pub mod cisco_ios;
pub mod dispatch;
pub mod filterlog;
pub mod format;
pub mod fortigate;
pub mod ipchains;
pub mod ipfw;
pub mod ipmon;
pub mod journald;
pub mod juniper;
pub mod netfilter;
pub mod pcap;
pub mod pf;
pub mod snort;
pub mod sunscreen;
pub mod suricata_eve;
pub mod syslog;
pub mod time;
pub mod windows_firewall;
pub mod zeek_conn;

pub use dispatch::Dispatcher;
pub use format::{Feed, Format, FormatParser, Sink};
pub use picket_model::Packet;
pub use time::TimeContext;
