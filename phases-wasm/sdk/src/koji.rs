//! Typed access to Koji through the host. The host picks the hub and checks each call
//! against the phase's `koji-methods`; a failure keeps its kind ([`KojiError`]) so a
//! phase can tell "denied" from "hub down" from "damaged download", and converts into a
//! [`PhaseError`] with what was being done.

use std::fmt;

use crate::bindings::pungi::phase::koji as raw;
pub use crate::bindings::pungi::phase::koji::{
    BuildInfo, Download, EventInfo, FaultInfo, HubInfo, KojiError, Origin, RpmCopy, RpmInfo,
    TagInfo, TaskInfo, TaskOutput, TaskState,
};
use crate::{ErrorKind, PhaseError};

/// A failed Koji call and what it was for.
#[derive(Debug, Clone)]
pub struct KojiFailure {
    /// What the phase was doing, e.g. "getting koji tag `f40`".
    pub doing: String,
    /// What the host or the hub answered.
    pub error: KojiError,
}

impl fmt::Display for KojiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.doing, describe(&self.error))
    }
}

impl std::error::Error for KojiFailure {}

impl From<KojiFailure> for PhaseError {
    fn from(failure: KojiFailure) -> PhaseError {
        PhaseError {
            kind: ErrorKind::Capability,
            message: failure.to_string(),
        }
    }
}

/// A Koji error as one readable phrase.
pub fn describe(error: &KojiError) -> String {
    match error {
        KojiError::Denied(m) => format!("denied by policy: {m}"),
        KojiError::Fault(f) => format!("koji fault {}: {}", f.code, f.message),
        KojiError::Network(m) => format!("network error: {m}"),
        KojiError::Timeout(m) => format!("timed out: {m}"),
        KojiError::NotFound(m) => format!("not found: {m}"),
        KojiError::ChecksumMismatch(m) => format!("checksum mismatch: {m}"),
        KojiError::Invalid(m) => format!("invalid: {m}"),
        KojiError::Io(m) => format!("I/O error: {m}"),
    }
}

type Result<T> = std::result::Result<T, KojiFailure>;

fn doing<T>(what: impl FnOnce() -> String, r: std::result::Result<T, KojiError>) -> Result<T> {
    r.map_err(|error| KojiFailure {
        doing: what(),
        error,
    })
}

/// The compose's hub, through the host.
pub struct Koji {
    _private: (),
}

impl Koji {
    /// The hub, or `None` when the compose configures none.
    pub fn connect() -> Option<(Koji, HubInfo)> {
        raw::hub().map(|info| (Koji { _private: () }, info))
    }

    /// The hub's newest event, to pin every later read to one moment.
    pub fn last_event(&self) -> Result<EventInfo> {
        doing(|| "getting koji's last event".into(), raw::get_last_event())
    }

    /// A tag's info at `event` (now when `None`).
    pub fn tag(&self, tag: &str, event: Option<u64>) -> Result<TagInfo> {
        doing(
            || format!("getting koji tag `{tag}`"),
            raw::get_tag(tag, event),
        )
    }

    /// The builds of `tag` at `event`.
    pub fn tagged(
        &self,
        tag: &str,
        event: Option<u64>,
        inherit: bool,
        latest: bool,
    ) -> Result<Vec<BuildInfo>> {
        doing(
            || format!("listing the builds tagged in `{tag}`"),
            raw::list_tagged(tag, event, inherit, latest),
        )
    }

    /// One build by NVR or id.
    pub fn build(&self, build: &str) -> Result<BuildInfo> {
        doing(
            || format!("getting koji build `{build}`"),
            raw::get_build(build),
        )
    }

    /// The RPMs of `builds` on `arches` (all when empty), fetched in batches by the host.
    pub fn rpms(&self, builds: &[u64], arches: &[String]) -> Result<Vec<RpmInfo>> {
        doing(
            || format!("listing the RPMs of {} builds", builds.len()),
            raw::list_rpms(builds, arches),
        )
    }

    /// One RPM by NVRA or id.
    pub fn rpm(&self, rpm: &str) -> Result<RpmInfo> {
        doing(|| format!("getting koji rpm `{rpm}`"), raw::get_rpm(rpm))
    }

    /// For each RPM, the copies the hub has (sigkey `""` = unsigned) with their sha256.
    pub fn copies(&self, rpms: &[u64]) -> Result<Vec<Vec<RpmCopy>>> {
        doing(
            || format!("getting the checksums of {} RPMs", rpms.len()),
            raw::rpm_checksums(rpms),
        )
    }

    /// Submits a task with hub method `method` and JSON-list `params`.
    pub fn submit(&self, method: &str, params: &serde_json::Value) -> Result<u64> {
        doing(
            || format!("submitting a koji `{method}` task"),
            raw::submit_task(method, &params.to_string()),
        )
    }

    /// A task's state and owner.
    pub fn task(&self, task: u64) -> Result<TaskInfo> {
        doing(
            || format!("getting koji task {task}"),
            raw::get_task_info(task),
        )
    }

    /// Waits until the task is closed, failed or canceled, or `timeout` passes.
    pub fn wait(&self, task: u64, timeout: std::time::Duration) -> Result<TaskInfo> {
        doing(
            || format!("waiting for koji task {task}"),
            raw::wait_task(task, timeout.as_millis() as u64),
        )
    }

    /// The task's result, as JSON.
    pub fn task_result(&self, task: u64) -> Result<serde_json::Value> {
        let json = doing(
            || format!("getting the result of koji task {task}"),
            raw::task_result(task),
        )?;
        doing(
            || format!("reading the result of koji task {task}"),
            serde_json::from_str(&json).map_err(|e| KojiError::Invalid(e.to_string())),
        )
    }

    /// The files a task produced, with their sizes.
    pub fn task_output(&self, task: u64) -> Result<Vec<TaskOutput>> {
        doing(
            || format!("listing the output of koji task {task}"),
            raw::list_task_output(task),
        )
    }

    /// Places the RPM copy signed with `sigkey` (`None` = unsigned) at `destination`,
    /// verified by the host.
    pub fn download_rpm(
        &self,
        rpm: &RpmInfo,
        sigkey: Option<&str>,
        destination: &str,
    ) -> Result<Download> {
        doing(
            || {
                format!(
                    "fetching {}-{}-{}.{} ({})",
                    rpm.name,
                    rpm.version,
                    rpm.release,
                    rpm.arch,
                    sigkey
                        .map(|k| format!("signed with {k}"))
                        .unwrap_or("unsigned".into())
                )
            },
            raw::download_rpm(rpm.id, sigkey, destination),
        )
    }

    /// Places one output file of a task at `destination`, verified by the host.
    pub fn download_task_output(
        &self,
        task: u64,
        file: &str,
        destination: &str,
    ) -> Result<Download> {
        doing(
            || format!("fetching `{file}` of koji task {task}"),
            raw::download_task_output(task, file, destination),
        )
    }
}
