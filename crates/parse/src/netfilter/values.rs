//! Values inside netfilter fields that need more than a number parse:
//! addresses and the hex dump of TCP options.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use picket_model::TcpOptions;

use crate::bytes::{parse_hex, parse_ip};

/// Most TCP option kinds kept, as [`TcpOptions::kinds`] documents.
const MAX_OPTION_KINDS: usize = 16;

/// An address as the kernel prints it: dotted IPv4, or IPv6 in full
/// (`2001:0db8:0000:...`), which is returned shortened. The common forms
/// are read directly; anything else goes to the general parser.
pub(super) fn ip_address(text: &[u8]) -> Option<IpAddr> {
    dotted_quad(text)
        .map(IpAddr::V4)
        .or_else(|| full_ipv6(text).map(IpAddr::V6))
        .or_else(|| parse_ip(text))
}

/// A plain `a.b.c.d`, read in one pass without the general parser (the
/// common case). `None` sends anything else, leading zeros included, to
/// [`parse_ip`].
fn dotted_quad(text: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut index = 0;
    let mut value: u16 = 0;
    let mut digits = 0;
    for &b in text {
        if b == b'.' {
            if digits == 0 || index == 3 {
                return None;
            }
            octets[index] = value as u8;
            index += 1;
            value = 0;
            digits = 0;
            continue;
        }
        let digit = b.wrapping_sub(b'0');
        // A leading zero (`01`) is left to the general parser.
        if digit > 9 || (digits == 1 && value == 0) {
            return None;
        }
        value = value * 10 + u16::from(digit);
        digits += 1;
        if value > 255 {
            return None;
        }
    }
    if index != 3 || digits == 0 {
        return None;
    }
    octets[3] = value as u8;
    Some(Ipv4Addr::from(octets))
}

/// IPv6 as the kernel prints it: eight groups of four hex digits.
fn full_ipv6(text: &[u8]) -> Option<Ipv6Addr> {
    if text.len() != 39 {
        return None;
    }
    let mut groups = [0u16; 8];
    for (i, group) in groups.iter_mut().enumerate() {
        let digits = &text[i * 5..i * 5 + 4];
        if i < 7 && text[i * 5 + 4] != b':' {
            return None;
        }
        for &b in digits {
            *group = (*group << 4) | u16::from(hex_digit(b)?);
        }
    }
    Some(Ipv6Addr::from(groups))
}

/// A byte in hex, with or without `0x` (`TOS=00` is seen in the wild).
pub(super) fn parse_hex_u8(text: &[u8]) -> Option<u8> {
    parse_hex(text).and_then(|v| u8::try_from(v).ok())
}

