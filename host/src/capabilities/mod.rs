//! What a phase can ask the host for, one provider per WIT interface. Each provider checks
//! the phase's [`Grant`], does the work natively and writes one audit record. Providers
//! know nothing of WIT versions: `crate::wit` binds them to each released interface.

mod beneath;
pub mod command;
pub mod compose;
pub mod config;
mod document_bounds;
pub mod files;
pub mod koji;
pub mod link_jobs;
pub mod log;
pub mod metadata;
mod metadata_merge;
pub mod paths;
pub mod progress;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::audit::{AuditLog, Event, Outcome};
use crate::policy::Grant;

pub use compose::ComposeFacts;
pub use metadata::DocumentStore;
pub use progress::PhaseProgress;

/// Why a capability call failed, as the phase sees it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    #[error("denied: {0}")]
    Denied(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("I/O error: {0}")]
    Io(String),
    #[error("timed out: {0}")]
    Timeout(String),
}

impl HostError {
    /// How the audit log records a call that failed with this error.
    pub fn outcome(&self) -> Outcome {
        match self {
            HostError::Denied(_) => Outcome::Denied,
            _ => Outcome::Error,
        }
    }
}

/// Everything the providers need for one phase run; lives in the wasmtime store.
#[derive(Clone)]
pub struct PhaseEnv {
    pub grant: Grant,
    /// sha256 of the running component, recorded with every call.
    pub component: String,
    pub facts: Arc<ComposeFacts>,
    pub documents: Arc<DocumentStore>,
    pub audit: Arc<AuditLog>,
    pub progress: PhaseProgress,
    /// When the phase started. Host calls that wait (commands, Koji tasks) wait at most
    /// what is left of its time limit: the limit stops Wasm code, not a host call.
    pub started: Instant,
}

impl PhaseEnv {
    /// What is left of the phase's time limit.
    pub fn remaining_time(&self) -> Duration {
        self.grant
            .limits
            .time
            .saturating_sub(self.started.elapsed())
    }

    /// Runs `call` and records it in the audit log: its arguments, outcome and, when
    /// `digest` yields one, a digest of its result. A call that cannot be recorded is
    /// refused.
    pub fn audited<T>(
        &self,
        interface: &str,
        operation: &str,
        args: serde_json::Value,
        call: impl FnOnce() -> Result<T, HostError>,
        digest: impl FnOnce(&T) -> Option<String>,
    ) -> Result<T, HostError> {
        let result = call();
        let (outcome, detail, result_digest) = match &result {
            Ok(value) => (Outcome::Ok, None, digest(value)),
            Err(error) => (error.outcome(), Some(error.to_string()), None),
        };
        self.record(interface, operation, args, outcome, detail, result_digest)?;
        result
    }

    /// Writes one audit record of a call whose outcome the caller worked out (a batch
    /// call reports its items' failures together); an error when it cannot be recorded.
    pub fn record(
        &self,
        interface: &str,
        operation: &str,
        args: serde_json::Value,
        outcome: Outcome,
        detail: Option<String>,
        result_digest: Option<String>,
    ) -> Result<(), HostError> {
        if outcome == Outcome::Denied {
            tracing::warn!(interface, operation, %args, "{}", detail.as_deref().unwrap_or_default());
        }
        self.audit
            .record(&Event {
                phase: &self.grant.phase,
                component: &self.component,
                interface,
                operation,
                args,
                outcome,
                detail,
                result_digest,
            })
            .map_err(|e| HostError::Io(format!("the audit log cannot record this call: {e:#}")))
    }
}
