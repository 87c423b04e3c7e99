//! The identity service: built once from the user's options, then asked
//! about every source of every detect.
//!
//! Offline by default: address classes, host-name hints and the Public
//! Suffix List need nothing outside the process, and the user's databases
//! are files read once at start. DNS is used only when a [`Resolver`] is
//! given, and only for addresses that can honestly arrive from the internet:
//! asking a server about a private or documentation address would reveal the
//! site's own addressing and could not name anyone.

use std::net::IpAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use picket_knowledge::{access_kind, classify, special_range};
use picket_model::Host;

use crate::identity::Identity;
use crate::network::{AsnTable, MmdbDatabase, NetworkFacts};
use crate::resolve::Resolver;
use crate::{IdentityError, hostname, suffix};

/// One user-supplied database.
#[derive(Debug)]
enum NetworkSource {
    Mmdb(MmdbDatabase),
    Table(AsnTable),
}

impl NetworkSource {
    fn lookup(&self, addr: IpAddr) -> Option<NetworkFacts> {
        match self {
            NetworkSource::Mmdb(database) => database.lookup(addr),
            NetworkSource::Table(table) => table.lookup(addr).cloned(),
        }
    }
}

/// Answers "who is behind this endpoint?". Cheap to query, `Send + Sync`:
/// share one behind a reference or an `Arc`.
pub struct IdentityService {
    /// Databases in the order given; for each fact the first that knows it wins.
    sources: Vec<NetworkSource>,
    /// The only way to DNS; `None` keeps every lookup inside the process.
    resolver: Option<Box<dyn Resolver>>,
}

impl std::fmt::Debug for IdentityService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityService")
            .field("sources", &self.sources)
            .field("resolves", &self.resolves())
            .finish()
    }
}

impl Default for IdentityService {
    fn default() -> Self {
        IdentityService::offline()
    }
}

impl IdentityService {
    /// Address classes, host-name hints and the Public Suffix List only:
    /// no database, no DNS.
    pub fn offline() -> IdentityService {
        IdentityService {
            sources: Vec::new(),
            resolver: None,
        }
    }

    /// Adds a MaxMind DB file (MaxMind, DB-IP or IPinfo, country or ASN
    /// edition) for country, ASN and owner. Errors when the file cannot be
    /// read or is not a valid database.
    pub fn with_mmdb(mut self, path: impl AsRef<Path>) -> Result<IdentityService, IdentityError> {
        let database = MmdbDatabase::open(path.as_ref())?;
        self.sources.push(NetworkSource::Mmdb(database));
        Ok(self)
    }

    /// Adds an iptoasn-style TSV table (range start, range end, ASN,
    /// country, owner). Errors name the first malformed line.
    pub fn with_asn_tsv(
        mut self,
        path: impl AsRef<Path>,
    ) -> Result<IdentityService, IdentityError> {
        let table = AsnTable::load(path.as_ref())?;
        self.sources.push(NetworkSource::Table(table));
        Ok(self)
    }

    /// Adds an already loaded range table.
    pub fn with_asn_table(mut self, table: AsnTable) -> IdentityService {
        self.sources.push(NetworkSource::Table(table));
        self
    }

    /// Resolves names through `resolver`: reverse names of addresses, and
    /// addresses of names. Only for `--resolve`.
    pub fn with_resolver(mut self, resolver: Box<dyn Resolver>) -> IdentityService {
        self.resolver = Some(resolver);
        self
    }

    /// True when lookups may use DNS.
    pub fn resolves(&self) -> bool {
        self.resolver.is_some()
    }

    /// What the databases say about an address, earlier databases first.
    pub fn network_facts(&self, addr: IpAddr) -> NetworkFacts {
        let addr = addr.to_canonical();
        let mut facts = NetworkFacts::default();
        for source in &self.sources {
            if let Some(found) = source.lookup(addr) {
                facts.fill_from(found);
            }
        }
        facts
    }

    /// Everything known about one endpoint. For an address: its class, the
    /// databases' facts and, with a resolver, its reverse name, checked by
    /// resolving that name forward. For a logged name: what the name says
    /// and, with a resolver, the addresses it resolves to now.
    pub fn lookup(&self, host: &Host) -> Identity {
        let mut identity = Identity::bare(host.clone());
        match host {
            Host::Addr(addr) => {
                let addr = addr.to_canonical();
                self.describe_address(&mut identity, addr);
                let routable = identity
                    .class
                    .is_some_and(|class| class.is_routable_source());
                if let Some(resolver) = self.resolver.as_deref().filter(|_| routable) {
                    let reverse = resolver
                        .reverse(addr)
                        .and_then(|name| hostname::clean_host_name(&name));
                    if let Some(name) = reverse {
                        let forward = resolver.forward(&name);
                        identity.forward_confirmed = Some(
                            forward
                                .iter()
                                .any(|&resolved| resolved.to_canonical() == addr),
                        );
                        identity.forward_addrs = forward;
                        name_hints(&mut identity, &name);
                        identity.reverse_name = Some(name);
                    }
                }
            }
            Host::Name(name) => {
                name_hints(&mut identity, name);
                if let Some(resolver) = self.resolver.as_deref() {
                    identity.forward_addrs = resolver.forward(name);
                    if let Some(&first) = identity.forward_addrs.first() {
                        self.describe_address(&mut identity, first.to_canonical());
                    }
                }
            }
        }
        identity
    }

    /// Looks up many endpoints, in their order. With a resolver that allows
    /// several queries at once, lookups run on that many threads.
    pub fn lookup_all(&self, hosts: &[Host]) -> Vec<Identity> {
        let threads = self
            .resolver
            .as_deref()
            .map_or(1, Resolver::parallelism)
            .clamp(1, hosts.len().max(1));
        if threads == 1 {
            return hosts.iter().map(|host| self.lookup(host)).collect();
        }
        let next = AtomicUsize::new(0);
        let mut found: Vec<(usize, Identity)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let index = next.fetch_add(1, Ordering::Relaxed);
                            let Some(host) = hosts.get(index) else { break };
                            done.push((index, self.lookup(host)));
                        }
                        done
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|worker| {
                    worker
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        found.sort_unstable_by_key(|(index, _)| *index);
        found.into_iter().map(|(_, identity)| identity).collect()
    }

    /// The analyst's phrase for an identity: see [`Identity::describe`].
    pub fn describe(&self, identity: &Identity) -> String {
        identity.describe()
    }

    /// Sets the address, its class and range, and the databases' facts.
    fn describe_address(&self, identity: &mut Identity, addr: IpAddr) {
        identity.address = Some(addr);
        identity.class = Some(classify(addr));
        identity.special_range = special_range(addr).map(|(range, _)| range);
        identity.network = self.network_facts(addr);
    }
}

/// Sets what a host name says: the kind of line and the owning domain.
fn name_hints(identity: &mut Identity, name: &str) {
    identity.access = access_kind(name);
    identity.registrable_domain = suffix::registrable_domain(name);
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
