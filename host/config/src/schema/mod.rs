//! The schema of Pungi's config options and validation against it, the way
//! `pungi-config-validate` checks a config: types, allowed values, required, removed
//! and unknown options, per-variant forms with their regexes, rules between options,
//! and the defaults Pungi fills in.

mod markdown;
mod model;
mod options;
mod rules;
mod suggest;
mod validate;

pub use markdown::{BEGIN_MARKER, END_MARKER, options_markdown, replace_generated};
pub use model::{DefaultValue, OptionSpec, Record, Status, Support, Type, shapes};
pub use options::{OPTIONS, PHASE_NAMES};
pub use suggest::{levenshtein, suggest};
pub use validate::{Diagnostic, Report, Severity, default_value, find, validate, validate_except};

#[cfg(test)]
mod tests;
