//! `cargo xtask bench-flood`: what a phase granted nothing costs the host when it spends
//! its time limit making denied calls, each as heavy as it can make one (16 MiB command
//! arguments, a 3,000,000-pair link batch, background batches, a document not granted):
//! the host's peak memory against an idle compose of the same input, and the audit
//! bytes the phase caused. Two demo composes with the hostile component as a custom
//! phase, one idle and one flooding. Report: `target/bench/flood.md`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::Context as _;
use sha2::{Digest, Sha256};

use crate::steps;

/// The flooding phase's time limit: long enough that only the host's bounds can end it
/// sooner.
const TIME_LIMIT_SECONDS: u64 = 30;

/// One compose of the benchmark.
struct Measured {
    label: &'static str,
    max_rss_kib: u64,
    /// The phase's own linear memory at its peak: host memory the phase was granted.
    phase_memory_mib: u64,
    audit_bytes: u64,
    audit_lines: usize,
    seconds: f64,
    outcome: String,
}

pub fn bench_flood() -> anyhow::Result<()> {
    steps::ensure_debian_tools(false)?;
    steps::build(steps::Profile::Release)?;
    let bench = steps::target_dir().join("bench/flood");
    let input = bench.join("input");
    if input.exists() {
        std::fs::remove_dir_all(&input).context("clearing the old input")?;
    }
    let bin = steps::target_dir().join("release");
    steps::run(
        Command::new(bin.join("pungi-fixtures"))
            .arg("demo")
            .arg("--out")
            .arg(&input),
    )?;
    let component = std::fs::read(steps::phases_dir().join("pungi_test_hostile.wasm"))
        .context("reading the hostile component")?;
    std::fs::create_dir_all(input.join("phases"))?;
    std::fs::write(input.join("phases/flood.wasm"), &component)?;
    let sha256 = hex::encode(Sha256::digest(&component));
    std::fs::write(
        input.join("flood-policy.toml"),
        format!("[phase.flood]\ntime-seconds = {TIME_LIMIT_SECONDS}\n"),
    )?;
    // Compiling the components takes the host more memory than anything a compose does
    // later, so the cache is filled first: both measured composes load from it.
    compose(&bench, &input, &sha256, "warm-up", "ok")?;
    let mut runs = Vec::new();
    for (label, action) in [("idle", "ok"), ("flood", "flood-denied-calls")] {
        runs.push(compose(&bench, &input, &sha256, label, action)?);
    }
    let report = render(&runs);
    print!("{report}");
    let path = steps::target_dir().join("bench/flood.md");
    std::fs::write(&path, &report).with_context(|| format!("writing {}", path.display()))?;
    println!("\nwritten to {}", path.display());
    Ok(())
}

