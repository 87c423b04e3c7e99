//! From a sliced IP packet to a [`Packet`]: the IP header's fields through
//! etherparse, the transport header read byte by byte so that a header cut
//! by the snapshot length still gives what it holds.

use std::net::IpAddr;

use etherparse::{LaxIpPayloadSlice, LaxNetSlice, LaxSlicedPacket};
use picket_model::{
    Host, IcmpFields, IpFields, Packet, Proto, Sensor, TcpFields, TcpFlags, TcpOptions,
};

/// TCP option kinds kept per packet, as [`TcpOptions::kinds`] promises.
const MAX_OPTION_KINDS: usize = 16;

/// A packet read from a capture, and the header that was cut short, if one was.
#[derive(Debug)]
pub struct Decoded {
    /// The packet, as far as the captured bytes go.
    pub packet: Packet,
    /// The header that the capture cut (`"TCP header"`), when one was cut.
    pub cut: Option<&'static str>,
}

/// The fields of an IPv6 fragment header.
#[derive(Debug, PartialEq, Eq)]
struct Fragment {
    id: u32,
    more: bool,
    offset: u16,
}

/// Finds the fragment header among IPv6 extension headers (`bytes`, the
/// first of type `first`), checking every length against the bytes there are.
fn fragment_header(first: u8, bytes: &[u8]) -> Option<Fragment> {
    let mut kind = first;
    let mut at = 0usize;
    // A chain longer than this is not an honest packet.
    for _ in 0..16 {
        let header = bytes.get(at..at.checked_add(8)?)?;
        let len = match kind {
            // Hop-by-hop, routing, destination options: 8-byte units past the first.
            0 | 43 | 60 => (usize::from(header[1]) + 1) * 8,
            44 => {
                return Some(Fragment {
                    id: u32::from_be_bytes([header[4], header[5], header[6], header[7]]),
                    more: header[3] & 1 == 1,
                    offset: u16::from_be_bytes([header[2], header[3]]) >> 3,
                });
            }
            // Authentication header: 4-byte units past the first two.
            51 => (usize::from(header[1]) + 2) * 4,
            _ => return None,
        };
        kind = header[0];
        at = at.checked_add(len)?;
    }
    None
}

