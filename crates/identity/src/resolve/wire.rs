//! The few DNS messages picket needs (RFC 1035): a query for one name and
//! type, and the parts of a response it uses (A, AAAA, PTR and CNAME
//! answers, and the SOA that sets how long a negative answer holds).
//!
//! Responses come from the network and may be forged or hostile: every read
//! is bounds-checked, compression pointers are followed a bounded number of
//! times, and any inconsistency makes the packet unusable rather than
//! trusted in part.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Record type A (an IPv4 address).
pub(crate) const TYPE_A: u16 = 1;
/// Record type CNAME (an alias).
pub(crate) const TYPE_CNAME: u16 = 5;
/// Record type SOA (the zone's authority, in negative answers).
pub(crate) const TYPE_SOA: u16 = 6;
/// Record type PTR (a reverse name).
pub(crate) const TYPE_PTR: u16 = 12;
/// Record type AAAA (an IPv6 address).
pub(crate) const TYPE_AAAA: u16 = 28;
/// Class IN (the internet).
pub(crate) const CLASS_IN: u16 = 1;

/// Response codes picket tells apart.
pub(crate) const RCODE_NO_ERROR: u8 = 0;
/// The name does not exist.
pub(crate) const RCODE_NX_DOMAIN: u8 = 3;

const HEADER_LEN: usize = 12;
/// The longest name on the wire (RFC 1035), length bytes included.
const MAX_WIRE_NAME: usize = 255;
/// Compression pointers followed for one name before giving up.
const MAX_POINTER_JUMPS: usize = 32;
/// CNAME links followed from the queried name.
const MAX_CHAIN: usize = 8;

/// Why a packet is not a usable answer to the query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WireError {
    /// The packet ends inside a field.
    Truncated,
    /// Not a response to this query: other id, not a response, other question.
    NotOurs,
    /// A name is malformed: a pointer loop, a reserved label type, too long.
    BadName,
}

/// What a record carries, for the types picket reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RecordData {
    /// An A or AAAA record's address.
    Addr(IpAddr),
    /// A PTR or CNAME record's target name (lower-cased, escaped as in [`read_name`]).
    Name(String),
    /// Any other record.
    Other,
}

/// One answer record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    pub owner: String,
    pub rtype: u16,
    pub ttl: u32,
    pub data: RecordData,
}

/// The parts of a response picket uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Response {
    /// The response code (low four bits of the header's second flags byte).
    pub rcode: u8,
    /// True when the server cut the response short (TC bit).
    pub truncated: bool,
    /// The answer section.
    pub answers: Vec<Record>,
    /// How long a negative answer holds, from the authority section's SOA.
    pub negative_ttl: Option<u32>,
}

/// The wire form of a name in text form ("4.3.2.1.in-addr.arpa"); `None`
/// when a label is empty or longer than 63 bytes, or the name is too long.
pub(crate) fn encode_name(name: &str) -> Option<Vec<u8>> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let mut wire = Vec::with_capacity(name.len() + 2);
    if !name.is_empty() {
        for label in name.split('.') {
            let len = u8::try_from(label.len())
                .ok()
                .filter(|&len| (1..=63).contains(&len))?;
            wire.push(len);
            wire.extend_from_slice(label.as_bytes());
        }
    }
    wire.push(0);
    (wire.len() <= MAX_WIRE_NAME).then_some(wire)
}

/// A recursive query (RD set) for one name and type, class IN.
pub(crate) fn encode_query(id: u16, name: &str, qtype: u16) -> Option<Vec<u8>> {
    let qname = encode_name(name)?;
    let mut packet = Vec::with_capacity(HEADER_LEN + qname.len() + 4);
    packet.extend_from_slice(&id.to_be_bytes());
    packet.extend_from_slice(&[0x01, 0x00]); // RD
    packet.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]); // one question
    packet.extend_from_slice(&qname);
    packet.extend_from_slice(&qtype.to_be_bytes());
    packet.extend_from_slice(&CLASS_IN.to_be_bytes());
    Some(packet)
}

