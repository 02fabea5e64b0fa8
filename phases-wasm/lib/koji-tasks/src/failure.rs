//! A deliverable whose Koji task failed: failable ones (Pungi's `failable_deliverables`,
//! or the block's `failable`) are reported and the phase goes on, the compose ending
//! FINISHED_INCOMPLETE; any other fails the phase with the task id and its logs.

use std::fmt;

use pungi_phase_sdk::{Context, FailedDeliverable, PhaseError};

use crate::blocks::{self, Block, Config};

/// What a task was to deliver.
#[derive(Debug, Clone)]
pub struct Deliverable {
    pub variant: String,
    /// The arches the task builds for.
    pub arches: Vec<String>,
    /// Pungi's deliverable name: `buildinstall`, `live`, `live-media`, `image-build`,
    /// `osbs`, `ostree`, `ostree-installer`.
    pub kind: &'static str,
    pub subvariant: String,
    pub failable: bool,
}

/// Whether a deliverable of `kind` may fail: the block's `failable` covers all its
/// arches, or `failable_deliverables` lists `kind` for each of them.
pub fn is_failable(
    config: &Config,
    block: &Block,
    kind: &str,
    variant: &str,
    arches: &[String],
) -> Result<bool, PhaseError> {
    if blocks::failable_arches(block, arches)? {
        return Ok(true);
    }
    for arch in arches {
        if !config.failable_deliverable(kind, variant, arch)? {
            return Ok(false);
        }
    }
    Ok(!arches.is_empty())
}

/// Why a task did not deliver.
#[derive(Debug, Clone)]
pub struct TaskFailure {
    /// `None` when the task was never created (submission refused).
    pub task: Option<u64>,
    pub method: String,
    pub reason: String,
    /// Copied log files (compose-relative under `logs/`) and the task's URL.
    pub logs: Vec<String>,
}

impl fmt::Display for TaskFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.task {
            Some(id) => write!(
                f,
                "koji task {id} ({}) failed: {}",
                self.method, self.reason
            )?,
            None => write!(
                f,
                "koji `{}` task not started: {}",
                self.method, self.reason
            )?,
        }
        if !self.logs.is_empty() {
            write!(f, "; logs: {}", self.logs.join(", "))?;
        }
        Ok(())
    }
}

/// Settles a failed deliverable: reported (one report per arch) and `Ok` when failable,
/// else the phase's error.
pub fn settle(
    ctx: &Context,
    deliverable: &Deliverable,
    failure: TaskFailure,
) -> Result<(), PhaseError> {
    let message = format!(
        "{} {} of {}.{}: {failure}",
        deliverable.kind,
        deliverable.subvariant,
        deliverable.variant,
        deliverable.arches.join(",")
    );
    if !deliverable.failable {
        return Err(PhaseError::input(message));
    }
    for arch in &deliverable.arches {
        ctx.fail_deliverable(FailedDeliverable {
            variant: deliverable.variant.clone(),
            arch: arch.clone(),
            kind: deliverable.kind.to_owned(),
            subvariant: Some(deliverable.subvariant.clone()),
            task_id: failure.task,
            log: failure.logs.first().cloned(),
            reason: message.clone(),
        })?;
    }
    Ok(())
}
