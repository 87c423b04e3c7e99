//! Name resolution, opt-in: the reverse name of an address and the
//! addresses of a name.
//!
//! picket never resolves unless the user asks (`--resolve`): a lookup tells
//! the owner of the reverse zone that someone is looking at them. The
//! [`Resolver`] trait is the only way identity lookups reach DNS, so a
//! service built without one has no path that opens a socket. Answers are
//! cached, negative ones too, behind the [`ResolveCache`] trait so that a
//! persistent store can keep them between runs.

mod dns;
#[cfg(test)]
pub(crate) mod stub;
pub(crate) mod wire;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

pub use dns::{DnsConfig, DnsResolver, nameservers_from_resolv_conf};

/// Answers the two questions identity asks of DNS. Implementations must
/// return only names that pass [`crate::is_valid_host_name`].
pub trait Resolver: Send + Sync {
    /// The reverse (PTR) name of an address, when it has a valid one.
    fn reverse(&self, ip: IpAddr) -> Option<String>;

    /// The addresses (A and AAAA) a name resolves to; empty when none.
    fn forward(&self, name: &str) -> Vec<IpAddr>;

    /// How many lookups may usefully run at once; batch lookups use this
    /// many threads.
    fn parallelism(&self) -> usize {
        1
    }
}

/// What a server said to one query, as cached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    /// Host names (PTR answers), already checked.
    Names(Vec<String>),
    /// Addresses (A or AAAA answers).
    Addrs(Vec<IpAddr>),
    /// The name does not exist or has no record of the type (a negative answer).
    NoRecords,
    /// No server gave a usable answer (a timeout, SERVFAIL); cached briefly.
    Unanswered,
}

/// A cached answer and when it stops being valid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedAnswer {
    /// The answer.
    pub answer: Answer,
    /// Expiry, in seconds since the Unix epoch.
    pub expires_unix: u64,
}

impl CachedAnswer {
    /// True while the answer may still be used at `now_unix` (seconds since the epoch).
    pub fn is_fresh(&self, now_unix: u64) -> bool {
        now_unix < self.expires_unix
    }
}

/// Where DNS answers are kept between queries. Keys are the query's type and
/// name ("PTR 4.3.2.1.in-addr.arpa", "A www.example.net"). Stores need not
/// check expiry: the resolver does. Implementations must be thread-safe.
pub trait ResolveCache: Send + Sync {
    /// The answer stored under `key`, fresh or not.
    fn get(&self, key: &str) -> Option<CachedAnswer>;

    /// Stores an answer under `key`, replacing any older one.
    fn put(&self, key: &str, answer: &CachedAnswer);
}

/// A bounded in-memory [`ResolveCache`], for one run.
#[derive(Debug)]
pub struct MemoryCache {
    entries: Mutex<HashMap<String, CachedAnswer>>,
    capacity: usize,
}

impl MemoryCache {
    /// The default number of answers kept.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A cache that keeps at most `capacity` answers (at least one). When
    /// full, expired answers are dropped first, then arbitrary ones.
    pub fn new(capacity: usize) -> MemoryCache {
        MemoryCache {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// The number of answers held.
    pub fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// True when no answer is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for MemoryCache {
    fn default() -> Self {
        MemoryCache::new(MemoryCache::DEFAULT_CAPACITY)
    }
}

impl ResolveCache for MemoryCache {
    fn get(&self, key: &str) -> Option<CachedAnswer> {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    fn put(&self, key: &str, answer: &CachedAnswer) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity && !entries.contains_key(key) {
            let now = now_unix();
            entries.retain(|_, cached| cached.is_fresh(now));
            while entries.len() >= self.capacity {
                let Some(victim) = entries.keys().next().cloned() else {
                    break;
                };
                entries.remove(&victim);
            }
        }
        entries.insert(key.to_owned(), answer.clone());
    }
}

/// Seconds since the Unix epoch (zero if the clock is before it).
pub(crate) fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// The name a PTR query asks for: "4.3.2.1.in-addr.arpa" for 1.2.3.4, the
/// nibbles of an IPv6 address under "ip6.arpa". IPv4-mapped IPv6
/// addresses are asked as IPv4.
pub fn reverse_query_name(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        IpAddr::V6(v6) => {
            let mut name = String::with_capacity(72);
            for byte in v6.octets().iter().rev() {
                name.push_str(&format!("{:x}.{:x}.", byte & 0x0f, byte >> 4));
            }
            name.push_str("ip6.arpa");
            name
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_query_names() {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(
            reverse_query_name(ip("192.0.2.7")),
            "7.2.0.192.in-addr.arpa"
        );
        assert_eq!(
            reverse_query_name(ip("::ffff:192.0.2.7")),
            "7.2.0.192.in-addr.arpa"
        );
        assert_eq!(
            reverse_query_name(ip("2001:db8::567:89ab")),
            "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
        );
    }

    #[test]
    fn memory_cache_is_bounded() {
        let cache = MemoryCache::new(2);
        let fresh = |answer: Answer| CachedAnswer {
            answer,
            expires_unix: now_unix() + 600,
        };
        let stale = CachedAnswer {
            answer: Answer::NoRecords,
            expires_unix: 1,
        };
        cache.put("PTR stale", &stale);
        cache.put("A one", &fresh(Answer::Addrs(vec![])));
        assert_eq!(cache.len(), 2);
        // Full: the stale answer goes first.
        cache.put("A two", &fresh(Answer::Unanswered));
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get("PTR stale"), None);
        assert_eq!(
            cache.get("A two").map(|cached| cached.answer),
            Some(Answer::Unanswered)
        );
        // Full of fresh answers: one makes room; replacing a key does not evict.
        cache.put("A three", &fresh(Answer::NoRecords));
        assert_eq!(cache.len(), 2);
        cache.put("A three", &fresh(Answer::Names(vec!["x.example".into()])));
        assert_eq!(cache.len(), 2);
        assert!(stale.is_fresh(0) && !stale.is_fresh(1));
    }
}
