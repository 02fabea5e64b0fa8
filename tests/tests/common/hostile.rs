//! The harness of the tests that run the hostile phase component
//! (`tests/components/hostile`): a compose tree in a temporary directory, one run per
//! action, and checks that nothing changed outside the grant and that the audit log
//! verifies.
//!
//! The components are built by `cargo xtask build` (or `cargo build --release --target
//! wasm32-wasip2 -p pungi-test-hostile -p pungi-test-future-wit`); `cargo xtask test`
//! points `PUNGI_WASM_PHASES` at them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use pungi_host::audit::{AuditLog, verify_chain};
use pungi_host::capabilities::{ComposeFacts, DocumentStore, PhaseEnv, PhaseProgress};
use pungi_host::policy::{Grant, Limits, MountGrant, MountRole};
use pungi_host::runtime::{LoadedComponent, PhaseFailure, PhaseReport, Runtime};
use serde_json::{Value, json};

pub const MEMORY_LIMIT: u64 = 64 << 20;
pub const TIME_LIMIT: Duration = Duration::from_secs(2);
pub const OUTPUT_LIMIT: u64 = 64 << 10;
pub const ORIGINAL: &str = "original read-only content\n";

/// Where the built phase components are.
pub fn components_dir() -> PathBuf {
    std::env::var_os("PUNGI_WASM_PHASES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasm32-wasip2/release")
        })
}

pub fn component_path(file: &str) -> PathBuf {
    let path = components_dir().join(file);
    assert!(
        path.is_file(),
        "{} is missing: run `cargo xtask build` (or `cargo build --release --target \
         wasm32-wasip2 -p pungi-test-hostile -p pungi-test-future-wit`) first",
        path.display()
    );
    path
}

/// One engine and the hostile component, compiled once for every test of this file.
pub struct Shared {
    pub runtime: Runtime,
    pub hostile: LoadedComponent,
}

pub fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sandbox-component-cache");
        let runtime = Runtime::new(cache).expect("a wasmtime engine");
        let hostile = runtime
            .load(&component_path("pungi_test_hostile.wasm"))
            .expect("the hostile component loads");
        Shared { runtime, hostile }
    })
}

