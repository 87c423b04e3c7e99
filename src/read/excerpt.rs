//! Reading evidence lines back from an input for the report: the text of
//! a log line, or a one-line summary of a captured packet.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use picket_parse::Sink;
use picket_parse::pcap;

use crate::read::lines::{Line, for_each_line};

/// Most lines of one multi-line record shown as one piece of evidence.
const RECORD_LINES: usize = 8;
/// Most characters of one line shown.
const LINE_CHARS: usize = 400;

/// The text of each wanted line. A line that opens a multi-line Snort
/// record (`[**]`) brings the record's following lines with it. A packet
/// capture (known by its magic number) gives a summary of each wanted
/// packet instead, its "lines" being packet numbers.
pub fn excerpts<R: Read>(
    mut reader: R,
    wanted: &BTreeSet<u64>,
    max_line: usize,
) -> BTreeMap<u64, String> {
    if wanted.is_empty() {
        return BTreeMap::new();
    }
    let mut head = Vec::with_capacity(pcap::MAGIC_LEN);
    if (&mut reader)
        .take(pcap::MAGIC_LEN as u64)
        .read_to_end(&mut head)
        .is_err()
    {
        return BTreeMap::new();
    }
    let capture = pcap::CaptureKind::sniff(&head).is_some();
    let reader = std::io::Cursor::new(head).chain(reader);
    if capture {
        return capture_excerpts(reader, wanted);
    }
    text_excerpts(reader, wanted, max_line)
}

fn text_excerpts<R: Read>(
    reader: R,
    wanted: &BTreeSet<u64>,
    max_line: usize,
) -> BTreeMap<u64, String> {
    let mut out: BTreeMap<u64, String> = BTreeMap::new();
    let mut open: Option<(u64, usize)> = None;
    // Lines come in order: walk the wanted numbers alongside them instead of
    // looking each line up.
    let mut next = wanted.iter().copied().peekable();
    let _ = for_each_line(reader, max_line, |n, line| {
        while next.next_if(|w| *w < n).is_some() {}
        let is_wanted = next.next_if_eq(&n).is_some();
        if open.is_none() && !is_wanted {
            return;
        }
        let text = match line {
            Line::Text(t) => t,
            Line::TooLong(len) => {
                if is_wanted {
                    out.insert(n, format!("<a line of {len} bytes, too long to show>"));
                }
                open = None;
                return;
            }
        };
        if let Some((first, count)) = open {
            let continues = !text.is_empty() && !text.starts_with(b"[**]") && count < RECORD_LINES;
            if continues {
                if let Some(s) = out.get_mut(&first) {
                    s.push('\n');
                    s.push_str(&shorten(text));
                }
                open = Some((first, count + 1));
            } else {
                open = None;
            }
        }
        if is_wanted {
            out.insert(n, shorten(text));
            if text.starts_with(b"[**]") {
                open = Some((n, 1));
            }
        }
    });
    out
}

/// A summary of each wanted packet of a capture (`wanted` holds packet
/// numbers): captures are binary, so evidence shows what a packet was
/// rather than its bytes.
pub fn capture_excerpts<R: Read>(reader: R, wanted: &BTreeSet<u64>) -> BTreeMap<u64, String> {
    let mut sink = Summaries {
        wanted,
        out: BTreeMap::new(),
    };
    if !wanted.is_empty() {
        let _ = pcap::read_capture(reader, &mut sink);
    }
    sink.out
}

/// Keeps the summaries of the wanted packets of a capture.
struct Summaries<'a> {
    wanted: &'a BTreeSet<u64>,
    out: BTreeMap<u64, String>,
}

impl Sink for Summaries<'_> {
    fn packet(&mut self, packet: picket_parse::Packet) {
        if self.wanted.contains(&packet.origin.line) {
            self.out.insert(packet.origin.line, pcap::summary(&packet));
        }
    }

    fn unrecognized(&mut self, _line: u64, _reason: &'static str) {}

    fn warning(&mut self, _line: u64, _message: String) {}
}

fn shorten(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    if text.chars().count() <= LINE_CHARS {
        text.into_owned()
    } else {
        let cut: String = text.chars().take(LINE_CHARS).collect();
        format!("{cut}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_lines_and_whole_snort_records() {
        let text = b"one\n[**] msg [**]\n04/21-17:04:13.198326 a:1 -> b:2\nUDP TTL:50\n\nsix\n";
        let wanted: BTreeSet<u64> = [1, 2, 6].into_iter().collect();
        let got = excerpts(&text[..], &wanted, 1 << 20);
        assert_eq!(got[&1], "one");
        assert_eq!(
            got[&2],
            "[**] msg [**]\n04/21-17:04:13.198326 a:1 -> b:2\nUDP TTL:50"
        );
        assert_eq!(got[&6], "six");
    }

    #[test]
    fn capture_evidence_is_a_packet_summary() {
        // tcpdump -nn -r pcaps_port_scan.pcap (ncsa_bro_simple_scan), packets 1 and 10:
        // 192.168.2.154.52038 > 192.168.2.22.21: Flags [S] ... length 0 (IP length 64)
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/samples/pcaps/ncsa_bro_simple_scan/pcaps_port_scan.pcap"
        );
        let bytes = std::fs::read(path).unwrap();
        let wanted: BTreeSet<u64> = [1, 10, 11].into_iter().collect();
        let got = excerpts(&bytes[..], &wanted, 1 << 20);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[&1],
            "#1 192.168.2.154:52038 > 192.168.2.22:21 TCP [S] len 64"
        );
        assert!(got[&10].starts_with("#10 192.168.2.154:"), "{}", got[&10]);
    }
}
