//! Named JSON documents phases hand on (pkgset -> gather -> createrepo ...), kept under
//! `state/documents/<name>.json` and granted per name.
//!
//! Phases run at the same time, so a write never simply replaces what another phase
//! wrote meanwhile: it is merged (`metadata_merge.rs`) as the change from the version
//! the phase read, or found when it started, to what it writes. Writes of one document
//! are serialised. The `deliverables` document is each phase's own: any phase may read
//! and write it, and the host keeps it apart per phase as `deliverables.<phase>.json`
//! (a name no phase can ask for), so no phase sees or undoes another's reports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;

use serde::de::IgnoredAny;
use serde_json::Value;

use super::document_bounds::{MAX_MERGED_BYTES, check_depth, check_size, max_bytes};
use super::metadata_merge::merge;
use super::{HostError, PhaseEnv};
use crate::audit::digest;
use crate::fsutil::write_atomic;

/// The document each phase may always read and write for itself: its failed deliverables.
pub const DELIVERABLES: &str = "deliverables";

/// Where the documents of one compose live, and what each running phase started from.
#[derive(Debug)]
pub struct DocumentStore {
    dir: PathBuf,
    /// (phase, document) -> the text the phase last read or wrote, or found at its
    /// start (`None`: the document did not exist).
    bases: Mutex<BTreeMap<(String, String), Option<String>>>,
    /// (phase, document) -> sha256 of what the phase read, "" when it did not exist:
    /// what a restart compares to decide whether the phase's inputs changed. Documents
    /// the phase may also write are left out (they hold its own output afterwards).
    reads: Mutex<BTreeMap<(String, String), String>>,
    /// Held while a write reads, merges and replaces a document.
    writing: Mutex<()>,
}

impl DocumentStore {
    pub fn new(dir: PathBuf) -> Self {
        DocumentStore {
            dir,
            bases: Mutex::new(BTreeMap::new()),
            reads: Mutex::new(BTreeMap::new()),
            writing: Mutex::new(()),
        }
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

    /// The file of `phase`'s own `deliverables` document.
    pub fn deliverables_path(&self, phase: &str) -> PathBuf {
        self.dir.join(format!("{DELIVERABLES}.{phase}.json"))
    }

    /// A document's text, read by the host itself (not on behalf of a phase).
    pub fn load(&self, name: &str) -> Result<String, HostError> {
        read_text(name, &self.path(name)?)
    }

    /// Stores a document atomically, written by the host itself.
    pub fn store(&self, name: &str, document: &str) -> Result<(), HostError> {
        check_json::<IgnoredAny>(name, document)?;
        let _writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        write_text(&self.path(name)?, document)
    }

    /// Notes the documents `phase` may write as they are now, the base its writes merge
    /// from until it reads them, and clears its own `deliverables` of an earlier run.
    pub fn begin(&self, phase: &str, writable: &BTreeSet<String>) -> Result<(), HostError> {
        match std::fs::remove_file(self.deliverables_path(phase)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(HostError::Io(format!(
                    "clearing `{DELIVERABLES}` of phase `{phase}`: {e}"
                )));
            }
            _ => {}
        }
        let found: Vec<_> = writable
            .iter()
            .map(|name| ((phase.to_owned(), name.clone()), self.load(name).ok()))
            .collect();
        self.bases_mut().extend(found);
        Ok(())
    }

    /// Forgets what `phase` started from, when it has ended, and returns the documents
    /// it read with the sha256 of what it read ("" for a document that did not exist).
    pub fn end(&self, phase: &str) -> BTreeMap<String, String> {
        self.bases_mut().retain(|(p, _), _| p != phase);
        let mut reads = self.reads.lock().unwrap_or_else(|p| p.into_inner());
        let (ours, others) = std::mem::take(&mut *reads)
            .into_iter()
            .partition(|((p, _), _)| p == phase);
        *reads = others;
        ours.into_iter()
            .map(|((_, name), sha)| (name, sha))
            .collect()
    }

