//! What picket knows about who is behind one endpoint, and the phrase the
//! analysis writes for it ("a DSL host of example.net (AS64500 ExampleNet, NL)").

use std::net::IpAddr;

use ipnet::IpNet;
use picket_knowledge::{AccessKind, AddrClass};
use picket_model::Host;

use crate::network::NetworkFacts;

/// Everything identity lookups found about one endpoint. Names in it came
/// from logs or DNS, so they are attacker-controlled data: reports must
/// escape them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The endpoint as the sensor logged it.
    pub host: Host,
    /// The address the network facts describe: the logged address (an
    /// IPv4-mapped IPv6 address as IPv4), or, for a logged name, the first
    /// address it resolves to. `None` for an unresolved name.
    pub address: Option<IpAddr>,
    /// The special-purpose class of [`Identity::address`].
    pub class: Option<AddrClass>,
    /// The special range the address falls in ("10.0.0.0/8"); `None` for
    /// global addresses.
    pub special_range: Option<IpNet>,
    /// Facts from the user's databases: country, ASN, owner.
    pub network: NetworkFacts,
    /// The domain that owns the name (Public Suffix List, ICANN section).
    pub registrable_domain: Option<String>,
    /// The kind of access line the name suggests.
    pub access: Option<AccessKind>,
    /// The address's reverse (PTR) name, when resolution was asked for.
    pub reverse_name: Option<String>,
    /// The addresses the name resolves to now (the reverse name for a
    /// logged address, the logged name otherwise).
    pub forward_addrs: Vec<IpAddr>,
    /// For a logged address with a reverse name: whether that name resolves
    /// back to the address. An unconfirmed reverse name may be forged by
    /// whoever runs the reverse zone.
    pub forward_confirmed: Option<bool>,
}

impl Identity {
    /// An identity with nothing known but the endpoint itself.
    pub fn bare(host: Host) -> Identity {
        Identity {
            host,
            address: None,
            class: None,
            special_range: None,
            network: NetworkFacts::default(),
            registrable_domain: None,
            access: None,
            reverse_name: None,
            forward_addrs: Vec::new(),
            forward_confirmed: None,
        }
    }

    /// ISO country code from the databases.
    pub fn country(&self) -> Option<&str> {
        self.network.country.as_deref()
    }

    /// Autonomous system number from the databases.
    pub fn asn(&self) -> Option<u32> {
        self.network.asn
    }

    /// Network owner from the databases.
    pub fn owner(&self) -> Option<&str> {
        self.network.owner.as_deref()
    }

    /// The host name the hints come from: the logged name, or the reverse name.
    pub fn name(&self) -> Option<&str> {
        self.host.name().or(self.reverse_name.as_deref())
    }

    /// The analyst's phrase: what kind of host, whose domain, which network.
    /// "a DSL host of example.net (AS64500 ExampleNet, NL)", "a private
    /// (RFC 1918) address", "a global address (AS64501, US)". The phrase
    /// names the registrable domain, never the full host name.
    pub fn describe(&self) -> String {
        let mut text = String::new();
        let kind_of_host = self.access.map(access_phrase);
        match (&kind_of_host, &self.registrable_domain) {
            (Some(kind), Some(domain)) => text.push_str(&format!("{kind} of {domain}")),
            (Some(kind), None) => text.push_str(kind),
            (None, Some(domain)) => text.push_str(&format!("a host of {domain}")),
            (None, None) => match self.class {
                Some(class) => text.push_str(class.describe()),
                None if self.name().is_some() => text.push_str("a named host"),
                None => text.push_str("an unknown host"),
            },
        }
        let named = kind_of_host.is_some() || self.registrable_domain.is_some();
        if let Some(class) = self
            .class
            .filter(|&class| named && class != AddrClass::Global)
        {
            text.push_str(&format!(", at {}", class.describe()));
        }
        let network = network_phrase(&self.network);
        if !network.is_empty() {
            text.push_str(&format!(" ({network})"));
        }
        if self.forward_confirmed == Some(false) {
            text.push_str(", by a reverse name that does not resolve back to it");
        }
        text
    }
}

