//! Splitting a byte stream into lines in bounded memory.
//!
//! Lines are found with `memchr` in a fixed buffer. A line longer than the
//! limit is not buffered whole: its length is counted and it is reported as
//! too long, so a 10 GB file without a newline costs one buffer.

use std::io::{self, Read};

/// A line, or the news that a line was too long to keep.
#[derive(Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// The line's bytes, without `\n` or a trailing `\r`.
    Text(&'a [u8]),
    /// A line longer than the limit: only its length is known.
    TooLong(u64),
}

/// Bytes read per refill.
const CHUNK: usize = 256 * 1024;

/// Calls `each(line_number, line)` for every line of `reader` (numbered from
/// 1). Lines longer than `max_line` bytes come as [`Line::TooLong`]. Returns
/// the number of lines and bytes read.
pub fn for_each_line<R: Read>(
    mut reader: R,
    max_line: usize,
    mut each: impl FnMut(u64, Line<'_>),
) -> io::Result<(u64, u64)> {
    let mut buf: Vec<u8> = vec![0; CHUNK.max(max_line + 1)];
    let mut start = 0usize;
    let mut end = 0usize;
    let mut line_no = 0u64;
    let mut bytes = 0u64;
    let mut skipping: Option<u64> = None;
    loop {
        // Emit every complete line in buf[start..end].
        while let Some(pos) = memchr::memchr(b'\n', &buf[start..end]) {
            line_no += 1;
            let line = &buf[start..start + pos];
            match skipping.take() {
                Some(skipped) => each(line_no, Line::TooLong(skipped + pos as u64)),
                None => {
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    each(line_no, Line::Text(line));
                }
            }
            start += pos + 1;
        }
        // Keep the partial line at the front.
        if start > 0 {
            buf.copy_within(start..end, 0);
            end -= start;
            start = 0;
        }
        if end > max_line {
            skipping = Some(skipping.unwrap_or(0) + end as u64);
            end = 0;
        }
        if end == buf.len() {
            // Cannot happen with buf.len() > max_line, but never loop forever.
            skipping = Some(skipping.unwrap_or(0) + end as u64);
            end = 0;
        }
        let n = match reader.read(&mut buf[end..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        bytes += n as u64;
        end += n;
    }
    if end > 0 || skipping.is_some() {
        line_no += 1;
        match skipping {
            Some(skipped) => each(line_no, Line::TooLong(skipped + end as u64)),
            None => {
                let line = &buf[..end];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                each(line_no, Line::Text(line));
            }
        }
    }
    Ok((line_no, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8], max: usize) -> Vec<(u64, String)> {
        let mut out = Vec::new();
        for_each_line(input, max, |n, line| {
            out.push((
                n,
                match line {
                    Line::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    Line::TooLong(len) => format!("<{len}>"),
                },
            ))
        })
        .unwrap();
        out
    }

    #[test]
    fn lines_crlf_and_last_line_without_newline() {
        assert_eq!(
            collect(b"a\r\nb\n\nc", 100),
            vec![
                (1, "a".into()),
                (2, "b".into()),
                (3, "".into()),
                (4, "c".into())
            ]
        );
        assert!(collect(b"", 100).is_empty());
    }

    #[test]
    fn long_lines_are_reported_not_buffered() {
        let mut input = vec![b'x'; 1_000_000];
        input.extend_from_slice(b"\nshort\n");
        input.extend(vec![b'y'; 700_000]);
        let lines = collect(&input, 4096);
        assert_eq!(
            lines,
            vec![
                (1, "<1000000>".into()),
                (2, "short".into()),
                (3, "<700000>".into())
            ]
        );
    }

    #[test]
    fn lines_across_chunk_boundaries() {
        let line = "z".repeat(1000);
        let text = format!("{line}\n").repeat(600);
        let lines = collect(text.as_bytes(), 4096);
        assert_eq!(lines.len(), 600);
        assert!(lines.iter().all(|(_, l)| l.len() == 1000));
    }
}
