//! Opening files the way the host must in trees a phase can write: every walk starts at
//! the tree's root and the kernel keeps it there. Each directory is opened from the root
//! with `openat2(RESOLVE_BENEATH)`, which refuses `..` above the root and symlinks that
//! leave it in the same walk that opens the directory, so there is no window between a
//! check and the use; the last component is then opened relative to that directory
//! without following a link. In a tree the phase can write, no symlink is followed at
//! all (`RESOLVE_NO_SYMLINKS`): a link the phase planted can neither lead the host out
//! nor be swapped in between a check and a write.
//!
//! Kernels without `openat2` (before Linux 5.6) get the same walk one component at a
//! time, each opened `O_NOFOLLOW` from the one before; it refuses every symlink, also
//! those that stay inside a read-only tree.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

use super::files::LinkKind;
use super::paths::Resolved;

/// Why a file could not be opened or placed here.
#[derive(Debug)]
pub enum LinkError {
    /// Source and destination are on different file systems: copy instead.
    CrossesDevices,
    /// The file (or a directory on the way) is missing.
    NotFound,
    /// The file is not a regular file.
    NotAFile,
    /// The walk met a symlink it may not follow: one leaving the tree (the kernel said
    /// `EXDEV`), or any symlink in a tree the phase can write (`ELOOP`).
    Symlink,
    Io(io::Error),
}

impl From<Errno> for LinkError {
    fn from(errno: Errno) -> Self {
        match errno {
            Errno::XDEV => LinkError::CrossesDevices,
            Errno::NOENT => LinkError::NotFound,
            Errno::LOOP => LinkError::Symlink,
            other => LinkError::Io(other.into()),
        }
    }
}

/// Which symlinks a walk may follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Links {
    /// None: the tree is one the phase can write, so any link may be the phase's.
    Refused,
    /// Those that stay beneath the root (a repository's `Packages -> ../os/Packages`).
    Inside,
}

/// A path below a root, as the host opens it.
#[derive(Debug, Clone, Copy)]
pub struct Within<'a> {
    pub root: &'a Path,
    /// Normalised: `/`-separated, no `.`, `..` or empty components; empty for the root.
    pub relative: &'a str,
    pub links: Links,
}

impl<'a> From<&'a Resolved<'_>> for Within<'a> {
    fn from(resolved: &'a Resolved<'_>) -> Self {
        Within {
            root: &resolved.mount.host,
            relative: &resolved.relative,
            links: if resolved.mount.writable {
                Links::Refused
            } else {
                Links::Inside
            },
        }
    }
}

impl Within<'_> {
    /// `(parent, file name)`; the parent is `.` at the root.
    fn split(&self) -> (&str, &str) {
        match self.relative.rsplit_once('/') {
            Some((dir, name)) => (dir, name),
            None => (".", self.relative),
        }
    }
}

/// Where one directory of a walk is kept open.
type DirKey = (PathBuf, Links, String);

/// Directories opened beneath their roots, kept for the next file (a batch puts
/// thousands of files into a few directories). An `O_PATH` descriptor names the
/// directory itself, so keeping one open cannot be turned into an escape by renaming or
/// replacing its path later.
#[derive(Default)]
pub struct Beneath {
    roots: HashMap<PathBuf, OwnedFd>,
    dirs: HashMap<DirKey, OwnedFd>,
}

