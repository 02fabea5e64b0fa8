//! How the auditor's side opens files: never through a symlink and never a device or a
//! fifo, so a compose whose files were swapped for links (to `/dev/zero`, to a host
//! file) gets an error naming the file instead of a hash that never ends or a hash of
//! something outside the compose.

use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::path::Path;

use rustix::fs::{Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

/// Opens `path` for reading: its last component must not be a symlink, and what it
/// names must be a regular file. (`O_NONBLOCK` keeps the open of a fifo from waiting
/// for a writer.)
pub fn open_regular(path: &Path) -> io::Result<File> {
    let fd = rustix::fs::open(path, read_flags() | OFlags::NOFOLLOW, Mode::empty())
        .map_err(|e| named(path, e))?;
    regular(path, fd)
}

/// Opens `relative` beneath the directory `root` for reading, with the kernel refusing
/// every symlink on the way (`openat2(RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH)`), so no
/// component of the path can lead out of `root`; it must name a regular file.
pub fn open_regular_beneath(root: &File, relative: &Path, shown: &Path) -> io::Result<File> {
    let fd = rustix::fs::openat2(
        root,
        relative,
        read_flags(),
        Mode::empty(),
        ResolveFlags::NO_SYMLINKS | ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
    )
    .or_else(|errno| match errno {
        // Before Linux 5.6: only the last component is checked.
        Errno::NOSYS => rustix::fs::openat(
            root,
            relative,
            read_flags() | OFlags::NOFOLLOW,
            Mode::empty(),
        ),
        other => Err(other),
    })
    .map_err(|e| named(shown, e))?;
    regular(shown, fd)
}

/// Opens the directory `path` (not through a symlink), to open files beneath it.
pub fn open_directory(path: &Path) -> io::Result<File> {
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| named(path, e))?;
    Ok(File::from(fd))
}

fn read_flags() -> OFlags {
    OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC
}

fn regular(path: &Path, fd: OwnedFd) -> io::Result<File> {
    let file = File::from(fd);
    if !file.metadata()?.file_type().is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is not a regular file (a device, fifo, socket or directory); it is not read",
                path.display()
            ),
        ));
    }
    Ok(file)
}

/// The error of an open, saying in words when a symlink was refused.
fn named(path: &Path, errno: Errno) -> io::Error {
    match errno {
        Errno::LOOP => io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is, or lies under, a symbolic link; links are not followed",
                path.display()
            ),
        ),
        Errno::XDEV => io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} leads outside the directory it must be in",
                path.display()
            ),
        ),
        other => io::Error::new(
            io::Error::from(other).kind(),
            format!("{}: {}", path.display(), io::Error::from(other)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_devices_are_refused_regular_files_open() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("plain"), "x").unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/inner"), "y").unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero")).unwrap();
        std::os::unix::fs::symlink("sub", root.join("linked")).unwrap();
        assert!(open_regular(&root.join("plain")).is_ok());
        let err = open_regular(&root.join("zero")).unwrap_err().to_string();
        assert!(
            err.contains("symbolic link") && err.contains("zero"),
            "{err}"
        );
        let err = open_regular(Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a regular file"), "{err}");

        let top = open_directory(root).unwrap();
        assert!(open_regular_beneath(&top, Path::new("sub/inner"), Path::new("x")).is_ok());
        let err = open_regular_beneath(&top, Path::new("linked/inner"), Path::new("linked/inner"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("symbolic link"), "{err}");
    }
}
