//! picket's integration tests: the real binary on real and paper fixtures.

mod adversarial;
mod cli;
mod contract;
mod crashes;
mod floods;
mod history;
mod hostile;
mod identity;
mod injection;
mod inputs;
mod nonet;
mod paper;
mod parallel;
mod samples;
mod scoring;
mod util;
