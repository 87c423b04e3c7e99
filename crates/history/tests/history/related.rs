//! Earlier runs' detects are found through a shared source, network, domain,
//! tool signature or campaign, and a daily source is recognised as daily.

use jiff::civil::{Date, date, time};
use picket_history::{HistoryStore, Regularity, Relation, SourceDay, history_sentence};
use picket_model::DetectKind;

use crate::common::{detect, store_run};

/// The group of `facts` related by `wanted`.
fn group<'a>(
    facts: &'a picket_history::HistoryFacts,
    wanted: &Relation,
) -> &'a picket_history::RelatedGroup {
    facts
        .related
        .iter()
        .find(|g| &g.relation == wanted)
        .expect("a group of that relation")
}

fn related_ids(facts: &picket_history::HistoryFacts, wanted: &Relation) -> Vec<String> {
    facts
        .related
        .iter()
        .filter(|g| &g.relation == wanted)
        .flat_map(|g| g.detects.iter().map(|d| d.id.clone()))
        .collect()
}

#[test]
fn same_network_domain_and_tool_signature_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = HistoryStore::open(&dir.path().join("history.db")).unwrap();
    let mut tooled = detect(
        "d-tool",
        DetectKind::PortScan,
        "2000-09-18T02:11:00-04:00",
        &["198.51.100.1"],
        &[21, 22, 23, 25, 80],
    );
    tooled.tool_signature = Some("ttl 64, window 1024, no options, fixed source port".to_string());
    store_run(
        &mut store,
        "run1.log",
        &[
            detect(
                "d-net",
                DetectKind::HostSweep,
                "2000-09-20T15:04:31-04:00",
                &["203.0.113.5"],
                &[111],
            ),
            detect(
                "d-dom",
                DetectKind::ServiceProbe,
                "2000-09-21T08:00:00-04:00",
                &["ppp-12.dial.example.net"],
                &[119],
            ),
            detect(
                "d-camp",
                DetectKind::ServiceProbe,
                "2000-09-22T08:00:00-04:00",
                &["192.0.2.33"],
                &[119],
            ),
            tooled,
        ],
        &[],
    );

    let mut store = HistoryStore::open(&dir.path().join("history.db")).unwrap();
    store.begin_run("picket test");

    // Another address of the same /24.
    let neighbour = detect(
        "d-new1",
        DetectKind::HostSweep,
        "2000-10-01T10:00:00-04:00",
        &["203.0.113.77"],
        &[111],
    );
    let facts = store.history_of(&neighbour).unwrap();
    assert_eq!(
        related_ids(
            &facts,
            &Relation::SameNetwork {
                network: "203.0.113.0/24".into()
            }
        ),
        ["d-net"]
    );
    assert!(facts.sources[0].is_new());
    let sentence = history_sentence(&facts);
    assert!(
        sentence.starts_with("203.0.113.77 is a new source."),
        "{sentence}"
    );
    assert!(
        sentence.contains(
            "other sources in 203.0.113.0/24: host sweep d-net from 203.0.113.5 on 2000-09-20"
        ),
        "{sentence}"
    );

    // Another host of the same registrable domain.
    let cousin = detect(
        "d-new2",
        DetectKind::ServiceProbe,
        "2000-10-02T10:00:00-04:00",
        &["ppp-40.dial.example.net"],
        &[119],
    );
    let facts = store.history_of(&cousin).unwrap();
    assert_eq!(
        related_ids(
            &facts,
            &Relation::SameDomain {
                domain: "example.net".into()
            }
        ),
        ["d-dom"]
    );
    // Same kind at the same port from an unrelated source: a campaign. The
    // domain's detect is listed once, under the domain.
    assert_eq!(
        related_ids(
            &facts,
            &Relation::Campaign {
                kind: "service-probe".into(),
                ports: vec![119]
            }
        ),
        ["d-camp"]
    );
    let sentence = history_sentence(&facts);
    assert!(
        sentence.contains(
            "The same service probe at port 119 from other sources before, a possible \
             campaign: service probe d-camp from 192.0.2.33 on 2000-09-22."
        ),
        "{sentence}"
    );

    // An unrelated address with the same tool signature.
    let mut same_tool = detect(
        "d-new3",
        DetectKind::PortScan,
        "2000-10-03T10:00:00-04:00",
        &["192.0.2.200"],
        &[21, 22, 23, 25, 80],
    );
    same_tool.tool_signature =
        Some("ttl 64, window 1024, no options, fixed source port".to_string());
    let facts = store.history_of(&same_tool).unwrap();
    assert_eq!(
        related_ids(
            &facts,
            &Relation::SameToolSignature {
                signature: "ttl 64, window 1024, no options, fixed source port".into()
            }
        ),
        ["d-tool"]
    );
    assert!(
        facts
            .related
            .iter()
            .all(|g| !matches!(g.relation, Relation::Campaign { .. })),
        "five ports is a scan, not a campaign"
    );

    // The same source again: its record, and nothing claimed through other keys.
    let again = detect(
        "d-new4",
        DetectKind::HostSweep,
        "2000-10-04T10:00:00-04:00",
        &["203.0.113.5"],
        &[111],
    );
    let facts = store.history_of(&again).unwrap();
    assert_eq!(facts.sources[0].detects_seen, 1);
    assert_eq!(facts.sources[0].first_seen.as_deref(), Some("2000-09-20"));
    assert_eq!(related_ids(&facts, &Relation::SameSource), ["d-net"]);
    assert!(
        related_ids(
            &facts,
            &Relation::SameNetwork {
                network: "203.0.113.0/24".into()
            }
        )
        .is_empty()
    );
}

