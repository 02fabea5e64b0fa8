//! The stock phases run natively: the same Rust code as the components, linked into this
//! binary, answering host calls through the same capability providers, with mounts whose
//! virtual paths are their real paths. What it costs less than the Wasm run is the price
//! of the sandbox.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pungi_host::capabilities::files::BatchResult;
use pungi_host::capabilities::link_jobs::{LinkJob, LinkWorker};
use pungi_host::capabilities::{self, HostError, PhaseEnv, command, files, log};
use pungi_host::policy::{MountGrant, MountRole};
use pungi_phase_sdk::bindings::pungi::phase::compose::MountRole as SdkRole;
use pungi_phase_sdk::bindings::pungi::phase::log::Level;
use pungi_phase_sdk::bindings::pungi::phase::types::HostError as SdkError;
use pungi_phase_sdk::bindings::pungi::phase::types::{PhaseError, Summary};
use pungi_phase_sdk::{
    CommandOutput, ComposeInfo, DigestAlgorithm, GroupRef, Invocation, LinkKind, LinkRequest,
    LinkResults, Mount, NativeHost, RepoMount, VariantInfo,
};

/// A phase's native entry point.
pub type NativeRun = fn() -> Result<Summary, PhaseError>;

/// The natively linked stock phases, by name.
pub fn native_phase(name: &str) -> Option<NativeRun> {
    Some(match name {
        "init" => pungi_phase_init::run_native,
        "pkgset" => pungi_phase_pkgset::run_native,
        "gather" => pungi_phase_gather::run_native,
        "extra_files" => pungi_phase_extra_files::run_native,
        "createrepo" => pungi_phase_createrepo::run_native,
        "productimg" => pungi_phase_productimg::run_native,
        "createiso" => pungi_phase_createiso::run_native,
        "image_checksum" => pungi_phase_image_checksum::run_native,
        "test" => pungi_phase_test::run_native,
        _ => return None,
    })
}

/// One native phase run: wall and CPU time.
pub struct NativeTiming {
    pub wall: Duration,
    pub cpu: Duration,
}

/// Runs `phase` natively with `env` (whose mounts are made identity mounts first).
pub fn run(phase: NativeRun, env: PhaseEnv) -> anyhow::Result<NativeTiming> {
    run_with_counts(phase, env).map(|(timing, _)| timing)
}

/// [`run`], also returning the counters of the phase's summary.
pub fn run_with_counts(
    phase: NativeRun,
    mut env: PhaseEnv,
) -> anyhow::Result<(NativeTiming, Vec<(String, u64)>)> {
    for mount in &mut env.grant.mounts {
        mount.guest = mount.host.display().to_string();
    }
    let native = Arc::new(Native {
        env,
        links: Mutex::default(),
    });
    pungi_phase_sdk::install_native_host(native.clone());
    let cpu = pungi_host::runtime::process_cpu_time();
    let started = Instant::now();
    let result = phase();
    // As the sandbox does: links left in the background are part of the phase's work.
    native.lock_links().worker.drain();
    let timing = NativeTiming {
        wall: started.elapsed(),
        cpu: pungi_host::runtime::process_cpu_time().saturating_sub(cpu),
    };
    match result {
        Ok(summary) => Ok((timing, summary.counts)),
        Err(error) => anyhow::bail!("native phase failed: {}", error.message),
    }
}

struct Native {
    env: PhaseEnv,
    links: Mutex<NativeLinks>,
}

/// `files.start-links` natively: the host's own worker, and the jobs by number.
#[derive(Default)]
struct NativeLinks {
    worker: LinkWorker,
    jobs: HashMap<u64, LinkJob>,
    next: u64,
}

impl Native {
    fn lock_links(&self) -> std::sync::MutexGuard<'_, NativeLinks> {
        self.links.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn native_pairs(requests: &[LinkRequest]) -> Vec<(String, String)> {
    requests
        .iter()
        .map(|r| (r.source.clone(), r.destination.clone()))
        .collect()
}

fn sdk_link_results(results: BatchResult) -> LinkResults {
    files::translate_batch(results, sdk_link_kind, sdk_error)
}

fn sdk_error(error: HostError) -> SdkError {
    match error {
        HostError::Denied(m) => SdkError::Denied(m),
        HostError::NotFound(m) => SdkError::NotFound(m),
        HostError::Invalid(m) => SdkError::Invalid(m),
        HostError::Io(m) => SdkError::Io(m),
        HostError::Timeout(m) => SdkError::Timeout(m),
    }
}

/// A mount as the SDK's 0.1 types report it (no role for `--old-composes` or lookaside
/// repositories).
fn sdk_mount(mount: &MountGrant) -> Option<Mount> {
    let role = match &mount.role {
        MountRole::Compose => SdkRole::Compose,
        MountRole::Work => SdkRole::Work,
        MountRole::Logs => SdkRole::Logs,
        MountRole::Config => SdkRole::Config,
        MountRole::PackageRepo {
            arch,
            index,
            source,
        } => SdkRole::PackageRepo(RepoMount {
            arch: arch.clone(),
            index: *index,
            source: source.clone(),
        }),
        MountRole::OldComposes { .. } | MountRole::Lookaside { .. } => return None,
    };
    Some(Mount {
        path: mount.guest.clone(),
        writable: mount.writable,
        role,
    })
}

impl NativeHost for Native {
    fn info(&self) -> ComposeInfo {
        let f = capabilities::compose::info(&self.env);
        ComposeInfo {
            id: f.id.clone(),
            label: f.label.clone(),
            date: f.date.clone(),
            respin: f.respin,
            compose_type: f.compose_type.clone(),
            release_name: f.release_name.clone(),
            release_short: f.release_short.clone(),
            release_version: f.release_version.clone(),
            release_type: f.release_type.clone(),
            arches: f.arches.clone(),
            variants: f
                .variants
                .iter()
                .map(|v| VariantInfo {
                    uid: v.uid.clone(),
                    id: v.id.clone(),
                    name: v.name.clone(),
                    kind: v.kind.clone(),
                    arches: v.arches.clone(),
                    parent: v.parent.clone(),
                    groups: v
                        .groups
                        .iter()
                        .map(|g| GroupRef {
                            id: g.id.clone(),
                            glob: g.glob,
                            is_default: g.is_default,
                            uservisible: g.uservisible,
                        })
                        .collect(),
                    environments: v.environments.clone(),
                })
                .collect(),
        }
    }

