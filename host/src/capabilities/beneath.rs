//! Hardlinking with the kernel keeping every path walk inside its mount: each directory is
//! opened from the mount's root with `openat2(RESOLVE_BENEATH)`, which refuses `..` above
//! the root and symlinks that leave it in the same walk that opens the directory, so
//! there is no window between a check and the use. It replaces, for the hot path of
//! Gather (hundreds of thousands of links), the userspace check that resolves every
//! ancestor with `realpath` on each call.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

use super::files::LinkKind;
use super::paths::Resolved;

/// Why a link could not be made here.
#[derive(Debug)]
pub enum LinkError {
    /// The kernel has no `openat2` (before Linux 5.6): use the userspace check.
    Unsupported,
    /// Source and destination are on different file systems: copy instead.
    CrossesDevices,
    /// The source is missing.
    NotFound,
    /// The source is not a regular file.
    NotAFile,
    /// A walk left its mount (the kernel said `EXDEV` while resolving, or `ELOOP`).
    Escapes,
    Io(io::Error),
}

impl From<Errno> for LinkError {
    fn from(errno: Errno) -> Self {
        match errno {
            Errno::NOSYS => LinkError::Unsupported,
            Errno::XDEV => LinkError::CrossesDevices,
            Errno::NOENT => LinkError::NotFound,
            Errno::LOOP => LinkError::Escapes,
            other => LinkError::Io(other.into()),
        }
    }
}

/// Directories opened beneath their mount roots, kept for the next link (a batch puts
/// thousands of files into a few directories). An `O_PATH` descriptor names the
/// directory itself, so keeping one open cannot be turned into an escape by renaming or
/// replacing its path later.
#[derive(Default)]
pub struct Beneath {
    roots: HashMap<PathBuf, OwnedFd>,
    dirs: HashMap<(PathBuf, String), OwnedFd>,
}

impl Beneath {
    /// Hardlinks `from` to `to`, creating `to`'s parent directories; `Existing` when `to`
    /// already is the same file. Both paths must come from [`super::paths::locate`].
    pub fn hard_link(
        &mut self,
        from: &Resolved<'_>,
        to: &Resolved<'_>,
    ) -> Result<LinkKind, LinkError> {
        let (from_dir, from_name) = split(&from.relative);
        let (to_dir, to_name) = split(&to.relative);
        let source_key = self.open(&from.mount.host, from_dir, false)?;
        let target_key = self.open(&to.mount.host, to_dir, true)?;
        let (source_dir, target_dir) = (&self.dirs[&source_key], &self.dirs[&target_key]);
        let source = rustix::fs::statat(source_dir, from_name, AtFlags::SYMLINK_NOFOLLOW)?;
        if FileType::from_raw_mode(source.st_mode) != FileType::RegularFile {
            return Err(LinkError::NotAFile);
        }
        // Linked first and looked at only when something is in the way: the usual case
        // (a new tree) costs one system call less.
        match rustix::fs::linkat(source_dir, from_name, target_dir, to_name, AtFlags::empty()) {
            Ok(()) => return Ok(LinkKind::Hardlink),
            Err(Errno::EXIST) => {}
            Err(e) => return Err(e.into()),
        }
        let existing = rustix::fs::statat(target_dir, to_name, AtFlags::SYMLINK_NOFOLLOW)?;
        if existing.st_ino == source.st_ino && existing.st_dev == source.st_dev {
            return Ok(LinkKind::Existing);
        }
        rustix::fs::unlinkat(target_dir, to_name, AtFlags::empty())?;
        rustix::fs::linkat(source_dir, from_name, target_dir, to_name, AtFlags::empty())?;
        Ok(LinkKind::Hardlink)
    }

    /// Opens directory `relative` of the mount at `root` unless it is open already
    /// (creating it with its parents when missing and `create`); its key in `dirs`.
    fn open(
        &mut self,
        root: &Path,
        relative: &str,
        create: bool,
    ) -> Result<(PathBuf, String), LinkError> {
        let key = (root.to_path_buf(), relative.to_owned());
        if self.dirs.contains_key(&key) {
            return Ok(key);
        }
        let root_fd = match self.roots.entry(root.to_path_buf()) {
            Entry::Occupied(fd) => fd.into_mut(),
            Entry::Vacant(slot) => slot.insert(rustix::fs::open(
                root,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )?),
        };
        let fd = match open_beneath(root_fd.as_fd(), relative) {
            Err(LinkError::NotFound) if create => create_beneath(root_fd.as_fd(), relative)?,
            other => other?,
        };
        self.dirs.insert(key.clone(), fd);
        Ok(key)
    }
}

/// `(parent, file name)` of a mount-relative path; the parent is `.` at the root.
fn split(relative: &str) -> (&str, &str) {
    match relative.rsplit_once('/') {
        Some((dir, name)) => (dir, name),
        None => (".", relative),
    }
}

/// Opens directory `relative` under `root`, the kernel refusing any escape.
fn open_beneath(root: impl AsFd, relative: &str) -> Result<OwnedFd, LinkError> {
    rustix::fs::openat2(
        root,
        relative,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
        ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
    )
    .map_err(|e| match e {
        Errno::XDEV => LinkError::Escapes,
        other => other.into(),
    })
}

/// `mkdir -p relative` under `root`, one component at a time, each opened beneath the
/// one before it (so a symlink planted on the way cannot lead out).
fn create_beneath(root: impl AsFd, relative: &str) -> Result<OwnedFd, LinkError> {
    let mut dir = open_beneath(root, ".")?;
    for part in relative.split('/').filter(|p| !p.is_empty() && *p != ".") {
        match rustix::fs::mkdirat(&dir, part, Mode::from_raw_mode(0o777)) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(e.into()),
        }
        dir = open_beneath(&dir, part)?;
    }
    Ok(dir)
}
