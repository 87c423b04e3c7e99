//! The queries behind `picket history`: recent detects, one source's record,
//! the sources that come back most, and pruning old rows. Each returns a
//! plain struct that serialises to JSON; `render` turns them into text.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rusqlite::types::Value;
use rusqlite::{Connection, TransactionBehavior, params};
use serde::Serialize;

use crate::HistoryStore;
use crate::error::{HistoryError, HistoryErrorKind, HistoryResult};
use crate::facts::{SourceFacts, source_facts};
use crate::keys::{domain_of, network_of, normalize_source};
use crate::past::{Filter, PastDetect, count, list};

/// Detects listed in a source's record.
pub const RECORD_DETECTS: usize = 10;

/// Related sources listed in a source's record.
pub const RECORD_RELATED: usize = 10;

/// A capped list of past detects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DetectList {
    /// The most recent first.
    pub detects: Vec<PastDetect>,
    /// How many matched before capping.
    pub total: u64,
}

/// How many detects of one kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KindCount {
    /// The contract's `kind`.
    pub kind: String,
    /// Detects of that kind.
    pub detects: u64,
}

/// Another source sharing a network or domain with the one asked about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RelatedSource {
    /// The other source.
    pub source: String,
    /// What they share (`203.0.113.0/24`, `example.net`).
    pub via: String,
    /// Detects it was a source of.
    pub detects: u64,
    /// Days it was seen on.
    pub days_seen: u64,
    /// The last day it was seen.
    pub last_seen: Option<String>,
}

/// Everything the store holds about one source (an address or a name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceRecord {
    /// Days, detects, packets and pattern.
    #[serde(flatten)]
    pub summary: SourceFacts,
    /// Its network (/24 or /48), for an address.
    pub network: Option<String>,
    /// Its registrable domain, for a name.
    pub domain: Option<String>,
    /// Its detects per kind, most first.
    pub kinds: Vec<KindCount>,
    /// Its most recent detects (at most [`RECORD_DETECTS`]).
    pub recent: DetectList,
    /// Other sources of its network or domain, most detects first (at most
    /// [`RECORD_RELATED`]).
    pub related_sources: Vec<RelatedSource>,
    /// How many such sources there are.
    pub related_sources_total: u64,
}

/// A source ranked by how often it comes back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceRank {
    /// The source.
    pub source: String,
    /// Days it was seen on.
    pub days_seen: u64,
    /// Detects it was a source of (counted on their first day).
    pub detects: u64,
    /// Packets counted from it.
    pub packets: u64,
    /// First day seen.
    pub first_seen: String,
    /// Last day seen.
    pub last_seen: String,
}

/// What pruning removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PruneStats {
    /// The cutoff, RFC 3339.
    pub cutoff: String,
    /// Detects whose last packet came before the cutoff (with their sources,
    /// targets, ports and evidence).
    pub detects: u64,
    /// Source/day counters of days before the cutoff.
    pub source_days: u64,
    /// Input records last read before the cutoff.
    pub inputs: u64,
    /// Runs left with nothing stored.
    pub runs: u64,
}

impl HistoryStore {
    /// Detects whose last packet came at or after `since` (all when `None`),
    /// the most recent first, at most `limit`.
    pub fn recent_detects(
        &self,
        since: Option<Timestamp>,
        limit: usize,
    ) -> HistoryResult<DetectList> {
        let filter = match since {
            Some(t) => Filter::all().and(
                "COALESCE(d.last_unix, d.first_unix) >= ?",
                [Value::Integer(t.as_second())],
            ),
            None => Filter::all(),
        };
        self.read(|conn| {
            Ok(DetectList {
                detects: list(conn, &filter, limit)?,
                total: count(conn, &filter)?,
            })
        })
    }

    /// One source's record: an address or a name as the detects print it.
    /// A source never seen gives a record with no days and no detects (its
    /// network or domain may still have related sources).
    pub fn source_record(&self, source: &str) -> HistoryResult<SourceRecord> {
        let source = normalize_source(source);
        self.read(|conn| record(conn, &source))
    }

    /// The sources seen on the most days (then in the most detects), counting
    /// days from `since` on (all when `None`), at most `limit`.
    pub fn top_sources(
        &self,
        since: Option<jiff::civil::Date>,
        limit: usize,
    ) -> HistoryResult<Vec<SourceRank>> {
        let since = since.map(|d| d.to_string()).unwrap_or_default();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT source, COUNT(*), CAST(total(detects) AS INTEGER),
                        CAST(total(packets) AS INTEGER), MIN(day), MAX(day)
                 FROM source_days WHERE day >= ?1
                 GROUP BY source
                 ORDER BY COUNT(*) DESC, total(detects) DESC, source
                 LIMIT ?2",
            )?
            .query_map(params![since, limit], |row| {
                Ok(SourceRank {
                    source: row.get(0)?,
                    days_seen: nonnegative(row.get(1)?),
                    detects: nonnegative(row.get(2)?),
                    packets: nonnegative(row.get(3)?),
                    first_seen: row.get(4)?,
                    last_seen: row.get(5)?,
                })
            })?
            .collect()
        })
    }

    /// Removes what is older than `cutoff`: detects whose last packet came
    /// before it, daily counters of earlier days (UTC), input records last
    /// read before it, and runs left empty. One transaction.
    pub fn prune(&mut self, cutoff: Timestamp) -> HistoryResult<PruneStats> {
        if self.read_only {
            return Err(HistoryError::new(
                HistoryErrorKind::ReadOnly,
                &self.path,
                "the database was opened read-only",
            ));
        }
        let cut = cutoff.as_second();
        let day = cutoff.to_zoned_datetime(TimeZone::UTC).date().to_string();
        self.with_retry(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let detects = tx.execute(
                "DELETE FROM detects WHERE COALESCE(last_unix, first_unix,
                     (SELECT started_unix FROM runs WHERE runs.id = detects.run)) < ?1",
                [cut],
            )?;
            let source_days = tx.execute("DELETE FROM source_days WHERE day < ?1", [&day])?;
            let inputs = tx.execute("DELETE FROM inputs WHERE last_read_unix < ?1", [cut])?;
            let runs = tx.execute(
                "DELETE FROM runs WHERE started_unix < ?1
                     AND id NOT IN (SELECT run FROM detects)
                     AND id NOT IN (SELECT last_run FROM inputs WHERE last_run IS NOT NULL)",
                [cut],
            )?;
            tx.commit()?;
            Ok(PruneStats {
                cutoff: cutoff.to_string(),
                detects: detects as u64,
                source_days: source_days as u64,
                inputs: inputs as u64,
                runs: runs as u64,
            })
        })
    }
}

