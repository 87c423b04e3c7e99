//! Rotated sets: `fw.log`, `fw.log.1`, `fw.log.2.gz` (or `fw.log-20240101`,
//! `fw.log-20240102.gz`) in one directory are one log cut in pieces. They are
//! read oldest first, so that time runs forward through the set whatever
//! order they were named in; other files keep the order they were given.

use std::collections::HashMap;
use std::path::Path;

use crate::read::walk::Found;

/// Longest numeric suffix taken for a rotation number (`.1` .. `.999999`);
/// longer numbers are timestamps or ids, not rotation counts.
const MAX_ROTATION_DIGITS: usize = 6;
/// Shortest date suffix (`-YYYYMMDD`).
const MIN_DATE_DIGITS: usize = 8;
/// Longest date suffix (`-YYYYMMDDHHMMSS`).
const MAX_DATE_DIGITS: usize = 14;

/// Suffixes a rotation tool adds when it compresses a piece.
const COMPRESSED_SUFFIXES: [&str; 6] = [".gz", ".bz2", ".xz", ".zst", ".zstd", ".z"];

/// Where a file stands in its set.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Age {
    /// The live file (`fw.log`).
    Current,
    /// `fw.log.N`: the larger N, the older.
    Numbered(u32),
    /// `fw.log-DATE`: the smaller the date, the older.
    Dated(String),
}

impl Age {
    /// Sorts oldest first: dated pieces by date, numbered pieces from the
    /// highest number down, the live file last.
    fn order(&self) -> (u8, u64, String) {
        match self {
            Age::Dated(d) => (0, d.len() as u64, d.clone()),
            Age::Numbered(n) => (1, u64::from(u32::MAX - n), String::new()),
            Age::Current => (2, 0, String::new()),
        }
    }
}

/// A file to read, and the rotated set it belongs to (an index shared by
/// the pieces of one set), if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// The file.
    pub found: Found,
    /// The set it belongs to; `None` for a file read on its own.
    pub set: Option<usize>,
}

/// Splits a file name into the name of its set and its place in the set.
fn split(file_name: &str) -> (&str, Age) {
    let mut rest = file_name;
    for suffix in COMPRESSED_SUFFIXES {
        if let Some(stripped) = rest.strip_suffix(suffix)
            && !stripped.is_empty()
        {
            rest = stripped;
            break;
        }
    }
    if let Some(dot) = rest.rfind('.') {
        let digits = &rest[dot + 1..];
        if !digits.is_empty()
            && digits.len() <= MAX_ROTATION_DIGITS
            && digits.bytes().all(|b| b.is_ascii_digit())
            && dot > 0
            && let Ok(n) = digits.parse::<u32>()
        {
            return (&rest[..dot], Age::Numbered(n));
        }
    }
    if let Some(dash) = rest.rfind('-') {
        let digits = &rest[dash + 1..];
        if (MIN_DATE_DIGITS..=MAX_DATE_DIGITS).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && dash > 0
        {
            return (&rest[..dash], Age::Dated(digits.to_string()));
        }
    }
    (rest, Age::Current)
}

