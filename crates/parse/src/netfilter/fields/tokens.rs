//! The fields after `IN=` as space-separated tokens, for the general walk.

use crate::bytes::next_token;

/// Space-separated tokens of a line, left to right.
#[derive(Clone, Copy, Debug)]
pub(in crate::netfilter) struct Tokens<'a> {
    rest: &'a [u8],
}

impl<'a> Tokens<'a> {
    /// Tokens of `text`.
    pub(in crate::netfilter) fn new(text: &'a [u8]) -> Tokens<'a> {
        Tokens { rest: text }
    }

    /// The next token without consuming it.
    pub(super) fn peek(&self) -> Option<&'a [u8]> {
        self.clone().next()
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (token, rest) = next_token(self.rest)?;
        self.rest = rest;
        Some(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_skip_runs_of_spaces_and_tabs() {
        let tokens: Vec<&[u8]> = Tokens::new(b"  a \tbb  c ").collect();
        assert_eq!(tokens, vec![&b"a"[..], b"bb", b"c"]);
    }
}
