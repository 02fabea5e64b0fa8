//! `pungi:phase/koji@0.1.2` bound to [`crate::capabilities::koji`].

use std::time::Duration;

use super::pungi::phase::koji as wit;
use crate::capabilities::koji::KojiError;
use crate::capabilities::koji::calls::{self, Download, Origin};
use crate::capabilities::koji::model::{Build, Rpm, TaskInfo, TaskState};
use crate::runtime::PhaseHost;

/// What a Koji import answers, or the trap that stops the phase (see `PhaseHost::answer`).
type Result<T> = wasmtime::Result<std::result::Result<T, wit::KojiError>>;

fn error(e: KojiError) -> wit::KojiError {
    match e {
        KojiError::Denied(m) => wit::KojiError::Denied(m),
        KojiError::Fault { code, message } => {
            wit::KojiError::Fault(wit::FaultInfo { code, message })
        }
        KojiError::Network(m) => wit::KojiError::Network(m),
        KojiError::Timeout(m) => wit::KojiError::Timeout(m),
        KojiError::NotFound(m) => wit::KojiError::NotFound(m),
        KojiError::ChecksumMismatch(m) => wit::KojiError::ChecksumMismatch(m),
        KojiError::Invalid(m) => wit::KojiError::Invalid(m),
        KojiError::Io(m) => wit::KojiError::Io(m),
    }
}

fn build(b: Build) -> wit::BuildInfo {
    wit::BuildInfo {
        id: b.id,
        package_name: b.package_name,
        version: b.version,
        release: b.release,
        epoch: b.epoch,
        nvr: b.nvr,
        state: b.state,
        owner: b.owner,
        task_id: b.task_id,
        tag_name: b.tag_name,
    }
}

fn rpm(r: Rpm) -> wit::RpmInfo {
    wit::RpmInfo {
        id: r.id,
        build_id: r.build_id,
        name: r.name,
        version: r.version,
        release: r.release,
        epoch: r.epoch,
        arch: r.arch,
        size: r.size,
        payloadhash: r.payloadhash,
    }
}

fn task(t: TaskInfo) -> wit::TaskInfo {
    wit::TaskInfo {
        id: t.id,
        method: t.method,
        state: match t.state {
            TaskState::Free => wit::TaskState::Free,
            TaskState::Open => wit::TaskState::Open,
            TaskState::Closed => wit::TaskState::Closed,
            TaskState::Canceled => wit::TaskState::Canceled,
            TaskState::Assigned => wit::TaskState::Assigned,
            TaskState::Failed => wit::TaskState::Failed,
        },
        arch: t.arch,
        parent: t.parent,
    }
}

fn download(d: Download) -> wit::Download {
    wit::Download {
        path: d.path,
        size: d.size,
        sha256: d.sha256,
        origin: match d.origin {
            Origin::Topdir => wit::Origin::Topdir,
            Origin::Topurl => wit::Origin::Topurl,
        },
    }
}

impl wit::Host for PhaseHost {
    fn hub(&mut self) -> wasmtime::Result<Option<wit::HubInfo>> {
        let answer = calls::hub_facts(&self.env).map(|h| wit::HubInfo {
            server: h.server,
            topurl: h.topurl,
            local_topdir: h.local_topdir,
        });
        self.answer(answer)
    }

    fn get_last_event(&mut self) -> Result<wit::EventInfo> {
        let answer = calls::last_event(&self.env)
            .map(|e| wit::EventInfo { id: e.id, ts: e.ts })
            .map_err(error);
        self.answer(answer)
    }

    fn get_tag(&mut self, tag: String, event: Option<u64>) -> Result<wit::TagInfo> {
        let answer = calls::get_tag(&self.env, &tag, event)
            .map(|t| wit::TagInfo {
                id: t.id,
                name: t.name,
                arches: t.arches,
                locked: t.locked,
            })
            .map_err(error);
        self.answer(answer)
    }

    fn list_tagged(
        &mut self,
        tag: String,
        event: Option<u64>,
        inherit: bool,
        latest: bool,
    ) -> Result<Vec<wit::BuildInfo>> {
        let answer = calls::list_tagged(&self.env, &tag, event, inherit, latest)
            .map(|b| b.into_iter().map(build).collect())
            .map_err(error);
        self.answer(answer)
    }

    fn get_build(&mut self, b: String) -> Result<wit::BuildInfo> {
        let answer = calls::get_build(&self.env, &b).map(build).map_err(error);
        self.answer(answer)
    }

    fn list_rpms(&mut self, build_ids: Vec<u64>, arches: Vec<String>) -> Result<Vec<wit::RpmInfo>> {
        let answer = calls::list_rpms(&self.env, &build_ids, &arches)
            .map(|r| r.into_iter().map(rpm).collect())
            .map_err(error);
        self.answer(answer)
    }

    fn get_rpm(&mut self, r: String) -> Result<wit::RpmInfo> {
        let answer = calls::get_rpm(&self.env, &r).map(rpm).map_err(error);
        self.answer(answer)
    }

    fn rpm_checksums(&mut self, rpm_ids: Vec<u64>) -> Result<Vec<Vec<wit::RpmCopy>>> {
        let answer = calls::rpm_checksums(&self.env, &rpm_ids)
            .map(|all| {
                all.into_iter()
                    .map(|copies| {
                        copies
                            .into_iter()
                            .map(|(sigkey, sha256)| wit::RpmCopy { sigkey, sha256 })
                            .collect()
                    })
                    .collect()
            })
            .map_err(error);
        self.answer(answer)
    }

    fn submit_task(&mut self, method: String, params: String) -> Result<u64> {
        let answer = calls::submit_task(&self.env, &method, &params).map_err(error);
        self.answer(answer)
    }

    fn get_task_info(&mut self, id: u64) -> Result<wit::TaskInfo> {
        let answer = calls::task_info(&self.env, id).map(task).map_err(error);
        self.answer(answer)
    }

    fn wait_task(&mut self, id: u64, timeout_ms: u64) -> Result<wit::TaskInfo> {
        let answer = calls::wait_task(&self.env, id, Duration::from_millis(timeout_ms))
            .map(task)
            .map_err(error);
        self.answer(answer)
    }

    fn task_result(&mut self, id: u64) -> Result<String> {
        let answer = calls::task_result(&self.env, id).map_err(error);
        self.answer(answer)
    }

    fn list_task_output(&mut self, id: u64) -> Result<Vec<wit::TaskOutput>> {
        let answer = calls::list_task_output(&self.env, id)
            .map(|o| {
                o.into_iter()
                    .map(|o| wit::TaskOutput {
                        filename: o.filename,
                        size: o.size,
                    })
                    .collect()
            })
            .map_err(error);
        self.answer(answer)
    }

    fn download_rpm(
        &mut self,
        rpm_id: u64,
        sigkey: Option<String>,
        destination: String,
    ) -> Result<wit::Download> {
        let answer = calls::download_rpm(&self.env, rpm_id, sigkey.as_deref(), &destination)
            .map(download)
            .map_err(error);
        self.answer(answer)
    }

    fn download_task_output(
        &mut self,
        id: u64,
        filename: String,
        destination: String,
    ) -> Result<wit::Download> {
        let answer = calls::download_task_output(&self.env, id, &filename, &destination)
            .map(download)
            .map_err(error);
        self.answer(answer)
    }
}
