//! What the store knows about a detect before this run: for each source,
//! when it was first seen, on how many days and in how many detects, and on
//! what schedule; and the earlier detects related to it by source, network,
//! domain, tool signature or campaign.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use jiff::civil::Date;
use picket_model::Detect;
use rusqlite::types::Value;
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::HistoryStore;
use crate::error::HistoryResult;
use crate::keys::{domain_of, network_of, normalize_source};
use crate::past::{Filter, PastDetect, count, count_at_most, list, placeholders, texts};
use crate::regularity::{Regularity, regularity};
use crate::time::parse_day;

/// Sources described per detect; `sources_total` says how many there were.
pub const SOURCES_SHOWN: usize = 5;

/// Past detects listed per relation; each group's `total` says how many.
pub const RELATED_SHOWN: usize = 3;

/// Sources of a detect used to look for related ones (a forged flood can
/// carry thousands).
const SOURCES_LOOKED_UP: usize = 16;

/// Networks and domains looked up per detect.
const KEYS_LOOKED_UP: usize = 3;

/// A campaign is the same kind at the same port or few ports: detects with
/// more ports than this (scans) are not matched by port.
const CAMPAIGN_MAX_PORTS: usize = 4;

/// Days read per source for its pattern: the most recent ones.
const PATTERN_DAYS: i64 = 400;

/// What the store knew about one source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceFacts {
    /// The source, normalised as stored.
    pub source: String,
    /// The first day it was seen (`YYYY-MM-DD`, as logged).
    pub first_seen: Option<String>,
    /// The last day it was seen.
    pub last_seen: Option<String>,
    /// Distinct days it was seen on.
    pub days_seen: u64,
    /// Earlier detects it was a source of.
    pub detects_seen: u64,
    /// Packets counted from it.
    pub packets: u64,
    /// The schedule of its days.
    pub regularity: Regularity,
}

impl SourceFacts {
    /// Whether the source was never seen before.
    pub fn is_new(&self) -> bool {
        self.days_seen == 0 && self.detects_seen == 0
    }
}

/// Why past detects are related to this one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "relation", rename_all = "kebab-case")]
pub enum Relation {
    /// They share a source.
    SameSource,
    /// Another source in the same /24 (IPv4) or /48 (IPv6).
    SameNetwork {
        /// The network (`203.0.113.0/24`).
        network: String,
    },
    /// Another name under the same registrable domain.
    SameDomain {
        /// The domain (`example.net`).
        domain: String,
    },
    /// Another source whose packets carry the same tool signature.
    SameToolSignature {
        /// The signature.
        signature: String,
    },
    /// Another source, the same kind of activity at the same port(s).
    Campaign {
        /// The contract's `kind`.
        kind: String,
        /// The shared ports looked for.
        ports: Vec<u16>,
    },
}

/// Past detects related to this one in one way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RelatedGroup {
    /// How they are related.
    pub relation: Relation,
    /// The most recent of them (at most [`RELATED_SHOWN`]).
    pub detects: Vec<PastDetect>,
    /// How many there are.
    pub total: u64,
}

/// Everything the store knew about a detect before this run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryFacts {
    /// Facts for the detect's first sources (at most [`SOURCES_SHOWN`]).
    pub sources: Vec<SourceFacts>,
    /// How many distinct sources the detect has.
    pub sources_total: u64,
    /// Related past detects, grouped by relation; empty groups are left out.
    pub related: Vec<RelatedGroup>,
}

impl HistoryStore {
    /// What was seen before of `detect`'s sources and of detects related to
    /// it. Call it before storing the run's inputs: detects of the current
    /// run (see [`HistoryStore::begin_run`]) and the detect itself are left
    /// out, but daily counters stored earlier in this run would count.
    pub fn history_of(&self, detect: &Detect) -> HistoryResult<HistoryFacts> {
        if self.nothing_stored {
            return Ok(first_sight(detect));
        }
        let run = self.current_run.clone().unwrap_or_default();
        self.read(|conn| facts_for(conn, detect, &run, &self.large_groups))
    }
}

