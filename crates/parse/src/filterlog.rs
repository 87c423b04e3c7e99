//! pfSense and OPNsense `filterlog` CSV lines.
//!
//! Not written yet: the parser claims no line.

use crate::format::{Feed, Format, FormatParser, Sink};
use crate::time::TimeContext;

/// Reads pfSense and OPNsense `filterlog` CSV lines.
#[derive(Default, Debug)]
pub struct FilterlogParser;

impl FormatParser for FilterlogParser {
    fn format(&self) -> Format {
        Format::Filterlog
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
