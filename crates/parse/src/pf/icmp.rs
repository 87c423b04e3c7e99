//! ICMP type and code from the words tcpdump prints for them
//! (`echo request`, `10.0.0.1 udp port 53 unreachable`, `type-#42`).

use crate::bytes::parse_u8;

/// The ICMP (IPv4) type and code a description names.
pub(super) fn v4(description: &[u8]) -> Option<(u8, u8)> {
    let has = |phrase: &str| contains(description, phrase);
    let found = if has("echo request") {
        (8, 0)
    } else if has("echo reply") {
        (0, 0)
    } else if has("unreachable") {
        (3, unreachable_code(description))
    } else if has("redirect") {
        let code = numbered(description, b"redirect-#").unwrap_or(if has("redirect-tos") {
            2
        } else if has("to host") {
            1
        } else {
            0
        });
        (5, code)
    } else if has("source quench") {
        (4, 0)
    } else if has("router advertisement") {
        (9, 0)
    } else if has("router solicitation") {
        (10, 0)
    } else if has("time exceeded") {
        let code = numbered(description, b"time exceeded-#").unwrap_or(if has("reassembly") {
            1
        } else {
            0
        });
        (11, code)
    } else if has("requested option absent") {
        (12, 1)
    } else if has("bad length") {
        (12, 2)
    } else if has("parameter problem") {
        (12, 0)
    } else if has("time stamp request") || has("time stamp query") {
        (13, 0)
    } else if has("time stamp reply") {
        (14, 0)
    } else if has("information request") {
        (15, 0)
    } else if has("information reply") {
        (16, 0)
    } else if has("address mask request") {
        (17, 0)
    } else if has("address mask is") || has("address mask reply") {
        (18, 0)
    } else {
        (numbered(description, b"type-#")?, 0)
    };
    Some(found)
}

/// The code of a destination unreachable, from OpenBSD's and tcpdump's
/// wording of each code.
fn unreachable_code(description: &[u8]) -> u8 {
    let has = |phrase: &str| contains(description, phrase);
    if let Some(code) = description
        .strip_prefix(b"#")
        .and_then(|rest| numbered(rest, b""))
    {
        return code;
    }
    let net = description.starts_with(b"net ");
    if has("need to frag") {
        4
    } else if has(" port ") {
        3
    } else if has(" protocol ") {
        2
    } else if has("source route failed") {
        5
    } else if has("admin prohibited filter") {
        13
    } else if has("host precedence violation") {
        14
    } else if has("precedence cutoff") {
        15
    } else if has("tos prohibited") {
        if net { 11 } else { 12 }
    } else if has("admin prohibited") {
        if net { 9 } else { 10 }
    } else if has("source host isolated") {
        8
    } else if has("unknown") {
        if net { 6 } else { 7 }
    } else if net {
        0
    } else {
        1
    }
}

/// The ICMPv6 type and code a description names.
pub(super) fn v6(description: &[u8]) -> Option<(u8, u8)> {
    let has = |phrase: &str| contains(description, phrase);
    let found = if has("echo request") {
        (128, 0)
    } else if has("echo reply") {
        (129, 0)
    } else if has("packet too big") {
        (2, 0)
    } else if has("unreachable") {
        let code = if has("port") {
            4
        } else if has("address") {
            3
        } else if has("beyond scope") {
            2
        } else if has("prohibited") {
            1
        } else {
            0
        };
        (1, code)
    } else if has("time exceeded") {
        (3, if has("reassembly") { 1 } else { 0 })
    } else if has("parameter problem") {
        (4, 0)
    } else if has("multicast listener reportv2") || has("multicast listener report v2") {
        (143, 0)
    } else if has("multicast listener query") {
        (130, 0)
    } else if has("multicast listener report") {
        (131, 0)
    } else if has("multicast listener done") {
        (132, 0)
    } else if has("router solicitation") {
        (133, 0)
    } else if has("router advertisement") {
        (134, 0)
    } else if has("neighbor sol") {
        (135, 0)
    } else if has("neighbor adv") {
        (136, 0)
    } else if has("redirect") {
        (137, 0)
    } else {
        (numbered(description, b"type-#")?, 0)
    };
    Some(found)
}

/// The number right after `marker` in `text`.
fn numbered(text: &[u8], marker: &[u8]) -> Option<u8> {
    let at = find(text, marker)?;
    let rest = &text[at + marker.len()..];
    let end = rest
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(rest.len());
    parse_u8(&rest[..end])
}

fn contains(text: &[u8], phrase: &str) -> bool {
    find(text, phrase.as_bytes()).is_some()
}

fn find(text: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(text, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openbsd_wordings() {
        // Descriptions as OpenBSD's print-icmp.c words them.
        assert_eq!(v4(b"echo request"), Some((8, 0)));
        assert_eq!(v4(b"10.0.0.1 udp port 53 unreachable"), Some((3, 3)));
        assert_eq!(v4(b"10.0.0.1 protocol 47 unreachable"), Some((3, 2)));
        assert_eq!(v4(b"host 10.0.0.1 unreachable"), Some((3, 1)));
        assert_eq!(
            v4(b"net 10.0.0.0 unreachable - admin prohibited"),
            Some((3, 9))
        );
        assert_eq!(
            v4(b"host 10.0.0.1 unreachable - admin prohibited filter"),
            Some((3, 13))
        );
        assert_eq!(v4(b"10.0.0.1 unreachable - need to frag "), Some((3, 4)));
        assert_eq!(v4(b"#3 10.0.0.1 unreachable"), Some((3, 3)));
        assert_eq!(v4(b"time exceeded in-transit"), Some((11, 0)));
        assert_eq!(v4(b"ip reassembly time exceeded"), Some((11, 1)));
        assert_eq!(v4(b"redirect 10.0.0.9 to host 10.0.0.1"), Some((5, 1)));
        assert_eq!(v4(b"address mask is 0xffffff00"), Some((18, 0)));
        assert_eq!(v4(b"type-#42"), Some((42, 0)));
        assert_eq!(v4(b"type-#420"), None);
        assert_eq!(v4(b"something else"), None);
    }

    #[test]
    fn icmp6_wordings() {
        assert_eq!(v6(b"neighbor sol: who has fe80::1"), Some((135, 0)));
        assert_eq!(v6(b"neighbor solicitation"), Some((135, 0)));
        assert_eq!(v6(b"echo request"), Some((128, 0)));
        assert_eq!(v6(b"multicast listener reportv2"), Some((143, 0)));
        assert_eq!(v6(b"destination unreachable"), Some((1, 0)));
        assert_eq!(v6(b"packet too big"), Some((2, 0)));
    }
}
