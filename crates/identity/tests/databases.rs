//! The user's databases through the identity service: the `.mmdb` files
//! written by tests/data/make_mmdb.py and the iptoasn-style tests/data/ip2asn.tsv.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use picket_identity::{IdentityError, IdentityService, MmdbDatabase, NetworkFacts};
use picket_model::Host;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap_or_else(|err| panic!("{text}: {err}"))
}

fn facts(country: Option<&str>, asn: Option<u32>, owner: Option<&str>) -> NetworkFacts {
    NetworkFacts {
        country: country.map(str::to_owned),
        asn,
        owner: owner.map(str::to_owned),
    }
}

fn service(sources: &[&str]) -> IdentityService {
    let mut service = IdentityService::offline();
    for source in sources {
        let path = data(source);
        service = if source.ends_with(".mmdb") {
            service.with_mmdb(&path)
        } else {
            service.with_asn_tsv(&path)
        }
        .unwrap_or_else(|err| panic!("{err}"));
    }
    service
}

#[test]
fn mmdb_country_asn_and_owner_for_both_families() {
    let service = service(&["geo-asn.mmdb"]);
    let cases = [
        // GeoIP2 / DB-IP layout.
        (
            "64.0.2.7",
            facts(Some("NL"), Some(64500), Some("ExampleNet B.V.")),
        ),
        // Country edition, lower-case code in the file.
        ("64.0.3.200", facts(Some("DE"), None, None)),
        // IPv6, registered country only.
        (
            "2a0b:4000:1::9",
            facts(Some("SE"), Some(64502), Some("SixNet AB")),
        ),
        // IPinfo Lite layout.
        (
            "65.0.255.1",
            facts(Some("US"), Some(64501), Some("InfoNet Inc.")),
        ),
        // Odd field types: bare country string, text ASN, control character.
        ("66.0.0.1", facts(Some("FR"), None, Some("Odd ISP"))),
        // A site's entry for its private range; "ZZ" is no country.
        ("10.20.30.40", facts(None, None, Some("Campus LAN"))),
        // IPv4-mapped IPv6 is looked up as IPv4.
        (
            "::ffff:64.0.2.1",
            facts(Some("NL"), Some(64500), Some("ExampleNet B.V.")),
        ),
    ];
    for (addr, expected) in cases {
        assert_eq!(service.network_facts(ip(addr)), expected, "{addr}");
    }
    for miss in ["64.0.4.1", "67.0.0.1", "2a0c::1", "::1", "0.0.0.0"] {
        assert!(service.network_facts(ip(miss)).is_empty(), "{miss}");
    }
    let identity = service.lookup(&Host::Addr(ip("64.0.2.7")));
    assert_eq!(identity.asn(), Some(64500));
    assert_eq!(
        service.describe(&identity),
        "a global address (AS64500 ExampleNet B.V., NL)"
    );
}

#[test]
fn ipv4_only_database_misses_ipv6() {
    let database =
        MmdbDatabase::open(&data("country-v4.mmdb")).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(database.database_type(), "Picket-Test-Country-V4");
    assert_eq!(
        database.lookup(ip("64.0.2.9")),
        Some(facts(Some("BE"), None, None))
    );
    assert_eq!(database.lookup(ip("2a0b:4000::1")), None);
    assert_eq!(database.lookup(ip("64.0.3.1")), None);
}

#[test]
fn tsv_country_asn_and_owner_for_both_families() {
    let service = service(&["ip2asn.tsv"]);
    assert_eq!(
        service.network_facts(ip("68.0.200.1")),
        facts(Some("JP"), Some(64512), Some("Nihon Example KK"))
    );
    assert_eq!(
        service.network_facts(ip("2a0c:1fff::1")),
        facts(Some("BR"), Some(64513), Some("Exemplo Telecom"))
    );
    // "Not routed" rows and addresses outside every range are misses.
    for miss in ["68.1.0.1", "69.0.0.0", "2a0c:2000::", "2a0b:4000::1"] {
        assert!(service.network_facts(ip(miss)).is_empty(), "{miss}");
    }
}

#[test]
fn earlier_databases_win_field_by_field() {
    let service = service(&["country-v4.mmdb", "geo-asn.mmdb", "ip2asn.tsv"]);
    // Country from the first file, ASN and owner from the second.
    assert_eq!(
        service.network_facts(ip("64.0.2.7")),
        facts(Some("BE"), Some(64500), Some("ExampleNet B.V."))
    );
    // The country-only record leaves ASN and owner to the table.
    assert_eq!(
        service.network_facts(ip("64.0.3.1")),
        facts(Some("DE"), Some(64511), Some("GapFill GmbH"))
    );
}

#[test]
fn unusable_files_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap_or_else(|err| panic!("{err}"));
    // A database cut in half, and a table given as a database and back.
    let whole = std::fs::read(data("geo-asn.mmdb")).unwrap_or_else(|err| panic!("{err}"));
    let cut = dir.path().join("cut.mmdb");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap_or_else(|err| panic!("{err}"));
    assert!(matches!(
        IdentityService::offline().with_mmdb(&cut),
        Err(IdentityError::Mmdb { .. })
    ));
    assert!(matches!(
        IdentityService::offline().with_mmdb(data("ip2asn.tsv")),
        Err(IdentityError::Mmdb { .. })
    ));
    let err = IdentityService::offline()
        .with_asn_tsv(data("geo-asn.mmdb"))
        .err()
        .map(|err| err.to_string())
        .unwrap_or_default();
    assert!(err.contains("geo-asn.mmdb, line 1"), "{err}");
    assert!(matches!(
        IdentityService::offline().with_asn_tsv(dir.path().join("missing.tsv")),
        Err(IdentityError::Io { .. })
    ));
    // Damage inside the data section: opening may succeed, lookups must not panic.
    let mut damaged = whole.clone();
    for byte in damaged.iter_mut().skip(200).take(600) {
        *byte ^= 0x5a;
    }
    let damaged_path = dir.path().join("damaged.mmdb");
    std::fs::write(&damaged_path, &damaged).unwrap_or_else(|err| panic!("{err}"));
    if let Ok(service) = IdentityService::offline().with_mmdb(&damaged_path) {
        for addr in ["64.0.2.7", "65.0.0.1", "2a0b:4000::1", "10.0.0.1"] {
            let _ = service.network_facts(ip(addr));
        }
    }
}
