//! Small pieces of wording shared by the renderers: numbers with thousands
//! separators, plurals, capped lists, port lists and word wrapping.
//!
//! Helpers that place log-derived text take an [`Escape`] so each renderer
//! decides how that text is made safe; the words picket adds are its own.

use std::borrow::Cow;

/// How a renderer makes one log-derived string safe for its output.
pub(crate) type Escape = fn(&str) -> String;

/// Escapes for a terminal ([`crate::sanitize::terminal`]), owned.
pub(crate) fn escape_terminal(s: &str) -> String {
    crate::sanitize::terminal(s).into_owned()
}

/// How many targets a detect lists before "and N more".
pub(crate) const TARGETS_SHOWN: usize = 10;

/// How many ports a detect lists before "and N more".
pub(crate) const PORTS_SHOWN: usize = 20;

pub use picket_model::thousands;

/// A count and a noun, the noun plural unless the count is one:
/// `1 packet`, `1,204 packets`.
pub(crate) fn count(n: u64, singular: &str, plural: &str) -> String {
    let noun = if n == 1 { singular } else { plural };
    format!("{} {noun}", thousands(n))
}

/// Up to `limit` escaped items joined by commas, then `and N more` for the
/// rest: `a, b, c and 12 more`.
pub(crate) fn capped_list(items: &[String], limit: usize, escape: Escape) -> String {
    capped_list_of(items, items.len() as u64, limit, escape)
}

/// [`capped_list`] of a list that is itself the first part of `total`
/// items, so that "and N more" counts the ones not listed at all too.
pub(crate) fn capped_list_of(items: &[String], total: u64, limit: usize, escape: Escape) -> String {
    let shown: Vec<String> = items.iter().take(limit).map(|s| escape(s)).collect();
    let mut out = shown.join(", ");
    let rest = total
        .max(items.len() as u64)
        .saturating_sub(shown.len() as u64);
    if rest > 0 {
        out.push_str(" and ");
        out.push_str(&thousands(rest));
        out.push_str(" more");
    }
    out
}

/// The ports of a detect with their protocols: `27374/tcp` for one port of
/// one protocol, `21, 22, 23 and 40 more (tcp)` otherwise, or `None` when
/// the detect has no ports (ICMP, other IP protocols).
pub(crate) fn ports_phrase(ports: &[u16], protocols: &[String], escape: Escape) -> Option<String> {
    if ports.is_empty() {
        return None;
    }
    if let [port] = ports {
        return Some(port_phrase(*port, protocols, escape));
    }
    let protocol_list = protocols
        .iter()
        .map(|p| escape(p))
        .collect::<Vec<_>>()
        .join(", ");
    let numbers: Vec<String> = ports.iter().map(u16::to_string).collect();
    let mut out = capped_list(&numbers, PORTS_SHOWN, |s| s.to_owned());
    if !protocol_list.is_empty() {
        out.push_str(" (");
        out.push_str(&protocol_list);
        out.push(')');
    }
    Some(out)
}

/// One port with its protocol: `23/tcp`, `137 (tcp, udp)`, or `port 23`
/// when the protocol is not known.
pub(crate) fn port_phrase(port: u16, protocols: &[String], escape: Escape) -> String {
    match protocols {
        [] => format!("port {port}"),
        [protocol] => format!("{port}/{}", escape(protocol)),
        several => {
            let names: Vec<String> = several.iter().map(|p| escape(p)).collect();
            format!("{port} ({})", names.join(", "))
        }
    }
}

