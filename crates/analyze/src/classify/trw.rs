//! Threshold Random Walk (Jung, Paxson, Berger and Balakrishnan, 2004):
//! sequential hypothesis testing on a source's first contacts. A benign
//! host's first contacts mostly succeed, a scanner's mostly fail; the
//! likelihood ratio crosses the scanner threshold within a handful of
//! failed contacts, long before count thresholds would.

use std::collections::BTreeSet;

use picket_model::{Action, FlowOutcome, Host};

use crate::classify::Unit;

/// Probability that a benign source's first contact succeeds (the paper's θ0).
const THETA_BENIGN: f64 = 0.8;
/// Probability that a scanner's first contact succeeds (θ1).
const THETA_SCANNER: f64 = 0.2;
/// Wanted detection probability (P_D) and false-positive rate (P_F).
const DETECTION: f64 = 0.99;
const FALSE_POSITIVE: f64 = 0.01;

/// The verdict of the walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The ratio crossed the upper threshold: a scanner.
    Scanner,
    /// It crossed the lower threshold: benign.
    Benign,
    /// Not enough first contacts with a known outcome.
    Pending,
}

/// What the walk saw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Walk {
    /// The verdict.
    pub verdict: Verdict,
    /// First contacts with a known outcome, up to the verdict.
    pub contacts: usize,
    /// Of those, how many failed.
    pub failures: usize,
}

/// Whether a packet's first contact succeeded, failed, or cannot be told.
fn outcome(unit_packet: &picket_model::Packet) -> Option<bool> {
    if let Some(flow) = &unit_packet.flow
        && let Some(o) = flow.outcome
    {
        return match o {
            FlowOutcome::Established => Some(true),
            FlowOutcome::Rejected | FlowOutcome::Unanswered => Some(false),
            FlowOutcome::Other => None,
        };
    }
    match unit_packet.action {
        Action::Accept => Some(true),
        Action::Drop | Action::Reject => Some(false),
        Action::Alert | Action::Logged => None,
    }
}

/// Walks a unit's first contacts (distinct target and port) in time order.
pub fn walk(unit: &Unit) -> Walk {
    let upper = DETECTION / FALSE_POSITIVE;
    let lower = (1.0 - DETECTION) / (1.0 - FALSE_POSITIVE);
    let mut ratio = 1.0f64;
    let mut seen: BTreeSet<(&Host, Option<u16>)> = BTreeSet::new();
    let (mut contacts, mut failures) = (0, 0);
    for s in &unit.packets {
        let p = &s.packet;
        if !seen.insert((&p.dst, p.dst_port)) {
            continue;
        }
        let Some(success) = outcome(p) else { continue };
        contacts += 1;
        if success {
            ratio *= THETA_SCANNER / THETA_BENIGN;
        } else {
            failures += 1;
            ratio *= (1.0 - THETA_SCANNER) / (1.0 - THETA_BENIGN);
        }
        if ratio >= upper {
            return Walk {
                verdict: Verdict::Scanner,
                contacts,
                failures,
            };
        }
        if ratio <= lower {
            return Walk {
                verdict: Verdict::Benign,
                contacts,
                failures,
            };
        }
    }
    Walk {
        verdict: Verdict::Pending,
        contacts,
        failures,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{Grouping, Role};
    use crate::track::{Seen, SensorSet};
    use picket_model::{Packet, Proto, Sensor};

    fn unit(outcomes: &[(u8, Action)]) -> Unit {
        let packets = outcomes
            .iter()
            .map(|(host, action)| {
                let mut p = Packet::new(
                    Sensor::Netfilter,
                    Host::parse("203.0.113.9").unwrap(),
                    Host::parse(&format!("192.0.2.{host}")).unwrap(),
                    Proto::TCP,
                );
                p.dst_port = Some(22);
                p.action = *action;
                Seen {
                    packet: p,
                    sensors: SensorSet::of(Sensor::Netfilter),
                    also: Box::default(),
                }
            })
            .collect();
        Unit {
            sources: vec![],
            packets,
            overflow: 0,
            beyond: None,
            role: Role::Probe,
            grouping: Grouping::Single,
        }
    }

    #[test]
    fn four_failed_first_contacts_make_a_scanner() {
        let w = walk(&unit(&[
            (1, Action::Drop),
            (2, Action::Drop),
            (3, Action::Drop),
            (4, Action::Drop),
        ]));
        assert_eq!(w.verdict, Verdict::Scanner);
        assert_eq!((w.contacts, w.failures), (4, 4));
    }

    #[test]
    fn successes_keep_a_host_benign_and_repeats_do_not_count() {
        let w = walk(&unit(&[
            (1, Action::Accept),
            (1, Action::Drop),
            (2, Action::Accept),
            (3, Action::Accept),
            (4, Action::Accept),
        ]));
        assert_eq!(w.verdict, Verdict::Benign);
        let w = walk(&unit(&[
            (1, Action::Drop),
            (1, Action::Drop),
            (1, Action::Drop),
        ]));
        assert_eq!(
            w.verdict,
            Verdict::Pending,
            "one first contact, however often repeated"
        );
    }
}
