//! The words of a Snort header line, and its `Key:value` fields.
//!
//! Snort prints fields both glued (`TTL:54`) and spaced (`Seq: 0x91ED9D`),
//! so a key that ends in a colon takes the next word as its value.

/// The blank-separated words of a line.
#[derive(Clone, Debug)]
pub(crate) struct Words<'a> {
    rest: &'a [u8],
}

impl<'a> Words<'a> {
    /// Words of `text`.
    pub(crate) fn new(text: &'a [u8]) -> Words<'a> {
        Words { rest: text }
    }

    /// What has not been read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.rest
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let start = self.rest.iter().position(|b| *b != b' ' && *b != b'\t')?;
        let text = &self.rest[start..];
        let end = text
            .iter()
            .position(|b| *b == b' ' || *b == b'\t')
            .unwrap_or(text.len());
        self.rest = &text[end..];
        Some(&text[..end])
    }
}

/// A `Key:value`, `Key: value` or bare word of a header line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Field<'a> {
    /// The key, or the whole bare word.
    pub key: &'a [u8],
    /// The value, when the word had a colon and a value followed.
    pub value: Option<&'a [u8]>,
    /// The word as printed (key only when the value stood apart), for warnings.
    pub raw: &'a [u8],
}

/// Iterates the fields of a header line.
#[derive(Debug)]
pub(crate) struct Fields<'a> {
    words: std::iter::Peekable<Words<'a>>,
}

impl<'a> Fields<'a> {
    /// Fields of `line`.
    pub(crate) fn new(line: &'a [u8]) -> Fields<'a> {
        Fields {
            words: Words::new(line).peekable(),
        }
    }

    /// Takes the next word whole, without splitting it at a colon (a line's
    /// leading protocol name or flags field).
    pub(crate) fn next_word(&mut self) -> Option<&'a [u8]> {
        self.words.next()
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Field<'a>;

    fn next(&mut self) -> Option<Field<'a>> {
        let word = self.words.next()?;
        let Some(colon) = memchr::memchr(b':', word) else {
            return Some(Field {
                key: word,
                value: None,
                raw: word,
            });
        };
        let key = &word[..colon];
        let glued = &word[colon + 1..];
        let value = if glued.is_empty() {
            self.words.next_if(|w| !w.ends_with(b":"))
        } else {
            Some(glued)
        };
        Some(Field {
            key,
            value,
            raw: word,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glued_and_spaced_values() {
        // The 2000 paper, detect 06, TCP line.
        let fields: Vec<Field<'_>> =
            Fields::new(b"**S***** Seq: 0x91ED9D Ack: 0x0 Win: 0x860").collect();
        let pairs: Vec<(&[u8], Option<&[u8]>)> = fields.iter().map(|f| (f.key, f.value)).collect();
        assert_eq!(
            pairs,
            vec![
                (&b"**S*****"[..], None),
                (&b"Seq"[..], Some(&b"0x91ED9D"[..])),
                (&b"Ack"[..], Some(&b"0x0"[..])),
                (&b"Win"[..], Some(&b"0x860"[..])),
            ]
        );
        // samples/snort/securitywing_alert.full, IP line.
        let mut fields = Fields::new(b"TCP TTL:40 TOS:0x0  DF");
        assert_eq!(fields.next_word(), Some(&b"TCP"[..]));
        let ttl = fields.next().unwrap();
        assert_eq!(
            (ttl.key, ttl.value, ttl.raw),
            (&b"TTL"[..], Some(&b"40"[..]), &b"TTL:40"[..])
        );
        assert_eq!(fields.next().map(|f| f.key), Some(&b"TOS"[..]));
        assert_eq!(
            fields.next().map(|f| (f.key, f.value)),
            Some((&b"DF"[..], None))
        );
        assert_eq!(fields.next(), None);
    }

    #[test]
    fn a_key_does_not_swallow_the_next_key() {
        let fields: Vec<Field<'_>> = Fields::new(b"Len: Csum: 5").collect();
        assert_eq!(fields[0].value, None);
        assert_eq!(
            (fields[1].key, fields[1].value),
            (&b"Csum"[..], Some(&b"5"[..]))
        );
        let mut words = Words::new(b"  a \tb  ");
        assert_eq!(words.next(), Some(&b"a"[..]));
        assert_eq!(words.next(), Some(&b"b"[..]));
        assert_eq!(words.next(), None);
    }
}
