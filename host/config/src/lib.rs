//! Reading Pungi configuration for pungi-wasm: the Python-literal config language of
//! kobo's `PyConfigParser`, Pungi's per-variant/per-arch option forms, and variants XML.
//!
//! The config language is what kobo's `PyConfigParser` reads, since `pungi-koji` reads
//! configs with it: assignments of string/number/bool/None literals, lists, tuples,
//! dicts and names defined earlier, `"..." % value`, `global` names and
//! `from file import *` includes, read as kobo reads them (a string's value is its
//! text as written, escapes included; commas between items are optional; `(x)` is a
//! tuple; there is no `+`) and proven against kobo itself by
//! `tests/tests/kobo_parity.rs`. What kobo would read as something other than what is
//! written (a prefixed or triple-quoted string keeps a quote) is refused, not followed.

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
pub use parser::KOBO_WOULD_READ;
pub use value::Value;
pub use variant_data::{
    OptionError, VariantPattern, get_arch_data, get_arch_variant_data, get_variant_data,
    lookaside_repos,
};
pub use variants::{
    BuildOpts, Module, Release, Variant, VariantKind, Variants, load_variants, parse_variants,
};
