//! File helpers over WASI with errors that name the path, for phases writing trees.

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

/// Writes a file through a temporary sibling and a rename, creating parent directories,
/// so a killed compose never leaves it half-written.
pub fn write_atomic(path: &str, bytes: &[u8]) -> Result<(), PhaseError> {
    let (dir, name) = path
        .rsplit_once('/')
        .ok_or_else(|| PhaseError::internal(format!("{path} is not an absolute path")))?;
    std::fs::create_dir_all(dir).map_err(|e| PhaseError::io(format!("creating {dir}"), e))?;
    let tmp = format!("{dir}/.{name}.tmp");
    std::fs::write(&tmp, bytes).map_err(|e| PhaseError::io(format!("writing {tmp}"), e))?;
    std::fs::rename(&tmp, path).map_err(|e| PhaseError::io(format!("renaming {tmp} to {path}"), e))
}

/// Serializes `value` as pretty JSON with productmd's four-space indent and writes it
/// atomically.
pub fn write_json<T: serde::Serialize>(path: &str, value: &T) -> Result<(), PhaseError> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut serializer)
        .map_err(|e| PhaseError::internal(format!("serializing {path}: {e}")))?;
    out.push(b'\n');
    write_atomic(path, &out)
}
