//! `journalctl -o json` exports: one journal entry per line, every value a
//! string, except `MESSAGE`, which is an array of byte values when it is not
//! valid UTF-8 (and `null` when journalctl left a large field out).
//!
//! ```text
//! {"__REALTIME_TIMESTAMP":"1426106111251762","_TRANSPORT":"kernel","SYSLOG_IDENTIFIER":"kernel","MESSAGE":"DROP IN=eth1 OUT= MAC=... SRC=192.168.10.55 DST=192.168.10.1 LEN=44 ... PROTO=TCP SPT=56247 DPT=1025 WINDOW=3072 RES=0x00 SYN URGP=0"}
//! ```
//!
//! A kernel entry (`_TRANSPORT` or `SYSLOG_IDENTIFIER` `kernel`) whose message
//! is a netfilter LOG line becomes that packet, read by the netfilter parser
//! and timed by the journal (`_SOURCE_REALTIME_TIMESTAMP`, else
//! `__REALTIME_TIMESTAMP`, microseconds since the epoch). Only kernel entries
//! are read: a daemon's message can carry text an attacker chose, such as a
//! user name written as `IN=eth0 SRC=...`. Every other entry is skipped.

use std::borrow::Cow;
use std::fmt;
use std::sync::LazyLock;

use jiff::Timestamp;
use memchr::memmem::Finder;
use picket_model::Packet;
use serde::Deserialize;
use serde::de::{Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::format::{Feed, Format, FormatParser, Sink};
use crate::netfilter::NetfilterParser;
use crate::suricata_eve::json::Scalar;
use crate::suricata_eve::starts_object;
use crate::time::TimeContext;

static REALTIME_KEY: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new(b"\"__REALTIME_TIMESTAMP\""));

/// What the netfilter parser is handed before the message: a bare kernel tag,
/// which it reads as an envelope without a time. A made-up syslog time would
/// instead move the context's year-settling state.
const KERNEL_TAG: &[u8] = b"kernel: ";

/// Reads `journalctl -o json` exports holding kernel netfilter messages.
#[derive(Default, Debug)]
pub struct JournaldParser {
    netfilter: NetfilterParser,
    message: Vec<u8>,
}

impl FormatParser for JournaldParser {
    fn format(&self) -> Format {
        Format::Journald
    }

    fn claims(&self, line: &[u8]) -> bool {
        starts_object(line) && REALTIME_KEY.find(line).is_some()
    }

    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        let Ok(entry) = serde_json::from_slice::<Entry<'_>>(line) else {
            sink.unrecognized(line_no, "not a readable journal entry");
            return Feed::Done;
        };
        let is_kernel =
            entry.transport.text() == Some("kernel") || entry.identifier.text() == Some("kernel");
        let message: &[u8] = match &entry.message {
            Message::Text(text) => text.as_bytes(),
            Message::Bytes(bytes) => bytes,
            Message::Absent => b"",
        };
        if !is_kernel || !self.netfilter.claims(message) {
            sink.skipped(line_no);
            return Feed::Done;
        }
        let mut bad_time = false;
        let when = [&entry.source_realtime, &entry.realtime]
            .into_iter()
            .find(|leaf| leaf.is_present())
            .and_then(|leaf| {
                let micros = leaf.unsigned().and_then(|m| i64::try_from(m).ok());
                let when = micros.and_then(|m| Timestamp::from_microsecond(m).ok());
                bad_time = when.is_none();
                when
            });
        self.message.clear();
        self.message.extend_from_slice(KERNEL_TAG);
        self.message.extend_from_slice(message);
        let mut retimed = Retimed {
            inner: sink,
            time: when,
        };
        self.netfilter
            .feed(&self.message, line_no, time, &mut retimed);
        if bad_time {
            sink.warning(
                line_no,
                "unreadable journal timestamp; packet kept without a time".into(),
            );
        }
        Feed::Done
    }
}

/// The fields of a journal entry that picket reads.
#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow, default, rename = "__REALTIME_TIMESTAMP")]
    realtime: Scalar<'a>,
    #[serde(borrow, default, rename = "_SOURCE_REALTIME_TIMESTAMP")]
    source_realtime: Scalar<'a>,
    #[serde(borrow, default, rename = "_TRANSPORT")]
    transport: Scalar<'a>,
    #[serde(borrow, default, rename = "SYSLOG_IDENTIFIER")]
    identifier: Scalar<'a>,
    #[serde(borrow, default, rename = "MESSAGE")]
    message: Message<'a>,
}

