//! The analyst's sentences, built from findings. Every sentence states a
//! fact found in the log or a conclusion drawn from such facts.
//!
//! Here: the title, active targeting and intent; [`technique`] in its own
//! file, history and identity in `who`, recommendations and observations in
//! `advice`.

mod advice;
mod technique;
mod who;

pub use advice::{observations, recommendations};
pub use technique::technique;
pub use who::{history, identity};

use picket_knowledge::PortCategory;
use picket_model::{DetectKind, Host, Proto, ScanType, Spoofed, thousands};

use crate::assess::Findings;
use crate::assess::severity::{short_description, trojan_names};
use crate::assess::words::{list, plural, port_ranges};
use crate::classify::Grouping;
use crate::context::Context;

pub(super) fn port_label(f: &Findings) -> String {
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

pub(super) fn bare_port(f: &Findings) -> String {
    match f.primary {
        Some((proto, port)) => format!("{port}/{}", proto.name()),
        None => "no port".into(),
    }
}

pub(super) fn sources(f: &Findings) -> String {
    list(&f.unit.sources, 3)
}

pub(super) fn scan_word(scan: Option<ScanType>) -> &'static str {
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

pub(super) fn described(host: &Host, ctx: &Context) -> String {
    match ctx.site.host(host).and_then(|h| h.description.clone()) {
        Some(d) => format!("{host} ({d})"),
        None => host.to_string(),
    }
}

/// The first target, as reports print it (empty when none was logged).
fn first_target(f: &Findings) -> String {
    f.facts
        .targets
        .first()
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// A one-line headline.
pub fn title(f: &Findings, ctx: &Context) -> String {
    let src = sources(f);
    let port = port_label(f);
    let targets = thousands(f.facts.targets_seen() as u64);
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
            let target = first_target(f);
            format!(
                "{} scan of {what} on {target} from {src}",
                scan_word(f.scan)
            )
        }
        DetectKind::BlockScan => format!(
            "{} scan of {} ports on {targets} hosts from {src}",
            scan_word(f.scan),
            thousands(f.facts.dports.len() as u64)
        ),
        DetectKind::Misconfiguration => {
            let target = first_target(f);
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
                thousands(targets.len() as u64),
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
            thousands(f.facts.targets_seen() as u64)
        ),
        DetectKind::PortScan => {
            let target = first_target(f);
            if f.scan == Some(ScanType::IpProtocol) {
                format!(
                    "Reconnaissance: finding which of {} IP protocols {target} supports.",
                    f.facts.protos.len()
                )
            } else {
                format!(
                    "Reconnaissance: mapping which of {} ports of {target} are open ({}).",
                    thousands(f.facts.dports.len() as u64),
                    port_ranges(&f.facts.dports, 6)
                )
            }
        }
        DetectKind::BlockScan => format!(
            "Reconnaissance: mapping open ports ({}) across {} hosts.",
            port_ranges(&f.facts.dports, 6),
            thousands(f.facts.targets_seen() as u64)
        ),
        DetectKind::Misconfiguration => {
            let target = first_target(f);
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
            "Denial of service: {} packets per second against {}.",
            thousands(crate::classify::timing::rate_per_sec(&f.facts).round() as u64),
            list(&f.facts.targets, 2)
        ),
        DetectKind::Compromise => format!(
            "{src}, a host of this site, sends what a compromised host sends ({port} to {}).",
            list(&f.facts.targets, 3)
        ),
    }
}