/// Past detects in one relation, counted and listed once per run because
/// they are many (a campaign at port 22, a common tool signature).
#[derive(Debug)]
pub(crate) struct LargeGroup {
    total: u64,
    recent: Vec<PastDetect>,
}

/// How many earlier detects one relation holds for a detect.
enum Found {
    /// At most [`LARGE_GROUP`], counted for this detect.
    Few(u64),
    /// More: the relation's whole group, read once per run.
    Large(Rc<LargeGroup>),
}

/// Large groups by relation clause and values, looked up once per run.
/// Emptied when a run begins and when it stores.
pub(crate) type LargeGroups = RefCell<HashMap<String, Rc<LargeGroup>>>;

/// Detects in a relation above which it is counted and listed once per run:
/// counting it for every detect, less the detects a closer relation claimed,
/// made a second run over a busy log quadratic (a 12,000-detect campaign
/// took 54 ms per detect, for each of 96,000 detects).
const LARGE_GROUP: u64 = 64;

/// Past detects listed from a large group, before the detect itself and
/// those listed under closer relations are left out.
const LARGE_GROUP_LISTED: usize = RELATED_SHOWN + 8;

/// A large relation's whole group, counted and listed once per run and
/// kept under `key`.
fn large_group(
    conn: &Connection,
    large: &LargeGroups,
    key: String,
    clause: &str,
    values: &[Value],
    run: &str,
) -> rusqlite::Result<Rc<LargeGroup>> {
    let all = earlier_runs(run).and(clause, values.iter().cloned());
    let group = Rc::new(LargeGroup {
        total: count(conn, &all)?,
        recent: list(conn, &all, LARGE_GROUP_LISTED)?,
    });
    large.borrow_mut().insert(key, group.clone());
    Ok(group)
}

/// Detects stored by runs other than `run`.
fn earlier_runs(run: &str) -> Filter {
    Filter::all().and(
        "d.run NOT IN (SELECT id FROM runs WHERE key = ?)",
        [Value::Text(run.to_string())],
    )
}

/// Whether an earlier run stored `detect` itself (the same log read again).
fn stored_before(conn: &Connection, detect: &Detect, run: &str) -> rusqlite::Result<bool> {
    let itself = earlier_runs(run).and(
        "d.detect_id = ? AND d.first_seen = ?",
        [
            Value::Text(detect.id.clone()),
            Value::Text(detect.first_seen.clone()),
        ],
    );
    Ok(count_at_most(conn, &itself, 1)? > 0)
}

/// A detect's group from a large one: the whole relation, less the detect
/// itself; the listed detects also leave out those listed under a closer
/// relation. (Among so many, the count does not leave out every detect a
/// closer relation claimed: that is what made it cost so much.)
fn from_large(
    relation: Relation,
    large: &LargeGroup,
    detect: &Detect,
    closer: &[RelatedGroup],
    itself_stored: bool,
) -> RelatedGroup {
    let itself = |d: &PastDetect| d.id == detect.id && d.first_seen == detect.first_seen;
    let listed = |d: &PastDetect| {
        closer
            .iter()
            .flat_map(|g| &g.detects)
            .any(|c| c.id == d.id && c.first_seen == d.first_seen)
    };
    RelatedGroup {
        relation,
        detects: large
            .recent
            .iter()
            .filter(|d| !itself(d) && !listed(d))
            .take(RELATED_SHOWN)
            .cloned()
            .collect(),
        total: large.total.saturating_sub(u64::from(itself_stored)),
    }
}

/// What [`facts_for`] finds in a store that holds nothing: every source
/// new, no related detect. A first run over a large log skips its queries.
fn first_sight(detect: &Detect) -> HistoryFacts {
    let sources = distinct_sources(detect);
    HistoryFacts {
        sources: sources
            .iter()
            .take(SOURCES_SHOWN)
            .map(|source| SourceFacts {
                source: source.clone(),
                first_seen: None,
                last_seen: None,
                days_seen: 0,
                detects_seen: 0,
                packets: 0,
                regularity: regularity(&[]),
            })
            .collect(),
        sources_total: sources.len() as u64,
        related: Vec::new(),
    }
}

