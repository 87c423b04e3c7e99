//! Reading evidence lines back from an input for the report.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use crate::read::lines::{Line, for_each_line};

/// Most lines of one multi-line record shown as one piece of evidence.
const RECORD_LINES: usize = 8;
/// Most characters of one line shown.
const LINE_CHARS: usize = 400;

/// The text of each wanted line. A line that opens a multi-line Snort
/// record (`[**]`) brings the record's following lines with it.
pub fn excerpts<R: Read>(
    reader: R,
    wanted: &BTreeSet<u64>,
    max_line: usize,
) -> BTreeMap<u64, String> {
    let mut out: BTreeMap<u64, String> = BTreeMap::new();
    if wanted.is_empty() {
        return out;
    }
    let mut open: Option<(u64, usize)> = None;
    let _ = for_each_line(reader, max_line, |n, line| {
        let text = match line {
            Line::Text(t) => t,
            Line::TooLong(len) => {
                if wanted.contains(&n) {
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
        if wanted.contains(&n) {
            out.insert(n, shorten(text));
            if text.starts_with(b"[**]") {
                open = Some((n, 1));
            }
        }
    });
    out
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
}