#[test]
fn detects_of_the_current_run_are_not_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = HistoryStore::open(&dir.path().join("history.db")).unwrap();
    let run_detect = detect(
        "d1",
        DetectKind::PortScan,
        "2000-09-20T15:04:31-04:00",
        &["203.0.113.5"],
        &[1, 2, 3, 4, 5],
    );
    store_run(&mut store, "a.log", std::slice::from_ref(&run_detect), &[]);
    // store_run began the run: the same run asks about a detect of its own source.
    let sibling = detect(
        "d2",
        DetectKind::PortScan,
        "2000-09-20T16:00:00-04:00",
        &["203.0.113.5"],
        &[6, 7, 8, 9, 10],
    );
    let facts = store.history_of(&sibling).unwrap();
    assert_eq!(facts.sources[0].detects_seen, 0);
    assert!(facts.related.is_empty());
    // A later run sees it, but never a detect as its own history.
    store.begin_run("picket test");
    assert_eq!(
        store.history_of(&sibling).unwrap().sources[0].detects_seen,
        1
    );
    assert_eq!(
        store.history_of(&run_detect).unwrap().sources[0].detects_seen,
        0
    );
}

#[test]
fn a_source_seen_daily_around_three_in_the_afternoon() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = HistoryStore::open(&dir.path().join("history.db")).unwrap();
    // Connection attempts to the news port every day for ten days, between
    // 14:48 and 15:12 local time.
    let minutes = [52, 58, 61, 66, 48, 55, 72, 60, 63, 57];
    for (i, offset) in minutes.iter().enumerate() {
        let day: Date = date(2000, 9, 11 + i as i8);
        let (hour, minute) = (14 + offset / 60, offset % 60);
        let first_seen = format!("{day}T{hour:02}:{minute:02}:10-04:00");
        let d = detect(
            &format!("d{i}"),
            DetectKind::ServiceProbe,
            &first_seen,
            &["news.example.org"],
            &[119],
        );
        let days = [SourceDay {
            source: "news.example.org".into(),
            day,
            packets: 4,
            first_time: Some(time(hour as i8, minute as i8, 10, 0)),
        }];
        store_run(&mut store, &format!("day{i}.log"), &[d], &days);
    }
    store.begin_run("picket test");
    let today = detect(
        "d-today",
        DetectKind::ServiceProbe,
        "2000-09-21T15:01:00-04:00",
        &["news.example.org"],
        &[119],
    );
    let facts = store.history_of(&today).unwrap();
    let source = &facts.sources[0];
    assert_eq!(source.days_seen, 10);
    assert_eq!(source.detects_seen, 10);
    assert_eq!(source.packets, 40);
    assert_eq!(
        source.regularity,
        Regularity::Daily {
            about: Some("15:00".into())
        }
    );
    let sentence = history_sentence(&facts);
    assert!(
        sentence.starts_with(
            "news.example.org was first seen on 2000-09-11 and has been seen on 10 days up to \
             2000-09-20, in 10 earlier detects (daily, about 15:00)."
        ),
        "{sentence}"
    );
    assert!(
        sentence.contains("and 7 more"),
        "same-source list is capped: {sentence}"
    );
}

/// A campaign of hundreds of earlier detects is counted whole and its most
/// recent listed, leaving out the detect itself (the same log read again)
/// and what a closer relation listed; a second run over a busy log once
/// spent minutes recounting it for every detect.
#[test]
fn a_large_campaign_is_counted_whole_and_listed_without_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = HistoryStore::open(&dir.path().join("history.db")).unwrap();
    let earlier: Vec<_> = (0..300)
        .map(|i| {
            detect(
                &format!("d-{i:03}"),
                DetectKind::ServiceProbe,
                &format!("2000-09-{:02}T08:{:02}:00-04:00", 1 + i / 60, i % 60),
                &[&format!("198.18.{}.{}", i / 200, 1 + i % 200)],
                &[22],
            )
        })
        .collect();
    store_run(&mut store, "run1.log", &earlier, &[]);

    store.begin_run("picket test");
    let campaign = Relation::Campaign {
        kind: "service-probe".into(),
        ports: vec![22],
    };
    // The newest earlier detect, read again: itself is not its own history.
    let again = earlier[299].clone();
    let facts = store.history_of(&again).unwrap();
    assert_eq!(group(&facts, &campaign).total, 299);
    let listed = related_ids(&facts, &campaign);
    assert!(!listed.contains(&"d-299".to_string()), "{listed:?}");
    // A closer relation (the same /24) lists the newest others first; the
    // campaign lists the ones after them.
    let network = Relation::SameNetwork {
        network: "198.18.1.0/24".into(),
    };
    let closer = related_ids(&facts, &network);
    assert_eq!(closer, ["d-298", "d-297", "d-296"]);
    assert_eq!(listed, ["d-295", "d-294", "d-293"]);

    // A new source of the same campaign, on a network never seen.
    let newcomer = detect(
        "d-new",
        DetectKind::ServiceProbe,
        "2000-10-01T10:00:00-04:00",
        &["192.0.2.7"],
        &[22],
    );
    let facts = store.history_of(&newcomer).unwrap();
    assert_eq!(group(&facts, &campaign).total, 300);
    assert_eq!(related_ids(&facts, &campaign), ["d-299", "d-298", "d-297"]);
}
