//! Cisco IOS access-list logging (`%SEC-6-IPACCESSLOGP` and relatives).
//!
//! Not written yet: the parser claims no line.

use crate::format::{Feed, Format, FormatParser, Sink};
use crate::time::TimeContext;

/// Reads cisco IOS access-list logging (`%SEC-6-IPACCESSLOGP` and relatives).
#[derive(Default, Debug)]
pub struct CiscoIosParser;

impl FormatParser for CiscoIosParser {
    fn format(&self) -> Format {
        Format::CiscoIos
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
