//! Compressed inputs: gzip, bzip2, zstd and xz, recognised by their magic
//! bytes (never by the file name) and decoded as a stream, so memory stays
//! bounded by the decoders' windows and the line buffer whatever the
//! compressed file expands to.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

/// Bytes of a file's head that [`Compression::sniff`] needs.
pub const MAGIC_LEN: usize = 6;

/// Largest xz dictionary accepted, in KiB. `xz -9` uses 64 MiB; a header
/// asking for more is refused rather than allocated.
const XZ_MEMORY_LIMIT_KIB: u32 = 256 * 1024;

/// How an input's bytes are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed (or in a form picket does not decode).
    None,
    /// gzip, one member or several concatenated (`cat a.gz b.gz`).
    Gzip,
    /// bzip2, one stream or several concatenated.
    Bzip2,
    /// Zstandard frames, skippable frames included.
    Zstd,
    /// xz streams.
    Xz,
}

impl Compression {
    /// Recognises a compressed stream by its first bytes.
    pub fn sniff(head: &[u8]) -> Compression {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [b'B', b'Z', b'h', b'1'..=b'9', ..] => Compression::Bzip2,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            // A zstd file may open with a skippable frame (0x184D2A5?).
            [0x50..=0x5f, 0x2a, 0x4d, 0x18, ..] => Compression::Zstd,
            [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Compression::Xz,
            _ => Compression::None,
        }
    }

    /// The name used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Zstd => "zstd",
            Compression::Xz => "xz",
        }
    }

    /// A reader of the decoded bytes of `raw`.
    pub fn decoder<R: Read + Send + 'static>(self, raw: R) -> Box<dyn Read + Send> {
        let buffered = BufReader::with_capacity(64 * 1024, raw);
        match self {
            Compression::None => Box::new(buffered),
            Compression::Gzip => Box::new(Named::new(
                self,
                flate2::bufread::MultiGzDecoder::new(buffered),
            )),
            Compression::Bzip2 => Box::new(Named::new(
                self,
                bzip2::bufread::MultiBzDecoder::new(buffered),
            )),
            Compression::Zstd => Box::new(Named::new(self, ZstdFrames::new(buffered))),
            Compression::Xz => Box::new(Named::new(
                self,
                lzma_rust2::XzReader::new_mem_limit(buffered, true, XZ_MEMORY_LIMIT_KIB),
            )),
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Counts decoded bytes and words a decoder's errors so that the report
/// says which stream broke and how much of it was read.
struct Named<R> {
    compression: Compression,
    inner: R,
    decoded: u64,
}

impl<R> Named<R> {
    fn new(compression: Compression, inner: R) -> Self {
        Named {
            compression,
            inner,
            decoded: 0,
        }
    }
}

impl<R: Read> Read for Named<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.decoded += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                let what = if e.kind() == io::ErrorKind::UnexpectedEof {
                    "ends early".to_string()
                } else {
                    format!("is damaged ({e})")
                };
                Err(io::Error::new(
                    e.kind(),
                    format!(
                        "{} stream {what} after {} decoded bytes; what came before was read",
                        self.compression, self.decoded
                    ),
                ))
            }
        }
    }
}

/// Decodes one Zstandard frame after another, skipping skippable frames, as
/// the `zstd` tool does for a concatenated file.
struct ZstdFrames<R> {
    source: R,
    decoder: FrameDecoder,
    in_frame: bool,
}

impl<R: BufRead> ZstdFrames<R> {
    fn new(source: R) -> Self {
        ZstdFrames {
            source,
            decoder: FrameDecoder::new(),
            in_frame: false,
        }
    }