/// Decodes the hex of a TCP options dump (`020405B4` is MSS 1460) by
/// walking kind, length, value. Returns what was decoded and whether all of
/// it made sense; every length is checked against what is left.
pub(super) fn decode_tcp_options(hex: &[u8]) -> (TcpOptions, bool) {
    let mut options = TcpOptions::default();
    let byte = |i: usize| -> Option<u8> {
        let pair = hex.get(i.checked_mul(2)?..i.checked_mul(2)?.checked_add(2)?)?;
        Some(hex_digit(pair[0])? << 4 | hex_digit(pair[1])?)
    };
    let total = hex.len() / 2;
    let mut readable = hex.len().is_multiple_of(2);
    let mut at = 0usize;
    while at < total {
        let Some(kind) = byte(at) else {
            readable = false;
            break;
        };
        if options.kinds.len() < MAX_OPTION_KINDS {
            options.kinds.push(kind);
        }
        match kind {
            0 => break,
            1 => at += 1,
            _ => {
                let len = byte(at + 1).map_or(0, usize::from);
                if len < 2 || at + len > total {
                    readable = false;
                    break;
                }
                match (kind, len) {
                    (2, 4) => {
                        if let (Some(hi), Some(lo)) = (byte(at + 2), byte(at + 3)) {
                            options.mss = Some(u16::from_be_bytes([hi, lo]));
                        }
                    }
                    (3, 3) => options.window_scale = byte(at + 2),
                    _ => {}
                }
                at += len;
            }
        }
    }
    (options, readable)
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_of_a_linux_syn() {
        // SuSE SFW2 log line quoted on the LinuxChix techtalk list, 2009.
        let (opts, ok) = decode_tcp_options(b"020405B40402080A14D702E613603EDF01030306");
        assert!(ok);
        assert_eq!(opts.kinds, vec![2, 4, 8, 1, 3]);
        assert_eq!(opts.mss, Some(1460));
        assert_eq!(opts.window_scale, Some(6));
    }

    #[test]
    fn options_with_bad_lengths_keep_what_was_read() {
        // psad syn scan option, then a window scale whose length runs past the end.
        let (opts, ok) = decode_tcp_options(b"020405B40303");
        assert!(!ok);
        assert_eq!(opts.kinds, vec![2, 3]);
        assert_eq!(opts.mss, Some(1460));
        assert_eq!(opts.window_scale, None);
        let (opts, ok) = decode_tcp_options(b"0200");
        assert!(!ok, "a length under 2 is malformed");
        assert_eq!(opts.kinds, vec![2]);
        let (opts, ok) = decode_tcp_options(b"01010X");
        assert!(!ok);
        assert_eq!(opts.kinds, vec![1, 1]);
        let (opts, ok) = decode_tcp_options(b"0000FFFF");
        assert!(ok, "bytes after EOL are padding");
        assert_eq!(opts.kinds, vec![0]);
    }

    #[test]
    fn many_nops_are_capped() {
        let (opts, ok) = decode_tcp_options(&b"01".repeat(40));
        assert!(ok);
        assert_eq!(opts.kinds.len(), MAX_OPTION_KINDS);
    }

    #[test]
    fn dotted_quads_and_what_they_leave_to_the_general_parser() {
        // SRC= values of psad's syn_scan_1000_1500_zeroip and syn_scan_1000_1500.
        assert_eq!(dotted_quad(b"0.0.0.0"), Some(Ipv4Addr::UNSPECIFIED));
        assert_eq!(
            dotted_quad(b"192.168.10.55"),
            Some(Ipv4Addr::new(192, 168, 10, 55))
        );
        assert_eq!(dotted_quad(b"192.168.10.256"), None);
        assert_eq!(dotted_quad(b"192.168.010.1"), None);
        assert_eq!(dotted_quad(b"1.2.3"), None);
        assert_eq!(dotted_quad(b"1.2.3.4.5"), None);
        assert_eq!(
            ip_address(b"2001:0db8::1"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(ip_address(b"1.2.3"), None);
    }

    proptest::proptest! {
        /// Whatever the one-pass reader accepts, the standard parser reads
        /// the same; what it turns down goes there anyway.
        #[test]
        fn addresses_read_as_the_standard_parser_reads_them(text in "[0-9.]{0,18}|[0-9]{1,3}(\\.[0-9]{1,3}){3}") {
            let expected: Option<IpAddr> = text.parse().ok();
            proptest::prop_assert_eq!(ip_address(text.as_bytes()), expected);
            if let Some(quad) = dotted_quad(text.as_bytes()) {
                proptest::prop_assert_eq!(Some(IpAddr::V4(quad)), expected);
            }
        }
    }

    #[test]
    fn ipv6_in_full() {
        // psad ipv6_tcp_connect_nmap_default_scan, DST=.
        assert_eq!(
            full_ipv6(b"2001:0db8:0000:f101:0000:0000:0000:0001"),
            Some("2001:db8:0:f101::1".parse().unwrap())
        );
        assert_eq!(full_ipv6(b"2001:0db8:0000:f101:0000:0000:0000:000g"), None);
        assert_eq!(full_ipv6(b"2001:0db8:0000:f101:0000:0000:0000-0001"), None);
    }

    #[test]
    fn hex_bytes_with_or_without_prefix() {
        // TOS= values: psad samples print `0x00`, an elastic sample `00`.
        assert_eq!(parse_hex_u8(b"0x1C"), Some(0x1c));
        assert_eq!(parse_hex_u8(b"00"), Some(0));
        assert_eq!(parse_hex_u8(b"0x100"), None);
    }
}
