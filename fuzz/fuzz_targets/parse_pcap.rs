//! Fuzzes the packet-capture reader: any bytes as a pcap or pcapng stream.

#![no_main]

use libfuzzer_sys::fuzz_target;
use picket_parse::dispatch::Collect;

fuzz_target!(|data: &[u8]| {
    let mut sink = Collect::default();
    let _ = picket_parse::pcap::read_capture(data, &mut sink);
});
