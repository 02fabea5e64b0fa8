use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use sha2::{Digest, Sha256};
use wasmtime::component::Component;

use super::Runtime;
use crate::wit::since_v0_1_2::PhasePre;

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
    "{path}: built against pungi:phase@{found}, but this host runs pungi:phase@{supported} (it runs components of the same 0.minor, or from 1.0 on the same major: {})",
    crate::wit::VERSIONS.join(", ")
)]
pub struct WitVersionError {
    /// The component file.
    pub path: String,
    /// The version it was built against.
    pub found: String,
    /// The newest version this host implements.
    pub supported: &'static str,
}

/// What a component file is and asks for, read without linking it (so also for a
/// component this host would refuse).
pub struct ComponentFacts {
    pub sha256: String,
    pub size: u64,
    /// The `pungi:phase` version it was built against, if it imports any of it.
    pub wit_version: Option<String>,
    /// The host version that would run it; `None` when this host refuses it.
    pub runs_on: Option<&'static str>,
    pub imports: Vec<String>,
    pub exports: Vec<String>,
}

impl Runtime {
    /// Compiles (or loads from the cache) a component and tells what it asks for,
    /// without linking it.
    pub fn inspect(&self, path: &Path) -> anyhow::Result<ComponentFacts> {
        let compiled = self.compile(path)?;
        let exports = compiled
            .component
            .component_type()
            .exports(&self.engine)
            .map(|(name, _)| name.to_owned())
            .collect();
        Ok(ComponentFacts {
            runs_on: compiled
                .wit_version
                .as_deref()
                .and_then(crate::wit::implementation_for),
            sha256: compiled.sha256,
            size: compiled.size,
            wit_version: compiled.wit_version,
            imports: compiled.imports,
            exports,
        })
    }

    /// Reads, hashes, compiles (or loads from the cache) and links a phase component.
    pub fn load(&self, path: &Path) -> anyhow::Result<LoadedComponent> {
        let Compiled {
            sha256,
            size,
            component,
            compile_time,
            from_cache,
            imports,
            wit_version,
        } = self.compile(path)?;
        if let Some(found) = &wit_version
            && crate::wit::implementation_for(found).is_none()
        {
            return Err(WitVersionError {
                path: path.display().to_string(),
                found: found.clone(),
                supported: crate::wit::VERSIONS[0],
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
            size,
            wit_version,
            imports,
            compile_time,
            from_cache,
            pre,
        })
    }
}

/// A component compiled, before any version check or linking.
struct Compiled {
    sha256: String,
    size: u64,
    component: Component,
    compile_time: Duration,
    from_cache: bool,
    imports: Vec<String>,
    wit_version: Option<String>,
}

impl Runtime {
    fn compile(&self, path: &Path) -> anyhow::Result<Compiled> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("reading phase component {}", path.display()))?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let started = Instant::now();
        let (component, from_cache) = self
            .cache
            .get_or_compile(&self.engine, &sha256, &bytes)
            .with_context(|| format!("{} is not a usable Wasm component", path.display()))?;
        let imports = import_names(&self.engine, &component);
        Ok(Compiled {
            sha256,
            size: bytes.len() as u64,
            compile_time: started.elapsed(),
            from_cache,
            wit_version: pungi_version(&imports),
            imports,
            component,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_read_from_imports() {
        let imports = vec![
            "wasi:cli/environment@0.2.6".to_owned(),
            "pungi:phase/compose@0.1.3".to_owned(),
        ];
        assert_eq!(pungi_version(&imports).as_deref(), Some("0.1.3"));
    }
}