/// The detect's distinct sources, normalised, in their order.
fn distinct_sources(detect: &Detect) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    detect
        .sources
        .iter()
        .map(|s| normalize_source(s))
        .filter(|s| !s.is_empty() && seen.insert(s.clone()))
        .collect()
}

fn facts_for(
    conn: &Connection,
    detect: &Detect,
    run: &str,
    large: &LargeGroups,
) -> rusqlite::Result<HistoryFacts> {
    let sources = distinct_sources(detect);
    let looked_up: Vec<String> = sources.iter().take(SOURCES_LOOKED_UP).cloned().collect();
    let earlier = earlier_runs(run).and(
        "NOT (d.detect_id = ? AND d.first_seen = ?)",
        [
            Value::Text(detect.id.clone()),
            Value::Text(detect.first_seen.clone()),
        ],
    );
    let facts = sources
        .iter()
        .take(SOURCES_SHOWN)
        .map(|s| source_facts(conn, s, &earlier))
        .collect::<rusqlite::Result<Vec<_>>>()?;

    // Each past detect is listed under the first relation that claims it,
    // in this order: same source, network, domain, tool, campaign.
    let in_list = placeholders(looked_up.len());
    let mut relations: Vec<(Relation, String, Vec<Value>)> = vec![(
        Relation::SameSource,
        format!("d.id IN (SELECT detect FROM detect_sources WHERE source IN ({in_list}))"),
        texts(&looked_up),
    )];
    for network in distinct_keys(&looked_up, network_of) {
        relations.push((
            Relation::SameNetwork {
                network: network.clone(),
            },
            "d.id IN (SELECT detect FROM detect_sources WHERE network = ?)".to_string(),
            vec![Value::Text(network)],
        ));
    }
    for domain in distinct_keys(&looked_up, domain_of) {
        relations.push((
            Relation::SameDomain {
                domain: domain.clone(),
            },
            "d.id IN (SELECT detect FROM detect_sources WHERE domain = ?)".to_string(),
            vec![Value::Text(domain)],
        ));
    }
    if let Some(signature) = detect.tool_signature.as_ref().filter(|s| !s.is_empty()) {
        relations.push((
            Relation::SameToolSignature {
                signature: signature.clone(),
            },
            // Its negation must hold for detects without a signature (NOT
            // of a comparison with NULL is NULL), and the index on signatures
            // must serve it (`IS ?` might match NULL, so it could not).
            "d.tool_signature IS NOT NULL AND d.tool_signature = ?".to_string(),
            vec![Value::Text(signature.clone())],
        ));
    }
    let ports = &detect.target_ports;
    if (1..=CAMPAIGN_MAX_PORTS).contains(&ports.len()) {
        let mut values = vec![Value::Text(detect.kind.as_str().to_string())];
        values.extend(ports.iter().map(|p| Value::Integer(i64::from(*p))));
        relations.push((
            Relation::Campaign {
                kind: detect.kind.as_str().to_string(),
                ports: ports.clone(),
            },
            format!(
                "d.kind = ? AND d.id IN (SELECT detect FROM detect_ports WHERE port IN ({}))",
                placeholders(ports.len())
            ),
            values,
        ));
    }
    let mut groups = Vec::new();
    let mut unclaimed = earlier;
    let mut itself_stored = None;
    for (relation, clause, values) in relations {
        let key = format!("{clause}\u{1f}{values:?}");
        let filter = unclaimed.and(&clause, values.iter().cloned());
        // A relation known to be large is not queried again in this run;
        // otherwise counting stops past a large group's size, so that a
        // campaign of thousands costs no more than one of a few.
        let known = large.borrow().get(&key).cloned();
        let found = match known {
            Some(group) => Found::Large(group),
            None => match count_at_most(conn, &filter, LARGE_GROUP + 1)? {
                total if total > LARGE_GROUP => {
                    Found::Large(large_group(conn, large, key, &clause, &values, run)?)
                }
                total => Found::Few(total),
            },
        };
        match found {
            Found::Large(group) => {
                let itself = match itself_stored {
                    Some(known) => known,
                    None => *itself_stored.insert(stored_before(conn, detect, run)?),
                };
                groups.push(from_large(relation, &group, detect, &groups, itself));
            }
            Found::Few(0) => {}
            Found::Few(total) => groups.push(RelatedGroup {
                relation,
                detects: list(conn, &filter, RELATED_SHOWN)?,
                total,
            }),
        }
        unclaimed = unclaimed.and(&format!("NOT ({clause})"), values);
    }
    Ok(HistoryFacts {
        sources: facts,
        sources_total: sources.len() as u64,
        related: groups,
    })
}

