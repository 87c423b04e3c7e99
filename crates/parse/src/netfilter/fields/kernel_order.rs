//! The kernel's usual field order, read without tokenizing.
//!
//! Nearly every LOG line prints its fields in one order: `IN= OUT= MAC= SRC=
//! DST= LEN= TOS= PREC= TTL= ID=`, the fragment words, `PROTO=`, then the
//! protocol's own fields in their fixed order. This path expects that order:
//! it checks each key where it should stand, one space after the last value,
//! and hands the value to the same [`Walk`] method the general walk would
//! call. At the first surprise (another field, a run of spaces, a quoted
//! header, IPv6's `TC=`) it stops and the general walk carries on from there
//! with the same state, so a line reads the same either way; only the
//! splitting into tokens and the matching of keys is saved.

use super::{Reading, Stage, Tokens, Walk};

/// Reads the fields of `text`, which starts at `IN=`: in the kernel's order
/// as far as the line follows it, then token by token.
pub(in crate::netfilter) fn read_line(text: &[u8]) -> Reading<'_> {
    let mut walk = Walk::default();
    let mut cursor = Cursor { rest: text };
    // `None` only says where the expected order ended.
    let _ = walk.ordered(&mut cursor);
    let mut tokens = Tokens::new(cursor.rest);
    walk.walk(&mut tokens, None, 0, false)
}

