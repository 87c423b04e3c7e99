//! Captures built around a real frame: every link type, VLAN tags, IPv6
//! extension headers, ICMPv6, snapshot-length cuts, byte orders, timestamp
//! resolutions and pcapng interfaces.

use picket_model::Proto;
use picket_parse::pcap::{self, CaptureKind};

use crate::support::{addr, first_ip_packet, ipv6, pcap_file, pcapng_block, read, records, sample};

#[test]
fn link_types_and_vlan_tags() {
    let ip = first_ip_packet();
    let with = |head: &[u8]| {
        let mut v = head.to_vec();
        v.extend_from_slice(&ip);
        v
    };
    let ethernet_qinq = with(&[
        0x82, 0x2f, 0x63, 0x09, 0x79, 0xcd, 0xdc, 0xa9, 0x04, 0x6f, 0xfb, 0x05, 0x88, 0xa8, 0x00,
        0x64, 0x81, 0x00, 0x00, 0xc8, 0x08, 0x00,
    ]);
    let sll = with(&[
        0, 0, 0, 1, 0, 6, 0xdc, 0xa9, 0x04, 0x6f, 0xfb, 0x05, 0, 0, 0x08, 0x00,
    ]);
    let sll2 = with(&[
        0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 0xdc, 0xa9, 0x04, 0x6f, 0xfb, 0x05, 0, 0,
    ]);
    let null_macos = with(&[2, 0, 0, 0]);
    let loop_openbsd = with(&[0, 0, 0, 2]);
    for (linktype, frame) in [
        (1, ethernet_qinq),
        (113, sll),
        (276, sll2),
        (0, null_macos),
        (108, loop_openbsd),
        (101, ip.clone()),
        (228, ip.clone()),
        (12, ip.clone()),
    ] {
        let file = pcap_file(
            linktype,
            &[(1_508_968_601, 767_055, &frame, frame.len() as u32)],
        );
        let (stats, out) = read(&file);
        assert_eq!(stats.packets, 1, "link type {linktype}");
        let p = &out.packets[0];
        assert_eq!(p.src, addr("192.168.2.154"), "link type {linktype}");
        assert_eq!(
            (p.src_port, p.dst_port),
            (Some(52038), Some(21)),
            "link type {linktype}"
        );
        assert_eq!(p.tcp_seq(), Some(1972813367), "link type {linktype}");
    }
    // A link type picket does not read, and an ARP frame.
    let (stats, out) = read(&pcap_file(105, &[(1, 0, &ip, ip.len() as u32)]));
    assert_eq!((stats.packets, out.unrecognized.len()), (0, 1));
    let mut arp = vec![0xff; 6];
    arp.extend_from_slice(&[0xdc, 0xa9, 0x04, 0x6f, 0xfb, 0x05, 0x08, 0x06]);
    arp.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
    arp.extend_from_slice(&[0; 20]);
    let (stats, out) = read(&pcap_file(1, &[(1, 0, &arp, arp.len() as u32)]));
    assert_eq!(
        (stats.packets, stats.not_ip, out.skipped.clone()),
        (0, 1, vec![1])
    );
}

#[test]
fn ipv6_extension_headers_and_icmpv6() {
    let src = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let dst = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    // Hop-by-hop options (PadN) then the SYN's TCP header from the port scan.
    let ip4 = first_ip_packet();
    let mut hop_then_tcp = vec![6, 0, 1, 4, 0, 0, 0, 0];
    hop_then_tcp.extend_from_slice(&ip4[20..]);
    let syn = ipv6(0, &hop_then_tcp, src, dst);
    // ICMPv6 echo request, id 0x1234, seq 7.
    let echo = ipv6(58, &[128, 0, 0, 0, 0x12, 0x34, 0, 7, b'p', b'i'], src, dst);
    // A fragment header (id 99, offset 0, more fragments) then UDP 5353 > 53.
    let mut frag_then_udp = vec![17, 0, 0, 1, 0, 0, 0, 99];
    frag_then_udp.extend_from_slice(&[0x14, 0xe9, 0, 53, 0, 12, 0, 0, 1, 2, 3, 4]);
    let frag = ipv6(44, &frag_then_udp, src, dst);
    let file = pcap_file(
        101,
        &[
            (10, 0, &syn, syn.len() as u32),
            (11, 0, &echo, echo.len() as u32),
            (12, 0, &frag, frag.len() as u32),
        ],
    );
    let (stats, out) = read(&file);
    assert_eq!(stats.packets, 3);
    let p = &out.packets[0];
    assert!(p.ip.v6);
    assert_eq!(p.dst, addr("2001:db8::2"));
    assert_eq!(
        (p.proto, p.dst_port, p.ip.ttl),
        (Proto::TCP, Some(21), Some(57))
    );
    assert_eq!(p.ip.total_len, Some(40 + 8 + 44));
    assert_eq!(p.transport_len, Some(0));
    let icmp = out.packets[1].icmp.as_ref().unwrap();
    assert_eq!(out.packets[1].proto, Proto::ICMPV6);
    assert_eq!(
        (icmp.kind, icmp.code, icmp.echo_id, icmp.echo_seq),
        (128, 0, Some(0x1234), Some(7))
    );
    let f = &out.packets[2];
    assert_eq!(
        (f.proto, f.src_port, f.dst_port, f.transport_len),
        (Proto::UDP, Some(5353), Some(53), Some(12))
    );
    assert_eq!(
        (f.ip.id, f.ip.mf, f.ip.frag_offset),
        (Some(99), true, Some(0))
    );
    assert_eq!(
        pcap::summary(f),
        "#3 [2001:db8::1]:5353 > [2001:db8::2]:53 UDP len 60"
    );
}

