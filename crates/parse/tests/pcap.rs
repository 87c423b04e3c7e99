//! Packet captures: the real sample captures (tests/fixtures/samples/pcaps)
//! read with the counts and field values `tcpdump -nn -vv -r` prints for
//! them; every link type and header picket reads, built around a real frame
//! (`built`); damaged captures, cut at any byte or full of garbage, read
//! without panicking (`damage`).

#[path = "pcap/built.rs"]
mod built;
#[path = "pcap/damage.rs"]
mod damage;
#[path = "pcap/support.rs"]
mod support;

use std::io::Read;

use picket_model::{Action, Packet, Proto, Sensor, TcpFlags};
use picket_parse::dispatch::Collect;
use picket_parse::pcap::{self, CaptureKind, read_capture};

use support::{addr, read, sample};

#[test]
fn masscan_tcp_capture() {
    // tcpdump: 1005 packets, 1001 SYNs to ports 0-1000 and 4 RSTs, all from
    // 172.31.15.102.51406; the first is
    // 18:16:47.841604 IP (tos 0x0, ttl 252, id 40004, offset 0, flags [none], proto TCP (6), length 40)
    //   172.31.15.102.51406 > 198.124.152.15.697: Flags [S], seq 2109343474, win 1024, length 0
    let (stats, out) = read(&sample(
        "esnet_curated/attacks_scanners_masscan_tcp_0_1000_20190821.pcap",
    ));
    assert_eq!(stats.kind, CaptureKind::Pcap);
    assert_eq!((stats.frames, stats.packets, stats.not_ip), (1005, 1005, 0));
    assert!(out.warnings.is_empty() && out.unrecognized.is_empty());
    let p = &out.packets[0];
    assert_eq!((p.sensor, p.action), (Sensor::Pcap, Action::Logged));
    assert_eq!(p.origin.line, 1);
    assert_eq!(p.time.unwrap().to_string(), "2019-08-21T18:16:47.841604Z");
    assert_eq!(
        (p.src.clone(), p.dst.clone()),
        (addr("172.31.15.102"), addr("198.124.152.15"))
    );
    assert_eq!(
        (p.proto, p.src_port, p.dst_port),
        (Proto::TCP, Some(51406), Some(697))
    );
    assert_eq!(
        (
            p.ip.ttl,
            p.ip.id,
            p.ip.total_len,
            p.ip.tos,
            p.ip.df,
            p.ip.mf,
            p.ip.frag_offset
        ),
        (
            Some(252),
            Some(40004),
            Some(40),
            Some(0),
            false,
            false,
            Some(0)
        )
    );
    let tcp = p.tcp.as_ref().unwrap();
    assert_eq!(tcp.flags, Some(TcpFlags(TcpFlags::SYN)));
    assert_eq!(
        (tcp.seq, tcp.window, tcp.options.clone()),
        (Some(2109343474), Some(1024), None)
    );
    assert_eq!(p.transport_len, Some(0));
    let syn_ports: std::collections::BTreeSet<u16> = out
        .packets
        .iter()
        .filter(|p| p.tcp_flags() == Some(TcpFlags(TcpFlags::SYN)))
        .filter_map(|p| p.dst_port)
        .collect();
    assert_eq!(syn_ports, (0..=1000).collect());
    let resets = out
        .packets
        .iter()
        .filter(|p| p.tcp_flags() == Some(TcpFlags(TcpFlags::RST)))
        .count();
    assert_eq!(resets, 4);
    let last = out.packets.last().unwrap();
    assert_eq!(last.origin.line, 1005);
}

