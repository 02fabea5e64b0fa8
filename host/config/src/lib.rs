//! Reading Pungi configuration for pungi-wasm: the Python-literal config language of
//! kobo's `PyConfigParser`, Pungi's per-variant/per-arch option forms, and variants XML.
//!
//! The config language is the Python literal subset a Pungi config uses: assignments,
//! string/number/bool/None literals, lists, tuples, dicts, references to earlier names,
//! `+`, `%` formatting and `from file import *` includes. Where kobo's own parser and
//! Python disagree, this follows Python (escapes are decoded, adjacent string literals
//! are joined, commas are required) except for what kobo rejects outright, which is
//! rejected here too (names starting with `_`, repeated dict keys); includes are
//! resolved as kobo does: `from a.b import *` reads `a.b.conf` next to the including
//! file.

mod ast;
mod check;
mod comps;
mod error;
mod eval;
mod lexer;
mod load;
mod origin;
mod parser;
mod percent;
mod pyrepr;
pub mod schema;
mod value;
mod variant_data;
mod variants;

pub use check::{Checked, check_fetched, check_files};
pub use comps::load_comps;
pub use error::{ConfigError, ConfigErrors, Pos};
pub use eval::Options;
pub use load::{LoadedConfig, load, load_str, parse_str};
pub use origin::{At, Origin, Origins, ValuePos};
pub use value::Value;
pub use variant_data::{
    OptionError, VariantPattern, get_arch_data, get_arch_variant_data, get_variant_data,
    lookaside_repos,
};
pub use variants::{
    BuildOpts, Module, Release, Variant, VariantKind, Variants, load_variants, parse_variants,
};
