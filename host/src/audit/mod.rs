//! The audit log: hash-chained JSON lines recording every capability call and every phase
//! run, so an auditor can prove afterwards what each phase did and that nobody edited the
//! record.
//!
//! A call is two records: its intent (`outcome: "started"`, with its arguments), written
//! before the call does anything, and its result (`call`: the intent's `seq`, with the
//! outcome), written after. A phase run is a `start` and an `end` record. After each
//! record the host rewrites the log's head (`head.rs`); at each phase's end it makes both
//! durable.

mod bounds;
mod head;
pub(crate) mod outputs;
pub(crate) mod regular;
mod verify;

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context as _, bail};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use bounds::{MAX_ARGS, MAX_DETAIL, bounded_args, bounded_text};
pub use head::{Head, read_head};
pub use outputs::{OutputSummary, verify_components, verify_outputs};
pub use verify::{ChainSummary, LogSummary, PhaseRun, VerifyError, verify_chain, verify_log};

use head::HeadFile;

/// The `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a record says about its call or run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The intent of a call about to be made.
    Started,
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
    /// The call's arguments: on an intent and on a phase's start and end; a result has
    /// none (its intent has them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<serde_json::Value>,
    /// On a result: the `seq` of the intent it answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<u64>,
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
    /// The log's length after the last whole record: a record that fails halfway is cut
    /// back to it, so a full disk never leaves half a line for the next one to follow.
    len: u64,
    head: HeadFile,
    seq: u64,
    prev: String,
}

impl AuditLog {
    /// Opens the log at `path` with its head at `head`. A new log starts empty; an
    /// existing one (`--restart`) is continued only when its chain is whole and it
    /// matches its head, and gets a record saying so (runs it left unended were
    /// interrupted). Neither path may be a symlink.
    pub fn open(path: &Path, head: &Path) -> anyhow::Result<Self> {
        for dir in [path.parent(), head.parent()].into_iter().flatten() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)
            .with_context(|| {
                format!("opening audit log {} (not through a link)", path.display())
            })?;
        if !file.metadata()?.file_type().is_file() {
            bail!("audit log {} is not a regular file", path.display());
        }
        let chain = verify::chain_of(&file, path)?;
        if chain.lines == 0 && !head.exists() {
            return Self::start(file, head);
        }
        let recorded = read_head(head)
            .map_err(|e| anyhow::anyhow!("cannot continue audit log {}: {e}", path.display()))?;
        verify::compare_head(&chain, &recorded, path, head)
            .with_context(|| format!("refusing to continue audit log {}", path.display()))?;
        let log = Self::continuing(file, head, chain)?;
        log.record_host(
            "continue",
            serde_json::json!({ "records": recorded.records }),
        )?;
        Ok(log)
    }

    /// Starts a new log on `file`, already open for appending and empty, with its head
    /// at `head`. (Also how a test puts a log on a file whose writes fail.)
    pub fn start(file: File, head: &Path) -> anyhow::Result<Self> {
        let empty = ChainSummary {
            lines: 0,
            last_hash: GENESIS.to_owned(),
        };
        Self::continuing(file, head, empty)
    }

    fn continuing(file: File, head: &Path, chain: ChainSummary) -> anyhow::Result<Self> {
        let head = HeadFile::create(
            head,
            &Head {
                records: chain.lines,
                last_hash: chain.last_hash.clone(),
                signature: None,
            },
        )
        .context("writing the audit head")?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(AuditLog {
            state: Mutex::new(ChainState {
                file,
                len,
                head,
                seq: chain.lines,
                prev: chain.last_hash,
            }),
        })
    }

    /// Appends a record of the host's own (phase and component `-`, interface
    /// `audit`): what the compose did outside any phase, such as fetching its inputs.
    pub fn record_host(&self, operation: &str, args: serde_json::Value) -> anyhow::Result<u64> {
        self.record(Event {
            phase: "-",
            component: "-",
            interface: "audit",
            operation,
            args: Some(args),
            call: None,
            outcome: Outcome::Ok,
            detail: None,
            result_digest: None,
        })
    }

    /// Appends one event (its args and detail bounded, see `bounds.rs`) and updates the
    /// head; returns the record's `seq`. When it fails nothing of the record stays and
    /// the caller must not go on as if it were recorded.
    pub fn record(&self, event: Event<'_>) -> anyhow::Result<u64> {
        let bounded = Event {
            args: event.args.map(bounded_args),
            detail: event
                .detail
                .map(|d| bounded_text(&d, MAX_DETAIL).into_owned()),
            ..event
        };
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let seq = state.seq;
        let line = Line {
            seq,
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            event: &bounded,
            prev: &state.prev,
        };
        let mut text = serde_json::to_string(&line)?;
        let hash = hex::encode(Sha256::digest(text.as_bytes()));
        text.push('\n');
        let head = Head {
            records: seq + 1,
            last_hash: hash,
            signature: None,
        };
        let written = state
            .file
            .write_all(text.as_bytes())
            .context("writing the audit log")
            .and_then(|()| state.head.update(&head).context("writing the audit head"));
        if let Err(error) = written {
            let _ = state.file.set_len(state.len);
            return Err(error);
        }
        state.len += text.len() as u64;
        state.seq = head.records;
        state.prev = head.last_hash;
        Ok(seq)
    }

    /// Makes every record so far and the head durable (`fsync`): done at each phase's
    /// end rather than per record, which would cost a disk flush per capability call.
    pub fn sync(&self) -> anyhow::Result<()> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.file.sync_data().context("syncing the audit log")?;
        state.head.sync().context("syncing the audit head")
    }
}

/// Hex sha256 of some bytes, for `result_digest`.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