    fn mounts(&self) -> Vec<Mount> {
        self.env.grant.mounts.iter().filter_map(sdk_mount).collect()
    }

    fn config_get(&self, name: &str) -> Option<String> {
        capabilities::config::get(&self.env, name).ok().flatten()
    }

    fn metadata_read(&self, name: &str) -> Result<String, SdkError> {
        capabilities::metadata::read(&self.env, name).map_err(sdk_error)
    }

    fn metadata_write(&self, name: &str, document: &str) -> Result<(), SdkError> {
        capabilities::metadata::write(&self.env, name, document).map_err(sdk_error)
    }

    fn command_run(&self, invocation: &Invocation) -> Result<CommandOutput, SdkError> {
        let native = command::Invocation {
            program: invocation.program.clone(),
            args: invocation.args.clone(),
            cwd: invocation.cwd.clone(),
            env: invocation.env.clone(),
            timeout: invocation.timeout_ms.map(Duration::from_millis),
        };
        command::run(&self.env, &native)
            .map(|out| CommandOutput {
                exit_code: out.exit_code,
                stdout: out.stdout,
                stderr: out.stderr,
                truncated: out.truncated,
            })
            .map_err(sdk_error)
    }

    fn files_link(&self, source: &str, destination: &str) -> Result<LinkKind, SdkError> {
        files::link(&self.env, source, destination)
            .map(sdk_link_kind)
            .map_err(sdk_error)
    }

    fn files_link_many(&self, requests: &[LinkRequest]) -> LinkResults {
        sdk_link_results(files::link_many(&self.env, &native_pairs(requests)))
    }

    fn files_start_links(&self, requests: &[LinkRequest]) -> Result<u64, SdkError> {
        let mut links = self.lock_links();
        let job = links
            .worker
            .start(&self.env, native_pairs(requests))
            .map_err(sdk_error)?;
        links.next += 1;
        let number = links.next;
        links.jobs.insert(number, job);
        Ok(number)
    }

    fn files_finish_links(&self, number: u64) -> LinkResults {
        let job = self.lock_links().jobs.remove(&number);
        let mut job = job.ok_or_else(|| SdkError::Invalid(format!("no link job {number}")))?;
        sdk_link_results(job.finish())
    }

    fn files_digest(
        &self,
        path: &str,
        algorithms: &[DigestAlgorithm],
    ) -> Result<Vec<String>, SdkError> {
        let algorithms: Vec<_> = algorithms
            .iter()
            .map(|a| match a {
                DigestAlgorithm::Md5 => files::Algorithm::Md5,
                DigestAlgorithm::Sha1 => files::Algorithm::Sha1,
                DigestAlgorithm::Sha224 => files::Algorithm::Sha224,
                DigestAlgorithm::Sha256 => files::Algorithm::Sha256,
                DigestAlgorithm::Sha384 => files::Algorithm::Sha384,
                DigestAlgorithm::Sha512 => files::Algorithm::Sha512,
            })
            .collect();
        files::digest(&self.env, path, &algorithms).map_err(sdk_error)
    }

    fn log(&self, level: Level, message: &str) {
        let level = match level {
            Level::Trace => log::Level::Trace,
            Level::Debug => log::Level::Debug,
            Level::Info => log::Level::Info,
            Level::Warn => log::Level::Warn,
            Level::Error => log::Level::Error,
        };
        log::write(level, message);
    }

    fn progress_begin(&self, total: u64, message: &str) {
        self.env.progress.begin(total, message);
    }

    fn progress_advance(&self, delta: u64) {
        self.env.progress.advance(delta);
    }

    fn progress_finish(&self, message: &str) {
        self.env.progress.finish(message);
    }
}

fn sdk_link_kind(kind: files::LinkKind) -> LinkKind {
    match kind {
        files::LinkKind::Hardlink => LinkKind::Hardlink,
        files::LinkKind::Copy => LinkKind::Copy,
        files::LinkKind::Existing => LinkKind::Existing,
    }
}
