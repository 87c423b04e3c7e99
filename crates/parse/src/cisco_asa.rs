//! Cisco ASA, PIX and FTD syslog messages.
//!
//! Not written yet: the parser claims no line.

use crate::format::{Feed, Format, FormatParser, Sink};
use crate::time::TimeContext;

/// Reads cisco ASA, PIX and FTD syslog messages.
#[derive(Default, Debug)]
pub struct CiscoAsaParser;

impl FormatParser for CiscoAsaParser {
    fn format(&self) -> Format {
        Format::CiscoAsa
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
