use std::fmt;
use std::path::Path;

/// How official a compose is; decides the ID suffix (`.n`, `.t`, `.ci`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ComposeType {
    Production,
    Nightly,
    Test,
    Ci,
    Development,
}

impl ComposeType {
    /// The name productmd uses.
    pub fn name(self) -> &'static str {
        match self {
            ComposeType::Production => "production",
            ComposeType::Nightly => "nightly",
            ComposeType::Test => "test",
            ComposeType::Ci => "ci",
            ComposeType::Development => "development",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            ComposeType::Production => "",
            ComposeType::Nightly => ".n",
            ComposeType::Test => ".t",
            ComposeType::Ci => ".ci",
            ComposeType::Development => ".d",
        }
    }
}

/// A compose's identity: `<short>-<version>[-<release type>]-<date><type suffix>.<respin>`,
/// as Pungi forms it (e.g. `Demo-1.0-20261123.n.0`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeId {
    pub release_short: String,
    pub release_version: String,
    pub release_type: String,
    pub date: String,
    pub compose_type: ComposeType,
    pub respin: u32,
}

impl ComposeId {
    /// The ID without its respin: what composes of the same day and kind share, so
    /// composes sharing it are respins of each other.
    pub fn stem(&self) -> String {
        let release_type = match self.release_type.as_str() {
            "ga" => String::new(),
            other => format!("-{other}"),
        };
        format!(
            "{}-{}{}-{}{}",
            self.release_short,
            self.release_version,
            release_type,
            self.date,
            self.compose_type.suffix()
        )
    }

    /// Picks the respin: one more than the highest existing compose of the same stem in
    /// `target_dir`, 0 when there is none.
    pub fn with_next_respin(mut self, target_dir: &Path) -> Self {
        let prefix = format!("{}.", self.stem());
        let highest = std::fs::read_dir(target_dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                name.strip_prefix(&prefix)?.parse::<u32>().ok()
            })
            .max();
        self.respin = highest.map_or(0, |h| h + 1);
        self
    }
}

impl fmt::Display for ComposeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.stem(), self.respin)
    }
}

/// Milestones productmd accepts in a label.
const LABEL_MILESTONES: &[&str] = &[
    "EA",
    "DevelPhaseExit",
    "InternalAlpha",
    "Alpha",
    "InternalSnapshot",
    "Beta",
    "Snapshot",
    "RC",
    "Update",
    "SecurityFix",
];

/// A label productmd would refuse.
#[derive(Debug, thiserror::Error)]
#[error("label `{label}` is not <Milestone>-<major>.<minor> with a milestone of {}", LABEL_MILESTONES.join(", "))]
pub struct LabelError {
    pub label: String,
}

/// Checks a label like `RC-1.0` or `Beta-2.3` the way productmd does.
pub fn validate_label(label: &str) -> Result<(), LabelError> {
    let ok = label.split_once('-').is_some_and(|(milestone, version)| {
        LABEL_MILESTONES.contains(&milestone)
            && version.split_once('.').is_some_and(|(major, minor)| {
                [major, minor]
                    .iter()
                    .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
    });
    if ok {
        Ok(())
    } else {
        Err(LabelError {
            label: label.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(kind: ComposeType, release_type: &str) -> ComposeId {
        ComposeId {
            release_short: "Demo".into(),
            release_version: "1.0".into(),
            release_type: release_type.into(),
            date: "20261123".into(),
            compose_type: kind,
            respin: 0,
        }
    }

    #[test]
    fn ids_look_like_pungis() {
        assert_eq!(
            id(ComposeType::Nightly, "ga").to_string(),
            "Demo-1.0-20261123.n.0"
        );
        assert_eq!(
            id(ComposeType::Production, "ga").to_string(),
            "Demo-1.0-20261123.0"
        );
        assert_eq!(
            id(ComposeType::Test, "updates").to_string(),
            "Demo-1.0-updates-20261123.t.0"
        );
        assert_eq!(
            id(ComposeType::Development, "ga").to_string(),
            "Demo-1.0-20261123.d.0"
        );
    }

    #[test]
    fn respin_counts_up_from_existing_composes() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "Demo-1.0-20261123.n.0",
            "Demo-1.0-20261123.n.4",
            "Demo-1.0-20261123.0",
        ] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
        }
        let next = id(ComposeType::Nightly, "ga").with_next_respin(dir.path());
        assert_eq!(next.respin, 5);
        let production = id(ComposeType::Production, "ga").with_next_respin(dir.path());
        assert_eq!(production.respin, 1);
    }

    #[test]
    fn labels_follow_productmd() {
        assert!(validate_label("RC-1.0").is_ok());
        assert!(validate_label("Beta-2.13").is_ok());
        for bad in ["RC-1", "Gamma-1.0", "RC1.0", "RC-1.x", ""] {
            assert!(validate_label(bad).is_err(), "{bad}");
        }
    }
}
