//! Turning the names on the command line into the files to read: a
//! directory stands for every regular file under it, found recursively in
//! name order, hidden files and folders left out.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// How deep a directory tree is followed: far beyond any log tree, short of
/// a loop that canonical paths would not catch.
const MAX_DEPTH: usize = 32;

/// One file to read, as found from a name on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The name shown in the report: the name given, or the directory given
    /// joined with the file's path under it.
    pub name: String,
    /// The file (`-` stays `-`: standard input).
    pub path: PathBuf,
    /// True when the file was found inside a directory named on the command
    /// line (its siblings were found with it).
    pub from_directory: bool,
    /// Why the name could not be followed, when it could not (an unreadable
    /// directory); the input is then reported with this error.
    pub error: Option<String>,
}

/// Expands the names given: files and `-` stay as they are (missing files
/// too, so that opening them reports the error), directories become the
/// regular files under them.
pub fn expand(names: &[String]) -> Vec<Found> {
    let mut out = Vec::new();
    for name in names {
        let path = PathBuf::from(name);
        if name != "-" && fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
            let mut visited = HashSet::new();
            let before = out.len();
            walk(name, &path, 0, &mut visited, &mut out);
            if out.len() == before {
                out.push(Found {
                    name: name.clone(),
                    path,
                    from_directory: false,
                    error: Some("no files to read in this directory".into()),
                });
            }
        } else {
            out.push(Found {
                name: name.clone(),
                path,
                from_directory: false,
                error: None,
            });
        }
    }
    out
}

fn walk(
    shown: &str,
    dir: &Path,
    depth: usize,
    visited: &mut HashSet<PathBuf>,
    out: &mut Vec<Found>,
) {
    // A directory reached twice (a symlink loop, or two links to one place)
    // is read once.
    if let Ok(real) = fs::canonicalize(dir)
        && !visited.insert(real)
    {
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            out.push(Found {
                name: shown.to_string(),
                path: dir.to_path_buf(),
                from_directory: true,
                error: Some(format!("cannot list the directory: {e}")),
            });
            return;
        }
    };
    let mut names: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    names.sort();
    for (file_name, path) in names {
        let shown_child = if shown.ends_with('/') {
            format!("{shown}{file_name}")
        } else {
            format!("{shown}/{file_name}")
        };
        // Follows symlinks: a link to a log is read like the log.
        let Ok(meta) = fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if depth < MAX_DEPTH {
                walk(&shown_child, &path, depth + 1, visited, out);
            }
        } else if meta.is_file() {
            out.push(Found {
                name: shown_child,
                path,
                from_directory: true,
                error: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_expand_recursively_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/inner")).unwrap();
        fs::create_dir_all(root.join(".git")).unwrap();
        for f in [
            "z.log",
            "a.log",
            "b/inner/deep.log",
            "b/m.log",
            ".hidden",
            ".git/x",
        ] {
            fs::write(root.join(f), "x\n").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root, root.join("b/loop")).unwrap();
        let shown = format!("{}/", root.display());
        let found = expand(&[shown.clone(), "missing.log".into(), "-".into()]);
        let names: Vec<String> = found.iter().map(|f| f.name.clone()).collect();
        assert_eq!(
            names,
            vec![
                format!("{shown}a.log"),
                format!("{shown}b/inner/deep.log"),
                format!("{shown}b/m.log"),
                format!("{shown}z.log"),
                "missing.log".to_string(),
                "-".to_string(),
            ]
        );
        assert!(found[0].from_directory && !found[4].from_directory);
        let empty = tempfile::tempdir().unwrap();
        let named = empty.path().display().to_string();
        let found = expand(std::slice::from_ref(&named));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, named);
        assert!(found[0].error.is_some());
    }
}
