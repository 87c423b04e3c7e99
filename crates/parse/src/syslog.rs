//! The syslog envelope around kernel and daemon messages.
//!
//! Accepted forms, each with an optional `<PRI>` in front:
//! - BSD: `Mar 12 04:05:35 host tag: message`
//! - RFC 3339 and `journalctl -o short-iso`: `2021-03-12T14:10:18+0100 host tag: message`
//! - a bare kernel line (dmesg): `[463490.251762] message`
//!
//! The host and tag are optional (some relays drop them), and a kernel
//! `[uptime]` stamp after the tag is skipped.

use jiff::Timestamp;

use crate::time::{TimeContext, looks_bsd, looks_iso};

/// A line split into its syslog parts.
#[derive(Debug, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// The time, when the line had one that could be read.
    pub time: Option<Timestamp>,
    /// True when the line had a time field, readable or not.
    pub had_time: bool,
    /// The reporting host, when present.
    pub host: Option<&'a [u8]>,
    /// The program tag without its colon (`kernel`, `snort[123]`), when present.
    pub tag: Option<&'a [u8]>,
    /// What follows the envelope.
    pub message: &'a [u8],
}

/// Strips a leading `<PRI>` (up to three digits).
pub fn strip_priority(line: &[u8]) -> &[u8] {
    if line.first() == Some(&b'<')
        && let Some(end) = line.iter().take(5).position(|b| *b == b'>')
        && end > 1
        && line[1..end].iter().all(u8::is_ascii_digit)
    {
        return &line[end + 1..];
    }
    line
}

/// Splits `line` into its envelope. Returns `None` when the line does not
/// start with a syslog time or a kernel uptime stamp.
pub fn split<'a>(line: &'a [u8], time: &mut TimeContext) -> Option<Envelope<'a>> {
    let line = strip_priority(line);
    let (ts, rest) = if looks_bsd(line) {
        (time.bsd_syslog(line), &line[15..])
    } else if looks_iso(line) {
        match time.iso(line) {
            Some((ts, used)) => (Some(ts), &line[used..]),
            None => {
                let used = line.iter().position(|b| *b == b' ').unwrap_or(line.len());
                (None, &line[used..])
            }
        }
    } else if line.first() == Some(&b'[') {
        let message = skip_uptime(line);
        if message.len() == line.len() {
            return None;
        }
        return Some(Envelope {
            time: None,
            had_time: false,
            host: None,
            tag: None,
            message,
        });
    } else {
        return None;
    };
    let (host, tag, message) = split_host_tag(rest);
    Some(Envelope {
        time: ts,
        had_time: true,
        host,
        tag,
        message: skip_uptime(message),
    })
}

/// After the time: `host tag: message`, `tag: message`, or `host message`.
fn split_host_tag(rest: &[u8]) -> (Option<&[u8]>, Option<&[u8]>, &[u8]) {
    let rest = trim_start(rest);
    let Some((first, after_first)) = token(rest) else {
        return (None, None, rest);
    };
    if is_tag(first) {
        return (
            None,
            Some(&first[..first.len() - 1]),
            trim_start(after_first),
        );
    }
    if first.ends_with(b":") {
        // `DENY: IN=...`: a log prefix right after the time, no host.
        return (None, None, rest);
    }
    let after_first = trim_start(after_first);
    if let Some((second, after_second)) = token(after_first)
        && is_tag(second)
    {
        return (
            Some(first),
            Some(&second[..second.len() - 1]),
            trim_start(after_second),
        );
    }
    (Some(first), None, after_first)
}

/// A program tag: `name:` or `name[pid]:`, made of tag characters.
fn is_tag(token: &[u8]) -> bool {
    let Some(body) = token.strip_suffix(b":") else {
        return false;
    };
    if body.is_empty() || body.len() > 64 {
        return false;
    }
    let name = match memchr::memchr(b'[', body) {
        Some(open) => {
            let pid = &body[open + 1..];
            if !(pid.ends_with(b"]") && pid[..pid.len() - 1].iter().all(u8::is_ascii_digit)) {
                return false;
            }
            &body[..open]
        }
        None => body,
    };
    !name.is_empty()
        && name
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-./".contains(b))
}

/// Skips a kernel `[  449.059230]` uptime stamp and the spaces after it.
pub fn skip_uptime(message: &[u8]) -> &[u8] {
    if message.first() != Some(&b'[') {
        return message;
    }
    let Some(close) = message.iter().take(24).position(|b| *b == b']') else {
        return message;
    };
    let inner = &message[1..close];
    if inner.is_empty()
        || !inner
            .iter()
            .all(|b| b.is_ascii_digit() || *b == b'.' || *b == b' ')
        || !inner.iter().any(u8::is_ascii_digit)
    {
        return message;
    }
    trim_start(&message[close + 1..])
}

fn trim_start(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| *b != b' ' && *b != b'\t')
        .unwrap_or(s.len());
    &s[start..]
}

fn token(s: &[u8]) -> Option<(&[u8], &[u8])> {
    if s.is_empty() {
        return None;
    }
    let end = s
        .iter()
        .position(|b| *b == b' ' || *b == b'\t')
        .unwrap_or(s.len());
    Some((&s[..end], &s[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> TimeContext {
        TimeContext::fixed_year(2000)
    }

    #[test]
    fn bsd_with_host_tag_and_uptime() {
        let line = b"Mar 11 20:35:11 linux kernel: [463490.251762] DROP IN=eth1";
        let env = split(line, &mut ctx()).unwrap();
        assert_eq!(env.host, Some(&b"linux"[..]));
        assert_eq!(env.tag, Some(&b"kernel"[..]));
        assert_eq!(env.message, b"DROP IN=eth1");
        assert!(env.time.is_some());
    }

    #[test]
    fn priority_and_iso() {
        let line = b"<6>2021-03-12T14:10:18Z Hostname kernel: [wan-lan-default-D]IN=eth0";
        let env = split(line, &mut ctx()).unwrap();
        assert_eq!(env.host, Some(&b"Hostname"[..]));
        assert_eq!(env.message, b"[wan-lan-default-D]IN=eth0");
    }

    #[test]
    fn tag_without_host_and_host_without_tag() {
        let env = split(b"Jan  8 03:37:09 DENY: IN=eth0 OUT=", &mut ctx()).unwrap();
        assert_eq!(env.host, None);
        assert_eq!(env.tag, None, "upper-case words are not program tags");
        assert_eq!(env.message, b"DENY: IN=eth0 OUT=");
        let env = split(b"Jun 28 04:35:30 Abc-A1 [X-1234-A] IN=a", &mut ctx()).unwrap();
        assert_eq!(env.host, Some(&b"Abc-A1"[..]));
        assert_eq!(env.message, b"[X-1234-A] IN=a");
    }

    #[test]
    fn bare_kernel_line() {
        let env = split(b"[  449.059230] DROP IN=eth0", &mut ctx()).unwrap();
        assert_eq!(env.time, None);
        assert_eq!(env.message, b"DROP IN=eth0");
        assert!(split(b"[**] Deep Throat [**]", &mut ctx()).is_none());
    }

    #[test]
    fn snort_tag_with_pid() {
        let env = split(b"Apr 21 17:04:13 host snort[123]: [1:2:3] msg", &mut ctx()).unwrap();
        assert_eq!(env.tag, Some(&b"snort[123]"[..]));
        assert_eq!(env.message, b"[1:2:3] msg");
    }
}
