//! Pungi's variants XML (`variants.dtd`): the tree of variants, addons, optionals and
//! layered products a compose produces, with their arches, comps groups and modules.

mod model;
mod parse;

pub use model::{BuildOpts, Module, Release, Variant, VariantKind, Variants};
pub use parse::{load_variants, parse_variants};
