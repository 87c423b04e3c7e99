//! Juniper SRX `RT_FLOW` and NetScreen traffic logs.
//!
//! Not written yet: the parser claims no line.

use crate::format::{Feed, Format, FormatParser, Sink};
use crate::time::TimeContext;

/// Reads juniper SRX `RT_FLOW` and NetScreen traffic logs.
#[derive(Default, Debug)]
pub struct JuniperParser;

impl FormatParser for JuniperParser {
    fn format(&self) -> Format {
        Format::Juniper
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
