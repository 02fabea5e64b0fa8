//! Pungi's option hierarchy for Koji image tasks and its value generators: a key is
//! taken from the task's block, else `<phase>_<key>`, else `global_<key>`; a release or
//! version that starts with `!` is generated from the compose identity
//! (`!RELEASE_FROM_LABEL_DATE_TYPE_RESPIN`, `!VERSION_FROM_VERSION_DATE_RESPIN`, ...).

use std::collections::BTreeMap;

use pungi_phase_sdk::{ComposeInfo, Context, PhaseError};
use serde_json::{Map, Value};

/// The compose facts the generators read.
#[derive(Debug, Clone)]
pub struct ComposeFacts {
    pub release_version: String,
    pub label: Option<String>,
    pub date: String,
    pub respin: u32,
    /// `.n`, `.t`, `.ci` or empty for production composes.
    pub type_suffix: String,
}

impl ComposeFacts {
    /// The facts of the compose the host describes.
    pub fn of(info: &ComposeInfo) -> Self {
        let substs = pungi_media::names::format_substs(info);
        ComposeFacts {
            release_version: info.release_version.clone(),
            label: info.label.clone(),
            date: info.date.clone(),
            respin: info.respin,
            type_suffix: substs.get("type_suffix").cloned().unwrap_or_default(),
        }
    }

    fn label_parts(&self) -> Option<(&str, &str)> {
        self.label.as_deref().and_then(|l| l.split_once('-'))
    }

    /// The release Koji gets when none is configured: the label's version part, else
    /// `<date><type suffix>.<respin>`.
    pub fn image_release(&self) -> String {
        match self.label_parts() {
            Some((_, release)) => release.to_owned(),
            None => format!("{}{}.{}", self.date, self.type_suffix, self.respin),
        }
    }

    /// The version Koji gets: the release version, with the label's milestone appended
    /// unless it is a release candidate (`RC-...`).
    pub fn image_version(&self) -> String {
        match self.label_parts() {
            Some((milestone, _)) if milestone != "RC" => {
                format!("{}_{milestone}", self.release_version)
            }
            _ => self.release_version.clone(),
        }
    }

    /// Pungi's `version_generator`: a `!NAME` generator's value, or `value` itself.
    pub fn generate(&self, value: &str) -> Result<String, String> {
        Ok(match value {
            "!OSTREE_VERSION_FROM_LABEL_DATE_TYPE_RESPIN" => {
                format!("{}.{}", self.image_version(), self.image_release())
            }
            "!RELEASE_FROM_LABEL_DATE_TYPE_RESPIN" => self.image_release(),
            "!RELEASE_FROM_DATE_RESPIN" => format!("{}.{}", self.date, self.respin),
            "!VERSION_FROM_VERSION_DATE_RESPIN" => {
                format!("{}.{}.{}", self.release_version, self.date, self.respin)
            }
            "!VERSION_FROM_VERSION" => self.release_version.clone(),
            generator if generator.starts_with('!') => {
                return Err(format!("unknown version generator {generator:?}"));
            }
            plain => plain.to_owned(),
        })
    }
}

/// The keys with phase-wide and global defaults.
const INHERITED: &[&str] = &["release", "version", "target", "ksurl"];

/// One phase's view of the inherited keys.
pub struct Settings {
    phase: String,
    defaults: BTreeMap<String, Value>,
    pub facts: ComposeFacts,
}

impl Settings {
    /// Reads `<phase>_<key>` and `global_<key>` for release, version, target and ksurl.
    pub fn read(ctx: &Context, phase: &str) -> Result<Self, PhaseError> {
        let mut defaults = BTreeMap::new();
        for key in INHERITED {
            for name in [format!("{phase}_{key}"), format!("global_{key}")] {
                if let Some(value) = ctx.option::<Value>(&name)? {
                    defaults.insert(name, value);
                }
            }
        }
        Ok(Settings::new(
            phase,
            defaults,
            ComposeFacts::of(&ctx.info()),
        ))
    }

    /// Settings from `<phase>_<key>`/`global_<key>` values already read.
    pub fn new(phase: &str, defaults: BTreeMap<String, Value>, facts: ComposeFacts) -> Self {
        Settings {
            phase: phase.to_owned(),
            defaults,
            facts,
        }
    }

