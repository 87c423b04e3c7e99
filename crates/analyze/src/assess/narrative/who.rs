//! What is known of the activity around it (history) and of who sent it (identity).

use picket_knowledge::{AccessKind, names};
use picket_model::{Host, Spoofed, thousands};

use crate::assess::Findings;
use crate::assess::words::{clock, list, short_time};
use crate::classify::Grouping;
use crate::context::Context;

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
        parts.push(format!(
            "and {} more sources",
            thousands((f.unit.sources.len() - 5) as u64)
        ));
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
