//! Zeek (Bro) `conn.log`, in its TSV form and in its JSON form.
//!
//! ```text
//! #separator \x09
//! #fields ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents
//! 1521911721.411148 CXWfTK3LRdiuQxBbM6 10.47.25.80 50817 10.128.0.218 23189 tcp - 0.000486 0 0 REJ - - 0 Sr 2 104 2 80 -
//! {"ts":1521911721.411148,"uid":"CXWfTK3LRdiuQxBbM6","id.orig_h":"10.47.25.80","id.orig_p":50817,"id.resp_h":"10.128.0.218","id.resp_p":23189,"proto":"tcp","conn_state":"REJ","history":"Sr","orig_pkts":2,"resp_pkts":2}
//! ```
//!
//! (The TSV fields are separated by tabs, shown here as spaces.)
//!
//! In the TSV form the header decides everything: `#separator` starts a log
//! (several may follow each other in one input), `#unset_field` and
//! `#empty_field` name the empty values, `#path` says which log it is and
//! `#fields` maps the columns; header lines are skipped, and the records of
//! logs other than `conn` are skipped too. The JSON form names its fields on
//! every line. Each connection becomes one packet from the originator; see
//! the `record` module for what it carries.

mod record;

use std::sync::LazyLock;

use memchr::memmem::Finder;
use serde::Deserialize;

use crate::bytes::{Interner, parse_hex, parse_u64};
use crate::format::{Feed, Format, FormatParser, Sink};
use crate::suricata_eve::json::Scalar;
use crate::suricata_eve::{stamp, starts_object};
use crate::time::TimeContext;

use record::Conn;

static ORIG_H_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"id.orig_h\""));
static CONN_STATE_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"conn_state\""));
static UID_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\"uid\""));

/// The header lines of Zeek's TSV logs.
const HEADER_KEYS: [&[u8]; 9] = [
    b"#separator",
    b"#set_separator",
    b"#empty_field",
    b"#unset_field",
    b"#path",
    b"#open",
    b"#fields",
    b"#types",
    b"#close",
];

/// Columns beyond this many are not mapped (no Zeek log comes close).
const MAX_COLUMNS: usize = 256;

/// Reads Zeek `conn.log` records, TSV or JSON.
#[derive(Default, Debug)]
pub struct ZeekConnParser {
    names: Interner,
    header: Header,
    layout: Option<Layout>,
}

/// What the header lines read so far say.
#[derive(Debug)]
struct Header {
    separator: u8,
    unset: Vec<u8>,
    empty: Vec<u8>,
    /// `Some(true)` for `#path conn`, `Some(false)` for another log.
    path_is_conn: Option<bool>,
}

impl Default for Header {
    fn default() -> Self {
        Header {
            separator: b'\t',
            unset: b"-".to_vec(),
            empty: b"(empty)".to_vec(),
            path_is_conn: None,
        }
    }
}

/// The columns of the current TSV log, from its `#fields` line.
#[derive(Debug)]
struct Layout {
    columns: Vec<Column>,
    /// False for logs other than `conn`: their records are skipped.
    is_conn: bool,
}

/// The columns picket reads; the others are passed over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Ts,
    OrigH,
    OrigP,
    RespH,
    RespP,
    Proto,
    Duration,
    OrigBytes,
    RespBytes,
    ConnState,
    History,
    OrigPkts,
    OrigIpBytes,
    RespPkts,
    RespIpBytes,
    Other,
}

impl Column {
    fn of(name: &[u8]) -> Column {
        match name {
            b"ts" => Column::Ts,
            b"id.orig_h" => Column::OrigH,
            b"id.orig_p" => Column::OrigP,
            b"id.resp_h" => Column::RespH,
            b"id.resp_p" => Column::RespP,
            b"proto" => Column::Proto,
            b"duration" => Column::Duration,
            b"orig_bytes" => Column::OrigBytes,
            b"resp_bytes" => Column::RespBytes,
            b"conn_state" => Column::ConnState,
            b"history" => Column::History,
            b"orig_pkts" => Column::OrigPkts,
            b"orig_ip_bytes" => Column::OrigIpBytes,
            b"resp_pkts" => Column::RespPkts,
            b"resp_ip_bytes" => Column::RespIpBytes,
            _ => Column::Other,
        }
    }
}

impl FormatParser for ZeekConnParser {
    fn format(&self) -> Format {
        Format::ZeekConn
    }

