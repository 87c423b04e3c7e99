//! Escaping for log-derived text, one function per place the text lands.
//!
//! Every field that came from a log (host names, messages, alert labels, the
//! lines themselves, and the analysis sentences that quote them) is chosen by
//! whoever sent the packets. Printed raw, it could clear a terminal, retitle
//! the window, reverse the reading order of a line, add a link to a Markdown
//! report or start a formula in a spreadsheet. These functions make such text
//! inert and visible instead.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Makes text safe for a terminal: C0 controls, DEL, C1 controls and
/// Unicode bidirectional and invisible format controls become visible
/// escapes (`\x1b`, `\u{202e}`), so no escape sequence reaches the terminal
/// and no line can hide or reorder what it says.
///
/// A tab becomes a space; a backslash is left as it is. The result never
/// contains a raw control character, not even a newline: callers that want
/// lines split the text first. Text that needs no change is borrowed.
pub fn terminal(s: &str) -> Cow<'_, str> {
    let Some(first) = s.find(needs_escape) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        push_terminal_char(&mut out, c);
    }
    Cow::Owned(out)
}

/// Makes text safe to place anywhere in Markdown prose, a heading or a table
/// cell: [`terminal`] first, then a backslash before every character that
/// Markdown or its common extensions could read as syntax, so that no log
/// text can make a link, an image, a heading, a table cell break, an HTML
/// tag, a code span, emphasis or an automatic link.
///
/// Besides `` \ ` * _ { } [ ] ( ) # + - . ! | < > & ~ ``, the colon, `@` and
/// `$` are escaped too: GitHub turns bare `http://` addresses and e-mail
/// addresses into links and `$...$` into math.
pub fn markdown(s: &str) -> String {
    let safe = terminal(s);
    let mut out = String::with_capacity(safe.len() + safe.len() / 4);
    for c in safe.chars() {
        if is_markdown_syntax(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Makes text safe inside HTML element content or a quoted attribute:
/// [`terminal`] first, then `& < > " '` as character references.
pub fn html(s: &str) -> String {
    let safe = terminal(s);
    let mut out = String::with_capacity(safe.len() + 16);
    for c in safe.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Makes text safe as one CSV cell opened by a spreadsheet: [`terminal`]
/// first; a cell that a spreadsheet would run as a formula (starting with
/// `= + - @`, their full-width forms, or a tab or carriage return, even after
/// leading blanks of any kind, such as a no-break space) gets a leading `'`;
/// then the cell is quoted per RFC 4180 when it holds a comma, semicolon,
/// double quote or line break.
pub fn csv_cell(s: &str) -> String {
    let safe = terminal(s);
    let starts_like_formula = s.trim_start_matches(is_blank).starts_with(['\t', '\r'])
        || safe
            .trim_start_matches(is_blank)
            .starts_with(FORMULA_STARTS);
    let mut cell = String::with_capacity(safe.len() + 3);
    if starts_like_formula {
        cell.push('\'');
    }
    cell.push_str(&safe);
    if !cell.contains([',', ';', '"', '\n', '\r']) {
        return cell;
    }
    let mut quoted = String::with_capacity(cell.len() + 4);
    quoted.push('"');
    for c in cell.chars() {
        if c == '"' {
            quoted.push('"');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// Characters that make a spreadsheet read a cell as a formula: `= + - @`
/// and their full-width forms.
const FORMULA_STARTS: [char; 8] = [
    '=', '+', '-', '@', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
];

/// Blanks a spreadsheet may skip before it looks for a formula: any Unicode
/// white space except the tab and line breaks, which count as formula
/// starts themselves.
fn is_blank(c: char) -> bool {
    c.is_whitespace() && !c.is_control()
}

/// Whether a character must not reach a terminal as it is.
fn needs_escape(c: char) -> bool {
    c.is_control() || is_invisible_format(c) || is_tag(c)
}

/// Unicode tag characters (U+E0000 to U+E007F): invisible, yet they can
/// carry a whole hidden sentence after a visible one. Kept apart from
/// [`is_invisible_format`] because they lie outside the Basic Multilingual
/// Plane, where a four-digit `\u` escape cannot name them.
fn is_tag(c: char) -> bool {
    ('\u{e0000}'..='\u{e007f}').contains(&c)
}

/// Unicode controls that change how a line is displayed without showing
/// themselves: bidirectional embeddings, overrides and isolates, zero-width
/// characters, line and paragraph separators, and the byte order mark.
pub(crate) fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

/// Appends one character to terminal-safe text, escaped when it must be.
fn push_terminal_char(out: &mut String, c: char) {
    if c == '\t' {
        out.push(' ');
    } else if (c as u32) < 0x80 && c.is_control() {
        // Writing to a String cannot fail.
        let _ = write!(out, "\\x{:02x}", c as u32);
    } else if needs_escape(c) {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    } else {
        out.push(c);
    }
}

/// Characters that CommonMark or GitHub's extensions could read as syntax.
fn is_markdown_syntax(c: char) -> bool {
    matches!(
        c,
        '\\' | '`'
            | '*'
            | '_'
            | '{'
            | '}'
            | '['
            | ']'
            | '('
            | ')'
            | '#'
            | '+'
            | '-'
            | '.'
            | '!'
            | '|'
            | '<'
            | '>'
            | '&'
            | '~'
            | ':'
            | '@'
            | '$'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A window-title and screen-clearing payload of the kind a hostile
    /// sender puts in a logged field.
    const TERMINAL_ATTACK: &str = "\x1b[2J\x1b]0;pwned\x07";

    #[test]
    fn terminal_escapes_escape_sequences_visibly() {
        assert_eq!(terminal(TERMINAL_ATTACK), "\\x1b[2J\\x1b]0;pwned\\x07");
    }

    #[test]
    fn terminal_escapes_bidi_and_zero_width_controls() {
        assert_eq!(terminal("evil\u{202e}gpj.exe"), "evil\\u{202e}gpj.exe");
        assert_eq!(terminal("a\u{200b}b\u{feff}c"), "a\\u{200b}b\\u{feff}c");
        assert_eq!(terminal("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
    }

    #[test]
    fn terminal_escapes_c1_del_and_newlines() {
        assert_eq!(terminal("a\u{9b}31mb"), "a\\u{9b}31mb");
        assert_eq!(terminal("a\x7fb"), "a\\x7fb");
        assert_eq!(terminal("one\ntwo\r"), "one\\x0atwo\\x0d");
    }

    #[test]
    fn terminal_keeps_ordinary_text_borrowed() {
        // From paper detect 02 (SubSeven), an IPChains line.
        let line = "Apr 12 04:49:49 unbeliever kernel: Packet log: input - eth0 PROTO=6 \
                    a.supercomputer.place: 3254 me.home.com: 27374 L=48 S=0x00 I=57926";
        assert!(matches!(terminal(line), Cow::Borrowed(_)));
        assert_eq!(terminal("C:\\temp é 東京"), "C:\\temp é 東京");
    }

    #[test]
    fn terminal_turns_tabs_into_spaces() {
        assert_eq!(terminal("a\tb"), "a b");
    }

    #[test]
    fn markdown_escapes_links_tags_cells_and_code() {
        assert_eq!(markdown("[x](http://e)"), "\\[x\\]\\(http\\://e\\)");
        assert_eq!(markdown("<script>"), "\\<script\\>");
        assert_eq!(markdown("| a | b |"), "\\| a \\| b \\|");
        assert_eq!(markdown("`x`"), "\\`x\\`");
        assert_eq!(markdown("me.home.com"), "me\\.home\\.com");
    }

    #[test]
    fn markdown_escapes_terminal_escapes_backslash_too() {
        // The backslash of `\x1b` is doubled so Markdown shows it as written.
        assert_eq!(markdown("\x1b"), "\\\\x1b");
    }

    #[test]
    fn html_uses_entities() {
        assert_eq!(
            html("<a href='x'>\"&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(html("\x1b[1m"), "\\x1b[1m");
    }

    #[test]
    fn csv_cell_neutralizes_formulas() {
        assert_eq!(csv_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("  +1"), "'  +1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("\tx"), "' x");
        assert_eq!(csv_cell("\r=x"), "'\\x0d=x");
        assert_eq!(csv_cell("\u{ff1d}cmd"), "'\u{ff1d}cmd");
        assert_eq!(csv_cell("+cmd"), "'+cmd");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        // A spreadsheet may skip a no-break or ideographic space first.
        assert_eq!(csv_cell("\u{a0}=1+1"), "'\u{a0}=1+1");
        assert_eq!(csv_cell("\u{3000}@SUM(1)"), "'\u{3000}@SUM(1)");
        assert_eq!(csv_cell(" \t=x"), "'  =x");
        assert_eq!(
            csv_cell("=HYPERLINK(\"http://evil\",\"x\")"),
            "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""
        );
    }

    #[test]
    fn csv_cell_leaves_ordinary_cells_alone() {
        assert_eq!(csv_cell("me.home.com"), "me.home.com");
        assert_eq!(csv_cell("a-b"), "a-b");
        assert_eq!(
            csv_cell("2000-04-12T04:49:49+00:00"),
            "2000-04-12T04:49:49+00:00"
        );
    }

    #[test]
    fn terminal_escapes_invisible_tag_characters() {
        // "hi" followed by the tag-encoded text "ok", invisible on screen.
        assert_eq!(terminal("hi\u{e006f}\u{e006b}"), "hi\\u{e006f}\\u{e006b}");
        assert_eq!(html("\u{e0001}"), "\\u{e0001}");
    }

    #[test]
    fn csv_cell_quotes_per_rfc_4180() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=1,2"), "\"'=1,2\"");
        // A newline is escaped by terminal(), so the cell stays on one row.
        assert_eq!(csv_cell("a\nb"), "a\\x0ab");
    }

    proptest! {
        #[test]
        fn terminal_never_lets_a_control_through(s in any::<String>()) {
            let out = terminal(&s);
            prop_assert!(!out.chars().any(needs_escape));
        }

        #[test]
        fn markdown_leaves_no_unescaped_syntax(s in any::<String>()) {
            let out = markdown(&s);
            let mut chars = out.chars();
            while let Some(c) = chars.next() {
                prop_assert!(!needs_escape(c));
                if c == '\\' {
                    let escaped = chars.next();
                    prop_assert!(escaped.is_some_and(is_markdown_syntax));
                } else {
                    prop_assert!(!is_markdown_syntax(c));
                }
            }
        }

        #[test]
        fn csv_cell_never_starts_a_formula(s in any::<String>()) {
            let out = csv_cell(&s);
            let body = out.strip_prefix('"').unwrap_or(&out);
            prop_assert!(!body.trim_start_matches(char::is_whitespace).starts_with(FORMULA_STARTS));
            prop_assert!(!body.starts_with(['\t', '\r']));
            prop_assert!(!out.chars().any(char::is_control));
        }
    }
}
