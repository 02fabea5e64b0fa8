//! What a phase can ask the host for, one provider per WIT interface. Each provider checks
//! the phase's [`Grant`], does the work natively and audits it (an intent record before,
//! a result record after). Providers know nothing of WIT versions: `crate::wit` binds
//! them to each released interface.

mod beneath;
pub mod command;
pub mod compose;
pub mod config;
pub(crate) mod document_bounds;
pub mod files;
pub mod koji;
pub mod link_jobs;
pub mod log;
pub mod metadata;
mod metadata_merge;
pub mod mount_roots;
pub mod paths;
pub mod progress;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::audit::{AuditLog, Event, MAX_DETAIL, Outcome, bounded_args, bounded_text};
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

/// How many denied calls a phase run may make; the host call that makes the count
/// reach it stops the phase. A real phase is denied a call only by mistake and then
/// fails on it; one that goes on being refused is probing the grant, and each refusal
/// costs the host an audit record and a warning.
pub const DENIED_CALL_LIMIT: u32 = 64;

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
    /// The calls of this run denied so far, the link worker's included.
    pub denied: Arc<AtomicU32>,
}

impl PhaseEnv {
    /// What is left of the phase's time limit.
    pub fn remaining_time(&self) -> Duration {
        self.grant
            .limits
            .time
            .saturating_sub(self.started.elapsed())
    }

    /// Whether the phase has made [`DENIED_CALL_LIMIT`] denied calls.
    pub fn denied_calls_exhausted(&self) -> bool {
        self.denied.load(Ordering::Relaxed) >= DENIED_CALL_LIMIT
    }

    /// Records the intent of a call with its arguments, then runs `call`, then records
    /// its outcome and, when `digest` yields one, a digest of its result. A call whose
    /// intent cannot be recorded is refused before it does anything.
    pub fn audited<T>(
        &self,
        interface: &str,
        operation: &str,
        args: serde_json::Value,
        call: impl FnOnce() -> Result<T, HostError>,
        digest: impl FnOnce(&T) -> Option<String>,
    ) -> Result<T, HostError> {
        let open = self.intent(interface, operation, args)?;
        let result = call();
        let (outcome, detail, result_digest) = match &result {
            Ok(value) => (Outcome::Ok, None, digest(value)),
            Err(error) => (error.outcome(), Some(error.to_string()), None),
        };
        open.record(outcome, detail, result_digest)?;
        result
    }

    /// Writes the intent record of a call about to be made (a batch call works out its
    /// outcome itself); the call must not start when this fails. The returned
    /// [`OpenCall`] records the outcome.
    pub fn intent<'a>(
        &'a self,
        interface: &'a str,
        operation: &'a str,
        args: serde_json::Value,
    ) -> Result<OpenCall<'a>, HostError> {
        let args = bounded_args(args);
        let seq = self
            .audit
            .record(Event {
                phase: &self.grant.phase,
                component: &self.component,
                interface,
                operation,
                args: Some(args.clone()),
                call: None,
                outcome: Outcome::Started,
                detail: None,
                result_digest: None,
            })
            .map_err(unrecorded)?;
        Ok(OpenCall {
            env: self,
            interface,
            operation,
            seq,
            args,
        })
    }
}

/// A call whose intent is recorded and whose outcome is not yet.
pub struct OpenCall<'a> {
    env: &'a PhaseEnv,
    interface: &'a str,
    operation: &'a str,
    seq: u64,
    /// The arguments as recorded, for the warning of a denial.
    args: serde_json::Value,
}

impl OpenCall<'_> {
    /// Writes the result record of the call; an error when it cannot be recorded. A
    /// denial counts towards [`DENIED_CALL_LIMIT`] and is shown as a warning.
    pub fn record(
        self,
        outcome: Outcome,
        detail: Option<String>,
        result_digest: Option<String>,
    ) -> Result<(), HostError> {
        if outcome == Outcome::Denied {
            self.env.denied.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                interface = self.interface,
                operation = self.operation,
                args = %bounded_text(&self.args.to_string(), MAX_DETAIL),
                "{}",
                bounded_text(detail.as_deref().unwrap_or_default(), MAX_DETAIL)
            );
        }
        self.env
            .audit
            .record(Event {
                phase: &self.env.grant.phase,
                component: &self.env.component,
                interface: self.interface,
                operation: self.operation,
                args: None,
                call: Some(self.seq),
                outcome,
                detail,
                result_digest,
            })
            .map(drop)
            .map_err(unrecorded)
    }
}

fn unrecorded(error: anyhow::Error) -> HostError {
    HostError::Io(format!("the audit log cannot record this call: {error:#}"))
}
