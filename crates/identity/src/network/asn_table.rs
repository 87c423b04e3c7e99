//! iptoasn-style TSV tables: one address range per line,
//! `range_start <TAB> range_end <TAB> AS_number <TAB> country_code <TAB> AS_description`.
//!
//! The combined file of iptoasn.com holds about a million IPv4 and IPv6
//! ranges, so rows are kept compact (start, end, an index into a table of
//! distinct owners) in two sorted vectors searched by bisection. Addresses
//! may be written as text ("1.0.0.0", "2001:db8::") or, as in the
//! `ip2asn-v4-u32.tsv` variant, as 32-bit numbers. Rows of ASN 0 ("Not
//! routed") are dropped.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use super::{NetworkFacts, clean_country, clean_owner, parse_asn};
use crate::IdentityError;

/// Lines longer than this are not table rows (a binary file, a wrong path).
const MAX_LINE_LEN: usize = 4096;

/// One range of addresses and the owner record it belongs to.
#[derive(Clone, Copy, Debug)]
struct Range<T> {
    start: T,
    end: T,
    record: u32,
}

/// A loaded range table: IPv4 and IPv6 ranges sorted by start.
#[derive(Clone, Debug, Default)]
pub struct AsnTable {
    v4: Vec<Range<u32>>,
    v6: Vec<Range<u128>>,
    records: Vec<NetworkFacts>,
}

impl AsnTable {
    /// Loads a table from a file. Any malformed line is an error naming the
    /// line, and so is a table without a single routed range.
    pub fn load(path: &Path) -> Result<AsnTable, IdentityError> {
        let file = File::open(path).map_err(|source| IdentityError::io(path, source))?;
        AsnTable::read(file, path)
    }

    /// Loads a table from any reader; `path` names the source in errors.
    pub fn read(reader: impl Read, path: &Path) -> Result<AsnTable, IdentityError> {
        let mut reader = BufReader::new(reader);
        let mut builder = Builder::default();
        let mut line = Vec::with_capacity(256);
        let mut line_number = 0;
        loop {
            line.clear();
            let read = reader
                .by_ref()
                .take(MAX_LINE_LEN as u64 + 1)
                .read_until(b'\n', &mut line)
                .map_err(|source| IdentityError::io(path, source))?;
            if read == 0 {
                break;
            }
            line_number += 1;
            if line.len() > MAX_LINE_LEN {
                return Err(IdentityError::table(
                    path,
                    Some(line_number),
                    format!("line longer than {MAX_LINE_LEN} bytes: not a range table"),
                ));
            }
            builder
                .add_line(&line)
                .map_err(|message| IdentityError::table(path, Some(line_number), message))?;
        }
        let table = builder.finish();
        if table.is_empty() {
            return Err(IdentityError::table(
                path,
                None,
                "no routed address range found",
            ));
        }
        Ok(table)
    }

    /// The number of ranges held.
    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    /// True when the table holds no range.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What the table says about an address; `None` outside every range.
    /// IPv4-mapped IPv6 addresses are looked up as IPv4. When ranges
    /// overlap, the one that starts last before the address is consulted.
    pub fn lookup(&self, addr: IpAddr) -> Option<&NetworkFacts> {
        let record = match addr.to_canonical() {
            IpAddr::V4(v4) => find(&self.v4, u32::from(v4)),
            IpAddr::V6(v6) => find(&self.v6, u128::from(v6)),
        }?;
        self.records.get(record as usize)
    }
}

/// The record of the range that starts last at or before `key`, if it holds `key`.
fn find<T: Copy + Ord>(ranges: &[Range<T>], key: T) -> Option<u32> {
    let after = ranges.partition_point(|range| range.start <= key);
    let range = ranges.get(after.checked_sub(1)?)?;
    (key <= range.end).then_some(range.record)
}

/// Collects rows and shares one record between rows of the same owner.
#[derive(Default)]
struct Builder {
    table: AsnTable,
    /// Records by their raw text ("ASN<TAB>country<TAB>description"), so a
    /// row of a known owner costs one hash lookup and no allocation.
    record_index: HashMap<String, u32>,
    /// The previous row's raw owner text and record: neighbouring ranges
    /// often belong to one AS.
    previous: Option<(String, u32)>,
}

