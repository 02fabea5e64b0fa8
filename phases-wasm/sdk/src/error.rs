use std::fmt;

use crate::bindings::pungi::phase::types::{self, ErrorKind, HostError};

/// Why a phase failed. The message is what the release engineer reads in the compose log,
/// so it says what was being done and what went wrong.
#[derive(Debug, Clone)]
pub struct PhaseError {
    /// Whose fault it is: the config, an input, a host call, or the phase itself.
    pub kind: ErrorKind,
    /// What was being done and what went wrong.
    pub message: String,
}

impl PhaseError {
    /// The compose config asks for something this phase cannot do.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }

    /// An input (package, comps, repository) is broken.
    pub fn input(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Input, message)
    }

    /// A bug or an impossible state in the phase.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// A host call failed; `doing` says which call and on what.
    pub fn host(doing: impl fmt::Display, error: HostError) -> Self {
        Self::new(
            ErrorKind::Capability,
            format!("{doing}: {}", describe(&error)),
        )
    }

    /// A file operation through WASI failed.
    pub fn io(doing: impl fmt::Display, error: std::io::Error) -> Self {
        Self::new(ErrorKind::Capability, format!("{doing}: {error}"))
    }

    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        PhaseError {
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn into_wit(self) -> types::PhaseError {
        types::PhaseError {
            kind: self.kind,
            message: self.message,
        }
    }
}

impl fmt::Display for PhaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PhaseError {}

/// A host error as one readable phrase.
pub fn describe(error: &HostError) -> String {
    match error {
        HostError::Denied(m) => format!("denied by policy: {m}"),
        HostError::NotFound(m) => format!("not found: {m}"),
        HostError::Invalid(m) => format!("invalid: {m}"),
        HostError::Io(m) => format!("I/O error: {m}"),
        HostError::Timeout(m) => format!("timed out: {m}"),
    }
}
