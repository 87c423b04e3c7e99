//! Link layers: from a captured frame to its IP packet, through Ethernet
//! (with 802.1Q and QinQ tags), Linux cooked headers (SLL and SLL2), BSD
//! loopback headers, or no link header at all.

use etherparse::err::Layer;
use etherparse::err::packet::SliceError;
use etherparse::{EtherType, LaxNetSlice, LaxSlicedPacket};

/// Link-layer header types (the `LINKTYPE_*` registry) picket reads.
pub mod linktype {
    /// BSD loopback: a 4-byte address family in the capturing host's byte order.
    pub const NULL: i32 = 0;
    /// Ethernet II, with or without VLAN tags.
    pub const ETHERNET: i32 = 1;
    /// Raw IP as OpenBSD numbers it (`DLT_RAW` 14 there).
    pub const RAW_OPENBSD: i32 = 14;
    /// Raw IP as BSD/OS numbers it (`DLT_RAW` 12 there).
    pub const RAW_BSD: i32 = 12;
    /// Raw IPv4 or IPv6, no link header.
    pub const RAW: i32 = 101;
    /// OpenBSD loopback: the address family in network byte order.
    pub const LOOP: i32 = 108;
    /// Linux cooked capture (`tcpdump -i any`), 16-byte header.
    pub const LINUX_SLL: i32 = 113;
    /// Raw IPv4.
    pub const IPV4: i32 = 228;
    /// Raw IPv6.
    pub const IPV6: i32 = 229;
    /// Linux cooked capture v2, 20-byte header.
    pub const LINUX_SLL2: i32 = 276;
}

/// Why a frame gives no IP packet.
#[derive(Debug, PartialEq, Eq)]
pub enum NoIp {
    /// A frame that carries no IP packet (ARP, LLDP, spanning tree...).
    NotIp,
    /// A frame cut before its IP header was whole; says which header.
    Cut(&'static str),
    /// A frame whose IP header is not valid.
    Damaged(&'static str),
    /// A link type picket does not read.
    Unsupported,
}

/// Slices one captured frame of the given link type down to its IPv4 or
/// IPv6 packet (which may be cut short after its IP header).
pub fn slice(linktype: i32, data: &[u8]) -> Result<LaxSlicedPacket<'_>, NoIp> {
    match linktype {
        linktype::ETHERNET => match LaxSlicedPacket::from_ethernet(data) {
            Ok(packet) => judge(packet),
            Err(_) => Err(NoIp::Cut("Ethernet header")),
        },
        linktype::LINUX_SLL => match (data.get(14..16), data.get(16..)) {
            (Some(proto), Some(rest)) => {
                by_protocol(u16::from_be_bytes([proto[0], proto[1]]), rest)
            }
            _ => Err(NoIp::Cut("Linux cooked header")),
        },
        linktype::LINUX_SLL2 => match (data.get(0..2), data.get(20..)) {
            (Some(proto), Some(rest)) => {
                by_protocol(u16::from_be_bytes([proto[0], proto[1]]), rest)
            }
            _ => Err(NoIp::Cut("Linux cooked v2 header")),
        },
        linktype::NULL | linktype::LOOP => {
            let Some(head) = data.get(0..4) else {
                return Err(NoIp::Cut("loopback header"));
            };
            let head = [head[0], head[1], head[2], head[3]];
            let family = if linktype == linktype::LOOP {
                u32::from_be_bytes(head)
            } else {
                // Host byte order of the machine that captured: a family
                // number is small, so the order that makes it small is right.
                let little = u32::from_le_bytes(head);
                if little <= 0xffff {
                    little
                } else {
                    u32::from_be_bytes(head)
                }
            };
            match family {
                // AF_INET, and AF_INET6 as Linux, the BSDs and macOS number it.
                2 | 10 | 24 | 28 | 30 => from_ip(data.get(4..).unwrap_or_default()),
                _ => Err(NoIp::NotIp),
            }
        }
        linktype::RAW
        | linktype::RAW_BSD
        | linktype::RAW_OPENBSD
        | linktype::IPV4
        | linktype::IPV6 => from_ip(data),
        _ => Err(NoIp::Unsupported),
    }
}

/// A cooked header's protocol: an EtherType from 0x0600 on, else an
/// 802.2/802.3 frame that carries no IP.
fn by_protocol(protocol: u16, rest: &[u8]) -> Result<LaxSlicedPacket<'_>, NoIp> {
    if protocol < 0x0600 {
        return Err(NoIp::NotIp);
    }
    judge(LaxSlicedPacket::from_ether_type(EtherType(protocol), rest))
}

fn from_ip(data: &[u8]) -> Result<LaxSlicedPacket<'_>, NoIp> {
    match data.first().map(|b| b >> 4) {
        None => return Err(NoIp::Cut("IP header")),
        Some(4 | 6) => {}
        Some(_) => return Err(NoIp::Damaged("not an IPv4 or IPv6 header")),
    }
    match LaxSlicedPacket::from_ip(data) {
        Ok(packet) => judge(packet),
        Err(etherparse::err::ip::LaxHeaderSliceError::Len(_)) => Err(NoIp::Cut("IP header")),
        Err(etherparse::err::ip::LaxHeaderSliceError::Content(_)) => {
            Err(NoIp::Damaged("IP header not valid"))
        }
    }
}