/// "a DSL host", for the access kinds of `picket_knowledge::names`.
fn access_phrase(kind: AccessKind) -> &'static str {
    match kind {
        AccessKind::DialUp => "a dial-up host",
        AccessKind::Dsl => "a DSL host",
        AccessKind::Cable => "a cable-modem host",
        AccessKind::Dynamic => "a dynamically addressed host",
        AccessKind::Mobile => "a mobile-network host",
        AccessKind::Hosting => "a hosted server",
        AccessKind::University => "a university host",
    }
}

/// "AS64500 ExampleNet, NL", or as much of it as is known.
fn network_phrase(facts: &NetworkFacts) -> String {
    let operator = match (facts.asn, facts.owner.as_deref()) {
        (Some(asn), Some(owner)) => Some(format!("AS{asn} {owner}")),
        (Some(asn), None) => Some(format!("AS{asn}")),
        (None, Some(owner)) => Some(owner.to_owned()),
        (None, None) => None,
    };
    operator
        .into_iter()
        .chain(facts.country.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_network(
        mut identity: Identity,
        asn: Option<u32>,
        owner: Option<&str>,
        country: Option<&str>,
    ) -> Identity {
        identity.network = NetworkFacts {
            country: country.map(str::to_owned),
            asn,
            owner: owner.map(str::to_owned),
        };
        identity
    }

    #[test]
    fn phrases() {
        let mut dsl = Identity::bare(Host::Addr(
            "198.51.100.7".parse().unwrap_or(IpAddr::from([0; 4])),
        ));
        dsl.class = Some(AddrClass::Global);
        dsl.access = Some(AccessKind::Dsl);
        dsl.registrable_domain = Some("example.net".into());
        dsl.reverse_name = Some("host7.dsl.example.net".into());
        dsl.forward_confirmed = Some(true);
        let dsl = with_network(dsl, Some(64500), Some("ExampleNet"), Some("NL"));
        assert_eq!(
            dsl.describe(),
            "a DSL host of example.net (AS64500 ExampleNet, NL)"
        );
        assert_eq!(dsl.name(), Some("host7.dsl.example.net"));
        assert_eq!(
            (dsl.asn(), dsl.owner(), dsl.country()),
            (Some(64500), Some("ExampleNet"), Some("NL"))
        );

        let mut forged = dsl.clone();
        forged.forward_confirmed = Some(false);
        assert!(forged.describe().ends_with(
            "(AS64500 ExampleNet, NL), by a reverse name that does not resolve back to it"
        ));

        let mut private = Identity::bare(Host::Addr(IpAddr::from([10, 0, 0, 1])));
        private.class = Some(AddrClass::Private);
        assert_eq!(private.describe(), "a private (RFC 1918) address");

        let mut global = Identity::bare(Host::Addr(IpAddr::from([198, 51, 100, 1])));
        global.class = Some(AddrClass::Global);
        assert_eq!(
            with_network(global.clone(), Some(64501), None, Some("US")).describe(),
            "a global address (AS64501, US)"
        );
        assert_eq!(
            with_network(global, None, None, Some("US")).describe(),
            "a global address (US)"
        );

        // detect 07-hackatack: a logged name, nothing resolved.
        let mut dial =
            Identity::bare(Host::parse("dial1.netcom").unwrap_or(Host::Addr(IpAddr::from([0; 4]))));
        dial.access = Some(AccessKind::DialUp);
        dial.registrable_domain = Some("dial1.netcom".into());
        assert_eq!(dial.describe(), "a dial-up host of dial1.netcom");

        let mut resolved_private =
            Identity::bare(Host::parse("me.home.com").unwrap_or(Host::Addr(IpAddr::from([0; 4]))));
        resolved_private.registrable_domain = Some("home.com".into());
        resolved_private.class = Some(AddrClass::Private);
        assert_eq!(
            resolved_private.describe(),
            "a host of home.com, at a private (RFC 1918) address"
        );

        let masked = Identity::bare(
            Host::parse("www.xxx.yyy.65").unwrap_or(Host::Addr(IpAddr::from([0; 4]))),
        );
        assert_eq!(masked.describe(), "a named host");
    }
}