/// Builds the packet of a sliced frame whose network layer is IP. `quote`
/// allows decoding the packet an ICMP error quotes (one level deep).
pub fn decode(sliced: &LaxSlicedPacket<'_>, quote: bool) -> Option<Decoded> {
    let mut cut = None;
    let (src, dst, ip, payload): (IpAddr, IpAddr, IpFields, &LaxIpPayloadSlice<'_>) =
        match sliced.net.as_ref()? {
            LaxNetSlice::Ipv4(v4) => {
                let h = v4.header();
                let ip = IpFields {
                    total_len: Some(u32::from(h.total_len())),
                    ttl: Some(h.ttl()),
                    id: Some(u32::from(h.identification())),
                    tos: h.slice().get(1).copied(),
                    df: h.dont_fragment(),
                    mf: h.more_fragments(),
                    frag_offset: Some(h.fragments_offset().value()),
                    v6: false,
                };
                (
                    IpAddr::V4(h.source_addr()),
                    IpAddr::V4(h.destination_addr()),
                    ip,
                    v4.payload(),
                )
            }
            LaxNetSlice::Ipv6(v6) => {
                let h = v6.header();
                let mut ip = IpFields {
                    total_len: Some(u32::from(h.payload_length()) + 40),
                    ttl: Some(h.hop_limit()),
                    id: None,
                    tos: Some(h.traffic_class()),
                    df: false,
                    mf: false,
                    frag_offset: None,
                    v6: true,
                };
                // The extension headers are walked here, bounds checked:
                // etherparse's own iterator reads past a lax slice's end.
                let exts = v6.extensions();
                if let Some(first) = exts.first_header()
                    && let Some(fragment) = fragment_header(first.0, exts.slice())
                {
                    ip.id = Some(fragment.id);
                    ip.mf = fragment.more;
                    ip.frag_offset = Some(fragment.offset);
                }
                if let Some((_, layer)) = &sliced.stop_err
                    && matches!(
                        layer,
                        etherparse::err::Layer::Ipv6ExtHeader
                            | etherparse::err::Layer::Ipv6HopByHopHeader
                            | etherparse::err::Layer::Ipv6DestOptionsHeader
                            | etherparse::err::Layer::Ipv6RouteHeader
                            | etherparse::err::Layer::Ipv6FragHeader
                            | etherparse::err::Layer::IpAuthHeader
                    )
                {
                    cut = Some("IPv6 extension header");
                }
                (
                    IpAddr::V6(h.source_addr()),
                    IpAddr::V6(h.destination_addr()),
                    ip,
                    v6.payload(),
                )
            }
            LaxNetSlice::Arp(_) => return None,
        };
    let proto = Proto(payload.ip_number.0);
    let mut packet = Packet::new(Sensor::Pcap, Host::Addr(src), Host::Addr(dst), proto);
    // Bytes the IP header says follow it, whatever the capture kept.
    let carried = ip.total_len.and_then(|total| {
        let header_and_exts = payload_offset(sliced)?;
        u32::try_from(header_and_exts)
            .ok()
            .map(|h| total.saturating_sub(h))
    });
    let later_fragment = ip.frag_offset.is_some_and(|o| o > 0);
    packet.ip = ip;
    if cut.is_none() && !later_fragment {
        cut = transport(&mut packet, payload.payload, carried, quote);
    }
    Some(Decoded { packet, cut })
}

/// Where the transport header starts, counted from the IP header.
fn payload_offset(sliced: &LaxSlicedPacket<'_>) -> Option<usize> {
    match sliced.net.as_ref()? {
        LaxNetSlice::Ipv4(v4) => {
            Some(v4.header().slice().len() + v4.extensions().auth.map_or(0, |a| a.slice().len()))
        }
        LaxNetSlice::Ipv6(v6) => Some(40 + v6.extensions().slice().len()),
        LaxNetSlice::Arp(_) => None,
    }
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Fills ports and transport fields from the transport header's bytes.
/// Returns the header's name when the capture cut it.
fn transport(
    packet: &mut Packet,
    bytes: &[u8],
    carried: Option<u32>,
    quote: bool,
) -> Option<&'static str> {
    match packet.proto {
        Proto::TCP => tcp(packet, bytes, carried),
        Proto::UDP => {
            packet.src_port = be16(bytes, 0);
            packet.dst_port = be16(bytes, 2);
            packet.transport_len = be16(bytes, 4).map(u32::from);
            (bytes.len() < 8).then_some("UDP header")
        }
        Proto::ICMP | Proto::ICMPV6 => icmp(packet, bytes, quote),
        _ => None,
    }
}

fn tcp(packet: &mut Packet, bytes: &[u8], carried: Option<u32>) -> Option<&'static str> {
    packet.src_port = be16(bytes, 0);
    packet.dst_port = be16(bytes, 2);
    if bytes.len() < 4 {
        return Some("TCP header");
    }
    let mut fields = TcpFields {
        flags: bytes.get(13).map(|f| TcpFlags(*f)),
        seq: be32(bytes, 4),
        ack: be32(bytes, 8),
        window: be16(bytes, 14).map(u32::from),
        options: None,
    };
    let header_len = bytes.get(12).map(|b| usize::from(b >> 4) * 4);
    let mut cut = bytes.len() < 20;
    if let Some(len) = header_len
        && len >= 20
    {
        if let Some(option_bytes) = bytes.get(20..len.min(bytes.len()))
            && !option_bytes.is_empty()
        {
            fields.options = Some(Box::new(tcp_options(option_bytes)));
        }
        cut |= bytes.len() < len;
        packet.transport_len = carried.map(|c| c.saturating_sub(len as u32));
    }
    packet.tcp = Some(fields);
    cut.then_some("TCP header")
}

