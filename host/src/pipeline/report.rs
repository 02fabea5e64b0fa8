use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::deliverables::FailedDeliverable;
use super::plan::SkippedPhase;
use crate::compose::Status;
use crate::fsutil::write_json_atomic;

/// How one phase ended.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "lowercase", tag = "result", content = "message")]
pub enum PhaseResult {
    Done(String),
    Failed(String),
    /// Not run again: kept from the interrupted run (`--restart`), with its summary then.
    Kept(String),
}

/// One phase run: which component, how long each step took, what it reported.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseRecord {
    pub name: String,
    pub component: Option<String>,
    pub from_cache: bool,
    #[serde(serialize_with = "millis")]
    pub load_time: Duration,
    #[serde(serialize_with = "millis")]
    pub instantiate_time: Duration,
    #[serde(serialize_with = "millis")]
    pub run_time: Duration,
    /// Process CPU time during the run (user + system).
    #[serde(serialize_with = "millis")]
    pub cpu_time: Duration,
    /// The phase's largest linear memory, in bytes.
    pub peak_memory: u64,
    pub counts: Vec<(String, u64)>,
    /// When the phase started and ended, from the start of the compose: phases that
    /// overlap ran at the same time.
    #[serde(serialize_with = "millis")]
    pub start_offset: Duration,
    #[serde(serialize_with = "millis")]
    pub end_offset: Duration,
    /// Deliverables that failed but may (the compose is then FINISHED_INCOMPLETE).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed_deliverables: Vec<FailedDeliverable>,
    #[serde(flatten)]
    pub result: PhaseResult,
}

impl PhaseRecord {
    pub fn new(name: &str) -> Self {
        PhaseRecord {
            name: name.to_owned(),
            component: None,
            from_cache: false,
            load_time: Duration::ZERO,
            instantiate_time: Duration::ZERO,
            run_time: Duration::ZERO,
            cpu_time: Duration::ZERO,
            peak_memory: 0,
            counts: Vec::new(),
            start_offset: Duration::ZERO,
            end_offset: Duration::ZERO,
            failed_deliverables: Vec::new(),
            result: PhaseResult::Failed("did not run".into()),
        }
    }
}

/// The whole run, written to `logs/global/phases.json` for benchmarks and auditors.
#[derive(Debug, Clone, Serialize)]
pub struct ComposeReport {
    pub compose_id: String,
    #[serde(serialize_with = "status_name")]
    pub status: Status,
    #[serde(serialize_with = "millis")]
    pub total_time: Duration,
    /// The phases that ran (or failed to start), in graph order.
    pub phases: Vec<PhaseRecord>,
    /// The phases that did not run, and why.
    pub skipped: Vec<SkippedPhase>,
}

impl ComposeReport {
    pub fn new(compose_id: String) -> Self {
        ComposeReport {
            compose_id,
            status: Status::Finished,
            total_time: Duration::ZERO,
            phases: Vec::new(),
            skipped: Vec::new(),
        }
    }

    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        write_json_atomic(path, self)
    }
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1e6).round() / 1e3)
}

fn status_name<S: serde::Serializer>(status: &Status, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(status.as_str())
}
