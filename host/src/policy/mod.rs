//! Who may do what. [`Policy`] is what the user (or the stock defaults) allows each phase;
//! [`granter`] turns it into the concrete [`Grant`] one phase run gets.

mod custom;
mod grant;
mod granter;
mod pattern;
mod pin;
mod restricted;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use serde::Deserialize;

use crate::compose::HOST_LOG_DIRS;

pub use custom::grant_custom;
pub use grant::{Grant, Limits, MountGrant, MountRole, PinnedRoot};
pub use granter::{Locations, RepoLocation, grant_for};
pub use pattern::arg_matches;
pub use pin::{ComponentLock, PinError};
pub use restricted::widenings;

/// The stock least-privilege policy, in the same format users write.
pub const DEFAULT_POLICY: &str = include_str!("default.toml");

/// Read or read-write access to a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Access {
    #[serde(rename = "ro")]
    ReadOnly,
    #[serde(rename = "rw")]
    ReadWrite,
}

/// A compose location a policy can grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    Config,
    Repos,
    Compose,
    Work,
    Logs,
    /// The `--old-composes` directories, each at `/old-composes/<index>`; never writable.
    #[serde(rename = "old-composes")]
    OldComposes,
    /// The repositories of `gather_lookaside_repos`, each at `/lookaside/<index>`;
    /// never writable.
    Lookaside,
}

/// A directory of the compose granted at a virtual path of its own, narrower than a
/// whole location (e.g. only `compose/Server` for a phase that works on one variant).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MountPolicy {
    /// Where the phase sees it, e.g. `/server`.
    pub guest: String,
    /// Relative to the compose directory, e.g. `compose/Server`; no `..`.
    pub path: String,
    pub mode: Access,
}

/// One program a phase may run, with the only arguments it may pass: each argument must
/// match one of `args` (shell-style patterns, where `*` never matches an argument that
/// starts with `-`, so options cannot be injected through a wildcard).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandPolicy {
    pub program: String,
    pub args: Vec<String>,
}

/// What a phase's Koji `runroot` tasks may ask a builder to run: the channel and build
/// tag patterns the task may name, and the programs each `&&` step of its shell command
/// may run with the argument patterns of [`CommandPolicy`] (`>` allows a redirection).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunrootPolicy {
    pub channels: Vec<String>,
    pub tags: Vec<String>,
    pub commands: Vec<CommandPolicy>,
}

/// What one phase is allowed; unset limits come from `[defaults]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PhasePolicy {
    #[serde(default)]
    pub dirs: BTreeMap<Location, Access>,
    #[serde(default)]
    pub mounts: Vec<MountPolicy>,
    /// Programs it may run with any arguments (still confined to its mounts).
    #[serde(default)]
    pub commands: Vec<String>,
    /// Programs it may run with the listed arguments only.
    #[serde(default)]
    pub command: Vec<CommandPolicy>,
    #[serde(default)]
    pub metadata_read: Vec<String>,
    #[serde(default)]
    pub metadata_write: Vec<String>,
    /// Environment variables a phase may set for its commands; loader and search-path
    /// variables are refused even when listed.
    #[serde(default)]
    pub command_env: Vec<String>,
    /// Whether `files.link` may hardlink a file from a read-only mount into a writable
    /// one. A hardlink shares the file, so the phase could then change the source
    /// through it; without this, such links are copies.
    #[serde(default)]
    pub hardlink_read_only: bool,
    /// `false` runs its commands outside the command jail, natively with the host
    /// user's rights; unset or `true` jails them. Only an explicit `false` opts out, and
    /// `--restricted` refuses it.
    pub jail: Option<bool>,
    /// Koji hub methods it may call (`listTagged`, `getRPM`, ...; `download` for files
    /// under the hub's topdir/topurl). Any other call is denied.
    #[serde(default)]
    pub koji_methods: Vec<String>,
    /// What its `runroot` tasks may run; without it, none may be submitted.
    pub koji_runroot: Option<RunrootPolicy>,
    pub memory_mib: Option<u64>,
    pub time_seconds: Option<u64>,
    pub output_kib: Option<u64>,
}

/// Limits applied where a phase section sets none.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Defaults {
    pub memory_mib: u64,
    pub time_seconds: u64,
    pub output_kib: u64,
}

/// The whole policy: defaults plus one section per phase. A phase with no section gets
/// nothing at all (default deny).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub defaults: Defaults,
    #[serde(default)]
    pub phase: BTreeMap<String, PhasePolicy>,
}

impl Policy {
    /// The stock policy.
    pub fn stock() -> Self {
        Self::parse(DEFAULT_POLICY, Path::new("<built-in policy>"))
            .expect("the built-in policy is valid (checked by a test)")
    }

    /// The stock policy with the sections of the file at `path` laid over it: a phase
    /// section there replaces the stock one, `[defaults]` replaces the defaults.
    pub fn stock_with_overrides(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading policy file {}", path.display()))?;
        let overrides: PolicyOverrides =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let mut policy = Self::stock();
        if let Some(defaults) = overrides.defaults {
            policy.defaults = defaults;
        }
        policy.phase.extend(overrides.phase);
        policy.check(path)?;
        Ok(policy)
    }

