//! Reading: the inputs named on the command line, opened, dated and split
//! into lines. Standard input is copied to a temporary file first, so that
//! evidence lines can be read back for the report like any file's.

pub mod excerpt;
pub mod lines;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

/// Longest line kept, in bytes. Longer lines are counted as unreadable.
pub const MAX_LINE: usize = 1 << 20;

/// One input as named on the command line.
#[derive(Debug)]
pub struct Input {
    /// The name as given (`-` for standard input).
    pub name: String,
    /// Where its bytes are (a temporary copy for standard input).
    pub path: PathBuf,
    /// When it was last written: settles years that the log omits.
    pub modified: Timestamp,
    _spool: Option<tempfile::TempPath>,
}

impl Input {
    /// Opens the named input: a file, or `-` for standard input.
    pub fn open(name: &str) -> io::Result<Input> {
        if name == "-" {
            let mut spool = tempfile::NamedTempFile::new()?;
            io::copy(&mut io::stdin().lock(), spool.as_file_mut())?;
            let path = spool.into_temp_path();
            return Ok(Input {
                name: name.to_string(),
                path: path.to_path_buf(),
                modified: Timestamp::now(),
                _spool: Some(path),
            });
        }
        let path = PathBuf::from(name);
        let meta = std::fs::metadata(&path)?;
        if meta.is_dir() {
            return Err(io::Error::other("is a directory"));
        }
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| Timestamp::try_from(t).ok())
            .unwrap_or_else(Timestamp::now);
        // Fail now, not later, when the file cannot be read.
        File::open(&path)?;
        Ok(Input {
            name: name.to_string(),
            path,
            modified,
            _spool: None,
        })
    }

    /// A reader over the input's bytes.
    pub fn reader(&self) -> io::Result<impl Read + use<>> {
        File::open(&self.path)
    }

    /// Where the bytes are.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