impl Builder {
    /// Adds one line; blank lines and '#' comments are skipped.
    fn add_line(&mut self, line: &[u8]) -> Result<(), String> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) || line.first() == Some(&b'#') {
            return Ok(());
        }
        let line = std::str::from_utf8(line).map_err(|_| "not UTF-8 text".to_owned())?;
        let mut fields = line.splitn(3, '\t');
        let missing = |what: &str| format!("missing {what} (expected 5 tab-separated fields)");
        let start_text = fields.next().ok_or_else(|| missing("range start"))?;
        let end_text = fields.next().ok_or_else(|| missing("range end"))?;
        let owner_text = fields.next().ok_or_else(|| missing("AS number"))?;
        let mut owner_fields = owner_text.split('\t');
        let asn_text = owner_fields.next().unwrap_or_default();
        owner_fields.next().ok_or_else(|| missing("country code"))?;
        owner_fields
            .next()
            .ok_or_else(|| missing("AS description"))?;
        let asn = parse_asn(asn_text).ok_or_else(|| format!("bad AS number {asn_text:?}"))?;
        let start =
            parse_addr(start_text).ok_or_else(|| format!("bad range start {start_text:?}"))?;
        let end = parse_addr(end_text).ok_or_else(|| format!("bad range end {end_text:?}"))?;
        if asn == 0 {
            return Ok(());
        }
        let record = self.record(owner_text)?;
        match (start.to_canonical(), end.to_canonical()) {
            (IpAddr::V4(start), IpAddr::V4(end)) if start <= end => self.table.v4.push(Range {
                start: u32::from(start),
                end: u32::from(end),
                record,
            }),
            (IpAddr::V6(start), IpAddr::V6(end)) if start <= end => self.table.v6.push(Range {
                start: u128::from(start),
                end: u128::from(end),
                record,
            }),
            _ => {
                return Err(format!(
                    "range {start_text} - {end_text} is empty or mixes IPv4 and IPv6"
                ));
            }
        }
        Ok(())
    }

    /// The record of "ASN<TAB>country<TAB>description", made on first sight.
    fn record(&mut self, owner_text: &str) -> Result<u32, String> {
        if let Some((text, index)) = &self.previous
            && text == owner_text
        {
            return Ok(*index);
        }
        let index = self.known_or_new_record(owner_text)?;
        match &mut self.previous {
            Some((text, previous_index)) => {
                text.clear();
                text.push_str(owner_text);
                *previous_index = index;
            }
            None => self.previous = Some((owner_text.to_owned(), index)),
        }
        Ok(index)
    }

    fn known_or_new_record(&mut self, owner_text: &str) -> Result<u32, String> {
        if let Some(&index) = self.record_index.get(owner_text) {
            return Ok(index);
        }
        let mut fields = owner_text.splitn(3, '\t');
        let (asn, country, owner) = (fields.next(), fields.next(), fields.next());
        let facts = NetworkFacts {
            country: country.and_then(clean_country),
            asn: asn.and_then(parse_asn),
            owner: owner.and_then(clean_owner),
        };
        let index = u32::try_from(self.table.records.len())
            .map_err(|_| "too many distinct owners".to_owned())?;
        self.table.records.push(facts);
        self.record_index.insert(owner_text.to_owned(), index);
        Ok(index)
    }

    fn finish(mut self) -> AsnTable {
        self.table.v4.sort_unstable_by_key(|range| range.start);
        self.table.v6.sort_unstable_by_key(|range| range.start);
        self.table.v4.shrink_to_fit();
        self.table.v6.shrink_to_fit();
        self.table.records.shrink_to_fit();
        self.table
    }
}

