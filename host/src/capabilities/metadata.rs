//! Named JSON documents phases hand on (pkgset -> gather -> createrepo ...), kept under
//! `work/global/metadata/<name>.json` and granted per name.

use std::path::PathBuf;

use super::{HostError, PhaseEnv};
use crate::audit::digest;
use crate::fsutil::write_atomic;

/// Where the documents of one compose live.
#[derive(Debug, Clone)]
pub struct DocumentStore {
    dir: PathBuf,
}

impl DocumentStore {
    pub fn new(dir: PathBuf) -> Self {
        DocumentStore { dir }
    }

    fn path(&self, name: &str) -> Result<PathBuf, HostError> {
        let valid = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if valid {
            Ok(self.dir.join(format!("{name}.json")))
        } else {
            Err(HostError::Invalid(format!(
                "`{name}` is not a document name (lower-case letters, digits, - and _)"
            )))
        }
    }

    /// A document's text, read by the host itself (not on behalf of a phase).
    pub fn load(&self, name: &str) -> Result<String, HostError> {
        let path = self.path(name)?;
        std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                HostError::NotFound(format!("document `{name}` has not been written"))
            }
            _ => HostError::Io(format!("{}: {e}", path.display())),
        })
    }

    /// Stores a document atomically, written by the host itself.
    pub fn store(&self, name: &str, document: &str) -> Result<(), HostError> {
        serde_json::from_str::<serde::de::IgnoredAny>(document)
            .map_err(|e| HostError::Invalid(format!("document `{name}` is not JSON: {e}")))?;
        write_atomic(&self.path(name)?, document.as_bytes())
            .map_err(|e| HostError::Io(format!("{e:#}")))
    }

    fn existing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|n| n.strip_suffix(".json"))
                    .map(str::to_owned)
            })
            .collect();
        names.sort();
        names
    }
}

/// Reads a document the phase is granted to read.
pub fn read(env: &PhaseEnv, name: &str) -> Result<String, HostError> {
    env.audited(
        "metadata",
        "read",
        serde_json::json!({ "name": name }),
        || {
            if !env.grant.metadata_read.contains(name) {
                return Err(deny(env, "read", name));
            }
            env.documents.load(name)
        },
        |text| Some(digest(text.as_bytes())),
    )
}

/// Replaces a document the phase is granted to write.
pub fn write(env: &PhaseEnv, name: &str, document: &str) -> Result<(), HostError> {
    env.audited(
        "metadata",
        "write",
        serde_json::json!({ "name": name, "bytes": document.len() }),
        || {
            if !env.grant.metadata_write.contains(name) {
                return Err(deny(env, "write", name));
            }
            env.documents.store(name, document)
        },
        |()| Some(digest(document.as_bytes())),
    )
}

/// The documents that exist and that this phase may read.
pub fn names(env: &PhaseEnv) -> Vec<String> {
    let names = env.documents.existing();
    names
        .into_iter()
        .filter(|n| env.grant.metadata_read.contains(n))
        .collect()
}

fn deny(env: &PhaseEnv, what: &str, name: &str) -> HostError {
    HostError::Denied(format!(
        "phase `{}` may not {what} document `{name}`",
        env.grant.phase
    ))
}