impl Beneath {
    /// Hardlinks `from` to `to`, creating `to`'s parent directories; `Existing` when `to`
    /// already is the same file.
    pub fn hard_link(&mut self, from: Within<'_>, to: Within<'_>) -> Result<LinkKind, LinkError> {
        let (from_name, to_name) = (from.split().1, to.split().1);
        let source_key = self.parent(from, false)?;
        let target_key = self.parent(to, true)?;
        let (source_dir, target_dir) = (&self.dirs[&source_key], &self.dirs[&target_key]);
        let source = rustix::fs::statat(source_dir, from_name, AtFlags::SYMLINK_NOFOLLOW)?;
        if FileType::from_raw_mode(source.st_mode) != FileType::RegularFile {
            return Err(LinkError::NotAFile);
        }
        // Linked first and looked at only when something is in the way: the usual case
        // (a new tree) costs one system call less. `linkat` without AT_SYMLINK_FOLLOW
        // follows no link at either end.
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

    /// Copies `from` to `to` descriptor to descriptor: the source opened without
    /// following a link, the copy written to a new file beneath `to`'s directory and
    /// renamed over `to` (which replaces a symlink there rather than writing through it).
    pub fn copy(&mut self, from: Within<'_>, to: Within<'_>) -> Result<LinkKind, LinkError> {
        let mut source = self.open_file(from)?;
        let mut copy = self.create_file(to)?;
        io::copy(&mut source, copy.file()).map_err(LinkError::Io)?;
        copy.persist()?;
        Ok(LinkKind::Copy)
    }

    /// Opens the regular file at `at` for reading; a symlink there is refused, not
    /// followed, and so is anything but a regular file (a device, a FIFO).
    pub fn open_file(&mut self, at: Within<'_>) -> Result<File, LinkError> {
        let name = at.split().1;
        if name.is_empty() {
            return Err(LinkError::NotAFile);
        }
        let key = self.parent(at, false)?;
        // O_NONBLOCK: opening a FIFO must not wait for a writer before fstat refuses it.
        let fd = rustix::fs::openat(
            &self.dirs[&key],
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        if FileType::from_raw_mode(rustix::fs::fstat(&fd)?.st_mode) != FileType::RegularFile {
            return Err(LinkError::NotAFile);
        }
        rustix::fs::fcntl_setfl(&fd, OFlags::empty())?;
        Ok(File::from(fd))
    }

    /// A new, empty file that will become `at` when persisted, creating `at`'s parent
    /// directories; until then it has a hidden name of its own in the same directory.
    pub fn create_file(&mut self, at: Within<'_>) -> Result<NewFile, LinkError> {
        let name = at.split().1;
        if name.is_empty() {
            return Err(LinkError::NotAFile);
        }
        let key = self.parent(at, true)?;
        let dir = self.dirs[&key].try_clone().map_err(LinkError::Io)?;
        NewFile::create(dir, name)
    }

    /// Opens `at`'s parent directory unless it is open already (creating it with its
    /// parents when missing and `create`); its key in `dirs`.
    fn parent(&mut self, at: Within<'_>, create: bool) -> Result<DirKey, LinkError> {
        let relative = at.split().0;
        let key = (at.root.to_path_buf(), at.links, relative.to_owned());
        if self.dirs.contains_key(&key) {
            return Ok(key);
        }
        let root = match self.roots.entry(at.root.to_path_buf()) {
            Entry::Occupied(fd) => fd.into_mut(),
            Entry::Vacant(slot) => {
                slot.insert(rustix::fs::open(at.root, directory_flags(), Mode::empty())?)
            }
        };
        let fd = match open_beneath(root.as_fd(), relative, at.links) {
            Err(LinkError::NotFound) if create => create_beneath(root.as_fd(), relative, at.links)?,
            other => other?,
        };
        self.dirs.insert(key.clone(), fd);
        Ok(key)
    }
}

/// A file being written under a temporary name next to where it goes (see
/// [`Beneath::create_file`]); removed unless [`NewFile::persist`] is called.
pub struct NewFile {
    dir: OwnedFd,
    temporary: String,
    name: String,
    file: File,
    persisted: bool,
}

impl NewFile {
    /// Creates a fresh hidden file in `dir`: `O_EXCL | O_NOFOLLOW`, so nothing already
    /// there (a symlink the phase planted under a guessed name) is ever written through.
    fn create(dir: OwnedFd, name: &str) -> Result<NewFile, LinkError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        for _ in 0..16 {
            let temporary = format!(
                ".pungi-partial-{}-{}-{:x}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or_default()
            );
            match rustix::fs::openat(
                &dir,
                &temporary,
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o644),
            ) {
                Ok(fd) => {
                    return Ok(NewFile {
                        dir,
                        temporary,
                        name: name.to_owned(),
                        file: File::from(fd),
                        persisted: false,
                    });
                }
                Err(Errno::EXIST) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(LinkError::Io(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free temporary name after 16 tries",
        )))
    }

    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Renames the file to its real name, replacing whatever has that name (a symlink
    /// there is replaced, never followed).
    pub fn persist(mut self) -> Result<(), LinkError> {
        rustix::fs::renameat(&self.dir, &self.temporary, &self.dir, &self.name)?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for NewFile {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = rustix::fs::unlinkat(&self.dir, &self.temporary, AtFlags::empty());
        }
    }
}

/// Opens directory `relative` under the directory `root` without following any symlink
/// on the way, creating what is missing when `create`: how a mount's root in a tree
/// phases write is pinned (see `super::mount_roots`).
pub fn directory_beneath(root: &Path, relative: &str, create: bool) -> Result<OwnedFd, LinkError> {
    let root = rustix::fs::open(root, directory_flags(), Mode::empty())?;
    match open_beneath(root.as_fd(), relative, Links::Refused) {
        Err(LinkError::NotFound) if create => {
            create_beneath(root.as_fd(), relative, Links::Refused)
        }
        other => other,
    }
}

/// Opens directory `relative` under `root`, the kernel refusing any escape (and, for
/// [`Links::Refused`], any symlink).
fn open_beneath(root: BorrowedFd<'_>, relative: &str, links: Links) -> Result<OwnedFd, LinkError> {
    let resolve = match links {
        Links::Refused => ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS,
        Links::Inside => ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
    };
    match rustix::fs::openat2(root, relative, directory_flags(), Mode::empty(), resolve) {
        Ok(fd) => Ok(fd),
        // EXDEV: the walk would leave the root.
        Err(Errno::XDEV) => Err(LinkError::Symlink),
        // Before Linux 5.6, or a seccomp filter that does not know the call.
        Err(Errno::NOSYS) => walk_without_links(root, relative),
        Err(e) => Err(e.into()),
    }
}

fn directory_flags() -> OFlags {
    OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC
}

/// [`open_beneath`] by hand: one component at a time, each opened `O_NOFOLLOW` relative
/// to the one before and refused when it is a symlink. The components are normalised
/// (no `..`), so the walk cannot climb.
fn walk_without_links(root: BorrowedFd<'_>, relative: &str) -> Result<OwnedFd, LinkError> {
    let mut dir = rustix::fs::openat(root, ".", directory_flags(), Mode::empty())?;
    for part in components(relative) {
        let next = rustix::fs::openat(
            &dir,
            part,
            OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        match FileType::from_raw_mode(rustix::fs::fstat(&next)?.st_mode) {
            FileType::Directory => dir = next,
            FileType::Symlink => return Err(LinkError::Symlink),
            _ => return Err(LinkError::Io(Errno::NOTDIR.into())),
        }
    }
    Ok(dir)
}

/// `mkdir -p relative` under `root`, one component at a time, each opened beneath the
/// one before it (so a symlink planted on the way cannot lead out).
fn create_beneath(
    root: BorrowedFd<'_>,
    relative: &str,
    links: Links,
) -> Result<OwnedFd, LinkError> {
    let mut dir = open_beneath(root, ".", links)?;
    for part in components(relative) {
        match rustix::fs::mkdirat(&dir, part, Mode::from_raw_mode(0o777)) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err(e.into()),
        }
        dir = open_beneath(dir.as_fd(), part, links)?;
    }
    Ok(dir)
}

fn components(relative: &str) -> impl Iterator<Item = &str> {
    relative.split('/').filter(|p| !p.is_empty() && *p != ".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn within<'a>(root: &'a Path, relative: &'a str, links: Links) -> Within<'a> {
        Within {
            root,
            relative,
            links,
        }
    }

    #[test]
    fn no_symlink_is_followed_in_a_writable_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("real")).unwrap();
        std::fs::write(root.join("real/file"), "data").unwrap();
        std::os::unix::fs::symlink("real", root.join("inside")).unwrap();
        std::os::unix::fs::symlink("real/file", root.join("file-link")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero")).unwrap();
        let mut beneath = Beneath::default();
        for path in ["inside/file", "file-link", "zero"] {
            let err = beneath
                .open_file(within(root, path, Links::Refused))
                .unwrap_err();
            assert!(matches!(err, LinkError::Symlink), "{path}: {err:?}");
        }
        let mut text = String::new();
        beneath
            .open_file(within(root, "inside/file", Links::Inside))
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "data", "a link inside a read-only tree is followed");
        assert!(matches!(
            beneath.open_file(within(root, "real", Links::Refused)),
            Err(LinkError::NotAFile)
        ));
    }

