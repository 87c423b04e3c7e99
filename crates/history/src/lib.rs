//! What picket has seen before, kept across runs in an SQLite database, so
//! that a detect's history can say "first seen on 2000-09-20, seen on 12
//! days since, daily, about 15:00" and name earlier detects from the same
//! source, network, domain or tool.
//!
//! A run goes:
//!
//! 1. [`fingerprint`] each input and ask [`HistoryStore::plan`] what to read
//!    of it: nothing ([`ReadPlan::Skip`]), the appended lines
//!    ([`ReadPlan::From`]) or all of it ([`ReadPlan::Whole`]);
//! 2. analyse; [`HistoryStore::begin_run`], then for each detect
//!    [`HistoryStore::history_of`] and [`history_sentence`];
//! 3. for each input, [`HistoryStore::store_input`] with the detects that
//!    draw on it ([`detects_drawing_on`]), its per-source daily counts and
//!    where reading stopped, one transaction per input.
//!
//! Failures carry a [`HistoryErrorKind`] so the report can be printed
//! whatever happened to the store. `docs/history.md` describes the tables.

mod dns_cache;
mod error;
mod facts;
mod fingerprint;
mod keys;
mod past;
mod query;
mod regularity;
mod render;
mod schema;
mod sentence;
mod store;
mod time;
mod write;

pub use dns_cache::DnsCache;
pub use error::{HistoryError, HistoryErrorKind, HistoryResult};
pub use facts::{HistoryFacts, RELATED_SHOWN, RelatedGroup, Relation, SOURCES_SHOWN, SourceFacts};
pub use fingerprint::{HEAD_BYTES, InputFingerprint, ReadPlan, ReadPosition, fingerprint};
pub use keys::{IPV4_NETWORK_PREFIX, IPV6_NETWORK_PREFIX, domain_of, network_of, normalize_source};
pub use past::{PORTS_PER_DETECT, PastDetect, SOURCES_PER_DETECT, kind_phrase};
pub use query::{
    DetectList, KindCount, PruneStats, RECORD_DETECTS, RECORD_RELATED, RelatedSource, SourceRank,
    SourceRecord, cutoff_for_age,
};
pub use regularity::{MIN_DAYS_FOR_PATTERN, Regularity, regularity};
pub use render::{render_detects, render_prune, render_source_record, render_top_sources};
pub use schema::CURRENT_VERSION;
pub use sentence::history_sentence;
pub use store::{HistoryStore, RunId};
pub use write::{
    InputBatch, MAX_EVIDENCE_TEXT, MAX_STORED_HOSTS, SourceDay, StoreOutcome, StoredCounts,
    detects_drawing_on,
};
