//! `--schema-override FILE` (repeatable), as `pungi-config-validate` takes it: JSON
//! Schema laid over Pungi's option schema, files merged into each other leaf by leaf
//! (nested objects merge, anything else replaces), as Pungi's `update_schema` does.
//!
//! Our option schema is a table, not JSON Schema, so an override can only lay itself
//! over whole options: an option whose `properties` entry has a validating keyword
//! (`type`, `enum`, `items`, ...) is checked against that entry with a JSON Schema
//! validator (the `jsonschema` crate) instead of the table, and is never unknown or
//! required; an entry with only annotations (`default`, `description`) keeps the
//! table's check and gives its `default` to a config that leaves the option out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::Context as _;
use pungi_config::schema::{Diagnostic, Severity};
use pungi_config::{Checked, LoadedConfig, Value, check_fetched};
use serde_json::{Map, Value as Json};

/// Keywords that describe an option without constraining its value.
const ANNOTATIONS: [&str; 7] = [
    "default",
    "description",
    "title",
    "$comment",
    "examples",
    "deprecated",
    "alias",
];

/// The overrides of every `--schema-override` file, merged.
#[derive(Debug, Default)]
pub struct SchemaOverrides {
    /// Option name -> its merged schema entry.
    properties: Map<String, Json>,
    files: Vec<PathBuf>,
}

impl SchemaOverrides {
    /// Reads and merges `paths`, in order (a later file's leaves win).
    pub fn load(paths: &[PathBuf]) -> anyhow::Result<Self> {
        let mut merged = Json::Object(Map::new());
        for path in paths {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading schema override {}", path.display()))?;
            let json: Json = serde_json::from_str(&text)
                .with_context(|| format!("schema override {}: not JSON", path.display()))?;
            anyhow::ensure!(
                json.is_object(),
                "schema override {}: expected a JSON object (a JSON Schema)",
                path.display()
            );
            merge(&mut merged, json);
        }
        let properties = match merged.get_mut("properties").map(Json::take) {
            None => Map::new(),
            Some(Json::Object(properties)) => properties,
            Some(_) => anyhow::bail!("schema override: `properties` must be an object"),
        };
        Ok(SchemaOverrides {
            properties,
            files: paths.to_vec(),
        })
    }

    /// The options whose whole check the overrides take over.
    fn replaced(&self) -> BTreeSet<String> {
        self.properties
            .iter()
            .filter(|(_, entry)| {
                entry
                    .as_object()
                    .is_some_and(|keys| keys.keys().any(|k| !ANNOTATIONS.contains(&k.as_str())))
            })
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Checks `config` and its files (those of SCM locations where `fetched` has them):
    /// the table for the options the overrides leave alone, the overrides' JSON
    /// Schema for the others.
    pub fn check(
        &self,
        config: &LoadedConfig,
        fetched: &BTreeMap<String, PathBuf>,
    ) -> anyhow::Result<Checked> {
        let replaced = self.replaced();
        let mut checked = check_fetched(config, fetched, &replaced);
        let mut found = Vec::new();
        for name in &replaced {
            let Some(value) = config.options.get(name) else {
                continue;
            };
            let validator = jsonschema::validator_for(&self.properties[name]).map_err(|e| {
                anyhow::anyhow!(
                    "schema override of `{name}` ({}): {e}",
                    self.describe_files()
                )
            })?;
            for error in validator.iter_errors(&value.to_json()) {
                found.push(Diagnostic::at_option(
                    config,
                    name,
                    Severity::Error,
                    format!(
                        "`{name}{}`: {error} (schema override)",
                        error.instance_path()
                    ),
                ));
            }
        }
        checked.report.extend(found);
        for (name, entry) in &self.properties {
            let Some(default) = entry.get("default") else {
                continue;
            };
            if config.options.contains_key(name) {
                continue;
            }
            let default: Value = serde_json::from_value(default.clone())
                .with_context(|| format!("schema override: the default of `{name}`"))?;
            checked.report.defaults.retain(|(option, _)| option != name);
            checked.report.defaults.push((name.clone(), default));
        }
        Ok(checked)
    }

    fn describe_files(&self) -> String {
        let names: Vec<String> = self.files.iter().map(|p| p.display().to_string()).collect();
        names.join(", ")
    }
}

/// Pungi's `update_schema`: `update`'s leaves into `schema`.
fn merge(schema: &mut Json, update: Json) {
    match (schema, update) {
        (Json::Object(into), Json::Object(from)) => {
            for (key, value) in from {
                match into.get_mut(&key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        into.insert(key, value);
                    }
                }
            }
        }
        (schema, update) => *schema = update,
    }
}
