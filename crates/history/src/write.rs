//! Storing a run, one input at a time, each input in one transaction: its
//! detects (once, however many inputs they draw on), their evidence lines in
//! it, the per-source daily counters, and how far it was read. A run killed
//! at any moment loses at most the input in progress, and the next run reads
//! that input again from where the last committed one stopped.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use picket_model::Detect;
use rusqlite::{Connection, TransactionBehavior, params};
use serde::Serialize;

use crate::HistoryStore;
use crate::error::{HistoryError, HistoryErrorKind, HistoryResult};
use crate::fingerprint::{HEAD_BYTES, InputFingerprint, ReadPlan, ReadPosition};
use crate::keys::{domain_of, network_of, normalize_source};
use crate::store::RunId;
use crate::time::parse_seen;

/// At most this many sources, and as many targets, are stored per detect (a
/// flood of forged sources can carry thousands); the totals are kept.
pub const MAX_STORED_HOSTS: usize = 1024;

/// Evidence text longer than this is cut (at a character boundary).
pub const MAX_EVIDENCE_TEXT: usize = 2048;

/// Packets one source sent on one calendar day (as logged), from the analysis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceDay {
    /// The source, as the detects print it.
    pub source: String,
    /// The day, in the time zone the log was read in.
    pub day: Date,
    /// Packets seen from the source that day.
    pub packets: u64,
    /// When the source first showed up that day, if known: feeds the
    /// "about 15:00" of a daily pattern.
    pub first_time: Option<Time>,
}

impl From<(String, Date, u64)> for SourceDay {
    fn from((source, day, packets): (String, Date, u64)) -> Self {
        SourceDay {
            source,
            day,
            packets,
            first_time: None,
        }
    }
}

/// What one input contributed to a run.
#[derive(Clone, Copy, Debug)]
pub struct InputBatch<'a> {
    /// The path as given on the command line: evidence references naming it
    /// are stored as this input's evidence.
    pub label: &'a str,
    /// The input's fingerprint, taken before reading; `None` for standard
    /// input and other inputs that cannot be recognised again (their
    /// counters are always added).
    pub fingerprint: Option<&'a InputFingerprint>,
    /// Where reading started (the plan's start).
    pub start: ReadPosition,
    /// Where reading stopped: just past the last complete line read.
    pub end: ReadPosition,
    /// The detects that draw on this input (see [`detects_drawing_on`]).
    pub detects: &'a [&'a Detect],
    /// Packets per source per day in the part of the input read.
    pub source_days: &'a [SourceDay],
}

/// What storing one input did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum StoreOutcome {
    /// The bytes read had been stored before (by an earlier run or another
    /// process): nothing was added.
    AlreadyStored,
    /// The input was stored.
    Stored(StoredCounts),
}

/// Counts of what one input added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StoredCounts {
    /// Detects stored for the first time.
    pub new_detects: u64,
    /// Detects already stored (by another input of the run, or before).
    pub known_detects: u64,
    /// Evidence lines added.
    pub evidence: u64,
    /// Source/day counters updated with packets.
    pub source_days: u64,
    /// False when part of the bytes read had already been counted by another
    /// process, so packet counters were left alone rather than counted twice.
    pub packets_counted: bool,
}

/// The detects of a report that name `label` in their evidence: the ones to
/// store with that input. Evidence is capped per detect, so a detect drawing
/// on several inputs may list only some of them; it is stored with those.
pub fn detects_drawing_on<'a>(detects: &'a [Detect], label: &str) -> Vec<&'a Detect> {
    detects
        .iter()
        .filter(|d| d.evidence.iter().any(|e| e.path == label))
        .collect()
}

/// An input the store recorded before, matched to a fingerprint.
#[derive(Clone, Copy, Debug)]
struct KnownInput {
    row: i64,
    position: ReadPosition,
}