    fn claims(&self, line: &[u8]) -> bool {
        if starts_object(line) {
            return ORIG_H_KEY.find(line).is_some()
                && (CONN_STATE_KEY.find(line).is_some() || UID_KEY.find(line).is_some());
        }
        if line.first() == Some(&b'#') {
            return header_key(line, self.header.separator).is_some();
        }
        self.layout.is_some()
            && line.first().is_some_and(u8::is_ascii_digit)
            && memchr::memchr(self.header.separator, line).is_some()
    }

    fn feed(
        &mut self,
        line: &[u8],
        line_no: u64,
        time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        if starts_object(line) {
            self.read_json(line, line_no, time, sink);
        } else if line.first() == Some(&b'#') {
            self.read_header(line, line_no, sink);
        } else {
            self.read_tsv(line, line_no, sink);
        }
        Feed::Done
    }
}

/// Which header line `line` is, and the value after its key.
fn header_key(line: &[u8], separator: u8) -> Option<(&'static [u8], &[u8])> {
    HEADER_KEYS.iter().find_map(|key| {
        let rest = line.strip_prefix(*key)?;
        match rest.split_first() {
            None => Some((*key, rest)),
            Some((b, value)) if *b == separator || *b == b' ' || *b == b'\t' => Some((*key, value)),
            Some(_) => None,
        }
    })
}

/// A TSV count; a value that is not one adds to `bad`.
fn number(text: &[u8], bad: &mut u32) -> Option<u64> {
    let n = parse_u64(text);
    if n.is_none() {
        *bad += 1;
    }
    n
}

/// `#separator`'s value: `\x09` as Zeek escapes it, or the byte itself.
fn separator_value(value: &[u8]) -> Option<u8> {
    match value {
        [b] => Some(*b),
        [b'\\', b'x', hex @ ..] if hex.len() == 2 => {
            parse_hex(hex).and_then(|v| u8::try_from(v).ok())
        }
        [b'\\', b't'] => Some(b'\t'),
        _ => None,
    }
}

impl ZeekConnParser {
    fn read_header(&mut self, line: &[u8], line_no: u64, sink: &mut dyn Sink) {
        let Some((key, value)) = header_key(line, self.header.separator) else {
            // A `#` comment line of another kind, as Zeek's tools allow.
            sink.skipped(line_no);
            return;
        };
        match key {
            b"#separator" => match separator_value(value) {
                Some(separator) => {
                    self.header = Header {
                        separator,
                        ..Header::default()
                    };
                    self.layout = None;
                }
                None => {
                    sink.unrecognized(line_no, "unreadable #separator");
                    return;
                }
            },
            b"#unset_field" => self.header.unset = value.to_vec(),
            b"#empty_field" => self.header.empty = value.to_vec(),
            b"#path" => self.header.path_is_conn = Some(value == b"conn"),
            b"#fields" => {
                let columns: Vec<Column> = value
                    .split(|b| *b == self.header.separator)
                    .take(MAX_COLUMNS)
                    .map(Column::of)
                    .collect();
                let is_conn = self.header.path_is_conn.unwrap_or_else(|| {
                    columns.contains(&Column::ConnState) && columns.contains(&Column::OrigH)
                });
                self.layout = Some(Layout { columns, is_conn });
            }
            _ => {}
        }
        sink.skipped(line_no);
    }

    fn read_tsv(&mut self, line: &[u8], line_no: u64, sink: &mut dyn Sink) {
        let Some(layout) = &self.layout else {
            sink.unrecognized(line_no, "zeek record before its #fields header");
            return;
        };
        if !layout.is_conn {
            sink.skipped(line_no);
            return;
        }
        let header = &self.header;
        let is_set = |field: &[u8]| {
            !field.is_empty()
                && field != header.unset.as_slice()
                && field != header.empty.as_slice()
        };
        let mut conn = Conn::default();
        let mut fields = 0usize;
        for (index, field) in line.split(|b| *b == header.separator).enumerate() {
            fields = index + 1;
            let column = layout.columns.get(index).copied().unwrap_or(Column::Other);
            if column == Column::Other || !is_set(field) {
                continue;
            }
            let bad = &mut conn.bad_fields;
            match column {
                Column::Ts => {
                    conn.time = stamp::epoch(field);
                    conn.bad_time = conn.time.is_none();
                }
                Column::OrigH => conn.orig_h = Some(field),
                Column::OrigP => conn.orig_p = number(field, bad),
                Column::RespH => conn.resp_h = Some(field),
                Column::RespP => conn.resp_p = number(field, bad),
                Column::Proto => conn.proto = Some(field),
                Column::Duration => {
                    conn.duration_ms = stamp::seconds_text_to_millis(field);
                    if conn.duration_ms.is_none() {
                        *bad += 1;
                    }
                }
                Column::OrigBytes => conn.orig_bytes = number(field, bad),
                Column::RespBytes => conn.resp_bytes = number(field, bad),
                Column::ConnState => conn.conn_state = Some(field),
                Column::History => conn.history = Some(field),
                Column::OrigPkts => conn.orig_pkts = number(field, bad),
                Column::OrigIpBytes => conn.orig_ip_bytes = number(field, bad),
                Column::RespPkts => conn.resp_pkts = number(field, bad),
                Column::RespIpBytes => conn.resp_ip_bytes = number(field, bad),
                Column::Other => {}
            }
        }
        conn.field_count_mismatch =
            (fields != layout.columns.len()).then_some((fields, layout.columns.len()));
        record::emit(&mut self.names, conn, line_no, sink);
    }

