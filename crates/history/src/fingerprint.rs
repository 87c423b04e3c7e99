//! Recognising an input picket has read before, so that reading it again
//! never counts its packets twice.
//!
//! An input is known by its identity (device, inode and path) and by the
//! content of its start: a hash of the first 4 KiB. A log that grew keeps its
//! start, so the bytes past the recorded read position are the new lines; a
//! log that was rotated keeps its path but starts differently, so it is read
//! whole; a log that was renamed (`messages` to `messages.1`) keeps its device,
//! inode and start.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How many bytes of an input's start are hashed.
pub const HEAD_BYTES: usize = 4096;

/// Where reading an input stopped, or should start: a byte offset just past a
/// complete line, and how many lines lie before it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct ReadPosition {
    /// Bytes from the start of the input.
    pub byte_offset: u64,
    /// Lines before `byte_offset`; the next line read is number `line + 1`.
    pub line: u64,
}

impl ReadPosition {
    /// The start of an input.
    pub const START: ReadPosition = ReadPosition {
        byte_offset: 0,
        line: 0,
    };
}

/// What to read of an input, given what the store recorded of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "plan", rename_all = "kebab-case")]
pub enum ReadPlan {
    /// The same content was read up to its current end: nothing new.
    Skip,
    /// The input grew since it was read: read from this byte offset, numbering
    /// lines after `line`.
    From {
        /// Where the new bytes start.
        byte_offset: u64,
        /// Lines before `byte_offset`.
        line: u64,
    },
    /// Never read, rotated or truncated: read it all.
    Whole,
}

impl ReadPlan {
    /// Where reading starts, or `None` when nothing is to be read.
    pub fn start(self) -> Option<ReadPosition> {
        match self {
            ReadPlan::Skip => None,
            ReadPlan::From { byte_offset, line } => Some(ReadPosition { byte_offset, line }),
            ReadPlan::Whole => Some(ReadPosition::START),
        }
    }
}

/// What identifies an input about to be read: its path, device, inode, size
/// and the first [`HEAD_BYTES`] of its content.
#[derive(Clone, PartialEq, Eq)]
pub struct InputFingerprint {
    label: String,
    path: PathBuf,
    device: u64,
    inode: u64,
    size: u64,
    head: Vec<u8>,
}

impl InputFingerprint {
    /// Builds a fingerprint from parts already known: `label` is the path as
    /// the user gave it, `path` the canonical path, `head` the first bytes of
    /// the content (only the first [`HEAD_BYTES`] are kept).
    pub fn from_parts(
        label: impl Into<String>,
        path: impl Into<PathBuf>,
        device: u64,
        inode: u64,
        size: u64,
        head: &[u8],
    ) -> Self {
        let kept = head.get(..HEAD_BYTES).unwrap_or(head);
        InputFingerprint {
            label: label.into(),
            path: path.into(),
            device,
            inode,
            size,
            head: kept.to_vec(),
        }
    }

    /// The path as given on the command line, as evidence references name it.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The canonical path, used to recognise the input.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The device the file lives on (0 where the platform has none).
    pub fn device(&self) -> u64 {
        self.device
    }

    /// The file's inode number (0 where the platform has none).
    pub fn inode(&self) -> u64 {
        self.inode
    }

    /// The size when fingerprinted.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// How many bytes of the start were read (at most [`HEAD_BYTES`]).
    pub fn head_len(&self) -> usize {
        self.head.len()
    }

    /// The hash of the whole start as read, as stored.
    pub fn head_hash(&self) -> String {
        hash_hex(&self.head)
    }

    /// The hash of the first `len` bytes, when at least that many were read:
    /// compared with a shorter start recorded when the input was smaller.
    pub fn head_hash_of(&self, len: usize) -> Option<String> {
        self.head.get(..len).map(hash_hex)
    }
}

impl std::fmt::Debug for InputFingerprint {
    /// Shows the start's length and hash, not its (attacker-written) bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputFingerprint")
            .field("label", &self.label)
            .field("path", &self.path)
            .field("device", &self.device)
            .field("inode", &self.inode)
            .field("size", &self.size)
            .field("head_len", &self.head.len())
            .field("head_hash", &self.head_hash())
            .finish()
    }
}

/// Fingerprints the input at `path`, reading only its metadata and its first
/// [`HEAD_BYTES`]. Only regular files can be fingerprinted: reading the start
/// of a pipe or terminal would consume it, so those give an `InvalidInput`
/// error and are read whole, unrecorded.
pub fn fingerprint(path: &Path) -> io::Result<InputFingerprint> {
    // Checked before opening too: opening a named pipe blocks until a writer
    // comes.
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    let file = File::open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(not_regular());
    }
    let (device, inode) = identity(&metadata);
    let mut head = Vec::with_capacity(HEAD_BYTES);
    file.take(HEAD_BYTES as u64).read_to_end(&mut head)?;
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    Ok(InputFingerprint {
        label: path.to_string_lossy().into_owned(),
        path: canonical,
        device,
        inode,
        size: metadata.len(),
        head,
    })
}

fn not_regular() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "not a regular file: only regular files can be recognised when read again",
    )
}

#[cfg(unix)]
fn identity(metadata: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (metadata.dev(), metadata.ino())
}

#[cfg(not(unix))]
fn identity(_metadata: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// FNV-1a over 128 bits, as 32 hexadecimal digits: stable across Rust
/// releases (unlike the standard hasher), so it can be stored.
pub(crate) fn hash_hex(bytes: &[u8]) -> String {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut hash = OFFSET;
    for &byte in bytes {
        hash ^= u128::from(byte);
        hash = hash.wrapping_mul(PRIME);
    }
    format!("{hash:032x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn fnv1a_128_matches_published_vectors() {
        // The empty string and "a", from the FNV reference test vectors.
        assert_eq!(hash_hex(b""), "6c62272e07bb014262b821756295c58d");
        assert_eq!(hash_hex(b"a"), "d228cb696f1a8caf78912b704e4a8964");
    }

    #[test]
    fn fingerprint_reads_head_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("messages");
        // A netfilter line from the sample folder's shape.
        let line = b"Jun 11 14:47:02 fw kernel: IN=eth0 OUT= SRC=203.0.113.9 DST=192.0.2.10 PROTO=TCP SPT=4123 DPT=119\n";
        let mut file = File::create(&path).unwrap();
        for _ in 0..100 {
            file.write_all(line).unwrap();
        }
        drop(file);
        let fp = fingerprint(&path).unwrap();
        assert_eq!(fp.size(), 100 * line.len() as u64);
        assert_eq!(fp.head_len(), HEAD_BYTES);
        assert_eq!(fp.label(), path.to_string_lossy());
        assert_eq!(
            fp.head_hash_of(line.len()).unwrap(),
            hash_hex(line),
            "a prefix hash equals the hash of that prefix"
        );
        assert_eq!(fp.head_hash_of(HEAD_BYTES + 1), None);
    }

    #[test]
    fn directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = fingerprint(dir.path()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn plan_start_positions() {
        assert_eq!(ReadPlan::Skip.start(), None);
        assert_eq!(ReadPlan::Whole.start(), Some(ReadPosition::START));
        assert_eq!(
            ReadPlan::From {
                byte_offset: 10,
                line: 2
            }
            .start(),
            Some(ReadPosition {
                byte_offset: 10,
                line: 2
            })
        );
    }
}
