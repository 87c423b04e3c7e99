use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use picket_knowledge::{AccessKind, AddrClass};

use super::*;
use crate::resolve::stub::{StubConfig, StubRecord, StubReply, StubServer};
use crate::resolve::{DnsConfig, DnsResolver};

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap_or_else(|err| panic!("{text}: {err}"))
}

fn host(text: &str) -> Host {
    Host::parse(text).unwrap_or_else(|| panic!("{text:?} is not a host"))
}

/// A resolver answering from tables, counting every question it is asked.
#[derive(Default)]
struct TableResolver {
    reverse: HashMap<IpAddr, String>,
    forward: HashMap<String, Vec<IpAddr>>,
    asked: Mutex<Vec<String>>,
    parallelism: usize,
}

impl TableResolver {
    fn asked(&self) -> Vec<String> {
        self.asked
            .lock()
            .map(|asked| asked.clone())
            .unwrap_or_default()
    }

    fn note(&self, question: String) {
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(question);
        }
    }
}

impl Resolver for &'static TableResolver {
    fn reverse(&self, ip: IpAddr) -> Option<String> {
        self.note(format!("PTR {ip}"));
        self.reverse.get(&ip).cloned()
    }

    fn forward(&self, name: &str) -> Vec<IpAddr> {
        self.note(format!("ADDR {name}"));
        self.forward.get(name).cloned().unwrap_or_default()
    }

    fn parallelism(&self) -> usize {
        self.parallelism.max(1)
    }
}

/// A leaked resolver, so the test can keep looking at it after handing it over.
fn table_resolver(reverse: &[(&str, &str)], forward: &[(&str, &[&str])]) -> &'static TableResolver {
    Box::leak(Box::new(TableResolver {
        reverse: reverse
            .iter()
            .map(|(addr, name)| (ip(addr), (*name).to_owned()))
            .collect(),
        forward: forward
            .iter()
            .map(|(name, addrs)| {
                (
                    (*name).to_owned(),
                    addrs.iter().map(|addr| ip(addr)).collect(),
                )
            })
            .collect(),
        ..TableResolver::default()
    }))
}

#[test]
fn offline_addresses_and_names() {
    let service = IdentityService::offline();
    assert!(!service.resolves());
    // detect 05-smb-wildcard: a private source address.
    let private = service.lookup(&host("10.0.0.1"));
    assert_eq!(private.class, Some(AddrClass::Private));
    assert_eq!(
        private
            .special_range
            .map(|range| range.to_string())
            .as_deref(),
        Some("10.0.0.0/8")
    );
    assert!(private.network.is_empty());
    assert_eq!(private.describe(), "a private (RFC 1918) address");
    // An IPv4-mapped address is the IPv4 address inside.
    let mapped = service.lookup(&host("::ffff:10.1.2.3"));
    assert_eq!(mapped.address, Some(ip("10.1.2.3")));
    assert_eq!(mapped.class, Some(AddrClass::Private));
    // detect 04-deep-throat: user.dsl.ma, a logged name.
    let dsl = service.lookup(&host("user.dsl.ma"));
    assert_eq!(dsl.access, Some(AccessKind::Dsl));
    assert_eq!(dsl.registrable_domain.as_deref(), Some("dsl.ma"));
    assert_eq!(dsl.address, None);
    assert_eq!(dsl.class, None);
    assert_eq!(service.describe(&dsl), "a DSL host of dsl.ma");
    // detect 02-subseven: cable.socal.com.
    let cable = service.lookup(&host("cable.socal.com"));
    assert_eq!(cable.describe(), "a cable-modem host of socal.com");
    // The paper's masked address says nothing.
    assert_eq!(
        service.lookup(&host("www.xxx.yyy.65")).describe(),
        "a named host"
    );
    let global = service.lookup(&host("2a0b:4000::1"));
    assert_eq!(global.class, Some(AddrClass::Global));
    assert_eq!(global.describe(), "a global address");
}

#[test]
fn reverse_names_are_checked_forward() {
    let resolver = table_resolver(
        &[
            ("64.0.2.7", "Host7.DSL.Example.NET."),
            ("64.0.2.8", "dial1.victim-isp.example.com"),
        ],
        &[
            ("host7.dsl.example.net", &["64.0.2.7", "2a0b:4000::7"]),
            ("dial1.victim-isp.example.com", &["64.9.9.9"]),
        ],
    );
    let service = IdentityService::offline().with_resolver(Box::new(resolver));
    assert!(service.resolves());
    let confirmed = service.lookup(&host("64.0.2.7"));
    assert_eq!(
        confirmed.reverse_name.as_deref(),
        Some("host7.dsl.example.net")
    );
    assert_eq!(confirmed.forward_confirmed, Some(true));
    assert_eq!(
        confirmed.forward_addrs,
        vec![ip("64.0.2.7"), ip("2a0b:4000::7")]
    );
    assert_eq!(confirmed.access, Some(AccessKind::Dsl));
    assert_eq!(confirmed.describe(), "a DSL host of example.net");

    let forged = service.lookup(&host("64.0.2.8"));
    assert_eq!(forged.forward_confirmed, Some(false));
    assert_eq!(forged.registrable_domain.as_deref(), Some("example.com"));
    assert_eq!(
        forged.describe(),
        "a dial-up host of example.com, by a reverse name that does not resolve back to it"
    );
    assert_eq!(
        resolver.asked(),
        vec![
            "PTR 64.0.2.7",
            "ADDR host7.dsl.example.net",
            "PTR 64.0.2.8",
            "ADDR dial1.victim-isp.example.com"
        ]
    );
}

