//! Snort alerts sent to syslog (`-s`, `output alert_syslog`).
//!
//! ```text
//! Apr 21 17:04:13 unbeliever snort[1234]: [1:1:1] Deep Throat/Invasor [Classification: Misc activity] [Priority: 3]: {UDP} 10.1.1.1:60000 -> 10.2.2.2:2140
//! Apr 21 17:04:13 unbeliever snort: SMB Name Wildcard: 10.1.1.1:137 -> 10.2.2.2:137
//! ```
//!
//! The first is Snort 2.x (an optional `<iface>` may precede the colon), the
//! second Snort 1.x, which printed neither ids nor protocol. The time is the
//! syslog envelope's; Solaris' `[ID n facility.level]` tag is skipped.

use memchr::memmem;
use picket_model::{Action, Packet, Proto, Sensor, TcpFields};

use crate::bytes::Interner;
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::snort::common::{
    Damage, UNKNOWN_PROTO, clean_message, proto_from_name, resolve_endpoints, signature,
    split_flow, split_sid, strip_decorations, trim_end, trim_start,
};
use crate::syslog;
use crate::time::TimeContext;

/// How far into a line the program tag is looked for.
const TAG_WINDOW: usize = 96;

/// Reads Snort alerts from syslog lines.
#[derive(Default, Debug)]
pub struct SnortSyslogParser {
    names: Interner,
}

impl FormatParser for SnortSyslogParser {
    fn format(&self) -> Format {
        Format::SnortSyslog
    }

    fn claims(&self, line: &[u8]) -> bool {
        let window = &line[..line.len().min(TAG_WINDOW)];
        memmem::find_iter(window, b"snort").any(|at| {
            let before_ok = at == 0 || matches!(window[at - 1], b' ' | b'/');
            before_ok && matches!(window.get(at + 5), Some(b'[' | b':'))
        })
    }

    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        let mut damage = Damage::default();
        let result = self.parse(line, line_no, time, &mut damage).map(Some);
        damage.emit(result, line_no, sink)
    }
}

/// True when a syslog tag names Snort: `snort`, `snort[pid]`, or a path
/// ending in one of them.
fn is_snort_tag(tag: &[u8]) -> bool {
    let name = match memchr::memchr(b'[', tag) {
        Some(open) => &tag[..open],
        None => tag,
    };
    let base = match memchr::memrchr(b'/', name) {
        Some(slash) => &name[slash + 1..],
        None => name,
    };
    base == b"snort"
}

/// Skips Solaris syslog's `[ID 702911 auth.alert] ` message tag.
fn skip_solaris_id(message: &[u8]) -> &[u8] {
    if let Some(rest) = message.strip_prefix(b"[ID ")
        && let Some(close) = memchr::memchr(b']', &rest[..rest.len().min(64)])
    {
        return trim_start(&rest[close + 1..]);
    }
    message
}

