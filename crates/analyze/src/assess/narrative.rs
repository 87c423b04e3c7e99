//! The analyst's sentences, built from findings. Every sentence states a
//! fact found in the log or a conclusion drawn from such facts.

use picket_knowledge::{AccessKind, PortCategory, names};
use picket_model::{DetectKind, Host, Proto, ScanType, Spoofed, TcpFlags};

use crate::assess::Findings;
use crate::assess::severity::{short_description, trojan_names};
use crate::assess::words::{clock, duration, list, plural, port_ranges, short_time};
use crate::classify::Grouping;
use crate::context::Context;
use crate::site::HostRole;

fn port_label(f: &Findings) -> String {
    match (f.primary, f.entry) {
        (Some((proto, port)), Some(e)) => {
            let name = if e.category == PortCategory::Trojan {
                trojan_names(e)
            } else {
                short_description(e)
            };
            format!("{port}/{} ({name})", proto.name())
        }
        (Some((proto, port)), None) => format!("{port}/{}", proto.name()),
        (None, _) => match f.facts.single_proto() {
            Some(p) if p == Proto::ICMP || p == Proto::ICMPV6 => "ICMP".into(),
            Some(p) => format!("protocol {}", p.name()),
            None => "several protocols".into(),
        },
    }
}

fn bare_port(f: &Findings) -> String {
    match f.primary {
        Some((proto, port)) => format!("{port}/{}", proto.name()),
        None => "no port".into(),
    }
}

fn sources(f: &Findings) -> String {
    list(&f.unit.sources, 3)
}

fn scan_word(scan: Option<ScanType>) -> &'static str {
    match scan {
        Some(ScanType::Syn) => "SYN",
        Some(ScanType::Connect) => "connect",
        Some(ScanType::Fin) => "FIN",
        Some(ScanType::Null) => "NULL",
        Some(ScanType::Xmas) => "XMAS",
        Some(ScanType::Ack) => "ACK",
        Some(ScanType::Maimon) => "Maimon",
        Some(ScanType::Window) => "window",
        Some(ScanType::Udp) => "UDP",
        Some(ScanType::IcmpEcho) => "ping",
        Some(ScanType::IpProtocol) => "IP-protocol",
        Some(ScanType::Mixed) | None => "mixed",
    }
}

fn described(host: &Host, ctx: &Context) -> String {
    match ctx.site.host(host).and_then(|h| h.description.clone()) {
        Some(d) => format!("{host} ({d})"),
        None => host.to_string(),
    }
}

/// A one-line headline.
pub fn title(f: &Findings, ctx: &Context) -> String {
    let src = sources(f);
    let port = port_label(f);
    let targets = f.facts.targets_seen();
    let base = match f.kind {
        DetectKind::TrojanProbe => {
            let name = f.entry.map(trojan_names).unwrap_or_else(|| "Trojan".into());
            format!("{name} trojan probe of {port} from {src}")
        }
        DetectKind::ServiceProbe => format!("Probe of {port} from {src}"),
        DetectKind::HostSweep => format!(
            "{} sweep of {targets} hosts on {port} from {src}",
            scan_word(f.scan)
        ),
        DetectKind::PortScan => {
            let what = if f.scan == Some(ScanType::IpProtocol) {
                plural(f.facts.protos.len() as u64, "protocol", "protocols")
            } else {
                plural(f.facts.dports.len() as u64, "port", "ports")
            };
            let target = f
                .facts
                .targets
                .first()
                .map(|t| t.to_string())
                .unwrap_or_default();
            format!(
                "{} scan of {what} on {target} from {src}",
                scan_word(f.scan)
            )
        }
        DetectKind::BlockScan => format!(
            "{} scan of {} ports on {targets} hosts from {src}",
            scan_word(f.scan),
            f.facts.dports.len()
        ),
        DetectKind::Misconfiguration => {
            let target = f
                .facts
                .targets
                .first()
                .map(|t| t.to_string())
                .unwrap_or_default();
            format!("Blocked {port} replies from {src} to {target}")
        }
        DetectKind::AuthorizedScan => format!("Authorized probe of {port} by {src}"),
        DetectKind::Backscatter => format!("Backscatter from {src}: replies to forged packets"),
        DetectKind::Worm => {
            let name = f
                .worm
                .map(|w| w.name.clone())
                .unwrap_or_else(|| "worm".into());
            format!("{name} worm traffic from {src}")
        }
        DetectKind::Flood => format!("Flood of {} from {src}", list(&f.facts.targets, 2)),
        DetectKind::Compromise => format!("Inside host {src} behaving as if compromised"),
        DetectKind::Alert => {
            let msg = f
                .facts
                .messages
                .keys()
                .next()
                .cloned()
                .unwrap_or_else(|| "alert".into());
            format!("IDS alert \"{msg}\" from {src}")
        }
    };
    let _ = ctx;
    if f.spoofed == Spoofed::Likely && f.unit.sources.len() > 1 {
        format!("{base} (forged sources)")
    } else if f.spoofed == Spoofed::Likely {
        format!("{base} (forged source)")
    } else {
        base
    }
}