/// What is left of the line, from the next token (or the separator before
/// it) on.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    /// Steps over the one space before the next token; `None` when the line
    /// ends or the spacing is anything else.
    #[inline(always)]
    fn advance(&mut self) -> Option<()> {
        match self.rest {
            [b' ', next, ..] if *next != b' ' && *next != b'\t' => {
                self.rest = &self.rest[1..];
                Some(())
            }
            _ => None,
        }
    }

    /// The value of the token `key=value` when that is the next token,
    /// consumed; the cursor is left untouched otherwise.
    #[inline(always)]
    fn value(&mut self, key: &[u8]) -> Option<&'a [u8]> {
        let after = self.rest.strip_prefix(key)?.strip_prefix(b"=")?;
        let end = token_end(after);
        self.rest = &after[end..];
        Some(&after[..end])
    }

    /// The next token when it is one of `words`, consumed.
    fn word(&mut self, words: &[&'static [u8]]) -> Option<&'static [u8]> {
        let end = token_end(self.rest);
        let token = &self.rest[..end];
        let found = words.iter().find(|w| **w == token)?;
        self.rest = &self.rest[end..];
        Some(found)
    }
}

/// Where a token that starts `text` ends: at the first space or tab.
fn token_end(text: &[u8]) -> usize {
    text.iter()
        .position(|b| *b == b' ' || *b == b'\t')
        .unwrap_or(text.len())
}

/// Words of the IP header that may stand between `ID=` and `PROTO=`.
const HEADER_WORDS: &[&[u8]] = &[b"DF", b"MF", b"CE"];

/// TCP flags, as the kernel prints them between `RES=` and `URGP=`.
const TCP_FLAGS: &[&[u8]] = &[
    b"CWR", b"ECE", b"URG", b"ACK", b"PSH", b"RST", b"SYN", b"FIN",
];

impl<'a> Walk<'a> {
    /// Reads the fields in the kernel's order; `None` at the first field out
    /// of it, with the cursor at that field.
    fn ordered(&mut self, cursor: &mut Cursor<'a>) -> Option<()> {
        self.key(cursor, b"IN")?;
        self.next_key(cursor, b"OUT")?;
        cursor.advance()?;
        if self.key(cursor, b"MAC").is_some() {
            self.next_key(cursor, b"SRC")?;
        } else {
            self.key(cursor, b"SRC")?;
        }
        // Written out, not looped, so that each key is a constant.
        self.next_key(cursor, b"DST")?;
        self.next_key(cursor, b"LEN")?;
        self.next_key(cursor, b"TOS")?;
        self.next_key(cursor, b"PREC")?;
        self.next_key(cursor, b"TTL")?;
        self.next_key(cursor, b"ID")?;
        loop {
            cursor.advance()?;
            if self.key(cursor, b"PROTO").is_some() {
                break;
            }
            let word = cursor.word(HEADER_WORDS)?;
            self.last_key = None;
            self.header_word(word);
        }
        match self.stage {
            Stage::Tcp => self.tcp_ordered(cursor),
            Stage::Udp => {
                self.next_key(cursor, b"SPT")?;
                self.next_key(cursor, b"DPT")?;
                self.next_key(cursor, b"LEN")
            }
            Stage::Icmp => {
                self.next_key(cursor, b"TYPE")?;
                self.next_key(cursor, b"CODE")?;
                self.next_key(cursor, b"ID")?;
                self.next_key(cursor, b"SEQ")
            }
            _ => None,
        }
    }

    /// `SPT= DPT= [SEQ= ACK=] WINDOW= RES= flags URGP=`.
    fn tcp_ordered(&mut self, cursor: &mut Cursor<'a>) -> Option<()> {
        self.next_key(cursor, b"SPT")?;
        self.next_key(cursor, b"DPT")?;
        cursor.advance()?;
        if self.key(cursor, b"SEQ").is_some() {
            self.next_key(cursor, b"ACK")?;
            self.next_key(cursor, b"WINDOW")?;
        } else {
            self.key(cursor, b"WINDOW")?;
        }
        self.next_key(cursor, b"RES")?;
        loop {
            cursor.advance()?;
            if self.key(cursor, b"URGP").is_some() {
                return Some(());
            }
            let flag = cursor.word(TCP_FLAGS)?;
            self.last_key = None;
            self.tcp_flag(flag);
        }
    }

    /// [`Walk::key`] after the one space that should precede it.
    #[inline(always)]
    fn next_key(&mut self, cursor: &mut Cursor<'a>, key: &'static [u8]) -> Option<()> {
        cursor.advance()?;
        self.key(cursor, key)
    }

    /// Reads `key=value` when it is the next token, as the general walk
    /// reads that token in the current stage.
    #[inline(always)]
    fn key(&mut self, cursor: &mut Cursor<'a>, key: &'static [u8]) -> Option<()> {
        let value = cursor.value(key)?;
        self.keyed(key, value);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use crate::netfilter::fields::read;

    /// The general walk alone, token by token.
    fn general(text: &[u8]) -> Reading<'_> {
        read(&mut Tokens::new(text), None, 0, false)
    }

    /// What is left after the ordered part of `text`, from its next token.
    fn left_over(text: &[u8]) -> &[u8] {
        let mut walk = Walk::default();
        let mut cursor = Cursor { rest: text };
        let _ = walk.ordered(&mut cursor);
        cursor.rest.trim_ascii_start()
    }

    const TCP: &str = "IN=eth0 OUT= MAC=00:16:3e:5a:0c:01:00:25:90:aa:bb:cc:08:00 SRC=61.249.81.42 DST=203.0.113.30 LEN=44 TOS=0x00 PREC=0x00 TTL=52 ID=11083 DF PROTO=TCP SPT=51000 DPT=1000 WINDOW=1024 RES=0x00 SYN URGP=0";
    const TCP_SEQ: &str = "IN=eth0 OUT= SRC=10.0.0.5 DST=10.0.0.1 LEN=52 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=TCP SPT=443 DPT=51234 SEQ=12345 ACK=67890 WINDOW=501 RES=0x00 ACK PSH FIN URGP=0 OPT (0101080A)";
    const UDP: &str = "IN=eth1 OUT=eth0 SRC=192.168.1.7 DST=8.8.8.8 LEN=61 TOS=0x00 PREC=0x00 TTL=63 ID=4242 PROTO=UDP SPT=53124 DPT=53 LEN=41";
    const PING: &str = "IN=eth0 OUT= MAC=00:16:3e:5a:0c:01:00:25:90:aa:bb:cc:08:00 SRC=198.51.100.9 DST=203.0.113.4 LEN=84 TOS=0x00 PREC=0x00 TTL=55 ID=0 DF PROTO=ICMP TYPE=8 CODE=0 ID=3417 SEQ=1";
    const UNREACHABLE: &str = "IN=eth0 OUT= SRC=198.51.100.9 DST=203.0.113.4 LEN=72 TOS=0x00 PREC=0xC0 TTL=64 ID=5 PROTO=ICMP TYPE=3 CODE=3 [SRC=203.0.113.4 DST=198.51.100.9 LEN=44 TOS=0x00 PREC=0x00 TTL=64 ID=9 PROTO=UDP SPT=21458 DPT=62936 LEN=24 ]";

    #[test]
    fn the_usual_lines_are_read_in_order_to_their_last_field() {
        assert_eq!(left_over(TCP.as_bytes()), b"");
        assert_eq!(left_over(UDP.as_bytes()), b"");
        assert_eq!(left_over(PING.as_bytes()), b"");
        // What follows the last ordered field is left to the general walk.
        assert_eq!(left_over(TCP_SEQ.as_bytes()), b"OPT (0101080A)");
        assert!(left_over(UNREACHABLE.as_bytes()).starts_with(b"[SRC=203.0.113.4"));
    }

    #[test]
    fn both_walks_agree_on_the_usual_lines() {
        for line in [TCP, TCP_SEQ, UDP, PING, UNREACHABLE] {
            let fast = read_line(line.as_bytes());
            assert!(fast.packet.is_ok(), "{line}");
            assert_eq!(fast, general(line.as_bytes()), "{line}");
        }
    }

    /// Every LOG line of the repository's fixtures reads the same both ways.
    #[test]
    fn both_walks_agree_on_every_fixture_line() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let mut files = vec![root];
        let mut lines = 0;
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for line in bytes.split(|b| *b == b'\n') {
                let Some(at) = memchr::memmem::find(line, b"IN=") else {
                    continue;
                };
                let text = &line[at..];
                assert_eq!(
                    read_line(text),
                    general(text),
                    "{}: {}",
                    path.display(),
                    String::from_utf8_lossy(line)
                );
                lines += 1;
            }
        }
        assert!(
            lines > 1_000,
            "only {lines} LOG lines found in the fixtures"
        );
    }

    /// A usual line with one damage: a token dropped, doubled, moved or
    /// replaced, a space doubled or turned into a tab, the line cut.
    fn damaged() -> impl Strategy<Value = String> {
        let lines = prop::sample::select(vec![TCP, TCP_SEQ, UDP, PING, UNREACHABLE]);
        let odd = prop::sample::select(vec![
            "SYN",
            "DF",
            "MF",
            "CE",
            "FRAG:5",
            "OPT",
            "(020405B4)",
            "TC=0",
            "SEQ=1",
            "ID=",
            "=",
            "LEN=x",
            "PROTO=UDP",
            "[",
            "]",
            "INCOMPLETE",
            "PHYSIN=br0",
            "SPT=70000",
        ]);
        (
            lines,
            0usize..6,
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            odd,
        )
            .prop_map(|(line, how, at, to, odd)| {
                let mut tokens: Vec<String> = line.split(' ').map(str::to_owned).collect();
                let i = at.index(tokens.len());
                let j = to.index(tokens.len());
                match how {
                    0 => {
                        tokens.remove(i);
                    }
                    1 => tokens.insert(i, tokens[i].clone()),
                    2 => tokens.swap(i, j),
                    3 => tokens[i] = odd.to_owned(),
                    4 => tokens[i].push_str(if j % 2 == 0 { " " } else { "\t" }),
                    _ => {
                        let joined = tokens.join(" ");
                        let cut = at.index(joined.len() + 1);
                        return joined[..cut].to_owned();
                    }
                }
                tokens.join(" ")
            })
    }

    proptest! {
        #[test]
        fn both_walks_agree_on_damaged_lines(line in damaged()) {
            prop_assert_eq!(read_line(line.as_bytes()), general(line.as_bytes()));
        }

        #[test]
        fn both_walks_agree_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            prop_assert_eq!(read_line(&bytes), general(&bytes));
        }
    }
}
