//! `pungi:phase@0.1.2`, which also runs components built against 0.1.0 and 0.1.1:
//! wasmtime's linker satisfies an import of `pungi:phase/x@0.1.0` with this version's
//! `x@0.1.2` (semver-compatible), and 0.1.1 and 0.1.2 only added functions and a
//! resource.

use wasmtime::component::{HasSelf, Linker, Resource};

use crate::capabilities::files::BatchResult;
use crate::capabilities::link_jobs::LinkJob;
use crate::capabilities::{self, HostError as NativeError, command as cmd, files as fs};
use crate::policy::{MountGrant, MountRole};
use crate::runtime::PhaseHost;

wasmtime::component::bindgen!({
    path: "../wit/since_v0.1.2",
    world: "phase",
    // Every import may stop the phase: one that logs past its log limit, and one whose
    // calls were denied `DENIED_CALL_LIMIT` times (see `PhaseHost::answer`).
    imports: { default: trappable },
    with: {
        "pungi:phase/files.link-job": crate::capabilities::link_jobs::LinkJob,
    },
});

use pungi::phase::{command, compose, config, files, log, metadata, progress, types};

mod koji;

/// The WIT package version this module implements.
pub const VERSION: &str = "0.1.2";

/// Adds every `pungi:phase@0.1.2` import (and so every 0.1.0 and 0.1.1 one) to `linker`.
pub fn add_to_linker(linker: &mut Linker<PhaseHost>) -> wasmtime::Result<()> {
    Phase::add_to_linker::<_, HasSelf<PhaseHost>>(linker, |host| host)
}

fn wit_error(error: NativeError) -> types::HostError {
    match error {
        NativeError::Denied(m) => types::HostError::Denied(m),
        NativeError::NotFound(m) => types::HostError::NotFound(m),
        NativeError::Invalid(m) => types::HostError::Invalid(m),
        NativeError::Io(m) => types::HostError::Io(m),
        NativeError::Timeout(m) => types::HostError::Timeout(m),
    }
}

fn wit_link_kind(kind: fs::LinkKind) -> files::LinkKind {
    match kind {
        fs::LinkKind::Hardlink => files::LinkKind::Hardlink,
        fs::LinkKind::Copy => files::LinkKind::Copy,
        fs::LinkKind::Existing => files::LinkKind::Existing,
    }
}

/// `(source, destination)` pairs, as [`fs::link_many`] takes them.
fn native_pairs(requests: Vec<files::LinkRequest>) -> Vec<(String, String)> {
    requests
        .into_iter()
        .map(|r| (r.source, r.destination))
        .collect()
}

fn wit_link_results(results: BatchResult) -> WitLinkResults {
    fs::translate_batch(results, wit_link_kind, wit_error)
}

/// What `link-many` and `link-job.finish` answer.
type WitLinkResults = Result<Vec<Result<files::LinkKind, types::HostError>>, types::HostError>;

/// What a fallible import answers, or the trap that stops the phase.
type Answer<T> = wasmtime::Result<Result<T, types::HostError>>;

impl PhaseHost {
    /// A host call's answer, or the trap that stops a phase whose calls (its link
    /// worker's included) were denied `DENIED_CALL_LIMIT` times: checked after every
    /// call, so the call that reaches the limit is the phase's last.
    fn answer<T>(&self, value: T) -> wasmtime::Result<T> {
        if self.env.denied_calls_exhausted() {
            return Err(wasmtime::format_err!(
                "{}",
                crate::runtime::DENIED_LIMIT_TRAP
            ));
        }
        Ok(value)
    }
}

impl types::Host for PhaseHost {}

impl compose::Host for PhaseHost {
    fn info(&mut self) -> wasmtime::Result<compose::ComposeInfo> {
        let facts = capabilities::compose::info(&self.env);
        self.answer(compose::ComposeInfo {
            id: facts.id.clone(),
            label: facts.label.clone(),
            date: facts.date.clone(),
            respin: facts.respin,
            compose_type: facts.compose_type.clone(),
            release_name: facts.release_name.clone(),
            release_short: facts.release_short.clone(),
            release_version: facts.release_version.clone(),
            release_type: facts.release_type.clone(),
            arches: facts.arches.clone(),
            variants: facts
                .variants
                .iter()
                .map(|v| compose::VariantInfo {
                    uid: v.uid.clone(),
                    id: v.id.clone(),
                    name: v.name.clone(),
                    kind: v.kind.clone(),
                    arches: v.arches.clone(),
                    parent: v.parent.clone(),
                    groups: v
                        .groups
                        .iter()
                        .map(|g| compose::GroupRef {
                            id: g.id.clone(),
                            glob: g.glob,
                            is_default: g.is_default,
                            uservisible: g.uservisible,
                        })
                        .collect(),
                    environments: v.environments.clone(),
                })
                .collect(),
        })
    }

    fn mounts(&mut self) -> wasmtime::Result<Vec<compose::Mount>> {
        self.answer(
            capabilities::compose::mounts(&self.env)
                .iter()
                .filter_map(wit_mount)
                .collect(),
        )
    }
}

/// A mount as 0.1 reports it. Its `mount-role` has no case for `--old-composes`
/// directories or lookaside repositories (a new case would break every 0.1 component),
/// so those are left out of the list; they are still preopened at `/old-composes/<index>`
/// and `/lookaside/<index>`, which is documented.
fn wit_mount(mount: &MountGrant) -> Option<compose::Mount> {
    let role = match &mount.role {
        MountRole::Compose => compose::MountRole::Compose,
        MountRole::Work => compose::MountRole::Work,
        MountRole::Logs => compose::MountRole::Logs,
        MountRole::Config => compose::MountRole::Config,
        MountRole::PackageRepo {
            arch,
            index,
            source,
        } => compose::MountRole::PackageRepo(compose::RepoMount {
            arch: arch.clone(),
            index: *index,
            source: source.clone(),
        }),
        MountRole::OldComposes { .. } | MountRole::Lookaside { .. } => return None,
    };
    Some(compose::Mount {
        path: mount.guest.clone(),
        writable: mount.writable,
        role,
    })
}

