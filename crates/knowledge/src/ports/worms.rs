//! Worm signatures: what a worm's propagation looks like in a firewall log
//! (protocol, destination port, packet size, ICMP type).

use picket_model::Proto;

/// How one worm's propagation shows in a log. A signature matches a packet
/// only when every field it states matches; one that states nothing but
/// ports matches by port only when it is marked distinctive, because most
/// worm ports (445, 80, 23) are probed by everyone else too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WormSignature {
    /// The worm's common name: "SQL Slammer".
    pub name: String,
    /// IP protocol of the propagation packets.
    pub proto: Proto,
    /// Destination ports (empty for ICMP).
    pub ports: Vec<u16>,
    /// Inclusive range of the IP total length, when characteristic.
    pub ip_len: Option<(u32, u32)>,
    /// ICMP type, for ICMP signatures.
    pub icmp_type: Option<u8>,
    /// The ports alone identify the worm (nobody else probes them).
    pub distinctive: bool,
    /// Only all the ports together identify the worm (a sequence such as
    /// Blaster's 135 then 4444); no single packet matches.
    pub all_ports: bool,
    /// What the worm did and why the traffic looks this way.
    pub description: String,
}

impl WormSignature {
    /// True when this one packet matches every field the signature states.
    pub fn matches_packet(
        &self,
        proto: Proto,
        dst_port: Option<u16>,
        ip_len: Option<u32>,
        icmp_type: Option<u8>,
    ) -> bool {
        if proto != self.proto || self.all_ports {
            return false;
        }
        if let Some((low, high)) = self.ip_len {
            match ip_len {
                Some(len) if (low..=high).contains(&len) => {}
                _ => return false,
            }
        }
        if self.icmp_type.is_some() && icmp_type != self.icmp_type {
            return false;
        }
        if !self.ports.is_empty() {
            match dst_port {
                Some(port) if self.ports.contains(&port) => {}
                _ => return false,
            }
        }
        let has_shape = self.ip_len.is_some() || self.icmp_type.is_some();
        if has_shape {
            return true;
        }
        // Nothing but ports: the port must be enough on its own.
        !self.ports.is_empty() && self.distinctive
    }

    /// True when the destination ports one source probed identify this worm:
    /// all of them for a sequence signature, any for a distinctive one.
    /// Signatures that need a size or ICMP type never match a bare port set.
    pub fn matches_port_set(&self, proto: Proto, dst_ports: &[u16]) -> bool {
        if proto != self.proto
            || self.ports.is_empty()
            || self.ip_len.is_some()
            || self.icmp_type.is_some()
        {
            return false;
        }
        if self.all_ports {
            self.ports.iter().all(|p| dst_ports.contains(p))
        } else {
            self.distinctive && self.ports.iter().any(|p| dst_ports.contains(p))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signature(ports: &[u16], ip_len: Option<(u32, u32)>, distinctive: bool) -> WormSignature {
        WormSignature {
            name: "test".into(),
            proto: Proto::UDP,
            ports: ports.to_vec(),
            ip_len,
            icmp_type: None,
            distinctive,
            all_ports: false,
            description: String::new(),
        }
    }

    #[test]
    fn a_sized_signature_needs_the_size() {
        let slammer = signature(&[1434], Some((404, 404)), false);
        assert!(slammer.matches_packet(Proto::UDP, Some(1434), Some(404), None));
        assert!(!slammer.matches_packet(Proto::UDP, Some(1434), Some(405), None));
        assert!(!slammer.matches_packet(Proto::UDP, Some(1434), None, None));
        assert!(!slammer.matches_packet(Proto::TCP, Some(1434), Some(404), None));
        assert!(!slammer.matches_port_set(Proto::UDP, &[1434]));
    }

    #[test]
    fn a_common_port_alone_never_matches() {
        let common = signature(&[445], None, false);
        assert!(!common.matches_packet(Proto::UDP, Some(445), Some(48), None));
        assert!(!common.matches_port_set(Proto::UDP, &[445]));
        let rare = signature(&[9996], None, true);
        assert!(rare.matches_packet(Proto::UDP, Some(9996), None, None));
        assert!(rare.matches_port_set(Proto::UDP, &[80, 9996]));
        assert!(!rare.matches_packet(Proto::UDP, None, None, None));
    }

    #[test]
    fn a_sequence_needs_every_port() {
        let mut blaster = signature(&[135, 4444], None, false);
        blaster.all_ports = true;
        assert!(!blaster.matches_packet(Proto::UDP, Some(4444), None, None));
        assert!(!blaster.matches_port_set(Proto::UDP, &[135]));
        assert!(blaster.matches_port_set(Proto::UDP, &[4444, 22, 135]));
    }
}