/// Sorts a sliced frame: IP, something else, or cut before its IP header.
fn judge(packet: LaxSlicedPacket<'_>) -> Result<LaxSlicedPacket<'_>, NoIp> {
    match packet.net {
        Some(LaxNetSlice::Ipv4(_) | LaxNetSlice::Ipv6(_)) => Ok(packet),
        Some(LaxNetSlice::Arp(_)) => Err(NoIp::NotIp),
        None => match &packet.stop_err {
            None => Err(NoIp::NotIp),
            Some((error, layer)) => {
                let header = match layer {
                    Layer::VlanHeader => "VLAN tag",
                    Layer::MacsecHeader | Layer::MacsecPacket => return Err(NoIp::NotIp),
                    Layer::Ipv6Header | Layer::Ipv6Packet => "IPv6 header",
                    Layer::Ipv4Header | Layer::Ipv4Packet | Layer::IpHeader => "IPv4 header",
                    Layer::Arp => return Err(NoIp::NotIp),
                    _ => "link header",
                };
                match error {
                    SliceError::Len(_) => Err(NoIp::Cut(header)),
                    _ => Err(NoIp::Damaged("IP header not valid")),
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // First frame of pcaps_port_scan.pcap (ncsa_bro_simple_scan):
    // 192.168.2.154.52038 > 192.168.2.22.21: Flags [S], seq 1972813367.
    const IP_SYN: [u8; 64] = [
        0x45, 0x00, 0x00, 0x40, 0xdb, 0x6f, 0x40, 0x00, 0xff, 0x06, 0x1a, 0x47, 0xc0, 0xa8, 0x02,
        0x9a, 0xc0, 0xa8, 0x02, 0x16, 0xcb, 0x46, 0x00, 0x15, 0x75, 0x96, 0xbe, 0x37, 0x00, 0x00,
        0x00, 0x00, 0xb0, 0x02, 0xff, 0xff, 0x88, 0x98, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x01,
        0x03, 0x03, 0x05, 0x01, 0x01, 0x08, 0x0a, 0x73, 0xc1, 0xb5, 0x78, 0x00, 0x00, 0x00, 0x00,
        0x04, 0x02, 0x00, 0x00,
    ];

    fn ip_of(frame: Result<LaxSlicedPacket<'_>, NoIp>) -> LaxSlicedPacket<'_> {
        frame.unwrap_or_else(|e| panic!("not IP: {e:?}"))
    }

    #[test]
    fn every_link_type_reaches_the_ip_header() {
        let mut sll = vec![0, 0, 0, 1, 0, 6, 0, 0x0c, 0x29, 1, 2, 3, 0, 0, 0x08, 0x00];
        sll.extend_from_slice(&IP_SYN);
        let mut sll2 = vec![0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6];
        sll2.extend_from_slice(&[0, 0x0c, 0x29, 1, 2, 3, 0, 0]);
        sll2.extend_from_slice(&IP_SYN);
        let mut null_le = vec![2, 0, 0, 0];
        null_le.extend_from_slice(&IP_SYN);
        let mut null_be = vec![0, 0, 0, 2];
        null_be.extend_from_slice(&IP_SYN);
        let mut qinq = vec![0xff; 12];
        qinq.extend_from_slice(&[0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0xc8, 0x08, 0x00]);
        qinq.extend_from_slice(&IP_SYN);
        for (linktype, frame) in [
            (linktype::RAW, IP_SYN.to_vec()),
            (linktype::IPV4, IP_SYN.to_vec()),
            (linktype::LINUX_SLL, sll),
            (linktype::LINUX_SLL2, sll2),
            (linktype::NULL, null_le.clone()),
            (linktype::NULL, null_be),
            (linktype::LOOP, {
                let mut v = vec![0, 0, 0, 2];
                v.extend_from_slice(&IP_SYN);
                v
            }),
            (linktype::ETHERNET, qinq),
        ] {
            let packet = ip_of(slice(linktype, &frame));
            let Some(LaxNetSlice::Ipv4(v4)) = packet.net else {
                panic!("link type {linktype}: no IPv4");
            };
            assert_eq!(
                v4.header().source(),
                [192, 168, 2, 154],
                "link type {linktype}"
            );
            assert_eq!(v4.payload().payload.len(), 44, "link type {linktype}");
        }
    }

    #[test]
    fn short_and_foreign_frames_are_named() {
        let why = |linktype: i32, data: &[u8]| slice(linktype, data).err();
        assert!(matches!(
            why(linktype::ETHERNET, &[0; 10]),
            Some(NoIp::Cut(_))
        ));
        assert_eq!(
            why(linktype::RAW, &IP_SYN[..12]),
            Some(NoIp::Cut("IP header"))
        );
        assert!(matches!(
            why(linktype::RAW, &[0x20; 30]),
            Some(NoIp::Damaged(_))
        ));
        assert!(matches!(
            why(linktype::LINUX_SLL, &[0; 15]),
            Some(NoIp::Cut(_))
        ));
        assert_eq!(why(147, &IP_SYN), Some(NoIp::Unsupported));
        // An ARP request on Ethernet.
        let mut arp = vec![0xff; 12];
        arp.extend_from_slice(&[0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1]);
        arp.extend_from_slice(&[0; 20]);
        assert_eq!(why(linktype::ETHERNET, &arp), Some(NoIp::NotIp));
        // An 802.3 frame on a cooked capture.
        let mut llc = vec![0; 14];
        llc.extend_from_slice(&[0x00, 0x04, 0x42, 0x42]);
        assert_eq!(why(linktype::LINUX_SLL, &llc), Some(NoIp::NotIp));
    }
}
