//! The head of the audit log: how many records it has and the hash of the last one, kept
//! in `state/audit-head.json`, which no phase can mount. The chain alone proves only
//! that each line follows the one before; anyone who can write the log can rewrite it
//! and recompute every hash. The head, written by the host after every record, is what
//! a rewritten, truncated or replaced log no longer matches.
//!
//! The host rewrites it in place with one `pwrite` of a fixed-size record (the JSON
//! padded with spaces): cheaper than a temporary file and a rename per record, and one
//! small write at offset 0 never leaves a file of mixed lengths. A signed compose's
//! head, rewritten whole once the log is closed, names its attestation in `signature`
//! (`attest/seal.rs`); the attestation records the head's count and hash.

use std::fs::File;
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::regular::open_regular;

/// Every head record the host writes is this long: the longest count and a sha256 fit.
const HEAD_SIZE: usize = 128;

/// What the head file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    pub records: u64,
    pub last_hash: String,
    /// In a signed compose, the attestation that signs `records` and `last_hash`: its
    /// path, sha256 and keyid (`audit verify --key` checks them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<serde_json::Value>,
}

impl Head {
    /// The fixed-size text of this head, as the host writes it.
    fn record(&self) -> Vec<u8> {
        let mut text = serde_json::to_vec(self).expect("a head serializes");
        debug_assert!(text.len() < HEAD_SIZE);
        text.resize(HEAD_SIZE - 1, b' ');
        text.push(b'\n');
        text
    }
}

/// The head file the host keeps up to date.
pub struct HeadFile {
    file: File,
}

impl HeadFile {
    /// Creates (or replaces the content of) the head at `path` with `head`. A symlink
    /// there is refused.
    pub fn create(path: &Path, head: &Head) -> io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let head_file = HeadFile { file };
        head_file.update(head)?;
        Ok(head_file)
    }

    /// Rewrites the head in place.
    pub fn update(&self, head: &Head) -> io::Result<()> {
        self.file.write_all_at(&head.record(), 0)
    }

    /// Makes the head durable.
    pub fn sync(&self) -> io::Result<()> {
        self.file.sync_data()
    }
}

/// Reads the head at `path` (not through a symlink, a regular file only).
pub fn read_head(path: &Path) -> Result<Head, String> {
    let shown = path.display();
    let file = open_regular(path).map_err(|e| format!("cannot read the audit head: {e}"))?;
    let mut text = String::new();
    io::Read::read_to_string(&mut io::Read::take(file, 64 << 10), &mut text)
        .map_err(|e| format!("{shown}: cannot read the audit head: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("{shown}: not an audit head: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_rewritten_in_place_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit-head.json");
        let head = |records| Head {
            records,
            last_hash: "ab".repeat(32),
            signature: None,
        };
        let file = HeadFile::create(&path, &head(u64::MAX)).unwrap();
        file.update(&head(7)).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), HEAD_SIZE as u64);
        assert_eq!(read_head(&path).unwrap(), head(7));
    }

    #[test]
    fn a_signed_head_reads_and_a_symlinked_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit-head.json");
        std::fs::write(
            &path,
            r#"{"records":1,"last_hash":"00","signature":{"key":"k","sig":"s"}}"#,
        )
        .unwrap();
        assert!(read_head(&path).unwrap().signature.is_some());
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(read_head(&link).unwrap_err().contains("symbolic link"));
        assert!(HeadFile::create(&link, &read_head(&path).unwrap()).is_err());
    }
}
