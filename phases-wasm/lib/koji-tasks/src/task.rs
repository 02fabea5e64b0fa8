//! One Koji task from submission to its outputs: submit, wait until it is closed,
//! failed or canceled, then its result and output list; a task that does not close
//! becomes a [`TaskFailure`] carrying its id and where its logs are.

use std::time::Duration;

use pungi_phase_sdk::koji::{Koji, KojiError, TaskOutput, TaskState, describe};
use pungi_phase_sdk::{KojiFailure, log};
use serde_json::Value;

use crate::failure::TaskFailure;

/// How long one wait call lasts; the wait goes on until the task ends (Pungi watches a
/// task as long as it runs), the phase's time limit being the bound.
const WAIT_SLICE: Duration = Duration::from_secs(600);

/// A task that closed.
#[derive(Debug, Clone)]
pub struct Finished {
    pub id: u64,
    /// `getTaskResult`, as JSON.
    pub result: Value,
    pub outputs: Vec<TaskOutput>,
}

impl Finished {
    /// The output files whose names end with one of `suffixes`, in listing order.
    pub fn outputs_ending(&self, suffixes: &[&str]) -> Vec<&TaskOutput> {
        self.outputs
            .iter()
            .filter(|o| suffixes.iter().any(|s| o.filename.ends_with(s)))
            .collect()
    }
}

/// Where a task's files are on the hub, for messages.
pub fn task_url(topurl: Option<&str>, task: u64) -> String {
    let relative = format!("work/tasks/{}/{task}/", task % 10000);
    match topurl {
        Some(top) => format!("{}/{relative}", top.trim_end_matches('/')),
        None => format!("<koji topdir>/{relative}"),
    }
}

/// The hub and where this phase keeps the logs of its tasks.
pub struct Runner {
    pub koji: Koji,
    topurl: Option<String>,
    /// Directory (under the logs mount) the logs of failed tasks are copied to.
    logs: String,
}

impl Runner {
    /// Connects to the compose's hub; `logs` is where failed tasks' logs go.
    pub fn connect(logs: String) -> Result<Runner, pungi_phase_sdk::PhaseError> {
        let (koji, hub) = Koji::connect().ok_or_else(|| {
            pungi_phase_sdk::PhaseError::config(
                "this phase builds in Koji, but the compose names no hub: set koji_profile",
            )
        })?;
        Ok(Runner {
            koji,
            topurl: hub.topurl,
            logs,
        })
    }

    /// Submits `method(params)`; `what` names the deliverable in logs.
    pub fn start(&self, method: &str, params: &Value, what: &str) -> Result<u64, TaskFailure> {
        let id = self
            .koji
            .submit(method, params)
            .map_err(|f| self.failure(None, method, f.to_string()))?;
        log::info(format!(
            "{what}: koji task {id} ({method}), {}",
            task_url(self.topurl.as_deref(), id)
        ));
        Ok(id)
    }

    /// Waits for task `id` to end; its result and outputs when it closed.
    pub fn finish(&self, id: u64, method: &str, what: &str) -> Result<Finished, TaskFailure> {
        let info = loop {
            match self.koji.wait(id, WAIT_SLICE) {
                Ok(info) => break info,
                Err(KojiFailure {
                    error: KojiError::Timeout(_),
                    ..
                }) => log::info(format!("{what}: koji task {id} still running")),
                Err(f) => return Err(self.failure(Some(id), method, f.to_string())),
            }
        };
        if info.state != TaskState::Closed {
            let reason = match self.koji.task_result(id) {
                Err(f) => describe(&f.error),
                Ok(_) => format!("the task ended {:?}", info.state),
            };
            return Err(self.failure(Some(id), method, reason));
        }
        let result = self
            .koji
            .task_result(id)
            .map_err(|f| self.failure(Some(id), method, f.to_string()))?;
        let outputs = self
            .koji
            .task_output(id)
            .map_err(|f| self.failure(Some(id), method, f.to_string()))?;
        log::info(format!(
            "{what}: koji task {id} closed, {} files",
            outputs.len()
        ));
        Ok(Finished {
            id,
            result,
            outputs,
        })
    }

    /// A failure of task `id` after it closed (its outputs could not be placed).
    pub fn failed_after(&self, id: u64, method: &str, reason: String) -> TaskFailure {
        self.failure(Some(id), method, reason)
    }

    /// A failure, with the task's `.log` outputs copied under the logs directory (when
    /// the hub lists any) and the task's URL.
    fn failure(&self, task: Option<u64>, method: &str, reason: String) -> TaskFailure {
        let mut logs = Vec::new();
        if let Some(id) = task {
            for output in self.koji.task_output(id).unwrap_or_default() {
                if !output.filename.ends_with(".log") {
                    continue;
                }
                let dest = format!("{}/task-{id}/{}", self.logs, output.filename);
                match self.koji.download_task_output(id, &output.filename, &dest) {
                    Ok(_) => logs.push(dest),
                    Err(e) => log::warn(format!("copying the log of koji task {id}: {e}")),
                }
            }
            logs.push(task_url(self.topurl.as_deref(), id));
        }
        TaskFailure {
            task,
            method: method.to_owned(),
            reason,
            logs,
        }
    }
}
