//! History across runs, around one analysis: what to read of each input
//! (the store remembers how far it read), what earlier runs say of each
//! detect, and storing this run. A store that cannot be opened or written
//! never stops the report: the trouble is said on standard error.

use std::collections::BTreeMap;
use std::path::PathBuf;

use picket_analyze::SourceDay;
use picket_history::{
    HistoryStore, InputBatch, InputFingerprint, ReadPlan, ReadPosition, detects_drawing_on,
    fingerprint, history_sentence,
};
use picket_model::Detect;

use crate::read::Input;
use crate::read::decompress::Compression;

/// The sentence the analysis leaves where history belongs.
const NO_STORE: &str = " No history store was consulted.";

/// Where the store is, when history is on.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// The database; `None` for the default (`$XDG_DATA_HOME/picket/history.db`).
    pub db: Option<PathBuf>,
}

/// What the store said about one input before it was read.
#[derive(Debug, Clone)]
pub struct InputPlan {
    /// The fingerprint, for inputs that can be recognised again.
    pub fingerprint: Option<InputFingerprint>,
    /// Where reading starts.
    pub start: ReadPosition,
    /// True when nothing new is in the input.
    pub skip: bool,
}

impl InputPlan {
    /// Read everything, remember nothing about the input.
    pub fn whole() -> InputPlan {
        InputPlan {
            fingerprint: None,
            start: ReadPosition::START,
            skip: false,
        }
    }
}

/// An open store for one run, with the messages worth showing.
pub struct RunHistory {
    store: HistoryStore,
    /// Problems with the store, for standard error.
    pub messages: Vec<String>,
}

impl RunHistory {
    /// Opens the store; `None` (with a message) when it cannot be.
    pub fn open(options: &HistoryOptions) -> Result<RunHistory, String> {
        let opened = match &options.db {
            Some(path) => HistoryStore::open(path),
            None => HistoryStore::open_default(),
        };
        opened
            .map(|store| RunHistory {
                store,
                messages: Vec::new(),
            })
            .map_err(|e| format!("history store not used: {e}"))
    }

    /// What the store already holds of `input`: all of it, its lines up to a
    /// position, or nothing. Standard input is never recognised; a compressed
    /// file or a capture that grew counts again from its start (the store
    /// refuses what it holds, so nothing counts twice).
    pub fn plan(&mut self, input: &Input) -> InputPlan {
        if input.name == "-" {
            return InputPlan::whole();
        }
        let Ok(fp) = fingerprint(&input.path) else {
            return InputPlan::whole();
        };
        match self.store.plan(&fp) {
            Ok(ReadPlan::Skip) => InputPlan {
                fingerprint: Some(fp),
                start: ReadPosition::START,
                skip: true,
            },
            Ok(ReadPlan::From { byte_offset, line })
                if input.compression == Compression::None && input.capture().is_none() =>
            {
                InputPlan {
                    fingerprint: Some(fp),
                    start: ReadPosition { byte_offset, line },
                    skip: false,
                }
            }
            Ok(_) => InputPlan {
                fingerprint: Some(fp),
                start: ReadPosition::START,
                skip: false,
            },
            Err(e) => {
                self.messages.push(format!("{}: {e}", input.name));
                InputPlan::whole()
            }
        }
    }

