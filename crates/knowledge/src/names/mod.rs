//! What a resolved host name says: the kind of line behind it (dial-up, DSL,
//! cable, a dynamic pool...), the domain that owns it, and whether two names
//! belong to one numbered pool (`dial1.netcom` and `dial2.netcom`).
//!
//! Sensors of the 2000s logged names instead of addresses; a name is often
//! the only clue to who sent a packet. Everything here is best effort on
//! lower-cased text, needs no lookup, and never panics on odd names.

mod tables;

use std::net::IpAddr;

use tables::{HOSTING_LABELS, KEYWORDS, PUBLIC_SECOND_LEVELS, TAILS};

/// What kind of access line a name suggests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AccessKind {
    /// A dial-up modem or ISDN pool.
    DialUp,
    /// A DSL line.
    Dsl,
    /// A cable-modem line.
    Cable,
    /// An end-user address of unstated technology: a DHCP or dynamic pool, a
    /// customer range, an address spelled out in the name.
    Dynamic,
    /// A mobile (cellular) network.
    Mobile,
    /// A hosting or cloud provider's server.
    Hosting,
    /// A university or school network.
    University,
}

impl AccessKind {
    /// A phrase for reports: "a dial-up line".
    pub fn describe(self) -> &'static str {
        match self {
            AccessKind::DialUp => "a dial-up line",
            AccessKind::Dsl => "a DSL line",
            AccessKind::Cable => "a cable-modem line",
            AccessKind::Dynamic => "a dynamically assigned customer address",
            AccessKind::Mobile => "a mobile network",
            AccessKind::Hosting => "a hosting or cloud provider's server",
            AccessKind::University => "a university network",
        }
    }

    /// Which kind wins when a name says several things: the access technology
    /// first, then hosting, then a university, then a bare dynamic pool.
    fn rank(self) -> u8 {
        match self {
            AccessKind::DialUp | AccessKind::Dsl | AccessKind::Cable | AccessKind::Mobile => 0,
            AccessKind::Hosting => 1,
            AccessKind::University => 2,
            AccessKind::Dynamic => 3,
        }
    }
}

/// The name as compared: trimmed, lower-cased, without the root's final dot.
fn normalize(name: &str) -> String {
    name.trim().trim_end_matches('.').to_lowercase()
}

/// True when the text is an address rather than a name.
fn is_address(name: &str) -> bool {
    name.parse::<IpAddr>().is_ok()
}

/// What kind of access line a name suggests, from whole labels or label
/// tokens ("dial1.netcom", "user.dsl.ma", "some.cableuser.socal", "dhcp-12.x"),
/// never from substrings anywhere ("dialog.example.com" says nothing). An
/// address spelled in the name ("1-2-3-4.example.net", "host-10-0-0-1") marks
/// a dynamic pool. When a name says several things the access technology
/// wins ("1-2-3-4.dsl.example.net" is DSL). `None` for addresses and names
/// that say nothing.
pub fn access_kind(name: &str) -> Option<AccessKind> {
    let name = normalize(name);
    if name.is_empty() || is_address(&name) {
        return None;
    }
    let labels: Vec<&str> = name.split('.').collect();
    let mut best: Option<AccessKind> = None;
    let mut consider = |kind: AccessKind| {
        if best.is_none_or(|old| kind.rank() < old.rank()) {
            best = Some(kind);
        }
    };
    for label in &labels {
        if HOSTING_LABELS.contains(label) {
            consider(AccessKind::Hosting);
        }
        for token in label.split(['-', '_']) {
            if let Some(kind) = token_kind(token) {
                consider(kind);
            }
        }
    }
    if is_academic_domain(&labels) {
        consider(AccessKind::University);
    }
    if has_address_labels(&labels) {
        consider(AccessKind::Dynamic);
    }
    best
}

