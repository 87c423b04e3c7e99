//! FortiGate key=value traffic logs.
//!
//! Not written yet: the parser claims no line.

use crate::format::{Feed, Format, FormatParser, Sink};
use crate::time::TimeContext;

/// Reads fortiGate key=value traffic logs.
#[derive(Default, Debug)]
pub struct FortigateParser;

impl FormatParser for FortigateParser {
    fn format(&self) -> Format {
        Format::Fortigate
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
