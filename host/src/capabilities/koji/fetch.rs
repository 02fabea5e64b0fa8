//! Placing a Koji file (an RPM, a task's output) at a granted path, verified: the bytes go
//! to a temporary file next to the destination (created beneath the mount, see
//! [`Beneath::create_file`]), are checked against the size and sha256 the hub reported,
//! and only then renamed into place. A short or damaged file never appears under its
//! real name.

use std::io::{Read, Write};

use sha2::{Digest, Sha256};

use super::error::KojiError;
#[cfg(doc)]
use crate::capabilities::beneath::Beneath;
use crate::capabilities::beneath::NewFile;

/// What the hub says the file must be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    pub size: Option<u64>,
    /// Lower-case hex.
    pub sha256: Option<String>,
}

/// What was placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub size: u64,
    pub sha256: String,
}

/// Copies `source` into `into`, verifying it against `expected`, and gives `into` its
/// real name only when it matches. `what` names the file in errors. A read error is a
/// `Network` error (so a download cut short is retried); a mismatch is
/// `ChecksumMismatch`.
pub fn place_verified(
    source: &mut dyn Read,
    expected: &Expected,
    mut into: NewFile,
    what: &str,
) -> Result<Placed, KojiError> {
    let io = |e: std::io::Error| KojiError::Io(format!("{what}: {e}"));
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = match source.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(KojiError::Network(format!(
                    "{what}: reading failed after {size} bytes: {e}"
                )));
            }
        };
        hasher.update(&buffer[..n]);
        into.file().write_all(&buffer[..n]).map_err(io)?;
        size += n as u64;
    }
    let sha256 = hex::encode(hasher.finalize());
    if let Some(want) = expected.size
        && want != size
    {
        return Err(KojiError::ChecksumMismatch(format!(
            "{what}: {size} bytes received, the hub says {want} (truncated or padded); nothing was written"
        )));
    }
    if let Some(want) = &expected.sha256
        && !want.eq_ignore_ascii_case(&sha256)
    {
        return Err(KojiError::ChecksumMismatch(format!(
            "{what}: sha256 {sha256}, the hub says {want}; nothing was written"
        )));
    }
    into.file().sync_all().map_err(io)?;
    into.persist()
        .map_err(|e| KojiError::Io(format!("{what}: placing it: {e:?}")))?;
    Ok(Placed { size, sha256 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities::beneath::{Beneath, Links, Within};

    #[test]
    fn only_verified_files_get_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a/b.rpm");
        let at = Within {
            root: dir.path(),
            relative: "a/b.rpm",
            links: Links::Refused,
        };
        let mut beneath = Beneath::default();
        let mut into = || beneath.create_file(at).unwrap();
        let good = Expected {
            size: Some(3),
            sha256: Some(hex::encode(Sha256::digest(b"rpm"))),
        };
        let placed = place_verified(&mut &b"rpm"[..], &good, into(), "b.rpm").unwrap();
        assert_eq!(placed.size, 3);
        assert_eq!(std::fs::read(&dest).unwrap(), b"rpm");
        std::fs::remove_file(&dest).unwrap();
        for body in [&b"rp"[..], &b"rpX"[..]] {
            let err = place_verified(&mut &body[..], &good, into(), "b.rpm").unwrap_err();
            assert!(matches!(err, KojiError::ChecksumMismatch(_)), "{err}");
        }
        let left: Vec<_> = std::fs::read_dir(dir.path().join("a")).unwrap().collect();
        assert!(left.is_empty(), "no partial file is left: {left:?}");
    }
}
