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
pub mod dispatch;
pub mod format;
pub mod ipchains;
pub mod netfilter;
pub mod pf;
pub mod snort;
pub mod sunscreen;
pub mod syslog;
pub mod time;

pub use dispatch::Dispatcher;
pub use format::{Feed, Format, FormatParser, Sink};
pub use picket_model::Packet;
pub use time::TimeContext;