impl SnortSyslogParser {
    fn parse(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        damage: &mut Damage,
    ) -> Result<Packet, &'static str> {
        let envelope = syslog::split(line, time).ok_or("no syslog envelope")?;
        if !envelope.tag.is_some_and(is_snort_tag) {
            return Err("syslog tag is not snort");
        }
        if envelope.had_time && envelope.time.is_none() {
            damage.note("unreadable timestamp");
        }
        let message = skip_solaris_id(envelope.message);
        let flow = split_flow(message).ok_or("Snort message without `src -> dst`")?;
        let before = trim_end(flow.before);
        let before = before.strip_suffix(b":").unwrap_or(before);
        let (ids, rest) = split_sid(before);
        let (message, decorations) = strip_decorations(rest);
        let proto = match flow.proto {
            Some(name) => match proto_from_name(name) {
                Some(proto) => proto,
                None => {
                    damage.field("protocol", name);
                    UNKNOWN_PROTO
                }
            },
            None => UNKNOWN_PROTO,
        };
        let ends = resolve_endpoints(&mut self.names, flow.src, flow.dst, Some(proto))?;
        if ends.bad_port {
            damage.note("unreadable port");
        }
        let mut packet = Packet::new(Sensor::Snort, ends.src, ends.dst, proto);
        packet.time = envelope.time;
        packet.action = Action::Alert;
        packet.src_port = ends.src_port;
        packet.dst_port = ends.dst_port;
        packet.ip.v6 = packet.src.addr().is_some_and(|a| a.is_ipv6());
        packet.in_iface = decorations.iface.map(|i| self.names.intern(i));
        packet.signature = Some(signature(
            &mut self.names,
            ids,
            clean_message(message),
            &decorations,
        ));
        if proto == Proto::TCP {
            packet.tcp = Some(TcpFields::default());
        }
        packet.origin.line = line_no;
        Ok(packet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::{Collect, parse_text};

    // No Snort syslog capture is among the fixtures: these lines follow the
    // layout Snort's alert_syslog output documents (2.x with ids,
    // classification and priority; 1.x with `message: src -> dst`), with the
    // paper's detect 04 and 05 endpoints.
    const SNORT2: &str = "Apr 21 17:04:13 unbeliever snort[1234]: [1:1:1] Deep Throat/Invasor [Classification: Misc activity] [Priority: 3]: {UDP} 10.1.1.1:60000 -> 10.2.2.2:2140";
    const SNORT1: &str =
        "Apr 21 17:04:13 unbeliever snort: SMB Name Wildcard: 10.1.1.1:137 -> 10.2.2.2:137";

    fn parse(text: &str) -> Collect {
        parse_text(
            text.as_bytes(),
            Some(Format::SnortSyslog),
            &mut TimeContext::fixed_year(2000),
        )
    }

    #[test]
    fn snort2_form() {
        let out = parse(SNORT2);
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        let p = &out.packets[0];
        assert_eq!(p.sensor, Sensor::Snort);
        assert_eq!(p.action, Action::Alert);
        assert_eq!(p.time.unwrap().to_string(), "2000-04-21T17:04:13Z");
        assert_eq!(p.proto, Proto::UDP);
        assert_eq!(p.src.to_string(), "10.1.1.1");
        assert_eq!(p.dst.to_string(), "10.2.2.2");
        assert_eq!((p.src_port, p.dst_port), (Some(60000), Some(2140)));
        let sig = p.signature.as_ref().unwrap();
        assert_eq!((sig.gid, sig.sid, sig.rev), (Some(1), Some(1), Some(1)));
        assert_eq!(&*sig.message, "Deep Throat/Invasor");
        assert_eq!(sig.classification.as_deref(), Some("Misc activity"));
        assert_eq!(sig.priority, Some(3));
        assert!(p.tcp.is_none() && p.icmp.is_none() && p.in_iface.is_none());
        assert_eq!(p.origin.line, 1);
    }

    #[test]
    fn snort1_form() {
        let out = parse(SNORT1);
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        let p = &out.packets[0];
        assert_eq!((p.sensor, p.action), (Sensor::Snort, Action::Alert));
        assert_eq!(p.time.unwrap().to_string(), "2000-04-21T17:04:13Z");
        assert_eq!(p.proto, UNKNOWN_PROTO);
        assert_eq!(
            (p.src.to_string(), p.dst.to_string()),
            ("10.1.1.1".into(), "10.2.2.2".into())
        );
        assert_eq!((p.src_port, p.dst_port), (Some(137), Some(137)));
        assert!(p.tcp.is_none() && p.in_iface.is_none());
        let sig = p.signature.as_ref().unwrap();
        assert_eq!(&*sig.message, "SMB Name Wildcard");
        assert_eq!((sig.sid, sig.priority), (None, None));
    }

    #[test]
    fn interface_icmp_and_solaris_tag() {
        let out = parse(
            "Apr 21 17:04:13 gw snort[9]: [ID 702911 auth.alert] [1:408:5] ICMP Echo Reply [Priority: 3] <hme0>: {ICMP} 31.7.62.154 -> 192.168.115.10",
        );
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        let p = &out.packets[0];
        assert_eq!(p.proto, Proto::ICMP);
        assert_eq!(p.in_iface.as_deref(), Some("hme0"));
        assert_eq!(&*p.signature.as_ref().unwrap().message, "ICMP Echo Reply");
    }

    #[test]
    fn claims_only_snort_tags() {
        let parser = SnortSyslogParser::default();
        assert!(parser.claims(SNORT2.as_bytes()));
        assert!(parser.claims(SNORT1.as_bytes()));
        assert!(!parser.claims(b"Apr 21 17:04:13 host kernel: snortish: x"));
        let out = parse(
            "Apr 21 17:04:13 host mysnort: a -> b\nApr 21 17:04:13 host snort[1]: Snort exiting",
        );
        assert_eq!(out.packets.len(), 0);
        assert_eq!(out.unrecognized.len(), 2);
    }
}