    /// Starts the next frame. Returns false at the end of the input.
    fn next_frame(&mut self) -> io::Result<bool> {
        loop {
            if self.source.fill_buf()?.is_empty() {
                return Ok(false);
            }
            match self.decoder.reset(&mut self.source) {
                Ok(()) => return Ok(true),
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let wanted = u64::from(length);
                    let skipped = io::copy(&mut (&mut self.source).take(wanted), &mut io::sink())?;
                    if skipped < wanted {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "skippable frame cut short",
                        ));
                    }
                }
                Err(FrameDecoderError::ReadFrameHeaderError(
                    ReadFrameHeaderError::MagicNumberReadError(e)
                    | ReadFrameHeaderError::FrameDescriptorReadError(e),
                )) if e.kind() == io::ErrorKind::UnexpectedEof => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "frame header cut short",
                    ));
                }
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            }
        }
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame {
                if !self.next_frame()? {
                    return Ok(0);
                }
                self.in_frame = true;
            }
            while self.decoder.can_collect() < buf.len() && !self.decoder.is_finished() {
                let wanted = buf.len() - self.decoder.can_collect();
                self.decoder
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBytes(wanted))
                    .map_err(|e| match e {
                        ruzstd::decoding::errors::FrameDecoderError::FailedToReadBlockHeader(_)
                        | ruzstd::decoding::errors::FrameDecoderError::FailedToReadBlockBody(_) => {
                            io::Error::new(io::ErrorKind::UnexpectedEof, e)
                        }
                        other => io::Error::new(io::ErrorKind::InvalidData, other),
                    })?;
            }
            let n = self.decoder.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            if self.decoder.is_finished() {
                self.in_frame = false;
            } else {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "frame decoder made no progress",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(compression: Compression, bytes: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        compression
            .decoder(io::Cursor::new(bytes.to_vec()))
            .read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn magic_bytes_name_the_compression() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8, 0]), Compression::Gzip);
        assert_eq!(Compression::sniff(b"BZh91AY"), Compression::Bzip2);
        assert_eq!(Compression::sniff(b"BZh0"), Compression::None);
        assert_eq!(
            Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0x24]),
            Compression::Zstd
        );
        assert_eq!(
            Compression::sniff(&[0x50, 0x2a, 0x4d, 0x18, 0, 0]),
            Compression::Zstd
        );
        assert_eq!(
            Compression::sniff(&[0xfd, b'7', b'z', b'X', b'Z', 0]),
            Compression::Xz
        );
        assert_eq!(
            Compression::sniff(b"Mar 12 04:05:35 host kernel:"),
            Compression::None
        );
        assert_eq!(Compression::sniff(&[0x1f]), Compression::None);
    }

    // `(printf 'one\ntwo\n' | gzip -n; printf 'three\n' | gzip -n)`: two members.
    const TWO_GZIP_MEMBERS: [u8; 54] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0xcf, 0x4b, 0xe5, 0x2a,
        0x29, 0xcf, 0xe7, 0x02, 0x00, 0xe6, 0x0b, 0xba, 0x12, 0x08, 0x00, 0x00, 0x00, 0x1f, 0x8b,
        0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x2b, 0xc9, 0x28, 0x4a, 0x4d, 0xe5, 0x02,
        0x00, 0xd8, 0xc5, 0x46, 0xff, 0x06, 0x00, 0x00, 0x00,
    ];

    #[test]
    fn gzip_members_are_read_one_after_another() {
        let out = decode_all(Compression::Gzip, &TWO_GZIP_MEMBERS).unwrap();
        assert_eq!(out, b"one\ntwo\nthree\n");
    }

    #[test]
    fn a_cut_gzip_keeps_what_came_before_and_says_where_it_broke() {
        // Cut inside the second member's trailer.
        let cut = &TWO_GZIP_MEMBERS[..50];
        let mut reader = Compression::Gzip.decoder(io::Cursor::new(cut.to_vec()));
        let mut out = Vec::new();
        let mut buf = [0u8; 4];
        let err = loop {
            match reader.read(&mut buf) {
                Ok(0) => panic!("a cut stream must end in an error"),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => break e,
            }
        };
        assert!(out.starts_with(b"one\ntwo\n"), "{out:?}");
        assert!(
            err.to_string().starts_with("gzip stream ends early after"),
            "{err}"
        );
    }

    #[test]
    fn garbage_after_a_magic_number_is_an_error_not_a_panic() {
        for compression in [
            Compression::Gzip,
            Compression::Bzip2,
            Compression::Zstd,
            Compression::Xz,
        ] {
            let mut bytes = match compression {
                Compression::Gzip => vec![0x1f, 0x8b],
                Compression::Bzip2 => b"BZh9".to_vec(),
                Compression::Zstd => vec![0x28, 0xb5, 0x2f, 0xfd],
                _ => vec![0xfd, b'7', b'z', b'X', b'Z', 0],
            };
            bytes.extend((0..200u32).map(|i| (i * 37 % 251) as u8));
            assert!(decode_all(compression, &bytes).is_err(), "{compression}");
        }
    }
}
