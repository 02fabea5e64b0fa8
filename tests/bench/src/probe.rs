//! The runtime's own figures: the probe component (`tests/components/probe`) run as Wasm
//! and natively with the same grant, giving host calls per second and bytes per second
//! through `metadata`, the filesystem and `files.digest`, and `sha256sum` on the same
//! multi-GB file beside our digest.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use indicatif::ProgressBar;
use pungi_host::audit::AuditLog;
use pungi_host::capabilities::{ComposeFacts, DocumentStore, PhaseEnv, PhaseProgress};
use pungi_host::policy::{Grant, Limits, MountGrant, MountRole};
use pungi_host::runtime::Runtime;
use serde::Serialize;

use crate::compose::ms;
use crate::native;

/// Host calls the probe makes, and the bytes it moves each way.
const CALLS: u64 = 20_000;
const BYTES: u64 = 64 << 20;
/// The digest file; big enough that the OS cache and start-up costs stop mattering.
const BIG_FILE: &str = "big.img";

/// One run of the probe (Wasm or native).
#[derive(Serialize)]
pub struct Figures {
    pub calls_per_second: f64,
    pub metadata_write_mib_s: f64,
    pub metadata_read_mib_s: f64,
    pub fs_write_mib_s: f64,
    pub fs_read_mib_s: f64,
    pub digest_mib_s: f64,
}

/// Wasm against native, and sha256sum on the digest file.
#[derive(Serialize)]
pub struct RuntimeReport {
    pub calls: u64,
    pub bytes: u64,
    pub big_file_gib: u64,
    pub wasm: Figures,
    pub native: Figures,
    pub sha256sum_mib_s: f64,
    pub compile_cold_ms: f64,
    pub load_warm_ms: f64,
    /// Median wall time of one `command.run` of `/usr/bin/true`, in the command jail and
    /// (a policy's `jail = false`) natively: what the jail costs a command start.
    pub command_jailed_ms: f64,
    pub command_native_ms: f64,
}

/// Runs the probe both ways in `out/probe`, hashing a `gib` GiB file.
pub fn measure(out: &Path, phases_dir: &Path, gib: u64) -> anyhow::Result<RuntimeReport> {
    let dir = out.join("probe");
    let work = dir.join("work");
    std::fs::create_dir_all(&work)?;
    let big = work.join(BIG_FILE);
    crate::noise::ensure_file(&big, gib << 10, 0)?;
    let component = phases_dir.join("pungi_test_probe.wasm");
    let cache = dir.join("cache");
    let _ = std::fs::remove_dir_all(&cache);
    let runtime = Runtime::new(cache)?;
    let cold = runtime.load(&component)?;
    let loaded = runtime.load(&component)?;
    let wasm = runtime
        .run(&loaded, env(&dir, &work, "wasm")?)
        .map_err(|failure| anyhow::anyhow!("the probe component: {failure}"))?;
    let (_, native_counts) =
        native::run_with_counts(pungi_test_probe::run_native, env(&dir, &work, "native")?)?;
    let bytes_of_big = gib << 30;
    let started = Instant::now();
    let status = Command::new("sha256sum")
        .arg(&big)
        .stdout(std::process::Stdio::null())
        .status()
        .context("running sha256sum")?;
    if !status.success() {
        bail!("sha256sum failed on {}", big.display());
    }
    let sha256sum = started.elapsed();
    let command_jailed = command_start(env(&dir, &work, "jailed")?)?;
    let mut unjailed = env(&dir, &work, "unjailed")?;
    unjailed.grant.unjailed = true;
    let command_native = command_start(unjailed)?;
    Ok(RuntimeReport {
        calls: CALLS,
        bytes: BYTES,
        big_file_gib: gib,
        wasm: figures(&wasm.counts, bytes_of_big)?,
        native: figures(&native_counts, bytes_of_big)?,
        sha256sum_mib_s: mib_per_second(bytes_of_big, sha256sum),
        compile_cold_ms: ms(cold.compile_time),
        load_warm_ms: ms(loaded.compile_time),
        command_jailed_ms: ms(command_jailed),
        command_native_ms: ms(command_native),
    })
}

/// How many commands the start-up figure is the median of.
const COMMAND_STARTS: usize = 101;

