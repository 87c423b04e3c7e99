//! The Public Suffix List: which part of a host name its owner registered.
//!
//! "dsl-7.customers.example.co.uk" belongs to "example.co.uk", because
//! "co.uk" is a suffix under which anyone may register. The list is compiled
//! in from `data/public_suffix_list.dat` (MPL-2.0) and parsed once, on first
//! use. Unicode rules are also stored in their ASCII ("xn--") form, which is
//! how DNS answers spell them.

mod punycode;

use std::collections::HashMap;
use std::sync::LazyLock;

pub use punycode::to_ascii_label;

/// The list as shipped with picket.
const BUILTIN_LIST: &str = include_str!("../../data/public_suffix_list.dat");

static BUILTIN: LazyLock<SuffixList> = LazyLock::new(|| SuffixList::parse(BUILTIN_LIST));

/// The part of the list a rule comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    /// Suffixes run by registries under ICANN's authority ("co.uk", "com").
    Icann,
    /// Suffixes private companies offer to their customers ("blogspot.com",
    /// "compute.amazonaws.com").
    Private,
}

/// Which rules a query honours. Identity uses ICANN rules only, so that a
/// customer host of a hosting or dynamic-DNS provider is attributed to the
/// provider ("amazonaws.com"), the party an analyst would contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sections {
    /// Only the ICANN section.
    IcannOnly,
    /// The ICANN and private sections, as browsers use the list.
    All,
}

impl Sections {
    fn admits(self, section: Section) -> bool {
        self == Sections::All || section == Section::Icann
    }
}

/// A parsed Public Suffix List.
#[derive(Clone, Debug, Default)]
pub struct SuffixList {
    /// Plain rules ("co.uk").
    plain: HashMap<String, Section>,
    /// Wildcard rules by the part after "*." ("ck" for "*.ck").
    wildcard: HashMap<String, Section>,
    /// Exception rules by the part after "!" ("www.ck" for "!www.ck").
    exception: HashMap<String, Section>,
}