#[test]
fn snaplen_cuts_warn_only_when_a_header_is_cut() {
    let frame = records(&sample("ncsa_bro_simple_scan/pcaps_port_scan.pcap"))[0]
        .2
        .clone();
    // Cut in the TCP options (14 + 20 + 30 of 78 bytes), then inside the fixed
    // TCP header (14 + 20 + 10), then right after the whole header.
    let in_options = &frame[..64];
    let in_header = &frame[..44];
    let whole = &frame[..78];
    let file = pcap_file(
        1,
        &[
            (1, 0, in_options, 78),
            (2, 0, in_header, 78),
            (3, 0, whole, 78),
        ],
    );
    let (stats, out) = read(&file);
    assert_eq!((stats.packets, stats.truncated), (3, 2));
    assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
    assert_eq!(out.warnings[0].0, 1);
    assert!(out.warnings[1].1.contains("TCP header cut short"));
    let options = out.packets[0]
        .tcp
        .as_ref()
        .unwrap()
        .options
        .as_ref()
        .unwrap();
    assert_eq!(options.mss, Some(1460), "options before the cut are kept");
    let cut = &out.packets[1];
    assert_eq!(
        (cut.src_port, cut.dst_port, cut.tcp_seq()),
        (Some(52038), Some(21), Some(1972813367))
    );
    assert_eq!(cut.tcp_flags(), None, "the flags byte was not captured");
    assert_eq!(
        cut.ip.total_len,
        Some(64),
        "the IP header's length, not the capture's"
    );
}

#[test]
fn byte_orders_resolutions_and_interfaces() {
    let ip = first_ip_packet();
    // Big-endian nanosecond pcap.
    let mut be = Vec::new();
    be.extend_from_slice(&0xa1b2_3c4du32.to_be_bytes());
    be.extend_from_slice(&2u16.to_be_bytes());
    be.extend_from_slice(&4u16.to_be_bytes());
    be.extend_from_slice(&[0; 8]);
    be.extend_from_slice(&65535u32.to_be_bytes());
    be.extend_from_slice(&101u32.to_be_bytes());
    for word in [
        1_508_968_601u32,
        767_055_123,
        ip.len() as u32,
        ip.len() as u32,
    ] {
        be.extend_from_slice(&word.to_be_bytes());
    }
    be.extend_from_slice(&ip);
    let (_, out) = read(&be);
    assert_eq!(
        out.packets[0].time.unwrap().to_string(),
        "2017-10-25T21:56:41.767055123Z"
    );
    // pcapng: two interfaces, raw IP in milliseconds (if_tsresol 3) and
    // Ethernet in microseconds; packets name their interface.
    let mut ng = pcapng_block(
        0x0a0d_0d0a,
        &[
            0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ],
    );
    ng.extend(pcapng_block(
        1,
        &[101, 0, 0, 0, 0, 0, 0, 0, 9, 0, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0],
    ));
    ng.extend(pcapng_block(1, &[1, 0, 0, 0, 0, 0, 0, 0]));
    let epb = |interface: u32, ticks: u64, data: &[u8]| {
        let mut body = Vec::new();
        body.extend_from_slice(&interface.to_le_bytes());
        body.extend_from_slice(&((ticks >> 32) as u32).to_le_bytes());
        body.extend_from_slice(&(ticks as u32).to_le_bytes());
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        pcapng_block(6, &body)
    };
    let ethernet = records(&sample("ncsa_bro_simple_scan/pcaps_port_scan.pcap"))[1]
        .2
        .clone();
    ng.extend(epb(0, 1_508_968_601_767, &ip));
    ng.extend(epb(1, 1_508_968_601_767_056, &ethernet));
    ng.extend(epb(7, 1, &ip));
    let (stats, out) = read(&ng);
    assert_eq!(
        (stats.kind, stats.frames, stats.packets),
        (CaptureKind::Pcapng, 3, 2)
    );
    assert_eq!(
        out.packets[0].time.unwrap().to_string(),
        "2017-10-25T21:56:41.767Z"
    );
    assert_eq!(
        out.packets[1].time.unwrap().to_string(),
        "2017-10-25T21:56:41.767056Z"
    );
    assert_eq!(
        out.packets[1].dst_port,
        Some(113),
        "the port scan's second SYN"
    );
    assert_eq!(
        out.unrecognized,
        vec![(3, "packet of an interface the capture never described")]
    );
}