/// Was this site singled out?
pub fn active_targeting(f: &Findings, ctx: &Context) -> String {
    let targets = &f.facts.targets;
    let first = targets
        .first()
        .map(|t| described(t, ctx))
        .unwrap_or_default();
    match f.kind {
        DetectKind::Misconfiguration => format!(
            "No: {} was answering requests that {first} sent itself.",
            sources(f)
        ),
        DetectKind::Backscatter => {
            "No: these packets answer connections nobody here opened; this site's \
             addresses were used as forged sources in traffic sent elsewhere."
                .into()
        }
        DetectKind::AuthorizedScan => format!(
            "Yes, by arrangement: {} probed {first}, and the site lists it as an authorized scanner.",
            sources(f)
        ),
        DetectKind::HostSweep | DetectKind::BlockScan => {
            let shown: Vec<String> = targets.iter().take(4).map(|t| described(t, ctx)).collect();
            format!(
                "Yes: {} hosts of this site were probed in turn ({}{}).",
                targets.len(),
                shown.join(", "),
                if targets.len() > 4 { ", ..." } else { "" }
            )
        }
        _ => {
            let mut out = if targets.len() == 1 {
                format!("Yes: every packet was addressed to {first}.")
            } else {
                format!("Yes: packets went to {}.", list(targets, 5))
            };
            if f.kind == DetectKind::TrojanProbe {
                out.push_str(
                    " Trojan hunters sweep whole address ranges, so this host is likely one of many.",
                );
            }
            out
        }
    }
}