/// Composes the demo with the hostile component as custom phase `flood` doing `action`.
fn compose(
    bench: &Path,
    input: &Path,
    sha256: &str,
    label: &'static str,
    action: &str,
) -> anyhow::Result<Measured> {
    let config = input.join(format!("flood-{label}.conf"));
    std::fs::write(
        &config,
        format!(
            "from demo import *\n\nhostile_action = \"{action}\"\n\ncustom_phases = [{{\n    \
             \"name\": \"flood\",\n    \"component\": \"phases/flood.wasm\",\n    \
             \"sha256\": \"{sha256}\",\n    \"after\": \"init\",\n    \"failable\": True,\n    \
             \"grant\": {{\"time-seconds\": {TIME_LIMIT_SECONDS}}},\n}}]\n"
        ),
    )?;
    let target = bench.join(format!("composes-{label}"));
    let _ = std::fs::remove_dir_all(&target);
    let time_report = bench.join(format!("time-{label}.txt"));
    // The compose ends incomplete when the flood is stopped (the phase is failable).
    let status = Command::new("/usr/bin/time")
        .arg("-v")
        .arg("-o")
        .arg(&time_report)
        .arg(steps::target_dir().join("release/pungi-wasm"))
        .arg("compose")
        .arg("--config")
        .arg(&config)
        .arg("--policy")
        .arg(input.join("flood-policy.toml"))
        .arg("--target-dir")
        .arg(&target)
        .arg("--nightly")
        .arg("--phases-dir")
        .arg(steps::phases_dir())
        .current_dir(steps::root())
        .status()
        .context("running pungi-wasm under /usr/bin/time")?;
    let (compose, phases) = crate::measure::finished_compose(&target)
        .with_context(|| format!("the {label} compose ({status})"))?;
    let audit = std::fs::read_to_string(compose.join("logs/global/audit.jsonl"))
        .context("reading the audit log")?;
    let ours: Vec<&str> = audit
        .lines()
        .filter(|line| {
            serde_json::from_str::<serde_json::Value>(line)
                .is_ok_and(|record| record["phase"] == "flood")
        })
        .collect();
    let flood = phases["phases"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["name"] == "flood"))
        .with_context(|| format!("phase `flood` missing from the {label} compose"))?;
    Ok(Measured {
        label,
        max_rss_kib: crate::measure::max_rss_kib(&time_report)?,
        phase_memory_mib: phase_memory_mib(&compose, flood)?,
        audit_bytes: ours.iter().map(|l| l.len() as u64 + 1).sum(),
        audit_lines: ours.len(),
        seconds: (flood["end_offset"].as_f64().unwrap_or_default()
            - flood["start_offset"].as_f64().unwrap_or_default())
            / 1000.0,
        outcome: format!(
            "{}: {}",
            flood["result"].as_str().unwrap_or("?"),
            flood["message"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(160)
                .collect::<String>()
        ),
    })
}

/// The flood phase's peak linear memory: in phases.json when it finished, else from the
/// line the runtime logs when it stops a phase.
fn phase_memory_mib(compose: &Path, flood: &serde_json::Value) -> anyhow::Result<u64> {
    if let Some(bytes) = flood["peak_memory"].as_u64().filter(|b| *b > 0) {
        return Ok(bytes >> 20);
    }
    let log = std::fs::read_to_string(compose.join("logs/global/flood.global.log"))
        .context("reading the flood phase's log")?;
    log.lines()
        .filter_map(|line| line.split("stopped holding ").nth(1))
        .find_map(|rest| rest.split(' ').next()?.parse().ok())
        .context("the flood phase's log does not say how much memory it held")
}

fn render(runs: &[Measured]) -> String {
    let mut out = format!(
        "# A phase granted nothing, flooding denied calls (time limit {TIME_LIMIT_SECONDS} s)\n\n\
         | compose | host peak RSS (MiB) | the phase's own memory (MiB) | phase's audit lines | phase's audit bytes | phase ran (s) | how it ended |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | --- |\n"
    );
    for run in runs {
        let _ = writeln!(
            out,
            "| {} | {:.0} | {} | {} | {} | {:.1} | {} |",
            run.label,
            run.max_rss_kib as f64 / 1024.0,
            run.phase_memory_mib,
            run.audit_lines,
            run.audit_bytes,
            run.seconds,
            run.outcome.replace('|', "\\|")
        );
    }
    if let [idle, flood] = runs {
        let above_idle = (flood.max_rss_kib as f64 - idle.max_rss_kib as f64) / 1024.0;
        let _ = writeln!(
            out,
            "\nHost memory above the idle compose: {above_idle:.0} MiB, of which the phase's own \
             linear memory (granted, within its limit) {} MiB and the host's own cost {:.0} MiB \
             (goal: under 256 MiB). Audit log of the flooding phase: {:.2} MiB (goal: under 10 MiB).",
            flood.phase_memory_mib,
            above_idle - flood.phase_memory_mib as f64,
            flood.audit_bytes as f64 / (1 << 20) as f64
        );
    }
    out
}
