//! ICMP message types and codes from the words Snort prints for them.
//!
//! Snort 1.x printed no `Type:` on its ICMP line, only `ID:5889   Seq:0
//! ECHO` or `DESTINATION UNREACHABLE: PORT UNREACHABLE`; the words settle
//! the type and code.

use memchr::memmem;

/// Type and code from the words Snort prints on an ICMP line, for Snort 1.x
/// which printed no `Type:`.
pub(crate) fn icmp_from_words(line: &[u8]) -> Option<(u8, u8)> {
    // Words sit near the start; do not scan a hostile megabyte-long line.
    let line = &line[..line.len().min(256)];
    let has = |needle: &[u8]| memmem::find(line, needle).is_some();
    if let Some(at) = memmem::find(line, b"DESTINATION UNREACHABLE") {
        let rest = &line[at + 23..];
        const CODES: [(&[u8], u8); 16] = [
            (b"NET UNREACHABLE FOR TOS", 11),
            (b"HOST UNREACHABLE FOR TOS", 12),
            (b"NET UNREACHABLE", 0),
            (b"HOST UNREACHABLE", 1),
            (b"PROTOCOL UNREACHABLE", 2),
            (b"PORT UNREACHABLE", 3),
            (b"FRAGMENTATION NEEDED", 4),
            (b"SOURCE ROUTE FAILED", 5),
            (b"NET UNKNOWN", 6),
            (b"HOST UNKNOWN", 7),
            (b"HOST ISOLATED", 8),
            (b"PROHIBITED NETWORK FILTERED", 9),
            (b"PROHIBITED HOST FILTERED", 10),
            (b"PROHIBITED,", 13),
            (b"PREC VIOLATION", 14),
            (b"PREC CUTOFF", 15),
        ];
        let code = CODES
            .iter()
            .find(|(n, _)| memmem::find(rest, n).is_some())
            .map_or(0, |(_, c)| *c);
        return Some((3, code));
    }
    if has(b"REDIRECT") {
        let code = if has(b"TOS HOST") {
            3
        } else if has(b"TOS NET") {
            2
        } else if has(b"REDIRECT HOST") {
            1
        } else {
            0
        };
        return Some((5, code));
    }
    if has(b"TTL EXCEEDED") {
        return Some((11, u8::from(has(b"REASSEMBLY"))));
    }
    if has(b"PARAMETER PROBLEM") {
        let code = if has(b"OPTION MISSING") {
            1
        } else if has(b"BAD LENGTH") {
            2
        } else {
            0
        };
        return Some((12, code));
    }
    const PLAIN: [(&[u8], u8); 11] = [
        (b"ECHO REPLY", 0),
        (b"SOURCE QUENCH", 4),
        (b"ROUTER ADVERTISEMENT", 9),
        (b"ROUTER SOLICITATION", 10),
        (b"TIMESTAMP REQUEST", 13),
        (b"TIMESTAMP REPLY", 14),
        (b"INFO REQUEST", 15),
        (b"INFO REPLY", 16),
        (b"ADDRESS REQUEST", 17),
        (b"ADDRESS REPLY", 18),
        (b"ECHO", 8),
    ];
    PLAIN
        .iter()
        .find(|(n, _)| has(n))
        .map(|(_, kind)| (*kind, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_name_types_and_codes() {
        // Snort 1.x ICMP lines (the echo one as printed in Snort's manual).
        assert_eq!(icmp_from_words(b"ID:7564   Seq:0  ECHO"), Some((8, 0)));
        assert_eq!(icmp_from_words(b"ID:26  Seq:0  ECHO REPLY"), Some((0, 0)));
        assert_eq!(
            icmp_from_words(b"DESTINATION UNREACHABLE: PORT UNREACHABLE"),
            Some((3, 3))
        );
        assert_eq!(
            icmp_from_words(b"DESTINATION UNREACHABLE: NET UNREACHABLE FOR TOS"),
            Some((3, 11))
        );
        assert_eq!(
            icmp_from_words(b"DESTINATION UNREACHABLE: ADMINISTRATIVELY PROHIBITED,"),
            Some((3, 13))
        );
        assert_eq!(
            icmp_from_words(b"REDIRECT HOST NEW GW: 10.0.0.1"),
            Some((5, 1))
        );
        assert_eq!(icmp_from_words(b"TTL EXCEEDED IN TRANSIT"), Some((11, 0)));
        assert_eq!(
            icmp_from_words(b"ID: 3608  Seq: 0  TIMESTAMP REQUEST"),
            Some((13, 0))
        );
        assert_eq!(icmp_from_words(b"Len: 58"), None);
    }
}
