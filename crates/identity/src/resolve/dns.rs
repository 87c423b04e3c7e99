//! A small DNS client over UDP: PTR, A and AAAA queries to the servers the
//! user configured, each with a timeout, at most a set number in flight,
//! and every answer cached (negative ones and failures too).
//!
//! Servers are tried in order, once each. Truncated responses are used for
//! the records they hold; picket does not retry over TCP, since PTR and
//! address answers fit a UDP datagram.

use std::hash::{BuildHasher, RandomState};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::wire::{
    RCODE_NO_ERROR, RCODE_NX_DOMAIN, RecordData, TYPE_A, TYPE_AAAA, TYPE_PTR, answers_for,
    encode_query, parse_response,
};
use super::{
    Answer, CachedAnswer, MemoryCache, ResolveCache, Resolver, now_unix, reverse_query_name,
};
use crate::IdentityError;
use crate::hostname::clean_host_name;

/// The shortest time a positive answer is kept, whatever its TTL.
const MIN_TTL: u64 = 60;
/// The longest time any answer is kept.
const MAX_TTL: u64 = 86_400;
/// Room for a response: picket sends no EDNS, so servers keep to 512 bytes,
/// but a larger datagram is read whole rather than cut.
const RECEIVE_BUFFER: usize = 4096;

/// How the DNS client behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsConfig {
    /// Servers to ask, in order (port 53 unless stated).
    pub servers: Vec<SocketAddr>,
    /// How long to wait for each server's answer (default 2 s).
    pub timeout: Duration,
    /// Queries in flight at once, over all threads (default 8).
    pub max_in_flight: usize,
    /// How long a negative answer is kept: the zone's SOA sets it, up to
    /// this; without an SOA, exactly this (default 1 hour).
    pub negative_ttl: Duration,
    /// How long a query no server answered is remembered (default 5 minutes).
    pub failure_ttl: Duration,
}

impl DnsConfig {
    /// The default settings with these servers.
    pub fn new(servers: Vec<SocketAddr>) -> DnsConfig {
        DnsConfig {
            servers,
            timeout: Duration::from_secs(2),
            max_in_flight: 8,
            negative_ttl: Duration::from_secs(3600),
            failure_ttl: Duration::from_secs(300),
        }
    }

    /// The default settings with the servers of `/etc/resolv.conf`.
    pub fn system() -> Result<DnsConfig, IdentityError> {
        let path = std::path::Path::new("/etc/resolv.conf");
        let text =
            std::fs::read_to_string(path).map_err(|source| IdentityError::io(path, source))?;
        Ok(DnsConfig::new(nameservers_from_resolv_conf(&text)))
    }
}

/// The `nameserver` addresses of a resolv.conf text, on port 53. Scoped
/// IPv6 addresses ("fe80::1%eth0") and malformed lines are skipped.
pub fn nameservers_from_resolv_conf(text: &str) -> Vec<SocketAddr> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some("nameserver"))
                .then(|| words.next())
                .flatten()
        })
        .filter_map(|addr| addr.parse::<IpAddr>().ok())
        .map(|addr| SocketAddr::new(addr, 53))
        .collect()
}

/// A counting semaphore that bounds the queries in flight.
#[derive(Debug)]
struct Slots {
    free: Mutex<usize>,
    released: Condvar,
}

/// One query's slot, given back when dropped.
struct Slot<'a>(&'a Slots);

impl Slots {
    fn acquire(&self) -> Slot<'_> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .released
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Slot(self)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.released.notify_one();
    }
}

/// What the servers said to one query, before caching.
enum Outcome {
    Found(Vec<RecordData>, u32),
    Negative(Option<u32>),
    Failed,
}

/// Real DNS over UDP, for `--resolve`. Thread-safe; share it behind the
/// identity service.
pub struct DnsResolver {
    config: DnsConfig,
    cache: Arc<dyn ResolveCache>,
    slots: Slots,
    ids: RandomState,
    sequence: AtomicU64,
}

