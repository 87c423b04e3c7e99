//! Fuzzes the `snort-fast` parser: any bytes, split into lines, must never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use picket_parse::dispatch::parse_text;
use picket_parse::{Format, TimeContext};

fuzz_target!(|data: &[u8]| {
    let format = Format::parse("snort-fast");
    let _ = parse_text(data, format, &mut TimeContext::fixed_year(2024));
});