impl HistoryStore {
    /// What to read of the input `fp` describes: [`ReadPlan::Skip`] when the
    /// same content was read to its current end, [`ReadPlan::From`] when it
    /// grew, [`ReadPlan::Whole`] when new, rotated or truncated.
    pub fn plan(&self, fp: &InputFingerprint) -> HistoryResult<ReadPlan> {
        let known = self.read(|conn| find_known(conn, fp))?;
        Ok(match known {
            None => ReadPlan::Whole,
            Some(k) if k.position.byte_offset >= fp.size() => ReadPlan::Skip,
            Some(k) => ReadPlan::From {
                byte_offset: k.position.byte_offset,
                line: k.position.line,
            },
        })
    }

    /// Stores what one input contributed to `run`, in one transaction.
    /// Storing the same bytes again adds nothing
    /// ([`StoreOutcome::AlreadyStored`]).
    pub fn store_input(
        &mut self,
        run: &RunId,
        batch: &InputBatch<'_>,
    ) -> HistoryResult<StoreOutcome> {
        if self.read_only {
            return Err(HistoryError::new(
                HistoryErrorKind::ReadOnly,
                &self.path,
                "the database was opened read-only",
            ));
        }
        let now = Timestamp::now().as_second();
        self.nothing_stored = false;
        self.large_groups.borrow_mut().clear();
        self.with_retry(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let outcome = store_in(&tx, run, batch, now)?;
            if let StoreOutcome::Stored(_) = outcome {
                tx.commit()?;
            }
            Ok(outcome)
        })
    }
}

/// Finds the record of an input with the same start: by path, by device and
/// inode (a renamed file), or by a full 4 KiB start (a copy). A record whose
/// read position lies past the current size is a truncated file: not matched.
fn find_known(conn: &Connection, fp: &InputFingerprint) -> rusqlite::Result<Option<KnownInput>> {
    let path = fp.path().to_string_lossy();
    let full_head = fp.head_hash_of(HEAD_BYTES);
    let mut stmt = conn.prepare_cached(
        "SELECT id, path, device, inode, head_len, head_hash, byte_offset, line FROM inputs
         WHERE path = ?1 OR (?3 != 0 AND device = ?2 AND inode = ?3)
            OR (head_len = ?5 AND head_hash = ?4)",
    )?;
    let rows = stmt.query_map(
        params![
            path,
            to_sql(fp.device()),
            to_sql(fp.inode()),
            full_head,
            HEAD_BYTES as i64
        ],
        |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, i64>(6)?,
                row.get::<_, i64>(7)?,
            ))
        },
    )?;
    let mut best: Option<(bool, KnownInput)> = None;
    for row in rows {
        let (id, stored_path, _device, _inode, head_len, head_hash, offset, line) = row?;
        let Ok(head_len) = usize::try_from(head_len) else {
            continue;
        };
        if fp.head_hash_of(head_len).as_deref() != Some(head_hash.as_str()) {
            continue;
        }
        let position = ReadPosition {
            byte_offset: u64::try_from(offset).unwrap_or(0),
            line: u64::try_from(line).unwrap_or(0),
        };
        if position.byte_offset > fp.size() {
            continue;
        }
        let same_path = stored_path == path;
        let candidate = (same_path, KnownInput { row: id, position });
        let better = match &best {
            None => true,
            Some((best_path, b)) => {
                (position.byte_offset, same_path) > (b.position.byte_offset, *best_path)
            }
        };
        if better {
            best = Some(candidate);
        }
    }
    Ok(best.map(|(_, k)| k))
}