/// `MESSAGE`: text, or the bytes of a message that is not UTF-8.
#[derive(Debug, Default, PartialEq)]
enum Message<'a> {
    #[default]
    Absent,
    Text(Cow<'a, str>),
    Bytes(Vec<u8>),
}

struct MessageVisitor;

impl<'de> Visitor<'de> for MessageVisitor {
    type Value = Message<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or an array of bytes")
    }

    fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Message::Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Message::Text(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Message::Text(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut bytes = Vec::new();
        let mut all_bytes = true;
        while let Some(element) = seq.next_element::<Scalar<'de>>()? {
            match element.unsigned().and_then(|n| u8::try_from(n).ok()) {
                Some(byte) if all_bytes => bytes.push(byte),
                _ => all_bytes = false,
            }
        }
        Ok(if all_bytes {
            Message::Bytes(bytes)
        } else {
            Message::Absent
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Message::Absent)
    }

    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        Ok(Message::Absent)
    }

    fn visit_u64<E: Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Message::Absent)
    }

    fn visit_i64<E: Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Message::Absent)
    }

    fn visit_f64<E: Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Message::Absent)
    }

    fn visit_bool<E: Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Message::Absent)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Message<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MessageVisitor)
    }
}

/// Passes the netfilter parser's output on, with the journal's time.
struct Retimed<'a> {
    inner: &'a mut dyn Sink,
    time: Option<Timestamp>,
}

