//! The crate's error type: every variant names the file it is about, so a
//! failed compose log points straight at the bad package or metadata file.

use std::io;
use std::path::PathBuf;

/// Anything that can go wrong reading packages or reading/writing repodata.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operating system refused an operation on `path`.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// `path` is not a well-formed RPM (bad magic, truncated, inconsistent header).
    #[error("{}: not a usable RPM: {reason}", path.display())]
    Rpm { path: PathBuf, reason: String },
    /// `path` is not well-formed repodata XML, or lacks something required.
    #[error("{}:{line}: {message}", path.display())]
    Xml {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// The repository as a whole is unusable (e.g. repomd.xml names no primary).
    #[error("{}: {message}", path.display())]
    Repo { path: PathBuf, message: String },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn repo(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Repo {
            path: path.into(),
            message: message.into(),
        }
    }

    /// A metadata file whose digest is not the one repomd.xml records for it.
    pub(crate) fn checksum_mismatch(
        path: impl Into<PathBuf>,
        recorded: &crate::Checksum,
        actual_hex: &str,
    ) -> Self {
        Error::repo(
            path,
            format!(
                "checksum mismatch: repomd.xml says {} {}, the file has {actual_hex}",
                recorded.algorithm, recorded.hex
            ),
        )
    }
}

/// A version or dependency string that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} {input:?}: {reason}")]
pub struct ParseError {
    pub what: &'static str,
    pub input: String,
    pub reason: &'static str,
}

/// Shorthand for this crate's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;
