//! Snort alerts in their three output forms: full (multi-line records),
//! fast (one line) and syslog.
//!
//! Every alert becomes a [`Packet`](picket_model::Packet) from
//! [`Sensor::Snort`](picket_model::Sensor::Snort) with
//! [`Action::Alert`](picket_model::Action::Alert) and the rule's
//! [`Signature`](picket_model::Signature). Snort prints times without a year
//! or zone; they are settled by [`TimeContext::yearless`](crate::TimeContext::yearless).

pub(crate) mod common;
pub mod fast;
pub(crate) mod fields;
pub mod full;
pub(crate) mod headers;
pub(crate) mod icmp;
pub mod syslog;