#[test]
fn masscan_udp_capture() {
    // tcpdump: 1001 packets; the first is
    // 18:17:17.834338 IP (tos 0x0, ttl 252, id 56289, offset 0, flags [none], proto UDP (17), length 28)
    //   172.31.15.102.51436 > 198.124.152.15.636: [udp sum ok] UDP, length 0
    let (stats, out) = read(&sample(
        "esnet_curated/attacks_scanners_masscan_udp_0_1000_20190821.pcap",
    ));
    assert_eq!((stats.frames, stats.packets), (1001, 1001));
    let p = &out.packets[0];
    assert_eq!(
        (p.proto, p.src_port, p.dst_port),
        (Proto::UDP, Some(51436), Some(636))
    );
    assert_eq!(
        (p.ip.ttl, p.ip.id, p.ip.total_len),
        (Some(252), Some(56289), Some(28))
    );
    assert_eq!(
        p.transport_len,
        Some(8),
        "the UDP length field: header only"
    );
    let ports: std::collections::BTreeSet<u16> =
        out.packets.iter().filter_map(|p| p.dst_port).collect();
    assert_eq!(ports, (0..=1000).collect());
}

#[test]
fn bsd_syn_options_and_flags() {
    // pcaps_port_scan.pcap, tcpdump -vv:
    // 21:56:41.767055 IP (tos 0x0, ttl 255, id 56175, offset 0, flags [DF], proto TCP (6), length 64)
    //   192.168.2.154.52038 > 192.168.2.22.21: Flags [S], seq 1972813367, win 65535,
    //   options [mss 1460,nop,wscale 5,nop,nop,TS val 1942074744 ecr 0,sackOK,eol], length 0
    let (stats, out) = read(&sample("ncsa_bro_simple_scan/pcaps_port_scan.pcap"));
    assert_eq!((stats.frames, stats.packets), (10, 10));
    let p = &out.packets[0];
    assert_eq!((p.src_port, p.dst_port), (Some(52038), Some(21)));
    assert_eq!((p.ip.ttl, p.ip.id, p.ip.df), (Some(255), Some(56175), true));
    let tcp = p.tcp.as_ref().unwrap();
    assert_eq!(
        (tcp.seq, tcp.ack, tcp.window),
        (Some(1972813367), Some(0), Some(65535))
    );
    let options = tcp.options.as_ref().unwrap();
    assert_eq!(
        options.to_string(),
        "MSS:1460 NOP WS:5 NOP NOP TS SackOK EOL"
    );
    assert_eq!((options.mss, options.window_scale), (Some(1460), Some(5)));
    assert_eq!(p.time.unwrap().to_string(), "2017-10-25T21:56:41.767055Z");
}

#[test]
fn icmp_errors_quote_the_packet_that_caused_them() {
    // pcaps_multiport_scan.pcap, packet 3, tcpdump -vv:
    // 19:39:35.422130 IP (tos 0xc8, ttl 60, id 56593, offset 0, flags [none], proto ICMP (1), length 68)
    //   10.10.185.66 > 125.27.226.209: ICMP host 143.219.185.66 unreachable - admin prohibited, length 48
    //   IP (tos 0x28, ttl 34, id 25807, offset 0, flags [none], proto TCP (6), length 40)
    //   125.27.226.209.57638 > 143.219.185.66.80: Flags [S], seq 2413541698, win 1460, length 0
    let (stats, out) = read(&sample("ncsa_bro_simple_scan/pcaps_multiport_scan.pcap"));
    assert_eq!((stats.frames, stats.packets), (16, 16));
    let p = &out.packets[2];
    assert_eq!(p.origin.line, 3);
    assert_eq!(
        (p.proto, p.ip.tos, p.ip.ttl, p.ip.id),
        (Proto::ICMP, Some(0xc8), Some(60), Some(56593))
    );
    let icmp = p.icmp.as_ref().unwrap();
    // Type 3 code 10, host administratively prohibited: `030a` in `tcpdump -x`.
    assert_eq!((icmp.kind, icmp.code), (3, 10));
    let quoted = icmp.quoted.as_ref().unwrap();
    assert_eq!(
        (quoted.src.clone(), quoted.dst.clone()),
        (addr("125.27.226.209"), addr("143.219.185.66"))
    );
    assert_eq!((quoted.src_port, quoted.dst_port), (Some(57638), Some(80)));
    assert_eq!((quoted.ip.ttl, quoted.ip.id), (Some(34), Some(25807)));
    assert_eq!(quoted.tcp_seq(), Some(2413541698));
    assert_eq!(quoted.origin.line, 3);
    assert!(quoted.icmp.is_none());
}

