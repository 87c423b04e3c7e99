//! The history store as picket uses it: inputs recognised when read again,
//! related detects found across runs, regularity, crash and concurrency
//! safety, error kinds and migrations.

mod common;
mod concurrency;
mod crash;
mod errors;
mod inputs;
mod migration;
mod related;
