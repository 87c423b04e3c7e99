//! Reading a knowledge file: TOML `[[port]]` and `[[worm]]` tables, checked
//! field by field, each problem reported with its line.
//!
//! A `[[port]]` table gives either `port = N` or `ports = [N, ...]` (one entry
//! per port, sharing the text); `malware` is optional. A `[[worm]]` table names
//! a protocol and at least one of `ports`, `ip_len = [low, high]`, `icmp_type`.

use std::collections::HashMap;
use std::ops::Range;

use picket_model::Proto;
use serde::Deserialize;
use toml::Spanned;

use super::{PortCategory, PortEntry, Transport, WormSignature};
use crate::KnowledgeError;

/// The checked content of one file.
#[derive(Debug)]
pub(super) struct Parsed {
    /// Port entries in file order, `ports` lists expanded.
    pub entries: Vec<PortEntry>,
    /// Worm signatures in file order.
    pub worms: Vec<WormSignature>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    port: Vec<Spanned<RawPort>>,
    #[serde(default)]
    worm: Vec<Spanned<RawWorm>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPort {
    port: Option<u16>,
    ports: Option<Vec<u16>>,
    transport: Transport,
    service: String,
    description: String,
    category: PortCategory,
    #[serde(default)]
    malware: Vec<String>,
    intent: String,
    lethality: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorm {
    name: String,
    proto: String,
    #[serde(default)]
    ports: Vec<u16>,
    ip_len: Option<[u32; 2]>,
    icmp_type: Option<u8>,
    #[serde(default)]
    distinctive: bool,
    #[serde(default)]
    all_ports: bool,
    description: String,
}

/// Parses and checks a knowledge file.
pub(super) fn parse(text: &str) -> Result<Parsed, KnowledgeError> {
    let raw: RawFile = toml::from_str(text).map_err(|err| toml_error(text, &err))?;
    let mut entries = Vec::new();
    // Where each (port, transport) was first stated, to refuse a second statement.
    let mut seen: HashMap<u16, Vec<(Transport, usize)>> = HashMap::new();
    for spanned in raw.port {
        let span = spanned.span();
        let raw_port = spanned.into_inner();
        let at = Place { text, span };
        let ports = check_port_numbers(&raw_port, &at)?;
        check_port_text(&raw_port, &at)?;
        for port in ports {
            let here = at.line_of("port");
            let earlier = seen.entry(port).or_default();
            if let Some((_, line)) = earlier
                .iter()
                .find(|(transport, _)| transport.overlaps(raw_port.transport))
            {
                return Err(KnowledgeError::new(
                    Some(here),
                    Some("port"),
                    format!(
                        "port {port}/{} is already described at line {line}",
                        raw_port.transport.as_str()
                    ),
                ));
            }
            earlier.push((raw_port.transport, here));
            entries.push(PortEntry {
                port,
                transport: raw_port.transport,
                service: raw_port.service.clone(),
                description: raw_port.description.clone(),
                category: raw_port.category,
                malware: raw_port.malware.clone(),
                intent: raw_port.intent.clone(),
                lethality: raw_port.lethality,
            });
        }
    }
    let mut worms = Vec::new();
    for spanned in raw.worm {
        let span = spanned.span();
        let at = Place { text, span };
        worms.push(check_worm(spanned.into_inner(), &at)?);
    }
    Ok(Parsed { entries, worms })
}

/// Where a table sits in the file, to turn a field name into a line number.
struct Place<'a> {
    text: &'a str,
    span: Range<usize>,
}

impl Place<'_> {
    /// The line of `field = ...` inside this table, or the table's first line.
    /// The span toml gives covers the `[[port]]` header only; the table's keys
    /// run from there to the next header.
    fn line_of(&self, field: &str) -> usize {
        let start = self.span.start.min(self.text.len());
        let first_line = line_at(self.text, start);
        let Some(rest) = self.text.get(start..) else {
            return first_line;
        };
        for (offset, line) in rest.split('\n').enumerate() {
            if offset > 0 && line.trim_start().starts_with('[') {
                break;
            }
            if key_of(line) == Some(field) {
                return first_line + offset;
            }
        }
        first_line
    }

    fn error(&self, field: &str, message: impl Into<String>) -> KnowledgeError {
        KnowledgeError::new(Some(self.line_of(field)), Some(field), message)
    }
}

