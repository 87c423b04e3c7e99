//! picket's integration tests: the real binary on real and paper fixtures.

mod cli;
mod contract;
mod history;
mod hostile;
mod identity;
mod injection;
mod inputs;
mod paper;
mod parallel;
mod samples;
mod scoring;
mod util;
