//! The data that flows through picket's pipeline.
//!
//! Parsers turn log lines into [`Packet`]s; the analysis groups packets into
//! [`Detect`]s; reports render detects. Nothing here reads, parses or prints:
//! these are plain values shared by every stage.

pub mod count;
pub mod detect;
pub mod host;
pub mod packet;

pub use count::thousands;
pub use detect::{
    Counted, Detect, DetectKind, EvidenceRef, InputSummary, Report, ScanType, Severity,
    SeverityLevel, Spoofed, Summary,
};
pub use host::Host;
pub use packet::{
    Action, FlowInfo, FlowOutcome, IcmpFields, IpFields, Origin, Packet, Proto, Sensor, Signature,
    TcpFields, TcpFlags, TcpOptions,
};