fn read_u16(packet: &[u8], pos: usize) -> Result<u16, WireError> {
    let bytes = packet.get(pos..pos + 2).ok_or(WireError::Truncated)?;
    bytes
        .try_into()
        .map(u16::from_be_bytes)
        .map_err(|_| WireError::Truncated)
}

fn read_u32(packet: &[u8], pos: usize) -> Result<u32, WireError> {
    let bytes = packet.get(pos..pos + 4).ok_or(WireError::Truncated)?;
    bytes
        .try_into()
        .map(u32::from_be_bytes)
        .map_err(|_| WireError::Truncated)
}

/// Reads the name at `pos`, following compression pointers. Returns the
/// name in text form and the position just after it in the packet. Label
/// bytes other than letters, digits, '-' and '_' are written as `\DDD`, so a
/// hostile label cannot smuggle a dot, a blank or a control character into
/// the text; letters are lower-cased.
pub(crate) fn read_name(packet: &[u8], start: usize) -> Result<(String, usize), WireError> {
    let mut text = String::new();
    let mut pos = start;
    let mut end_after: Option<usize> = None;
    let mut jumps = 0;
    let mut wire_len = 0;
    loop {
        let &len = packet.get(pos).ok_or(WireError::Truncated)?;
        match len & 0xc0 {
            0xc0 => {
                let &low = packet.get(pos + 1).ok_or(WireError::Truncated)?;
                end_after.get_or_insert(pos + 2);
                jumps += 1;
                if jumps > MAX_POINTER_JUMPS {
                    return Err(WireError::BadName);
                }
                pos = (usize::from(len & 0x3f) << 8) | usize::from(low);
            }
            0x00 => {
                if len == 0 {
                    return Ok((text, end_after.unwrap_or(pos + 1)));
                }
                let label_len = usize::from(len);
                wire_len += label_len + 1;
                if wire_len + 1 > MAX_WIRE_NAME {
                    return Err(WireError::BadName);
                }
                let label = packet
                    .get(pos + 1..pos + 1 + label_len)
                    .ok_or(WireError::Truncated)?;
                if !text.is_empty() {
                    text.push('.');
                }
                for &byte in label {
                    if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
                        text.push(char::from(byte.to_ascii_lowercase()));
                    } else {
                        text.push_str(&format!("\\{byte:03}"));
                    }
                }
                pos += 1 + label_len;
            }
            _ => return Err(WireError::BadName),
        }
    }
}

/// Parses a response to the query (`id`, `qname`, `qtype`). A packet that
/// answers another query, or is malformed anywhere, is an error.
pub(crate) fn parse_response(
    packet: &[u8],
    id: u16,
    qname: &str,
    qtype: u16,
) -> Result<Response, WireError> {
    if read_u16(packet, 0)? != id {
        return Err(WireError::NotOurs);
    }
    let flags = read_u16(packet, 2)?;
    let is_response = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0x0f;
    if !is_response || opcode != 0 || read_u16(packet, 4)? != 1 {
        return Err(WireError::NotOurs);
    }
    let answer_count = read_u16(packet, 6)?;
    let authority_count = read_u16(packet, 8)?;
    let (question, mut pos) = read_name(packet, HEADER_LEN)?;
    let expected = qname.strip_suffix('.').unwrap_or(qname);
    if !question.eq_ignore_ascii_case(expected)
        || read_u16(packet, pos)? != qtype
        || read_u16(packet, pos + 2)? != CLASS_IN
    {
        return Err(WireError::NotOurs);
    }
    pos += 4;
    let mut answers = Vec::new();
    for _ in 0..answer_count {
        let (record, next) = read_record(packet, pos)?;
        answers.push(record);
        pos = next;
    }
    let mut negative_ttl = None;
    for _ in 0..authority_count {
        let header = read_record_header(packet, pos)?;
        if header.rtype == TYPE_SOA {
            // The SOA's MINIMUM is its last field, after two names and four numbers.
            let (_, after_mname) = read_name(packet, header.rdata_start)?;
            let (_, after_rname) = read_name(packet, after_mname)?;
            let minimum = read_u32(packet, after_rname + 16)?;
            negative_ttl = Some(header.ttl.min(minimum));
        }
        pos = header.next;
    }
    Ok(Response {
        rcode: (flags & 0x000f) as u8,
        truncated: flags & 0x0200 != 0,
        answers,
        negative_ttl,
    })
}

