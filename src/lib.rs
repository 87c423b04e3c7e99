//! picket: an intrusion analyst for firewall and IDS logs.
//!
//! The pipeline, one stage per place in the tree:
//! read ([`read`]) -> parse (`picket-parse`, one module per format) -> merge,
//! track, classify and assess (`picket-analyze`) -> report (`picket-report`).
//! [`pipeline::run`] drives one analysis from start to end.

pub mod cli;
pub mod history;
pub mod pipeline;
pub mod read;
pub mod stats;
