//! The analyzer's share-out of the tracking limits between threads.

use picket_identity::IdentityService;
use picket_knowledge::PortTable;
use picket_model::{Host, Packet, Proto, Sensor};

use crate::{Analyzer, Site, Thresholds};

fn probe(i: u32) -> Packet {
    let mut p = Packet::new(
        Sensor::Netfilter,
        Host::Addr(
            format!("198.18.{}.{}", i / 250, 1 + i % 250)
                .parse()
                .unwrap(),
        ),
        Host::Addr("203.0.113.5".parse().unwrap()),
        Proto::TCP,
    );
    p.dst_port = Some(23);
    p.time = Some(jiff::Timestamp::from_second(1_700_000_000 + i64::from(i) * 5).unwrap());
    p.origin.line = u64::from(i) + 1;
    p
}

/// Sources counted in crowds after one reader fed `sources` sources.
fn beyond_after(sources: u32, threads: usize) -> u64 {
    let limits = Thresholds {
        max_sources: 100,
        ..Thresholds::default()
    };
    let mut analyzer = Analyzer::new(limits, threads);
    for i in 0..sources {
        analyzer.observe(probe(i));
    }
    analyzer
        .finish(
            &Site::default(),
            PortTable::builtin(),
            &IdentityService::offline(),
            &jiff::tz::TimeZone::UTC,
            &["test".to_string()],
        )
        .beyond_limits
        .sources
}

#[test]
fn one_reader_gets_the_whole_budget_whatever_the_threads() {
    assert_eq!(beyond_after(100, 1), 0);
    assert_eq!(
        beyond_after(100, 4),
        0,
        "100 sources fit in max_sources = 100"
    );
    assert!(beyond_after(300, 4) >= 200);
}

/// The keyed sort of units and detects gives exactly the order of a stable
/// sort by key, then tie-break: equal items keep their input order.
#[test]
fn keyed_sort_is_the_stable_sort() {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for len in [0usize, 1, 2, 7, 100, 1000] {
        // (key, tie-break, position in the input)
        let items: Vec<(u8, u8, usize)> = (0..len)
            .map(|i| ((next() % 4) as u8, (next() % 3) as u8, i))
            .collect();
        let mut expected = items.clone();
        expected.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut sorted = items;
        crate::sort_by_key_then(&mut sorted, |x| x.0, |a, b| a.1.cmp(&b.1));
        assert_eq!(sorted, expected, "{len} items");
    }
}
