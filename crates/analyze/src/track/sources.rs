//! The source addresses a crowd remembers: up to a million of them across a
//! tracker's crowds, so IPv4 addresses are kept as 4-byte numbers rather
//! than as 24-byte [`Host`]s.

use std::net::{IpAddr, Ipv4Addr};

use picket_model::Host;

use super::Set;

/// A set of sources: IPv4 addresses as numbers, the rest as they are.
#[derive(Clone, Debug, Default)]
pub struct SourceSet {
    v4: Set<u32>,
    other: Set<Host>,
}

impl SourceSet {
    /// True when `source` is in the set.
    pub fn contains(&self, source: &Host) -> bool {
        match source {
            Host::Addr(IpAddr::V4(a)) => self.v4.contains(&u32::from(*a)),
            other => self.other.contains(other),
        }
    }

    /// Adds `source`; true when it was not there.
    pub fn insert(&mut self, source: &Host) -> bool {
        match source {
            Host::Addr(IpAddr::V4(a)) => self.v4.insert(u32::from(*a)),
            other => !self.other.contains(other) && self.other.insert(other.clone()),
        }
    }

    /// How many sources the set holds.
    pub fn len(&self) -> usize {
        self.v4.len() + self.other.len()
    }

    /// True when the set holds no source.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds every source of `other`.
    pub fn extend(&mut self, other: SourceSet) {
        self.v4.extend(other.v4);
        self.other.extend(other.other);
    }

    /// The sources, in [`Host`]'s order.
    pub fn into_sorted(self) -> Vec<Host> {
        let mut v4: Vec<u32> = self.v4.into_iter().collect();
        v4.sort_unstable();
        let mut other: Vec<Host> = self.other.into_iter().collect();
        other.sort();
        let mut all: Vec<Host> = v4
            .into_iter()
            .map(|a| Host::Addr(IpAddr::V4(Ipv4Addr::from(a))))
            .collect();
        all.extend(other);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_every_kind_of_source_once_and_gives_them_in_host_order() {
        let hosts: Vec<Host> = [
            "198.51.100.7",
            "2001:db8::1",
            "10.0.0.1",
            "gw.example",
            "0.0.0.9",
        ]
        .iter()
        .map(|h| Host::parse(h).unwrap())
        .collect();
        let mut set = SourceSet::default();
        for h in &hosts {
            assert!(set.insert(h));
            assert!(!set.insert(h), "{h} twice");
            assert!(set.contains(h));
        }
        assert!(!set.contains(&Host::parse("198.51.100.8").unwrap()));
        let mut more = SourceSet::default();
        more.insert(&Host::parse("10.0.0.1").unwrap());
        more.insert(&Host::parse("192.0.2.1").unwrap());
        set.extend(more);
        assert_eq!(set.len(), 6);
        let mut expected = hosts;
        expected.push(Host::parse("192.0.2.1").unwrap());
        expected.sort();
        assert_eq!(set.into_sorted(), expected);
    }
}