/// 1-based line number of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    let prefix = &text.as_bytes()[..offset.min(text.len())];
    prefix.iter().filter(|&&b| b == b'\n').count() + 1
}

/// The key of a `key = value` line, if the line is one.
fn key_of(line: &str) -> Option<&str> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    let bare = key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    (!key.is_empty() && bare).then_some(key)
}

/// A TOML or shape error, with the line and, when the line is `key = ...`, the key.
fn toml_error(text: &str, err: &toml::de::Error) -> KnowledgeError {
    let Some(span) = err.span() else {
        return KnowledgeError::new(None, None, err.message());
    };
    let line = line_at(text, span.start);
    let field = text
        .split('\n')
        .nth(line - 1)
        .and_then(key_of)
        .or_else(|| quoted_field(err.message()));
    KnowledgeError::new(Some(line), field, err.message())
}

/// The field a serde message names in backquotes ("missing field `intent`").
fn quoted_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

fn check_port_numbers(raw: &RawPort, at: &Place<'_>) -> Result<Vec<u16>, KnowledgeError> {
    match (raw.port, &raw.ports) {
        (Some(port), None) => Ok(vec![port]),
        (None, Some(ports)) if !ports.is_empty() => Ok(ports.clone()),
        (None, Some(_)) => Err(at.error("ports", "lists no port")),
        (Some(_), Some(_)) => Err(at.error("ports", "give either `port` or `ports`, not both")),
        (None, None) => Err(at.error("port", "missing: give `port` or `ports`")),
    }
}

fn check_port_text(raw: &RawPort, at: &Place<'_>) -> Result<(), KnowledgeError> {
    for (field, value) in [
        ("service", &raw.service),
        ("description", &raw.description),
        ("intent", &raw.intent),
    ] {
        if value.trim().is_empty() {
            return Err(at.error(field, "is empty"));
        }
    }
    if raw.intent.trim_end().ends_with('.') {
        return Err(at.error(
            "intent",
            "is a phrase completing \"looking for ...\": no final period",
        ));
    }
    if raw.malware.iter().any(|name| name.trim().is_empty()) {
        return Err(at.error("malware", "holds an empty name"));
    }
    if !(1..=5).contains(&raw.lethality) {
        return Err(at.error(
            "lethality",
            format!("must be between 1 and 5, not {}", raw.lethality),
        ));
    }
    Ok(())
}