/// The distinct networks or domains of the sources, at most
/// [`KEYS_LOOKED_UP`].
fn distinct_keys(sources: &[String], key: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for k in sources.iter().filter_map(|s| key(s)) {
        if !keys.contains(&k) {
            keys.push(k);
        }
        if keys.len() == KEYS_LOOKED_UP {
            break;
        }
    }
    keys
}

/// What the store knows of one source, counting detects that pass `earlier`.
pub(crate) fn source_facts(
    conn: &Connection,
    source: &str,
    earlier: &Filter,
) -> rusqlite::Result<SourceFacts> {
    // The most recent days, one more than the pattern reads: when that one
    // is missing, these rows are all the source's days, and the counters
    // come from them without a second query.
    let recent: Vec<(String, Option<i64>, i64)> = conn
        .prepare_cached(
            "SELECT day, first_minute, packets FROM source_days WHERE source = ?1
             ORDER BY day DESC LIMIT ?2",
        )?
        .query_map(params![source, PATTERN_DAYS + 1], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let (days, first, last, packets): (i64, Option<String>, Option<String>, Option<i64>) =
        if i64::try_from(recent.len()).is_ok_and(|n| n <= PATTERN_DAYS) {
            let total: i128 = recent.iter().map(|(_, _, p)| i128::from(*p)).sum();
            (
                recent.len() as i64,
                recent.last().map(|(day, _, _)| day.clone()),
                recent.first().map(|(day, _, _)| day.clone()),
                Some(i64::try_from(total).unwrap_or(if total < 0 { i64::MIN } else { i64::MAX })),
            )
        } else {
            conn.prepare_cached(
                "SELECT COUNT(*), MIN(day), MAX(day), CAST(total(packets) AS INTEGER)
                 FROM source_days WHERE source = ?1",
            )?
            .query_row([source], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?
        };
    let detects = count(
        conn,
        &earlier.and(
            "d.id IN (SELECT detect FROM detect_sources WHERE source = ?)",
            [Value::Text(source.to_string())],
        ),
    )?;
    let pattern_days: Vec<(Date, Option<u16>)> = recent
        .iter()
        .take(PATTERN_DAYS as usize)
        .filter_map(|(day, minute, _)| {
            parse_day(day).map(|d| (d, minute.and_then(|m| u16::try_from(m).ok())))
        })
        .collect();
    Ok(SourceFacts {
        source: source.to_string(),
        first_seen: first,
        last_seen: last,
        days_seen: u64::try_from(days).unwrap_or(0),
        detects_seen: detects,
        packets: packets.and_then(|p| u64::try_from(p).ok()).unwrap_or(0),
        regularity: regularity(&pattern_days),
    })
}

#[cfg(test)]
mod tests {
    use picket_model::{DetectKind, Severity, SeverityLevel, Spoofed};

    use super::*;

    fn detect(id: &str, sources: &[&str], ports: &[u16], signature: Option<&str>) -> Detect {
        Detect {
            id: id.to_string(),
            title: String::new(),
            first_seen: "2024-03-12T10:00:00Z".to_string(),
            last_seen: "2024-03-12T10:05:00Z".to_string(),
            sensors: vec!["netfilter".to_string()],
            sources: sources.iter().map(|s| s.to_string()).collect(),
            targets: vec!["192.0.2.1".to_string()],
            protocols: vec!["tcp".to_string()],
            target_ports: ports.to_vec(),
            packets: 3,
            kind: DetectKind::ServiceProbe,
            scan_type: None,
            spoofed: Spoofed::Unlikely,
            active_targeting: String::new(),
            intent: String::new(),
            technique: String::new(),
            history: String::new(),
            identity: String::new(),
            severity: Severity {
                criticality: 3,
                lethality: 2,
                system_countermeasures: 4,
                network_countermeasures: 4,
                score: -3,
                level: SeverityLevel::Low,
                reasons: vec![],
            },
            recommendations: vec![],
            observations: vec![],
            evidence: vec![],
            evidence_total: 0,
            related: vec![],
            tool_signature: signature.map(str::to_string),
            sources_total: 0,
        }
    }

    /// A source's counters are the same whether they come from its recent
    /// days (400 or fewer) or from the query over all of them.
    #[test]
    fn source_counters_from_recent_days_match_the_whole_count() {
        let dir = tempfile::tempdir().unwrap();
        let store = HistoryStore::open(&dir.path().join("history.db")).unwrap();
        let start = jiff::civil::date(2023, 1, 1);
        for (source, days) in [("192.0.2.1", 3i64), ("192.0.2.2", 400), ("192.0.2.3", 450)] {
            for n in 0..days {
                let day = start.checked_add(jiff::Span::new().days(n * 2)).unwrap();
                store
                    .conn
                    .execute(
                        "INSERT INTO source_days (source, day, packets, detects, first_minute)
                         VALUES (?1, ?2, ?3, 0, ?4)",
                        params![source, day.to_string(), n * 7 + 1, n % 1440],
                    )
                    .unwrap();
            }
            let facts = source_facts(&store.conn, source, &Filter::all()).unwrap();
            let (count, first, last, packets): (i64, String, String, i64) = store
                .conn
                .query_row(
                    "SELECT COUNT(*), MIN(day), MAX(day), SUM(packets) FROM source_days
                     WHERE source = ?1",
                    [source],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .unwrap();
            assert_eq!(facts.days_seen, count as u64, "{source}");
            assert_eq!(
                facts.first_seen.as_deref(),
                Some(first.as_str()),
                "{source}"
            );
            assert_eq!(facts.last_seen.as_deref(), Some(last.as_str()), "{source}");
            assert_eq!(facts.packets, packets as u64, "{source}");
        }
        let unseen = source_facts(&store.conn, "198.51.100.1", &Filter::all()).unwrap();
        assert!(unseen.is_new());
        assert_eq!((unseen.first_seen, unseen.packets), (None, 0));
    }

    /// A store that holds nothing answers without queries, and exactly as
    /// the queries answer.
    #[test]
    fn an_empty_store_answers_as_its_queries_would() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = HistoryStore::open(&dir.path().join("history.db")).unwrap();
        store.begin_run("test");
        assert!(store.nothing_stored);
        let run = store.current_run.clone().unwrap();
        let many: Vec<String> = (1..=9).map(|i| format!("198.51.100.{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        for d in [
            detect("a", &["203.0.113.9"], &[22], None),
            detect("b", &many, &[23, 2323], Some("ttl:52 win:1024")),
            detect(
                "c",
                &["scanner.example.net", "scanner.example.net"],
                &[],
                None,
            ),
        ] {
            let by_query = facts_for(&store.conn, &d, &run, &store.large_groups).unwrap();
            assert_eq!(store.history_of(&d).unwrap(), by_query, "detect {}", d.id);
            assert!(by_query.sources.iter().all(SourceFacts::is_new));
        }
    }
}
