//! What the tests that call a capability provider directly (without a component) share:
//! a phase environment under a scratch directory; and, in [`hostile`], the harness of the
//! tests that run the hostile component.

// Each test file uses part of what is here.
#![allow(dead_code)]

pub mod audit;
pub mod hostile;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use pungi_host::audit::AuditLog;
use pungi_host::capabilities::{ComposeFacts, DocumentStore, PhaseEnv, PhaseProgress};
use pungi_host::policy::{Grant, Limits, MountGrant, MountRole};

/// A grant for phase `phase`: a writable `/compose` at `root/compose` (created), small
/// limits and a `time` limit; the caller adds commands.
pub fn compose_grant(root: &Path, phase: &str, time: Duration) -> Grant {
    std::fs::create_dir_all(root.join("compose")).unwrap();
    Grant {
        phase: phase.into(),
        mounts: vec![MountGrant {
            guest: "/compose".into(),
            host: root.join("compose"),
            writable: true,
            role: MountRole::Compose,
            pinned: None,
        }],
        limits: Limits {
            memory_bytes: 64 << 20,
            time,
            output_bytes: 64 << 10,
        },
        ..Grant::default()
    }
}

/// A phase environment for `grant` with a minimal compose, documents and audit log
/// under `root`.
pub fn phase_env(root: &Path, grant: Grant) -> PhaseEnv {
    PhaseEnv {
        grant,
        component: "0".repeat(64),
        facts: Arc::new(ComposeFacts {
            id: "T-1-20260101.n.0".into(),
            label: None,
            date: "20260101".into(),
            respin: 0,
            compose_type: "nightly".into(),
            release_name: "T".into(),
            release_short: "T".into(),
            release_version: "1".into(),
            release_type: "ga".into(),
            arches: vec![],
            variants: vec![],
            config: Default::default(),
        }),
        documents: Arc::new(DocumentStore::new(root.join("metadata"))),
        audit: Arc::new(
            AuditLog::open(&root.join("audit.jsonl"), &root.join("audit-head.json")).unwrap(),
        ),
        progress: PhaseProgress::new(indicatif::ProgressBar::hidden()),
        started: std::time::Instant::now(),
        denied: Default::default(),
    }
}

/// The pids of this machine's processes running `program` with `arg` as its first
/// argument: a value the test made unique (a jailed process's own pid means nothing
/// outside its pid namespace, so tests find processes by what they run).
pub fn processes_of(program: &str, arg: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let mut args = cmdline.split(|b| *b == 0).map(String::from_utf8_lossy);
            let runs = args
                .next()
                .is_some_and(|p| p.rsplit('/').next() == Some(program))
                && args.next().is_some_and(|a| a == arg);
            runs.then(|| entry.file_name().to_string_lossy().into_owned())
        })
        .collect()
}

/// Polls `check` every 10 ms, for up to 10 s: signals and processes act asynchronously.
pub fn eventually(check: impl Fn() -> bool) -> bool {
    (0..1000).any(|_| {
        let done = check();
        if !done {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        done
    })
}