    /// `key` from the block, `<phase>_<key>` or `global_<key>`, with where it came from;
    /// a key set to `None` counts as set.
    fn lookup<'a>(
        &'a self,
        block: &'a Map<String, Value>,
        key: &str,
    ) -> Option<(String, &'a Value)> {
        if let Some(value) = block.get(key) {
            return Some((key.to_owned(), value));
        }
        [format!("{}_{key}", self.phase), format!("global_{key}")]
            .into_iter()
            .find_map(|name| self.defaults.get(&name).map(|v| (name, v)))
    }

    /// A string key through the hierarchy; `None` when unset or set to `None`.
    pub fn string(
        &self,
        block: &Map<String, Value>,
        key: &str,
    ) -> Result<Option<String>, PhaseError> {
        match self.lookup(block, key) {
            None | Some((_, Value::Null)) => Ok(None),
            Some((_, Value::String(s))) => Ok(Some(s.clone())),
            Some((name, other)) => Err(PhaseError::config(format!(
                "`{name}` must be a string, found {other}"
            ))),
        }
    }

    /// The Koji target: required, so a missing one names the options that could set it.
    pub fn target(&self, block: &Map<String, Value>) -> Result<String, PhaseError> {
        self.string(block, "target")?.ok_or_else(|| {
            PhaseError::config(format!(
                "no Koji target: set `target` in the {} block, `{}_target` or `global_target`",
                self.phase, self.phase
            ))
        })
    }

    /// Pungi's `get_release`: when set anywhere in the hierarchy, its generated value, or
    /// the compose's image release when set to `None` or empty; `None` when unset.
    pub fn release(&self, block: &Map<String, Value>) -> Result<Option<String>, PhaseError> {
        let Some((name, value)) = self.lookup(block, "release") else {
            return Ok(None);
        };
        let generated = match value {
            Value::Null => String::new(),
            Value::String(s) => self
                .facts
                .generate(s)
                .map_err(|e| PhaseError::config(format!("`{name}`: {e}")))?,
            other => {
                return Err(PhaseError::config(format!(
                    "`{name}` must be a string or None, found {other}"
                )));
            }
        };
        Ok(Some(if generated.is_empty() {
            self.facts.image_release()
        } else {
            generated
        }))
    }

    /// Pungi's `get_version`: the generated value through the hierarchy, else the
    /// release version.
    pub fn version(&self, block: &Map<String, Value>) -> Result<String, PhaseError> {
        let configured = self.string(block, "version")?.unwrap_or_default();
        let generated = self
            .facts
            .generate(&configured)
            .map_err(|e| PhaseError::config(format!("{} version: {e}", self.phase)))?;
        Ok(if generated.is_empty() {
            self.facts.release_version.clone()
        } else {
            generated
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts(label: Option<&str>) -> ComposeFacts {
        ComposeFacts {
            release_version: "41".into(),
            label: label.map(str::to_owned),
            date: "20261125".into(),
            respin: 2,
            type_suffix: ".n".into(),
        }
    }

    fn block(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn generators_follow_pungi() {
        let plain = facts(None);
        assert_eq!(
            plain
                .generate("!RELEASE_FROM_LABEL_DATE_TYPE_RESPIN")
                .unwrap(),
            "20261125.n.2"
        );
        assert_eq!(
            plain.generate("!RELEASE_FROM_DATE_RESPIN").unwrap(),
            "20261125.2"
        );
        assert_eq!(
            plain.generate("!VERSION_FROM_VERSION_DATE_RESPIN").unwrap(),
            "41.20261125.2"
        );
        assert_eq!(plain.generate("!VERSION_FROM_VERSION").unwrap(), "41");
        assert_eq!(
            plain
                .generate("!OSTREE_VERSION_FROM_LABEL_DATE_TYPE_RESPIN")
                .unwrap(),
            "41.20261125.n.2"
        );
        assert_eq!(plain.generate("1.5").unwrap(), "1.5");
        assert!(plain.generate("!NO_SUCH").unwrap_err().contains("!NO_SUCH"));
        let beta = facts(Some("Beta-1.3"));
        assert_eq!(beta.image_release(), "1.3");
        assert_eq!(beta.image_version(), "41_Beta");
        assert_eq!(facts(Some("RC-1.0")).image_version(), "41");
    }

    #[test]
    fn block_then_phase_then_global() {
        let defaults = BTreeMap::from([
            ("image_build_target".to_owned(), json!("f41-image")),
            ("global_target".to_owned(), json!("f41")),
            ("global_release".to_owned(), Value::Null),
            (
                "global_version".to_owned(),
                json!("!VERSION_FROM_VERSION_DATE_RESPIN"),
            ),
        ]);
        let settings = Settings::new("image_build", defaults, facts(None));
        let empty = block(json!({}));
        assert_eq!(settings.target(&empty).unwrap(), "f41-image");
        assert_eq!(
            settings.target(&block(json!({"target": "own"}))).unwrap(),
            "own"
        );
        assert_eq!(
            settings.release(&empty).unwrap().as_deref(),
            Some("20261125.n.2")
        );
        assert_eq!(
            settings
                .release(&block(json!({"release": "7"})))
                .unwrap()
                .as_deref(),
            Some("7")
        );
        assert_eq!(settings.version(&empty).unwrap(), "41.20261125.2");
        assert_eq!(settings.string(&empty, "ksurl").unwrap(), None);
    }

    #[test]
    fn unset_release_and_version_fall_back() {
        let settings = Settings::new("live_media", BTreeMap::new(), facts(None));
        let empty = block(json!({}));
        assert_eq!(settings.release(&empty).unwrap(), None);
        assert_eq!(settings.version(&empty).unwrap(), "41");
        let err = settings.target(&empty).unwrap_err();
        assert!(err.message.contains("live_media_target"), "{err}");
        let err = settings.release(&block(json!({"release": 3}))).unwrap_err();
        assert!(err.message.contains("`release`"), "{err}");
    }
}
