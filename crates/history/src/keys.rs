//! The keys that relate one source to another across runs: the source's
//! stored text, its network (a /24 for IPv4, a /48 for IPv6) and, for a host
//! name, its registrable domain.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// Prefix length that groups IPv4 sources of one network (one customer or
/// one dial-up pool, usually).
pub const IPV4_NETWORK_PREFIX: u8 = 24;

/// Prefix length that groups IPv6 sources of one site.
pub const IPV6_NETWORK_PREFIX: u8 = 48;

/// A source as stored and looked up: an address in its canonical text form,
/// a name trimmed and lower-cased (as the model's `Host` prints them).
pub fn normalize_source(text: &str) -> String {
    let text = text.trim();
    match text.parse::<IpAddr>() {
        Ok(addr) => addr.to_string(),
        Err(_) => text.to_ascii_lowercase(),
    }
}

/// The network an address source belongs to, as text (`203.0.113.0/24`,
/// `2001:db8:5::/48`), or `None` for a name. IPv4-mapped IPv6 addresses count
/// as IPv4.
pub fn network_of(source: &str) -> Option<String> {
    let addr: IpAddr = source.trim().parse().ok()?;
    let net = match addr {
        IpAddr::V4(v4) => IpNet::V4(Ipv4Net::new(v4, IPV4_NETWORK_PREFIX).ok()?.trunc()),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpNet::V4(Ipv4Net::new(v4, IPV4_NETWORK_PREFIX).ok()?.trunc()),
            None => IpNet::V6(Ipv6Net::new(v6, IPV6_NETWORK_PREFIX).ok()?.trunc()),
        },
    };
    Some(net.to_string())
}

/// The registrable domain of a name source (`dial1.pool.example.net` gives
/// `example.net`), or `None` for an address or a name without one.
pub fn domain_of(source: &str) -> Option<String> {
    let source = source.trim();
    if source.parse::<IpAddr>().is_ok() {
        return None;
    }
    picket_knowledge::registrable_domain(source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_of_addresses() {
        assert_eq!(
            network_of("203.0.113.77").as_deref(),
            Some("203.0.113.0/24")
        );
        assert_eq!(
            network_of("2001:db8:5:1::7").as_deref(),
            Some("2001:db8:5::/48")
        );
        assert_eq!(
            network_of("::ffff:198.51.100.9").as_deref(),
            Some("198.51.100.0/24")
        );
        assert_eq!(network_of("dial1.example.net"), None);
    }

    #[test]
    fn domains_of_names() {
        // A resolved source as the 2000 paper's sensors logged them.
        assert_eq!(
            domain_of("ppp-12.dial.example.net").as_deref(),
            Some("example.net")
        );
        assert_eq!(domain_of("192.0.2.4"), None);
    }

    #[test]
    fn normalizes_text() {
        assert_eq!(normalize_source(" Host.Example.COM "), "host.example.com");
        assert_eq!(
            normalize_source("2001:0db8:0000:0000:0000:0000:0000:0001"),
            "2001:db8::1"
        );
    }
}
