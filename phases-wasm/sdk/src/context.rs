use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::documents::Document;
use crate::links::{BATCH, BackgroundLinks, check};
use crate::old_compose::{OldCompose, find_old_compose, old_compose_dirs};
use crate::{
    Command, CommandOutput, ComposeInfo, DigestAlgorithm, Invocation, LinkKind, LinkRequest, Mount,
    MountRole, PhaseError, host,
};

/// Typed access to everything the host offers a phase. Each call may be denied by the
/// policy; the error says which call failed and why.
pub struct Context {
    _private: (),
}

impl Context {
    pub(crate) fn new() -> Self {
        Context { _private: () }
    }

    /// The compose identity, release and variants.
    pub fn info(&self) -> ComposeInfo {
        host::info()
    }

    /// The directories this phase may open, under the virtual paths it sees.
    pub fn mounts(&self) -> Vec<Mount> {
        host::mounts()
    }

    /// The virtual path of a mount with a fixed role (compose, work, logs, config).
    pub fn mount_path(&self, role: &MountRole) -> Result<String, PhaseError> {
        self.mounts()
            .into_iter()
            .find(|m| std::mem::discriminant(&m.role) == std::mem::discriminant(role))
            .map(|m| m.path)
            .ok_or_else(|| {
                PhaseError::config(format!("no {role:?} directory is granted to this phase"))
            })
    }

    /// A config option, deserialized; `None` when the config does not set it.
    pub fn option<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, PhaseError> {
        host::config_get(name)
            .map(|json| {
                serde_json::from_str(&json)
                    .map_err(|e| PhaseError::config(format!("option `{name}`: {e}")))
            })
            .transpose()
    }

    /// A config option, or `default` when the config does not set it.
    pub fn option_or<T: DeserializeOwned>(&self, name: &str, default: T) -> Result<T, PhaseError> {
        Ok(self.option(name)?.unwrap_or(default))
    }

    /// A custom phase's own section: the `config` of its entry in `custom_phases`, which
    /// the host serves to that phase alone as option `phase_config`; `None` when the
    /// entry has none.
    pub fn phase_config<T: DeserializeOwned>(&self) -> Result<Option<T>, PhaseError> {
        self.option("phase_config")
    }

    /// A metadata document written by an earlier phase.
    pub fn read_document<T: DeserializeOwned>(&self, name: &str) -> Result<T, PhaseError> {
        let json = host::metadata_read(name)
            .map_err(|e| PhaseError::host(format_args!("reading document `{name}`"), e))?;
        serde_json::from_str(&json).map_err(|e| {
            PhaseError::input(format!(
                "document `{name}` is not what this phase expects: {e}"
            ))
        })
    }

    /// A metadata document, or `None` when no phase has written it yet.
    pub fn try_read_document<T: DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<T>, PhaseError> {
        match host::metadata_read(name) {
            Ok(json) => serde_json::from_str(&json).map(Some).map_err(|e| {
                PhaseError::input(format!(
                    "document `{name}` is not what this phase expects: {e}"
                ))
            }),
            Err(crate::HostError::NotFound(_)) => Ok(None),
            Err(e) => Err(PhaseError::host(
                format_args!("reading document `{name}`"),
                e,
            )),
        }
    }

    /// Writes (replaces) a metadata document for later phases.
    pub fn write_document<T: Serialize>(&self, name: &str, value: &T) -> Result<(), PhaseError> {
        let json = serde_json::to_string(value)
            .map_err(|e| PhaseError::internal(format!("serializing document `{name}`: {e}")))?;
        host::metadata_write(name, &json)
            .map_err(|e| PhaseError::host(format_args!("writing document `{name}`"), e))
    }

    /// A stock document, typed: `ctx.read::<GatherDocument>()`.
    pub fn read<D: Document>(&self) -> Result<D, PhaseError> {
        self.read_document(D::NAME)
    }

    /// A stock document, or `None` when the phase that writes it did not run.
    pub fn try_read<D: Document>(&self) -> Result<Option<D>, PhaseError> {
        self.try_read_document(D::NAME)
    }

    /// Writes (replaces) a stock document.
    pub fn write<D: Document>(&self, document: &D) -> Result<(), PhaseError> {
        self.write_document(D::NAME, document)
    }

    /// Runs a program built with [`Command`]. A non-zero exit is not an error here:
    /// check [`CommandOutput::success`], or use [`Context::run_checked`].
    pub fn run(&self, command: &Command) -> Result<CommandOutput, PhaseError> {
        self.run_command(command.invocation())
    }

    /// Runs a program and fails with its exit status and standard error unless it
    /// exits with 0.
    pub fn run_checked(&self, command: &Command) -> Result<CommandOutput, PhaseError> {
        let output = self.run(command)?;
        if output.success() {
            return Ok(output);
        }
        let status = output
            .exit_code
            .map_or("was killed".to_owned(), |c| format!("exited with {c}"));
        Err(PhaseError::input(format!(
            "`{} {}` {status}: {}",
            command.invocation().program,
            command.invocation().args.join(" "),
            output.stderr_text().trim()
        )))
    }

    /// The newest finished compose of this release under the `--old-composes`
    /// directories (Pungi's `find_old_compose`), or `None` when there is none or the
    /// policy does not grant `old-composes`. See [`crate::old_compose`].
    pub fn old_compose(&self) -> Result<Option<OldCompose>, PhaseError> {
        find_old_compose(&self.info(), &old_compose_dirs())
    }

    /// Runs an allow-listed program. A non-zero exit is not an error here: check
    /// `exit_code`.
    pub fn run_command(&self, invocation: &Invocation) -> Result<CommandOutput, PhaseError> {
        host::command_run(invocation)
            .map_err(|e| PhaseError::host(format_args!("running `{}`", invocation.program), e))
    }

    /// Hardlinks (or copies across devices) `source` to `destination`.
    pub fn link(&self, source: &str, destination: &str) -> Result<LinkKind, PhaseError> {
        host::files_link(source, destination)
            .map_err(|e| PhaseError::host(format_args!("linking {source} to {destination}"), e))
    }

    /// Places many files at once, each as [`Context::link`] would: one host call and one
    /// audit record per batch of `(source, destination)` pairs, so placing a whole
    /// distribution costs hundreds of calls rather than hundreds of thousands. The first
    /// failure is the error, naming its file; the files before it are placed.
    pub fn link_many(&self, pairs: Vec<(String, String)>) -> Result<(), PhaseError> {
        let mut pairs = pairs.into_iter().peekable();
        while pairs.peek().is_some() {
            let requests: Vec<LinkRequest> = pairs
                .by_ref()
                .take(BATCH)
                .map(|(source, destination)| LinkRequest {
                    source,
                    destination,
                })
                .collect();
            check(&requests, host::files_link_many(&requests))?;
        }
        Ok(())
    }

    /// Places files as [`Context::link_many`] does, but in the background: the host
    /// links each batch on a thread of its own while the phase goes on, so placing
    /// hundreds of thousands of packages overlaps the phase's work instead of adding
    /// to it. Push files as they are decided; `finish` before relying on them.
    pub fn background_links(&self) -> BackgroundLinks {
        BackgroundLinks::default()
    }

    /// Hex digests of a file, one per algorithm, computed natively in one read.
    pub fn digest(
        &self,
        path: &str,
        algorithms: &[DigestAlgorithm],
    ) -> Result<Vec<String>, PhaseError> {
        host::files_digest(path, algorithms)
            .map_err(|e| PhaseError::host(format_args!("hashing {path}"), e))
    }
}
