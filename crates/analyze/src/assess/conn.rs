//! Connection attempts: retransmissions of one attempt, and RSTs a scanner
//! sends to tear down its own half-open SYNs.

use std::collections::HashMap;

use picket_model::{Host, Proto, TcpFlags};

use crate::classify::Unit;

/// Packets that belong to one attempt to reach one service.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    /// Index of its first packet in the unit.
    pub first: usize,
    /// Packets in it (1 plus the retransmissions).
    pub packets: usize,
    /// Seconds from first to last packet.
    pub span: f64,
    /// The source port, when there is one.
    pub src_port: Option<u16>,
    /// The sequence number, when logged and constant.
    pub seq: Option<u32>,
    /// True when every IP ID rose from one packet to the next.
    pub ids_rise: bool,
}

/// Groups a unit's TCP and UDP packets into attempts: same source, target,
/// ports (and sequence number when logged), each packet within `window`
/// seconds of the previous one.
pub fn attempts(unit: &Unit, window: f64) -> Vec<Attempt> {
    let window_ns = (window * 1e9) as i128;
    let mut out: Vec<Attempt> = Vec::new();
    // The newest attempt per key: (index into out, last time, last id).
    // Packets come in time order, so only the newest can still be open.
    type Key = (Host, Host, Proto, Option<u16>, Option<u16>, Option<u32>);
    let mut open: HashMap<Key, (usize, Option<i128>, Option<u32>)> = HashMap::new();
    for (i, s) in unit.packets.iter().enumerate() {
        let p = &s.packet;
        if p.proto != Proto::TCP && p.proto != Proto::UDP {
            continue;
        }
        if p.tcp_flags().is_some_and(|f| f.has(TcpFlags::RST)) {
            continue;
        }
        if s.sensors.iter().all(|x| x.is_ids()) {
            // Several alerts on one connection are not retransmissions.
            continue;
        }
        if p.flow.is_some() {
            // A flow record is a whole connection: never a retransmission.
            out.push(Attempt {
                first: i,
                packets: 1,
                span: 0.0,
                src_port: p.src_port,
                seq: None,
                ids_rise: true,
            });
            continue;
        }
        let key: Key = (
            p.src.clone(),
            p.dst.clone(),
            p.proto,
            p.src_port,
            p.dst_port,
            p.tcp_seq(),
        );
        let t = p.time.map(|t| t.as_nanosecond());
        let found = open.get_mut(&key).filter(|(_, last, _)| match (t, *last) {
            (Some(t), Some(l)) => t - l <= window_ns,
            _ => false,
        });
        match found {
            Some((index, last, last_id)) => {
                let a = &mut out[*index];
                a.packets += 1;
                if let (Some(t), Some(l)) = (t, *last) {
                    a.span += (t - l) as f64 / 1e9;
                }
                if let (Some(id), Some(prev)) = (p.ip.id, *last_id) {
                    a.ids_rise &= (id as u16).wrapping_sub(prev as u16) < 0x8000
                        || (id as u16)
                            .swap_bytes()
                            .wrapping_sub((prev as u16).swap_bytes())
                            < 0x8000;
                }
                *last = t;
                *last_id = p.ip.id.or(*last_id);
            }
            None => {
                out.push(Attempt {
                    first: i,
                    packets: 1,
                    span: 0.0,
                    src_port: p.src_port,
                    seq: p.tcp_seq(),
                    ids_rise: true,
                });
                open.insert(key, (out.len() - 1, t, p.ip.id));
            }
        }
    }
    out
}

/// A SYN and the RST that carries its sequence number plus one.
#[derive(Clone, Debug, PartialEq)]
pub struct SynRstPair {
    /// Index of the SYN in the unit.
    pub syn: usize,
    /// Index of the RST.
    pub rst: usize,
    /// Seconds from SYN to RST.
    pub delay: f64,
}

/// SYN/RST pairs, and RSTs whose SYN is not in the log (they carry a
/// sequence number no logged SYN explains).
pub fn syn_rst_pairs(unit: &Unit) -> (Vec<SynRstPair>, usize) {
    let mut pairs = Vec::new();
    let mut orphans = 0;
    for (r, s) in unit.packets.iter().enumerate() {
        let p = &s.packet;
        let (Some(flags), Some(seq)) = (p.tcp_flags(), p.tcp_seq()) else {
            continue;
        };
        if !flags.has(TcpFlags::RST) {
            continue;
        }
        let syn = unit.packets.iter().enumerate().find(|(_, q)| {
            let q = &q.packet;
            q.src == p.src
                && q.dst == p.dst
                && q.src_port == p.src_port
                && q.tcp_flags().is_some_and(|f| f.is_exactly(TcpFlags::SYN))
                && q.tcp_seq().map(|x| x.wrapping_add(1)) == Some(seq)
        });
        match syn {
            Some((i, q)) => {
                let delay = match (q.packet.time, p.time) {
                    (Some(a), Some(b)) => (b.as_nanosecond() - a.as_nanosecond()) as f64 / 1e9,
                    _ => 0.0,
                };
                pairs.push(SynRstPair {
                    syn: i,
                    rst: r,
                    delay,
                });
            }
            None => orphans += 1,
        }
    }
    (pairs, orphans)
}