    fn parse(text: &str, origin: &Path) -> anyhow::Result<Self> {
        let policy: Policy =
            toml::from_str(text).map_err(|e| anyhow::anyhow!("{}: {e}", origin.display()))?;
        policy.check(origin)?;
        Ok(policy)
    }

    /// Mount paths stay inside the compose and guests are absolute.
    fn check(&self, origin: &Path) -> anyhow::Result<()> {
        for (phase, section) in &self.phase {
            for mount in &section.mounts {
                let escapes = mount.path.starts_with('/')
                    || mount.path.split('/').any(|p| matches!(p, "" | "." | ".."));
                if escapes || !mount.guest.starts_with('/') || mount.guest == "/" {
                    anyhow::bail!(
                        "{}: phase `{phase}`: mount {:?} at {:?} must be a compose-relative path without `..` at an absolute virtual path",
                        origin.display(),
                        mount.path,
                        mount.guest
                    );
                }
                if !mountable(&mount.path) {
                    anyhow::bail!(
                        "{}: phase `{phase}`: mount {:?} is not a directory a phase may be given: \
                         mount paths start with `compose/`, `work/` or `logs/<name>/` (not \
                         `logs/global`, the host's logs and audit log, nor `state/`)",
                        origin.display(),
                        mount.path
                    );
                }
            }
        }
        Ok(())
    }

    /// The section for `phase`, or an empty one (no directories, no commands, no
    /// documents) when the policy does not name it.
    pub fn for_phase(&self, phase: &str) -> PhasePolicy {
        self.phase.get(phase).cloned().unwrap_or_default()
    }
}

/// Whether a compose-relative `path` may be mounted into a phase: inside `compose/` or
/// `work/` (or either whole), or a phase log directory `logs/<name>/...`, never one the
/// host writes itself ([`HOST_LOG_DIRS`]). The host's state and logs are never mounted.
fn mountable(path: &str) -> bool {
    let mut parts = path.split('/');
    match (parts.next(), parts.next()) {
        (Some("compose" | "work"), _) => true,
        (Some("logs"), Some(name)) => !HOST_LOG_DIRS.contains(&name),
        _ => false,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyOverrides {
    defaults: Option<Defaults>,
    #[serde(default)]
    phase: BTreeMap<String, PhasePolicy>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_policy_parses_and_grants_least() {
        let policy = Policy::stock();
        let init = policy.for_phase("init");
        assert_eq!(init.dirs.get(&Location::Config), Some(&Access::ReadOnly));
        assert!(!init.dirs.contains_key(&Location::Compose));
        assert!(policy.for_phase("no-such-phase").dirs.is_empty());
    }

    #[test]
    fn override_file_replaces_a_section_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.toml");
        std::fs::write(&path, "[phase.init]\ndirs = { work = \"ro\" }\n").unwrap();
        let policy = Policy::stock_with_overrides(&path).unwrap();
        assert_eq!(policy.for_phase("init").dirs.len(), 1);
        assert!(!policy.for_phase("gather").dirs.is_empty());

        std::fs::write(&path, "[phase.init]\ndirz = {}\n").unwrap();
        let err = Policy::stock_with_overrides(&path).unwrap_err().to_string();
        assert!(err.contains("policy.toml") && err.contains("dirz"), "{err}");
    }

    #[test]
    fn the_hosts_state_and_logs_are_never_mounted() {
        // `.` parts are refused like `..`: `logs/./global` is the host's logs.
        let dir = tempfile::tempdir().unwrap();
        let dotted = dir.path().join("dotted.toml");
        std::fs::write(
            &dotted,
            "[phase.custom]\nmounts = [{ guest = \"/x\", path = \"logs/./global\", mode = \"rw\" }]\n",
        )
        .unwrap();
        let error = Policy::stock_with_overrides(&dotted)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("logs/./global") && error.contains("phase `custom`"),
            "{error}"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.toml");
        let with_mount = |mount_path: &str| {
            let text = format!(
                "[phase.custom]\nmounts = [{{ guest = \"/x\", path = \"{mount_path}\", mode = \"rw\" }}]\n"
            );
            std::fs::write(&path, text).unwrap();
            Policy::stock_with_overrides(&path).map(|_| ())
        };
        for allowed in [
            "compose/Server",
            "work",
            "logs/custom",
            "logs/custom/deeper",
        ] {
            assert!(with_mount(allowed).is_ok(), "{allowed}");
        }
        for refused in [
            "state",
            "state/documents",
            "logs",
            "logs/global",
            "logs/global/x",
            "logs/notifications",
            "x",
        ] {
            let error = with_mount(refused).unwrap_err().to_string();
            assert!(
                error.contains("policy.toml")
                    && error.contains("phase `custom`")
                    && error.contains("logs/global"),
                "{refused}: {error}"
            );
        }
    }
}