fn check_worm(raw: RawWorm, at: &Place<'_>) -> Result<WormSignature, KnowledgeError> {
    if raw.name.trim().is_empty() {
        return Err(at.error("name", "is empty"));
    }
    if raw.description.trim().is_empty() {
        return Err(at.error("description", "is empty"));
    }
    let proto = Proto::parse(raw.proto.trim())
        .ok_or_else(|| at.error("proto", format!("unknown protocol {:?}", raw.proto)))?;
    let icmp = proto == Proto::ICMP || proto == Proto::ICMPV6;
    if icmp && !raw.ports.is_empty() {
        return Err(at.error("ports", "ICMP has no ports"));
    }
    if !icmp && raw.icmp_type.is_some() {
        return Err(at.error("icmp_type", "only ICMP signatures have a type"));
    }
    let ip_len = match raw.ip_len {
        Some([low, high]) if low > high => {
            return Err(at.error("ip_len", format!("range {low}..{high} is reversed")));
        }
        Some([low, high]) => Some((low, high)),
        None => None,
    };
    if raw.ports.is_empty() && ip_len.is_none() && raw.icmp_type.is_none() {
        return Err(at.error(
            "ports",
            "a signature needs ports, ip_len or icmp_type to match anything",
        ));
    }
    if raw.all_ports {
        if raw.ports.len() < 2 {
            return Err(at.error("all_ports", "a sequence needs at least two ports"));
        }
        if raw.distinctive || ip_len.is_some() || raw.icmp_type.is_some() {
            return Err(at.error(
                "all_ports",
                "a port sequence cannot also be distinctive or state a size or ICMP type",
            ));
        }
    }
    Ok(WormSignature {
        name: raw.name,
        proto,
        ports: raw.ports,
        ip_len,
        icmp_type: raw.icmp_type,
        distinctive: raw.distinctive,
        all_ports: raw.all_ports,
        description: raw.description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE_PORT: &str = r#"
[[port]]
port = 81
transport = "tcp"
service = "http-alt"
description = "HTTP alternate"
category = "service"
intent = "web servers on an alternate port"
lethality = 2
"#;

    #[test]
    fn reads_a_port_table() {
        let parsed = parse(ONE_PORT).unwrap();
        assert_eq!(parsed.entries.len(), 1);
        let entry = &parsed.entries[0];
        assert_eq!((entry.port, entry.transport), (81, Transport::Tcp));
        assert_eq!(entry.category, PortCategory::Service);
        assert!(entry.malware.is_empty());
        assert_eq!(entry.lethality, 2);
    }

    #[test]
    fn expands_a_port_list() {
        let text = ONE_PORT.replace("port = 81", "ports = [6711, 6712, 6713]");
        let parsed = parse(&text).unwrap();
        let ports: Vec<u16> = parsed.entries.iter().map(|e| e.port).collect();
        assert_eq!(ports, [6711, 6712, 6713]);
    }

    #[test]
    fn points_at_the_bad_field() {
        let text = ONE_PORT.replace("lethality = 2", "lethality = 9");
        let err = parse(&text).unwrap_err();
        assert_eq!(err.line(), Some(9));
        assert_eq!(err.field(), Some("lethality"));

        let text = ONE_PORT.replace("lethality = 2", "lethality = \"high\"");
        let err = parse(&text).unwrap_err();
        assert_eq!(err.line(), Some(9));
        assert_eq!(err.field(), Some("lethality"));

        let text = ONE_PORT.replace("transport = \"tcp\"", "transport = \"sctp\"");
        let err = parse(&text).unwrap_err();
        assert_eq!((err.line(), err.field()), (Some(4), Some("transport")));

        let text = ONE_PORT.replace("intent = \"web servers on an alternate port\"\n", "");
        let err = parse(&text).unwrap_err();
        assert_eq!(err.field(), Some("intent"));

        let text = ONE_PORT.replace(
            "intent = \"web servers on an alternate port\"",
            "intent = \"web servers.\"",
        );
        assert_eq!(parse(&text).unwrap_err().field(), Some("intent"));
    }

    #[test]
    fn refuses_a_port_stated_twice() {
        let both = ONE_PORT.replace("\"tcp\"", "\"both\"");
        let text = format!("{ONE_PORT}{both}");
        let err = parse(&text).unwrap_err();
        // The second table's `port = 81` (its header is line 11, after a blank line).
        assert_eq!(err.line(), Some(12));
        assert!(err.message().contains("line 3"), "{err}");

        let udp = ONE_PORT.replace("\"tcp\"", "\"udp\"");
        assert_eq!(parse(&format!("{ONE_PORT}{udp}")).unwrap().entries.len(), 2);
    }

    #[test]
    fn refuses_bad_toml_and_unknown_keys() {
        let err = parse("[[port]\nport = 1").unwrap_err();
        assert_eq!(err.line(), Some(1));
        let text = ONE_PORT.replace("lethality = 2", "lethality = 2\nseverity = 3");
        let err = parse(&text).unwrap_err();
        assert!(err.message().contains("severity"), "{err}");
        assert!(parse("port = 5").is_err());
    }

    #[test]
    fn checks_worm_signatures() {
        let slammer = "[[worm]]\nname = \"SQL Slammer\"\nproto = \"udp\"\nports = [1434]\nip_len = [404, 404]\ndescription = \"x\"\n";
        let parsed = parse(slammer).unwrap();
        assert_eq!(parsed.worms[0].proto, Proto::UDP);
        assert_eq!(parsed.worms[0].ip_len, Some((404, 404)));

        let reversed = slammer.replace("[404, 404]", "[405, 404]");
        assert_eq!(parse(&reversed).unwrap_err().field(), Some("ip_len"));
        let unknown = slammer.replace("\"udp\"", "\"carrier-pigeon\"");
        assert_eq!(parse(&unknown).unwrap_err().line(), Some(3));
        let icmp_ports = slammer.replace("\"udp\"", "\"icmp\"");
        assert_eq!(parse(&icmp_ports).unwrap_err().field(), Some("ports"));
        let empty = "[[worm]]\nname = \"x\"\nproto = \"tcp\"\ndescription = \"x\"\n";
        assert!(parse(empty).is_err());
        let lonely_sequence = "[[worm]]\nname = \"x\"\nproto = \"tcp\"\nports = [1]\nall_ports = true\ndescription = \"x\"\n";
        assert_eq!(
            parse(lonely_sequence).unwrap_err().field(),
            Some("all_ports")
        );
    }
}
