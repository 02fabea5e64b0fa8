//! A config with the files it names: the schema check, the variants XML and the comps
//! file, reported together so one run shows every problem of a compose's inputs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use pungi_comps::Comps;

use crate::comps::load_comps;
use crate::error::ConfigErrors;
use crate::load::LoadedConfig;
use crate::schema::{Diagnostic, Report, Severity, validate_except};
use crate::value::Value;
use crate::variants::{Variants, load_variants};

/// What checking a config and its files found.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Every problem in the config, the variants XML and the comps file.
    pub report: Report,
    /// The variants, when the file could be read and is valid.
    pub variants: Option<Variants>,
    /// The comps, when the config names a valid one.
    pub comps: Option<Comps>,
}

/// Validates `config` and reads the variants and comps files it names; SCM locations
/// are not fetched here, only warned about.
pub fn check_files(config: &LoadedConfig) -> Checked {
    check_fetched(config, &BTreeMap::new(), &BTreeSet::new())
}

/// Like [`check_files`], reading the files of SCM locations where `fetched` (option ->
/// the fetched file) has them, and leaving the options in `replaced` to the caller's
/// own check (see [`crate::schema::validate_except`]).
pub fn check_fetched(
    config: &LoadedConfig,
    fetched: &BTreeMap<String, PathBuf>,
    replaced: &BTreeSet<String>,
) -> Checked {
    let mut report = validate_except(config, replaced);
    let mut found = Vec::new();
    let variants = named_file(config, "variants_file", fetched, &mut found)
        .and_then(|path| keep(load_variants(&path), &mut found));
    let comps = named_file(config, "comps_file", fetched, &mut found)
        .and_then(|path| keep(load_comps(&path), &mut found));
    report.extend(found);
    Checked {
        report,
        variants,
        comps,
    }
}

/// The local path an option names, relative to the config, or the file fetched for its
/// SCM location; an SCM location not fetched gets a warning that its file goes unchecked.
fn named_file(
    config: &LoadedConfig,
    option: &str,
    fetched: &BTreeMap<String, PathBuf>,
    out: &mut Vec<Diagnostic>,
) -> Option<PathBuf> {
    match config.options.get(option)? {
        Value::Str(file) => Some(config.config_dir.join(file)),
        Value::Dict(_) if fetched.contains_key(option) => fetched.get(option).cloned(),
        Value::Dict(_) => {
            out.push(Diagnostic::at_option(
                config,
                option,
                Severity::Warning,
                format!(
                    "`{option}` names an SCM location, fetched only when a compose starts; \
                     the file is not checked"
                ),
            ));
            None
        }
        // A wrong type is already reported by the schema.
        _ => None,
    }
}

fn keep<T>(result: Result<T, ConfigErrors>, out: &mut Vec<Diagnostic>) -> Option<T> {
    result
        .map_err(|errors| out.extend(errors.0.into_iter().map(Diagnostic::from_error)))
        .ok()
}
