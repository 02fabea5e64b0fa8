//! Reading an audit log as calls: each intent record (with the call's arguments) joined
//! with its result record (with the outcome).

use std::path::Path;
use std::process::Output;

use pungi_tests::{describe, run_pungi};
use serde_json::Value;

/// `pungi-wasm audit verify COMPOSE_DIR` with `extra` arguments.
pub fn verify(compose_dir: &Path, extra: &[&str]) -> Output {
    let cache = tempfile::tempdir().unwrap();
    let mut args = vec!["audit", "verify", compose_dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    run_pungi(&args, cache.path())
}

/// A copy of the compose directory `compose_dir`, to damage.
pub fn copy_of(compose_dir: &Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", compose_dir.display()))
        .arg(copy.path())
        .status()
        .unwrap();
    assert!(status.success());
    copy
}

/// The verification failed and its error contains every one of `needles`.
pub fn assert_refused(output: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "verify passed:\n{}",
        describe(output)
    );
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
    }
}

/// The calls of the audit log `log` (its text), in the order they started: each intent's
/// fields with the `outcome`, `detail` and `result_digest` of its result (`outcome`
/// stays `started` for a call without one). Phase start and end records are left out.
pub fn calls(log: &str) -> Vec<Value> {
    let records: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let mut calls: Vec<Value> = records
        .iter()
        .filter(|r| r["outcome"] == "started")
        .cloned()
        .collect();
    for result in records.iter().filter(|r| r["call"].is_u64()) {
        let intent = calls
            .iter_mut()
            .find(|c| c["seq"] == result["call"])
            .unwrap_or_else(|| panic!("a result without its intent: {result}"));
        for field in ["outcome", "detail", "result_digest"] {
            intent[field] = result[field].clone();
        }
    }
    calls
}

/// `records` as a whole log, renumbered (`seq` and the `call` of each result) with
/// every `prev` recomputed: what someone who
/// can write the log but not the head can make of it. Returns the text and the last
/// hash.
pub fn rechained(records: &[Value]) -> (String, String) {
    let renumbered: std::collections::HashMap<u64, usize> = records
        .iter()
        .enumerate()
        .map(|(seq, r)| (r["seq"].as_u64().unwrap(), seq))
        .collect();
    let mut text = String::new();
    let mut prev = "0".repeat(64);
    for (seq, record) in records.iter().enumerate() {
        let mut record = record.clone();
        record["seq"] = seq.into();
        if let Some(call) = record["call"].as_u64() {
            record["call"] = renumbered[&call].into();
        }
        record["prev"] = prev.clone().into();
        let line = record.to_string();
        prev = pungi_host::audit::digest(line.as_bytes());
        text.push_str(&line);
        text.push('\n');
    }
    (text, prev)
}