/// True when the name spells out an IPv4 address, the mark of a numbered
/// customer pool: four octets joined by '-' or '_' inside one label
/// ("c-73-12-34-56", "ip68-1-2-3"), four all-digit labels in a row
/// ("4.3.2.1.dyn.example.net"), or eight hex digits after a short prefix
/// ("p5083a1b2"). False for a bare address.
pub fn has_address_in_name(name: &str) -> bool {
    let name = normalize(name);
    if name.is_empty() || is_address(&name) {
        return false;
    }
    let labels: Vec<&str> = name.split('.').collect();
    has_address_labels(&labels)
}

fn has_address_labels(labels: &[&str]) -> bool {
    if labels
        .iter()
        .any(|label| octets_in_label(label) || hex_address_label(label))
    {
        return true;
    }
    labels
        .windows(4)
        .any(|window| window.iter().all(|label| octet_value(label).is_some()))
}

/// The token's kind when it is a keyword, a keyword plus digits, or (for
/// access technologies and dynamic pools) a keyword plus a tail word; the
/// best-ranked kind when several keywords fit.
fn token_kind(token: &str) -> Option<AccessKind> {
    KEYWORDS
        .iter()
        .filter(|&&(keyword, kind)| {
            let Some(rest) = token.strip_prefix(keyword) else {
                return false;
            };
            let takes_tails = !matches!(kind, AccessKind::Hosting | AccessKind::University);
            rest.is_empty()
                || rest.bytes().all(|b| b.is_ascii_digit())
                || (takes_tails && TAILS.contains(&rest))
        })
        .map(|&(_, kind)| kind)
        .min_by_key(|kind| kind.rank())
}

/// "edu" as the top-level label, or "edu"/"ac" right under a country code ("ac.uk").
fn is_academic_domain(labels: &[&str]) -> bool {
    match labels {
        [.., last] if *last == "edu" => true,
        [.., second, last] if last.len() == 2 => *second == "edu" || *second == "ac",
        _ => false,
    }
}

/// The value of a label that is one to three digits up to 255.
fn octet_value(text: &str) -> Option<u8> {
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u8>().ok()
}

/// Four octet-like digit runs in a row, each joined to the next by one '-' or '_'.
fn octets_in_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    let mut in_row = 0;
    let mut previous_end: Option<usize> = None;
    let mut index = 0;
    while index < bytes.len() {
        if !bytes[index].is_ascii_digit() {
            index += 1;
            continue;
        }
        let start = index;
        while index < bytes.len() && bytes[index].is_ascii_digit() {
            index += 1;
        }
        let run = label.get(start..index).unwrap_or("");
        if octet_value(run).is_none() {
            in_row = 0;
            previous_end = None;
            continue;
        }
        let joined = previous_end.is_some_and(|end| {
            end + 1 == start && matches!(bytes.get(end), Some(b'-') | Some(b'_'))
        });
        in_row = if joined { in_row + 1 } else { 1 };
        if in_row >= 4 {
            return true;
        }
        previous_end = Some(index);
    }
    false
}

/// One to three letters then exactly eight hex digits, at least one a decimal
/// digit: an address in hex ("p5083a1b2").
fn hex_address_label(label: &str) -> bool {
    if !label.is_ascii() || label.len() < 9 || label.len() > 11 {
        return false;
    }
    (1..=3).any(|prefix_len| {
        let (prefix, hex) = label.split_at(prefix_len);
        hex.len() == 8
            && prefix.bytes().all(|b| b.is_ascii_lowercase())
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
            && hex.bytes().any(|b| b.is_ascii_digit())
    })
}

