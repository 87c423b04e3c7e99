//! Packet captures: pcap and pcapng files, read as a stream.
//!
//! Each captured frame that holds an IP packet becomes one [`Packet`] from
//! [`Sensor::Pcap`](picket_model::Sensor::Pcap), logged (a capture makes no
//! decision), timed by the capture, its `origin.line` the frame's 1-based
//! number in the file. Frames cut by the snapshot length are kept as far as
//! they go; a warning says so only when a header itself was cut. Frames that
//! carry no IP (ARP, spanning tree) are counted as skipped.

mod decode;
pub mod link;

use std::fmt;
use std::io::{self, Read};

use jiff::Timestamp;
use pcap_parser::pcapng::Block;
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{LegacyPcapReader, PcapBlockOwned, PcapError, PcapNGReader};
use picket_model::Packet;

use crate::format::Sink;
use link::NoIp;

pub use decode::tcp_options;

/// Bytes of a file's head that [`CaptureKind::sniff`] needs.
pub const MAGIC_LEN: usize = 4;

/// Bytes read ahead before the capture's header is parsed, so that a reader
/// that returns a few bytes at a time (a decompressor) still shows it whole.
const HEAD: usize = 64 * 1024;
/// The reader's first buffer.
const BUFFER: usize = 256 * 1024;
/// The largest record accepted: frames are at most 256 KiB by libpcap's
/// rules, pcapng blocks a little more. A record claiming more ends the read.
const MAX_BUFFER: usize = 16 * 1024 * 1024;

/// Why a read stopped when the bytes could not be had.
const UNREADABLE: &str = "the capture could not be read to its end";
/// Why a read stopped at a record claiming more than [`MAX_BUFFER`].
const TOO_LARGE: &str = "a record is larger than picket reads";

/// The two capture file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaptureKind {
    /// The classic libpcap format (microsecond or nanosecond, either byte order).
    Pcap,
    /// pcapng, with its sections and interfaces.
    Pcapng,
}

impl CaptureKind {
    /// Recognises a capture by its magic number.
    pub fn sniff(head: &[u8]) -> Option<CaptureKind> {
        match head.get(..4)? {
            [0xd4, 0xc3, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0xc3, 0xd4]
            | [0x4d, 0x3c, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0x3c, 0x4d]
            | [0x34, 0xcd, 0xb2, 0xa1]
            | [0xa1, 0xb2, 0xcd, 0x34] => Some(CaptureKind::Pcap),
            [0x0a, 0x0d, 0x0d, 0x0a] => Some(CaptureKind::Pcapng),
            _ => None,
        }
    }

    /// The format's name in the report's `inputs`.
    pub fn as_str(self) -> &'static str {
        match self {
            CaptureKind::Pcap => "pcap",
            CaptureKind::Pcapng => "pcapng",
        }
    }
}

/// What one capture held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureStats {
    /// pcap or pcapng.
    pub kind: CaptureKind,
    /// Frames in the file (each numbered as a line would be).
    pub frames: u64,
    /// IP packets sent to the sink.
    pub packets: u64,
    /// Frames that carry no IP packet.
    pub not_ip: u64,
    /// Frames shorter on disk than on the wire (snapshot length).
    pub truncated: u64,
    /// Why the read stopped before the end of the file, when it did: the
    /// frames before that point were all read.
    pub damage: Option<String>,
}

