//! Parser throughput, in bytes per second.

fn main() {}
