use std::collections::{BTreeMap, BTreeSet};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;
use std::sync::Arc;
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
    /// Where the host reaches the directory: once [`pinned`](Self::pinned), the open
    /// directory itself, through `/proc/self/fd`.
    pub host: PathBuf,
    pub writable: bool,
    pub role: MountRole,
    /// The directory held open for the phase's run (see `capabilities::mount_roots`).
    pub pinned: Option<PinnedRoot>,
}

/// A mount's root directory, opened once when the phase starts and held for its run.
/// Every later use (WASI's preopen, the host's own opens, the jail's bind) reaches this
/// directory, whatever another phase renames or replaces in its path meanwhile.
#[derive(Debug, Clone)]
pub struct PinnedRoot(Arc<OwnedFd>);

impl PinnedRoot {
    pub fn new(directory: OwnedFd) -> Self {
        PinnedRoot(Arc::new(directory))
    }

    /// The directory as a path of this process: opening it reopens the directory itself,
    /// never a name that could have changed.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(format!("/proc/self/fd/{}", self.0.as_raw_fd()))
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// Two pins are equal when they hold the same open directory.
impl PartialEq for PinnedRoot {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for PinnedRoot {}

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
