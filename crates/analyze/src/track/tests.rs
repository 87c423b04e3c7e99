//! The tracking limits: what is tracked one by one, what joins a crowd.

use jiff::Timestamp;
use picket_model::{Host, Packet, Proto, Sensor};

use super::{SourceState, Tracker, merge_shard};

/// A SYN from `src` to 203.0.113.5:`port` at `second`, logged at `line`.
fn syn(src: &str, port: u16, second: i64, line: u64) -> Packet {
    let mut p = Packet::new(
        Sensor::Netfilter,
        Host::Addr(src.parse().unwrap()),
        Host::Addr("203.0.113.5".parse().unwrap()),
        Proto::TCP,
    );
    p.dst_port = Some(port);
    p.time = Some(Timestamp::from_second(1_700_000_000 + second).unwrap());
    p.origin.line = line;
    p
}

fn noise(i: u32) -> String {
    format!("198.18.{}.{}", i / 250, 1 + i % 250)
}

/// The tracker taken apart: every tracked source's state, and how many
/// packets its crowds hold.
fn take_apart(tracker: Tracker) -> (Vec<SourceState>, u64) {
    let parts = tracker.into_parts();
    let in_crowds = parts.crowds.packets();
    let states = parts
        .shards
        .into_iter()
        .flat_map(|shard| merge_shard(vec![shard], usize::MAX))
        .collect();
    (states, in_crowds)
}

/// Tracked sources and their kept packets, as (source, kept, counted).
fn tracked(tracker: Tracker) -> Vec<(String, usize, u64)> {
    take_apart(tracker)
        .0
        .into_iter()
        .map(|s| (s.src.to_string(), s.kept.len(), s.overflow))
        .collect()
}

#[test]
fn a_scanner_arriving_when_the_table_is_full_is_still_tracked_whole() {
    let mut tracker = Tracker::new(4, 1000).with_limits(40, 10_000);
    let mut line = 0;
    for i in 0..400 {
        line += 1;
        tracker.observe(syn(&noise(i), 23, i64::from(i), line));
    }
    for port in 1..=300 {
        line += 1;
        tracker.observe(syn("192.0.2.66", port, 400, line));
    }
    let crowd_packets = tracker.crowds.packets();
    let all = tracked(tracker);
    assert!(all.len() <= 40, "{} sources tracked", all.len());
    let scanner = all.iter().find(|(s, _, _)| s == "192.0.2.66");
    assert_eq!(
        scanner.map(|s| s.1),
        Some(300),
        "every probe of the scan is kept"
    );
    assert_eq!(
        all.iter().map(|s| s.1 as u64).sum::<u64>() + crowd_packets,
        700,
        "every packet is tracked or in a crowd"
    );
}

#[test]
fn past_the_packet_budget_tracked_sources_count_what_they_send() {
    let mut tracker = Tracker::new(2, 1000).with_limits(100, 50);
    for port in 1..=80 {
        tracker.observe(syn("192.0.2.66", port, 0, u64::from(port)));
    }
    let all = tracked(tracker);
    assert_eq!(all, vec![("192.0.2.66".to_string(), 50, 30)]);
}

#[test]
fn a_flood_of_new_sources_past_the_limits_is_one_flood_in_one_crowd() {
    let mut tracker = Tracker::new(4, 1000).with_limits(16, 10_000);
    for i in 0..5000 {
        tracker.observe(syn(&noise(i), 80, 0, u64::from(i)));
    }
    let mut crowds = tracker.into_parts().crowds;
    crowds.seal();
    assert_eq!(crowds.by_key.len(), 1, "one target, one port: one crowd");
    let crowd = crowds.by_key.values().next().unwrap();
    assert_eq!(crowd.floods.len(), 1, "5,000 packets in a second: a flood");
    assert_eq!(crowd.rest.packets, 0);
    let flood = &crowd.floods[0];
    assert!(flood.sources.len() >= 5000 - 16, "{}", flood.sources.len());
    assert_eq!(flood.head.len() + flood.tail.len(), 8, "a few packets kept");
    assert_eq!(crowds.packets() + 16, 5000, "the rest are tracked");
}

