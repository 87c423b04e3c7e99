//! Who is behind an address: the "Identity" an analyst writes for each
//! source of a detect.
//!
//! Offline by default. An [`IdentityService`] combines what needs nothing
//! outside the process (special address ranges and host-name hints from
//! `picket-knowledge`, the registrable domain from the compiled-in Public
//! Suffix List) with what the user supplies: MaxMind DB or iptoasn TSV files
//! for country, ASN and owner, and, only when asked, a [`Resolver`] for
//! reverse and forward DNS. Without a resolver no lookup can open a socket.
//!
//! ```
//! use picket_identity::IdentityService;
//! use picket_model::Host;
//!
//! let service = IdentityService::offline();
//! let host = Host::parse("dial1.netcom").unwrap_or_else(|| unreachable!());
//! let identity = service.lookup(&host);
//! assert_eq!(service.describe(&identity), "a dial-up host of dial1.netcom");
//! ```

mod error;
mod hostname;
mod identity;
pub mod network;
pub mod resolve;
mod service;
pub mod suffix;

pub use error::IdentityError;
pub use hostname::{MAX_LABEL_LEN, MAX_NAME_LEN, clean_host_name, is_valid_host_name};
pub use identity::Identity;
pub use network::{AsnTable, MmdbDatabase, NetworkFacts};
pub use resolve::{
    Answer, CachedAnswer, DnsConfig, DnsResolver, MemoryCache, ResolveCache, Resolver,
    nameservers_from_resolv_conf, reverse_query_name,
};
pub use service::IdentityService;
pub use suffix::registrable_domain;
