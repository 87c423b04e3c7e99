#!/usr/bin/env python3
"""Writes the small MaxMind DB files the identity tests read.

Regenerate (from crates/identity):
    pip install mmdb-writer
    python3 tests/data/make_mmdb.py
then run `cargo test -p picket-identity`. The files differ on every run only
in their build time. All networks, ASNs and owners are invented for the tests.
"""

from pathlib import Path

from mmdb_writer import MMDBWriter
from netaddr import IPSet

HERE = Path(__file__).resolve().parent


def write_mixed():
    """An IPv6 database with IPv4 networks, in the field layouts of the vendors."""
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type="Picket-Test-Geo-ASN",
        description="picket identity test data",
    )
    # GeoIP2 / DB-IP layout: country map, ASN number and organisation.
    writer.insert_network(
        IPSet(["64.0.2.0/24"]),
        {
            "country": {"iso_code": "NL", "names": {"en": "Netherlands"}},
            "autonomous_system_number": 64500,
            "autonomous_system_organization": "ExampleNet B.V.",
        },
    )
    # A country-only record (a Country edition).
    writer.insert_network(IPSet(["64.0.3.0/24"]), {"country": {"iso_code": "de"}})
    # IPv6, GeoIP2 layout with the registered country only.
    writer.insert_network(
        IPSet(["2a0b:4000::/32"]),
        {
            "registered_country": {"iso_code": "SE"},
            "autonomous_system_number": 64502,
            "autonomous_system_organization": "SixNet AB",
        },
    )
    # IPinfo Lite layout: country_code, "AS..." text, as_name.
    writer.insert_network(
        IPSet(["65.0.0.0/16"]),
        {"country_code": "US", "asn": "AS64501", "as_name": "InfoNet Inc."},
    )
    # Fields of unexpected types: a bare country string, a text ASN, an ISP
    # name with a control character.
    writer.insert_network(
        IPSet(["66.0.0.0/24"]),
        {
            "country": "FR",
            "autonomous_system_number": "not a number",
            "isp": "Odd\x07 ISP",
        },
    )
    # A site's own entry for private space, with the "unknown" country code.
    writer.insert_network(
        IPSet(["10.0.0.0/8"]),
        {"country": {"iso_code": "ZZ"}, "autonomous_system_organization": "Campus LAN"},
    )
    # A record with none of the fields picket reads.
    writer.insert_network(IPSet(["67.0.0.0/24"]), {"city": {"names": {"en": "Nowhere"}}})
    writer.to_db_file(str(HERE / "geo-asn.mmdb"))


def write_v4_only():
    """An IPv4-only country database, to be consulted before the mixed one."""
    writer = MMDBWriter(
        ip_version=4,
        database_type="Picket-Test-Country-V4",
        description="picket identity test data",
    )
    writer.insert_network(IPSet(["64.0.2.0/24"]), {"country": {"iso_code": "BE"}})
    writer.to_db_file(str(HERE / "country-v4.mmdb"))


if __name__ == "__main__":
    write_mixed()
    write_v4_only()