#[test]
fn sparse_noise_past_the_limits_is_no_flood() {
    let mut tracker = Tracker::new(4, 1000).with_limits(16, 10_000);
    for i in 0..5000 {
        tracker.observe(syn(&noise(i), 80, i64::from(i) * 3, u64::from(i)));
    }
    let mut crowds = tracker.into_parts().crowds;
    crowds.seal();
    let packets: u64 = crowds.by_key.values().map(|c| c.rest.packets).sum();
    assert!(crowds.by_key.values().all(|c| c.floods.is_empty()));
    assert!(packets >= 5000 - 16, "{packets}");
}

#[test]
fn tracked_flood_sources_moved_to_a_crowd_later_are_still_one_flood() {
    // The table fills with a flood's sources, then other sources arrive an
    // hour later and push them out.
    let mut tracker = Tracker::new(4, 1000).with_limits(3000, 100_000);
    for i in 0..3000 {
        tracker.observe(syn(&noise(i), 80, 0, u64::from(i)));
    }
    for i in 3000..6000 {
        tracker.observe(syn(&noise(i), 22, 7200 + i64::from(i), u64::from(i)));
    }
    let mut crowds = tracker.into_parts().crowds;
    crowds.seal();
    let floods: Vec<_> = crowds.by_key.values().flat_map(|c| &c.floods).collect();
    assert_eq!(floods.len(), 1);
    assert!(floods[0].packets >= 1000, "{}", floods[0].packets);
}

#[test]
fn allowed_connections_and_dropped_probes_form_separate_crowds() {
    let mut tracker = Tracker::new(4, 1000).with_limits(4, 10_000);
    for i in 0..400 {
        let mut p = syn(&noise(i), 443, i64::from(i) * 5, u64::from(i));
        p.action = if i % 10 == 0 {
            picket_model::Action::Accept
        } else {
            picket_model::Action::Drop
        };
        tracker.observe(p);
    }
    let mut crowds = tracker.into_parts().crowds;
    crowds.seal();
    let allowed: Vec<bool> = crowds
        .by_key
        .keys()
        .filter_map(|k| k.as_ref().map(|k| k.3))
        .collect();
    assert_eq!(allowed.len(), 2, "{allowed:?}");
    for crowd in crowds.by_key.values() {
        let g = &crowd.rest;
        let kept_blocked = g
            .head
            .iter()
            .chain(&g.tail)
            .filter(|s| s.packet.action.blocked())
            .count() as u64;
        let blocked = kept_blocked + g.beyond.blocked;
        assert!(
            blocked == 0 || blocked == g.packets,
            "a crowd is all allowed or all dropped, and every drop is counted"
        );
    }
}

#[test]
fn a_slow_scan_among_noise_past_the_limits_is_tracked_again_when_it_returns() {
    // One probe of the scan every 50 noise sources: each time it comes
    // back, the tracker has moved it to a crowd as small.
    let mut tracker = Tracker::new(4, 1000).with_limits(40, 10_000);
    let mut line = 0;
    for port in 1..=40u16 {
        for i in 0..50 {
            line += 1;
            let n = u32::from(port) * 50 + i;
            tracker.observe(syn(&noise(n), 23, i64::from(n), line));
        }
        line += 1;
        tracker.observe(syn("192.0.2.66", port, i64::from(port) * 50, line));
    }
    let all = tracked(tracker);
    let scanner = all.iter().find(|(s, _, _)| s == "192.0.2.66");
    let kept = scanner.map_or(0, |s| s.1);
    // Ports 1 and 2 were sent while it still looked small.
    assert!(
        kept >= 38,
        "the scanner is tracked with {kept} of its 40 probes"
    );
}

#[test]
fn a_tracked_source_keeps_its_packets_when_noise_has_spent_the_packet_budget() {
    let mut tracker = Tracker::new(4, 1000).with_limits(1000, 100);
    let mut line = 0;
    let mut send = |tracker: &mut Tracker, src: &str, port: u16| {
        line += 1;
        tracker.observe(syn(src, port, 0, line));
    };
    for i in 0..20 {
        send(&mut tracker, &noise(i), 23);
    }
    for port in 1..=3 {
        send(&mut tracker, "192.0.2.66", port);
    }
    // The noise sources send on, past the budget of 100 kept packets.
    for _ in 0..4 {
        for i in 0..20 {
            send(&mut tracker, &noise(i), 23);
        }
    }
    for port in 4..=6 {
        send(&mut tracker, "192.0.2.66", port);
    }
    let all = tracked(tracker);
    let scanner = all.iter().find(|(s, _, _)| s == "192.0.2.66");
    assert_eq!(
        scanner.map(|s| (s.1, s.2)),
        Some((6, 0)),
        "kept, not counted"
    );
    assert!(all.iter().map(|s| s.1).sum::<usize>() <= 100);
}

