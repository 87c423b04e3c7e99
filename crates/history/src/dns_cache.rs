//! DNS answers of `--resolve` kept in the history database (table
//! `dns_cache`), so that each name or address is asked once until its
//! answer expires, across runs. Negative answers are kept too.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use picket_identity::{CachedAnswer, ResolveCache};
use rusqlite::{Connection, OptionalExtension, params};

use crate::HistoryStore;
use crate::error::HistoryResult;

/// A DNS cache in the history database; safe to share between resolver
/// threads.
pub struct DnsCache {
    conn: Mutex<Connection>,
}

impl DnsCache {
    /// Opens the cache in the database at `path`, creating or migrating the
    /// database first.
    pub fn open(path: &Path) -> HistoryResult<DnsCache> {
        drop(HistoryStore::open(path)?);
        let conn =
            Connection::open(path).map_err(|e| crate::error::HistoryError::from_sqlite(e, path))?;
        let _ = conn.busy_timeout(Duration::from_secs(5));
        Ok(DnsCache {
            conn: Mutex::new(conn),
        })
    }
}

impl ResolveCache for DnsCache {
    fn get(&self, key: &str) -> Option<CachedAnswer> {
        let conn = self.conn.lock().ok()?;
        let text: Option<String> = conn
            .query_row(
                "SELECT answer FROM dns_cache WHERE key = ?1",
                params![key],
                |row| row.get(0),
            )
            .optional()
            .ok()
            .flatten();
        serde_json::from_str(&text?).ok()
    }

    fn put(&self, key: &str, answer: &CachedAnswer) {
        let Ok(text) = serde_json::to_string(answer) else {
            return;
        };
        if let Ok(conn) = self.conn.lock() {
            // A full or read-only database only costs a repeated query.
            let _ = conn.execute(
                "INSERT OR REPLACE INTO dns_cache (key, answer, expires_unix) VALUES (?1, ?2, ?3)",
                params![key, text, answer.expires_unix as i64],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use picket_identity::Answer;

    #[test]
    fn answers_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        let answer = CachedAnswer {
            answer: Answer::Names(vec!["host.example.net".into()]),
            expires_unix: 4_000_000_000,
        };
        {
            let cache = DnsCache::open(&path).unwrap();
            assert!(cache.get("ptr:192.0.2.1").is_none());
            cache.put("ptr:192.0.2.1", &answer);
        }
        let cache = DnsCache::open(&path).unwrap();
        assert_eq!(cache.get("ptr:192.0.2.1"), Some(answer));
        let negative = CachedAnswer {
            answer: Answer::NoRecords,
            expires_unix: 4_000_000_000,
        };
        cache.put("a:nowhere.example", &negative);
        assert_eq!(cache.get("a:nowhere.example"), Some(negative));
    }
}
