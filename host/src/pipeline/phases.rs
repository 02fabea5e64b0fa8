//! Pungi's phases as the pipeline knows them: which may be skipped, which may fail, which
//! must end before each starts, and which config options switch each on.
//!
//! The order follows `pungi-koji`'s `run_compose`: init, then pkgset; then Buildinstall
//! beside Gather -> Createrepo and ExtraFiles; then the image phases (Createiso with
//! Productimg before it, and beside them OSTree -> OSTreeInstaller, LiveImages, LiveMedia,
//! ImageBuild, OSBS); ImageChecksum after every phase that makes images; Test last.
//! Where Pungi runs a phase beside Gather but the phase may build from the compose's own
//! repositories (OSTree), it waits for Createrepo here, so it never sees half a tree.
//!
//! **Configured** (Pungi's `skip()` of a config-guarded phase): a phase listed with
//! enabling options runs only when one of them is set to something (not `None`, `False`,
//! `""`, `[]` or `{}`); otherwise it is skipped without loading its component. The phases
//! without enabling options always run and decide themselves what their options ask
//! (Productimg with `productimg = False` does nothing, for example).

use serde_json::{Map, Value};

/// A Pungi phase and how the pipeline treats it.
#[derive(Debug, Clone, Copy)]
pub struct PhaseSpec {
    /// Pungi's name for the phase (`--skip-phase` takes it).
    pub name: &'static str,
    /// Whether `--skip-phase` may leave it out; the compose cannot exist without the rest.
    pub skippable: bool,
    /// Whether a failure leaves the compose standing (reported, not fatal).
    pub failable: bool,
    /// Phases that must have ended before this one starts, when they run at all.
    pub after: &'static [&'static str],
    /// Options that switch the phase on; empty when it always runs.
    pub enabled_by: &'static [&'static str],
}

impl PhaseSpec {
    const fn new(name: &'static str, after: &'static [&'static str]) -> Self {
        PhaseSpec {
            name,
            skippable: true,
            failable: false,
            after,
            enabled_by: &[],
        }
    }

    const fn enabled_by(self, options: &'static [&'static str]) -> Self {
        PhaseSpec {
            enabled_by: options,
            ..self
        }
    }

    /// Whether the config asks for this phase (see the module documentation).
    pub fn configured(&self, config: &Map<String, Value>) -> bool {
        self.enabled_by.is_empty()
            || self
                .enabled_by
                .iter()
                .any(|option| config.get(*option).is_some_and(is_set))
    }
}

fn is_set(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

/// The phases that make images (ImageChecksum waits for all of them).
const IMAGE_PHASES: &[&str] = &[
    "buildinstall",
    "createiso",
    "live_images",
    "live_media",
    "image_build",
    "ostree_installer",
];

/// Every phase Pungi has, in Pungi's order.
pub const PUNGI_PHASES: &[PhaseSpec] = &[
    PhaseSpec {
        skippable: false,
        ..PhaseSpec::new("init", &[])
    },
    PhaseSpec {
        skippable: false,
        ..PhaseSpec::new("pkgset", &["init"])
    },
    PhaseSpec::new("buildinstall", &["pkgset"]).enabled_by(&["buildinstall_method"]),
    PhaseSpec::new("gather", &["pkgset"]),
    // Pungi skips both when their option is unset: nothing to copy, no product.img.
    PhaseSpec::new("extra_files", &["pkgset"]).enabled_by(&["extra_files"]),
    PhaseSpec::new("createrepo", &["gather"]),
    PhaseSpec::new("ostree", &["createrepo"]).enabled_by(&["ostree"]),
    PhaseSpec::new("productimg", &["buildinstall", "createrepo", "extra_files"])
        .enabled_by(&["productimg"]),
    PhaseSpec::new(
        "createiso",
        &["buildinstall", "createrepo", "extra_files", "productimg"],
    ),
    PhaseSpec::new("live_images", &["buildinstall", "createrepo"]).enabled_by(&["live_images"]),
    PhaseSpec::new("live_media", &["buildinstall", "createrepo"]).enabled_by(&["live_media"]),
    PhaseSpec::new("image_build", &["buildinstall", "createrepo"]).enabled_by(&["image_build"]),
    PhaseSpec::new("osbs", &["createrepo"]).enabled_by(&["osbs"]),
    PhaseSpec::new("ostree_installer", &["ostree", "buildinstall"])
        .enabled_by(&["ostree_installer"]),
    PhaseSpec::new("image_checksum", IMAGE_PHASES),
    PhaseSpec {
        failable: true,
        ..PhaseSpec::new("test", ALL_BUT_TEST)
    },
];

/// Test runs last: after every other phase.
const ALL_BUT_TEST: &[&str] = &[
    "init",
    "pkgset",
    "buildinstall",
    "gather",
    "extra_files",
    "createrepo",
    "ostree",
    "productimg",
    "createiso",
    "live_images",
    "live_media",
    "image_build",
    "osbs",
    "ostree_installer",
    "image_checksum",
];

/// The spec of the Pungi phase `name`.
pub fn pungi_phase(name: &str) -> Option<&'static PhaseSpec> {
    PUNGI_PHASES.iter().find(|p| p.name == name)
}