    /// Rewrites each detect's history with what earlier runs stored, then
    /// stores this run, one transaction per input.
    pub fn record(
        &mut self,
        detects: &mut [Detect],
        inputs: &[(String, InputPlan, ReadPosition)],
        source_days: &[SourceDay],
        generator: &str,
    ) {
        let run = self.store.begin_run(generator);
        for d in detects.iter_mut() {
            match self.store.history_of(d) {
                Ok(facts) => {
                    let sentence = history_sentence(&facts);
                    let base = d.history.replace(NO_STORE, "");
                    d.history = format!("{base} {sentence}").trim().to_string();
                }
                Err(e) => {
                    self.messages.push(format!("history of {}: {e}", d.id));
                    break;
                }
            }
        }
        for (index, (label, plan, end)) in inputs.iter().enumerate() {
            if plan.skip {
                continue;
            }
            let mut days: BTreeMap<(String, jiff::civil::Date), (u64, Option<jiff::civil::Time>)> =
                BTreeMap::new();
            for day in source_days.iter().filter(|d| d.input as usize == index) {
                let entry = days.entry((day.source.clone(), day.day)).or_default();
                entry.0 += day.packets;
                entry.1 = match (entry.1, day.first_time) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            let days: Vec<picket_history::SourceDay> = days
                .into_iter()
                .map(
                    |((source, day), (packets, first_time))| picket_history::SourceDay {
                        source,
                        day,
                        packets,
                        first_time,
                    },
                )
                .collect();
            let drawing = detects_drawing_on(detects, label);
            let batch = InputBatch {
                label,
                fingerprint: plan.fingerprint.as_ref(),
                start: plan.start,
                end: *end,
                detects: &drawing,
                source_days: &days,
            };
            if let Err(e) = self.store.store_input(&run, &batch) {
                self.messages
                    .push(format!("{label}: not stored in history: {e}"));
            }
        }
    }
}

/// `picket history [SOURCE]` and `picket history prune`: returns the exit
/// status. Everything printed from the store is escaped for the terminal.
pub fn command(
    db: Option<PathBuf>,
    source: Option<String>,
    since: Option<String>,
    json: bool,
    limit: usize,
    prune: Option<(String, Option<PathBuf>)>,
) -> i32 {
    use crate::cli::{EXIT_OK, EXIT_TROUBLE};
    use picket_report::sanitize;
    let fail = |message: String| {
        eprintln!("picket: {}", sanitize::terminal(&message));
        EXIT_TROUBLE
    };
    let db = prune.as_ref().and_then(|(_, d)| d.clone()).or(db);
    let opened = match &db {
        Some(path) => HistoryStore::open(path),
        None => HistoryStore::open_default(),
    };
    let mut store = match opened {
        Ok(s) => s,
        Err(e) => return fail(format!("history store: {e}")),
    };
    let print = |text: String| {
        for line in text.lines() {
            println!("{}", sanitize::terminal(line));
        }
    };
    if let Some((age, _)) = prune {
        let Some(cutoff) = picket_history::cutoff_for_age(jiff::Timestamp::now(), &age) else {
            return fail(format!(
                "--older-than {age:?}: want a number and d, w or h (90d)"
            ));
        };
        return match store.prune(cutoff) {
            Ok(stats) if json => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&stats).unwrap_or_default()
                );
                EXIT_OK
            }
            Ok(stats) => {
                print(picket_history::render_prune(&stats));
                EXIT_OK
            }
            Err(e) => fail(format!("prune: {e}")),
        };
    }
    let since_date: Option<jiff::civil::Date> = match since.as_deref().map(str::parse) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => return fail(format!("--since: {e} (want YYYY-MM-DD)")),
    };
    if let Some(source) = source {
        return match store.source_record(&source) {
            Ok(record) if json => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&record).unwrap_or_default()
                );
                EXIT_OK
            }
            Ok(record) => {
                print(picket_history::render_source_record(&record));
                EXIT_OK
            }
            Err(e) => fail(format!("history of {source}: {e}")),
        };
    }
    let since_ts = since_date.and_then(|d| {
        jiff::tz::TimeZone::UTC
            .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .ok()
    });
    let recent = store.recent_detects(since_ts, limit);
    let top = store.top_sources(since_date, limit);
    match (recent, top) {
        (Ok(recent), Ok(top)) if json => {
            let value = serde_json::json!({ "recent_detects": recent, "top_sources": top });
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
            EXIT_OK
        }
        (Ok(recent), Ok(top)) => {
            print("Recent detects\n".into());
            print(picket_history::render_detects(&recent));
            print("\nTop recurring sources\n".into());
            print(picket_history::render_top_sources(&top));
            EXIT_OK
        }
        (Err(e), _) | (_, Err(e)) => fail(format!("history: {e}")),
    }
}