/// The domain that owns a name, best effort without the Public Suffix List:
/// the last two labels, or three when the second-level label is a public one
/// under a country code ("example.co.uk"). `None` for a bare single label, an
/// address, a name ending in digits (a masked address such as
/// "www.xxx.yyy.65"), or a name that is itself a public suffix.
pub fn registrable_domain(name: &str) -> Option<String> {
    let name = normalize(name);
    if is_address(&name) {
        return None;
    }
    let labels: Vec<&str> = name.split('.').collect();
    let [.., second, last] = labels.as_slice() else {
        return None;
    };
    if last.is_empty() || second.is_empty() || last.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let public_second = PUBLIC_SECOND_LEVELS
        .iter()
        .any(|(tld, seconds)| tld == last && seconds.contains(second));
    if !public_second {
        return Some(format!("{second}.{last}"));
    }
    match labels.as_slice() {
        [.., third, _, _] if !third.is_empty() => Some(format!("{third}.{second}.{last}")),
        _ => None,
    }
}

/// The name with every run of digits replaced by '#': "dial1.netcom" and
/// "dial2.netcom" both give "dial#.netcom", so hosts of one numbered pool
/// share a stem. Lower-cased and trimmed like every name here.
pub fn pool_stem(name: &str) -> String {
    let name = normalize(name);
    let mut stem = String::with_capacity(name.len());
    let mut in_digits = false;
    for c in name.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                stem.push('#');
            }
            in_digits = true;
        } else {
            stem.push(c);
            in_digits = false;
        }
    }
    stem
}

/// The domain two pool members must share: the registrable domain when the
/// name is longer than it, otherwise the parent ("netcom" for "dial1.netcom").
fn pool_owner(name: &str) -> Option<String> {
    match registrable_domain(name) {
        Some(domain) if domain.len() < name.len() => Some(domain),
        _ => name
            .split_once('.')
            .map(|(_, parent)| parent.to_owned())
            .filter(|parent| !parent.is_empty()),
    }
}

