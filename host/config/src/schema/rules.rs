//! Rules between options that a per-option type cannot say, after Pungi's
//! `CONFIG_DEPS` and the checks its phases make before running.

use crate::load::LoadedConfig;
use crate::pyrepr::repr;
use crate::value::Value;

use super::options::PHASE_NAMES;
use super::suggest::did_you_mean;
use super::validate::{Diagnostic, Severity, default_value, find, origin_of, truthy};

/// Adds a diagnostic for every broken rule.
pub fn check(config: &LoadedConfig, out: &mut Vec<Diagnostic>) {
    let mut rules = Rules { config, out };
    rules.pkgset_source();
    rules.base_product();
    rules.conflict_when_falsy(
        "buildinstall_method",
        &["lorax_options", "buildinstall_kickstart"],
    );
    rules.conflict_when_falsy("product_id", &["product_id_allow_missing"]);
    rules.require_when_truthy("cts_url", &["translate_paths"]);
    rules.require_when_truthy("pkgset_scratch_modules", &["mbs_api_url"]);
    rules.media_checksum_one_file();
    rules.skip_phases_known();
}

struct Rules<'a> {
    config: &'a LoadedConfig,
    out: &'a mut Vec<Diagnostic>,
}

impl Rules<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        self.config.options.get(name)
    }

    /// Set, and not just to its default (Pungi does not count a spelled-out default).
    fn set(&self, name: &str) -> bool {
        match (self.get(name), find(name).and_then(default_value)) {
            (Some(value), Some(default)) => *value != default,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    fn error(&mut self, at_option: &str, message: String) {
        let origin = origin_of(self.config, at_option);
        self.out.push(Diagnostic {
            severity: Severity::Error,
            path: origin.path,
            line: origin.pos.line,
            column: origin.pos.column,
            message,
        });
    }

    /// `name = value` as written, for messages.
    fn shown(&self, name: &str) -> String {
        match self.get(name) {
            Some(value) => format!("`{name} = {}`", repr(value)),
            None => format!("unset `{name}`"),
        }
    }

    fn requires(&mut self, trigger: &str, needed: &[&str]) {
        for name in needed {
            if self.get(name).is_none() {
                let message = format!(
                    "{} requires `{name}`, which is not set",
                    self.shown(trigger)
                );
                self.error(trigger, message);
            }
        }
    }

    fn conflicts(&mut self, trigger: &str, others: &[&str]) {
        for name in others {
            if self.set(name) {
                let message = format!("`{name}` conflicts with {}", self.shown(trigger));
                self.error(name, message);
            }
        }
    }

    fn require_when_truthy(&mut self, trigger: &str, needed: &[&str]) {
        if self.get(trigger).is_some_and(truthy) {
            self.requires(trigger, needed);
        }
    }

    fn conflict_when_falsy(&mut self, trigger: &str, others: &[&str]) {
        if !self.get(trigger).is_some_and(truthy) {
            self.conflicts(trigger, others);
        }
    }

    fn pkgset_source(&mut self) {
        match self.get("pkgset_source").and_then(Value::as_str) {
            Some("repos") => {
                self.requires("pkgset_source", &["pkgset_repos"]);
                self.conflicts("pkgset_source", &["pkgset_koji_tag", "pkgset_koji_inherit"]);
            }
            Some("koji") => {
                self.conflicts("pkgset_source", &["pkgset_repos"]);
                let sources = [
                    "pkgset_koji_tag",
                    "pkgset_koji_builds",
                    "pkgset_koji_scratch_tasks",
                    "pkgset_koji_module_tag",
                ];
                if !sources
                    .iter()
                    .any(|name| self.get(name).is_some_and(truthy))
                {
                    let message = format!(
                        "{} needs packages to take: set `pkgset_koji_tag` (or pkgset_koji_builds, pkgset_koji_scratch_tasks, pkgset_koji_module_tag)",
                        self.shown("pkgset_source")
                    );
                    self.error("pkgset_source", message);
                }
            }
            _ => {}
        }
    }

    /// The three base product options come together or not at all.
    fn base_product(&mut self) {
        let names = [
            "base_product_name",
            "base_product_short",
            "base_product_version",
        ];
        for name in names {
            if self.get(name).is_some_and(truthy) {
                let others: Vec<&str> = names.iter().copied().filter(|n| *n != name).collect();
                self.requires(name, &others);
            }
        }
    }

    fn media_checksum_one_file(&mut self) {
        if self.get("media_checksum_one_file") != Some(&Value::Bool(true)) {
            return;
        }
        let count = match self.get("media_checksums") {
            Some(value) => value.as_sequence().map_or(0, <[Value]>::len),
            None => 3,
        };
        if count != 1 {
            let message = format!(
                "`media_checksum_one_file = True` needs exactly one algorithm in `media_checksums`, which has {count}"
            );
            self.error("media_checksum_one_file", message);
        }
    }

    /// `skip_phases` names phases Pungi has had or the config's own `custom_phases`
    /// (which a per-option type cannot know).
    fn skip_phases_known(&mut self) {
        let custom: Vec<&str> = self
            .get("custom_phases")
            .and_then(Value::as_sequence)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_dict)
            .filter_map(|entries| {
                entries
                    .iter()
                    .find(|(key, _)| key.as_str() == Some("name"))
                    .and_then(|(_, name)| name.as_str())
            })
            .collect();
        let unknown: Vec<String> = self
            .get("skip_phases")
            .and_then(Value::as_sequence)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_str)
            .filter(|name| !PHASE_NAMES.contains(name) && !custom.contains(name))
            .map(|name| {
                let known = PHASE_NAMES.iter().copied().chain(custom.iter().copied());
                format!(
                    "`skip_phases`: {name:?} is neither a Pungi phase nor one of `custom_phases`{}",
                    did_you_mean(name, known)
                )
            })
            .collect();
        for message in unknown {
            self.error("skip_phases", message);
        }
    }
}
