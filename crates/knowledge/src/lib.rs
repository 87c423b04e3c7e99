//! What an intrusion analyst knows by heart, as data and pure functions.
//!
//! The analysis asks this crate what a port means (service, trojan, worm,
//! what probing it seeks and how bad finding it would be), what a special
//! address range says about a source (private, documentation, a network
//! address no host can use), and what a resolved host name says about the
//! line behind it (dial-up, DSL, cable, a numbered pool). Everything here is
//! pure: no network, no global mutable state. The port table is compiled in
//! from `data/ports.toml` and a user's file of the same shape can extend or
//! override it.

use std::fmt;

pub mod addr;
pub mod names;
pub mod ports;

pub use addr::{
    AddrClass, classic_network_name, classify, is_classful_network_or_broadcast, special_range,
};
pub use names::{
    AccessKind, access_kind, has_address_in_name, pool_stem, registrable_domain, same_pool,
};
pub use ports::{PortCategory, PortEntry, PortTable, Transport, WormSignature};

/// A user's knowledge file could not be used: bad TOML, a missing or invalid
/// field, or an entry listed twice. Says where, so the user can fix the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnowledgeError {
    line: Option<usize>,
    field: Option<String>,
    message: String,
}

impl KnowledgeError {
    /// An error at a 1-based line of the file, naming the field when known.
    pub fn new(line: Option<usize>, field: Option<&str>, message: impl Into<String>) -> Self {
        KnowledgeError {
            line,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    /// The 1-based line of the file the error points at, when known.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The field (TOML key) at fault, when known.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for KnowledgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("knowledge file")?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for KnowledgeError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_names_line_and_field() {
        let err = KnowledgeError::new(Some(12), Some("lethality"), "must be between 1 and 5");
        assert_eq!(
            err.to_string(),
            "knowledge file, line 12, field `lethality`: must be between 1 and 5"
        );
        assert_eq!(err.line(), Some(12));
        assert_eq!(err.field(), Some("lethality"));
        let bare = KnowledgeError::new(None, None, "empty");
        assert_eq!(bare.to_string(), "knowledge file: empty");
    }
}
