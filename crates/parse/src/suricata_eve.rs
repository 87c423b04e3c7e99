//! Suricata `eve.json` events (alert, drop, flow, netflow, anomaly).
//!
//! Not written yet: the parser claims no line.

use crate::format::{Feed, Format, FormatParser, Sink};
use crate::time::TimeContext;

/// Reads suricata `eve.json` events (alert, drop, flow, netflow, anomaly).
#[derive(Default, Debug)]
pub struct SuricataEveParser;

impl FormatParser for SuricataEveParser {
    fn format(&self) -> Format {
        Format::SuricataEve
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
