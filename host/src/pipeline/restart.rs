//! What each phase finished with, kept in `state/phase-state.json`, so that
//! `compose --restart` can keep a phase of an interrupted run instead of running it again.
//!
//! A phase is kept when it finished before, no phase it waits for (directly or not) runs
//! again, and its inputs are unchanged: the sha256 of its component, of the compose facts
//! (config, variants, compose ID) it is given, of its policy section and limits, and of
//! every document it read that it may not also write (one it updates, like `images`,
//! holds its own output afterwards; the phases upstream that wrote it decide). Files it reads directly (the comps file under `/config`, say)
//! are covered only through the config naming them; edit one and skip nothing: restart
//! without `--restart`. A phase's entry is removed when it starts and written when it
//! finishes, so a phase killed halfway is never kept.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::deliverables::FailedDeliverable;
use crate::capabilities::{ComposeFacts, DocumentStore};
use crate::fsutil::write_json_atomic;
use crate::policy::Policy;

/// How one phase finished, and from what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseState {
    /// sha256 over the component, the compose facts and the phase's policy.
    pub inputs: String,
    pub component: String,
    /// Document -> sha256 of what the phase read ("" when it did not exist).
    pub documents: BTreeMap<String, String>,
    /// Its summary sentence.
    pub message: String,
    #[serde(default)]
    pub failed_deliverables: Vec<FailedDeliverable>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct States {
    phases: BTreeMap<String, PhaseState>,
}

/// The phase states of one compose: those of the interrupted run being continued, and
/// the file this run keeps up to date.
pub struct PhaseStates {
    path: PathBuf,
    current: Mutex<States>,
    interrupted: States,
}

impl PhaseStates {
    /// A new record at `path`; when `restarted`, the interrupted run's states are read
    /// from it first.
    pub fn open(path: PathBuf, restarted: bool) -> anyhow::Result<Self> {
        let interrupted = if restarted && path.exists() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str(&text).with_context(|| {
                format!(
                    "{}: not a phase state record; restart without --restart",
                    path.display()
                )
            })?
        } else {
            States::default()
        };
        Ok(PhaseStates {
            path,
            current: Mutex::new(interrupted.clone()),
            interrupted,
        })
    }

    /// The state of `phase` in the interrupted run, when its inputs are `inputs` and
    /// every document it read is still what it read.
    pub fn unchanged(
        &self,
        phase: &str,
        inputs: &str,
        documents: &DocumentStore,
    ) -> Option<&PhaseState> {
        let state = self.interrupted.phases.get(phase)?;
        let same_documents = state
            .documents
            .iter()
            .all(|(name, sha)| documents.digest_of(name).is_ok_and(|now| &now == sha));
        (state.inputs == inputs && same_documents).then_some(state)
    }

    /// Forgets `phase`'s state as it starts (again).
    pub fn started(&self, phase: &str) -> anyhow::Result<()> {
        self.update(|states| {
            states.phases.remove(phase);
        })
    }

    /// Records how `phase` finished.
    pub fn finished(&self, phase: &str, state: PhaseState) -> anyhow::Result<()> {
        self.update(|states| {
            states.phases.insert(phase.to_owned(), state);
        })
    }

    fn update(&self, change: impl FnOnce(&mut States)) -> anyhow::Result<()> {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        change(&mut current);
        write_json_atomic(&self.path, &*current)
    }
}

/// The sha256 of what a phase is given besides documents: its component, the compose
/// facts (with its own `phase_config` for a custom phase), and its policy.
pub fn inputs_digest(
    component: &str,
    facts: &ComposeFacts,
    policy: &Policy,
    phase: &str,
) -> anyhow::Result<String> {
    let mut hash = Sha256::new();
    hash.update(component.as_bytes());
    hash.update(b"\n");
    hash.update(serde_json::to_vec(facts).context("serializing the compose facts")?);
    hash.update(b"\n");
    hash.update(format!("{:?}\n{:?}", policy.for_phase(phase), policy.defaults).as_bytes());
    Ok(hex::encode(hash.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(inputs: &str, documents: &[(&str, &str)]) -> PhaseState {
        PhaseState {
            inputs: inputs.into(),
            component: "c".into(),
            documents: documents
                .iter()
                .map(|(n, s)| (n.to_string(), s.to_string()))
                .collect(),
            message: "done".into(),
            failed_deliverables: Vec::new(),
        }
    }

    #[test]
    fn a_phase_is_kept_only_with_the_same_inputs_and_documents() {
        let dir = tempfile::tempdir().unwrap();
        let documents = DocumentStore::new(dir.path().join("metadata"));
        documents.store("pkgset", "{\"a\": 1}").unwrap();
        let pkgset = documents.digest_of("pkgset").unwrap();
        let path = dir.path().join("phase-state.json");
        let first = PhaseStates::open(path.clone(), false).unwrap();
        first
            .finished(
                "gather",
                state("in", &[("pkgset", &pkgset), ("images", "")]),
            )
            .unwrap();
        first.finished("createrepo", state("in", &[])).unwrap();
        first.started("createrepo").unwrap();

        let again = PhaseStates::open(path.clone(), true).unwrap();
        assert!(again.unchanged("gather", "in", &documents).is_some());
        assert!(again.unchanged("gather", "other", &documents).is_none());
        assert!(
            again.unchanged("createrepo", "in", &documents).is_none(),
            "started again and not finished: not kept"
        );
        documents.store("pkgset", "{\"a\": 2}").unwrap();
        assert!(again.unchanged("gather", "in", &documents).is_none());

        std::fs::write(&path, "{").unwrap();
        let broken = PhaseStates::open(path.clone(), true).err().unwrap();
        assert!(
            format!("{broken:#}").contains("phase-state.json"),
            "{broken:#}"
        );
        assert!(PhaseStates::open(path, false).is_ok());
    }
}
