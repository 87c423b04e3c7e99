//! A detect read back from the store, and the filtered, capped lists of
//! them that history sentences and `picket history` show.

use picket_model::DetectKind;
use rusqlite::types::Value;
use rusqlite::{Connection, params, params_from_iter};
use serde::Serialize;

/// Sources listed per past detect; `sources_total` says how many there were.
pub const SOURCES_PER_DETECT: usize = 3;

/// Target ports listed per past detect.
pub const PORTS_PER_DETECT: usize = 8;

/// A detect stored by an earlier run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PastDetect {
    /// The detect's id in its report.
    pub id: String,
    /// Its headline.
    pub title: String,
    /// The contract's `kind`.
    pub kind: String,
    /// The contract's `scan_type`, when a scan.
    pub scan_type: Option<String>,
    /// The severity level.
    pub severity: String,
    /// First packet, RFC 3339 as reported.
    pub first_seen: String,
    /// Last packet.
    pub last_seen: String,
    /// The first sources (at most [`SOURCES_PER_DETECT`]).
    pub sources: Vec<String>,
    /// How many sources the detect had.
    pub sources_total: u64,
    /// The first target ports (at most [`PORTS_PER_DETECT`]).
    pub target_ports: Vec<u16>,
    /// How many target ports it had.
    pub target_ports_total: u64,
    /// Packets in it.
    pub packets: u64,
    /// The sender's tool signature, when it had one.
    pub tool_signature: Option<String>,
}

impl PastDetect {
    /// The kind as a phrase ("port scan"), or the stored word when this
    /// picket does not know it.
    pub fn kind_phrase(&self) -> &str {
        kind_phrase(&self.kind)
    }

    /// The date part of `first_seen` (`2000-09-20`), or the whole text when
    /// it is not a date.
    pub fn first_day(&self) -> &str {
        self.first_seen.get(..10).unwrap_or(&self.first_seen)
    }
}

/// A stored `kind` as a phrase ("port scan"), or the word itself when this
/// picket does not know it.
pub fn kind_phrase(kind: &str) -> &str {
    DetectKind::ALL
        .iter()
        .find(|k| k.as_str() == kind)
        .map_or(kind, |k| k.phrase())
}

/// A condition on `detects d`, with its values in placeholder order.
#[derive(Clone, Debug)]
pub(crate) struct Filter {
    sql: String,
    values: Vec<Value>,
}

impl Filter {
    /// Every detect.
    pub fn all() -> Self {
        Filter {
            sql: "1".to_string(),
            values: Vec::new(),
        }
    }

    /// This filter and `clause` (with `?` placeholders for `values`).
    pub fn and(&self, clause: &str, values: impl IntoIterator<Item = Value>) -> Self {
        let mut next = self.clone();
        next.sql.push_str(" AND (");
        next.sql.push_str(clause);
        next.sql.push(')');
        next.values.extend(values);
        next
    }
}

/// `?, ?, ?` for `n` values (at least one, so the SQL stays valid).
pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n.max(1)].join(", ")
}

/// Text values for placeholders; an empty list gives one value no row holds.
pub(crate) fn texts<'a>(items: impl IntoIterator<Item = &'a String>) -> Vec<Value> {
    let mut values: Vec<Value> = items.into_iter().map(|s| Value::Text(s.clone())).collect();
    if values.is_empty() {
        values.push(Value::Null);
    }
    values
}

/// How many detects pass the filter.
pub(crate) fn count(conn: &Connection, filter: &Filter) -> rusqlite::Result<u64> {
    let sql = format!("SELECT COUNT(*) FROM detects d WHERE {}", filter.sql);
    count_rows(conn, &sql, filter)
}

/// How many detects pass the filter, counting no further than `cap`.
pub(crate) fn count_at_most(conn: &Connection, filter: &Filter, cap: u64) -> rusqlite::Result<u64> {
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM detects d WHERE {} LIMIT {})",
        filter.sql,
        i64::try_from(cap).unwrap_or(i64::MAX)
    );
    count_rows(conn, &sql, filter)
}