/// Reads TCP options: kinds in order, the MSS and the window scale.
pub fn tcp_options(bytes: &[u8]) -> TcpOptions {
    let mut options = TcpOptions::default();
    let mut at = 0usize;
    while let Some(&kind) = bytes.get(at) {
        if options.kinds.len() < MAX_OPTION_KINDS {
            options.kinds.push(kind);
        }
        match kind {
            0 => break,
            1 => at += 1,
            _ => {
                let len = match bytes.get(at + 1) {
                    Some(&len) if len >= 2 => usize::from(len),
                    _ => break,
                };
                let body = bytes.get(at + 2..at + len);
                match (kind, body) {
                    (2, Some(b)) if b.len() == 2 => {
                        options.mss = Some(u16::from_be_bytes([b[0], b[1]]))
                    }
                    (3, Some(b)) if b.len() == 1 => options.window_scale = Some(b[0]),
                    _ => {}
                }
                at += len;
            }
        }
    }
    options
}

fn icmp(packet: &mut Packet, bytes: &[u8], quote: bool) -> Option<&'static str> {
    let v6 = packet.proto == Proto::ICMPV6;
    let (Some(&kind), Some(&code)) = (bytes.first(), bytes.get(1)) else {
        return Some(if v6 { "ICMPv6 header" } else { "ICMP header" });
    };
    let mut fields = IcmpFields {
        kind,
        code,
        ..IcmpFields::default()
    };
    let echo_like = if v6 {
        matches!(kind, 128 | 129)
    } else {
        matches!(kind, 0 | 8 | 13..=18)
    };
    let error = if v6 {
        matches!(kind, 1..=4)
    } else {
        matches!(kind, 3 | 4 | 5 | 11 | 12)
    };
    if echo_like {
        fields.echo_id = be16(bytes, 4);
        fields.echo_seq = be16(bytes, 6);
    }
    if error
        && quote
        && let Some(inner) = bytes.get(8..)
        && let Ok(sliced) = LaxSlicedPacket::from_ip(inner)
        && let Some(mut quoted) = decode(&sliced, false)
    {
        quoted.packet.origin = packet.origin;
        fields.quoted = Some(Box::new(quoted.packet));
    }
    packet.icmp = Some(fields);
    (bytes.len() < 8).then_some(if v6 { "ICMPv6 header" } else { "ICMP header" })
}

#[cfg(test)]
mod fragment_tests {
    use super::*;

    #[test]
    fn the_fragment_header_is_found_behind_other_extension_headers() {
        // Hop-by-hop (8 bytes, next: fragment), then fragment: offset 185, more, id 0x01020304.
        let bytes = [44, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0x05, 0xc9, 1, 2, 3, 4];
        assert_eq!(
            fragment_header(0, &bytes),
            Some(Fragment {
                id: 0x0102_0304,
                more: true,
                offset: 185
            })
        );
    }

    #[test]
    fn extension_headers_longer_than_the_bytes_are_not_read() {
        // A hop-by-hop header claiming 2 KiB, then nothing; a cut fragment header.
        assert_eq!(fragment_header(0, &[44, 255, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(fragment_header(44, &[17, 0, 0]), None);
        assert_eq!(fragment_header(0, &[]), None);
        // A loop of routing headers of length 0 ends.
        assert_eq!(
            fragment_header(43, &[43, 0, 0, 0, 0, 0, 0, 0].repeat(40)),
            None
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_of_a_bsd_syn() {
        // pcaps_port_scan.pcap, packet 1: mss 1460,nop,wscale 5,nop,nop,TS,sackOK,eol.
        let bytes = [
            0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x05, 0x01, 0x01, 0x08, 0x0a, 0x73, 0xc1,
            0xb5, 0x78, 0x00, 0x00, 0x00, 0x00, 0x04, 0x02, 0x00, 0x00,
        ];
        let o = tcp_options(&bytes);
        assert_eq!(o.kinds, vec![2, 1, 3, 1, 1, 8, 4, 0]);
        assert_eq!((o.mss, o.window_scale), (Some(1460), Some(5)));
        assert_eq!(o.to_string(), "MSS:1460 NOP WS:5 NOP NOP TS SackOK EOL");
    }

    #[test]
    fn damaged_options_stop_without_panicking() {
        assert_eq!(tcp_options(&[2]).kinds, vec![2]);
        assert_eq!(tcp_options(&[2, 0, 5]).kinds, vec![2]);
        let cut = tcp_options(&[2, 4, 5]);
        assert_eq!((cut.kinds.clone(), cut.mss), (vec![2], None));
        let many = tcp_options(&[1; 40]);
        assert_eq!(many.kinds.len(), MAX_OPTION_KINDS);
    }
}