/// What the sender was after.
pub fn intent(f: &Findings, ctx: &Context) -> String {
    let port = port_label(f);
    let src = sources(f);
    let looking = f
        .entry
        .map(|e| e.intent.trim_end_matches('.').to_string())
        .filter(|s| !s.is_empty());
    match f.kind {
        DetectKind::TrojanProbe => {
            let seeking = looking.unwrap_or_else(|| "hosts already infected with a trojan".into());
            format!(
                "Looking for {seeking}, to take over any host that answers on {}.",
                bare_port(f)
            )
        }
        DetectKind::ServiceProbe | DetectKind::Alert
            if f.unit.grouping == Grouping::Interleaved =>
        {
            let seeking = looking.unwrap_or_else(|| format!("whatever answers on {port}"));
            format!(
                "Either blind probing for {seeking} or an attempt to tie up the target (denial of \
                 service): the forged sources can get no answers, so the sender did not want any."
            )
        }
        DetectKind::ServiceProbe => {
            if f.facts.icmp.keys().any(|(t, _)| *t == 8 || *t == 128) && f.primary.is_none() {
                return "Checking whether the host is up (ICMP echo request).".into();
            }
            match looking {
                Some(seeking) => format!("Looking for {seeking}: a probe of {port}."),
                None => format!(
                    "Finding out whether anything answers on {port}, a port with no well-known service."
                ),
            }
        }
        DetectKind::Alert => {
            let msgs: Vec<&String> = f.facts.messages.keys().collect();
            format!(
                "The IDS matched {}; nothing else in the log explains the purpose.",
                list(
                    &msgs.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>(),
                    3
                )
            )
        }
        DetectKind::HostSweep => format!(
            "Reconnaissance: finding which of {} hosts answer on {port}, to come back to those that do.",
            f.facts.targets_seen()
        ),
        DetectKind::PortScan => {
            let target = f
                .facts
                .targets
                .first()
                .map(|t| t.to_string())
                .unwrap_or_default();
            if f.scan == Some(ScanType::IpProtocol) {
                format!(
                    "Reconnaissance: finding which of {} IP protocols {target} supports.",
                    f.facts.protos.len()
                )
            } else {
                format!(
                    "Reconnaissance: mapping which of {} ports of {target} are open ({}).",
                    f.facts.dports.len(),
                    port_ranges(&f.facts.dports, 6)
                )
            }
        }
        DetectKind::BlockScan => format!(
            "Reconnaissance: mapping open ports ({}) across {} hosts.",
            port_ranges(&f.facts.dports, 6),
            f.facts.targets_seen()
        ),
        DetectKind::Misconfiguration => {
            let target = f
                .facts
                .targets
                .first()
                .map(|t| t.to_string())
                .unwrap_or_default();
            let known = f
                .unit
                .sources
                .iter()
                .find_map(|s| ctx.site.host(s).and_then(|h| h.description.clone()));
            let server = match known {
                Some(d) => format!("{src}, {d},"),
                None => src.clone(),
            };
            format!(
                "Nothing hostile: {server} answers requests {target} sent to {port} itself, and a \
                 local rule drops the answers."
            )
        }
        DetectKind::AuthorizedScan => {
            let who = f
                .unit
                .sources
                .iter()
                .find_map(|s| ctx.site.host(s).and_then(|h| h.description.clone()))
                .unwrap_or_else(|| "an authorized scanner".into());
            let seeking = looking.unwrap_or_else(|| format!("what answers on {port}"));
            format!("Routine checking by {src} ({who}): it looks for {seeking} ({port}). Benign.")
        }
        DetectKind::Backscatter => format!(
            "None against this site: someone forged this site's addresses in packets sent to {src}, \
             and these are the answers."
        ),
        DetectKind::Worm => match f.worm {
            Some(w) => format!("Automated spread of the {} worm: {}", w.name, w.description),
            None => "Automated worm propagation.".into(),
        },
        DetectKind::Flood => format!(
            "Denial of service: {:.0} packets per second against {}.",
            crate::classify::timing::rate_per_sec(&f.facts),
            list(&f.facts.targets, 2)
        ),
        DetectKind::Compromise => format!(
            "{src}, a host of this site, sends what a compromised host sends ({port} to {}).",
            list(&f.facts.targets, 3)
        ),
    }
}

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
            f.unit.sources.len()
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
        let per = if rate >= 1.0 {
            format!("{rate:.1} per second")
        } else {
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

/// What is known of this activity before and around it.
pub fn history(f: &Findings, ctx: &Context) -> String {
    let (Some(first), Some(last)) = (f.facts.first, f.facts.last) else {
        return "The log gives no times for this activity. No history store was consulted.".into();
    };
    let zone = ctx.zone;
    let mut out = if f.facts.packets == 1 || first == last {
        format!("Seen once in these logs, at {}.", short_time(first, zone))
    } else {
        format!(
            "Seen in these logs from {} to {}.",
            short_time(first, zone),
            short_time(last, zone)
        )
    };
    if f.bursts.len() >= 2 && f.period.is_none() {
        let times: Vec<String> = f
            .bursts
            .iter()
            .take(6)
            .filter_map(|b| f.unit.packets.get(b.first).and_then(|s| s.packet.time))
            .map(|t| clock(t, zone))
            .collect();
        let again = match f.bursts.len() - 1 {
            1 => "once".to_string(),
            n => format!("{n} times"),
        };
        out.push_str(&format!(
            " It came back {again} after quiet spells (bursts starting {}).",
            list(&times, 6)
        ));
    }
    out.push_str(" No history store was consulted.");
    out
}

fn identity_of(host: &Host, f: &Findings, ctx: &Context) -> String {
    if let Some(reason) = crate::assess::spoof::impossible_here(f.unit, host, ctx) {
        return format!("{host}: forged ({reason})");
    }
    if let Some(entry) = ctx.site.host(host)
        && let Some(d) = &entry.description
    {
        return format!("{host}: {d}, as the site file says");
    }
    match host {
        Host::Name(name) => {
            let pool_member = name
                .split('.')
                .next()
                .is_some_and(|label| label.bytes().any(|b| b.is_ascii_digit()));
            let access = names::access_kind(name);
            let domain = match names::registrable_domain(name) {
                Some(d) if d != **name => Some(d),
                // A numbered host that is its own domain (`dial1.netcom`): its parent.
                _ if pool_member || access.is_some() => {
                    name.split_once('.').map(|(_, p)| p.to_string())
                }
                _ => None,
            };
            match (access, domain) {
                (Some(kind), Some(domain)) => {
                    format!("{host}: a {} host of {domain}", access_words(kind))
                }
                (Some(kind), None) => format!("{host}: a {} host", access_words(kind)),
                (None, Some(domain)) => format!("{host}: a host of {domain}"),
                (None, None) => format!("{host}: a host name as the sensor logged it"),
            }
        }
        Host::Addr(_) => {
            let who = ctx.identity.lookup(host);
            format!("{host}: {}", ctx.identity.describe(&who))
        }
    }
}

fn access_words(kind: AccessKind) -> &'static str {
    match kind {
        AccessKind::DialUp => "dial-up",
        AccessKind::Dsl => "DSL",
        AccessKind::Cable => "cable-modem",
        AccessKind::Dynamic => "dynamically addressed",
        AccessKind::Mobile => "mobile",
        AccessKind::Hosting => "hosting",
        AccessKind::University => "university",
    }
}

