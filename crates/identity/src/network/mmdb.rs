//! MaxMind DB (`.mmdb`) files: GeoIP2/GeoLite2 Country, City and ASN, and
//! the DB-IP and IPinfo files in the same format.
//!
//! Each vendor names its fields a little differently, so every field is read
//! on its own by path, and a field of an unexpected type is skipped rather
//! than failing the record.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use maxminddb::{LookupResult, PathElement, Reader};
use serde::Deserialize;

use super::{NetworkFacts, clean_country, clean_owner, parse_asn};
use crate::IdentityError;

/// Paths to a country code, best first: GeoIP2/DB-IP, then IPinfo, then a bare field.
const COUNTRY_PATHS: &[&[&str]] = &[
    &["country", "iso_code"],
    &["registered_country", "iso_code"],
    &["country_code"],
    &["country"],
];

/// Paths to an autonomous system number: GeoIP2/DB-IP, then IPinfo ("AS64500").
const ASN_PATHS: &[&[&str]] = &[&["autonomous_system_number"], &["asn"]];

/// Paths to the owner's name: the AS organisation first, then the ISP.
const OWNER_PATHS: &[&[&str]] = &[
    &["autonomous_system_organization"],
    &["as_name"],
    &["organization"],
    &["isp"],
];

/// A value that is either a number or text, as ASN fields differ by vendor.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(u64),
    Text(String),
}

/// An opened `.mmdb` file, held in memory. Lookups are lock-free and the
/// database can be shared between threads.
pub struct MmdbDatabase {
    reader: Reader<Vec<u8>>,
    path: PathBuf,
}

impl std::fmt::Debug for MmdbDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MmdbDatabase")
            .field("path", &self.path)
            .field("database_type", &self.database_type())
            .finish()
    }
}

impl MmdbDatabase {
    /// Reads and checks a database file. A file that is missing, not a
    /// MaxMind DB, or structurally damaged gives an error naming it.
    pub fn open(path: &Path) -> Result<MmdbDatabase, IdentityError> {
        let bytes = std::fs::read(path).map_err(|source| IdentityError::io(path, source))?;
        let reader = Reader::from_source(bytes).map_err(|err| IdentityError::Mmdb {
            path: path.to_owned(),
            message: err.to_string(),
        })?;
        Ok(MmdbDatabase {
            reader,
            path: path.to_owned(),
        })
    }

    /// The file the database was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database type its metadata declares ("GeoLite2-ASN", "DBIP-Country-Lite").
    pub fn database_type(&self) -> &str {
        &self.reader.metadata().database_type
    }

    /// What the database says about an address; `None` when it has no
    /// record for it, or the record holds none of the fields picket reads.
    /// IPv4-mapped IPv6 addresses are looked up as IPv4; an IPv6 address in
    /// an IPv4-only database, or a damaged record, is a miss.
    pub fn lookup(&self, addr: IpAddr) -> Option<NetworkFacts> {
        let result = self.reader.lookup(addr.to_canonical()).ok()?;
        if !result.has_data() {
            return None;
        }
        let country = COUNTRY_PATHS.iter().find_map(|path| {
            decode_at::<String>(&result, path).and_then(|text| clean_country(&text))
        });
        let asn =
            ASN_PATHS
                .iter()
                .find_map(|path| match decode_at::<NumberOrText>(&result, path)? {
                    NumberOrText::Number(number) => u32::try_from(number).ok(),
                    NumberOrText::Text(text) => parse_asn(&text),
                });
        let owner = OWNER_PATHS.iter().find_map(|path| {
            decode_at::<String>(&result, path).and_then(|text| clean_owner(&text))
        });
        let facts = NetworkFacts {
            country,
            asn: asn.filter(|&asn| asn != 0),
            owner,
        };
        (!facts.is_empty()).then_some(facts)
    }
}

/// The value at a path of a record, or `None` when it is missing or of another type.
fn decode_at<'a, T: Deserialize<'a>>(
    result: &LookupResult<'a, Vec<u8>>,
    path: &[&str],
) -> Option<T> {
    let path: Vec<PathElement<'_>> = path.iter().map(|&key| PathElement::Key(key)).collect();
    result.decode_path::<T>(&path).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_files_are_errors() {
        let dir = tempfile::tempdir().unwrap_or_else(|err| panic!("tempdir: {err}"));
        let garbage = dir.path().join("garbage.mmdb");
        std::fs::write(&garbage, b"not a database at all").unwrap_or_else(|err| panic!("{err}"));
        let err = MmdbDatabase::open(&garbage).err();
        assert!(matches!(err, Some(IdentityError::Mmdb { .. })), "{err:?}");
        let missing = dir.path().join("missing.mmdb");
        assert!(matches!(
            MmdbDatabase::open(&missing),
            Err(IdentityError::Io { .. })
        ));
    }
}
