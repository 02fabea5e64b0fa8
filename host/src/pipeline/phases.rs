/// A stock phase and how the pipeline treats it.
#[derive(Debug, Clone, Copy)]
pub struct PhaseSpec {
    /// Pungi's name for the phase (`--skip-phase` takes it).
    pub name: &'static str,
    /// Whether `--skip-phase` may leave it out; the compose cannot exist without the rest.
    pub skippable: bool,
    /// Whether a failure leaves the compose standing (reported, not fatal).
    pub failable: bool,
}

/// The phases of a compose from local repositories, in Pungi's order.
pub const STOCK_PHASES: &[PhaseSpec] = &[
    PhaseSpec {
        name: "init",
        skippable: false,
        failable: false,
    },
    PhaseSpec {
        name: "pkgset",
        skippable: false,
        failable: false,
    },
    PhaseSpec {
        name: "gather",
        skippable: true,
        failable: false,
    },
    PhaseSpec {
        name: "extra_files",
        skippable: true,
        failable: false,
    },
    PhaseSpec {
        name: "createrepo",
        skippable: true,
        failable: false,
    },
    PhaseSpec {
        name: "productimg",
        skippable: true,
        failable: false,
    },
    PhaseSpec {
        name: "createiso",
        skippable: true,
        failable: false,
    },
    PhaseSpec {
        name: "image_checksum",
        skippable: true,
        failable: false,
    },
    PhaseSpec {
        name: "test",
        skippable: true,
        failable: true,
    },
];

/// Every phase Pungi knows. Skipping one this build does not run yet is a no-op, so
/// configs written for Pungi (`skip_phases = ["buildinstall", ...]`) run unchanged.
pub const PUNGI_PHASES: &[&str] = &[
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
    "test",
];

/// Which phases this run includes, from `--skip-phase` and `--just-phase`.
#[derive(Debug, Clone)]
pub struct Selection {
    phases: Vec<PhaseSpec>,
}

/// A phase name that is not a phase, or one that cannot be skipped.
#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    #[error("unknown phase `{0}`; the phases are: {phases}", phases = PUNGI_PHASES.join(", "))]
    Unknown(String),
    #[error("phase `{0}` is not available in this build; it runs: {phases}", phases = STOCK_PHASES.iter().map(|p| p.name).collect::<Vec<_>>().join(", "))]
    NotAvailable(String),
    #[error("phase `{0}` cannot be skipped: later phases need what it produces")]
    NotSkippable(String),
}

impl Selection {
    /// `just` (when not empty) keeps only those phases plus the unskippable ones; `skip`
    /// then removes phases.
    pub fn new(skip: &[String], just: &[String]) -> Result<Self, SelectionError> {
        let find = |name: &String| {
            if !PUNGI_PHASES.contains(&name.as_str()) {
                return Err(SelectionError::Unknown(name.clone()));
            }
            Ok(STOCK_PHASES.iter().find(|p| p.name == name.as_str()))
        };
        for name in skip {
            if find(name)?.is_some_and(|p| !p.skippable) {
                return Err(SelectionError::NotSkippable(name.clone()));
            }
        }
        for name in just {
            if find(name)?.is_none() {
                return Err(SelectionError::NotAvailable(name.clone()));
            }
        }
        let phases = STOCK_PHASES
            .iter()
            .filter(|p| just.is_empty() || !p.skippable || just.iter().any(|j| j == p.name))
            .filter(|p| !skip.iter().any(|s| s == p.name))
            .copied()
            .collect();
        Ok(Selection { phases })
    }

    pub fn phases(&self) -> &[PhaseSpec] {
        &self.phases
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(selection: &Selection) -> Vec<&str> {
        selection.phases().iter().map(|p| p.name).collect()
    }

    #[test]
    fn skip_and_just_follow_pungi() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            names(&Selection::new(&[], &[]).unwrap()).len(),
            STOCK_PHASES.len()
        );
        assert_eq!(
            names(&Selection::new(&s(&["test"]), &[]).unwrap()),
            [
                "init",
                "pkgset",
                "gather",
                "extra_files",
                "createrepo",
                "productimg",
                "createiso",
                "image_checksum"
            ]
        );
        assert_eq!(
            names(&Selection::new(&[], &s(&["gather"])).unwrap()),
            ["init", "pkgset", "gather"]
        );
        assert!(matches!(
            Selection::new(&s(&["init"]), &[]),
            Err(SelectionError::NotSkippable(_))
        ));
        assert!(matches!(
            Selection::new(&s(&["gathr"]), &[]),
            Err(SelectionError::Unknown(_))
        ));
        assert_eq!(
            names(&Selection::new(&s(&["buildinstall", "createiso"]), &[]).unwrap()).len(),
            STOCK_PHASES.len() - 1,
            "buildinstall is not in this build: skipping it changes nothing"
        );
        assert!(matches!(
            Selection::new(&[], &s(&["buildinstall"])),
            Err(SelectionError::NotAvailable(_))
        ));
    }
}