/// An address as text, or an IPv4 address as a 32-bit number.
fn parse_addr(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<u32>()
            .ok()
            .map(|n| IpAddr::V4(Ipv4Addr::from(n)));
    }
    text.parse::<Ipv4Addr>()
        .map(IpAddr::V4)
        .or_else(|_| text.parse::<Ipv6Addr>().map(IpAddr::V6))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Result<AsnTable, IdentityError> {
        AsnTable::read(text.as_bytes(), Path::new("test.tsv"))
    }

    fn addr(text: &str) -> IpAddr {
        text.parse().unwrap_or_else(|err| panic!("{text}: {err}"))
    }

    #[test]
    fn rows_of_the_iptoasn_layout() {
        // Rows in the layout of iptoasn.com's ip2asn-combined.tsv, with
        // documentation ranges and ASNs; the u32 row is ip2asn-v4-u32.tsv style.
        let table = table(
            "192.0.2.0\t192.0.2.255\t64500\tNL\tExampleNet B.V.\n\
             198.51.100.0\t198.51.100.127\t0\tNone\tNot routed\n\
             3325256704\t3325256959\t64501\tus\tDocuNet\r\n\
             \n\
             2001:db8::\t2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\t64502\tDE\tSixNet GmbH\n",
        )
        .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(table.len(), 3);
        let facts = table
            .lookup(addr("192.0.2.77"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(facts.asn, Some(64500));
        assert_eq!(facts.country.as_deref(), Some("NL"));
        assert_eq!(facts.owner.as_deref(), Some("ExampleNet B.V."));
        // 3325256704 is 198.51.100.0.
        let facts = table
            .lookup(addr("198.51.100.200"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(facts.asn, Some(64501));
        assert_eq!(facts.country.as_deref(), Some("US"));
        let facts = table
            .lookup(addr("2001:db8:1::5"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(facts.owner.as_deref(), Some("SixNet GmbH"));
        let mapped = table
            .lookup(addr("::ffff:192.0.2.1"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(mapped.asn, Some(64500));
        // Edges and misses.
        assert_eq!(
            table.lookup(addr("192.0.2.255")).and_then(|f| f.asn),
            Some(64500)
        );
        assert_eq!(table.lookup(addr("192.0.3.0")), None);
        assert_eq!(table.lookup(addr("192.0.1.255")), None);
        assert_eq!(table.lookup(addr("0.0.0.0")), None);
        assert_eq!(table.lookup(addr("2001:db9::")), None);
        assert_eq!(table.lookup(addr("::")), None);
    }

    #[test]
    fn malformed_tables_are_errors_with_lines() {
        let cases = [
            (
                "192.0.2.0\t192.0.2.255\t64500\tNL\n",
                1,
                "missing AS description",
            ),
            ("# header\n192.0.2.0\tx\t64500\tNL\tA\n", 2, "bad range end"),
            ("192.0.2.9\t192.0.2.1\t64500\tNL\tA\n", 1, "empty or mixes"),
            ("192.0.2.0\t2001:db8::\t64500\tNL\tA\n", 1, "empty or mixes"),
            ("192.0.2.0\t192.0.2.1\tASX\tNL\tA\n", 1, "bad AS number"),
            ("192.0.2.0\t192.0.2.1\t1\tNL\t\u{0}\u{ff}\n", 1, ""),
        ];
        for (text, line, message) in cases {
            match table(text) {
                Err(IdentityError::Table {
                    line: Some(got),
                    message: got_message,
                    ..
                }) => {
                    assert_eq!(got, line, "{text:?}");
                    assert!(got_message.contains(message), "{got_message}");
                }
                Ok(table) if message.is_empty() => assert_eq!(table.len(), 1),
                other => panic!("{text:?}: {other:?}"),
            }
        }
        let mut binary = vec![b'x'; MAX_LINE_LEN * 3];
        binary.push(b'\n');
        assert!(matches!(
            AsnTable::read(&binary[..], Path::new("b")),
            Err(IdentityError::Table { line: Some(1), .. })
        ));
        assert!(matches!(
            AsnTable::read(&[0xff, 0xfe, b'\n'][..], Path::new("b")),
            Err(IdentityError::Table { line: Some(1), .. })
        ));
        assert!(matches!(
            table("1.0.0.0\t1.0.0.255\t0\tNone\tNot routed\n"),
            Err(IdentityError::Table { line: None, .. })
        ));
    }

    #[test]
    fn many_rows_bisect() {
        let mut text = String::new();
        for block in 0..2000u32 {
            let start = Ipv4Addr::from(0x0a00_0000 + block * 256);
            let end = Ipv4Addr::from(0x0a00_0000 + block * 256 + 199);
            text.push_str(&format!(
                "{start}\t{end}\t{}\tNL\tOwner {}\n",
                64512 + block % 7,
                block % 7
            ));
        }
        let table = table(&text).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(table.len(), 2000);
        assert_eq!(table.records.len(), 7);
        let facts = table
            .lookup(addr("10.0.100.150"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(facts.asn, Some(64512 + 100 % 7));
        assert_eq!(table.lookup(addr("10.0.100.200")), None);
        assert_eq!(table.lookup(addr("10.7.208.0")), None);
    }
}
