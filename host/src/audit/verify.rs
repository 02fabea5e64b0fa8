//! Checking a log: the chain (each line names the hash of the one before, `seq` has no
//! gap), the runs (every phase run has a `start` and an `end`, every call lies inside its
//! phase's run, every intent has exactly one result) and the head (the log has as many
//! records as the head says and ends with the hash it records). Each error names the
//! first line that is wrong.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::GENESIS;
use super::head::{Head, read_head};
use super::regular::open_regular;

/// No record the host writes comes near this (arguments and details are bounded); a
/// longer line is not read into memory.
const MAX_LINE: usize = 1 << 20;

/// Where an audit log stops being trustworthy.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Malformed {
        path: String,
        line: u64,
        message: String,
    },
    #[error(
        "{path}:{line}: chain broken: `prev` is {found}, the hash of line {previous} is {expected}"
    )]
    Broken {
        path: String,
        line: u64,
        previous: u64,
        expected: String,
        found: String,
    },
    #[error("{path}:{line}: sequence number {found}, expected {expected}")]
    Sequence {
        path: String,
        line: u64,
        expected: u64,
        found: u64,
    },
    /// A record out of place: a call outside its phase's run, a run without its end, a
    /// result without its intent.
    #[error("{path}:{line}: {message}")]
    Misplaced {
        path: String,
        line: u64,
        message: String,
    },
    /// The log and its head disagree, or the head cannot be read.
    #[error("{path}:{line}: {message}")]
    Head {
        path: String,
        line: u64,
        message: String,
    },
}

/// What a whole, unbroken chain contains.
#[derive(Debug, Clone)]
pub struct ChainSummary {
    pub lines: u64,
    pub last_hash: String,
}

/// One phase run: where its `start` record is and the component it names.
#[derive(Debug, Clone)]
pub struct PhaseRun {
    pub line: u64,
    pub phase: String,
    pub component: String,
}

/// What a verified log contains.
#[derive(Debug, Clone)]
pub struct LogSummary {
    pub chain: ChainSummary,
    pub runs: Vec<PhaseRun>,
    /// Runs a killed compose left unended, closed by the `continue` record of its
    /// `--restart`.
    pub interrupted: usize,
    /// Whether the head carries a signature (which this version does not check).
    pub signed: bool,
}

/// Checks the chain of the log at `path` alone (not its runs, not its head).
pub fn verify_chain(path: &Path) -> Result<ChainSummary, VerifyError> {
    let file = open_regular(path).map_err(|source| read_error(path, source))?;
    chain_of(&file, path)
}

/// Checks the log at `path` whole: chain, runs and its head at `head`.
pub fn verify_log(path: &Path, head: &Path) -> Result<LogSummary, VerifyError> {
    let file = open_regular(path).map_err(|source| read_error(path, source))?;
    let mut runs = Runs::default();
    // The first record out of place is reported after the head check: a log that is
    // not the one the head records is told as such first, whatever else is wrong.
    let mut misplaced_at = None;
    let chain = walk(&file, path, |line, record| {
        if misplaced_at.is_none()
            && let Err(message) = runs.visit(line, record)
        {
            misplaced_at = Some(misplaced(path, line, message));
        }
        Ok(())
    })?;
    let recorded = read_head(head).map_err(|message| VerifyError::Head {
        path: path.display().to_string(),
        line: chain.lines,
        message,
    })?;
    compare_head(&chain, &recorded, path, head)?;
    if let Some(error) = misplaced_at {
        return Err(error);
    }
    if let Some((line, phase)) = runs.open.iter().map(|(p, l)| (*l, p)).min() {
        return Err(misplaced(
            path,
            line,
            format!("phase `{phase}` starts a run here that has no end record"),
        ));
    }
    Ok(LogSummary {
        chain,
        runs: runs.runs,
        interrupted: runs.interrupted,
        signed: recorded.signature.is_some(),
    })
}

/// The chain read from `file` (from its start), named `path` in errors.
pub(super) fn chain_of(file: &File, path: &Path) -> Result<ChainSummary, VerifyError> {
    walk(file, path, |_, _| Ok(()))
}

/// Whether a log whose chain is `chain` is the one `head` records.
pub(super) fn compare_head(
    chain: &ChainSummary,
    head: &Head,
    path: &Path,
    head_path: &Path,
) -> Result<(), VerifyError> {
    let error = |line, message| VerifyError::Head {
        path: path.display().to_string(),
        line,
        message,
    };
    if chain.lines != head.records {
        return Err(error(
            chain.lines.min(head.records) + 1,
            format!(
                "the log has {} records, the head ({}) says {}",
                chain.lines,
                head_path.display(),
                head.records
            ),
        ));
    }
    if chain.last_hash != head.last_hash {
        return Err(error(
            chain.lines,
            format!(
                "line {}'s hash is {}, the head ({}) records {}",
                chain.lines,
                chain.last_hash,
                head_path.display(),
                head.last_hash
            ),
        ));
    }
    Ok(())
}

