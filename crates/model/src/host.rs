//! An endpoint as a sensor logged it: an address, or a name when the sensor
//! resolved it (as the sensors of the 2000 paper did).

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

/// One end of a packet. Names are kept as logged (lower-cased), and a name is
/// treated as one host.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Host {
    /// A numeric IPv4 or IPv6 address.
    Addr(IpAddr),
    /// A host name the sensor printed instead of an address.
    Name(Arc<str>),
}

impl Host {
    /// The address, when the sensor logged one.
    pub fn addr(&self) -> Option<IpAddr> {
        match self {
            Host::Addr(a) => Some(*a),
            Host::Name(_) => None,
        }
    }

    /// The name, when the sensor logged a name.
    pub fn name(&self) -> Option<&str> {
        match self {
            Host::Addr(_) => None,
            Host::Name(n) => Some(n),
        }
    }

    /// Parses a logged endpoint: an IPv4 or IPv6 address, otherwise a host name
    /// (lower-cased). Returns `None` for an empty string.
    pub fn parse(text: &str) -> Option<Host> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        if let Ok(addr) = text.parse::<IpAddr>() {
            return Some(Host::Addr(addr));
        }
        Some(Host::Name(Arc::from(text.to_ascii_lowercase())))
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Addr(a) => write!(f, "{a}"),
            Host::Name(n) => f.write_str(n),
        }
    }
}

impl From<IpAddr> for Host {
    fn from(addr: IpAddr) -> Self {
        Host::Addr(addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses_and_names() {
        assert_eq!(
            Host::parse("10.0.0.1"),
            Some(Host::Addr("10.0.0.1".parse().unwrap()))
        );
        assert_eq!(
            Host::parse("2001:0db8:0000:f101:0000:0000:0000:0002")
                .unwrap()
                .to_string(),
            "2001:db8:0:f101::2"
        );
        assert_eq!(
            Host::parse("Me.Home.COM").unwrap().to_string(),
            "me.home.com"
        );
        assert_eq!(Host::parse("  "), None);
    }
}
