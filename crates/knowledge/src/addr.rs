//! Special-purpose address ranges (RFC 6890 and its updates, and the bogon
//! lists): what an address says about a packet's source before anything else.
//!
//! A source from a private, reserved or documentation range cannot arrive
//! honestly from the internet, so traffic from it is spoofed or leaked. The
//! classic `/etc/networks` names some sensors printed for network addresses
//! ("arpanet" for 10.0.0.0) are resolved here too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// The special-purpose class of an address (RFC 6890 and its updates, and bogon lists).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddrClass {
    /// An ordinary, globally routed address.
    Global,
    /// RFC 1918 private space: 10/8, 172.16/12, 192.168/16.
    Private,
    /// Carrier-grade NAT shared space, 100.64/10 (RFC 6598).
    SharedCgn,
    /// Loopback: 127/8, ::1.
    Loopback,
    /// Link-local: 169.254/16, fe80::/10.
    LinkLocal,
    /// Documentation: 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20.
    Documentation,
    /// Benchmarking: 198.18/15, 2001:2::/48.
    Benchmarking,
    /// Multicast: 224/4, ff00::/8.
    Multicast,
    /// The limited broadcast address 255.255.255.255.
    LimitedBroadcast,
    /// "This network": 0/8, and the unspecified ::.
    ThisNetwork,
    /// Reserved or unallocated: 240/4, IPv6 outside 2000::/3, deprecated site-local.
    Reserved,
    /// IPv6 unique local addresses, fc00::/7.
    UniqueLocal,
    /// IPv4-mapped IPv6 addresses, ::ffff:0:0/96.
    Ipv4Mapped,
    /// Teredo tunnels, 2001::/32.
    Teredo,
    /// 6to4: 2002::/16 and the deprecated relay anycast 192.88.99/24.
    SixToFour,
    /// IETF protocol assignments: 192.0.0/24, 2001::/23 (less their global exceptions).
    ProtocolAssignments,
    /// IPv6 discard-only prefix, 100::/64.
    Discard,
}

impl AddrClass {
    /// True when the address could appear honestly as a source arriving from
    /// the internet: global addresses and the tunnel prefixes built on them.
    pub fn is_routable_source(self) -> bool {
        matches!(
            self,
            AddrClass::Global | AddrClass::Teredo | AddrClass::SixToFour
        )
    }

    /// A phrase for reports: "a private (RFC 1918) address".
    pub fn describe(self) -> &'static str {
        match self {
            AddrClass::Global => "a global address",
            AddrClass::Private => "a private (RFC 1918) address",
            AddrClass::SharedCgn => "a carrier-grade NAT shared address (RFC 6598)",
            AddrClass::Loopback => "a loopback address",
            AddrClass::LinkLocal => "a link-local address",
            AddrClass::Documentation => "a documentation (example) address",
            AddrClass::Benchmarking => "a benchmarking address (RFC 2544)",
            AddrClass::Multicast => "a multicast address",
            AddrClass::LimitedBroadcast => "the limited broadcast address",
            AddrClass::ThisNetwork => "a \"this network\" address",
            AddrClass::Reserved => "a reserved, unallocated address",
            AddrClass::UniqueLocal => "an IPv6 unique local address",
            AddrClass::Ipv4Mapped => "an IPv4-mapped IPv6 address",
            AddrClass::Teredo => "a Teredo tunnel address",
            AddrClass::SixToFour => "a 6to4 tunnel address",
            AddrClass::ProtocolAssignments => "an IETF protocol assignment address",
            AddrClass::Discard => "an IPv6 discard-only address",
        }
    }
}

const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), prefix)
}

const fn v6(segments: [u16; 8], prefix: u8) -> Ipv6Net {
    let [a, b, c, d, e, f, g, h] = segments;
    Ipv6Net::new_assert(Ipv6Addr::new(a, b, c, d, e, f, g, h), prefix)
}