/// Why a capture could not be read at all.
#[derive(Debug)]
pub struct CaptureError {
    /// What was wrong, in a few words.
    pub message: String,
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CaptureError {}

/// How one pcapng interface (or the pcap file) stamps and frames packets.
#[derive(Clone, Copy, Debug)]
struct Interface {
    linktype: i32,
    /// Timestamp units per second; `None` when the file states an impossible one.
    units_per_second: Option<u64>,
    /// Seconds added to every timestamp (pcapng `if_tsoffset`).
    offset: i64,
}

/// Reads a whole capture from `reader`, sending each IP packet to `sink`.
/// Streams: memory holds one buffer of records, never the file. Returns an
/// error only when the file is not a capture or its header cannot be read;
/// damage further on ends the read with a warning and
/// [`CaptureStats::damage`].
pub fn read_capture<R: Read>(reader: R, sink: &mut dyn Sink) -> Result<CaptureStats, CaptureError> {
    let mut reader = reader;
    let mut head = Vec::with_capacity(HEAD);
    (&mut reader)
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(|e| CaptureError {
            message: format!("cannot read the capture: {e}"),
        })?;
    let Some(kind) = CaptureKind::sniff(&head) else {
        return Err(CaptureError {
            message: "not a pcap or pcapng capture".into(),
        });
    };
    let stream = io::Cursor::new(head).chain(reader);
    let not_readable = |e: PcapError<&[u8]>| CaptureError {
        message: format!("{} header not readable: {e:?}", kind.as_str()),
    };
    let mut state = State {
        stats: CaptureStats {
            kind,
            frames: 0,
            packets: 0,
            not_ip: 0,
            truncated: 0,
            damage: None,
        },
        interfaces: Vec::new(),
    };
    match kind {
        CaptureKind::Pcap => {
            let blocks = LegacyPcapReader::new(BUFFER, stream).map_err(not_readable)?;
            state.drive(blocks, sink);
        }
        CaptureKind::Pcapng => {
            let blocks = PcapNGReader::new(BUFFER, stream).map_err(not_readable)?;
            state.drive(blocks, sink);
        }
    }
    if let Some(damage) = &state.stats.damage {
        sink.warning(state.stats.frames + 1, damage.clone());
    }
    Ok(state.stats)
}

/// True when the pcapng block at the start of `data` claims a total length
/// below 12 bytes (type, length and trailing length), in either byte order:
/// no block is that short.
fn too_short_block(data: &[u8]) -> bool {
    let Some(field) = data.get(4..8) else {
        return false;
    };
    let bytes = [field[0], field[1], field[2], field[3]];
    u32::from_le_bytes(bytes).min(u32::from_be_bytes(bytes)) < 12
}

/// Doubles the reader's buffer, up to [`MAX_BUFFER`].
fn grow(blocks: &mut impl PcapReaderIterator, capacity: &mut usize) -> bool {
    if *capacity >= MAX_BUFFER {
        return false;
    }
    *capacity = (*capacity * 2).min(MAX_BUFFER);
    blocks.grow(*capacity)
}

struct State {
    stats: CaptureStats,
    /// The pcap file's one interface, or the current pcapng section's.
    interfaces: Vec<Interface>,
}

impl State {
    /// Reads every block, growing the buffer for large records, until the
    /// end of the file or the first damage.
    fn drive(&mut self, mut blocks: impl PcapReaderIterator, sink: &mut dyn Sink) {
        let mut capacity = BUFFER;
        let mut stalls = 0u8;
        loop {
            if self.stats.kind == CaptureKind::Pcapng && too_short_block(blocks.data()) {
                // pcap-parser would subtract the header from this length
                // and wrap around.
                self.stop("a block shorter than its own header ends the capture");
                break;
            }
            match blocks.next() {
                Ok((size, block)) => {
                    self.block(block, sink);
                    blocks.consume(size);
                    stalls = 0;
                }
                Err(PcapError::Eof) => break,
                Err(PcapError::Incomplete(_)) => {
                    let before = blocks.data().len();
                    if blocks.refill().is_err() {
                        self.stop(UNREADABLE);
                        break;
                    }
                    if blocks.data().len() == before && !blocks.reader_exhausted() {
                        // The buffer is full and the record still incomplete.
                        stalls += 1;
                        if stalls > 1 && !grow(&mut blocks, &mut capacity) {
                            self.stop(TOO_LARGE);
                            break;
                        }
                    }
                }
                Err(PcapError::BufferTooSmall) => {
                    if !grow(&mut blocks, &mut capacity) {
                        self.stop(TOO_LARGE);
                        break;
                    }
                    if blocks.refill().is_err() {
                        self.stop(UNREADABLE);
                        break;
                    }
                }
                Err(PcapError::UnexpectedEof) => {
                    self.stop("the capture ends inside a record (cut short)");
                    break;
                }
                Err(PcapError::ReadError) => {
                    self.stop(UNREADABLE);
                    break;
                }
                Err(e) => {
                    let message = format!("a damaged record ({e:?}) ends the capture");
                    self.stop(&message);
                    break;
                }
            }
        }
    }

