use std::path::{Path, PathBuf};

use anyhow::Context as _;
use wasmtime::Engine;
use wasmtime::component::Component;

use crate::fsutil::write_atomic;

/// Compiled components on disk, keyed by the component's sha256 and the engine's
/// compatibility hash, so a second compose does not recompile and a wasmtime upgrade
/// never loads stale code.
pub struct ComponentCache {
    dir: PathBuf,
    engine_key: String,
}

impl ComponentCache {
    pub fn new(dir: PathBuf, engine: &Engine) -> Self {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        ComponentCache {
            dir,
            engine_key: format!("{:016x}", hasher.finish()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn entry(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{sha256}-{}.cwasm", self.engine_key))
    }

    /// The compiled component for these bytes: from the cache when present, else
    /// compiled and stored. Returns whether it came from the cache.
    pub fn get_or_compile(
        &self,
        engine: &Engine,
        sha256: &str,
        bytes: &[u8],
    ) -> anyhow::Result<(Component, bool)> {
        let entry = self.entry(sha256);
        if entry.is_file() {
            // SAFETY: the file was written by `Component::serialize` of an engine with the
            // same compatibility hash (it is in the name) into our own cache directory; a
            // file that fails wasmtime's header checks is recompiled below.
            match unsafe { Component::deserialize_file(engine, &entry) } {
                Ok(component) => return Ok((component, true)),
                Err(error) => tracing::warn!(
                    "ignoring unusable cache entry {}: {error:#}",
                    entry.display()
                ),
            }
        }
        let component = Component::new(engine, bytes)?;
        let compiled = component.serialize()?;
        write_atomic(&entry, &compiled)
            .with_context(|| format!("caching the compiled component in {}", self.dir.display()))?;
        Ok((component, false))
    }
}
