//! What every stage of the analysis may consult: the site, the knowledge
//! base, thresholds, and the home network.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;
use picket_knowledge::PortTable;
use picket_model::Host;

use crate::config::Thresholds;
use crate::site::Site;
use crate::track::TargetState;

/// Read-only inputs of the analysis.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The site description (empty when none was given).
    pub site: &'a Site,
    /// Ports, services, trojans and worms.
    pub ports: &'a PortTable,
    /// Detection thresholds.
    pub limits: &'a Thresholds,
    /// The home network.
    pub home: &'a HomeNet,
    /// The zone reports use for times.
    pub zone: &'a jiff::tz::TimeZone,
    /// Who is behind an address: classes, user databases, DNS when asked.
    pub identity: &'a picket_identity::IdentityService,
    /// True when the log holds accepted traffic or flow outcomes, so that
    /// Threshold Random Walk can weigh first contacts.
    pub walk_contacts: bool,
}

/// The site's own hosts and networks: stated by the site file, or inferred
/// from where inbound traffic went.
#[derive(Clone, Debug, Default)]
pub struct HomeNet {
    /// Networks counted as home.
    pub networks: Vec<IpNet>,
    /// Host names counted as home.
    pub names: BTreeSet<Host>,
    /// True when the site file stated home networks or inside hosts.
    pub stated: bool,
}

impl HomeNet {
    /// The home network from the site file, or inferred from the targets:
    /// every /24 (IPv4) or /64 (IPv6) and every named host that received
    /// packets, the busiest first.
    pub fn infer(site: &Site, targets: &crate::track::Map<Host, TargetState>) -> HomeNet {
        let stated_names: BTreeSet<Host> = site
            .hosts
            .iter()
            .filter(|h| h.role.is_some_and(|r| r.is_inside()))
            .flat_map(|h| h.names.iter())
            .filter(|n| !n.contains('*'))
            .filter_map(|n| Host::parse(n))
            .collect();
        let stated = !stated_names.is_empty();
        if !site.home_networks.is_empty() {
            return HomeNet {
                networks: site.home_networks.clone(),
                names: stated_names,
                stated: true,
            };
        }
        // A prefix is home when several sources reached it: an inside host
        // scanning out reaches each outside address alone.
        let mut nets: BTreeMap<IpNet, (u64, usize)> = BTreeMap::new();
        let mut names: BTreeSet<Host> = stated_names;
        for (host, state) in targets {
            match host {
                Host::Addr(addr) => {
                    if let Some(net) = prefix_of(*addr) {
                        let entry = nets.entry(net).or_default();
                        entry.0 += state.packets;
                        entry.1 = entry.1.max(state.sources.len());
                    }
                }
                Host::Name(_) => {
                    names.insert(host.clone());
                }
            }
        }
        let mut ranked: Vec<(IpNet, (u64, usize))> = nets.into_iter().collect();
        ranked.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
        let many: Vec<(IpNet, (u64, usize))> = ranked
            .iter()
            .filter(|(_, (_, s))| *s >= 2)
            .cloned()
            .collect();
        let ranked = if many.is_empty() {
            ranked.into_iter().take(1).collect()
        } else {
            many
        };
        HomeNet {
            networks: ranked.into_iter().map(|(n, _)| n).collect(),
            names,
            stated,
        }
    }

    /// True when `host` is of the home network.
    pub fn contains(&self, host: &Host) -> bool {
        match host {
            Host::Addr(addr) => self.networks.iter().any(|n| n.contains(addr)),
            Host::Name(_) => self.names.contains(host),
        }
    }

    /// A short list for the report.
    pub fn describe(&self, most: usize) -> Vec<String> {
        let mut out: Vec<String> = self
            .networks
            .iter()
            .take(most)
            .map(|n| n.to_string())
            .collect();
        out.extend(
            self.names
                .iter()
                .take(most.saturating_sub(out.len()))
                .map(|h| h.to_string()),
        );
        out
    }
}

fn prefix_of(addr: IpAddr) -> Option<IpNet> {
    let len = if addr.is_ipv4() { 24 } else { 64 };
    IpNet::new(addr, len).ok().map(|n| n.trunc())
}