impl std::fmt::Debug for DnsResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnsResolver")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl DnsResolver {
    /// A resolver with these settings and an in-memory cache. Errors when
    /// there is no server, the timeout is zero, or no query may be in flight.
    pub fn new(config: DnsConfig) -> Result<DnsResolver, IdentityError> {
        if config.servers.is_empty() {
            return Err(IdentityError::dns("no DNS server configured"));
        }
        if config.timeout.is_zero() {
            return Err(IdentityError::dns("the timeout must be longer than zero"));
        }
        if config.max_in_flight == 0 {
            return Err(IdentityError::dns(
                "at least one query must be allowed in flight",
            ));
        }
        Ok(DnsResolver {
            slots: Slots {
                free: Mutex::new(config.max_in_flight),
                released: Condvar::new(),
            },
            config,
            cache: Arc::new(MemoryCache::default()),
            ids: RandomState::new(),
            sequence: AtomicU64::new(0),
        })
    }

    /// Uses another answer store (a persistent one) instead of the in-memory cache.
    pub fn with_cache(mut self, cache: Arc<dyn ResolveCache>) -> DnsResolver {
        self.cache = cache;
        self
    }

    /// The settings in use.
    pub fn config(&self) -> &DnsConfig {
        &self.config
    }

    /// The answer to (`name`, `qtype`), from the cache while fresh, otherwise
    /// from the servers (and then cached).
    fn resolve(&self, name: &str, qtype: u16) -> Answer {
        let key = format!("{} {name}", type_name(qtype));
        let now = now_unix();
        if let Some(cached) = self.cache.get(&key).filter(|cached| cached.is_fresh(now)) {
            return cached.answer;
        }
        let (answer, ttl) = match self.query_servers(name, qtype) {
            Outcome::Found(records, ttl) => {
                let answer = to_answer(records, qtype);
                let ttl = u64::from(ttl).clamp(MIN_TTL, MAX_TTL);
                match answer {
                    Answer::NoRecords => (answer, self.negative_ttl(None)),
                    _ => (answer, ttl),
                }
            }
            Outcome::Negative(soa_ttl) => (Answer::NoRecords, self.negative_ttl(soa_ttl)),
            Outcome::Failed => (Answer::Unanswered, self.config.failure_ttl.as_secs()),
        };
        let cached = CachedAnswer {
            answer,
            expires_unix: now.saturating_add(ttl),
        };
        self.cache.put(&key, &cached);
        cached.answer
    }

    fn negative_ttl(&self, soa_ttl: Option<u32>) -> u64 {
        let cap = self.config.negative_ttl.as_secs();
        soa_ttl.map_or(cap, |ttl| u64::from(ttl).clamp(MIN_TTL.min(cap), cap))
    }

    /// Asks each server in turn until one gives a usable answer.
    fn query_servers(&self, name: &str, qtype: u16) -> Outcome {
        let id = self.next_id();
        let Some(query) = encode_query(id, name, qtype) else {
            return Outcome::Negative(None);
        };
        let _slot = self.slots.acquire();
        for &server in &self.config.servers {
            let Some(response) = self.exchange(server, &query, id, name, qtype) else {
                continue;
            };
            let (records, ttl) = answers_for(&response, name, qtype);
            if !records.is_empty() {
                return Outcome::Found(records, ttl);
            }
            match response.rcode {
                RCODE_NO_ERROR | RCODE_NX_DOMAIN if !response.truncated => {
                    return Outcome::Negative(response.negative_ttl);
                }
                _ => continue,
            }
        }
        Outcome::Failed
    }

    /// Sends the query to one server and waits up to the timeout for a
    /// response to it; packets that do not answer it are ignored.
    fn exchange(
        &self,
        server: SocketAddr,
        query: &[u8],
        id: u16,
        name: &str,
        qtype: u16,
    ) -> Option<super::wire::Response> {
        let local: IpAddr = if server.is_ipv4() {
            Ipv4Addr::UNSPECIFIED.into()
        } else {
            Ipv6Addr::UNSPECIFIED.into()
        };
        let socket = UdpSocket::bind(SocketAddr::new(local, 0)).ok()?;
        socket.connect(server).ok()?;
        socket.send(query).ok()?;
        let deadline = Instant::now() + self.config.timeout;
        let mut buffer = [0u8; RECEIVE_BUFFER];
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return None;
            }
            socket.set_read_timeout(Some(remaining)).ok()?;
            // A timeout, or a refusal reported by ICMP, ends the wait.
            let len = socket.recv(&mut buffer).ok()?;
            let packet = buffer.get(..len)?;
            if let Ok(response) = parse_response(packet, id, name, qtype) {
                return Some(response);
            }
        }
    }

    /// An unpredictable query id, so that blind forgery is harder.
    fn next_id(&self) -> u16 {
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed);
        (self.ids.hash_one((sequence, Instant::now())) & 0xffff) as u16
    }
}

/// The record data as a cached answer: checked host names or addresses.
fn to_answer(records: Vec<RecordData>, qtype: u16) -> Answer {
    if qtype == TYPE_PTR {
        let names: Vec<String> = records
            .iter()
            .filter_map(|record| match record {
                RecordData::Name(name) => clean_host_name(name),
                _ => None,
            })
            .collect();
        return if names.is_empty() {
            Answer::NoRecords
        } else {
            Answer::Names(names)
        };
    }
    let addrs: Vec<IpAddr> = records
        .iter()
        .filter_map(|record| match record {
            RecordData::Addr(addr) => Some(*addr),
            _ => None,
        })
        .collect();
    if addrs.is_empty() {
        Answer::NoRecords
    } else {
        Answer::Addrs(addrs)
    }
}

fn type_name(qtype: u16) -> &'static str {
    match qtype {
        TYPE_PTR => "PTR",
        TYPE_A => "A",
        TYPE_AAAA => "AAAA",
        _ => "OTHER",
    }
}

impl Resolver for DnsResolver {
    fn reverse(&self, ip: IpAddr) -> Option<String> {
        match self.resolve(&reverse_query_name(ip), TYPE_PTR) {
            Answer::Names(names) => names.into_iter().next(),
            _ => None,
        }
    }

    fn forward(&self, name: &str) -> Vec<IpAddr> {
        // Only dotted host names are sent: a bare label would be completed
        // by the server's search rules, and anything else is not a name.
        let Some(name) = clean_host_name(name).filter(|name| name.contains('.')) else {
            return Vec::new();
        };
        let mut addrs = Vec::new();
        for qtype in [TYPE_A, TYPE_AAAA] {
            if let Answer::Addrs(found) = self.resolve(&name, qtype) {
                for addr in found {
                    if !addrs.contains(&addr) {
                        addrs.push(addr);
                    }
                }
            }
        }
        addrs
    }

    fn parallelism(&self) -> usize {
        self.config.max_in_flight
    }
}

#[cfg(test)]
#[path = "dns_tests.rs"]
mod tests;