impl SuffixList {
    /// The list compiled into picket, parsed on first use.
    pub fn builtin() -> &'static SuffixList {
        &BUILTIN
    }

    /// Parses a list in the publicsuffix.org format: one rule per line,
    /// "//" comments, and the `===BEGIN PRIVATE DOMAINS===` marker that
    /// starts the private section. Lines that are not rules are ignored.
    pub fn parse(text: &str) -> SuffixList {
        let mut list = SuffixList::default();
        let mut section = Section::Icann;
        for line in text.lines() {
            let line = line.trim();
            if let Some(comment) = line.strip_prefix("//") {
                if comment.contains("===BEGIN PRIVATE DOMAINS===") {
                    section = Section::Private;
                } else if comment.contains("===BEGIN ICANN DOMAINS===") {
                    section = Section::Icann;
                }
                continue;
            }
            let Some(rule) = line.split_whitespace().next() else {
                continue;
            };
            list.add_rule(&rule.to_lowercase(), section);
        }
        list
    }

    /// The number of rules held (each Unicode rule counts once per spelling).
    pub fn len(&self) -> usize {
        self.plain.len() + self.wildcard.len() + self.exception.len()
    }

    /// True when the list holds no rule.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn add_rule(&mut self, rule: &str, section: Section) {
        let (table, body) = if let Some(body) = rule.strip_prefix('!') {
            (&mut self.exception, body)
        } else if let Some(body) = rule.strip_prefix("*.") {
            (&mut self.wildcard, body)
        } else {
            (&mut self.plain, rule)
        };
        if body.is_empty() || body.contains('*') || body.split('.').any(str::is_empty) {
            return;
        }
        table.entry(body.to_owned()).or_insert(section);
        if !body.is_ascii() {
            let ascii: Option<Vec<String>> = body.split('.').map(to_ascii_label).collect();
            if let Some(labels) = ascii {
                table.entry(labels.join(".")).or_insert(section);
            }
        }
    }

    /// The public suffix of a name ("co.uk" for "www.example.co.uk"), from
    /// the longest matching rule, an exception rule when one matches, or the
    /// last label when no rule does. `None` for text that is not a name
    /// (empty, a leading dot, an empty label).
    pub fn public_suffix(&self, name: &str, sections: Sections) -> Option<String> {
        let name = normalize(name)?;
        let starts = label_starts(&name);
        let start = self.suffix_start(&name, &starts, sections);
        name.get(start..).map(str::to_owned)
    }

    /// The registrable domain of a name: its public suffix and one more
    /// label ("example.co.uk" for "www.example.co.uk"). `None` when the name
    /// is itself a public suffix, or is not a name.
    pub fn registrable_domain(&self, name: &str, sections: Sections) -> Option<String> {
        let name = normalize(name)?;
        let starts = label_starts(&name);
        let suffix_start = self.suffix_start(&name, &starts, sections);
        let position = starts.iter().position(|&start| start == suffix_start)?;
        let owner_start = *starts.get(position.checked_sub(1)?)?;
        name.get(owner_start..).map(str::to_owned)
    }

    /// Byte offset in `name` where its public suffix starts.
    fn suffix_start(&self, name: &str, starts: &[usize], sections: Sections) -> usize {
        let admitted = |table: &HashMap<String, Section>, key: &str| {
            table
                .get(key)
                .is_some_and(|&section| sections.admits(section))
        };
        // Each suffix of the name, longest first, with the start of its parent.
        let suffixes = || {
            starts.iter().enumerate().filter_map(|(index, &start)| {
                let parent_start = starts.get(index + 1).copied();
                name.get(start..).map(|text| (start, text, parent_start))
            })
        };
        // An exception rule prevails over every other: the suffix is the
        // exception minus its first label.
        for (start, text, parent_start) in suffixes() {
            if admitted(&self.exception, text) {
                return parent_start.unwrap_or(start);
            }
        }
        // Otherwise the rule with most labels wins.
        for (start, text, parent_start) in suffixes() {
            let parent = parent_start.and_then(|parent| name.get(parent..));
            if admitted(&self.plain, text)
                || parent.is_some_and(|parent| admitted(&self.wildcard, parent))
            {
                return start;
            }
        }
        // The implicit rule "*": the last label.
        starts.last().copied().unwrap_or(0)
    }
}

/// The name as matched: trimmed, lower-cased, without the root's final dot;
/// `None` when it is empty or has an empty label.
fn normalize(name: &str) -> Option<String> {
    let name = name.trim();
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.split('.').any(str::is_empty) {
        return None;
    }
    Some(name.to_lowercase())
}

/// Byte offsets where each label starts, first label first.
fn label_starts(name: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(name.match_indices('.').map(|(dot, _)| dot + 1))
        .collect()
}