/// The median time of one `command.run` of `true` under `env`'s grant, audit included.
fn command_start(mut env: PhaseEnv) -> anyhow::Result<Duration> {
    env.grant.commands.insert("true".into());
    let invocation = pungi_host::capabilities::command::Invocation {
        program: "true".into(),
        args: Vec::new(),
        cwd: None,
        env: Vec::new(),
        timeout: None,
    };
    let mut times = (0..COMMAND_STARTS)
        .map(|_| {
            let started = Instant::now();
            let out = pungi_host::capabilities::command::run(&env, &invocation)
                .map_err(|e| anyhow::anyhow!("running `true`: {e}"))?;
            anyhow::ensure!(
                out.exit_code == Some(0),
                "`true` exited {:?}",
                out.exit_code
            );
            Ok(started.elapsed())
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    times.sort();
    Ok(times[times.len() / 2])
}

/// The probe's grant: `work` read-write, its own document, generous limits.
fn env(dir: &Path, work: &Path, label: &str) -> anyhow::Result<PhaseEnv> {
    // Each run starts from no documents and no audit log: what an earlier run left
    // would be another writer's document to merge with, and a log to continue.
    let documents = dir.join(format!("documents-{label}"));
    let _ = std::fs::remove_dir_all(&documents);
    std::fs::create_dir_all(&documents)?;
    for file in [
        format!("audit-{label}.jsonl"),
        format!("audit-head-{label}.json"),
    ] {
        let _ = std::fs::remove_file(dir.join(file));
    }
    let config = serde_json::json!({
        "probe_calls": CALLS,
        "probe_bytes": BYTES,
        "probe_file": BIG_FILE,
    });
    let facts = ComposeFacts {
        id: "Probe-1.0-20260101.n.0".into(),
        label: None,
        date: "20260101".into(),
        respin: 0,
        compose_type: "nightly".into(),
        release_name: "Probe".into(),
        release_short: "Probe".into(),
        release_version: "1.0".into(),
        release_type: "ga".into(),
        arches: vec!["x86_64".into()],
        variants: Vec::new(),
        config: config.as_object().cloned().unwrap_or_default(),
    };
    let grant = Grant {
        phase: "probe".into(),
        mounts: vec![MountGrant {
            guest: "/work".into(),
            host: work.to_path_buf(),
            writable: true,
            role: MountRole::Work,
            pinned: None,
        }],
        metadata_read: ["probe".to_owned()].into(),
        metadata_write: ["probe".to_owned()].into(),
        limits: Limits {
            memory_bytes: 2 << 30,
            time: Duration::from_secs(600),
            output_bytes: 1 << 20,
        },
        ..Grant::default()
    };
    Ok(PhaseEnv {
        grant,
        component: label.into(),
        facts: Arc::new(facts),
        documents: Arc::new(DocumentStore::new(documents)),
        audit: Arc::new(AuditLog::open(
            &dir.join(format!("audit-{label}.jsonl")),
            &dir.join(format!("audit-head-{label}.json")),
        )?),
        progress: PhaseProgress::new(ProgressBar::hidden()),
        started: std::time::Instant::now(),
        denied: Default::default(),
    })
}

fn mib_per_second(bytes: u64, time: Duration) -> f64 {
    (bytes as f64 / 1048576.0 / time.as_secs_f64().max(1e-9) * 10.0).round() / 10.0
}

fn figures(counts: &[(String, u64)], big: u64) -> anyhow::Result<Figures> {
    let counts: BTreeMap<&str, u64> = counts.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let nanos = |name: &str| {
        counts
            .get(name)
            .map(|&n| Duration::from_nanos(n))
            .with_context(|| format!("the probe reported no `{name}`"))
    };
    Ok(Figures {
        calls_per_second: (CALLS as f64 / nanos("calls_ns")?.as_secs_f64()).round(),
        metadata_write_mib_s: mib_per_second(BYTES, nanos("metadata_write_ns")?),
        metadata_read_mib_s: mib_per_second(BYTES, nanos("metadata_read_ns")?),
        fs_write_mib_s: mib_per_second(BYTES, nanos("fs_write_ns")?),
        fs_read_mib_s: mib_per_second(BYTES, nanos("fs_read_ns")?),
        digest_mib_s: mib_per_second(big, nanos("digest_ns")?),
    })
}

impl RuntimeReport {
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "### runtime: compile cold {} ms, load warm {} ms; {} host calls, {} MiB each way, a {} GiB digest file\n",
            self.compile_cold_ms,
            self.load_warm_ms,
            self.calls,
            self.bytes >> 20,
            self.big_file_gib
        );
        let _ = writeln!(md, "| figure | wasm | native | wasm/native |");
        let _ = writeln!(md, "| --- | ---: | ---: | ---: |");
        let rows = [
            (
                "host calls per second",
                self.wasm.calls_per_second,
                self.native.calls_per_second,
            ),
            (
                "metadata write MiB/s",
                self.wasm.metadata_write_mib_s,
                self.native.metadata_write_mib_s,
            ),
            (
                "metadata read MiB/s",
                self.wasm.metadata_read_mib_s,
                self.native.metadata_read_mib_s,
            ),
            (
                "fs write MiB/s",
                self.wasm.fs_write_mib_s,
                self.native.fs_write_mib_s,
            ),
            (
                "fs read MiB/s",
                self.wasm.fs_read_mib_s,
                self.native.fs_read_mib_s,
            ),
            (
                "files.digest sha256 MiB/s",
                self.wasm.digest_mib_s,
                self.native.digest_mib_s,
            ),
        ];
        for (what, wasm, native) in rows {
            let _ = writeln!(
                md,
                "| {what} | {wasm} | {native} | {:.2} |",
                wasm / native.max(1e-9)
            );
        }
        let _ = writeln!(
            md,
            "\nsha256sum on the same file: {} MiB/s; files.digest (Wasm) / sha256sum = {:.2}",
            self.sha256sum_mib_s,
            self.wasm.digest_mib_s / self.sha256sum_mib_s.max(1e-9)
        );
        let _ = writeln!(
            md,
            "\nA command start (`true`, median of {COMMAND_STARTS}): {} ms in the jail, {} ms natively; the jail adds {:.1} ms",
            self.command_jailed_ms,
            self.command_native_ms,
            self.command_jailed_ms - self.command_native_ms
        );
        md
    }
}