/// The host side of one run: a compose tree in a temporary directory.
///
/// ```text
/// root/compose/        mounted rw at /compose; planted.txt, escape -> /etc
/// root/work/           mounted ro at /work; ro.txt
/// root/x               outside every mount
/// root/metadata/       the document store; secret.json, allowed-in.json
/// root/audit.jsonl, root/audit-head.json
/// ```
pub struct Sandbox {
    pub root: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("a temporary directory");
        let path = root.path();
        for dir in ["compose", "work", "metadata"] {
            std::fs::create_dir(path.join(dir)).unwrap();
        }
        std::fs::write(path.join("compose/planted.txt"), "planted\n").unwrap();
        std::os::unix::fs::symlink("/etc", path.join("compose/escape")).unwrap();
        std::fs::write(path.join("work/ro.txt"), ORIGINAL).unwrap();
        std::fs::write(path.join("x"), "outside every mount\n").unwrap();
        std::fs::write(path.join("metadata/secret.json"), r#"{"secret":true}"#).unwrap();
        std::fs::write(path.join("metadata/allowed-in.json"), "{}").unwrap();
        Sandbox { root }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    pub fn grant(&self) -> Grant {
        let mount = |guest: &str, dir: &str, writable, role| MountGrant {
            guest: guest.into(),
            host: self.path(dir),
            writable,
            role,
            pinned: None,
        };
        Grant {
            phase: "hostile".into(),
            mounts: vec![
                mount("/compose", "compose", true, MountRole::Compose),
                mount("/work", "work", false, MountRole::Work),
            ],
            commands: BTreeSet::from(["ls".to_owned(), "sleep".to_owned()]),
            metadata_read: BTreeSet::from(["allowed-in".to_owned()]),
            metadata_write: BTreeSet::from(["allowed-out".to_owned()]),
            command_env: BTreeSet::from(["SOURCE_DATE_EPOCH".to_owned(), "LD_PRELOAD".to_owned()]),
            limits: Limits {
                memory_bytes: MEMORY_LIMIT,
                time: TIME_LIMIT,
                output_bytes: OUTPUT_LIMIT,
            },
            ..Grant::default()
        }
    }

    pub fn env(&self, action: &str, arg: Option<&str>) -> PhaseEnv {
        self.env_with(action, arg, self.grant())
    }

    /// [`Sandbox::env`] with a grant of the test's own.
    pub fn env_with(&self, action: &str, arg: Option<&str>, grant: Grant) -> PhaseEnv {
        let mut config = serde_json::Map::new();
        config.insert("hostile_action".into(), json!(action));
        if let Some(arg) = arg {
            config.insert("hostile_arg".into(), json!(arg));
        }
        PhaseEnv {
            grant,
            component: shared().hostile.sha256.clone(),
            facts: Arc::new(facts(config)),
            documents: Arc::new(DocumentStore::new(self.path("metadata"))),
            audit: Arc::new(
                AuditLog::open(&self.path("audit.jsonl"), &self.path("audit-head.json")).unwrap(),
            ),
            progress: PhaseProgress::new(indicatif::ProgressBar::hidden()),
            started: std::time::Instant::now(),
            denied: Default::default(),
        }
    }

    /// Every file and symlink under the root (the audit log aside) with its content or
    /// target, without following symlinks.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                let name = path.strip_prefix(root).unwrap().display().to_string();
                let meta = path.symlink_metadata().unwrap();
                if meta.is_symlink() {
                    let target = std::fs::read_link(&path).unwrap();
                    out.insert(name, format!("-> {}", target.display()));
                } else if meta.is_dir() {
                    out.insert(name.clone(), "<dir>".into());
                    walk(&path, root, out);
                } else if name != "audit.jsonl" && name != "audit-head.json" {
                    let bytes = std::fs::read(&path).unwrap();
                    out.insert(name, String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(self.root.path(), self.root.path(), &mut out);
        out
    }

    /// The calls of the audit log (each intent joined with its result, see
    /// [`super::audit::calls`]), after checking its hash chain.
    pub fn audit(&self) -> Vec<Value> {
        let path = self.path("audit.jsonl");
        verify_chain(&path).unwrap_or_else(|e| panic!("audit chain does not verify: {e}"));
        super::audit::calls(&std::fs::read_to_string(&path).unwrap_or_default())
    }

    /// Asserts the audit log has a call of `interface.operation` with `outcome` whose
    /// args mention `needle`.
    pub fn assert_audited(&self, interface: &str, operation: &str, outcome: &str, needle: &str) {
        let lines = self.audit();
        let found = lines.iter().any(|line| {
            line["interface"] == interface
                && line["operation"] == operation
                && line["outcome"] == outcome
                && line["args"].to_string().contains(needle)
        });
        assert!(
            found,
            "no audited call {interface}.{operation} outcome={outcome} mentioning {needle:?} in:\n{}",
            lines
                .iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

pub fn facts(config: serde_json::Map<String, Value>) -> ComposeFacts {
    ComposeFacts {
        id: "Hostile-1.0-20260101.n.0".into(),
        label: None,
        date: "20260101".into(),
        respin: 0,
        compose_type: "nightly".into(),
        release_name: "Hostile".into(),
        release_short: "Hostile".into(),
        release_version: "1.0".into(),
        release_type: "ga".into(),
        arches: vec!["x86_64".into()],
        variants: Vec::new(),
        config,
    }
}

/// What one hostile run did, with the sandbox it ran in.
pub struct Run {
    pub sandbox: Sandbox,
    pub result: Result<PhaseReport, PhaseFailure>,
    pub elapsed: Duration,
}

/// Whether `path` is one of `allowed`, or is or is below one that ends with `/`.
fn is_allowed(allowed: &[&str], path: &str) -> bool {
    allowed.iter().any(|a| {
        *a == path
            || a.strip_suffix('/')
                .is_some_and(|dir| dir == path || path.starts_with(a))
    })
}

/// Runs the hostile phase with `action` in a fresh sandbox and checks that nothing on
/// disk changed except what `allowed` names (paths relative to the sandbox root; one
/// ending with `/` allows everything below it).
pub fn run(action: &str, arg: Option<&str>, allowed: &[&str]) -> Run {
    run_with(action, arg, allowed, |_| {})
}

/// [`run`] with the sandbox's grant changed by `widen` first (more commands, say).
pub fn run_with(
    action: &str,
    arg: Option<&str>,
    allowed: &[&str],
    widen: impl FnOnce(&mut Grant),
) -> Run {
    let sandbox = Sandbox::new();
    let before = sandbox.snapshot();
    let mut grant = sandbox.grant();
    widen(&mut grant);
    let env = sandbox.env_with(action, arg, grant);
    let started = Instant::now();
    let result = shared().runtime.run(&shared().hostile, env);
    let elapsed = started.elapsed();
    eprintln!("`{action}` ended in {elapsed:?}: {result:?}");
    let after = sandbox.snapshot();
    let changed: Vec<_> = before
        .keys()
        .chain(after.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k) && !is_allowed(allowed, k))
        .collect();
    assert!(
        changed.is_empty(),
        "`{action}` changed {changed:?} (result: {result:?})"
    );
    assert_eq!(
        after.get("work/ro.txt").map(String::as_str),
        Some(ORIGINAL),
        "`{action}` changed the read-only mount"
    );
    sandbox.audit();
    Run {
        sandbox,
        result,
        elapsed,
    }
}

impl Run {
    /// The phase was refused: it returned a capability error whose message contains
    /// every one of `needles`; returns the message.
    pub fn denied(&self, needles: &[&str]) -> &str {
        let message = match &self.result {
            Err(PhaseFailure::Failed { kind, message }) => {
                assert_eq!(*kind, "capability", "{message}");
                message
            }
            Ok(report) => panic!("the sandbox let it through: {}", report.message),
            Err(other) => panic!("expected a refusal, got {other:?}"),
        };
        assert!(
            !message.contains("ESCAPED"),
            "the sandbox let it through: {message}"
        );
        for needle in needles {
            assert!(
                message.contains(needle),
                "{message:?} should name {needle:?}"
            );
        }
        message
    }
}
