//! Comps XML for pungi-wasm: parse, filter per variant and arch the way Pungi's Init
//! phase does, and write back a file createrepo and dnf accept.
//!
//! Builds for native and `wasm32-wasip2`: it does no I/O, callers pass text in and get
//! text or data out.

mod filter;
mod glob;
mod model;
mod parse;
mod write;
pub mod xml;

pub use filter::{
    EnvironmentSelector, Filtered, GroupSelector, VariantFilter, filter, filter_arch,
};
pub use glob::fnmatch;
pub use model::{
    Category, Comps, Environment, Group, GroupRef, Langpack, PackageReq, PackageType, Translated,
};
pub use parse::parse;
pub use write::{DOCTYPE, to_xml};
pub use xml::{XmlError, XmlErrors};