    /// The sha256 of document `name` as it is now, "" when it does not exist.
    pub fn digest_of(&self, name: &str) -> Result<String, HostError> {
        sha_of(&self.load(name))
    }

    /// Notes that `phase` read `name`, whose text hashed to `sha` ("" when it did not
    /// exist).
    fn note_read(&self, phase: &str, name: &str, sha: String) {
        self.reads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((phase.to_owned(), name.to_owned()), sha);
    }

    fn bases_mut(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, String), Option<String>>> {
        self.bases.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces `name` with `ours` as written by `phase`, merged with what other phases
    /// wrote since `phase` read it (or started).
    fn store_merged(&self, phase: &str, name: &str, ours: &str) -> Result<(), HostError> {
        let path = self.path(name)?;
        check_json::<IgnoredAny>(name, ours)?;
        let _writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let key = (phase.to_owned(), name.to_owned());
        let base = self.bases_mut().get(&key).cloned().flatten();
        let theirs = match read_text(name, &path) {
            Ok(text) => Some(text),
            Err(HostError::NotFound(_)) => None,
            Err(other) => return Err(other),
        };
        let text = if theirs == base {
            ours.to_owned()
        } else {
            let largest = [base.as_deref(), Some(ours), theirs.as_deref()]
                .into_iter()
                .flatten()
                .map(str::len)
                .max()
                .unwrap_or(0);
            if largest > MAX_MERGED_BYTES {
                return Err(HostError::Invalid(format!(
                    "document `{name}` was changed by another phase while phase `{phase}` changed it, and at {} MiB it is too large to merge (at most {} MiB)",
                    largest.div_ceil(1 << 20),
                    MAX_MERGED_BYTES >> 20
                )));
            }
            let parse = |text: &Option<String>| -> Result<Option<Value>, HostError> {
                text.as_deref().map(|t| check_json(name, t)).transpose()
            };
            let merged = merge(
                parse(&base)?.as_ref(),
                Some(&check_json(name, ours)?),
                parse(&theirs)?.as_ref(),
            )
            .map_err(|pointer| {
                HostError::Invalid(format!(
                    "document `{name}`: {pointer} was changed by another phase while phase `{phase}` changed it differently; refusing to overwrite it"
                ))
            })?;
            tracing::info!("document `{name}`: merged with what other phases wrote meanwhile");
            serde_json::to_string(&merged).map_err(|e| HostError::Io(e.to_string()))?
        };
        write_text(&path, &text)?;
        self.bases_mut().insert(key, Some(text));
        Ok(())
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
                    .filter(|n| !n.contains('.'))
                    .map(str::to_owned)
            })
            .collect();
        names.sort();
        names
    }
}

/// Parses a document into `T`: a `Value` where it is merged, `IgnoredAny` where it is
/// only checked (no tree is built, which matters for documents of hundreds of MB).
fn check_json<T: serde::de::DeserializeOwned>(name: &str, document: &str) -> Result<T, HostError> {
    serde_json::from_str(document)
        .map_err(|e| HostError::Invalid(format!("document `{name}` is not JSON: {e}")))
}

/// The sha256 of a document as read, "" when it did not exist (what restarts compare).
fn sha_of(read: &Result<String, HostError>) -> Result<String, HostError> {
    match read {
        Ok(text) => Ok(digest(text.as_bytes())),
        Err(HostError::NotFound(_)) => Ok(String::new()),
        Err(other) => Err(other.clone()),
    }
}

fn read_text(name: &str, path: &std::path::Path) -> Result<String, HostError> {
    std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            HostError::NotFound(format!("document `{name}` has not been written"))
        }
        _ => HostError::Io(format!("{}: {e}", path.display())),
    })
}

fn write_text(path: &std::path::Path, text: &str) -> Result<(), HostError> {
    write_atomic(path, text.as_bytes()).map_err(|e| HostError::Io(format!("{e:#}")))
}