/// Runs a `SELECT COUNT(*)` with the filter's values.
fn count_rows(conn: &Connection, sql: &str, filter: &Filter) -> rusqlite::Result<u64> {
    let n: i64 = conn
        .prepare_cached(sql)?
        .query_row(params_from_iter(filter.values.iter()), |row| row.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The most recent detects that pass the filter, at most `limit`.
pub(crate) fn list(
    conn: &Connection,
    filter: &Filter,
    limit: usize,
) -> rusqlite::Result<Vec<PastDetect>> {
    let sql = format!(
        "SELECT d.id, d.detect_id, d.title, d.kind, d.scan_type, d.severity_level,
                d.first_seen, d.last_seen, d.sources_total, d.packets, d.tool_signature
         FROM detects d WHERE {}
         ORDER BY d.first_unix DESC NULLS LAST, d.id DESC LIMIT {}",
        filter.sql,
        i64::try_from(limit).unwrap_or(i64::MAX)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(filter.values.iter()), |row| {
        Ok((
            row.get::<_, i64>(0)?,
            PastDetect {
                id: row.get(1)?,
                title: row.get(2)?,
                kind: row.get(3)?,
                scan_type: row.get(4)?,
                severity: row.get(5)?,
                first_seen: row.get(6)?,
                last_seen: row.get(7)?,
                sources: Vec::new(),
                sources_total: u64::try_from(row.get::<_, i64>(8)?).unwrap_or(0),
                target_ports: Vec::new(),
                target_ports_total: 0,
                packets: u64::try_from(row.get::<_, i64>(9)?).unwrap_or(0),
                tool_signature: row.get(10)?,
            },
        ))
    })?;
    let mut detects = Vec::new();
    for row in rows {
        let (rowid, mut detect) = row?;
        fill_lists(conn, rowid, &mut detect)?;
        detects.push(detect);
    }
    Ok(detects)
}

/// Reads a detect's first sources and ports.
fn fill_lists(conn: &Connection, rowid: i64, detect: &mut PastDetect) -> rusqlite::Result<()> {
    detect.sources = conn
        .prepare_cached(
            "SELECT source FROM detect_sources WHERE detect = ?1 ORDER BY source LIMIT ?2",
        )?
        .query_map(params![rowid, SOURCES_PER_DETECT as i64], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    detect.target_ports = conn
        .prepare_cached("SELECT port FROM detect_ports WHERE detect = ?1 ORDER BY port LIMIT ?2")?
        .query_map(params![rowid, PORTS_PER_DETECT as i64], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let ports: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM detect_ports WHERE detect = ?1")?
        .query_row([rowid], |row| row.get(0))?;
    detect.target_ports_total = u64::try_from(ports).unwrap_or(0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_join_clauses_and_values() {
        let f = Filter::all()
            .and("d.kind = ?", [Value::Text("port-scan".into())])
            .and("d.packets > ?", [Value::Integer(3)]);
        assert_eq!(f.sql, "1 AND (d.kind = ?) AND (d.packets > ?)");
        assert_eq!(f.values.len(), 2);
        assert_eq!(placeholders(3), "?, ?, ?");
        assert_eq!(placeholders(0), "?");
        assert_eq!(texts(&Vec::<String>::new()), vec![Value::Null]);
    }

    #[test]
    fn phrases_and_days() {
        let d = PastDetect {
            id: "d1".into(),
            title: String::new(),
            kind: "trojan-probe".into(),
            scan_type: None,
            severity: "low".into(),
            first_seen: "2000-09-20T15:04:31-04:00".into(),
            last_seen: String::new(),
            sources: vec![],
            sources_total: 0,
            target_ports: vec![],
            target_ports_total: 0,
            packets: 1,
            tool_signature: None,
        };
        assert_eq!(d.kind_phrase(), "trojan probe");
        assert_eq!(d.first_day(), "2000-09-20");
    }
}
