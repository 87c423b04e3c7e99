//! Not written yet.

use crate::format::{Feed, Format, FormatParser, Sink};
use crate::time::TimeContext;

/// Not written yet: claims no line.
#[derive(Default, Debug)]
pub struct PfParser;

impl FormatParser for PfParser {
    fn format(&self) -> Format {
        Format::Pf
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