/// IPv4 special ranges, most specific first: the first containing range wins.
const V4_RANGES: &[(Ipv4Net, AddrClass)] = &[
    (v4(255, 255, 255, 255, 32), AddrClass::LimitedBroadcast),
    // Globally reachable exceptions inside 192.0.0.0/24 (PCP and TURN anycast).
    (v4(192, 0, 0, 9, 32), AddrClass::Global),
    (v4(192, 0, 0, 10, 32), AddrClass::Global),
    (v4(192, 0, 0, 0, 24), AddrClass::ProtocolAssignments),
    (v4(192, 0, 2, 0, 24), AddrClass::Documentation),
    (v4(198, 51, 100, 0, 24), AddrClass::Documentation),
    (v4(203, 0, 113, 0, 24), AddrClass::Documentation),
    (v4(192, 88, 99, 0, 24), AddrClass::SixToFour),
    (v4(0, 0, 0, 0, 8), AddrClass::ThisNetwork),
    (v4(10, 0, 0, 0, 8), AddrClass::Private),
    (v4(100, 64, 0, 0, 10), AddrClass::SharedCgn),
    (v4(127, 0, 0, 0, 8), AddrClass::Loopback),
    (v4(169, 254, 0, 0, 16), AddrClass::LinkLocal),
    (v4(172, 16, 0, 0, 12), AddrClass::Private),
    (v4(192, 168, 0, 0, 16), AddrClass::Private),
    (v4(198, 18, 0, 0, 15), AddrClass::Benchmarking),
    (v4(224, 0, 0, 0, 4), AddrClass::Multicast),
    (v4(240, 0, 0, 0, 4), AddrClass::Reserved),
];

/// IPv6 special ranges, most specific first. Addresses outside all of these
/// and outside 2000::/3 (the only space allocated for global unicast) are
/// reserved; 64:ff9b::/96 (NAT64) is listed as global so it escapes that rule.
const V6_RANGES: &[(Ipv6Net, AddrClass)] = &[
    (v6([0, 0, 0, 0, 0, 0, 0, 0], 128), AddrClass::ThisNetwork),
    (v6([0, 0, 0, 0, 0, 0, 0, 1], 128), AddrClass::Loopback),
    (v6([0, 0, 0, 0, 0, 0xffff, 0, 0], 96), AddrClass::Ipv4Mapped),
    (v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96), AddrClass::Global),
    (
        v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48),
        AddrClass::Reserved,
    ),
    (v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64), AddrClass::Discard),
    // Globally reachable exceptions inside 2001::/23.
    (v6([0x2001, 1, 0, 0, 0, 0, 0, 1], 128), AddrClass::Global),
    (v6([0x2001, 1, 0, 0, 0, 0, 0, 2], 128), AddrClass::Global),
    (v6([0x2001, 1, 0, 0, 0, 0, 0, 3], 128), AddrClass::Global),
    (v6([0x2001, 3, 0, 0, 0, 0, 0, 0], 32), AddrClass::Global),
    (v6([0x2001, 4, 0x112, 0, 0, 0, 0, 0], 48), AddrClass::Global),
    (v6([0x2001, 0x20, 0, 0, 0, 0, 0, 0], 28), AddrClass::Global),
    (v6([0x2001, 0x30, 0, 0, 0, 0, 0, 0], 28), AddrClass::Global),
    (
        v6([0x2001, 2, 0, 0, 0, 0, 0, 0], 48),
        AddrClass::Benchmarking,
    ),
    (v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32), AddrClass::Teredo),
    (
        v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23),
        AddrClass::ProtocolAssignments,
    ),
    (
        v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
        AddrClass::Documentation,
    ),
    (v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16), AddrClass::SixToFour),
    (
        v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20),
        AddrClass::Documentation,
    ),
    (v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16), AddrClass::Reserved),
    (v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7), AddrClass::UniqueLocal),
    (v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10), AddrClass::LinkLocal),
    (v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10), AddrClass::Reserved),
    (v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8), AddrClass::Multicast),
];

/// Global unicast space; IPv6 outside it (and outside the table) is reserved.
const V6_GLOBAL_UNICAST: Ipv6Net = v6([0x2000, 0, 0, 0, 0, 0, 0, 0], 3);

/// The special-purpose class of an address. IPv4-mapped IPv6 addresses are
/// reported as such; call [`IpAddr::to_canonical`] first to classify the
/// IPv4 address inside.
pub fn classify(addr: IpAddr) -> AddrClass {
    special_range(addr).map_or(AddrClass::Global, |(_, class)| class)
}

