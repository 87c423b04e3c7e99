//! Which host names picket accepts from DNS answers and sends in queries.
//!
//! Whoever controls an address's reverse zone chooses its name, so a PTR
//! answer is attacker-controlled text. picket keeps such names as data, but
//! only when they are plain host names: letters, digits, hyphens and
//! underscores in labels of 1 to 63 bytes, at most 253 bytes in all, and a
//! last label that is not a number (so "10.0.0.1" cannot pose as a name).

/// The longest host name in text form, without the root's final dot (RFC 1035).
pub const MAX_NAME_LEN: usize = 253;

/// The longest label (RFC 1035).
pub const MAX_LABEL_LEN: usize = 63;

/// True when the text is a plain host name picket will keep or query: see
/// the module documentation. One final dot (the root) is allowed.
pub fn is_valid_host_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return false;
    }
    let mut last_label = "";
    for label in name.split('.') {
        if !is_valid_label(label) {
            return false;
        }
        last_label = label;
    }
    !last_label.bytes().all(|b| b.is_ascii_digit())
}

/// A label of 1 to 63 letters, digits, hyphens and underscores that neither
/// starts nor ends with a hyphen.
fn is_valid_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    bytes.len() <= MAX_LABEL_LEN
        && first != b'-'
        && last != b'-'
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The name as picket keeps it: lower-cased, without the final dot; `None`
/// when it is not a valid host name.
pub fn clean_host_name(name: &str) -> Option<String> {
    is_valid_host_name(name).then(|| name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_names() {
        // Names from the paper's detects: 07-hackatack, 04-deep-throat, 02-subseven.
        for name in [
            "dial1.netcom",
            "user.dsl.ma",
            "cable.socal.com",
            "1-2-3-4.dsl.example.net.",
            "_dmarc.example.com",
            "xn--85x722f.xn--fiqs8s",
            "localhost",
        ] {
            assert!(is_valid_host_name(name), "{name}");
        }
        assert_eq!(
            clean_host_name("Dial1.NetCom.").as_deref(),
            Some("dial1.netcom")
        );
    }

    #[test]
    fn refuses_hostile_names() {
        let long_label = format!("{}.example.com", "a".repeat(64));
        let long_name = "abc.".repeat(63) + "com";
        assert_eq!(long_name.len(), 255);
        for name in [
            "",
            ".",
            "a..b",
            ".example.com",
            "10.0.0.1",
            "www.xxx.yyy.65",
            "-lead.example.com",
            "trail-.example.com",
            "spa ce.example.com",
            "new\nline.example.com",
            "<script>.example.com",
            "back\\slash.example.com",
            "ünï.example.com",
            long_label.as_str(),
            long_name.as_str(),
        ] {
            assert!(!is_valid_host_name(name), "{name:?}");
            assert_eq!(clean_host_name(name), None);
        }
        let longest = "abc.".repeat(62) + "abcde";
        assert_eq!(longest.len(), MAX_NAME_LEN);
        assert!(is_valid_host_name(&longest));
    }
}
