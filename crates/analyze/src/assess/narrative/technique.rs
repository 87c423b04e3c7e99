//! How the activity was carried out: tools, timing, retries, fingerprints.

use picket_model::{DetectKind, Proto, ScanType, Spoofed, thousands};

use crate::assess::Findings;
use crate::assess::words::{duration, list, plural, rate as rate_words};
use crate::classify::Grouping;
use crate::context::Context;

/// How it was done.
pub fn technique(f: &Findings, ctx: &Context) -> String {
    let mut parts: Vec<String> = Vec::new();
    let retransmitted: Vec<_> = f.attempts.iter().filter(|a| a.packets > 1).collect();
    let tcp = f.facts.protos.contains(&Proto::TCP);
    if f.facts.packets == 1 {
        parts.push(
            "A single packet: detectors that wait for several probes before raising an alert miss it."
                .into(),
        );
    }
    let forged = f.spoofed == Spoofed::Likely;
    if !retransmitted.is_empty() && f.kind != DetectKind::Misconfiguration && !forged {
        let (what, whats) = if tcp {
            ("connection attempt", "connection attempts")
        } else {
            ("query", "queries")
        };
        let max_span = retransmitted.iter().map(|a| a.span).fold(0.0, f64::max);
        let counts: Vec<usize> = retransmitted.iter().map(|a| a.packets).collect();
        let same = counts.iter().all(|c| *c == counts[0]);
        let n = if same {
            counts[0].to_string()
        } else {
            format!(
                "{}-{}",
                counts.iter().min().unwrap_or(&0),
                counts.iter().max().unwrap_or(&0)
            )
        };
        if f.attempts.len() == 1 {
            parts.push(format!(
                "The {n} packets are one {what} from one source port within {}, repeated because no \
                 answer came, as a client program does.",
                duration(max_span)
            ));
        } else {
            parts.push(format!(
                "{} {whats}, each of {n} packets from one fixed source port within {}: each \
                 repeated because no answer came.",
                f.attempts.len(),
                duration(max_span)
            ));
        }
    } else if f.attempts.len() > 1 && f.facts.sports.len() == f.attempts.len() && tcp {
        parts.push(format!(
            "{} separate attempts, each from a new source port.",
            f.attempts.len()
        ));
    }
    if f.facts.sports.len() == 1 && f.facts.packets > 1 && f.unit.sources.len() > 1 {
        parts.push(format!(
            "Every source used the same source port ({}): one tool.",
            f.facts.sports.first().copied().unwrap_or(0)
        ));
    }
    match f.scan {
        Some(ScanType::Syn)
            if matches!(
                f.kind,
                DetectKind::PortScan | DetectKind::HostSweep | DetectKind::BlockScan
            ) =>
        {
            let mut s = "Half-open SYN probes: the sender never completes a handshake".to_string();
            if !f.pairs.is_empty() {
                s.push_str(", and tears each probe down with a RST of its own");
            }
            s.push('.');
            parts.push(s);
        }
        Some(ScanType::Connect) => parts.push(
            "Full TCP connects (SYNs with an operating system's complete option set).".into(),
        ),
        Some(ScanType::Fin) => parts.push(
            "FIN probes: closed ports answer with RST, open ones stay silent on most stacks."
                .into(),
        ),
        Some(ScanType::Null) => {
            parts.push("NULL probes (no TCP flags), which stateless filters let through.".into())
        }
        Some(ScanType::Xmas) => parts.push(
            "XMAS probes (FIN, PSH and URG set), which stateless filters let through.".into(),
        ),
        Some(ScanType::Ack) => parts.push(
            "ACK probes: they map which ports a firewall filters, not which are open.".into(),
        ),
        Some(ScanType::Maimon) => parts.push("Maimon probes (FIN and ACK).".into()),
        Some(ScanType::Udp) => {
            parts.push("UDP probes: closed ports answer with ICMP port unreachable.".into())
        }
        Some(ScanType::IcmpEcho) => {
            parts.push("ICMP echo requests (ping) to find live hosts.".into())
        }
        Some(ScanType::IpProtocol) => {
            parts.push("One packet per IP protocol number (nmap -sO style).".into())
        }
        _ => {}
    }
    if f.unit.grouping == Grouping::Interleaved {
        parts.push(format!(
            "Claimed sources {} take turns against one target; the impossible ones show the \
             addresses are forged, and their turn-taking suggests one machine behind them all.",
            list(&f.unit.sources, 4)
        ));
    }
    let flows: Vec<&picket_model::FlowInfo> = f
        .unit
        .packets
        .iter()
        .filter_map(|s| s.packet.flow.as_deref())
        .collect();
    if !flows.is_empty() {
        use picket_model::FlowOutcome;
        let count = |o: FlowOutcome| flows.iter().filter(|x| x.outcome == Some(o)).count();
        parts.push(format!(
            "{} recorded as flows: {} completed, {} refused, {} unanswered.",
            plural(flows.len() as u64, "connection", "connections"),
            count(FlowOutcome::Established),
            count(FlowOutcome::Rejected),
            count(FlowOutcome::Unanswered)
        ));
        let login = f.primary.is_some_and(|(_, port)| {
            matches!(
                port,
                21 | 22 | 23 | 110 | 143 | 445 | 1433 | 2323 | 3306 | 3389 | 5432 | 5900
            )
        });
        if login && flows.len() >= 20 && f.facts.targets_seen() <= 2 {
            parts.push(
                "So many connections to one login service are password guessing (brute force), \
                 not a probe."
                    .into(),
            );
        }
    }
    if f.unit.grouping == Grouping::Flood {
        parts.push(format!(
            "{} claimed sources, each sending a few packets, together flood one target.",
            thousands(f.unit.sources.len() as u64)
        ));
    }
    if f.unit.grouping == Grouping::Crowd {
        parts.push(format!(
            "{} sources came after the tracking limits were reached (max_sources, \
             max_kept_packets): their packets to this target and port are counted together, \
             the first and last few kept.",
            thousands(f.unit.sources.len() as u64)
        ));
    }
    if f.unit.grouping == Grouping::Pool {
        parts.push(format!(
            "The same packet (source port, TTL, size) came from {} hours apart: one tool, one actor \
             reconnecting from a numbered address pool.",
            list(&f.unit.sources, 3)
        ));
    }
    if let Some(c) = f.clusters {
        parts.push(format!(
            "Packets come in {} {} apart, one group every {}.",
            if c.size == 2 {
                "pairs".to_string()
            } else {
                format!("groups of {}", c.size)
            },
            duration(c.inner),
            duration(c.period.mean)
        ));
    } else if let Some(p) = f.period {
        parts.push(format!(
            "A packet every {} with little variation.",
            duration(p.mean)
        ));
    }
    if f.facts.packets >= 10 && f.facts.span_secs() >= 1.0 {
        let rate = crate::classify::timing::rate_per_sec(&f.facts);
        let per = if rate * 60.0 >= 1.0 {
            rate_words(rate)
        } else {
            // The technique line never drops below minutes.
            format!("{:.1} per minute", rate * 60.0)
        };
        parts.push(format!(
            "{} over {} ({per}): automated.",
            plural(f.facts.packets, "packet", "packets"),
            duration(f.facts.span_secs())
        ));
    }
    if f.kind == DetectKind::HostSweep
        && let Some(first) = f.facts.targets.first()
        && let Some(d) = ctx.site.host(first).and_then(|h| h.description.clone())
    {
        let second = f
            .facts
            .targets
            .get(1)
            .and_then(|t| ctx.site.host(t).and_then(|h| h.description.clone()));
        let order = match second {
            Some(s) => format!("{d}, then {s}"),
            None => d,
        };
        parts.push(format!(
            "The first targets were {order}: a target list built from DNS would start there."
        ));
    }
    if parts.is_empty() {
        parts.push(format!(
            "{} in {}.",
            plural(f.facts.packets, "packet", "packets"),
            duration(f.facts.span_secs())
        ));
    }
    parts.join(" ")
}