/// Who is behind the source.
pub fn identity(f: &Findings, ctx: &Context) -> String {
    let mut parts: Vec<String> = f
        .unit
        .sources
        .iter()
        .take(5)
        .map(|s| identity_of(s, f, ctx))
        .collect();
    if f.unit.sources.len() > 5 {
        parts.push(format!("and {} more sources", f.unit.sources.len() - 5));
    }
    let mut out = format!("{}.", parts.join("; "));
    if f.unit.grouping == Grouping::Pool {
        out.push_str(
            " The sources are numbered hosts of one pool: likely one subscriber, reconnected.",
        );
    }
    if f.spoofed == Spoofed::Likely {
        out.push_str(" The real sender hides behind forged addresses; its identity is unknown.");
    }
    if let Some(os) = &f.hints.os_guess {
        out.push_str(&format!(" Its network stack looks like {os}."));
    }
    out.push_str(" No DNS or whois lookups were made.");
    out
}

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
        let per = if rate >= 1.0 {
            format!("{rate:.1} per second")
        } else if rate * 60.0 >= 1.0 {
            format!("{:.1} per minute", rate * 60.0)
        } else {
            format!("{:.1} per hour", rate * 3600.0)
        };
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
            "{} claimed sources in all; the first 1000 are listed.",
            f.unit.sources.len()
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
            f.facts.blocked, f.facts.packets
        ));
    }
    if f.unit.overflow > 0 {
        out.push(format!(
            "{} more packets from this source were counted but not kept for detail.",
            f.unit.overflow
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
