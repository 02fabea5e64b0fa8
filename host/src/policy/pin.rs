//! Component pinning: a lock file names the sha256 of the component each phase must run,
//! so a changed component is refused before it runs.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

/// `pungi-wasm.lock`: phase name -> sha256 of its component.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentLock {
    pub components: BTreeMap<String, String>,
}

/// A component that does not match its pin.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error(
        "phase `{phase}`: component {path} has sha256 {found}, but the lock pins {pinned}; refusing to run it"
    )]
    Changed {
        phase: String,
        path: String,
        found: String,
        pinned: String,
    },
    #[error(
        "phase `{phase}` is not pinned in the lock file; refusing to run an unpinned component"
    )]
    Unpinned { phase: String },
}

const HEADER: &str = "# pungi-wasm component lock: each phase runs only the component with this sha256.\n\
# Made by `pungi-wasm phase lock`; pass it with `pungi-wasm compose --lock FILE`.\n\n";

impl ComponentLock {
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading lock file {}", path.display()))?;
        let lock: ComponentLock =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        for (phase, sha) in &lock.components {
            if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                anyhow::bail!(
                    "{}: phase `{phase}`: `{sha}` is not a sha256",
                    path.display()
                );
            }
        }
        Ok(lock)
    }

    pub fn to_toml(&self) -> String {
        format!(
            "{HEADER}{}",
            toml::to_string(self).expect("a map of strings serializes")
        )
    }

    /// Refuses `sha256` for `phase` unless the lock pins exactly it.
    pub fn check(&self, phase: &str, path: &Path, sha256: &str) -> Result<(), PinError> {
        match self.components.get(phase) {
            Some(pinned) if pinned.eq_ignore_ascii_case(sha256) => Ok(()),
            Some(pinned) => Err(PinError::Changed {
                phase: phase.to_owned(),
                path: path.display().to_string(),
                found: sha256.to_owned(),
                pinned: pinned.clone(),
            }),
            None => Err(PinError::Unpinned {
                phase: phase.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_changed_or_unpinned_components() {
        let sha = "a".repeat(64);
        let lock = ComponentLock {
            components: BTreeMap::from([("init".to_owned(), sha.clone())]),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pungi-wasm.lock");
        std::fs::write(&path, lock.to_toml()).unwrap();
        let read = ComponentLock::read(&path).unwrap();
        assert_eq!(read, lock);
        assert!(read.check("init", Path::new("x.wasm"), &sha).is_ok());
        let changed = read
            .check("init", Path::new("x.wasm"), &"b".repeat(64))
            .unwrap_err();
        assert!(changed.to_string().contains(&sha), "{changed}");
        assert!(matches!(
            read.check("gather", Path::new("g.wasm"), &sha),
            Err(PinError::Unpinned { .. })
        ));
        std::fs::write(&path, "[components]\ninit = \"nothex\"\n").unwrap();
        assert!(
            ComponentLock::read(&path)
                .unwrap_err()
                .to_string()
                .contains("not a sha256")
        );
    }
}
