use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The directories of `logs/` the host writes itself ([`ComposeLayout::global_logs`],
/// [`ComposeLayout::notification_logs`]); every other `logs/<name>` is a phase's, which
/// is why no phase may be named after one of these or mount one.
pub const HOST_LOG_DIRS: &[&str] = &["global", "notifications"];

/// The directories of one compose: `<target>/<compose id>/{compose,work,logs}` and the
/// places the host writes inside them.
#[derive(Debug, Clone)]
pub struct ComposeLayout {
    pub topdir: PathBuf,
}

impl ComposeLayout {
    /// Creates a new compose directory; refuses to reuse an existing one. The paths are
    /// absolute, because commands run in other working directories than the host's.
    pub fn create(target_dir: &Path, compose_id: &str) -> anyhow::Result<Self> {
        std::fs::create_dir_all(target_dir)
            .with_context(|| format!("creating target directory {}", target_dir.display()))?;
        let target_dir = target_dir
            .canonicalize()
            .with_context(|| format!("resolving {}", target_dir.display()))?;
        let topdir = target_dir.join(compose_id);
        std::fs::create_dir(&topdir)
            .with_context(|| format!("creating compose directory {}", topdir.display()))?;
        ComposeLayout { topdir }.with_directories()
    }

    /// The compose directory `topdir` itself (`--compose-dir`), created when missing and
    /// reused when it exists, as `pungi-koji` does.
    pub fn at(topdir: &Path) -> anyhow::Result<Self> {
        if topdir.exists() && !topdir.is_dir() {
            anyhow::bail!("--compose-dir {}: not a directory", topdir.display());
        }
        std::fs::create_dir_all(topdir)
            .with_context(|| format!("creating compose directory {}", topdir.display()))?;
        Self::reopen(topdir)
    }

    /// An existing compose directory (to continue it), with its directories made whole.
    pub fn reopen(topdir: &Path) -> anyhow::Result<Self> {
        let topdir = topdir
            .canonicalize()
            .with_context(|| format!("compose directory {}", topdir.display()))?;
        ComposeLayout { topdir }.with_directories()
    }

    fn with_directories(self) -> anyhow::Result<Self> {
        let layout = self;
        for dir in [
            layout.compose(),
            layout.metadata(),
            layout.work(),
            layout.documents(),
            layout.logs(),
            layout.global_logs(),
        ] {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        Ok(layout)
    }

    pub fn compose(&self) -> PathBuf {
        self.topdir.join("compose")
    }

    pub fn metadata(&self) -> PathBuf {
        self.compose().join("metadata")
    }

    pub fn work(&self) -> PathBuf {
        self.topdir.join("work")
    }

    /// The host's own state: never mounted into a phase, so no phase can change it
    /// except through the audited capabilities.
    pub fn state(&self) -> PathBuf {
        self.topdir.join("state")
    }

    /// Where the `metadata` capability keeps the documents phases hand on.
    pub fn documents(&self) -> PathBuf {
        self.state().join("documents")
    }

    /// What each phase finished with, for `--restart`.
    pub fn phase_state(&self) -> PathBuf {
        self.state().join("phase-state.json")
    }

    /// The audit log's head (record count and last hash): in `state/`, which no phase
    /// can mount, so a phase that could reach the log still could not make a rewritten
    /// log match it.
    pub fn audit_head(&self) -> PathBuf {
        self.state().join("audit-head.json")
    }

    pub fn logs(&self) -> PathBuf {
        self.topdir.join("logs")
    }

    pub fn global_logs(&self) -> PathBuf {
        self.logs().join("global")
    }

    /// Where the notification scripts' output goes (`pungi-koji`'s place for it).
    pub fn notification_logs(&self) -> PathBuf {
        self.logs().join("notifications")
    }

    pub fn audit_log(&self) -> PathBuf {
        self.global_logs().join("audit.jsonl")
    }

    /// The sha256 of every component that ran, in lock-file format, for auditors.
    pub fn components_lock(&self) -> PathBuf {
        self.global_logs().join("components.lock")
    }

    pub fn status_file(&self) -> PathBuf {
        self.topdir.join("STATUS")
    }
}