    fn stop(&mut self, message: &str) {
        if self.stats.damage.is_none() {
            self.stats.damage = Some(message.to_string());
        }
    }

    fn block(&mut self, block: PcapBlockOwned<'_>, sink: &mut dyn Sink) {
        match block {
            PcapBlockOwned::LegacyHeader(header) => {
                self.interfaces = vec![Interface {
                    linktype: header.network.0,
                    units_per_second: Some(if header.is_nanosecond_precision() {
                        1_000_000_000
                    } else {
                        1_000_000
                    }),
                    offset: 0,
                }];
            }
            PcapBlockOwned::Legacy(frame) => {
                let time = self.interfaces.first().and_then(|i| {
                    let units = i.units_per_second?;
                    let fraction = u64::from(frame.ts_usec);
                    stamp(u64::from(frame.ts_sec) * units + fraction, units, 0)
                });
                self.frame(0, time, frame.data, frame.origlen, sink);
            }
            PcapBlockOwned::NG(Block::SectionHeader(_)) => self.interfaces.clear(),
            PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                self.interfaces.push(Interface {
                    linktype: idb.linktype.0,
                    units_per_second: idb.ts_resolution(),
                    offset: idb.ts_offset(),
                });
            }
            PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                let index = epb.if_id as usize;
                let time = self.interfaces.get(index).and_then(|i| {
                    let ticks = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                    stamp(ticks, i.units_per_second?, i.offset)
                });
                self.frame(index, time, epb.data, epb.origlen, sink);
            }
            PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                self.frame(0, None, spb.data, spb.origlen, sink);
            }
            PcapBlockOwned::NG(_) => {}
        }
    }

    fn frame(
        &mut self,
        interface: usize,
        time: Option<Timestamp>,
        data: &[u8],
        wire_len: u32,
        sink: &mut dyn Sink,
    ) {
        self.stats.frames += 1;
        let number = self.stats.frames;
        if (data.len() as u64) < u64::from(wire_len) {
            self.stats.truncated += 1;
        }
        let Some(linktype) = self.interfaces.get(interface).map(|i| i.linktype) else {
            sink.unrecognized(number, "packet of an interface the capture never described");
            return;
        };
        match link::slice(linktype, data) {
            Ok(sliced) => match decode::decode(&sliced, true) {
                Some(mut decoded) => {
                    decoded.packet.time = time;
                    decoded.packet.origin.line = number;
                    if let Some(icmp) = decoded.packet.icmp.as_mut()
                        && let Some(quoted) = icmp.quoted.as_mut()
                    {
                        quoted.origin.line = number;
                    }
                    if let Some(header) = decoded.cut {
                        sink.warning(
                            number,
                            format!("packet {number}: {header} cut short by the capture"),
                        );
                    }
                    self.stats.packets += 1;
                    sink.packet(decoded.packet);
                }
                None => {
                    self.stats.not_ip += 1;
                    sink.skipped(number);
                }
            },
            Err(NoIp::NotIp) => {
                self.stats.not_ip += 1;
                sink.skipped(number);
            }
            Err(NoIp::Cut(_)) => sink.unrecognized(number, "packet cut short before its IP header"),
            Err(NoIp::Damaged(reason)) => sink.unrecognized(number, reason),
            Err(NoIp::Unsupported) => sink.unrecognized(number, "link type picket does not read"),
        }
    }
}

/// A capture timestamp: `ticks` units of `1/units_per_second` s since the
/// epoch, plus `offset` seconds. `None` when out of range.
fn stamp(ticks: u64, units_per_second: u64, offset: i64) -> Option<Timestamp> {
    if units_per_second == 0 {
        return None;
    }
    let seconds = i64::try_from(ticks / units_per_second)
        .ok()?
        .checked_add(offset)?;
    let fraction = u128::from(ticks % units_per_second);
    let nanos = fraction * 1_000_000_000 / u128::from(units_per_second);
    Timestamp::new(seconds, i32::try_from(nanos).ok()?).ok()
}

