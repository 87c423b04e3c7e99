//! What to do about a detect, and what else an analyst would note.

use picket_knowledge::PortCategory;
use picket_model::{DetectKind, Proto, Spoofed, TcpFlags, thousands};

use super::{port_label, sources};
use crate::assess::Findings;
use crate::assess::severity::trojan_names;
use crate::assess::words::{clock, duration, list, plural, port_ranges, rate as rate_words};
use crate::context::Context;
use crate::site::HostRole;

/// What to do.
pub fn recommendations(f: &Findings, ctx: &Context) -> Vec<String> {
    let mut out = Vec::new();
    let port = port_label(f);
    let src = sources(f);
    if f.spoofed == Spoofed::Likely {
        out.push(
            "Ask the upstream provider for ingress filtering (BCP 38, RFC 2827), and filter egress \
             here so that no forged source leaves this network."
                .to_string(),
        );
        out.push(
            "Drop packets with private, reserved or network-address sources at the border.".into(),
        );
    }
    match f.kind {
        DetectKind::TrojanProbe => {
            let names = f.entry.map(trojan_names).unwrap_or_else(|| "the trojan".into());
            out.push(format!(
                "Make sure no host answers on {port}; if one ever accepted such traffic, check it for {names}."
            ));
            out.push("Keep dropping unsolicited inbound connections.".into());
        }
        DetectKind::ServiceProbe | DetectKind::Alert => {
            let offered = f.facts.targets.iter().any(|t| {
                f.primary
                    .and_then(|(proto, p)| ctx.site.host(t).and_then(|h| h.offers(proto, p)))
                    == Some(true)
            });
            if offered {
                out.push(format!("Keep the service on {port} patched and open only to those who need it."));
            } else {
                out.push(format!("Keep {port} closed at the border: nothing here needs it exposed."));
            }
            if f.entry.is_some_and(|e| e.category == PortCategory::WindowsSharing) {
                out.push("Block NetBIOS and SMB (137-139/udp+tcp, 445/tcp) at the border.".into());
            }
            if f.entry.is_some_and(|e| e.category == PortCategory::Proxy) {
                out.push("Make sure no proxy here relays connections for outsiders.".into());
            }
        }
        DetectKind::PortScan | DetectKind::HostSweep | DetectKind::BlockScan => {
            out.push(format!(
                "Check that only intended services answer on {}; watch for follow-up from {src} \
                 against any host that answered.",
                port_ranges(&f.facts.dports, 4)
            ));
        }
        DetectKind::Misconfiguration => {
            let sport = f.facts.sports.first().copied().unwrap_or(0);
            let target = f.facts.targets.first().map(|t| t.to_string()).unwrap_or_default();
            out.push(format!(
                "Fix the local rule: let replies from {src} (source port {sport}) reach {target}, or \
                 accept them statefully (ESTABLISHED, RELATED), so the service works and the log stays quiet."
            ));
        }
        DetectKind::AuthorizedScan => out.push(
            "No action: the scanner is authorized. Confirm with its owner if its pattern ever changes."
                .into(),
        ),
        DetectKind::Backscatter => out.push(
            "No action against the senders: they are victims of the forgery. Expect more while the \
             campaign lasts."
                .into(),
        ),
        DetectKind::Worm => out.push(format!(
            "Patch or isolate hosts that run the service on {port}, and block it at the border."
        )),
        DetectKind::Flood => out.push(
            "Ask the upstream provider to filter or rate-limit the flood before it reaches this link."
                .into(),
        ),
        DetectKind::Compromise => out.push(format!(
            "Isolate {src} and examine it: a clean host does not send this."
        )),
    }
    out
}