/// A record's owner and fixed fields, and where its data lies.
struct RecordHeader {
    owner: String,
    rtype: u16,
    ttl: u32,
    rdata_start: usize,
    /// The position just after the record.
    next: usize,
}

/// Reads a record's owner and fixed fields. Only class IN records are accepted.
fn read_record_header(packet: &[u8], pos: usize) -> Result<RecordHeader, WireError> {
    let (owner, owner_end) = read_name(packet, pos)?;
    let rtype = read_u16(packet, owner_end)?;
    let class = read_u16(packet, owner_end + 2)?;
    let ttl = read_u32(packet, owner_end + 4)?;
    let rdata_len = usize::from(read_u16(packet, owner_end + 8)?);
    let rdata_start = owner_end + 10;
    let next = rdata_start + rdata_len;
    if next > packet.len() {
        return Err(WireError::Truncated);
    }
    if class != CLASS_IN {
        return Err(WireError::NotOurs);
    }
    Ok(RecordHeader {
        owner,
        rtype,
        ttl,
        rdata_start,
        next,
    })
}

/// Reads one answer record and returns it with the position after it.
fn read_record(packet: &[u8], pos: usize) -> Result<(Record, usize), WireError> {
    let header = read_record_header(packet, pos)?;
    let rdata = packet
        .get(header.rdata_start..header.next)
        .ok_or(WireError::Truncated)?;
    // A TTL with the top bit set is treated as zero (RFC 2181 section 8).
    let ttl = if header.ttl > i32::MAX as u32 {
        0
    } else {
        header.ttl
    };
    let data = match header.rtype {
        TYPE_A => {
            let octets: [u8; 4] = rdata.try_into().map_err(|_| WireError::Truncated)?;
            RecordData::Addr(IpAddr::V4(Ipv4Addr::from(octets)))
        }
        TYPE_AAAA => {
            let octets: [u8; 16] = rdata.try_into().map_err(|_| WireError::Truncated)?;
            RecordData::Addr(IpAddr::V6(Ipv6Addr::from(octets)))
        }
        TYPE_PTR | TYPE_CNAME => {
            let (target, target_end) = read_name(packet, header.rdata_start)?;
            if target_end > header.next {
                return Err(WireError::Truncated);
            }
            RecordData::Name(target)
        }
        _ => RecordData::Other,
    };
    let record = Record {
        owner: header.owner,
        rtype: header.rtype,
        ttl,
        data,
    };
    Ok((record, header.next))
}

/// The records of type `qtype` that answer `qname`, directly or through a
/// chain of CNAMEs in the same response, and the lowest TTL along the way.
pub(crate) fn answers_for(response: &Response, qname: &str, qtype: u16) -> (Vec<RecordData>, u32) {
    let qname = qname
        .strip_suffix('.')
        .unwrap_or(qname)
        .to_ascii_lowercase();
    let mut names = vec![qname];
    let mut ttl = u32::MAX;
    for _ in 0..MAX_CHAIN {
        let next = response
            .answers
            .iter()
            .find_map(|record| match &record.data {
                RecordData::Name(target)
                    if record.rtype == TYPE_CNAME
                        && names.contains(&record.owner)
                        && !names.contains(target) =>
                {
                    Some((target.clone(), record.ttl))
                }
                _ => None,
            });
        let Some((target, link_ttl)) = next else {
            break;
        };
        names.push(target);
        ttl = ttl.min(link_ttl);
    }
    let mut found = Vec::new();
    for record in &response.answers {
        if record.rtype == qtype && names.contains(&record.owner) && !found.contains(&record.data) {
            ttl = ttl.min(record.ttl);
            found.push(record.data.clone());
        }
    }
    (found, ttl)
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