/// Orders the files to read: each rotated set (two pieces or more of one
/// log in one directory) oldest first, at the place of its first piece;
/// every other file where it was.
pub fn plan(found: Vec<Found>) -> Vec<Planned> {
    let keyed: Vec<(Option<(String, String)>, Age)> = found
        .iter()
        .map(|f| {
            if f.path.as_os_str() == "-" || f.error.is_some() {
                return (None, Age::Current);
            }
            let Some(file_name) = f.path.file_name().map(|n| n.to_string_lossy()) else {
                return (None, Age::Current);
            };
            // `fw.log` and `./fw.log.1` are in the same directory.
            let dir = match f.path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            };
            let dir = dir.to_string_lossy().into_owned();
            let (base, age) = split(&file_name);
            (Some((dir, base.to_string())), age)
        })
        .collect();
    let mut members: HashMap<&(String, String), Vec<usize>> = HashMap::new();
    for (i, (key, _)) in keyed.iter().enumerate() {
        if let Some(key) = key {
            members.entry(key).or_default().push(i);
        }
    }
    let mut placed = vec![false; found.len()];
    let mut order: Vec<(usize, Option<usize>)> = Vec::with_capacity(found.len());
    let mut sets = 0usize;
    for (i, (key, _)) in keyed.iter().enumerate() {
        if placed[i] {
            continue;
        }
        let group = key.as_ref().and_then(|k| members.get(k));
        match group {
            Some(group) if group.len() > 1 && group.iter().any(|&m| keyed[m].1 != Age::Current) => {
                let mut sorted = group.clone();
                sorted.sort_by_key(|&m| keyed[m].1.order());
                for m in sorted {
                    placed[m] = true;
                    order.push((m, Some(sets)));
                }
                sets += 1;
            }
            _ => {
                placed[i] = true;
                order.push((i, None));
            }
        }
    }
    let mut slots: Vec<Option<Found>> = found.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(i, set)| {
            slots
                .get_mut(i)
                .and_then(Option::take)
                .map(|found| Planned { found, set })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn found(name: &str) -> Found {
        Found {
            name: name.to_string(),
            path: PathBuf::from(name),
            from_directory: false,
            error: None,
        }
    }

    fn planned(names: &[&str]) -> Vec<(String, Option<usize>)> {
        plan(names.iter().map(|n| found(n)).collect())
            .into_iter()
            .map(|p| (p.found.name, p.set))
            .collect()
    }

    #[test]
    fn names_split_into_set_and_age() {
        assert_eq!(split("fw.log"), ("fw.log", Age::Current));
        assert_eq!(split("fw.log.1"), ("fw.log", Age::Numbered(1)));
        assert_eq!(split("fw.log.2.gz"), ("fw.log", Age::Numbered(2)));
        assert_eq!(split("messages.0.bz2"), ("messages", Age::Numbered(0)));
        assert_eq!(
            split("fw.log-20240101.gz"),
            ("fw.log", Age::Dated("20240101".into()))
        );
        assert_eq!(
            split("snort.log.1566411407"),
            ("snort.log.1566411407", Age::Current)
        );
        assert_eq!(split("fw.log.gz"), ("fw.log", Age::Current));
        assert_eq!(split(".1"), (".1", Age::Current));
        assert_eq!(split("a-2024"), ("a-2024", Age::Current));
    }

    #[test]
    fn a_set_reads_oldest_first_in_place_of_its_first_piece() {
        assert_eq!(
            planned(&[
                "other.txt",
                "fw.log",
                "x/fw.log.9",
                "fw.log.1",
                "fw.log.2.gz",
                "last"
            ]),
            vec![
                ("other.txt".into(), None),
                ("fw.log.2.gz".into(), Some(0)),
                ("fw.log.1".into(), Some(0)),
                ("fw.log".into(), Some(0)),
                ("x/fw.log.9".into(), None),
                ("last".into(), None),
            ]
        );
        assert_eq!(
            planned(&["d/fw.log", "d/fw.log-20240102.gz", "d/fw.log-20231231"]),
            vec![
                ("d/fw.log-20231231".into(), Some(0)),
                ("d/fw.log-20240102.gz".into(), Some(0)),
                ("d/fw.log".into(), Some(0)),
            ]
        );
    }

    #[test]
    fn a_bare_name_and_a_dotted_one_share_a_directory() {
        assert_eq!(
            planned(&["fw.log", "./fw.log.1"]),
            vec![("./fw.log.1".into(), Some(0)), ("fw.log".into(), Some(0))]
        );
    }

    #[test]
    fn unrelated_files_and_stdin_keep_their_order() {
        assert_eq!(
            planned(&["b.log", "-", "a.log", "-"]),
            vec![
                ("b.log".into(), None),
                ("-".into(), None),
                ("a.log".into(), None),
                ("-".into(), None),
            ]
        );
        // A live file and its compressed copy are not a rotation.
        assert_eq!(
            planned(&["fw.log.gz", "fw.log"]),
            vec![("fw.log.gz".into(), None), ("fw.log".into(), None)]
        );
    }
}
