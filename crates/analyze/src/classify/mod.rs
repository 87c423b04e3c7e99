//! Classification: packets into units of activity, units into kinds.

pub mod actors;
pub mod facts;
pub mod kind;
pub mod timing;
pub mod trw;
pub mod unit;

pub use facts::Facts;
pub use unit::{Grouping, Role, Unit};