impl Sink for Retimed<'_> {
    fn packet(&mut self, mut packet: Packet) {
        packet.time = self.time;
        self.inner.packet(packet);
    }

    fn unrecognized(&mut self, line: u64, reason: &'static str) {
        self.inner.unrecognized(line, reason);
    }

    fn warning(&mut self, line: u64, message: String) {
        self.inner.warning(line, message);
    }

    fn skipped(&mut self, line: u64) {
        self.inner.skipped(line);
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use picket_model::{Action, Host, Proto, Sensor, TcpFlags};

    use super::*;
    use crate::dispatch::{Collect, parse_text};

    fn parse(text: &str) -> Collect {
        parse_text(
            text.as_bytes(),
            Some(Format::Journald),
            &mut TimeContext::fixed_year(2015),
        )
    }

    fn host(text: &str) -> Host {
        Host::Addr(text.parse::<IpAddr>().unwrap())
    }

    /// psad test/scans/iptables/syn_scan_1000_1500 line 1's kernel message in
    /// a `journalctl -o json` entry (the fields journald gives a kernel line).
    const SYN_ENTRY: &str = r#"{"__CURSOR":"s=0b9e;i=1c1;b=7d1b;m=6be2e1a4c2;t=5110cc5e2e9b2;x=1","__REALTIME_TIMESTAMP":"1426106111251762","__MONOTONIC_TIMESTAMP":"463490251762","_BOOT_ID":"7d1b","PRIORITY":"4","SYSLOG_FACILITY":"0","_TRANSPORT":"kernel","SYSLOG_IDENTIFIER":"kernel","_HOSTNAME":"linux","_SOURCE_MONOTONIC_TIMESTAMP":"463490251762","MESSAGE":"DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=192.168.10.55 DST=192.168.10.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=15270 PROTO=TCP SPT=56247 DPT=1025 WINDOW=3072 RES=0x00 SYN URGP=0 OPT (020405B4) "}"#;

    #[test]
    fn kernel_netfilter_entry_is_its_packet_at_the_journal_time() {
        let out = parse(SYN_ENTRY);
        assert!(
            out.unrecognized.is_empty() && out.warnings.is_empty(),
            "{out:?}"
        );
        let [p] = &out.packets[..] else {
            panic!("{:?}", out.packets)
        };
        assert_eq!(p.sensor, Sensor::Netfilter);
        assert_eq!(p.time.unwrap().to_string(), "2015-03-11T20:35:11.251762Z");
        assert_eq!(p.action, Action::Drop);
        assert_eq!(p.label.as_deref(), Some("DROP"));
        assert_eq!(p.in_iface.as_deref(), Some("eth1"));
        assert_eq!(p.src, host("192.168.10.55"));
        assert_eq!(p.dst, host("192.168.10.1"));
        assert_eq!(p.proto, Proto::TCP);
        assert_eq!((p.src_port, p.dst_port), (Some(56247), Some(1025)));
        assert_eq!(
            (p.ip.ttl, p.ip.id, p.ip.total_len),
            (Some(53), Some(15270), Some(44))
        );
        assert_eq!(p.tcp_flags(), Some(TcpFlags(TcpFlags::SYN)));
        assert_eq!(p.tcp.as_ref().unwrap().window, Some(3072));
        assert_eq!(p.origin.line, 1);
    }

    #[test]
    fn ufw_prefix_and_a_binary_message() {
        // elastic/integrations iptables test-iptables-raw.log's ufw line's
        // kernel message, once as text and once as journald's byte array.
        let message = "[UFW BLOCK] IN=eth0 OUT= MAC=00:15:5d:4b:0b:06:00:15:5d:4b:0b:05:08:00 SRC=10.0.0.1 DST=10.0.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=52719 DF PROTO=TCP SPT=44578 DPT=22 WINDOW=29200 RES=0x00 SYN URGP=0";
        let bytes: Vec<String> = message.bytes().map(|b| b.to_string()).collect();
        let text = format!(
            "{{\"__REALTIME_TIMESTAMP\":\"1600000000000000\",\"_TRANSPORT\":\"kernel\",\"MESSAGE\":\"{message}\"}}\n{{\"__REALTIME_TIMESTAMP\":\"1600000001000000\",\"SYSLOG_IDENTIFIER\":\"kernel\",\"MESSAGE\":[{}]}}",
            bytes.join(",")
        );
        let out = parse(&text);
        assert!(
            out.unrecognized.is_empty() && out.warnings.is_empty(),
            "{out:?}"
        );
        assert_eq!(out.packets.len(), 2);
        for (p, second) in out
            .packets
            .iter()
            .zip(["2020-09-13T12:26:40Z", "2020-09-13T12:26:41Z"])
        {
            assert_eq!(p.label.as_deref(), Some("[UFW BLOCK]"));
            assert_eq!(p.action, Action::Drop);
            assert_eq!(p.dst_port, Some(22));
            assert!(p.ip.df);
            assert_eq!(p.time.unwrap().to_string(), second);
        }
        assert_eq!(out.packets[1].origin.line, 2);
    }

    #[test]
    fn other_entries_are_skipped() {
        let out = parse(concat!(
            // A kernel line that is not netfilter (a GPU driver's error).
            r#"{"__REALTIME_TIMESTAMP":"1757422415123456","PRIORITY":"3","MESSAGE":"NVRM: Xid (PCI:0000:01:00): 79, GPU has fallen off the bus.","_TRANSPORT":"kernel","SYSLOG_IDENTIFIER":"kernel"}"#,
            "\n",
            // A daemon whose message looks like netfilter.
            r#"{"__REALTIME_TIMESTAMP":"1757422415123456","_TRANSPORT":"syslog","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Invalid user IN=eth0 SRC=10.9.9.9 DST=10.0.0.1 from 10.0.0.7"}"#,
            "\n",
            // A field journalctl left out for its size.
            r#"{"__REALTIME_TIMESTAMP":"1757422415123456","_TRANSPORT":"kernel","MESSAGE":null}"#,
        ));
        assert!(out.packets.is_empty() && out.unrecognized.is_empty());
        assert_eq!(out.skipped, vec![1, 2, 3]);
    }

    #[test]
    fn damaged_entries() {
        let out = parse(&format!(
            "{}\n{{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\n{{\"__REALTIME_TIMESTAMP\":\"1\",\"_TRANSPORT\":\"kernel\",\"MESSAGE\":\"DROP IN=eth0 OUT= SRC=\"}}",
            SYN_ENTRY.replace("1426106111251762", "soon")
        ));
        assert_eq!(out.packets.len(), 1);
        assert_eq!(out.packets[0].time, None);
        assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
        let lines: Vec<u64> = out.unrecognized.iter().map(|u| u.0).collect();
        assert_eq!(lines, vec![2, 3], "{:?}", out.unrecognized);
    }

    #[test]
    fn message_forms() {
        fn read(json: &str) -> Message<'_> {
            serde_json::from_str::<Entry<'_>>(json).unwrap().message
        }
        assert_eq!(
            read(r#"{"MESSAGE":[104,105,255]}"#),
            Message::Bytes(vec![104, 105, 255])
        );
        assert_eq!(read(r#"{"MESSAGE":[104,256]}"#), Message::Absent);
        assert_eq!(read(r#"{"MESSAGE":{"a":[1]}}"#), Message::Absent);
        assert_eq!(read(r#"{"MESSAGE":"a\nb"}"#), Message::Text("a\nb".into()));
    }

    #[test]
    fn claims_journal_objects_only() {
        let parser = JournaldParser::default();
        assert!(parser.claims(SYN_ENTRY.as_bytes()));
        assert!(!parser.claims(br#"{"MESSAGE":"x"}"#));
        assert!(!parser.claims(b"Mar 11 20:35:11 linux kernel: __REALTIME_TIMESTAMP"));
    }
}
