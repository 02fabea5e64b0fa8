use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

/// What a mounted directory is, so a phase can find e.g. "the repos for x86_64".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountRole {
    Compose,
    Work,
    Logs,
    Config,
    PackageRepo {
        arch: String,
        index: u32,
        source: String,
    },
    /// A directory of earlier composes given with `--old-composes`.
    OldComposes {
        index: u32,
        source: String,
    },
    /// A repository of `gather_lookaside_repos`.
    Lookaside {
        index: u32,
        source: String,
    },
}

/// One directory a phase sees: its virtual path, the real path behind it, and whether it
/// may write there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountGrant {
    pub guest: String,
    pub host: PathBuf,
    pub writable: bool,
    pub role: MountRole,
}

/// Resource limits of one phase run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub memory_bytes: u64,
    pub time: Duration,
    pub output_bytes: u64,
}

/// Everything one phase run may do, and nothing more. Built only by
/// [`super::grant_for`]; every capability provider checks against it.
/// The default grant allows nothing at all.
#[derive(Debug, Clone, Default)]
pub struct Grant {
    pub phase: String,
    pub mounts: Vec<MountGrant>,
    pub commands: BTreeSet<String>,
    /// Programs granted with argument patterns only: program -> patterns.
    pub command_args: BTreeMap<String, Vec<String>>,
    pub metadata_read: BTreeSet<String>,
    pub metadata_write: BTreeSet<String>,
    pub command_env: BTreeSet<String>,
    pub hardlink_read_only: bool,
    /// Its commands run outside the command jail (the policy said `jail = false`);
    /// `false`, the default, jails them.
    pub unjailed: bool,
    pub limits: Limits,
    /// The Koji methods it may call, on the compose's hub.
    pub koji: crate::capabilities::koji::KojiGrant,
}
