use std::io::BufRead;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::GENESIS;

/// Where an audit log stops being trustworthy.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: not a JSON object: {message}")]
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
}

/// What a whole, unbroken chain contains.
#[derive(Debug, Clone)]
pub struct ChainSummary {
    pub lines: u64,
    pub last_hash: String,
}

/// Checks that every line names the hash of the line before and the sequence has no gap;
/// names the first line that does not.
pub fn verify_chain(path: &Path) -> Result<ChainSummary, VerifyError> {
    let shown = path.display().to_string();
    let read_err = |source| VerifyError::Read {
        path: shown.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut prev = GENESIS.to_owned();
    let mut count = 0u64;
    for (index, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(read_err)?;
        let number = index as u64 + 1;
        let malformed = |message: String| VerifyError::Malformed {
            path: shown.clone(),
            line: number,
            message,
        };
        let value: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| malformed(e.to_string()))?;
        let found_prev = value
            .get("prev")
            .and_then(|v| v.as_str())
            .ok_or_else(|| malformed("no `prev` field".into()))?;
        if found_prev != prev {
            return Err(VerifyError::Broken {
                path: shown,
                line: number,
                previous: index as u64,
                expected: prev,
                found: found_prev.to_owned(),
            });
        }
        let seq = value
            .get("seq")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| malformed("no `seq` field".into()))?;
        if seq != count {
            return Err(VerifyError::Sequence {
                path: shown,
                line: number,
                expected: count,
                found: seq,
            });
        }
        prev = hex::encode(Sha256::digest(line.as_bytes()));
        count += 1;
    }
    Ok(ChainSummary {
        lines: count,
        last_hash: prev,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{AuditLog, Event, Outcome};
    use super::*;

    fn event(op: &str) -> Event<'_> {
        Event {
            phase: "gather",
            component: "abc",
            interface: "metadata",
            operation: op,
            args: serde_json::json!({"name": "pkgset"}),
            outcome: Outcome::Ok,
            detail: None,
            result_digest: None,
        }
    }

    #[test]
    fn chain_verifies_and_reopening_continues_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        AuditLog::open(&path)
            .unwrap()
            .record(&event("read"))
            .unwrap();
        AuditLog::open(&path)
            .unwrap()
            .record(&event("write"))
            .unwrap();
        assert_eq!(verify_chain(&path).unwrap().lines, 2);
    }

    #[test]
    fn one_changed_byte_is_found_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let log = AuditLog::open(&path).unwrap();
        for op in ["a", "b", "c"] {
            log.record(&event(op)).unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let tampered = text.replacen("\"operation\":\"b\"", "\"operation\":\"x\"", 1);
        std::fs::write(&path, tampered).unwrap();
        let err = verify_chain(&path).unwrap_err().to_string();
        assert!(err.contains("audit.jsonl:3: chain broken"), "{err}");
    }
}