/// The body of one input's transaction.
fn store_in(
    tx: &Connection,
    run: &RunId,
    batch: &InputBatch<'_>,
    now: i64,
) -> rusqlite::Result<StoreOutcome> {
    let known = match batch.fingerprint {
        Some(fp) => find_known(tx, fp)?,
        None => None,
    };
    if let Some(k) = known
        && batch.end.byte_offset <= k.position.byte_offset
    {
        return Ok(StoreOutcome::AlreadyStored);
    }
    let run_row = upsert_run(tx, run)?;
    let input_row = match batch.fingerprint {
        Some(fp) => Some(upsert_input(tx, fp, known, batch.end, run_row, now)?),
        None => None,
    };
    let mut counts = StoredCounts {
        packets_counted: known.is_none_or(|k| batch.start.byte_offset >= k.position.byte_offset),
        ..StoredCounts::default()
    };
    for detect in batch.detects {
        let (row, new) = store_detect(tx, detect, run_row)?;
        if new {
            counts.new_detects += 1;
        } else {
            counts.known_detects += 1;
        }
        counts.evidence += store_evidence(tx, detect, row, input_row, batch.label)?;
    }
    if counts.packets_counted {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO source_days (source, day, packets, detects, first_minute)
             VALUES (?1, ?2, ?3, 0, ?4)
             ON CONFLICT (source, day) DO UPDATE SET
                 packets = MIN(packets + excluded.packets, 9223372036854775807),
                 first_minute = COALESCE(MIN(first_minute, excluded.first_minute),
                                         first_minute, excluded.first_minute)",
        )?;
        for day in batch.source_days {
            let minute = day
                .first_time
                .map(|t| i64::from(t.hour()) * 60 + i64::from(t.minute()));
            upsert.execute(params![
                normalize_source(&day.source),
                day.day.to_string(),
                to_sql(day.packets),
                minute
            ])?;
            counts.source_days += 1;
        }
    }
    Ok(StoreOutcome::Stored(counts))
}

/// The run's row, created by its first input.
fn upsert_run(tx: &Connection, run: &RunId) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO runs (key, started_at, started_unix, generator) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO NOTHING",
    )?
    .execute(params![
        run.key,
        run.started.to_string(),
        run.started.as_second(),
        run.generator
    ])?;
    tx.prepare_cached("SELECT id FROM runs WHERE key = ?1")?
        .query_row([&run.key], |row| row.get(0))
}

/// Records the input's identity, start and new read position.
fn upsert_input(
    tx: &Connection,
    fp: &InputFingerprint,
    known: Option<KnownInput>,
    end: ReadPosition,
    run_row: i64,
    now: i64,
) -> rusqlite::Result<i64> {
    let path = fp.path().to_string_lossy();
    let head_len = i64::try_from(fp.head_len()).unwrap_or(0);
    match known {
        Some(k) => {
            tx.prepare_cached(
                "UPDATE inputs SET path = ?2, label = ?3, device = ?4, inode = ?5, head_len = ?6,
                     head_hash = ?7, size = ?8, byte_offset = ?9, line = ?10,
                     last_read_unix = ?11, last_run = ?12
                 WHERE id = ?1",
            )?
            .execute(params![
                k.row,
                path,
                fp.label(),
                to_sql(fp.device()),
                to_sql(fp.inode()),
                head_len,
                fp.head_hash(),
                to_sql(fp.size()),
                to_sql(end.byte_offset),
                to_sql(end.line),
                now,
                run_row
            ])?;
            Ok(k.row)
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO inputs (path, label, device, inode, head_len, head_hash, size,
                     byte_offset, line, first_read_unix, last_read_unix, last_run)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)",
            )?
            .execute(params![
                path,
                fp.label(),
                to_sql(fp.device()),
                to_sql(fp.inode()),
                head_len,
                fp.head_hash(),
                to_sql(fp.size()),
                to_sql(end.byte_offset),
                to_sql(end.line),
                now,
                run_row
            ])?;
            Ok(tx.last_insert_rowid())
        }
    }
}