/// Which phases this run includes, from `--skip-phase`, `skip_phases` and `--just-phase`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    skip: Vec<String>,
    just: Vec<String>,
}

/// A phase name that is not a phase, or one that cannot be skipped.
#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    #[error("unknown phase `{name}`; the phases are: {known}")]
    Unknown { name: String, known: String },
    #[error("phase `{0}` cannot be skipped: later phases need what it produces")]
    NotSkippable(String),
}

impl Selection {
    /// `just` (when not empty) keeps only those phases plus the unskippable ones; `skip`
    /// then removes phases. Names must be Pungi phases.
    pub fn new(skip: &[String], just: &[String]) -> Result<Self, SelectionError> {
        Self::with_custom(skip, just, &[])
    }

    /// Like [`Selection::new`], where `custom` names the config's custom phases too.
    pub fn with_custom(
        skip: &[String],
        just: &[String],
        custom: &[String],
    ) -> Result<Self, SelectionError> {
        for name in skip.iter().chain(just) {
            let known = pungi_phase(name).is_some() || custom.iter().any(|c| c == name.as_str());
            if !known {
                let mut names: Vec<&str> = PUNGI_PHASES.iter().map(|p| p.name).collect();
                names.extend(custom.iter().map(String::as_str));
                return Err(SelectionError::Unknown {
                    name: name.clone(),
                    known: names.join(", "),
                });
            }
        }
        if let Some(name) = skip
            .iter()
            .find(|s| pungi_phase(s).is_some_and(|p| !p.skippable))
        {
            return Err(SelectionError::NotSkippable(name.clone()));
        }
        Ok(Selection {
            skip: skip.to_vec(),
            just: just.to_vec(),
        })
    }

    /// Whether phase `name` is part of this run; `skippable` is false for init and pkgset.
    pub fn includes(&self, name: &str, skippable: bool) -> bool {
        let wanted = self.just.is_empty() || !skippable || self.just.iter().any(|j| j == name);
        wanted && !self.skip.iter().any(|s| s == name)
    }

    /// The selected Pungi phases, in Pungi's order (configured or not).
    pub fn phases(&self) -> impl Iterator<Item = &'static PhaseSpec> + '_ {
        PUNGI_PHASES
            .iter()
            .filter(|p| self.includes(p.name, p.skippable))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(selection: &Selection) -> Vec<&'static str> {
        selection.phases().map(|p| p.name).collect()
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn skip_and_just_follow_pungi() {
        assert_eq!(
            names(&Selection::new(&[], &[]).unwrap()).len(),
            PUNGI_PHASES.len()
        );
        let without_test = names(&Selection::new(&s(&["test"]), &[]).unwrap());
        assert_eq!(without_test.len(), PUNGI_PHASES.len() - 1);
        assert!(!without_test.contains(&"test"));
        assert_eq!(
            names(&Selection::new(&[], &s(&["gather"])).unwrap()),
            ["init", "pkgset", "gather"]
        );
        assert_eq!(
            names(&Selection::new(&s(&["gather"]), &s(&["gather", "buildinstall"])).unwrap()),
            ["init", "pkgset", "buildinstall"]
        );
        assert!(matches!(
            Selection::new(&s(&["init"]), &[]),
            Err(SelectionError::NotSkippable(_))
        ));
        let unknown = Selection::new(&s(&["gathr"]), &[]).unwrap_err();
        assert!(unknown.to_string().contains("`gathr`"), "{unknown}");
        assert!(Selection::new(&s(&["sbom"]), &[]).is_err());
        let custom = Selection::with_custom(&s(&["sbom"]), &[], &s(&["sbom"])).unwrap();
        assert!(!custom.includes("sbom", true) && custom.includes("gather", true));
    }

    #[test]
    fn every_dependency_is_a_phase_listed_earlier() {
        for (index, spec) in PUNGI_PHASES.iter().enumerate() {
            for after in spec.after {
                let position = PUNGI_PHASES.iter().position(|p| p.name == *after);
                assert!(
                    position.is_some_and(|p| p < index),
                    "{} waits for {after}, which must be an earlier phase",
                    spec.name
                );
            }
        }
        assert_eq!(ALL_BUT_TEST.len(), PUNGI_PHASES.len() - 1);
    }

    #[test]
    fn config_guarded_phases_run_only_when_configured() {
        let config = |json: &str| serde_json::from_str::<Map<String, Value>>(json).unwrap();
        let buildinstall = pungi_phase("buildinstall").unwrap();
        assert!(!buildinstall.configured(&config("{}")));
        assert!(!buildinstall.configured(&config(r#"{"buildinstall_method": null}"#)));
        assert!(buildinstall.configured(&config(r#"{"buildinstall_method": "lorax"}"#)));
        let live = pungi_phase("live_images").unwrap();
        assert!(!live.configured(&config(r#"{"live_images": []}"#)));
        assert!(live.configured(&config(r#"{"live_images": [["^Server$", {}]]}"#)));
        assert!(pungi_phase("createiso").unwrap().configured(&config("{}")));
    }
}
