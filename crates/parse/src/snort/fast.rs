//! Snort "fast" alerts: one line each.
//!
//! ```text
//! 05/30-19:09:28.472094  [**] [1:2012811:2] ET DNS DNS Query to a .tk domain - Likely Hostile [**] [Classification: Potentially Bad Traffic] [Priority: 2] {UDP} 192.168.88.10:1029 -> 4.2.2.3:53
//! ```
//!
//! Messages may hold brackets, braces and `->`, so the line is read from
//! both ends: the time and the opening `[**]` from the front, the
//! `{PROTO} src -> dst` from the back, and the message is what lies between
//! the opening `[**]` and the last `[**]`. Snort 1.x printed no `[gid:sid:rev]`
//! and no `{PROTO}`; such lines get [`UNKNOWN_PROTO`].

use std::sync::LazyLock;

use memchr::memmem::{self, Finder};
use picket_model::{Action, Packet, Proto, Sensor, TcpFields};

use crate::bytes::Interner;
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::snort::common::{
    Damage, UNKNOWN_PROTO, clean_message, looks_like_time, proto_from_name, read_time,
    resolve_endpoints, shown, signature, split_flow, split_sid, strip_decorations, trim_start,
};
use crate::time::TimeContext;

static MARKER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b" [**] "));

/// Reads Snort fast alert lines.
#[derive(Default, Debug)]
pub struct SnortFastParser {
    names: Interner,
}

impl FormatParser for SnortFastParser {
    fn format(&self) -> Format {
        Format::SnortFast
    }

    fn claims(&self, line: &[u8]) -> bool {
        looks_like_time(line) && MARKER.find(line).is_some()
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

impl SnortFastParser {
    fn parse(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        damage: &mut Damage,
    ) -> Result<Packet, &'static str> {
        let (when, used) = read_time(line, time).ok_or("no Snort timestamp")?;
        if when.is_none() {
            damage.note("unreadable timestamp");
        }
        let flow = split_flow(&line[used..]).ok_or("no `src -> dst`")?;
        let head = trim_start(flow.before)
            .strip_prefix(b"[**]")
            .ok_or("no `[**]` after the timestamp")?;
        let (message, tail) = match memmem::rfind(head, b"[**]") {
            Some(close) => (&head[..close], &head[close + 4..]),
            None => {
                damage.note("alert lacks its closing `[**]`");
                (head, &b""[..])
            }
        };
        let (ids, message) = split_sid(message);
        let (_, decorations) = strip_decorations(tail);
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
            damage.note(format!(
                "unreadable port in `{} -> {}`",
                shown(flow.src),
                shown(flow.dst)
            ));
        }
        let mut packet = Packet::new(Sensor::Snort, ends.src, ends.dst, proto);
        packet.time = when;
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

    fn parse(text: &str) -> Collect {
        parse_text(
            text.as_bytes(),
            Some(Format::SnortFast),
            &mut TimeContext::fixed_year(2000),
        )
    }

    #[test]
    fn line_with_classification() {
        // elastic/snort_test-log-fast.log, line 2.
        let out = parse(
            "05/30-19:09:28.472094  [**] [1:2012811:2] ET DNS DNS Query to a .tk domain - Likely Hostile [**] [Classification: Potentially Bad Traffic] [Priority: 2] {UDP} 192.168.88.10:1029 -> 4.2.2.3:53",
        );
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        let p = &out.packets[0];
        assert_eq!(p.sensor, Sensor::Snort);
        assert_eq!(p.action, Action::Alert);
        assert_eq!(p.time.unwrap().to_string(), "2000-05-30T19:09:28.472094Z");
        assert_eq!(p.proto, Proto::UDP);
        assert_eq!(p.src.to_string(), "192.168.88.10");
        assert_eq!(p.dst.to_string(), "4.2.2.3");
        assert_eq!((p.src_port, p.dst_port), (Some(1029), Some(53)));
        let sig = p.signature.as_ref().unwrap();
        assert_eq!(
            (sig.gid, sig.sid, sig.rev),
            (Some(1), Some(2012811), Some(2))
        );
        assert_eq!(
            &*sig.message,
            "ET DNS DNS Query to a .tk domain - Likely Hostile"
        );
        assert_eq!(
            sig.classification.as_deref(),
            Some("Potentially Bad Traffic")
        );
        assert_eq!(sig.priority, Some(2));
        assert_eq!(p.origin.line, 1);
        assert!(p.tcp.is_none() && p.icmp.is_none() && p.in_iface.is_none());
        assert_eq!((p.ip.ttl, p.ip.id, p.transport_len), (None, None, None));
        assert!(!p.ip.v6);
    }

    #[test]
    fn line_without_classification() {
        // elastic/snort_test-log-fast.log, line 3.
        let out = parse(
            "05/30-19:09:10.917356  [**] [1:477:3] ICMP Packet [**] [Priority: 0] {ICMP} 172.25.212.245 -> 172.25.212.153",
        );
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        let p = &out.packets[0];
        assert_eq!(p.proto, Proto::ICMP);
        assert_eq!((p.sensor, p.action), (Sensor::Snort, Action::Alert));
        assert_eq!(p.time.unwrap().to_string(), "2000-05-30T19:09:10.917356Z");
        assert_eq!((p.src_port, p.dst_port), (None, None));
        assert_eq!(p.src.to_string(), "172.25.212.245");
        assert_eq!(p.dst.to_string(), "172.25.212.153");
        let sig = p.signature.as_ref().unwrap();
        assert_eq!((sig.gid, sig.sid, sig.rev), (Some(1), Some(477), Some(3)));
        assert_eq!(&*sig.message, "ICMP Packet");
        assert_eq!(sig.classification, None);
        assert_eq!(sig.priority, Some(0));
    }

    #[test]
    fn message_with_brackets_arrows_and_snort1_form() {
        let out = parse(
            "04/21-17:04:13.198326  [**] x [y] {z} a -> b [**] [Priority: 1] <eth0> {TCP} 10.1.1.1:60000 -> 10.2.2.2:2140\n04/21-17:04:13.198326  [**] Deep Throat/Invasor [**] user.dsl.ma:60000 -> me.at.home:2140",
        );
        assert!(out.unrecognized.is_empty() && out.warnings.is_empty());
        let sig = out.packets[0].signature.as_ref().unwrap();
        assert_eq!(&*sig.message, "x [y] {z} a -> b");
        assert_eq!(out.packets[0].in_iface.as_deref(), Some("eth0"));
        assert!(out.packets[0].tcp.is_some());
        let old = &out.packets[1];
        assert_eq!(old.proto, UNKNOWN_PROTO);
        assert_eq!((old.src_port, old.dst_port), (Some(60000), Some(2140)));
        assert_eq!(old.signature.as_ref().unwrap().sid, None);
    }

    #[test]
    fn damaged_lines() {
        let out = parse(
            "04/21-17:04:13.1  [**] m [**] {WHAT} a:1 -> b:2\n04/21-17:04:13.1  [**] m [**] {UDP}\n04/21-17:04:13.1  [**] m [**] {UDP} a:x -> b:2",
        );
        assert_eq!(out.packets.len(), 2);
        assert_eq!(out.packets[0].proto, UNKNOWN_PROTO);
        assert_eq!(out.unrecognized, vec![(2, "no `src -> dst`")]);
        assert_eq!(out.warnings.len(), 2);
        assert_eq!(out.packets[1].src_port, None);
        assert_eq!(out.packets[1].dst_port, Some(2));
    }
}
