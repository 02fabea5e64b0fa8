//! Resolving Pungi's per-variant and per-arch option forms, exactly as
//! `pungi.util.get_arch_variant_data`, `get_variant_data` and `get_arch_data` do:
//!
//! - a variant pattern is a Python regex applied with `re.match`: anchored at the
//!   start only, so `"Server"` also matches `Server-optional`; write `"^Server$"` to
//!   mean one variant;
//! - an arch key is the literal arch or `"*"` (not a glob), and `"*"` does not cover
//!   `src`, which must be named explicitly;
//! - a list value is spliced into the result, any other value is appended; entries
//!   are taken in config order.

use regex::Regex;

use crate::eval::Options;
use crate::value::Value;

/// An option whose value does not have the shape the helper needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("option `{option}`: {message}")]
pub struct OptionError {
    /// The option name.
    pub option: String,
    /// What is wrong with its value.
    pub message: String,
}

/// A variant uid pattern compiled with `re.match` semantics.
#[derive(Debug, Clone)]
pub struct VariantPattern(Regex);

impl VariantPattern {
    /// Compiles `pattern`; Python-only regex syntax (look-around, backreferences) is
    /// rejected rather than silently misread.
    pub fn new(pattern: &str) -> Result<Self, regex::Error> {
        Regex::new(&format!("^(?:{pattern})")).map(Self)
    }

    /// Whether `uid` matches at its start, as `re.match(pattern, uid)`.
    pub fn matches(&self, uid: &str) -> bool {
        self.0.is_match(uid)
    }
}

/// `[(variant_uid_regex, {arch_or_*: value})]`: the values for `arch` in `variant`,
/// or for `arch` in every variant when `variant` is `None`.
pub fn get_arch_variant_data(
    options: &Options,
    option: &str,
    arch: &str,
    variant: Option<&str>,
) -> Result<Vec<Value>, OptionError> {
    let error = |message: String| OptionError {
        option: option.to_owned(),
        message,
    };
    let mut result = Vec::new();
    for (pattern, per_arch) in pairs(options, option)? {
        if let Some(uid) = variant {
            let regex = VariantPattern::new(pattern)
                .map_err(|e| error(format!("bad variant pattern {pattern:?}: {e}")))?;
            if !regex.matches(uid) {
                continue;
            }
        }
        let per_arch = per_arch.as_dict().ok_or_else(|| {
            error(format!(
                "expected a dict of arches for {pattern:?}, found {}",
                per_arch.type_name()
            ))
        })?;
        extend_for_arch(&mut result, per_arch, arch).map_err(error)?;
    }
    Ok(result)
}

/// Every repository named anywhere in `gather_lookaside_repos` (its JSON form:
/// `[[variant_regex, {arch: path or [paths]}], ...]`), each once, sorted. The host
/// mounts the i-th of this list read-only at `/lookaside/<i>` for Gather, which finds a
/// variant's repositories there by the same list.
pub fn lookaside_repos(option: Option<&serde_json::Value>) -> Vec<String> {
    let entries = option.and_then(serde_json::Value::as_array);
    let per_arch = entries
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.get(1)?.as_object());
    let mut repos: Vec<String> = per_arch
        .flat_map(|by_arch| by_arch.values())
        .flat_map(|value| match value {
            serde_json::Value::Array(items) => items.iter().collect(),
            other => vec![other],
        })
        .filter_map(|value| value.as_str().map(str::to_owned))
        .collect();
    repos.sort();
    repos.dedup();
    repos
}

/// `{variant_uid_regex: value}`: the values for `variant`.
pub fn get_variant_data(
    options: &Options,
    option: &str,
    variant: &str,
) -> Result<Vec<Value>, OptionError> {
    let error = |message: String| OptionError {
        option: option.to_owned(),
        message,
    };
    let mut result = Vec::new();
    let Some(value) = options.get(option) else {
        return Ok(result);
    };
    let entries = value.as_dict().ok_or_else(|| {
        error(format!(
            "expected a dict of variant patterns, found {}",
            value.type_name()
        ))
    })?;
    for (pattern, data) in entries {
        let pattern = pattern.as_str().ok_or_else(|| {
            error(format!(
                "variant patterns must be strings, found {}",
                pattern.type_name()
            ))
        })?;
        let regex = VariantPattern::new(pattern)
            .map_err(|e| error(format!("bad variant pattern {pattern:?}: {e}")))?;
        if regex.matches(variant) {
            splice(&mut result, data);
        }
    }
    Ok(result)
}

/// `{arch_or_*: value}`: the values for `arch`.
pub fn get_arch_data(
    options: &Options,
    option: &str,
    arch: &str,
) -> Result<Vec<Value>, OptionError> {
    let error = |message: String| OptionError {
        option: option.to_owned(),
        message,
    };
    let mut result = Vec::new();
    if let Some(value) = options.get(option) {
        let per_arch = value.as_dict().ok_or_else(|| {
            error(format!(
                "expected a dict of arches, found {}",
                value.type_name()
            ))
        })?;
        extend_for_arch(&mut result, per_arch, arch).map_err(error)?;
    }
    Ok(result)
}

/// The `(pattern, data)` pairs of a `[(pattern, data), ...]` option.
fn pairs<'a>(options: &'a Options, option: &str) -> Result<Vec<(&'a str, &'a Value)>, OptionError> {
    let error = |message: String| OptionError {
        option: option.to_owned(),
        message,
    };
    let Some(value) = options.get(option) else {
        return Ok(Vec::new());
    };
    let items = value.as_sequence().ok_or_else(|| {
        error(format!(
            "expected a list of (variant pattern, data) pairs, found {}",
            value.type_name()
        ))
    })?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item.as_sequence() {
            Some([Value::Str(pattern), data]) => Ok((pattern.as_str(), data)),
            _ => Err(error(format!(
                "item {i} is not a (variant pattern, data) pair: {}",
                crate::pyrepr::repr(item)
            ))),
        })
        .collect()
}

fn extend_for_arch(
    result: &mut Vec<Value>,
    per_arch: &[(Value, Value)],
    arch: &str,
) -> Result<(), String> {
    for (key, data) in per_arch {
        let key = key
            .as_str()
            .ok_or_else(|| format!("arch keys must be strings, found {}", key.type_name()))?;
        let wanted = key == arch || (key == "*" && arch != "src");
        if wanted {
            splice(result, data);
        }
    }
    Ok(())
}

/// Lists are spliced in, anything else is appended (tuples too, as in Pungi).
fn splice(result: &mut Vec<Value>, data: &Value) {
    match data {
        Value::List(items) => result.extend(items.iter().cloned()),
        other => result.push(other.clone()),
    }
}