/// The registrable domain picket reports for a host name: from the built-in
/// Public Suffix List (ICANN section), or from the knowledge base's
/// heuristic when the list cannot read the name. `None` for addresses,
/// names that are public suffixes themselves, and masked addresses whose
/// last label is a number ("www.xxx.yyy.65").
pub fn registrable_domain(name: &str) -> Option<String> {
    let trimmed = name.trim().trim_end_matches('.');
    if trimmed.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let last_label = trimmed.rsplit('.').next().unwrap_or("");
    if !last_label.is_empty() && last_label.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if normalize(trimmed).is_none() {
        return picket_knowledge::registrable_domain(trimmed);
    }
    SuffixList::builtin().registrable_domain(trimmed, Sections::IcannOnly)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the list's own test cases (tests/data/test_psl.txt, CC0): each
    /// `checkPublicSuffix('name', 'expected')` line against the whole list.
    #[test]
    fn public_suffix_list_test_cases() {
        let cases = include_str!("../../tests/data/test_psl.txt");
        let list = SuffixList::builtin();
        let mut checked = 0;
        for line in cases.lines() {
            let Some(arguments) = line
                .trim()
                .strip_prefix("checkPublicSuffix(")
                .and_then(|rest| rest.strip_suffix(");"))
            else {
                continue;
            };
            let Some((input, expected)) = arguments.split_once(", ") else {
                continue;
            };
            let unquote = |text: &str| (text != "null").then(|| text.trim_matches('\'').to_owned());
            let input = unquote(input).unwrap_or_default();
            let expected = unquote(expected);
            let actual = list.registrable_domain(&input, Sections::All);
            assert_eq!(actual, expected, "{input}");
            checked += 1;
        }
        // 82 cases, 4 of them commented out in the file.
        assert_eq!(checked, 78);
    }

    #[test]
    fn icann_only_attributes_customers_to_providers() {
        let list = SuffixList::builtin();
        let name = "ec2-1-2-3-4.compute-1.amazonaws.com";
        assert_eq!(
            list.registrable_domain(name, Sections::IcannOnly)
                .as_deref(),
            Some("amazonaws.com")
        );
        // "*.compute-1.amazonaws.com" is a private-section rule: with it, the
        // customer's host is a public suffix itself.
        assert_eq!(list.registrable_domain(name, Sections::All), None);
        let customer_site = format!("www.{name}");
        assert_eq!(
            list.registrable_domain(&customer_site, Sections::All),
            Some(customer_site)
        );
        assert_eq!(
            list.public_suffix("www.example.co.uk", Sections::IcannOnly)
                .as_deref(),
            Some("co.uk")
        );
        assert!(list.len() > 9000);
    }

    #[test]
    fn registrable_domains_of_logged_names() {
        // detect 06-wingate: dial.uu.net; detect 02-subseven: cable.socal.com.
        assert_eq!(registrable_domain("dial.uu.net").as_deref(), Some("uu.net"));
        assert_eq!(
            registrable_domain("cable.socal.com").as_deref(),
            Some("socal.com")
        );
        // detect 07-hackatack: dial1.netcom (no such TLD: the implicit rule).
        assert_eq!(
            registrable_domain("dial1.netcom").as_deref(),
            Some("dial1.netcom")
        );
        // detect 04-deep-throat: user.dsl.ma ("ma" lists no second level "dsl").
        assert_eq!(registrable_domain("user.dsl.ma").as_deref(), Some("dsl.ma"));
        assert_eq!(
            registrable_domain("Host7.Example.CO.UK.").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(
            registrable_domain("a.b.example.com.au").as_deref(),
            Some("example.com.au")
        );
        // Masked address in the paper's traces, and plain addresses.
        assert_eq!(registrable_domain("www.xxx.yyy.65"), None);
        assert_eq!(registrable_domain("10.0.0.1"), None);
        assert_eq!(registrable_domain("2001:db8::1"), None);
        assert_eq!(registrable_domain("co.uk"), None);
        assert_eq!(registrable_domain("netcom"), None);
        // Not a name for the list: the knowledge base's heuristic decides.
        assert_eq!(registrable_domain("a..com"), None);
        assert_eq!(registrable_domain(""), None);
    }

    #[test]
    fn custom_lists_and_sections() {
        let list = SuffixList::parse(
            "// ===BEGIN ICANN DOMAINS===\nexample\n*.wild.example\n!keep.wild.example\n\
             // ===BEGIN PRIVATE DOMAINS===\nhosted.example\n",
        );
        assert_eq!(list.len(), 4);
        assert_eq!(
            list.registrable_domain("a.b.wild.example", Sections::IcannOnly)
                .as_deref(),
            Some("a.b.wild.example")
        );
        assert_eq!(
            list.registrable_domain("x.keep.wild.example", Sections::IcannOnly)
                .as_deref(),
            Some("keep.wild.example")
        );
        assert_eq!(
            list.registrable_domain("c.d.hosted.example", Sections::IcannOnly)
                .as_deref(),
            Some("hosted.example")
        );
        assert_eq!(
            list.registrable_domain("c.d.hosted.example", Sections::All)
                .as_deref(),
            Some("d.hosted.example")
        );
        assert!(SuffixList::parse("").is_empty());
    }
}
