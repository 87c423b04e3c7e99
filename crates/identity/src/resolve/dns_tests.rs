//! DnsResolver against the stub server on 127.0.0.1: no test leaves the machine.

use std::collections::HashMap;

use super::*;
use crate::resolve::stub::{StubConfig, StubRecord, StubReply, StubServer};

const PTR_7: &str = "7.100.51.198.in-addr.arpa";
const NAME_7: &str = "host7.dsl.example.net";

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap_or_else(|err| panic!("{text}: {err}"))
}

fn table(entries: Vec<(&str, u16, StubReply)>) -> HashMap<(String, u16), StubReply> {
    entries
        .into_iter()
        .map(|(name, qtype, reply)| ((name.to_owned(), qtype), reply))
        .collect()
}

/// A stub that knows one DSL host in both directions.
fn known_host_table() -> HashMap<(String, u16), StubReply> {
    table(vec![
        (
            PTR_7,
            TYPE_PTR,
            StubReply::records(vec![StubRecord::ptr(PTR_7, "Host7.DSL.Example.NET")]),
        ),
        (
            NAME_7,
            TYPE_A,
            StubReply::records(vec![StubRecord::addr(NAME_7, "198.51.100.7")]),
        ),
        (
            NAME_7,
            TYPE_AAAA,
            StubReply::records(vec![StubRecord::addr(NAME_7, "2001:db8::7")]),
        ),
    ])
}

fn resolver_for(servers: &[&StubServer], timeout_ms: u64) -> DnsResolver {
    let mut config = DnsConfig::new(servers.iter().map(|server| server.addr).collect());
    config.timeout = Duration::from_millis(timeout_ms);
    DnsResolver::new(config).unwrap_or_else(|err| panic!("{err}"))
}

#[test]
fn reverse_then_forward_and_cached() {
    let stub = StubServer::start(StubConfig {
        table: known_host_table(),
        ..StubConfig::default()
    });
    let resolver = resolver_for(&[&stub], 2000);
    assert_eq!(
        resolver.reverse(ip("198.51.100.7")).as_deref(),
        Some(NAME_7)
    );
    assert_eq!(
        resolver.forward(NAME_7),
        vec![ip("198.51.100.7"), ip("2001:db8::7")]
    );
    assert_eq!(stub.queries(), 3);
    // Asked again: all from the cache.
    assert_eq!(
        resolver.reverse(ip("198.51.100.7")).as_deref(),
        Some(NAME_7)
    );
    assert_eq!(resolver.forward("HOST7.dsl.example.net.").len(), 2);
    assert_eq!(stub.queries(), 3);
}

#[test]
fn negative_answers_are_cached() {
    let stub = StubServer::start(StubConfig {
        table: known_host_table(),
        ..StubConfig::default()
    });
    let resolver = resolver_for(&[&stub], 2000);
    assert_eq!(resolver.reverse(ip("198.51.100.8")), None);
    assert_eq!(
        resolver.forward("nothing.example.net"),
        Vec::<IpAddr>::new()
    );
    assert_eq!(stub.queries(), 3);
    assert_eq!(resolver.reverse(ip("198.51.100.8")), None);
    assert_eq!(
        resolver.forward("nothing.example.net"),
        Vec::<IpAddr>::new()
    );
    assert_eq!(stub.queries(), 3);
}

#[test]
fn silent_server_times_out_and_the_next_answers() {
    let silent = StubServer::start(StubConfig {
        silent: true,
        ..StubConfig::default()
    });
    let answering = StubServer::start(StubConfig {
        table: known_host_table(),
        ..StubConfig::default()
    });
    let resolver = resolver_for(&[&silent, &answering], 200);
    let started = Instant::now();
    assert_eq!(
        resolver.reverse(ip("198.51.100.7")).as_deref(),
        Some(NAME_7)
    );
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(190), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    assert_eq!((silent.queries(), answering.queries()), (1, 1));

    // Only the silent server: a failure, remembered for failure_ttl.
    let resolver = resolver_for(&[&silent], 100);
    assert_eq!(resolver.reverse(ip("198.51.100.9")), None);
    assert_eq!(resolver.reverse(ip("198.51.100.9")), None);
    assert_eq!(silent.queries(), 2);
}

