//! Taking the file or directory a dict names out of a checkout into the staging area,
//! with the digest of every file taken. Nothing is followed through a symlink: a
//! checkout is made by the config's repository and `command`, and must not lead the
//! host to its own files.

use std::fs::File;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

use crate::audit::digest;
use crate::audit::regular::{open_directory, open_regular_beneath};

/// A file taken: where it went (relative to the staging root) and its sha256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenFile {
    pub path: PathBuf,
    pub sha256: String,
}

/// `relative` as a path inside a checkout (Pungi strips a leading `/`); `..` is refused.
pub fn inside(relative: &str) -> Result<PathBuf, String> {
    let path = Path::new(relative.trim_start_matches('/'));
    if path
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        Ok(path.to_path_buf())
    } else {
        Err(format!("{relative:?} leads out of the checkout"))
    }
}

/// Copies the regular file `relative` beneath `root` to `staging`/`destination`.
pub fn file(
    root: &Path,
    relative: &Path,
    staging: &Path,
    destination: &Path,
) -> Result<TakenFile, String> {
    let root_dir = open_directory(root).map_err(|e| e.to_string())?;
    copy(&root_dir, relative, staging, destination)
}

/// Copies the directory `relative` beneath `root`, without `.git`, to
/// `staging`/`destination`.
pub fn directory(
    root: &Path,
    relative: &Path,
    staging: &Path,
    destination: &Path,
) -> Result<Vec<TakenFile>, String> {
    let root_dir = open_directory(root).map_err(|e| e.to_string())?;
    let mut taken = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(sub) = pending.pop() {
        let here = root.join(relative).join(&sub);
        let metadata = here
            .symlink_metadata()
            .map_err(|e| format!("{}: {e}", relative.join(&sub).display()))?;
        if !metadata.is_dir() {
            return Err(format!(
                "{} is not a directory",
                relative.join(&sub).display()
            ));
        }
        let mut entries: Vec<_> = std::fs::read_dir(&here)
            .and_then(|entries| entries.collect::<Result<_, _>>())
            .map_err(|e| format!("{}: {e}", relative.join(&sub).display()))?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let name = sub.join(entry.file_name());
            let kind = entry.file_type().map_err(|e| e.to_string())?;
            if entry.file_name() == ".git" {
                continue;
            } else if kind.is_dir() {
                pending.push(name);
            } else {
                taken.push(copy(
                    &root_dir,
                    &relative.join(&name),
                    staging,
                    &destination.join(&name),
                )?);
            }
        }
    }
    Ok(taken)
}

fn copy(
    root: &File,
    relative: &Path,
    staging: &Path,
    destination: &Path,
) -> Result<TakenFile, String> {
    let mut bytes = Vec::new();
    open_regular_beneath(root, relative, relative)
        .and_then(|mut file| file.read_to_end(&mut bytes))
        .map_err(|e| format!("{}: {e}", relative.display()))?;
    crate::fsutil::write_atomic(&staging.join(destination), &bytes)
        .map_err(|e| format!("{e:#}"))?;
    Ok(TakenFile {
        path: destination.to_path_buf(),
        sha256: digest(&bytes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        assert_eq!(inside("/comps/a.xml").unwrap(), Path::new("comps/a.xml"));
        assert!(inside("../etc/passwd").is_err());
        assert!(inside("a/../../b").is_err());
    }

    #[test]
    fn symlinks_are_not_followed_and_git_is_left_out() {
        let checkout = tempfile::tempdir().unwrap();
        let staging = tempfile::tempdir().unwrap();
        let root = checkout.path();
        std::fs::create_dir_all(root.join("defaults/.git")).unwrap();
        std::fs::write(root.join("defaults/.git/config"), "x").unwrap();
        std::fs::write(root.join("defaults/a.yaml"), "a").unwrap();
        std::os::unix::fs::symlink("/etc/hostname", root.join("comps.xml")).unwrap();

        let taken = directory(root, Path::new("defaults"), staging.path(), Path::new("d")).unwrap();
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].path, Path::new("d/a.yaml"));
        assert_eq!(taken[0].sha256, digest(b"a"));

        std::os::unix::fs::symlink("/etc/hostname", root.join("defaults/link")).unwrap();
        assert!(directory(root, Path::new("defaults"), staging.path(), Path::new("d")).is_err());
        assert!(
            file(
                root,
                Path::new("comps.xml"),
                staging.path(),
                Path::new("c.xml")
            )
            .is_err()
        );
    }
}