/// The facts behind the conclusions.
pub fn observations(f: &Findings, ctx: &Context) -> Vec<String> {
    let mut out = Vec::new();
    let multi: usize = f
        .unit
        .packets
        .iter()
        .filter(|s| s.sensors.len() > 1)
        .count();
    if multi > 0 {
        let sensors: Vec<String> = f.facts.sensors.iter().map(|s| s.to_string()).collect();
        out.push(format!(
            "Seen by {}: {} logged by more than one sensor (same endpoints, ports and IP ID, TTLs \
             agreeing, within seconds) and counted once.",
            list(&sensors, 4),
            plural(multi as u64, "packet was", "packets were")
        ));
    }
    if f.facts.dports.len() > 1 {
        out.push(format!(
            "{} destination ports: {}.",
            f.facts.dports.len(),
            port_ranges(&f.facts.dports, 8)
        ));
    }
    if f.kind == DetectKind::Misconfiguration {
        let ports: Vec<u16> = f
            .unit
            .packets
            .iter()
            .filter_map(|s| s.packet.dst_port)
            .collect();
        if let (Some(a), Some(b)) = (ports.first(), ports.last()) {
            out.push(format!(
                "Destination ports rise with each packet ({a} to {b}), as a client's ephemeral ports do; \
                 the source port stays {}.",
                f.facts.sports.first().copied().unwrap_or(0)
            ));
        }
    } else if f.facts.sports.len() == 1 && f.facts.packets > 1 {
        out.push(format!(
            "The source port never changes ({}).",
            f.facts.sports.first().copied().unwrap_or(0)
        ));
    } else if f.facts.sports.len() > 1 && f.unit.sources.len() == 1 {
        let lo = f.facts.sports.first().copied().unwrap_or(0);
        let hi = f.facts.sports.last().copied().unwrap_or(0);
        out.push(format!("{} source ports, {lo}-{hi}.", f.facts.sports.len()));
    }
    if f.facts.sizes.len() == 1 && f.facts.packets > 1 {
        out.push(format!(
            "Every packet is {} bytes long.",
            f.facts.sizes.first().copied().unwrap_or(0)
        ));
    }
    let retransmissions: usize = f.attempts.iter().map(|a| a.packets.saturating_sub(1)).sum();
    if retransmissions > 0 && f.spoofed != Spoofed::Likely && f.kind != DetectKind::Misconfiguration
    {
        let seq = f.attempts.iter().find_map(|a| a.seq);
        let rising = f
            .attempts
            .iter()
            .filter(|a| a.packets > 1)
            .all(|a| a.ids_rise);
        let tcp = f.facts.protos.contains(&Proto::TCP);
        let (one, many, again, agains) = if tcp {
            (
                "connection attempt",
                "connection attempts",
                "retransmission",
                "retransmissions",
            )
        } else {
            ("query", "queries", "retry", "retries")
        };
        let mut s = format!(
            "{} and {}: same source port{}{} within {}.",
            plural(f.attempts.len() as u64, one, many),
            plural(retransmissions as u64, again, agains),
            if seq.is_some() {
                " and sequence number"
            } else {
                ""
            },
            if rising { ", rising IP IDs," } else { "" },
            duration(f.attempts.iter().map(|a| a.span).fold(0.0, f64::max))
        );
        if let Some(seq) = seq {
            s.push_str(&format!(" (sequence 0x{seq:X})"));
        }
        out.push(s);
    }
    if !f.pairs.is_empty() {
        let delays: Vec<f64> = f.pairs.iter().map(|p| p.delay).collect();
        let mean = delays.iter().sum::<f64>() / delays.len() as f64;
        let dropped = f.facts.blocked > 0;
        out.push(format!(
            "{}: each RST carries its SYN's sequence number plus one, about {} later{}, so the \
             scanning tool sends the RSTs itself.",
            plural(f.pairs.len() as u64, "SYN/RST pair", "SYN/RST pairs"),
            duration(mean),
            if dropped {
                ", although the firewall dropped the SYNs silently and no SYN-ACK can have come back"
            } else {
                ""
            }
        ));
    }
    if f.orphan_rsts > 0 {
        out.push(format!(
            "{} whose SYN is not in the log (cut from it, or not logged).",
            plural(f.orphan_rsts as u64, "RST", "RSTs")
        ));
    }
    if f.facts.packets > 1 && f.facts.span_secs() > 0.0 {
        let rate = crate::classify::timing::rate_per_sec(&f.facts);
        let per = rate_words(rate);
        out.push(format!(
            "{} over {}: {per} on average.",
            plural(f.facts.packets, "packet", "packets"),
            duration(f.facts.span_secs())
        ));
    }
    if let Some(p) = f.period {
        out.push(format!(
            "Steady period: a packet every {} ({}-{}).",
            duration(p.mean),
            duration(p.min),
            duration(p.max)
        ));
    }
    if let Some(c) = f.clusters {
        out.push(format!(
            "Packets arrive in {} at most {} apart, a group every {}.",
            if c.size == 2 {
                "pairs".to_string()
            } else {
                format!("groups of {}", c.size)
            },
            duration(c.inner),
            duration(c.period.mean)
        ));
    }
    if f.bursts.len() >= 2 && f.bursts.iter().any(|b| b.packets >= 2) {
        let parts: Vec<String> = f
            .bursts
            .iter()
            .take(8)
            .filter_map(|b| {
                let t = f.unit.packets.get(b.first)?.packet.time?;
                Some(format!(
                    "{} ({}, {})",
                    clock(t, ctx.zone),
                    plural(b.packets as u64, "packet", "packets"),
                    duration(b.span)
                ))
            })
            .collect();
        out.push(format!("{} bursts: {}.", f.bursts.len(), parts.join("; ")));
    }
    out.extend(f.hints.observations.iter().cloned());
    if let Some(w) = f.walk {
        use crate::classify::trw::Verdict;
        match w.verdict {
            Verdict::Scanner => out.push(format!(
                "Threshold Random Walk: a scanner after {} first contacts, {} of them failed.",
                w.contacts, w.failures
            )),
            Verdict::Benign => out.push(format!(
                "Threshold Random Walk: benign after {} first contacts, {} of them failed.",
                w.contacts, w.failures
            )),
            Verdict::Pending => {}
        }
    }
    if f.unit.sources.len() > 1000 {
        out.push(format!(
            "{} claimed sources in all; the first 1,000 are listed.",
            thousands(f.unit.sources.len() as u64)
        ));
    }
    for (msg, n) in f.facts.messages.iter().take(5) {
        out.push(format!(
            "IDS signature \"{msg}\" fired {}.",
            plural(*n, "time", "times")
        ));
    }
    let verdict = match f.spoofed {
        Spoofed::Likely => "Forged",
        Spoofed::Possible => "Source unproven",
        Spoofed::Unlikely => "Source genuine",
    };
    for reason in &f.spoof_reasons {
        out.push(format!("{verdict}: {reason}."));
    }
    let flags_text: Vec<String> = f
        .facts
        .tcp_flags
        .iter()
        .map(|(flags, n)| format!("{} {}", TcpFlags(*flags), n))
        .collect();
    if f.facts.tcp_flags.len() > 1 {
        out.push(format!("TCP flags seen: {}.", flags_text.join(", ")));
    }
    if f.facts.blocked > 0 && f.facts.blocked < f.facts.packets {
        out.push(format!(
            "{} of {} packets were dropped by a filter.",
            thousands(f.facts.blocked),
            thousands(f.facts.packets)
        ));
    }
    if f.unit.overflow > 0 {
        out.push(format!(
            "{} more packets from this source were counted but not kept for detail.",
            thousands(f.unit.overflow)
        ));
    }
    let roles: Vec<String> = f
        .facts
        .targets
        .iter()
        .filter_map(|t| ctx.site.role(t).map(|r| (t, r)))
        .filter(|(_, r)| *r == HostRole::DnsServer)
        .map(|(t, _)| t.to_string())
        .collect();
    let _ = roles;
    out
}