#[test]
fn special_addresses_are_never_asked_about() {
    let resolver = table_resolver(&[("10.0.0.1", "printer.corp.example")], &[]);
    let service = IdentityService::offline().with_resolver(Box::new(resolver));
    for special in [
        "10.0.0.1",
        "192.168.1.1",
        "127.0.0.1",
        "198.51.100.7",
        "fe80::1",
        "224.0.0.1",
    ] {
        let identity = service.lookup(&host(special));
        assert_eq!(identity.reverse_name, None, "{special}");
    }
    assert!(resolver.asked().is_empty());
}

#[test]
fn invalid_names_from_a_resolver_are_dropped() {
    let resolver = table_resolver(&[("64.0.2.7", "evil name.example")], &[]);
    let service = IdentityService::offline().with_resolver(Box::new(resolver));
    let identity = service.lookup(&host("64.0.2.7"));
    assert_eq!(identity.reverse_name, None);
    assert_eq!(identity.forward_confirmed, None);
    assert_eq!(resolver.asked(), vec!["PTR 64.0.2.7"]);
}

#[test]
fn logged_names_resolve_to_addresses() {
    let resolver = table_resolver(&[], &[("me.home.com", &["192.168.0.5"])]);
    let service = IdentityService::offline().with_resolver(Box::new(resolver));
    let identity = service.lookup(&host("me.home.com"));
    assert_eq!(identity.forward_addrs, vec![ip("192.168.0.5")]);
    assert_eq!(identity.address, Some(ip("192.168.0.5")));
    assert_eq!(identity.class, Some(AddrClass::Private));
    assert_eq!(
        identity.describe(),
        "a host of home.com, at a private (RFC 1918) address"
    );
}

#[test]
fn batch_lookups_keep_their_order() {
    let resolver = Box::leak(Box::new(TableResolver {
        parallelism: 4,
        ..TableResolver::default()
    }));
    let service = IdentityService::offline().with_resolver(Box::new(&*resolver));
    let hosts: Vec<Host> = (1..=40u8)
        .map(|last| Host::Addr(IpAddr::from([64, 0, 2, last])))
        .collect();
    let identities = service.lookup_all(&hosts);
    assert_eq!(identities.len(), 40);
    for (identity, host) in identities.iter().zip(&hosts) {
        assert_eq!(&identity.host, host);
    }
    assert_eq!(resolver.asked().len(), 40);
    assert!(IdentityService::offline().lookup_all(&[]).is_empty());
}

#[test]
fn end_to_end_with_dns_on_loopback() {
    let ptr = "7.2.0.64.in-addr.arpa";
    let name = "host7.cable.example.org";
    let table = [
        (
            (ptr.to_owned(), crate::resolve::wire::TYPE_PTR),
            StubReply::records(vec![StubRecord::ptr(ptr, name)]),
        ),
        (
            (name.to_owned(), crate::resolve::wire::TYPE_A),
            StubReply::records(vec![StubRecord::addr(name, "64.0.2.7")]),
        ),
    ]
    .into_iter()
    .collect();
    let stub = StubServer::start(StubConfig {
        table,
        ..StubConfig::default()
    });
    let mut config = DnsConfig::new(vec![stub.addr]);
    config.timeout = Duration::from_secs(2);
    let resolver = DnsResolver::new(config).unwrap_or_else(|err| panic!("{err}"));
    let service = IdentityService::offline().with_resolver(Box::new(resolver));
    let identity = service.lookup(&host("64.0.2.7"));
    assert_eq!(identity.reverse_name.as_deref(), Some(name));
    assert_eq!(identity.forward_confirmed, Some(true));
    assert_eq!(identity.describe(), "a cable-modem host of example.org");
    // PTR, A, AAAA (NXDOMAIN); a second lookup is served from the cache.
    assert_eq!(stub.queries(), 3);
    let again = service.lookup(&host("64.0.2.7"));
    assert_eq!(again, identity);
    assert_eq!(stub.queries(), 3);
}

#[test]
fn service_and_resolver_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>(_: &T) {}
    let service = IdentityService::offline();
    shareable(&service);
    let resolver = DnsResolver::new(DnsConfig::new(vec![std::net::SocketAddr::from((
        [127, 0, 0, 1],
        53,
    ))]))
    .unwrap_or_else(|err| panic!("{err}"));
    shareable(&resolver);
    let with_resolver = service.with_resolver(Box::new(resolver));
    assert!(with_resolver.resolves());
    shareable(&with_resolver);
}
