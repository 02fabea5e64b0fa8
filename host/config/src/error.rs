//! Located errors: every problem in a config or variants file names the file, line and
//! column, printed the way rustc prints a one-line diagnostic.

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", path.display())]
pub struct ConfigError {
    /// The file the problem is in (an included file when it is there).
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    /// What was expected and what was found.
    pub message: String,
}

impl ConfigError {
    /// An error at `pos` in `path`.
    pub fn new(path: &Path, pos: Pos, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }
}

/// Several problems at once, for validators that report everything in one run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl From<ConfigError> for ConfigErrors {
    fn from(error: ConfigError) -> Self {
        Self(vec![error])
    }
}

impl ConfigErrors {
    /// Locates the problems an XML checker found in the file at `path`.
    pub fn from_xml(path: &Path, errors: pungi_comps::XmlErrors) -> Self {
        Self(
            errors
                .0
                .into_iter()
                .map(|e| {
                    ConfigError::new(
                        path,
                        Pos {
                            line: e.line,
                            column: e.column,
                        },
                        e.message,
                    )
                })
                .collect(),
        )
    }
}
