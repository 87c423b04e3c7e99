//! Snort alerts in their three output forms: full (multi-line), fast (one
//! line) and syslog.

pub mod fast;
pub mod full;
pub mod syslog;