#[test]
fn when_big_sources_hold_the_packet_budget_each_keeps_fewer_and_a_new_scanner_is_tracked() {
    let mut tracker = Tracker::new(4, 20_000).with_limits(1000, 2000);
    let mut line = 0;
    // Two floods of 5,000 packets each, over a minute.
    for i in 0..5000u64 {
        for src in ["198.51.100.1", "198.51.100.2"] {
            line += 1;
            let mut p = syn(src, 80, (i / 100) as i64, line);
            p.tcp = Some(picket_model::TcpFields {
                flags: Some(picket_model::TcpFlags(picket_model::TcpFlags::SYN)),
                ..Default::default()
            });
            tracker.observe(p);
        }
    }
    for port in 1..=300 {
        line += 1;
        tracker.observe(syn("192.0.2.66", port, 60, line));
    }
    let (states, in_crowds) = take_apart(tracker);
    assert_eq!(in_crowds, 0, "nothing had to join a crowd");
    let room: usize = states.iter().map(|s| s.kept.capacity()).sum();
    assert!(room <= 2000, "room for {room} packets taken");
    let scanner = states.iter().find(|s| s.src.to_string() == "192.0.2.66");
    assert_eq!(scanner.map(|s| s.kept.len()), Some(300), "every probe kept");
    for flood in states.iter().filter(|s| s.src.to_string() != "192.0.2.66") {
        assert_eq!(flood.kept.len() as u64 + flood.overflow, 5000);
        let beyond = flood.beyond.as_deref().expect("the rest gathered");
        assert_eq!(
            beyond.last,
            Some(Timestamp::from_second(1_700_000_049).unwrap())
        );
        assert_eq!(beyond.tcp_flags, vec![(0x02, flood.overflow)], "SYNs");
    }
}

#[test]
fn the_packet_budget_bounds_the_room_taken_not_only_the_packets() {
    let mut tracker = Tracker::new(4, 1000).with_limits(1000, 100);
    let mut line = 0;
    for i in 0..10 {
        for port in 1..=9 {
            line += 1;
            tracker.observe(syn(&noise(i), port, 0, line));
        }
    }
    let (states, in_crowds) = take_apart(tracker);
    let room: usize = states.iter().map(|s| s.kept.capacity()).sum();
    assert!(room <= 100, "room for {room} packets taken");
    let tracked: u64 = states
        .iter()
        .map(|s| s.kept.len() as u64 + s.overflow)
        .sum();
    assert_eq!(tracked + in_crowds, 90, "every packet kept or counted");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Whatever the limits and the traffic: every packet is kept, counted
    /// or in a crowd, and the room taken for kept packets stays within the
    /// budget and each source's cap.
    #[test]
    fn every_packet_is_accounted_for_within_the_limits(
        sent in proptest::collection::vec((0u32..40, 0u8..6, 0u16..30, 0i64..600), 1..400),
        max_sources in 1usize..12,
        max_kept in 1usize..60,
        cap in 1usize..50,
        shards in 1usize..4,
    ) {
        let mut tracker = Tracker::new(shards, cap).with_limits(max_sources, max_kept);
        for (line, &(src, dst, port, second)) in sent.iter().enumerate() {
            let mut p = syn(&noise(src), port, second, line as u64);
            p.dst = Host::Addr(format!("203.0.113.{dst}").parse().unwrap());
            tracker.observe(p);
        }
        let (states, in_crowds) = take_apart(tracker);
        let tracked: u64 = states.iter().map(|s| s.kept.len() as u64 + s.overflow).sum();
        proptest::prop_assert_eq!(tracked + in_crowds, sent.len() as u64);
        let room: usize = states.iter().map(|s| s.kept.capacity()).sum();
        proptest::prop_assert!(room <= max_kept, "room for {} packets, budget {}", room, max_kept);
        proptest::prop_assert!(states.iter().all(|s| s.kept.len() <= cap));
    }
}
