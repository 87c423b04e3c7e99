//! Zeek `conn.log`, TSV with its `#fields` header or JSON.
//!
//! Not written yet: the parser claims no line.

use crate::format::{Feed, Format, FormatParser, Sink};
use crate::time::TimeContext;

/// Reads zeek `conn.log`, TSV with its `#fields` header or JSON.
#[derive(Default, Debug)]
pub struct ZeekConnParser;

impl FormatParser for ZeekConnParser {
    fn format(&self) -> Format {
        Format::ZeekConn
    }

    fn claims(&self, _line: &[u8]) -> bool {
        false
    }

    fn feed(
        &mut self,
        _line: &[u8],
        line_no: u64,
        _time: &mut TimeContext,
        sink: &mut dyn Sink,
    ) -> Feed {
        sink.unrecognized(line_no, "not written yet");
        Feed::Done
    }
}
