//! Failable deliverables: an image (or other artifact) that failed, but whose failure the
//! compose config allows (Pungi's `failable_deliverables`, or `failable` in a phase's
//! config block, which the phase evaluates). The phase reports it with
//! [`Context::fail_deliverable`] and goes on; the compose then ends
//! `FINISHED_INCOMPLETE` instead of `FINISHED`, and `logs/global/deliverables.json` lists
//! what failed.
//!
//! A failure that is not failable is a returned [`PhaseError`] instead; put the Koji task
//! id and its log in the message, the release engineer reads it in the compose's errors.
//!
//! Underneath, the reports are the phase's `deliverables` document, which every phase may
//! read and write and which the host keeps apart per phase (one phase cannot see or undo
//! another's reports); the host merges them when the phase ends.

use serde::{Deserialize, Serialize};

use crate::{Context, PhaseError, log};

/// The name of the document the reports are kept in; the host scopes it to the phase.
pub const DELIVERABLES_DOCUMENT: &str = "deliverables";

/// One deliverable that failed and may: what it was, where to look, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedDeliverable {
    /// The variant UID (`Server`).
    pub variant: String,
    /// The arch (`x86_64`, `src`, or `*` for all of the variant's arches).
    pub arch: String,
    /// The kind, as Pungi names it in `failable_deliverables` (`iso`, `live`,
    /// `image-build`, `ostree-installer`, `osbs`, ...).
    pub kind: String,
    /// The subvariant, for phases whose blocks have one.
    pub subvariant: Option<String>,
    /// The Koji task that failed, if one did.
    pub task_id: Option<u64>,
    /// Where its log is (a path in the compose, or the Koji task's URL).
    pub log: Option<String>,
    /// What went wrong, in a sentence.
    pub reason: String,
}

/// What one phase reported: the content of its `deliverables` document.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeliverablesReport {
    /// The failed deliverables, in the order they were reported.
    pub failed: Vec<FailedDeliverable>,
}

impl Context {
    /// Reports a deliverable that failed but is failable, and logs it as an error. The
    /// phase goes on; the compose ends `FINISHED_INCOMPLETE`.
    pub fn fail_deliverable(&self, failed: FailedDeliverable) -> Result<(), PhaseError> {
        log::error(format!(
            "failable deliverable failed: {} {}.{}{}{}: {}",
            failed.kind,
            failed.variant,
            failed.arch,
            failed
                .subvariant
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default(),
            failed
                .task_id
                .map(|t| format!(", task {t}"))
                .unwrap_or_default(),
            failed.reason
        ));
        let mut report: DeliverablesReport = self
            .try_read_document(DELIVERABLES_DOCUMENT)?
            .unwrap_or_default();
        report.failed.push(failed);
        self.write_document(DELIVERABLES_DOCUMENT, &report)
    }
}