/// Reads every line of `file`, checking the chain, and hands each record to `visit`.
fn walk(
    file: &File,
    path: &Path,
    mut visit: impl FnMut(u64, &Value) -> Result<(), VerifyError>,
) -> Result<ChainSummary, VerifyError> {
    let shown = path.display().to_string();
    let mut reader = BufReader::new(file);
    let mut bytes = Vec::new();
    let mut prev = GENESIS.to_owned();
    let mut count = 0u64;
    loop {
        bytes.clear();
        let read = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut bytes)
            .map_err(|source| read_error(path, source))?;
        if read == 0 {
            break;
        }
        let number = count + 1;
        let malformed = |message: String| VerifyError::Malformed {
            path: shown.clone(),
            line: number,
            message,
        };
        if bytes.pop() != Some(b'\n') {
            return Err(malformed(if bytes.len() >= MAX_LINE {
                format!("longer than {MAX_LINE} bytes, which no record is")
            } else {
                "cut short: no newline at its end (the log was truncated)".into()
            }));
        }
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| malformed(format!("not a JSON object: {e}")))?;
        let found_prev = value
            .get("prev")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("no `prev` field".into()))?;
        if found_prev != prev {
            return Err(VerifyError::Broken {
                path: shown,
                line: number,
                previous: count,
                expected: prev,
                found: found_prev.to_owned(),
            });
        }
        let seq = value
            .get("seq")
            .and_then(Value::as_u64)
            .ok_or_else(|| malformed("no `seq` field".into()))?;
        if seq != count {
            return Err(VerifyError::Sequence {
                path: shown,
                line: number,
                expected: count,
                found: seq,
            });
        }
        visit(number, &value)?;
        prev = hex::encode(Sha256::digest(&bytes));
        count += 1;
    }
    Ok(ChainSummary {
        lines: count,
        last_hash: prev,
    })
}

/// The runs and calls open at a point of the log.
#[derive(Default)]
struct Runs {
    /// Phase -> the line of its open run's `start`.
    open: HashMap<String, u64>,
    /// Intent `seq` -> its phase and line, until its result.
    calls: HashMap<u64, (String, u64)>,
    runs: Vec<PhaseRun>,
    interrupted: usize,
}

impl Runs {
    fn visit(&mut self, line: u64, record: &Value) -> Result<(), String> {
        let field = |name: &str| {
            record[name]
                .as_str()
                .ok_or_else(|| format!("no `{name}` field"))
        };
        let phase = field("phase")?;
        match (field("interface")?, field("operation")?) {
            ("phase", "start") => {
                if let Some(started) = self.open.insert(phase.to_owned(), line) {
                    return Err(format!(
                        "phase `{phase}` starts again, but its run from line {started} has no end record"
                    ));
                }
                self.runs.push(PhaseRun {
                    line,
                    phase: phase.to_owned(),
                    component: field("component")?.to_owned(),
                });
            }
            ("phase", "end") => {
                if self.open.remove(phase).is_none() {
                    return Err(format!("phase `{phase}` ends a run that never started"));
                }
                let unanswered = self.calls.values().filter(|(p, _)| p == phase);
                if let Some((_, at)) = unanswered.min_by_key(|(_, at)| *at) {
                    return Err(format!(
                        "phase `{phase}` ends, but its call at line {at} has no result"
                    ));
                }
            }
            // A signed compose's inputs (config and policy digests) and the config's SCM
            // inputs, written by the host before any phase runs (`attest/inputs.rs`,
            // `scm/mod.rs`).
            ("audit", "inputs" | "scm-fetch") => {}
            ("audit", "continue") => {
                self.interrupted += self.open.len();
                self.open.clear();
                self.calls.clear();
            }
            _ => self.call(line, phase, record)?,
        }
        Ok(())
    }

    /// An intent or a result of a call by `phase`.
    fn call(&mut self, line: u64, phase: &str, record: &Value) -> Result<(), String> {
        if !self.open.contains_key(phase) {
            return Err(format!(
                "a call of phase `{phase}` outside its run (no `start` record before it, or its `end` came already)"
            ));
        }
        if record["outcome"] == "started" {
            let seq = record["seq"].as_u64().unwrap_or_default();
            self.calls.insert(seq, (phase.to_owned(), line));
            return Ok(());
        }
        let call = record["call"]
            .as_u64()
            .ok_or("a result without `call` (the `seq` of its intent)")?;
        match self.calls.remove(&call) {
            Some((of, _)) if of == phase => Ok(()),
            _ => Err(format!(
                "the result of call {call}, which is not an unanswered call of phase `{phase}`"
            )),
        }
    }
}

fn read_error(path: &Path, source: std::io::Error) -> VerifyError {
    VerifyError::Read {
        path: path.display().to_string(),
        source,
    }
}