impl config::Host for PhaseHost {
    fn all(&mut self) -> wasmtime::Result<String> {
        self.answer(capabilities::config::all(&self.env).unwrap_or_else(|_| "{}".to_owned()))
    }

    fn get(&mut self, name: String) -> wasmtime::Result<Option<String>> {
        self.answer(capabilities::config::get(&self.env, &name).ok().flatten())
    }
}

impl metadata::Host for PhaseHost {
    fn read(&mut self, name: String) -> Answer<String> {
        self.answer(capabilities::metadata::read(&self.env, &name).map_err(wit_error))
    }

    fn write(&mut self, name: String, document: String) -> Answer<()> {
        self.answer(capabilities::metadata::write(&self.env, &name, &document).map_err(wit_error))
    }

    fn names(&mut self) -> wasmtime::Result<Vec<String>> {
        self.answer(capabilities::metadata::names(&self.env))
    }
}

impl command::Host for PhaseHost {
    fn run(&mut self, invocation: command::Invocation) -> Answer<command::Output> {
        let native = cmd::Invocation {
            program: invocation.program,
            args: invocation.args,
            cwd: invocation.cwd,
            env: invocation.env,
            timeout: invocation.timeout_ms.map(std::time::Duration::from_millis),
        };
        let output = cmd::run(&self.env, &native)
            .map(|out| command::Output {
                exit_code: out.exit_code,
                stdout: out.stdout,
                stderr: out.stderr,
                truncated: out.truncated,
            })
            .map_err(wit_error);
        self.answer(output)
    }
}

impl files::Host for PhaseHost {
    fn link(&mut self, source: String, destination: String) -> Answer<files::LinkKind> {
        let kind = fs::link(&self.env, &source, &destination)
            .map(wit_link_kind)
            .map_err(wit_error);
        self.answer(kind)
    }

    fn link_many(&mut self, requests: Vec<files::LinkRequest>) -> wasmtime::Result<WitLinkResults> {
        self.answer(wit_link_results(fs::link_many(
            &self.env,
            &native_pairs(requests),
        )))
    }

    fn start_links(&mut self, requests: Vec<files::LinkRequest>) -> Answer<Resource<LinkJob>> {
        let job = match self.links.start(&self.env, native_pairs(requests)) {
            Ok(job) => self
                .table
                .push(job)
                .map_err(|e| types::HostError::Io(format!("holding the link job: {e}"))),
            Err(error) => Err(wit_error(error)),
        };
        self.answer(job)
    }

    fn digest(
        &mut self,
        path: String,
        algorithms: Vec<files::DigestAlgorithm>,
    ) -> Answer<Vec<String>> {
        let algorithms: Vec<_> = algorithms
            .into_iter()
            .map(|a| match a {
                files::DigestAlgorithm::Md5 => fs::Algorithm::Md5,
                files::DigestAlgorithm::Sha1 => fs::Algorithm::Sha1,
                files::DigestAlgorithm::Sha224 => fs::Algorithm::Sha224,
                files::DigestAlgorithm::Sha256 => fs::Algorithm::Sha256,
                files::DigestAlgorithm::Sha384 => fs::Algorithm::Sha384,
                files::DigestAlgorithm::Sha512 => fs::Algorithm::Sha512,
            })
            .collect();
        let digests = fs::digest(&self.env, &path, &algorithms).map_err(wit_error);
        self.answer(digests)
    }
}

impl files::HostLinkJob for PhaseHost {
    fn finish(&mut self, job: Resource<LinkJob>) -> wasmtime::Result<WitLinkResults> {
        let results = match self.table.get_mut(&job) {
            Ok(job) => wit_link_results(job.finish()),
            Err(e) => Err(types::HostError::Invalid(format!("link job: {e}"))),
        };
        self.answer(results)
    }

    fn drop(&mut self, job: Resource<LinkJob>) -> wasmtime::Result<()> {
        self.table.delete(job)?;
        Ok(())
    }
}

impl log::Host for PhaseHost {
    fn write(&mut self, level: log::Level, message: String) -> wasmtime::Result<()> {
        self.logged += message.len() as u64;
        if self.logged > crate::runtime::log_limit(&self.env.grant.limits) {
            return Err(wasmtime::format_err!("{}", crate::runtime::LOG_LIMIT_TRAP));
        }
        let level = match level {
            log::Level::Trace => capabilities::log::Level::Trace,
            log::Level::Debug => capabilities::log::Level::Debug,
            log::Level::Info => capabilities::log::Level::Info,
            log::Level::Warn => capabilities::log::Level::Warn,
            log::Level::Error => capabilities::log::Level::Error,
        };
        capabilities::log::write(level, &message);
        self.answer(())
    }
}

impl progress::Host for PhaseHost {
    fn begin(&mut self, total: u64, message: String) -> wasmtime::Result<()> {
        self.env.progress.begin(total, &message);
        self.answer(())
    }

    fn advance(&mut self, delta: u64) -> wasmtime::Result<()> {
        self.env.progress.advance(delta);
        self.answer(())
    }

    fn finish(&mut self, message: String) -> wasmtime::Result<()> {
        self.env.progress.finish(&message);
        self.answer(())
    }
}
