//! Detection thresholds, with defaults an analyst can defend and the site
//! file can change (`[thresholds]`).

use serde::Deserialize;

/// When a group of probes counts as a scan, and how evidence is capped.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Distinct ports on one target that make a port scan. scanlogd flags 7
    /// privileged ports (weight 3 each, threshold 21); Zeek waits for 15 in 5
    /// minutes on busy links. A firewall log holds only unsolicited traffic,
    /// so 6 is already deliberate.
    pub scan_ports: usize,
    /// Distinct targets on one or a few ports that make a host sweep. Zeek
    /// uses 25 in 5 minutes on a whole network's traffic; against a site's
    /// dropped traffic, 5 hosts of one site are a sweep (psad flags 11).
    pub sweep_hosts: usize,
    /// Packets per second at one target that make a flood (with `flood_packets`).
    pub flood_rate: f64,
    /// Fewest packets for a flood.
    pub flood_packets: u64,
    /// Seconds within which two sensors' records of one packet are merged.
    pub merge_window_secs: f64,
    /// Seconds within which packets of one connection attempt count as
    /// retransmissions.
    pub retransmit_window_secs: f64,
    /// Packets kept per source for detailed analysis; the rest are counted.
    pub packets_per_source: usize,
    /// Evidence references kept per detect; the rest are counted.
    pub evidence_per_detect: usize,
    /// Sources tracked one by one. Past this, background noise (sources of
    /// a few packets to one or two ports and targets) is counted in crowds
    /// by target and port, a few bytes a source, so memory stays bounded
    /// whatever the number of sources; scanners stay tracked, and a noise
    /// source that comes back more than small is tracked again. psad keeps
    /// every source; a day of an internet-facing firewall's log holds some
    /// tens of thousands, mostly noise.
    pub max_sources: usize,
    /// Packets kept in detail across all sources; past this, noise moves
    /// to crowds and then every source keeps fewer (down to 16), the rest
    /// counted with their ports, targets, flags and times. About 300 bytes
    /// each.
    pub max_kept_packets: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            scan_ports: 6,
            sweep_hosts: 5,
            flood_rate: 50.0,
            flood_packets: 500,
            merge_window_secs: 2.0,
            retransmit_window_secs: 10.0,
            packets_per_source: 20_000,
            evidence_per_detect: 50,
            max_sources: 20_000,
            max_kept_packets: 200_000,
        }
    }
}