    fn read_json(&mut self, line: &[u8], line_no: u64, time: &TimeContext, sink: &mut dyn Sink) {
        let Ok(json) = serde_json::from_slice::<ConnJson<'_>>(line) else {
            sink.unrecognized(line_no, "not a readable zeek JSON object");
            return;
        };
        let is_conn = match json.path.text() {
            Some(path) => path == "conn",
            None => {
                json.conn_state.is_present()
                    || json.history.is_present()
                    || json.orig_pkts.is_present()
            }
        };
        if !is_conn {
            sink.skipped(line_no);
            return;
        }
        let mut conn = Conn::default();
        let mut bad = 0u32;
        let mut count = |leaf: &Scalar<'_>| crate::suricata_eve::json::count::<u64>(leaf, &mut bad);
        conn.orig_p = count(&json.orig_p);
        conn.resp_p = count(&json.resp_p);
        conn.orig_bytes = count(&json.orig_bytes);
        conn.resp_bytes = count(&json.resp_bytes);
        conn.orig_pkts = count(&json.orig_pkts);
        conn.orig_ip_bytes = count(&json.orig_ip_bytes);
        conn.resp_pkts = count(&json.resp_pkts);
        conn.resp_ip_bytes = count(&json.resp_ip_bytes);
        conn.bad_fields = bad;
        conn.time = match &json.ts {
            Scalar::Text(text) => {
                stamp::iso(text.as_bytes(), time).or_else(|| stamp::epoch(text.as_bytes()))
            }
            other => other.float().and_then(stamp::epoch_number),
        };
        conn.bad_time = json.ts.is_present() && conn.time.is_none();
        conn.duration_ms = match &json.duration {
            Scalar::Text(text) => stamp::seconds_text_to_millis(text.as_bytes()),
            other => other.float().and_then(stamp::seconds_to_millis),
        };
        if json.duration.is_present() && conn.duration_ms.is_none() {
            conn.bad_fields += 1;
        }
        conn.orig_h = json.orig_h.bytes();
        conn.resp_h = json.resp_h.bytes();
        conn.proto = json.proto.bytes();
        conn.conn_state = json.conn_state.bytes();
        conn.history = json.history.bytes();
        record::emit(&mut self.names, conn, line_no, sink);
    }
}

/// The fields of a Zeek JSON record that picket reads.
#[derive(Deserialize)]
struct ConnJson<'a> {
    #[serde(borrow, default, rename = "_path")]
    path: Scalar<'a>,
    #[serde(borrow, default)]
    ts: Scalar<'a>,
    #[serde(borrow, default, rename = "id.orig_h")]
    orig_h: Scalar<'a>,
    #[serde(borrow, default, rename = "id.orig_p")]
    orig_p: Scalar<'a>,
    #[serde(borrow, default, rename = "id.resp_h")]
    resp_h: Scalar<'a>,
    #[serde(borrow, default, rename = "id.resp_p")]
    resp_p: Scalar<'a>,
    #[serde(borrow, default)]
    proto: Scalar<'a>,
    #[serde(borrow, default)]
    duration: Scalar<'a>,
    #[serde(borrow, default)]
    orig_bytes: Scalar<'a>,
    #[serde(borrow, default)]
    resp_bytes: Scalar<'a>,
    #[serde(borrow, default)]
    conn_state: Scalar<'a>,
    #[serde(borrow, default)]
    history: Scalar<'a>,
    #[serde(borrow, default)]
    orig_pkts: Scalar<'a>,
    #[serde(borrow, default)]
    orig_ip_bytes: Scalar<'a>,
    #[serde(borrow, default)]
    resp_pkts: Scalar<'a>,
    #[serde(borrow, default)]
    resp_ip_bytes: Scalar<'a>,
}

#[cfg(test)]
mod tests;