#[test]
fn backscatter_trace_counts() {
    // tcpdump: 4771 IPv4 packets: 3431 SYN-ACKs, 2 UDP (DNS), 28 ICMP; the first:
    // 08:45:06.081731 IP (tos 0x0, ttl 46, id 0, offset 0, flags [DF], proto TCP (6), length 44)
    //   202.229.120.98.80 > 192.150.187.221.2155: Flags [S.], seq 3641093507, ack 1132396574,
    //   win 5840, options [mss 1460], length 0
    let (stats, out) = read(&sample("ncsa_bro_simple_scan/pcaps_backscatter.trace"));
    assert_eq!((stats.frames, stats.packets, stats.not_ip), (4771, 4771, 0));
    let count = |f: &dyn Fn(&Packet) -> bool| out.packets.iter().filter(|p| f(p)).count();
    assert_eq!(
        count(&|p| p.tcp_flags() == Some(TcpFlags(TcpFlags::SYN | TcpFlags::ACK))),
        3431
    );
    assert_eq!(count(&|p| p.proto == Proto::UDP), 2);
    assert_eq!(count(&|p| p.proto == Proto::ICMP), 28);
    let p = &out.packets[0];
    let tcp = p.tcp.as_ref().unwrap();
    assert_eq!((tcp.seq, tcp.ack), (Some(3641093507), Some(1132396574)));
    assert_eq!(tcp.options.as_ref().unwrap().mss, Some(1460));
    assert_eq!(
        (p.ip.df, p.ip.id, p.ip.total_len),
        (true, Some(0), Some(44))
    );
}

#[test]
fn every_sample_capture_reads_whole() {
    // Frame counts from capinfos.
    for (file, frames) in [
        ("esnet_curated/attacks_scanners_nmap_nmap_80_all.pcap", 431),
        (
            "esnet_curated/attacks_scanners_nmap_nmap_80_vanilla.pcap",
            11,
        ),
        (
            "esnet_curated/attacks_scanners_nmap_nmap_80_w_service_detection.pcap",
            154,
        ),
        ("ncsa_bro_simple_scan/pcaps_445_scan.pcap", 21),
        ("ncsa_bro_simple_scan/pcaps_scan_with_zero_windows.pcap", 10),
        ("converted/nmap_80_vanilla.pcapng", 11),
    ] {
        let (stats, out) = read(&sample(file));
        assert_eq!((stats.frames, stats.packets), (frames, frames), "{file}");
        assert!(
            out.warnings.is_empty() && out.unrecognized.is_empty(),
            "{file}"
        );
        assert!(out.packets.iter().all(|p| p.time.is_some()), "{file}");
    }
}

#[test]
fn pcapng_reads_the_same_packets_as_its_pcap() {
    // converted/nmap_80_vanilla.pcapng is `editcap -F pcapng` of the pcap.
    let (ng_stats, ng) = read(&sample("converted/nmap_80_vanilla.pcapng"));
    let (_, classic) = read(&sample(
        "esnet_curated/attacks_scanners_nmap_nmap_80_vanilla.pcap",
    ));
    assert_eq!(ng_stats.kind, CaptureKind::Pcapng);
    assert_eq!(ng.packets, classic.packets);
    assert_eq!(
        pcap::summary(&ng.packets[0]),
        "#1 10.87.1.10:52478 > 130.211.223.103:80 TCP [S] len 60"
    );
}

#[test]
fn streams_from_a_reader_that_gives_one_byte_at_a_time() {
    struct OneByte<'a>(&'a [u8]);
    impl Read for OneByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }
    for file in [
        "ncsa_bro_simple_scan/pcaps_port_scan.pcap",
        "converted/nmap_80_vanilla.pcapng",
    ] {
        let bytes = sample(file);
        let (_, whole) = read(&bytes);
        let mut sink = Collect::default();
        read_capture(OneByte(&bytes), &mut sink).unwrap();
        assert_eq!(sink.packets, whole.packets, "{file}");
    }
}
