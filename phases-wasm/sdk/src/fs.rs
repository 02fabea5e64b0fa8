//! File helpers over WASI with errors that name the path, for phases writing trees.

use std::fs::File;
use std::io::{BufWriter, Write};

use crate::PhaseError;

/// Reads a whole file as text.
pub fn read_to_string(path: &str) -> Result<String, PhaseError> {
    std::fs::read_to_string(path).map_err(|e| PhaseError::io(format!("reading {path}"), e))
}

/// Reads a JSON file into `T`; the error names the file and what did not fit.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &str) -> Result<T, PhaseError> {
    let text = read_to_string(path)?;
    serde_json::from_str(&text).map_err(|e| PhaseError::input(format!("{path}: {e}")))
}

/// Writes a file through a temporary sibling (synced to disk) and a rename, creating
/// parent directories, so a killed compose never leaves it half-written; a write that
/// fails (a full disk) removes its temporary.
pub fn write_atomic(path: &str, bytes: &[u8]) -> Result<(), PhaseError> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// [`write_atomic`] for content produced as it is written (through a buffer), so a file
/// of hundreds of MB never has to be held whole in the phase's memory. The buffer's type
/// is concrete so that serializers writing a few bytes at a time inline its fast path.
pub fn write_atomic_with(
    path: &str,
    produce: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), PhaseError> {
    let (dir, name) = path
        .rsplit_once('/')
        .ok_or_else(|| PhaseError::internal(format!("{path} is not an absolute path")))?;
    std::fs::create_dir_all(dir).map_err(|e| PhaseError::io(format!("creating {dir}"), e))?;
    let tmp = format!("{dir}/.{name}.tmp");
    let written = File::create(&tmp)
        .and_then(|file| {
            let mut out = BufWriter::with_capacity(1 << 20, file);
            produce(&mut out)?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()
        })
        .map_err(|e| PhaseError::io(format!("writing {tmp}"), e))
        .and_then(|()| {
            std::fs::rename(&tmp, path)
                .map_err(|e| PhaseError::io(format!("renaming {tmp} to {path}"), e))
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Serializes `value` as pretty JSON with productmd's four-space indent and writes it
/// atomically, streaming: `rpms.json` of a whole distribution is 150 MB.
pub fn write_json<T: serde::Serialize>(path: &str, value: &T) -> Result<(), PhaseError> {
    write_atomic_with(path, |out| {
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut serializer = serde_json::Serializer::with_formatter(out, formatter);
        value.serialize(&mut serializer)?;
        serializer.into_inner().write_all(b"\n")
    })
}

#[cfg(test)]
mod tests {
    use super::write_atomic;

    #[test]
    fn a_failed_write_leaves_neither_the_file_nor_its_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_str().unwrap();
        let target = format!("{root}/taken");
        std::fs::create_dir_all(format!("{target}/inside")).unwrap();
        let error = write_atomic(&target, b"new").unwrap_err();
        assert!(error.message.contains("renaming"), "{}", error.message);
        let names: Vec<_> = std::fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["taken"], "no temporary is left");
        write_atomic(&format!("{root}/a/b.json"), b"{}").unwrap();
        assert_eq!(std::fs::read(format!("{root}/a/b.json")).unwrap(), b"{}");
    }
}