/// The special range an address falls in, with its class, for reports that
/// name the range ("10.0.0.0/8"). `None` for ordinary global addresses.
pub fn special_range(addr: IpAddr) -> Option<(IpNet, AddrClass)> {
    match addr {
        IpAddr::V4(v4addr) => V4_RANGES
            .iter()
            .find(|(net, _)| net.contains(&v4addr))
            .filter(|(_, class)| *class != AddrClass::Global)
            .map(|(net, class)| (IpNet::V4(*net), *class)),
        IpAddr::V6(v6addr) => {
            if let Some((net, class)) = V6_RANGES.iter().find(|(net, _)| net.contains(&v6addr)) {
                return (*class != AddrClass::Global).then_some((IpNet::V6(*net), *class));
            }
            if V6_GLOBAL_UNICAST.contains(&v6addr) {
                None
            } else {
                // Not allocated for unicast: the whole space outside 2000::/3.
                let unallocated = v6([0, 0, 0, 0, 0, 0, 0, 0], 0);
                Some((IpNet::V6(unallocated), AddrClass::Reserved))
            }
        }
    }
}

/// True for the network or broadcast address of the classful network the
/// address falls in (10.0.0.0, 172.16.0.0, 192.168.1.0, 192.168.1.255...), and
/// for the limited broadcast 255.255.255.255: addresses no host can use as a
/// source. Class D and E addresses have no classful network and give false.
pub fn is_classful_network_or_broadcast(addr: Ipv4Addr) -> bool {
    if addr == Ipv4Addr::BROADCAST {
        return true;
    }
    let octets = addr.octets();
    let host_octets: &[u8] = match octets[0] {
        0..=127 => &octets[1..],
        128..=191 => &octets[2..],
        192..=223 => &octets[3..],
        _ => return false,
    };
    host_octets.iter().all(|&b| b == 0) || host_octets.iter().all(|&b| b == 255)
}

