//! The host side of each released WIT version of `pungi:phase`, one module per version,
//! each a thin translation between that version's generated types and the
//! version-independent [`crate::capabilities`].

pub mod since_v0_1_0;