/// True when two names are hosts of one numbered pool: equal stems (see
/// [`pool_stem`]) and the same registrable domain, or the same parent domain
/// when the name has no longer registrable domain ("dial1.netcom" and
/// "dial2.netcom"). A name is in its own pool; addresses are never pooled here.
pub fn same_pool(a: &str, b: &str) -> bool {
    let (a, b) = (normalize(a), normalize(b));
    if a.is_empty() || b.is_empty() || is_address(&a) || is_address(&b) {
        return false;
    }
    if a == b {
        return true;
    }
    if pool_stem(&a) != pool_stem(&b) {
        return false;
    }
    match (pool_owner(&a), pool_owner(&b)) {
        (Some(owner_a), Some(owner_b)) => owner_a == owner_b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_from_the_paper_detects() {
        // detect 07-hackatack: dial1.netcom and dial2.netcom.
        assert_eq!(access_kind("dial1.netcom"), Some(AccessKind::DialUp));
        assert_eq!(access_kind("dial2.netcom"), Some(AccessKind::DialUp));
        // detect 06-wingate: dial.uu.net.
        assert_eq!(access_kind("dial.uu.net"), Some(AccessKind::DialUp));
        // detect 04-deep-throat: user.dsl.ma.
        assert_eq!(access_kind("user.dsl.ma"), Some(AccessKind::Dsl));
        // detect 02-subseven: cable.socal.com; detect 05-smb-wildcard: some.cableuser.socal.
        assert_eq!(access_kind("cable.socal.com"), Some(AccessKind::Cable));
        assert_eq!(access_kind("some.cableuser.socal"), Some(AccessKind::Cable));
        // Names of the same traces that say nothing about a line.
        for quiet in [
            "me.home.com",
            "a.supercomputer.place",
            "someone.earthlink.place",
            "snort.someplace.net",
            "auth.scanner.home",
            "server.cluster",
            "somewhere.uk",
            "www.xxx.yyy.65",
            "arpanet",
        ] {
            assert_eq!(access_kind(quiet), None, "{quiet}");
        }
    }

    #[test]
    fn tokens_not_substrings() {
        assert_eq!(access_kind("dialog.example.com"), None);
        assert_eq!(access_kind("poolside.example.com"), None);
        assert_eq!(access_kind("dynamo.example.com"), None);
        assert_eq!(access_kind("revolution.example.com"), None);
        assert_eq!(access_kind("cablelabs.com"), None);
        assert_eq!(access_kind("dhcp-12.x"), Some(AccessKind::Dynamic));
        assert_eq!(access_kind("dyn.example.net"), Some(AccessKind::Dynamic));
        assert_eq!(access_kind("pool-5.example.net"), Some(AccessKind::Dynamic));
        assert_eq!(access_kind("ppp23.isp.net"), Some(AccessKind::DialUp));
        assert_eq!(access_kind("adsl-7.isp.fr"), Some(AccessKind::Dsl));
        assert_eq!(access_kind("cust42.isp.net"), Some(AccessKind::Dynamic));
        assert_eq!(access_kind("rev.example.net"), Some(AccessKind::Dynamic));
        assert_eq!(access_kind("static.example.net"), Some(AccessKind::Dynamic));
        assert_eq!(
            access_kind("Dial-Up.Example.COM."),
            Some(AccessKind::DialUp)
        );
        assert_eq!(
            access_kind("p5083a1b2.dip0.t-ipconnect.de"),
            Some(AccessKind::Dynamic)
        );
        assert_eq!(access_kind("ab.t-dialin.net"), Some(AccessKind::DialUp));
        assert_eq!(
            access_kind("lte-12.mobile.example.net"),
            Some(AccessKind::Mobile)
        );
    }

    #[test]
    fn addresses_in_names() {
        assert_eq!(access_kind("host-10-0-0-1"), Some(AccessKind::Dynamic));
        assert_eq!(
            access_kind("1-2-3-4.example.net"),
            Some(AccessKind::Dynamic)
        );
        assert_eq!(
            access_kind("c-73-12-34-56.hsd1.ca.example.net"),
            Some(AccessKind::Dynamic)
        );
        assert_eq!(
            access_kind("ip68-1-2-3.ph.ph.example.net"),
            Some(AccessKind::Dynamic)
        );
        assert_eq!(
            access_kind("4.3.2.1.example.net"),
            Some(AccessKind::Dynamic)
        );
        assert_eq!(
            access_kind("1-2-3-4.dsl.example.net"),
            Some(AccessKind::Dsl)
        );
        assert_eq!(
            access_kind("ec2-1-2-3-4.compute-1.amazonaws.com"),
            Some(AccessKind::Hosting)
        );
        assert!(has_address_in_name("1-2-3-4.dsl.example.net"));
        assert!(has_address_in_name("host-10-0-0-1"));
        assert!(!has_address_in_name("host-10-0-0-999"));
        assert!(!has_address_in_name("host-10-0-0"));
        assert!(!has_address_in_name("10-0--0-1.example.net"));
        assert!(!has_address_in_name("10.0.0.1"));
        assert!(!has_address_in_name("deadbeef.example.net"));
        assert_eq!(access_kind("10.0.0.1"), None);
        assert_eq!(access_kind("2001:db8::1"), None);
    }

    #[test]
    fn universities() {
        assert_eq!(
            access_kind("lab3.cs.example.edu"),
            Some(AccessKind::University)
        );
        assert_eq!(
            access_kind("pc12.example.ac.uk"),
            Some(AccessKind::University)
        );
        assert_eq!(
            access_kind("www.uni-hamburg.de"),
            Some(AccessKind::University)
        );
        assert_eq!(
            access_kind("resnet-44.example.edu"),
            Some(AccessKind::University)
        );
        assert_eq!(access_kind("dial5.example.edu"), Some(AccessKind::DialUp));
        assert_eq!(access_kind("ac.example.com"), None);
        assert_eq!(access_kind("uninet.example.mx"), None);
        assert_eq!(
            access_kind("resnet.example.org"),
            Some(AccessKind::University)
        );
    }

    #[test]
    fn registrable_domains() {
        assert_eq!(
            registrable_domain("me.home.com").as_deref(),
            Some("home.com")
        );
        assert_eq!(registrable_domain("dial.uu.net").as_deref(), Some("uu.net"));
        assert_eq!(
            registrable_domain("somewhere.uk").as_deref(),
            Some("somewhere.uk")
        );
        assert_eq!(
            registrable_domain("dial1.netcom").as_deref(),
            Some("dial1.netcom")
        );
        assert_eq!(
            registrable_domain("a.b.example.co.uk").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(
            registrable_domain("WWW.Example.COM.AU.").as_deref(),
            Some("example.com.au")
        );
        assert_eq!(
            registrable_domain("host.example.co.jp").as_deref(),
            Some("example.co.jp")
        );
        assert_eq!(registrable_domain("web.de").as_deref(), Some("web.de"));
        assert_eq!(registrable_domain("co.uk"), None);
        assert_eq!(registrable_domain("netcom"), None);
        assert_eq!(registrable_domain("10.0.0.1"), None);
        assert_eq!(registrable_domain("::1"), None);
        assert_eq!(registrable_domain("www.xxx.yyy.65"), None);
        assert_eq!(registrable_domain("a..com"), None);
        assert_eq!(registrable_domain(""), None);
    }

    #[test]
    fn pools() {
        assert_eq!(pool_stem("dial1.netcom"), "dial#.netcom");
        assert_eq!(pool_stem("Dial2.NetCom"), "dial#.netcom");
        assert_eq!(
            pool_stem("1-2-3-4.dsl.example.net"),
            "#-#-#-#.dsl.example.net"
        );
        assert_eq!(pool_stem("host1234x5"), "host#x#");
        // detect 07-hackatack: two hosts of one dial-up pool.
        assert!(same_pool("dial1.netcom", "dial2.netcom"));
        assert!(same_pool("ppp1.a.isp.com", "ppp17.a.isp.com"));
        assert!(same_pool(
            "1-2-3-4.dsl.example.net",
            "5-6-7-8.dsl.example.net"
        ));
        assert!(same_pool("me.home.com", "ME.home.com."));
        assert!(!same_pool("dial1.netcom", "dial2.othernet"));
        assert!(!same_pool("host.isp1.com", "host.isp2.com"));
        assert!(!same_pool("dial1", "dial2"));
        assert!(!same_pool("10.0.0.1", "10.0.0.2"));
        assert!(!same_pool("cable.socal.com", "some.cableuser.socal"));
        assert!(!same_pool("", ""));
    }

    #[test]
    fn odd_names() {
        let long = "a1.".repeat(100);
        assert_eq!(pool_stem(&long).len(), long.len() - 1);
        assert_eq!(registrable_domain(&long).as_deref(), Some("a1.a1"));
        assert_eq!(access_kind("...."), None);
        assert_eq!(access_kind("dial1..netcom"), Some(AccessKind::DialUp));
        assert_eq!(pool_stem("Ünïcode١٢.例え.jp"), "ünïcode١٢.例え.jp");
        assert_eq!(
            registrable_domain("例え.co.jp"),
            Some("例え.co.jp".to_owned())
        );
        assert_eq!(access_kind("-_-.--.__"), None);
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(name in ".{0,300}") {
            let _ = access_kind(&name);
            let _ = registrable_domain(&name);
            let _ = has_address_in_name(&name);
            let stem = pool_stem(&name);
            prop_assert!(!stem.chars().any(|c| c.is_ascii_digit()));
            prop_assert!(same_pool(&name, &name) || normalize(&name).is_empty() || is_address(&normalize(&name)));
        }

        #[test]
        fn never_panics_on_name_like_text(name in "[a-z0-9._-]{0,80}", other in "[a-z0-9._-]{0,80}") {
            let _ = access_kind(&name);
            let _ = registrable_domain(&name);
            let _ = same_pool(&name, &other);
            prop_assert_eq!(same_pool(&name, &other), same_pool(&other, &name));
        }
    }
}
