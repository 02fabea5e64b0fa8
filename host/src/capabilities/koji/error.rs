//! Why a Koji call failed, typed so a phase can tell a refused call from a hub that is
//! down or a file that arrived damaged.

use crate::capabilities::HostError;

/// Koji faults the client retries: the hub asks to be retried, or is offline for a while.
pub const RETRY_ERROR: i32 = 1009;
pub const SERVER_OFFLINE: i32 = 1014;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KojiError {
    #[error("denied: {0}")]
    Denied(String),
    /// A fault response from the hub (1000 GenericError, 1003 TagError, ...).
    #[error("koji fault {code}: {message}")]
    Fault { code: i32, message: String },
    #[error("network: {0}")]
    Network(String),
    #[error("timed out: {0}")]
    Timeout(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("checksum mismatch: {0}")]
    ChecksumMismatch(String),
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("I/O error: {0}")]
    Io(String),
}

impl KojiError {
    /// Whether trying again may help: the network failed, the hub timed out or said so.
    pub fn retryable(&self) -> bool {
        match self {
            KojiError::Network(_) | KojiError::Timeout(_) => true,
            KojiError::Fault { code, .. } => *code == RETRY_ERROR || *code == SERVER_OFFLINE,
            _ => false,
        }
    }

    /// The same error as the audit log classifies host errors (denied or error).
    pub fn to_host(&self) -> HostError {
        match self {
            KojiError::Denied(m) => HostError::Denied(m.clone()),
            KojiError::NotFound(m) => HostError::NotFound(m.clone()),
            KojiError::Timeout(m) => HostError::Timeout(m.clone()),
            KojiError::Invalid(m) => HostError::Invalid(m.clone()),
            other => HostError::Io(other.to_string()),
        }
    }

    /// A path or file error of the shared helpers.
    pub fn from_host(error: HostError) -> KojiError {
        match error {
            HostError::Denied(m) => KojiError::Denied(m),
            HostError::NotFound(m) => KojiError::NotFound(m),
            HostError::Invalid(m) => KojiError::Invalid(m),
            HostError::Io(m) => KojiError::Io(m),
            HostError::Timeout(m) => KojiError::Timeout(m),
        }
    }
}