    #[test]
    fn the_walk_without_openat2_refuses_every_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::os::unix::fs::symlink("a", root.join("link")).unwrap();
        let fd = rustix::fs::open(root, directory_flags(), Mode::empty()).unwrap();
        assert!(walk_without_links(fd.as_fd(), "a/b").is_ok());
        assert!(matches!(
            walk_without_links(fd.as_fd(), "link/b"),
            Err(LinkError::Symlink)
        ));
    }

    #[test]
    fn a_new_file_replaces_a_symlink_instead_of_writing_through_it() {
        let dir = tempfile::tempdir().unwrap();
        let (root, outside) = (dir.path().join("root"), dir.path().join("outside"));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(&outside, "kept").unwrap();
        std::os::unix::fs::symlink(&outside, root.join("target")).unwrap();
        let mut beneath = Beneath::default();
        let mut file = beneath
            .create_file(within(&root, "target", Links::Refused))
            .unwrap();
        file.file().write_all(b"new").unwrap();
        file.persist().unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "kept");
        assert_eq!(std::fs::read_to_string(root.join("target")).unwrap(), "new");
        assert!(!root.join("target").is_symlink());
        drop(
            beneath
                .create_file(within(&root, "dropped", Links::Refused))
                .unwrap(),
        );
        let names: Vec<_> = std::fs::read_dir(&root).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "a dropped file leaves nothing: {names:?}");
    }
}
