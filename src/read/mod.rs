//! Reading: the inputs named on the command line, expanded (directories,
//! rotated sets), opened, decompressed, dated and split into lines or
//! captured packets. Standard input is copied to a temporary file first, so
//! that evidence lines can be read back for the report like any file's.

pub mod decompress;
pub mod excerpt;
pub mod lines;
pub mod rotate;
pub mod walk;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use picket_parse::pcap::{self, CaptureKind};

use crate::read::decompress::{Compression, MAGIC_LEN};

/// Longest line kept, in bytes. Longer lines are counted as unreadable.
pub const MAX_LINE: usize = 1 << 20;

/// What an input holds once decompressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    /// Log lines.
    Text,
    /// A packet capture.
    Capture(CaptureKind),
}

/// One input: a file, or standard input.
#[derive(Debug)]
pub struct Input {
    /// The name as shown in the report (`-` for standard input).
    pub name: String,
    /// Where its bytes are (a temporary copy for standard input).
    pub path: PathBuf,
    /// When it was last written: settles years that the log omits.
    pub modified: Timestamp,
    /// How its bytes are compressed, found from its first bytes.
    pub compression: Compression,
    /// Lines or packets, found from the first decompressed bytes.
    pub content: Content,
    _spool: Option<tempfile::TempPath>,
}

impl Input {
    /// Opens the named input: a file, or `-` for standard input.
    pub fn open(name: &str) -> io::Result<Input> {
        Input::open_at(name, Path::new(name))
    }

    /// Opens the file at `path`, shown in the report as `name`; a `path` of
    /// `-` is standard input.
    pub fn open_at(name: &str, path: &Path) -> io::Result<Input> {
        if path.as_os_str() == "-" {
            let mut spool = tempfile::NamedTempFile::new()?;
            io::copy(&mut io::stdin().lock(), spool.as_file_mut())?;
            let spooled = spool.into_temp_path();
            let (compression, content) = sniff(&spooled)?;
            return Ok(Input {
                name: name.to_string(),
                path: spooled.to_path_buf(),
                modified: Timestamp::now(),
                compression,
                content,
                _spool: Some(spooled),
            });
        }
        let meta = std::fs::metadata(path)?;
        if meta.is_dir() {
            return Err(io::Error::other("is a directory"));
        }
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| Timestamp::try_from(t).ok())
            .unwrap_or_else(Timestamp::now);
        // Fails now, not later, when the file cannot be read.
        let (compression, content) = sniff(path)?;
        Ok(Input {
            name: name.to_string(),
            path: path.to_path_buf(),
            modified,
            compression,
            content,
            _spool: None,
        })
    }

    /// A reader over the input's bytes, decompressed.
    pub fn reader(&self) -> io::Result<Box<dyn Read + Send>> {
        Ok(self.compression.decoder(File::open(&self.path)?))
    }

    /// Like [`Input::reader`], adding to `counter` every byte read from the
    /// file (before decompression), for progress.
    pub fn reader_counted(
        &self,
        counter: std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> io::Result<Box<dyn Read + Send>> {
        let file = Counted {
            inner: File::open(&self.path)?,
            counter,
        };
        Ok(self.compression.decoder(file))
    }

    /// Where the bytes are.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The capture format, when the input is a packet capture.
    pub fn capture(&self) -> Option<CaptureKind> {
        match self.content {
            Content::Capture(kind) => Some(kind),
            Content::Text => None,
        }
    }
}

/// Reads up to `buf.len()` bytes, fewer only at the end of the stream.
fn read_head(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Finds a file's compression from its first bytes, then whether what it
/// holds is a capture from the first decompressed bytes. A stream too
/// damaged to show its first bytes is taken for text: reading it reports
/// the damage.
fn sniff(path: &Path) -> io::Result<(Compression, Content)> {
    let mut file = File::open(path)?;
    let mut head = [0u8; MAGIC_LEN];
    let n = read_head(&mut file, &mut head)?;
    let compression = Compression::sniff(&head[..n]);
    let mut inner = [0u8; pcap::MAGIC_LEN];
    let content = match compression {
        Compression::None => CaptureKind::sniff(&head[..n]),
        _ => {
            let mut decoded = compression.decoder(File::open(path)?);
            read_head(&mut decoded, &mut inner)
                .ok()
                .and_then(|n| CaptureKind::sniff(&inner[..n]))
        }
    };
    Ok((compression, content.map_or(Content::Text, Content::Capture)))
}

/// A reader that counts the bytes it passes on.
struct Counted<R> {
    inner: R,
    counter: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn content_is_found_through_compression() {
        let dir = tempfile::tempdir().unwrap();
        // The first 24 bytes of pcaps_port_scan.pcap (ncsa_bro_simple_scan), gzip'ed.
        let header = [
            0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0,
            0, 0x01, 0, 0, 0,
        ];
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&header).unwrap();
        let path = dir.path().join("capture");
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let input = Input::open_at("capture", &path).unwrap();
        assert_eq!(input.compression, Compression::Gzip);
        assert_eq!(input.capture(), Some(CaptureKind::Pcap));
        let mut back = Vec::new();
        input.reader().unwrap().read_to_end(&mut back).unwrap();
        assert_eq!(back, header);

        let text = dir.path().join("fw.log");
        std::fs::write(&text, "Mar 12 04:05:35 host kernel: x\n").unwrap();
        let input = Input::open_at("fw.log", &text).unwrap();
        assert_eq!(
            (input.compression, input.content),
            (Compression::None, Content::Text)
        );
    }
}
