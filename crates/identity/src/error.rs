//! Why an identity source could not be used.

use std::fmt;
use std::path::{Path, PathBuf};

/// A database or resolver setting picket cannot use. Names the file and,
/// for tables, the line, so the user can fix or replace it.
#[derive(Debug)]
pub enum IdentityError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not a MaxMind DB database, or a damaged one.
    Mmdb {
        /// The file.
        path: PathBuf,
        /// What the reader found wrong.
        message: String,
    },
    /// A line of an address-range table is not in the expected layout.
    Table {
        /// The file.
        path: PathBuf,
        /// The 1-based line, when the fault is on one line.
        line: Option<usize>,
        /// What is wrong with it.
        message: String,
    },
    /// The DNS settings are unusable (no server, a zero timeout...).
    Dns {
        /// What is wrong with them.
        message: String,
    },
}

impl IdentityError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        IdentityError::Io {
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn table(path: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        IdentityError::Table {
            path: path.to_owned(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn dns(message: impl Into<String>) -> Self {
        IdentityError::Dns {
            message: message.into(),
        }
    }
}

impl fmt::Display for IdentityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentityError::Io { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            IdentityError::Mmdb { path, message } => {
                write!(
                    f,
                    "{} is not a usable MaxMind DB database: {message}",
                    path.display()
                )
            }
            IdentityError::Table {
                path,
                line,
                message,
            } => {
                write!(f, "{}", path.display())?;
                if let Some(line) = line {
                    write!(f, ", line {line}")?;
                }
                write!(f, ": {message}")
            }
            IdentityError::Dns { message } => write!(f, "DNS settings: {message}"),
        }
    }
}

impl std::error::Error for IdentityError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IdentityError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_file_and_line() {
        let err = IdentityError::table(Path::new("asn.tsv"), Some(3), "bad ASN \"x\"");
        assert_eq!(err.to_string(), "asn.tsv, line 3: bad ASN \"x\"");
        let err = IdentityError::dns("no server");
        assert_eq!(err.to_string(), "DNS settings: no server");
        let err = IdentityError::io(
            Path::new("/nope"),
            std::io::Error::new(std::io::ErrorKind::NotFound, "not found"),
        );
        assert_eq!(err.to_string(), "cannot read /nope: not found");
        assert!(std::error::Error::source(&err).is_some());
    }
}
