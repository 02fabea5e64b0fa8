use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use sha2::{Digest, Sha256};
use wasmtime::component::Component;

use super::Runtime;
use crate::wit::since_v0_1_0::{self as v0_1_0, PhasePre};

/// A phase component compiled and linked, ready to instantiate for each run.
pub struct LoadedComponent {
    pub path: PathBuf,
    /// sha256 of the component file: its identity in logs, audit records and pins.
    pub sha256: String,
    pub size: u64,
    /// The `pungi:phase` version the component was built against.
    pub wit_version: Option<String>,
    /// What `pungi:phase` interfaces and WASI interfaces it imports.
    pub imports: Vec<String>,
    pub compile_time: Duration,
    pub from_cache: bool,
    pub(super) pre: PhasePre<super::PhaseHost>,
}

/// A component built against a `pungi:phase` version this host cannot run.
#[derive(Debug, thiserror::Error)]
#[error(
    "{path}: built against pungi:phase@{found}, but this host runs pungi:phase@{supported} (compatible: 0.1.x)"
)]
pub struct WitVersionError {
    pub path: String,
    pub found: String,
    pub supported: &'static str,
}

impl Runtime {
    /// Reads, hashes, compiles (or loads from the cache) and links a phase component.
    pub fn load(&self, path: &Path) -> anyhow::Result<LoadedComponent> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("reading phase component {}", path.display()))?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let started = Instant::now();
        let (component, from_cache) = self
            .cache
            .get_or_compile(&self.engine, &sha256, &bytes)
            .with_context(|| format!("{} is not a usable Wasm component", path.display()))?;
        let compile_time = started.elapsed();
        let imports = import_names(&self.engine, &component);
        let wit_version = pungi_version(&imports);
        if let Some(found) = &wit_version
            && !compatible(found)
        {
            return Err(WitVersionError {
                path: path.display().to_string(),
                found: found.clone(),
                supported: v0_1_0::VERSION,
            }
            .into());
        }
        let instance_pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!(
                    "{} asks for imports this host does not offer",
                    path.display()
                )
            })?;
        let pre = PhasePre::new(instance_pre)
            .map_err(anyhow::Error::from)
            .with_context(|| {
                format!(
                    "{} does not export the pungi:phase `run` function",
                    path.display()
                )
            })?;
        Ok(LoadedComponent {
            path: path.to_path_buf(),
            sha256,
            size: bytes.len() as u64,
            wit_version,
            imports,
            compile_time,
            from_cache,
            pre,
        })
    }
}

fn import_names(engine: &wasmtime::Engine, component: &Component) -> Vec<String> {
    component
        .component_type()
        .imports(engine)
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// The version in the component's `pungi:phase/...@X` imports.
fn pungi_version(imports: &[String]) -> Option<String> {
    imports
        .iter()
        .filter_map(|name| name.strip_prefix("pungi:phase/"))
        .find_map(|rest| rest.split_once('@').map(|(_, v)| v.to_owned()))
}

/// 0.x versions are compatible within a minor version, as in semver.
fn compatible(version: &str) -> bool {
    let mut theirs = version.split('.');
    let mut ours = v0_1_0::VERSION.split('.');
    theirs.next() == ours.next() && theirs.next() == ours.next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_read_from_imports_and_checked() {
        let imports = vec![
            "wasi:cli/environment@0.2.6".to_owned(),
            "pungi:phase/compose@0.1.3".to_owned(),
        ];
        assert_eq!(pungi_version(&imports).as_deref(), Some("0.1.3"));
        assert!(compatible("0.1.3"));
        assert!(!compatible("0.2.0"));
        assert!(!compatible("1.1.0"));
    }
}
