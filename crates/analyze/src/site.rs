//! The site description (`--site FILE`): what the analyst knows about the
//! network the logs come from. Every fact is optional; each one moves the
//! analysis (host roles and criticality, operating systems, services actually
//! offered, known outside servers, authorized scanners, home networks).

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;
use picket_model::{Host, Proto};
use serde::Deserialize;

use crate::config::Thresholds;

/// What a host is, as far as the analysis cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostRole {
    /// A desktop or home machine.
    Workstation,
    /// A server of unstated kind.
    Server,
    /// A DNS server of this site.
    DnsServer,
    /// A web server or cluster address.
    WebServer,
    /// A mail server.
    MailServer,
    /// A firewall or router.
    Firewall,
    /// An outside NTP server this site's hosts use.
    NtpServer,
    /// An outside DNS server this site's hosts use.
    Resolver,
    /// A party allowed to scan this site.
    AuthorizedScanner,
    /// Another outside party the site knows and trusts.
    Partner,
}

impl HostRole {
    /// True for roles of this site's own hosts.
    pub fn is_inside(self) -> bool {
        matches!(
            self,
            HostRole::Workstation
                | HostRole::Server
                | HostRole::DnsServer
                | HostRole::WebServer
                | HostRole::MailServer
                | HostRole::Firewall
        )
    }

    /// The criticality (1-5) GIAC suggests for a target of this role.
    pub fn default_criticality(self) -> u8 {
        match self {
            HostRole::DnsServer | HostRole::Firewall => 5,
            HostRole::WebServer | HostRole::MailServer | HostRole::Server => 4,
            HostRole::Workstation => 2,
            _ => 3,
        }
    }
}

/// A service a host offers, written `port/proto` (`80/tcp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Service {
    /// Port number.
    pub port: u16,
    /// Transport protocol.
    pub proto: Proto,
}

impl<'de> Deserialize<'de> for Service {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Service, D::Error> {
        let text = String::deserialize(d)?;
        let (port, proto) = text.split_once('/').ok_or_else(|| {
            serde::de::Error::custom(format!("service {text:?}: want port/proto"))
        })?;
        let port = port
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("service {text:?}: bad port")))?;
        let proto = Proto::parse(proto.trim())
            .ok_or_else(|| serde::de::Error::custom(format!("service {text:?}: bad protocol")))?;
        Ok(Service { port, proto })
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.port, self.proto.name())
    }
}

/// One host (or a set of hosts matched by a name pattern) the site knows.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteHost {
    /// Names as the sensors print them. A trailing `*` matches any suffix
    /// (`www.xxx.yyy.*`), a leading `*` any prefix.
    #[serde(default)]
    pub names: Vec<String>,
    /// Addresses or networks.
    #[serde(default)]
    pub addresses: Vec<IpNet>,
    /// What the host is.
    pub role: Option<HostRole>,
    /// A few words for reports ("the web cluster address").
    pub description: Option<String>,
    /// 1-5; overrides the role's default.
    pub criticality: Option<u8>,
    /// Operating system family ("Linux", "Solaris", "Windows").
    pub os: Option<String>,
    /// Services the host offers; an empty list means none. Absent: unknown.
    pub services: Option<Vec<Service>>,
}

impl SiteHost {
    /// True when this entry describes `host`.
    pub fn matches(&self, host: &Host) -> bool {
        match host {
            Host::Addr(addr) => self.addresses.iter().any(|net| net.contains(addr)),
            Host::Name(name) => self.names.iter().any(|pattern| name_matches(pattern, name)),
        }
    }

    /// The criticality for this host: stated, else from its role.
    pub fn criticality(&self) -> Option<u8> {
        self.criticality
            .map(|c| c.clamp(1, 5))
            .or_else(|| self.role.map(HostRole::default_criticality))
    }

    /// Whether the host offers a service; `None` when the site does not say.
    pub fn offers(&self, proto: Proto, port: u16) -> Option<bool> {
        self.services
            .as_ref()
            .map(|list| list.iter().any(|s| s.port == port && s.proto == proto))
    }
}

fn name_matches(pattern: &str, name: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    if let Some(prefix) = pattern.strip_suffix('*') {
        name.starts_with(prefix)
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        name.ends_with(suffix)
    } else {
        pattern == name
    }
}