/// Classic `/etc/networks` names that sensors printed for network addresses:
/// "arpanet" -> 10.0.0.0, "loopback" -> 127.0.0.0, "link-local" -> 169.254.0.0,
/// with the aliases of old SunOS and BSD files. Case and surrounding blanks
/// are ignored.
pub fn classic_network_name(name: &str) -> Option<Ipv4Addr> {
    let name = name.trim().to_ascii_lowercase();
    let addr = match name.as_str() {
        "default" => Ipv4Addr::new(0, 0, 0, 0),
        "arpanet" | "arpa" => Ipv4Addr::new(10, 0, 0, 0),
        "milnet" => Ipv4Addr::new(26, 0, 0, 0),
        "ucb-ether" | "ucbether" => Ipv4Addr::new(46, 0, 0, 0),
        "loopback" | "loopnet" | "loopback-net" => Ipv4Addr::new(127, 0, 0, 0),
        "link-local" => Ipv4Addr::new(169, 254, 0, 0),
        _ => return None,
    };
    Some(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class_of(text: &str) -> AddrClass {
        classify(text.parse().unwrap())
    }

    /// Each range's first and last address, and the addresses just outside it.
    #[test]
    fn ipv4_range_boundaries() {
        let cases = [
            ("0.0.0.0", AddrClass::ThisNetwork),
            ("0.255.255.255", AddrClass::ThisNetwork),
            ("1.0.0.0", AddrClass::Global),
            ("9.255.255.255", AddrClass::Global),
            ("10.0.0.0", AddrClass::Private),
            ("10.255.255.255", AddrClass::Private),
            ("11.0.0.0", AddrClass::Global),
            ("100.63.255.255", AddrClass::Global),
            ("100.64.0.0", AddrClass::SharedCgn),
            ("100.127.255.255", AddrClass::SharedCgn),
            ("100.128.0.0", AddrClass::Global),
            ("126.255.255.255", AddrClass::Global),
            ("127.0.0.0", AddrClass::Loopback),
            ("127.255.255.255", AddrClass::Loopback),
            ("128.0.0.0", AddrClass::Global),
            ("169.253.255.255", AddrClass::Global),
            ("169.254.0.0", AddrClass::LinkLocal),
            ("169.254.255.255", AddrClass::LinkLocal),
            ("169.255.0.0", AddrClass::Global),
            ("172.15.255.255", AddrClass::Global),
            ("172.16.0.0", AddrClass::Private),
            ("172.31.255.255", AddrClass::Private),
            ("172.32.0.0", AddrClass::Global),
            ("191.255.255.255", AddrClass::Global),
            ("192.0.0.0", AddrClass::ProtocolAssignments),
            ("192.0.0.8", AddrClass::ProtocolAssignments),
            ("192.0.0.9", AddrClass::Global),
            ("192.0.0.10", AddrClass::Global),
            ("192.0.0.11", AddrClass::ProtocolAssignments),
            ("192.0.0.255", AddrClass::ProtocolAssignments),
            ("192.0.1.255", AddrClass::Global),
            ("192.0.2.0", AddrClass::Documentation),
            ("192.0.2.255", AddrClass::Documentation),
            ("192.0.3.0", AddrClass::Global),
            ("192.88.98.255", AddrClass::Global),
            ("192.88.99.0", AddrClass::SixToFour),
            ("192.88.99.255", AddrClass::SixToFour),
            ("192.88.100.0", AddrClass::Global),
            ("192.167.255.255", AddrClass::Global),
            ("192.168.0.0", AddrClass::Private),
            ("192.168.255.255", AddrClass::Private),
            ("192.169.0.0", AddrClass::Global),
            ("198.17.255.255", AddrClass::Global),
            ("198.18.0.0", AddrClass::Benchmarking),
            ("198.19.255.255", AddrClass::Benchmarking),
            ("198.20.0.0", AddrClass::Global),
            ("198.51.99.255", AddrClass::Global),
            ("198.51.100.0", AddrClass::Documentation),
            ("198.51.100.255", AddrClass::Documentation),
            ("198.51.101.0", AddrClass::Global),
            ("203.0.112.255", AddrClass::Global),
            ("203.0.113.0", AddrClass::Documentation),
            ("203.0.113.255", AddrClass::Documentation),
            ("203.0.114.0", AddrClass::Global),
            ("223.255.255.255", AddrClass::Global),
            ("224.0.0.0", AddrClass::Multicast),
            ("239.255.255.255", AddrClass::Multicast),
            ("240.0.0.0", AddrClass::Reserved),
            ("255.255.255.254", AddrClass::Reserved),
            ("255.255.255.255", AddrClass::LimitedBroadcast),
        ];
        for (text, class) in cases {
            assert_eq!(class_of(text), class, "{text}");
        }
    }

    #[test]
    fn ipv6_range_boundaries() {
        let cases = [
            ("::", AddrClass::ThisNetwork),
            ("::1", AddrClass::Loopback),
            ("::2", AddrClass::Reserved),
            ("::fffe:ffff:ffff", AddrClass::Reserved),
            ("::ffff:0.0.0.0", AddrClass::Ipv4Mapped),
            ("::ffff:255.255.255.255", AddrClass::Ipv4Mapped),
            ("64:ff9b::", AddrClass::Global),
            ("64:ff9b::ffff:ffff", AddrClass::Global),
            ("64:ff9b::1:0:0", AddrClass::Reserved),
            ("64:ff9b:1::", AddrClass::Reserved),
            ("100::", AddrClass::Discard),
            ("100::ffff:ffff:ffff:ffff", AddrClass::Discard),
            ("100:0:0:1::", AddrClass::Reserved),
            (
                "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                AddrClass::Reserved,
            ),
            ("2000::", AddrClass::Global),
            ("2001::", AddrClass::Teredo),
            ("2001:0:ffff:ffff:ffff:ffff:ffff:ffff", AddrClass::Teredo),
            ("2001:1::", AddrClass::ProtocolAssignments),
            ("2001:1::1", AddrClass::Global),
            ("2001:1::2", AddrClass::Global),
            ("2001:1::4", AddrClass::ProtocolAssignments),
            ("2001:2::", AddrClass::Benchmarking),
            ("2001:2:0:ffff:ffff:ffff:ffff:ffff", AddrClass::Benchmarking),
            ("2001:2:1::", AddrClass::ProtocolAssignments),
            ("2001:3::", AddrClass::Global),
            ("2001:4:112::", AddrClass::Global),
            ("2001:10::", AddrClass::ProtocolAssignments),
            ("2001:20::", AddrClass::Global),
            ("2001:2f:ffff::", AddrClass::Global),
            (
                "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff",
                AddrClass::ProtocolAssignments,
            ),
            ("2001:200::", AddrClass::Global),
            ("2001:db7:ffff::", AddrClass::Global),
            ("2001:db8::", AddrClass::Documentation),
            (
                "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
                AddrClass::Documentation,
            ),
            ("2001:db9::", AddrClass::Global),
            ("2001:4860:4860::8888", AddrClass::Global),
            ("2002::", AddrClass::SixToFour),
            (
                "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                AddrClass::SixToFour,
            ),
            ("2003::", AddrClass::Global),
            ("3ffe:ffff::", AddrClass::Global),
            ("3fff::", AddrClass::Documentation),
            ("3fff:fff:ffff::", AddrClass::Documentation),
            ("3fff:1000::", AddrClass::Global),
            ("3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", AddrClass::Global),
            ("4000::", AddrClass::Reserved),
            ("5f00::", AddrClass::Reserved),
            (
                "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                AddrClass::Reserved,
            ),
            ("fc00::", AddrClass::UniqueLocal),
            (
                "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                AddrClass::UniqueLocal,
            ),
            ("fe00::", AddrClass::Reserved),
            ("fe80::", AddrClass::LinkLocal),
            (
                "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                AddrClass::LinkLocal,
            ),
            ("fec0::", AddrClass::Reserved),
            ("ff00::", AddrClass::Multicast),
            ("ff02::1", AddrClass::Multicast),
            (
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                AddrClass::Multicast,
            ),
        ];
        for (text, class) in cases {
            assert_eq!(class_of(text), class, "{text}");
        }
    }

    #[test]
    fn routable_sources() {
        // detect 03-netbios-spoofed: 10.0.0.1 and 10.0.0.11 cannot arrive honestly;
        // 205.250.106.45 can.
        assert!(!class_of("10.0.0.1").is_routable_source());
        assert!(!class_of("10.0.0.11").is_routable_source());
        assert!(class_of("205.250.106.45").is_routable_source());
        assert!(class_of("2001::1").is_routable_source());
        assert!(class_of("2002:c000:204::1").is_routable_source());
        for text in [
            "127.0.0.1",
            "224.0.0.1",
            "192.0.2.7",
            "fe80::1",
            "::",
            "fd00::1",
        ] {
            assert!(!class_of(text).is_routable_source(), "{text}");
        }
        assert_eq!(
            class_of("10.0.0.1").describe(),
            "a private (RFC 1918) address"
        );
    }

    #[test]
    fn names_the_special_range() {
        let (net, class) = special_range("172.20.1.1".parse().unwrap()).unwrap();
        assert_eq!(net.to_string(), "172.16.0.0/12");
        assert_eq!(class, AddrClass::Private);
        assert_eq!(special_range("8.8.8.8".parse().unwrap()), None);
        assert_eq!(special_range("192.0.0.9".parse().unwrap()), None);
        let (net, _) = special_range("4000::1".parse().unwrap()).unwrap();
        assert_eq!(net.to_string(), "::/0");
    }

    #[test]
    fn classful_network_and_broadcast_addresses() {
        let yes = [
            "10.0.0.0",
            "10.255.255.255",
            "0.0.0.0",
            "127.0.0.0",
            "172.16.0.0",
            "172.16.255.255",
            "130.1.0.0",
            "192.168.1.0",
            "192.168.1.255",
            "223.255.255.255",
            "255.255.255.255",
        ];
        for text in yes {
            assert!(
                is_classful_network_or_broadcast(text.parse().unwrap()),
                "{text}"
            );
        }
        let no = [
            "10.0.0.1",
            "10.0.1.0",
            "10.255.255.0",
            "172.16.1.0",
            "172.16.0.255",
            "192.168.1.1",
            "24.5.3.0",
            "224.0.0.0",
            "240.0.0.0",
        ];
        for text in no {
            assert!(
                !is_classful_network_or_broadcast(text.parse().unwrap()),
                "{text}"
            );
        }
    }

    #[test]
    fn classic_network_names() {
        // detect 08-netbios-arpanet: the SunScreen printed `arpanet` for 10.0.0.0.
        assert_eq!(
            classic_network_name("arpanet"),
            Some(Ipv4Addr::new(10, 0, 0, 0))
        );
        assert_eq!(
            classic_network_name(" ARPANET "),
            Some(Ipv4Addr::new(10, 0, 0, 0))
        );
        assert_eq!(
            classic_network_name("loopback"),
            Some(Ipv4Addr::new(127, 0, 0, 0))
        );
        assert_eq!(
            classic_network_name("link-local"),
            Some(Ipv4Addr::new(169, 254, 0, 0))
        );
        assert_eq!(classic_network_name("default"), Some(Ipv4Addr::UNSPECIFIED));
        assert_eq!(
            classic_network_name("ucb-ether"),
            Some(Ipv4Addr::new(46, 0, 0, 0))
        );
        assert_eq!(classic_network_name("server.cluster"), None);
        assert_eq!(classic_network_name(""), None);
        let arpanet = classic_network_name("arpanet").unwrap();
        assert!(is_classful_network_or_broadcast(arpanet));
        assert_eq!(classify(IpAddr::V4(arpanet)), AddrClass::Private);
    }
}