/// Stores a detect unless it is already stored (same id and first seen);
/// returns its row and whether it was new. A detect seen again has its last
/// seen time and packet count raised if they grew.
fn store_detect(tx: &Connection, d: &Detect, run_row: i64) -> rusqlite::Result<(i64, bool)> {
    let first = parse_seen(&d.first_seen);
    let last = parse_seen(&d.last_seen);
    let protocols = serde_json::to_string(&d.protocols).unwrap_or_else(|_| "[]".into());
    let inserted = tx
        .prepare_cached(
            "INSERT INTO detects (detect_id, first_seen, last_seen, first_unix, last_unix, day,
                 minute, kind, scan_type, severity_level, severity_score, packets,
                 tool_signature, title, protocols, run, sources_total, targets_total)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18)
             ON CONFLICT (detect_id, first_seen) DO NOTHING",
        )?
        .execute(params![
            d.id,
            d.first_seen,
            d.last_seen,
            first.unix,
            last.unix,
            first.day.map(|day| day.to_string()),
            first.minute,
            d.kind.as_str(),
            d.scan_type.map(|s| s.as_str()),
            d.severity.level.as_str(),
            d.severity.score,
            to_sql(d.packets),
            d.tool_signature,
            d.title,
            protocols,
            run_row,
            to_sql(d.source_count()),
            to_sql(d.targets.len() as u64)
        ])?;
    if inserted == 0 {
        let row: i64 = tx
            .prepare_cached("SELECT id FROM detects WHERE detect_id = ?1 AND first_seen = ?2")?
            .query_row(params![d.id, d.first_seen], |row| row.get(0))?;
        tx.prepare_cached(
            "UPDATE detects SET packets = MAX(packets, ?2),
                 last_seen = CASE WHEN ?4 > COALESCE(last_unix, -9223372036854775808)
                                  THEN ?3 ELSE last_seen END,
                 last_unix = MAX(COALESCE(last_unix, ?4), COALESCE(?4, last_unix))
             WHERE id = ?1",
        )?
        .execute(params![row, to_sql(d.packets), d.last_seen, last.unix])?;
        return Ok((row, false));
    }
    let row = tx.last_insert_rowid();
    let mut sources: Vec<String> = d.sources.iter().map(|s| normalize_source(s)).collect();
    sources.sort_unstable();
    sources.dedup();
    let mut add_source = tx.prepare_cached(
        "INSERT OR IGNORE INTO detect_sources (detect, source, network, domain)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut count_day = tx.prepare_cached(
        "INSERT INTO source_days (source, day, packets, detects, first_minute)
         VALUES (?1, ?2, 0, 1, ?3)
         ON CONFLICT (source, day) DO UPDATE SET detects = detects + 1,
             first_minute = COALESCE(MIN(first_minute, excluded.first_minute),
                                     first_minute, excluded.first_minute)",
    )?;
    for source in sources.iter().take(MAX_STORED_HOSTS) {
        add_source.execute(params![row, source, network_of(source), domain_of(source)])?;
        if let Some(day) = first.day {
            count_day.execute(params![source, day.to_string(), first.minute])?;
        }
    }
    let mut add_target =
        tx.prepare_cached("INSERT OR IGNORE INTO detect_targets (detect, target) VALUES (?1, ?2)")?;
    for target in d.targets.iter().take(MAX_STORED_HOSTS) {
        add_target.execute(params![row, normalize_source(target)])?;
    }
    let mut add_port =
        tx.prepare_cached("INSERT OR IGNORE INTO detect_ports (detect, port) VALUES (?1, ?2)")?;
    for port in &d.target_ports {
        add_port.execute(params![row, port])?;
    }
    Ok((row, true))
}

/// Stores the detect's evidence lines that come from this input.
fn store_evidence(
    tx: &Connection,
    d: &Detect,
    detect_row: i64,
    input_row: Option<i64>,
    label: &str,
) -> rusqlite::Result<u64> {
    let mut add = tx.prepare_cached(
        "INSERT OR IGNORE INTO evidence (detect, input, path, line, text)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut added = 0;
    for evidence in d.evidence.iter().filter(|e| e.path == label) {
        let text = evidence.text.as_deref().map(|t| cut(t, MAX_EVIDENCE_TEXT));
        added += add.execute(params![
            detect_row,
            input_row,
            evidence.path,
            to_sql(evidence.line),
            text
        ])? as u64;
    }
    Ok(added)
}

/// The longest prefix of `text` of at most `max` bytes ending on a character
/// boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or("")
}

/// A count as SQLite stores it (signed 64 bits), saturating.
pub(crate) fn to_sql(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_whole_characters() {
        assert_eq!(cut("abc", 10), "abc");
        assert_eq!(cut("aé", 2), "a");
        assert_eq!(cut("aé", 3), "aé");
    }

    #[test]
    fn counts_saturate() {
        assert_eq!(to_sql(u64::MAX), i64::MAX);
        assert_eq!(to_sql(7), 7);
    }
}