/// The whole site description.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// A name for reports.
    pub name: Option<String>,
    /// This site's own networks. When empty, the home network is inferred
    /// from the log.
    #[serde(default)]
    pub home_networks: Vec<IpNet>,
    /// Interfaces that face the internet; a private source arriving on one
    /// of them is forged.
    #[serde(default)]
    pub outside_interfaces: Vec<String>,
    /// Network names a sensor printed instead of addresses (`arpanet`).
    #[serde(default)]
    pub networks: BTreeMap<String, Ipv4Addr>,
    /// Known hosts, most specific first: the first match wins.
    #[serde(default, rename = "host")]
    pub hosts: Vec<SiteHost>,
    /// Detection thresholds.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// MaxMind or DB-IP databases (`.mmdb`) for identity; relative paths are
    /// taken from the site file's folder.
    #[serde(default)]
    pub mmdb: Vec<std::path::PathBuf>,
    /// iptoasn-style TSV files for identity; relative paths as for `mmdb`.
    #[serde(default)]
    pub asn_tsv: Vec<std::path::PathBuf>,
}

impl Site {
    /// Reads a site description from TOML text.
    pub fn from_toml(text: &str) -> Result<Site, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Makes the database paths relative to `folder` (the site file's).
    pub fn resolve_paths(&mut self, folder: &std::path::Path) {
        for path in self.mmdb.iter_mut().chain(self.asn_tsv.iter_mut()) {
            if path.is_relative() {
                *path = folder.join(&*path);
            }
        }
    }

    /// The entry describing `host`, if any.
    pub fn host(&self, host: &Host) -> Option<&SiteHost> {
        self.hosts.iter().find(|h| h.matches(host))
    }

    /// The role of `host`, if the site states one.
    pub fn role(&self, host: &Host) -> Option<HostRole> {
        self.host(host).and_then(|h| h.role)
    }

    /// True when the site says `addr` is one of its own.
    pub fn is_home_addr(&self, addr: IpAddr) -> bool {
        self.home_networks.iter().any(|n| n.contains(&addr))
    }

    /// True when the site says `host` is one of its own (by network or role).
    pub fn is_home(&self, host: &Host) -> Option<bool> {
        if let Some(addr) = host.addr()
            && !self.home_networks.is_empty()
        {
            return Some(self.is_home_addr(addr));
        }
        self.role(host).map(HostRole::is_inside)
    }

    /// The address a network name stands for: the site's table first.
    pub fn network_name(&self, name: &str) -> Option<Ipv4Addr> {
        self.networks.get(name).copied()
    }

    /// True when the site has no facts at all.
    pub fn is_empty(&self) -> bool {
        self.home_networks.is_empty()
            && self.outside_interfaces.is_empty()
            && self.networks.is_empty()
            && self.hosts.is_empty()
            && self.mmdb.is_empty()
            && self.asn_tsv.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = r#"
        home_networks = ["192.168.10.0/24"]
        outside_interfaces = ["eth0"]
        [networks]
        arpanet = "10.0.0.0"
        [[host]]
        names = ["www.example.65"]
        role = "dns-server"
        os = "Solaris"
        [[host]]
        names = ["www.example.*"]
        role = "server"
        services = ["80/tcp"]
    "#;

    #[test]
    fn reads_hosts_patterns_and_services() {
        let site = Site::from_toml(SITE).unwrap();
        let dns = Host::parse("www.example.65").unwrap();
        let other = Host::parse("www.example.120").unwrap();
        assert_eq!(site.role(&dns), Some(HostRole::DnsServer));
        assert_eq!(site.host(&dns).unwrap().criticality(), Some(5));
        assert_eq!(site.role(&other), Some(HostRole::Server));
        assert_eq!(
            site.host(&other).unwrap().offers(Proto::TCP, 80),
            Some(true)
        );
        assert_eq!(
            site.host(&other).unwrap().offers(Proto::TCP, 81),
            Some(false)
        );
        assert_eq!(site.host(&dns).unwrap().offers(Proto::TCP, 81), None);
        assert_eq!(
            site.network_name("arpanet"),
            Some(Ipv4Addr::new(10, 0, 0, 0))
        );
        assert_eq!(
            site.is_home(&Host::parse("192.168.10.1").unwrap()),
            Some(true)
        );
        assert_eq!(site.is_home(&Host::parse("8.8.8.8").unwrap()), Some(false));
    }

    #[test]
    fn rejects_unknown_fields_and_bad_services() {
        assert!(Site::from_toml("hme_networks = []").is_err());
        assert!(Site::from_toml("[[host]]\nservices = [\"80\"]").is_err());
        assert!(Site::from_toml("[[host]]\nrole = \"wizard\"").is_err());
    }
}
