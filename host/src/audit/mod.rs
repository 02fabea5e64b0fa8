//! The audit log: one hash-chained JSON line per capability call and phase start/end, so
//! an auditor can prove afterwards what each phase did and that nobody edited the record.

mod outputs;
mod verify;

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use outputs::{OutputSummary, verify_components, verify_outputs};
pub use verify::{VerifyError, verify_chain};

/// The `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How a recorded call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Denied,
    Error,
}

/// One event to record. Paths in `args` are compose-relative or virtual, never absolute
/// host paths, so logs of two machines compare.
#[derive(Debug, Clone, Serialize)]
pub struct Event<'a> {
    pub phase: &'a str,
    /// sha256 of the component that made the call.
    pub component: &'a str,
    pub interface: &'a str,
    pub operation: &'a str,
    pub args: serde_json::Value,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// sha256 of what the call returned or wrote, where there is content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_digest: Option<String>,
}

#[derive(Serialize)]
struct Line<'a> {
    seq: u64,
    time: String,
    #[serde(flatten)]
    event: &'a Event<'a>,
    prev: &'a str,
}

/// An append-only, hash-chained log file, shared by every phase of a compose.
pub struct AuditLog {
    state: Mutex<ChainState>,
}

struct ChainState {
    file: File,
    seq: u64,
    prev: String,
}

impl AuditLog {
    /// Starts a new log at `path` (an existing log is continued: its chain is checked and
    /// its last hash taken up).
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let (seq, prev) = if path.exists() {
            let summary = verify_chain(path)?;
            (summary.lines, summary.last_hash)
        } else {
            (0, GENESIS.to_owned())
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("opening audit log {}", path.display()))?;
        Ok(AuditLog {
            state: Mutex::new(ChainState { file, seq, prev }),
        })
    }

    /// Appends one event. A failure to record is an error for the caller: an unaudited
    /// capability call must not proceed.
    pub fn record(&self, event: &Event<'_>) -> anyhow::Result<()> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let line = Line {
            seq: state.seq,
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            event,
            prev: &state.prev,
        };
        let mut text = serde_json::to_string(&line)?;
        let hash = hex::encode(Sha256::digest(text.as_bytes()));
        text.push('\n');
        state
            .file
            .write_all(text.as_bytes())
            .context("writing the audit log")?;
        state.seq += 1;
        state.prev = hash;
        Ok(())
    }
}

/// Hex sha256 of some bytes, for `result_digest`.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