/// Reads a document the phase is granted to read.
pub fn read(env: &PhaseEnv, name: &str) -> Result<String, HostError> {
    env.audited(
        "metadata",
        "read",
        serde_json::json!({ "name": name }),
        || {
            let phase = &env.grant.phase;
            if name == DELIVERABLES {
                let path = env.documents.deliverables_path(phase);
                check_readable(env, name, &path)?;
                let text = read_text(name, &path)?;
                let sha = digest(text.as_bytes());
                return Ok((text, sha));
            }
            if !env.grant.metadata_read.contains(name) {
                return Err(deny(env, "read", name));
            }
            check_readable(env, name, &env.documents.path(name)?)?;
            let read = env.documents.load(name);
            let sha = sha_of(&read)?;
            // A document the phase also writes is partly its own output, so it cannot
            // tell on a restart whether the input changed; its writers upstream can.
            if !env.grant.metadata_write.contains(name) {
                env.documents.note_read(phase, name, sha.clone());
            }
            let text = read?;
            if env.grant.metadata_write.contains(name) {
                env.documents
                    .bases_mut()
                    .insert((phase.clone(), name.to_owned()), Some(text.clone()));
            }
            Ok((text, sha))
        },
        // Hashed once: the digest audited is the one a restart compares.
        |(_, sha)| Some(sha.clone()),
    )
    .map(|(text, _)| text)
}

/// Replaces a document the phase is granted to write.
pub fn write(env: &PhaseEnv, name: &str, document: &str) -> Result<(), HostError> {
    env.audited(
        "metadata",
        "write",
        serde_json::json!({ "name": name, "bytes": document.len() }),
        || {
            let phase = &env.grant.phase;
            check_size(
                name,
                document.len() as u64,
                max_bytes(&env.grant.limits),
                phase,
            )?;
            check_depth(name, document)?;
            if name == DELIVERABLES {
                check_json::<IgnoredAny>(name, document)?;
                return write_text(&env.documents.deliverables_path(phase), document);
            }
            if !env.grant.metadata_write.contains(name) {
                return Err(deny(env, "write", name));
            }
            env.documents.store_merged(phase, name, document)
        },
        |()| Some(digest(document.as_bytes())),
    )
}

/// Refuses to hand a phase a document larger than it may handle, before reading it: a
/// clear error, where the copy into its memory would trap it.
fn check_readable(env: &PhaseEnv, name: &str, path: &std::path::Path) -> Result<(), HostError> {
    match std::fs::metadata(path) {
        Ok(meta) => check_size(
            name,
            meta.len(),
            max_bytes(&env.grant.limits),
            &env.grant.phase,
        ),
        // Absent: reading it says so.
        Err(_) => Ok(()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_phases_adding_to_one_document_keep_both_additions() {
        let dir = tempfile::tempdir().unwrap();
        let store = DocumentStore::new(dir.path().to_path_buf());
        store
            .store("images", r#"{"images": ["boot.iso"]}"#)
            .unwrap();
        let writable = BTreeSet::from(["images".to_owned()]);
        store.begin("createiso", &writable).unwrap();
        store.begin("live_media", &writable).unwrap();
        store
            .store_merged(
                "createiso",
                "images",
                r#"{"images": ["boot.iso", "dvd.iso"]}"#,
            )
            .unwrap();
        store
            .store_merged(
                "live_media",
                "images",
                r#"{"images": ["boot.iso", "live.iso"]}"#,
            )
            .unwrap();
        let merged: Value = serde_json::from_str(&store.load("images").unwrap()).unwrap();
        assert_eq!(
            merged,
            serde_json::json!({"images": ["boot.iso", "dvd.iso", "live.iso"]})
        );
        // A phase's second write merges from its own first one: it may take back its own
        // addition without touching the other's.
        store
            .store_merged("createiso", "images", r#"{"images": ["boot.iso"]}"#)
            .unwrap();
        assert_eq!(
            store.load("images").unwrap(),
            r#"{"images":["boot.iso","live.iso"]}"#
        );
        assert!(store.end("createiso").is_empty());
    }
}