fn misplaced(path: &Path, line: u64, message: String) -> VerifyError {
    VerifyError::Misplaced {
        path: path.display().to_string(),
        line,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AuditLog, Event, Outcome};
    use super::*;

    fn event<'a>(phase: &'a str, interface: &'a str, op: &'a str, outcome: Outcome) -> Event<'a> {
        Event {
            phase,
            component: "abc",
            interface,
            operation: op,
            args: Some(serde_json::json!({"name": "pkgset"})),
            call: None,
            outcome,
            detail: None,
            result_digest: None,
        }
    }

    /// A log at `dir` with one whole run of `gather` making one call.
    fn whole_run(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
        let (path, head) = (dir.join("audit.jsonl"), dir.join("head.json"));
        let log = AuditLog::open(&path, &head).unwrap();
        log.record(event("gather", "phase", "start", Outcome::Ok))
            .unwrap();
        let seq = log
            .record(event("gather", "metadata", "read", Outcome::Started))
            .unwrap();
        log.record(Event {
            call: Some(seq),
            args: None,
            ..event("gather", "metadata", "read", Outcome::Ok)
        })
        .unwrap();
        log.record(event("gather", "phase", "end", Outcome::Ok))
            .unwrap();
        (path, head)
    }

    #[test]
    fn a_whole_log_verifies_and_reopening_continues_it() {
        let dir = tempfile::tempdir().unwrap();
        let (path, head) = whole_run(dir.path());
        assert_eq!(verify_log(&path, &head).unwrap().chain.lines, 4);
        let log = AuditLog::open(&path, &head).unwrap();
        log.record(event("gather", "phase", "start", Outcome::Ok))
            .unwrap();
        drop(log);
        let err = verify_log(&path, &head).unwrap_err().to_string();
        assert!(
            err.contains("audit.jsonl:6: phase `gather` starts a run here that has no end"),
            "{err}"
        );
        let summary = verify_chain(&path).unwrap();
        assert_eq!(summary.lines, 6, "the continue record is the fifth");
    }

    #[test]
    fn one_changed_byte_is_found_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let (path, head) = whole_run(dir.path());
        let text = std::fs::read_to_string(&path).unwrap();
        let tampered = text.replacen("\"operation\":\"read\"", "\"operation\":\"x\"", 1);
        std::fs::write(&path, tampered).unwrap();
        let err = verify_log(&path, &head).unwrap_err().to_string();
        assert!(err.contains("audit.jsonl:3: chain broken"), "{err}");
    }

    #[test]
    fn a_cut_log_is_named_at_its_last_line_and_refused_for_continuing() {
        let dir = tempfile::tempdir().unwrap();
        let (path, head) = whole_run(dir.path());
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, &text[..text.len() - 10]).unwrap();
        let err = verify_log(&path, &head).unwrap_err().to_string();
        assert!(err.contains("audit.jsonl:4: cut short"), "{err}");
        let whole_lines: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
        std::fs::write(&path, whole_lines).unwrap();
        let err = format!("{:#}", AuditLog::open(&path, &head).err().unwrap());
        assert!(err.contains("the log has 3 records"), "{err}");
        assert!(err.contains("says 4"), "{err}");
    }

    #[test]
    fn a_call_outside_its_run_and_a_result_without_intent_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let (path, head) = (dir.path().join("audit.jsonl"), dir.path().join("head.json"));
        let log = AuditLog::open(&path, &head).unwrap();
        log.record(event("gather", "metadata", "read", Outcome::Started))
            .unwrap();
        let err = verify_log(&path, &head).unwrap_err().to_string();
        assert!(
            err.contains("audit.jsonl:1: a call of phase `gather` outside"),
            "{err}"
        );

        let (path, head) = (dir.path().join("b.jsonl"), dir.path().join("b.json"));
        let log = AuditLog::open(&path, &head).unwrap();
        log.record(event("gather", "phase", "start", Outcome::Ok))
            .unwrap();
        log.record(Event {
            call: Some(7),
            ..event("gather", "metadata", "read", Outcome::Ok)
        })
        .unwrap();
        let err = verify_log(&path, &head).unwrap_err().to_string();
        assert!(err.contains("b.jsonl:2: the result of call 7"), "{err}");
    }

    #[test]
    fn a_run_ending_with_an_unanswered_call_is_named_at_the_call() {
        let dir = tempfile::tempdir().unwrap();
        let (path, head) = (dir.path().join("audit.jsonl"), dir.path().join("head.json"));
        let log = AuditLog::open(&path, &head).unwrap();
        log.record(event("gather", "phase", "start", Outcome::Ok))
            .unwrap();
        log.record(event("gather", "command", "run", Outcome::Started))
            .unwrap();
        log.record(event("gather", "phase", "end", Outcome::Ok))
            .unwrap();
        let err = verify_log(&path, &head).unwrap_err().to_string();
        assert!(
            err.contains(
                "audit.jsonl:3: phase `gather` ends, but its call at line 2 has no result"
            ),
            "{err}"
        );
    }
}
