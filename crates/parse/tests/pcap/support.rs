//! Building captures around real frames, and reading them, for the
//! capture tests.

use std::net::IpAddr;

use picket_model::Host;
use picket_parse::dispatch::Collect;
use picket_parse::pcap::{CaptureStats, read_capture};

pub fn sample(relative: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../tests/fixtures/samples/pcaps/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn read(bytes: &[u8]) -> (CaptureStats, Collect) {
    let mut sink = Collect::default();
    let stats = read_capture(bytes, &mut sink).expect("a capture");
    (stats, sink)
}

pub fn addr(text: &str) -> Host {
    Host::Addr(text.parse::<IpAddr>().unwrap())
}

/// The records of a little-endian microsecond pcap: (seconds, microseconds, frame).
pub fn records(file: &[u8]) -> Vec<(u32, u32, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 24;
    while at + 16 <= file.len() {
        let word = |i: usize| u32::from_le_bytes(file[at + i..at + i + 4].try_into().unwrap());
        let (sec, usec, caplen) = (word(0), word(4), word(8) as usize);
        out.push((sec, usec, file[at + 16..at + 16 + caplen].to_vec()));
        at += 16 + caplen;
    }
    out
}

/// A little-endian microsecond pcap of `frames` (seconds, microseconds,
/// captured bytes, length on the wire).
pub fn pcap_file(linktype: u32, frames: &[(u32, u32, &[u8], u32)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&linktype.to_le_bytes());
    for (sec, usec, data, wire) in frames {
        for word in [*sec, *usec, data.len() as u32, *wire] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(data);
    }
    out
}

pub fn pcapng_block(kind: u32, body: &[u8]) -> Vec<u8> {
    let mut padded = body.to_vec();
    padded.resize(body.len().next_multiple_of(4), 0);
    let len = (padded.len() + 12) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&padded);
    out.extend_from_slice(&len.to_le_bytes());
    out
}

/// The port-scan capture's first frame without its 14-byte Ethernet header:
/// 192.168.2.154.52038 > 192.168.2.22.21 SYN, 64 bytes of IPv4.
pub fn first_ip_packet() -> Vec<u8> {
    let file = sample("ncsa_bro_simple_scan/pcaps_port_scan.pcap");
    records(&file)[0].2[14..].to_vec()
}

/// An IPv6 header with `next` as its next header and `payload` after it.
pub fn ipv6(next: u8, payload: &[u8], src: [u8; 16], dst: [u8; 16]) -> Vec<u8> {
    let mut v = vec![0x60, 0x00, 0x00, 0x00];
    v.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    v.extend_from_slice(&[next, 57]);
    v.extend_from_slice(&src);
    v.extend_from_slice(&dst);
    v.extend_from_slice(payload);
    v
}