/// The instant `age` before `now`, for `prune --older-than`: a number and a
/// unit, `h` (hours), `d` (days) or `w` (weeks), as in `90d`; a bare number
/// is days. `None` when the text is not such an age.
pub fn cutoff_for_age(now: Timestamp, age: &str) -> Option<Timestamp> {
    let age = age.trim();
    let digits = age.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = (age.get(..digits)?, age.get(digits..)?);
    let number: i64 = number.parse().ok()?;
    let hours = match unit.trim() {
        "h" => number,
        "" | "d" => number.checked_mul(24)?,
        "w" => number.checked_mul(24 * 7)?,
        _ => return None,
    };
    let seconds = hours.checked_mul(3600)?;
    now.checked_sub(jiff::SignedDuration::from_secs(seconds))
        .ok()
}

/// A count read back from SQLite, never negative.
fn nonnegative(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn record(conn: &Connection, source: &str) -> rusqlite::Result<SourceRecord> {
    let summary = source_facts(conn, source, &Filter::all())?;
    let mine = Filter::all().and(
        "d.id IN (SELECT detect FROM detect_sources WHERE source = ?)",
        [Value::Text(source.to_string())],
    );
    let kinds = conn
        .prepare_cached(
            "SELECT d.kind, COUNT(*) FROM detects d JOIN detect_sources s ON s.detect = d.id
             WHERE s.source = ?1 GROUP BY d.kind ORDER BY COUNT(*) DESC, d.kind",
        )?
        .query_map([source], |row| {
            Ok(KindCount {
                kind: row.get(0)?,
                detects: nonnegative(row.get(1)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let recent = DetectList {
        detects: list(conn, &mine, RECORD_DETECTS)?,
        total: count(conn, &mine)?,
    };
    let network = network_of(source);
    let domain = domain_of(source);
    let (column, key) = match (&network, &domain) {
        (Some(n), _) => ("network", Some(n.clone())),
        (None, Some(d)) => ("domain", Some(d.clone())),
        (None, None) => ("network", None),
    };
    let (related_sources, related_sources_total) = match key {
        Some(key) => related_sources(conn, source, column, &key)?,
        None => (Vec::new(), 0),
    };
    Ok(SourceRecord {
        summary,
        network,
        domain,
        kinds,
        recent,
        related_sources,
        related_sources_total,
    })
}

/// Other sources sharing `key` in `column` (`network` or `domain`).
fn related_sources(
    conn: &Connection,
    source: &str,
    column: &str,
    key: &str,
) -> rusqlite::Result<(Vec<RelatedSource>, u64)> {
    let column = if column == "domain" {
        "domain"
    } else {
        "network"
    };
    let sql = format!(
        "SELECT s.source, COUNT(DISTINCT s.detect),
                (SELECT COUNT(*) FROM source_days sd WHERE sd.source = s.source),
                (SELECT MAX(day) FROM source_days sd WHERE sd.source = s.source)
         FROM detect_sources s
         WHERE s.{column} = ?1 AND s.source != ?2
         GROUP BY s.source ORDER BY COUNT(DISTINCT s.detect) DESC, s.source LIMIT ?3"
    );
    let sources = conn
        .prepare_cached(&sql)?
        .query_map(params![key, source, RECORD_RELATED as i64], |row| {
            Ok(RelatedSource {
                source: row.get(0)?,
                via: key.to_string(),
                detects: nonnegative(row.get(1)?),
                days_seen: nonnegative(row.get(2)?),
                last_seen: row.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let total_sql = format!(
        "SELECT COUNT(DISTINCT source) FROM detect_sources WHERE {column} = ?1 AND source != ?2"
    );
    let total: i64 = conn
        .prepare_cached(&total_sql)?
        .query_row(params![key, source], |row| row.get(0))?;
    Ok((sources, nonnegative(total)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_give_cutoffs() {
        let now: Timestamp = "2000-12-31T00:00:00Z".parse().unwrap();
        assert_eq!(
            cutoff_for_age(now, "90d").unwrap().to_string(),
            "2000-10-02T00:00:00Z"
        );
        assert_eq!(
            cutoff_for_age(now, "2w").unwrap().to_string(),
            "2000-12-17T00:00:00Z"
        );
        assert_eq!(
            cutoff_for_age(now, "36h").unwrap().to_string(),
            "2000-12-29T12:00:00Z"
        );
        assert_eq!(
            cutoff_for_age(now, "7").unwrap().to_string(),
            "2000-12-24T00:00:00Z"
        );
        assert_eq!(cutoff_for_age(now, "d"), None);
        assert_eq!(cutoff_for_age(now, "9m"), None);
        assert_eq!(cutoff_for_age(now, "99999999999999999999d"), None);
    }
}