/// Wraps text to `width` columns: the first line starts with `first`, the
/// others with `indent` spaces. Words are never cut; a word longer than a
/// line gets a line of its own. Every line ends with a newline.
pub(crate) fn wrap(text: &str, first: &str, indent: usize, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + first.len() + 16);
    let mut line = String::from(first);
    let mut line_width = first.chars().count();
    let mut line_has_words = false;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word_width = word.chars().count();
        if line_has_words && line_width + 1 + word_width > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line.clear();
            line.extend(std::iter::repeat_n(' ', indent));
            line_width = indent;
            line_has_words = false;
        }
        if line_has_words {
            line.push(' ');
            line_width += 1;
        }
        line.push_str(word);
        line_width += word_width;
        line_has_words = true;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// Text left-aligned in a column of `width` characters.
pub(crate) fn pad_right(text: &str, width: usize) -> Cow<'_, str> {
    let len = text.chars().count();
    if len >= width {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + width - len);
    out.push_str(text);
    out.extend(std::iter::repeat_n(' ', width - len));
    Cow::Owned(out)
}

/// Text right-aligned in a column of `width` characters.
pub(crate) fn pad_left(text: &str, width: usize) -> Cow<'_, str> {
    let len = text.chars().count();
    if len >= width {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + width - len);
    out.extend(std::iter::repeat_n(' ', width - len));
    out.push_str(text);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_204), "1,204");
        assert_eq!(thousands(2_257_000), "2,257,000");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn count_picks_singular_or_plural() {
        assert_eq!(count(1, "packet", "packets"), "1 packet");
        assert_eq!(count(2257, "packet", "packets"), "2,257 packets");
        assert_eq!(count(0, "warning", "warnings"), "0 warnings");
    }

    #[test]
    fn capped_list_counts_the_rest() {
        let hosts: Vec<String> = (1..=13).map(|n| format!("www.xxx.yyy.{n}")).collect();
        let listed = capped_list(&hosts, 10, escape_terminal);
        assert!(listed.starts_with("www.xxx.yyy.1, www.xxx.yyy.2, "));
        assert!(listed.ends_with("www.xxx.yyy.10 and 3 more"));
        assert_eq!(
            capped_list(&hosts[..2], 10, escape_terminal),
            "www.xxx.yyy.1, www.xxx.yyy.2"
        );
    }

    #[test]
    fn ports_phrase_reads_naturally() {
        let tcp = vec!["tcp".to_owned()];
        assert_eq!(
            ports_phrase(&[27374], &tcp, escape_terminal).as_deref(),
            Some("27374/tcp")
        );
        assert_eq!(
            ports_phrase(&[2140, 3150], &["udp".to_owned()], escape_terminal).as_deref(),
            Some("2140, 3150 (udp)")
        );
        let many: Vec<u16> = (1..=25).collect();
        let phrase = ports_phrase(&many, &tcp, escape_terminal).unwrap_or_default();
        assert!(phrase.ends_with("19, 20 and 5 more (tcp)"), "{phrase}");
        assert_eq!(
            ports_phrase(&[], &["icmp".to_owned()], escape_terminal),
            None
        );
        assert_eq!(port_phrase(23, &[], escape_terminal), "port 23");
    }

    #[test]
    fn wrap_keeps_words_whole_with_a_hanging_indent() {
        let text = "Retransmissions of one connection attempt: same source port, rising IP ID.";
        let wrapped = wrap(text, "    Technique   ", 16, 40);
        assert_eq!(
            wrapped,
            "    Technique   Retransmissions of one\n                connection attempt: same\n                source port, rising IP\n                ID.\n"
        );
        for line in wrapped.lines() {
            assert!(line.chars().count() <= 40, "{line:?}");
        }
    }

    #[test]
    fn wrap_gives_a_long_word_its_own_line() {
        let long = "x".repeat(50);
        let wrapped = wrap(&format!("short {long} end"), "> ", 2, 20);
        assert_eq!(wrapped, format!("> short\n  {long}\n  end\n"));
    }

    #[test]
    fn padding_aligns_columns() {
        assert_eq!(pad_right("ab", 4), "ab  ");
        assert_eq!(pad_left("12", 4), "  12");
        assert_eq!(pad_right("abcdef", 4), "abcdef");
    }
}