#[test]
fn hostile_ptr_names_are_refused() {
    let space = b"\x0aevil\x20host1\x07example\x00".to_vec();
    let replies = vec![
        // A name that poses as an address, and one with a blank in a label.
        (PTR_7, vec![StubRecord::ptr(PTR_7, "10.0.0.1")]),
        (
            "8.100.51.198.in-addr.arpa",
            vec![StubRecord::raw(
                "8.100.51.198.in-addr.arpa",
                TYPE_PTR,
                space.clone(),
            )],
        ),
        // A hostile first name, then a good one: the good one is kept.
        (
            "9.100.51.198.in-addr.arpa",
            vec![
                StubRecord::raw("9.100.51.198.in-addr.arpa", TYPE_PTR, space),
                StubRecord::ptr("9.100.51.198.in-addr.arpa", "ok.example.net"),
            ],
        ),
    ];
    let stub = StubServer::start(StubConfig {
        table: replies
            .into_iter()
            .map(|(name, records)| ((name.to_owned(), TYPE_PTR), StubReply::records(records)))
            .collect(),
        ..StubConfig::default()
    });
    let resolver = resolver_for(&[&stub], 2000);
    assert_eq!(resolver.reverse(ip("198.51.100.7")), None);
    assert_eq!(resolver.reverse(ip("198.51.100.8")), None);
    assert_eq!(
        resolver.reverse(ip("198.51.100.9")).as_deref(),
        Some("ok.example.net")
    );
}

#[test]
fn forged_packets_before_the_answer_are_ignored() {
    let stub = StubServer::start(StubConfig {
        table: known_host_table(),
        noise_first: Some(b"\x00\x00\x81\x80garbage".to_vec()),
        ..StubConfig::default()
    });
    let resolver = resolver_for(&[&stub], 2000);
    assert_eq!(
        resolver.reverse(ip("198.51.100.7")).as_deref(),
        Some(NAME_7)
    );
}

#[test]
fn in_flight_queries_are_bounded() {
    let stub = StubServer::start(StubConfig {
        delay: Duration::from_millis(80),
        ..StubConfig::default()
    });
    let mut config = DnsConfig::new(vec![stub.addr]);
    config.max_in_flight = 3;
    let resolver = DnsResolver::new(config).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(resolver.parallelism(), 3);
    std::thread::scope(|scope| {
        for last in 1..=12u8 {
            let resolver = &resolver;
            scope.spawn(move || resolver.reverse(IpAddr::from([198, 51, 100, last])));
        }
    });
    assert_eq!(stub.queries(), 12);
    let most = stub.most_pending();
    assert!((2..=3).contains(&most), "{most} in flight");
}

#[test]
fn names_that_are_not_host_names_are_never_sent() {
    let stub = StubServer::start(StubConfig::default());
    let resolver = resolver_for(&[&stub], 500);
    for name in [
        "arpanet",
        "",
        "a..b",
        "www.xxx.yyy.65",
        "bad name.example",
        "x\n.example",
    ] {
        assert!(resolver.forward(name).is_empty(), "{name:?}");
    }
    assert_eq!(stub.queries(), 0);
}

#[test]
fn a_shared_cache_answers_without_asking() {
    let stub = StubServer::start(StubConfig::default());
    let cache = Arc::new(MemoryCache::new(10));
    cache.put(
        &format!("PTR {PTR_7}"),
        &CachedAnswer {
            answer: Answer::Names(vec!["cached.example.net".into()]),
            expires_unix: now_unix() + 600,
        },
    );
    let resolver = resolver_for(&[&stub], 500).with_cache(cache.clone());
    assert_eq!(
        resolver.reverse(ip("198.51.100.7")).as_deref(),
        Some("cached.example.net")
    );
    assert_eq!(stub.queries(), 0);
    // An expired entry is asked again, and the answer replaces it.
    cache.put(
        &format!("PTR {PTR_7}"),
        &CachedAnswer {
            answer: Answer::Names(vec!["old.example.net".into()]),
            expires_unix: 1,
        },
    );
    assert_eq!(resolver.reverse(ip("198.51.100.7")), None);
    assert_eq!(stub.queries(), 1);
    let stored = cache
        .get(&format!("PTR {PTR_7}"))
        .map(|cached| cached.answer);
    assert_eq!(stored, Some(Answer::NoRecords));
}

#[test]
fn settings() {
    let servers = nameservers_from_resolv_conf(
        "# comment\nsearch example.net\nnameserver 192.0.2.53\nnameserver  2001:db8::53 \n\
         nameserver fe80::1%eth0\nnameserver\noptions ndots:2\n",
    );
    assert_eq!(
        servers,
        vec![
            SocketAddr::new(ip("192.0.2.53"), 53),
            SocketAddr::new(ip("2001:db8::53"), 53)
        ]
    );
    assert!(DnsResolver::new(DnsConfig::new(Vec::new())).is_err());
    let mut config = DnsConfig::new(servers);
    assert_eq!(config.timeout, Duration::from_secs(2));
    assert_eq!(config.max_in_flight, 8);
    config.max_in_flight = 0;
    assert!(DnsResolver::new(config.clone()).is_err());
    config.max_in_flight = 1;
    config.timeout = Duration::ZERO;
    assert!(DnsResolver::new(config).is_err());
}
