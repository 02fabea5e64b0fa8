//! File writes that never leave a half-written file behind.

use std::io::{ErrorKind, Write};
use std::path::Path;

use anyhow::Context as _;

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
/// so readers (and a compose killed halfway) see the old file or the new one, never a
/// truncated one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .with_context(|| format!("{} has no parent directory", path.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("replacing {}", path.display()))?;
    Ok(())
}

/// Like [`write_atomic`], for a small file that must change even on a full disk, such
/// as the compose's `STATUS`: when there is no space for the temporary copy, the file is
/// overwritten in place if the new content is no longer than the old one, which needs
/// no new block.
pub fn write_atomic_or_in_place(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let Err(error) = write_atomic(path, bytes) else {
        return Ok(());
    };
    let disk_full = error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == ErrorKind::StorageFull)
    });
    let fits = std::fs::metadata(path).is_ok_and(|m| m.len() >= bytes.len() as u64);
    if !disk_full || !fits {
        return Err(error);
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .with_context(|| format!("opening {} to rewrite it in place", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.set_len(bytes.len() as u64))
        .and_then(|()| file.sync_all())
        .with_context(|| format!("rewriting {} in place (the disk is full)", path.display()))
}

/// Serializes `value` as pretty JSON (productmd's style: sorted keys via BTreeMaps,
/// four-space indent) and writes it atomically.
pub fn write_json_atomic<T: serde::Serialize>(path: &Path, value: &T) -> anyhow::Result<()> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut serializer)
        .with_context(|| format!("serializing {}", path.display()))?;
    out.push(b'\n');
    write_atomic(path, &out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.json");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("b.json")]);
    }
}