/// A one-line text summary of a captured packet, for evidence:
/// `#12 10.0.0.1:1234 > 10.0.0.2:80 TCP [S] len 44`.
pub fn summary(packet: &Packet) -> String {
    use std::fmt::Write;
    let mut out = format!("#{} ", packet.origin.line);
    let endpoint = |out: &mut String, host: &picket_model::Host, port: Option<u16>| {
        let _ = match (host, port) {
            (picket_model::Host::Addr(std::net::IpAddr::V6(a)), Some(p)) => {
                write!(out, "[{a}]:{p}")
            }
            (h, Some(p)) => write!(out, "{h}:{p}"),
            (h, None) => write!(out, "{h}"),
        };
    };
    endpoint(&mut out, &packet.src, packet.src_port);
    out.push_str(" > ");
    endpoint(&mut out, &packet.dst, packet.dst_port);
    let _ = write!(out, " {}", packet.proto.name().to_ascii_uppercase());
    if let Some(flags) = packet.tcp_flags() {
        out.push_str(" [");
        for (bit, letter) in [
            (picket_model::TcpFlags::SYN, 'S'),
            (picket_model::TcpFlags::FIN, 'F'),
            (picket_model::TcpFlags::RST, 'R'),
            (picket_model::TcpFlags::PSH, 'P'),
            (picket_model::TcpFlags::URG, 'U'),
            (picket_model::TcpFlags::ECE, 'E'),
            (picket_model::TcpFlags::CWR, 'W'),
            (picket_model::TcpFlags::ACK, '.'),
        ] {
            if flags.has(bit) {
                out.push(letter);
            }
        }
        out.push(']');
    }
    if let Some(icmp) = &packet.icmp {
        let _ = write!(out, " type {} code {}", icmp.kind, icmp.code);
        if let Some(quoted) = &icmp.quoted {
            let _ = write!(out, " (quoting {} > {}", quoted.src, quoted.dst);
            if let Some(port) = quoted.dst_port {
                let _ = write!(out, ":{port}");
            }
            out.push(')');
        }
    }
    if let Some(len) = packet.ip.total_len {
        let _ = write!(out, " len {len}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers() {
        assert_eq!(
            CaptureKind::sniff(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0]),
            Some(CaptureKind::Pcap)
        );
        assert_eq!(
            CaptureKind::sniff(&[0xa1, 0xb2, 0x3c, 0x4d]),
            Some(CaptureKind::Pcap)
        );
        assert_eq!(
            CaptureKind::sniff(&[0x0a, 0x0d, 0x0d, 0x0a]),
            Some(CaptureKind::Pcapng)
        );
        assert_eq!(CaptureKind::sniff(b"Mar 1"), None);
        assert_eq!(CaptureKind::sniff(&[0xd4, 0xc3]), None);
    }

    #[test]
    fn timestamps_in_any_resolution() {
        // 2019-08-21 18:16:47.841604 UTC, the first frame of the masscan TCP capture.
        let micro = stamp(1_566_411_407 * 1_000_000 + 841_604, 1_000_000, 0).unwrap();
        assert_eq!(micro.to_string(), "2019-08-21T18:16:47.841604Z");
        let nano = stamp(
            1_566_411_407 * 1_000_000_000 + 841_604_000,
            1_000_000_000,
            0,
        )
        .unwrap();
        assert_eq!(nano, micro);
        let binary = stamp(3 * 1024 + 512, 1024, 10).unwrap();
        assert_eq!(binary.to_string(), "1970-01-01T00:00:13.5Z");
        assert_eq!(stamp(u64::MAX, 1, 0), None);
        assert_eq!(stamp(5, 0, 0), None);
        assert_eq!(stamp(5, 1, i64::MAX), None);
    }
}
