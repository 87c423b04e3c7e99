//! Damaged captures: cut at any byte, records claiming absurd lengths,
//! garbage after a valid header. None may panic; what was whole is kept.

use picket_parse::dispatch::Collect;
use picket_parse::pcap::read_capture;
use proptest::prelude::*;

use crate::support::{first_ip_packet, pcap_file, pcapng_block, read, sample};

#[test]
fn captures_cut_at_any_byte_keep_every_whole_record() {
    for file in [
        "ncsa_bro_simple_scan/pcaps_port_scan.pcap",
        "ncsa_bro_simple_scan/pcaps_multiport_scan.pcap",
    ] {
        let bytes = sample(file);
        // Where each record ends.
        let mut ends = Vec::new();
        let mut at = 24;
        while at + 16 <= bytes.len() {
            let caplen = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
            at += 16 + caplen;
            ends.push(at);
        }
        for cut in 0..300.min(bytes.len()) {
            let mut sink = Collect::default();
            match read_capture(&bytes[..cut], &mut sink) {
                Err(_) => assert!(cut < 24, "{file} cut at {cut}"),
                Ok(stats) => {
                    let whole = ends.iter().filter(|&&e| e <= cut).count() as u64;
                    assert_eq!(stats.packets, whole, "{file} cut at {cut}");
                    assert_eq!(
                        stats.damage.is_some(),
                        !ends.contains(&cut) && cut != 24,
                        "{file} cut at {cut}"
                    );
                }
            }
        }
    }
    let ng = sample("converted/nmap_80_vanilla.pcapng");
    for cut in 0..300.min(ng.len()) {
        let _ = read_capture(&ng[..cut], &mut Collect::default());
    }
}

#[test]
fn records_claiming_huge_lengths_end_the_read() {
    let ip = first_ip_packet();
    let mut file = pcap_file(101, &[(1, 0, &ip, ip.len() as u32)]);
    for word in [2u32, 0, u32::MAX, u32::MAX] {
        file.extend_from_slice(&word.to_le_bytes());
    }
    file.extend_from_slice(&[0; 100]);
    let (stats, out) = read(&file);
    assert_eq!(stats.packets, 1);
    assert!(stats.damage.is_some());
    assert_eq!(out.warnings.len(), 1);
}

#[test]
fn not_a_capture() {
    let mut sink = Collect::default();
    assert!(read_capture(&b"Mar 12 04:05:35 host kernel: hello\n"[..], &mut sink).is_err());
    assert!(read_capture(&b""[..], &mut sink).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn garbage_after_a_header_never_panics(
        linktype in prop::sample::select(vec![0u32, 1, 12, 101, 108, 113, 228, 229, 276, 9999]),
        body in prop::collection::vec(any::<u8>(), 0..600),
        ng in any::<bool>(),
    ) {
        let mut file = if ng {
            let mut f = pcapng_block(0x0a0d_0d0a, &[0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
            f.extend(pcapng_block(1, &[linktype as u8, (linktype >> 8) as u8, 0, 0, 0, 0, 0, 0]));
            f
        } else {
            pcap_file(linktype, &[])
        };
        file.extend_from_slice(&body);
        let _ = read_capture(&file[..], &mut Collect::default());
    }

    #[test]
    fn garbage_frames_never_panic(
        linktype in prop::sample::select(vec![0u32, 1, 12, 101, 108, 113, 228, 229, 276]),
        frame in prop::collection::vec(any::<u8>(), 0..200),
        version in prop::sample::select(vec![0x45u8, 0x46, 0x4f, 0x60]),
    ) {
        let mut frame = frame;
        // Half the time, make the frame look like IP so deeper layers are reached.
        if let Some(first) = frame.first_mut() && linktype != 1 && linktype != 113 && linktype != 276 && linktype != 0 && linktype != 108 {
            *first = version;
        }
        let file = pcap_file(linktype, &[(1, 0, &frame, frame.len() as u32)]);
        let mut sink = Collect::default();
        let _ = read_capture(&file[..], &mut sink);
    }
}

/// Found by fuzzing (parse_pcap): an IPv6 packet whose extension headers
/// claim more bytes than the capture holds. etherparse's extension iterator
/// read past the end of its slice; the extension chain is now walked with
/// every length checked.
#[test]
fn ipv6_extension_headers_longer_than_the_capture_are_not_read_past() {
    let bytes = include_bytes!("fuzzed/ipv6_extensions_past_the_end.pcap");
    let mut sink = Collect::default();
    let _ = read_capture(&bytes[..], &mut sink);
    assert!(sink.packets.len() + sink.unrecognized.len() + sink.warnings.len() > 0);
}

/// Found by fuzzing (parse_pcap): a pcapng block claiming a total length
/// below the 12 bytes of its own header. pcap-parser subtracts the header
/// from it (an overflow); the capture now ends there, with a warning.
#[test]
fn a_pcapng_block_shorter_than_its_header_ends_the_capture() {
    let bytes = include_bytes!("fuzzed/pcapng_block_shorter_than_its_header.pcapng");
    let mut sink = Collect::default();
    let _ = read_capture(&bytes[..], &mut sink);
    assert!(
        sink.warnings
            .iter()
            .any(|(_, w)| w.contains("shorter than its own header")),
        "{:?}",
        sink.warnings
    );
}
