//! FreeBSD `ipfw` log lines.
//!
//! Not written yet: the parser claims no line.

use crate::format::{Feed, Format, FormatParser, Sink};
use crate::time::TimeContext;

/// Reads freeBSD `ipfw` log lines.
#[derive(Default, Debug)]
pub struct IpfwParser;

impl FormatParser for IpfwParser {
    fn format(&self) -> Format {
        Format::Ipfw
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
