//! The words and bracketed groups of tcpdump's packet text.

use picket_model::TcpOptions;

use super::packet::Damage;
use crate::bytes::{parse_hex, parse_u8, parse_u16, parse_u32};

/// Most TCP option kinds kept, as [`TcpOptions::kinds`] documents.
const MAX_OPTION_KINDS: usize = 16;

/// Words and bracketed groups of the packet text, left to right.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `text`.
    pub(super) fn new(text: &'a [u8]) -> Cursor<'a> {
        Cursor { rest: text }
    }

    fn skip_spaces(&mut self) {
        let start = self
            .rest
            .iter()
            .position(|b| *b != b' ' && *b != b'\t')
            .unwrap_or(self.rest.len());
        self.rest = &self.rest[start..];
    }

    /// The first byte of what comes next, spaces skipped.
    pub(super) fn peek(&mut self) -> Option<u8> {
        self.skip_spaces();
        self.rest.first().copied()
    }

    /// The next word without consuming it.
    pub(super) fn peek_word(&mut self) -> Option<&'a [u8]> {
        let mut copy = *self;
        copy.word()
    }

    /// The next space-separated word.
    pub(super) fn word(&mut self) -> Option<&'a [u8]> {
        self.skip_spaces();
        if self.rest.is_empty() {
            return None;
        }
        let end = memchr::memchr2(b' ', b'\t', self.rest).unwrap_or(self.rest.len());
        let word = &self.rest[..end];
        self.rest = &self.rest[end..];
        Some(word)
    }

    /// The group that starts here (`(...)`, `[...]`, `<...>`, `{...}`,
    /// nesting counted), without its brackets, and whether it was closed.
    /// A comma or colon right after the group is consumed with it.
    pub(super) fn group(&mut self) -> (&'a [u8], bool) {
        self.skip_spaces();
        let Some(&open) = self.rest.first() else {
            return (&[], false);
        };
        let close = match open {
            b'(' => b')',
            b'[' => b']',
            b'<' => b'>',
            _ => b'}',
        };
        let mut depth = 0usize;
        for (i, &b) in self.rest.iter().enumerate() {
            if b == open {
                depth += 1;
            } else if b == close {
                depth -= 1;
                if depth == 0 {
                    let inner = &self.rest[1..i];
                    let mut after = &self.rest[i + 1..];
                    if let [b',' | b':', tail @ ..] = after {
                        after = tail;
                    }
                    self.rest = after;
                    return (inner, true);
                }
            }
        }
        let inner = &self.rest[1..];
        self.rest = &[];
        (inner, false)
    }
}

impl<'a> Cursor<'a> {
    /// The next word as a value, its trailing punctuation trimmed.
    pub(super) fn value(&mut self) -> Option<&'a [u8]> {
        self.word().map(trim_punct)
    }

    /// An ICMP description: the words up to a comma or a bracketed group.
    pub(super) fn description(&mut self) -> &'a [u8] {
        self.skip_spaces();
        let end = self
            .rest
            .iter()
            .position(|b| matches!(b, b',' | b'(' | b'['))
            .unwrap_or(self.rest.len());
        let text = &self.rest[..end];
        self.rest = &self.rest[end..];
        if let [b',', tail @ ..] = self.rest {
            self.rest = tail;
        }
        text
    }
}

/// Words of a group, with trailing commas, colons and parentheses trimmed.
#[derive(Clone, Copy)]
pub(super) struct Words<'a> {
    rest: &'a [u8],
}

impl<'a> Words<'a> {
    /// Words of `text`.
    pub(super) fn new(text: &'a [u8]) -> Words<'a> {
        Words { rest: text }
    }

    /// The next word without consuming it.
    pub(super) fn peek(&self) -> Option<&'a [u8]> {
        let mut copy = *self;
        copy.next()
    }

    /// The next word as a number; an unreadable one is counted in `damage`.
    pub(super) fn u8(&mut self, damage: &mut Damage) -> Option<u8> {
        counted(self.next().and_then(parse_u8), damage)
    }

    /// As [`Words::u8`], for 16 bits.
    pub(super) fn u16(&mut self, damage: &mut Damage) -> Option<u16> {
        counted(self.next().and_then(parse_u16), damage)
    }

    /// As [`Words::u8`], for 32 bits.
    pub(super) fn u32(&mut self, damage: &mut Damage) -> Option<u32> {
        counted(self.next().and_then(parse_u32), damage)
    }

    /// As [`Words::u8`], in hex (`0x10`).
    pub(super) fn hex_u8(&mut self, damage: &mut Damage) -> Option<u8> {
        let value = self
            .next()
            .and_then(parse_hex)
            .and_then(|v| u8::try_from(v).ok());
        counted(value, damage)
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let mut cursor = Cursor::new(self.rest);
        let word = cursor.word();
        self.rest = cursor.rest;
        word.map(trim_punct)
    }
}

fn counted<T>(value: Option<T>, damage: &mut Damage) -> Option<T> {
    if value.is_none() {
        damage.bad_fields += 1;
    }
    value
}

/// A word without the commas, colons and parentheses tcpdump glues to it.
pub(super) fn trim_punct(word: &[u8]) -> &[u8] {
    let mut word = word;
    while let [rest @ .., b',' | b':' | b')'] = word {
        word = rest;
    }
    word
}

/// TCP options as text: `mss 1460,nop,wscale 3,sackOK,timestamp 1 2`.
pub(super) fn tcp_options(inner: &[u8], damage: &mut Damage) -> TcpOptions {
    let mut options = TcpOptions::default();
    for item in inner.split(|b| *b == b',') {
        let mut words = Words::new(item);
        let Some(name) = words.next() else { continue };
        let kind = match name {
            b"eol" => 0,
            b"nop" => 1,
            b"mss" => {
                options.mss = words.u16(damage);
                2
            }
            b"wscale" => {
                options.window_scale = words.u8(damage);
                3
            }
            b"sackOK" => 4,
            b"sack" => 5,
            b"timestamp" | b"TS" => 8,
            b"md5" | b"tcp-md5" => 19,
            b"mptcp" => 30,
            b"tfo" => 34,
            other => match other
                .strip_prefix(b"unknown-")
                .or(other.strip_prefix(b"opt-"))
            {
                Some(number) => match parse_u8(trim_punct(number)) {
                    Some(kind) => kind,
                    None => continue,
                },
                None => continue,
            },
        };
        if options.kinds.len() < MAX_OPTION_KINDS {
            options.kinds.push(kind);
        }
    }
    options
}
