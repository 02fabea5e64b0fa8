//! Checksums as repodata records them (`<checksum type="sha256">hex</checksum>`),
//! and a writer adapter that hashes and counts bytes as they stream past, so
//! metadata files are never read twice.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::Digest;
use sha2::digest::DynDigest;

use crate::error::{Error, ParseError, Result};

/// The digest algorithms createrepo_c offers (`-s`), minus the broken md5.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChecksumKind {
    Sha1,
    Sha224,
    #[default]
    Sha256,
    Sha384,
    Sha512,
}

impl ChecksumKind {
    /// The name used in repodata `type` attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            ChecksumKind::Sha1 => "sha1",
            ChecksumKind::Sha224 => "sha224",
            ChecksumKind::Sha256 => "sha256",
            ChecksumKind::Sha384 => "sha384",
            ChecksumKind::Sha512 => "sha512",
        }
    }

    fn hasher(self) -> Box<dyn DynDigest> {
        match self {
            ChecksumKind::Sha1 => Box::new(sha1::Sha1::new()),
            ChecksumKind::Sha224 => Box::new(sha2::Sha224::new()),
            ChecksumKind::Sha256 => Box::new(sha2::Sha256::new()),
            ChecksumKind::Sha384 => Box::new(sha2::Sha384::new()),
            ChecksumKind::Sha512 => Box::new(sha2::Sha512::new()),
        }
    }

    /// Hashes a byte slice.
    pub fn digest(self, bytes: &[u8]) -> Checksum {
        let mut hasher = self.hasher();
        hasher.update(bytes);
        Checksum {
            algorithm: self,
            hex: hex::encode(hasher.finalize()),
        }
    }

    /// Hashes a whole file (e.g. an RPM, for its `pkgid`), streaming it.
    pub fn digest_file(self, path: &Path) -> Result<Checksum> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        HashingReader::new(file, self)
            .finish()
            .map_err(|e| Error::io(path, e))
    }
}

impl fmt::Display for ChecksumKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Accepts the repodata names, including yum's old `sha` for sha1.
impl FromStr for ChecksumKind {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Ok(match s {
            "sha" | "sha1" => ChecksumKind::Sha1,
            "sha224" => ChecksumKind::Sha224,
            "sha256" => ChecksumKind::Sha256,
            "sha384" => ChecksumKind::Sha384,
            "sha512" => ChecksumKind::Sha512,
            _ => {
                return Err(ParseError {
                    what: "checksum type",
                    input: s.to_owned(),
                    reason: "expected sha1, sha224, sha256, sha384 or sha512",
                });
            }
        })
    }
}

/// A digest and the algorithm that produced it; `hex` is lowercase.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Checksum {
    pub algorithm: ChecksumKind,
    pub hex: String,
}

impl Checksum {
    /// No digest recorded (a record reduced to what solving needs): left out when
    /// serialized.
    pub fn is_absent(&self) -> bool {
        self.hex.is_empty()
    }
}

/// Passes bytes through to `inner` while hashing and counting them.
pub(crate) struct HashingWriter<W> {
    inner: W,
    hasher: Box<dyn DynDigest>,
    algorithm: ChecksumKind,
    size: u64,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W, algorithm: ChecksumKind) -> Self {
        HashingWriter {
            inner,
            hasher: algorithm.hasher(),
            algorithm,
            size: 0,
        }
    }

    /// Returns the inner writer, the digest and the byte count.
    pub(crate) fn finish(self) -> (W, Checksum, u64) {
        let checksum = Checksum {
            algorithm: self.algorithm,
            hex: hex::encode(self.hasher.finalize()),
        };
        (self.inner, checksum, self.size)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Passes bytes through from `inner` while hashing and counting them, so a
/// metadata file's checksum is verified in the same pass that parses it.
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Box<dyn DynDigest>,
    algorithm: ChecksumKind,
}

impl<R: Read> HashingReader<R> {
    pub(crate) fn new(inner: R, algorithm: ChecksumKind) -> Self {
        HashingReader {
            inner,
            hasher: algorithm.hasher(),
            algorithm,
        }
    }

    /// Reads whatever the parser left unread and returns the digest of everything.
    pub(crate) fn finish(mut self) -> io::Result<Checksum> {
        io::copy(&mut self, &mut io::sink())?;
        Ok(Checksum {
            algorithm: self.algorithm,
            hex: hex::encode(self.hasher.finalize()),
        })
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(
            ChecksumKind::Sha256.digest(b"abc").hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            ChecksumKind::Sha1.digest(b"abc").hex,
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!("sha".parse::<ChecksumKind>(), Ok(ChecksumKind::Sha1));
        assert!("md5".parse::<ChecksumKind>().is_err());
    }
}
