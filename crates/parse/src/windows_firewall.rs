//! Windows Firewall `pfirewall.log` (W3C extended format).
//!
//! Not written yet: the parser claims no line.

use crate::format::{Feed, Format, FormatParser, Sink};
use crate::time::TimeContext;

/// Reads windows Firewall `pfirewall.log` (W3C extended format).
#[derive(Default, Debug)]
pub struct WindowsFirewallParser;

impl FormatParser for WindowsFirewallParser {
    fn format(&self) -> Format {
        Format::WindowsFirewall
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
