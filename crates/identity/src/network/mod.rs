//! What user-supplied databases say about an address's network: its
//! country, the autonomous system that announces it, and the owner's name.
//!
//! Two kinds of file are read: MaxMind DB (`.mmdb`, from MaxMind, DB-IP or
//! IPinfo) and iptoasn-style TSV range tables. None is bundled with picket;
//! users pass their own. Text read from them is cleaned before use.

mod asn_table;
mod mmdb;

pub use asn_table::AsnTable;
pub use mmdb::MmdbDatabase;

use serde::{Deserialize, Serialize};

/// The longest owner name kept, in characters; longer ones are cut.
const MAX_OWNER_CHARS: usize = 200;

/// Facts about the network an address belongs to. Each is `None` when no
/// database knew it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NetworkFacts {
    /// ISO 3166-1 alpha-2 country code, upper case ("NL").
    pub country: Option<String>,
    /// Autonomous system number (64500).
    pub asn: Option<u32>,
    /// The autonomous system's or network's owner ("ExampleNet").
    pub owner: Option<String>,
}

impl NetworkFacts {
    /// True when no fact is known.
    pub fn is_empty(&self) -> bool {
        self.country.is_none() && self.asn.is_none() && self.owner.is_none()
    }

    /// Takes the facts `other` knows and `self` does not: earlier sources win.
    pub fn fill_from(&mut self, other: NetworkFacts) {
        if self.country.is_none() {
            self.country = other.country;
        }
        if self.asn.is_none() {
            self.asn = other.asn;
        }
        if self.owner.is_none() {
            self.owner = other.owner;
        }
    }
}

/// A country code as kept: two ASCII letters, upper-cased. Placeholders of
/// the databases ("None", "ZZ" for unknown, "--") and anything else give `None`.
pub(crate) fn clean_country(text: &str) -> Option<String> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let code = text.to_ascii_uppercase();
    (code != "ZZ").then_some(code)
}

/// An owner name as kept: control characters dropped, blanks collapsed,
/// cut to [`MAX_OWNER_CHARS`]; `None` when nothing is left or the database
/// says the range is not routed.
pub(crate) fn clean_owner(text: &str) -> Option<String> {
    let mut owner = String::with_capacity(text.len().min(MAX_OWNER_CHARS));
    let mut kept = 0;
    for word in text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
    {
        for c in (!owner.is_empty())
            .then_some(' ')
            .into_iter()
            .chain(word.chars())
        {
            if kept == MAX_OWNER_CHARS {
                break;
            }
            owner.push(c);
            kept += 1;
        }
    }
    let owner = owner.trim_end().to_owned();
    let placeholder = owner.is_empty()
        || owner.eq_ignore_ascii_case("not routed")
        || owner.eq_ignore_ascii_case("none");
    (!placeholder).then_some(owner)
}

/// An ASN as written in the databases: a number, optionally after "AS".
pub(crate) fn parse_asn(text: &str) -> Option<u32> {
    let text = text.trim();
    let digits = text
        .strip_prefix("AS")
        .or_else(|| text.strip_prefix("as"))
        .unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_database_text() {
        assert_eq!(clean_country("nl").as_deref(), Some("NL"));
        assert_eq!(clean_country(" US ").as_deref(), Some("US"));
        for placeholder in ["None", "ZZ", "--", "", "N1", "NLD"] {
            assert_eq!(clean_country(placeholder), None, "{placeholder}");
        }
        assert_eq!(
            clean_owner("  Example\tNet\u{1b}[31m  B.V. ").as_deref(),
            Some("Example Net [31m B.V.")
        );
        assert_eq!(clean_owner("Not routed"), None);
        assert_eq!(clean_owner(" \u{7} "), None);
        let long = clean_owner(&"x".repeat(1000)).unwrap_or_default();
        assert_eq!(long.chars().count(), MAX_OWNER_CHARS);
        assert_eq!(parse_asn("AS64500"), Some(64500));
        assert_eq!(parse_asn("64501"), Some(64501));
        assert_eq!(parse_asn("AS"), None);
        assert_eq!(parse_asn("-1"), None);
        assert_eq!(parse_asn("99999999999"), None);
    }

    #[test]
    fn earlier_facts_win() {
        let mut facts = NetworkFacts {
            country: Some("NL".into()),
            asn: None,
            owner: None,
        };
        facts.fill_from(NetworkFacts {
            country: Some("DE".into()),
            asn: Some(64500),
            owner: Some("ExampleNet".into()),
        });
        assert_eq!(facts.country.as_deref(), Some("NL"));
        assert_eq!(facts.asn, Some(64500));
        assert_eq!(facts.owner.as_deref(), Some("ExampleNet"));
        assert!(!facts.is_empty());
        assert!(NetworkFacts::default().is_empty());
    }
}
