//! One size measured: per-phase Wasm and native times, runtime figures and baselines.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::baselines;
use crate::compose::{ms, native_compose, wasm_compose};
use crate::corpus::{Size, corpus};

/// A phase measured both ways.
#[derive(Serialize)]
pub struct PhaseRow {
    pub phase: String,
    pub wasm_ms: f64,
    pub native_ms: Option<f64>,
    /// (Wasm - native) / native, in percent.
    pub overhead_percent: Option<f64>,
    pub wasm_cpu_ms: f64,
    pub native_cpu_ms: Option<f64>,
    pub peak_linear_memory_mib: f64,
    pub compile_cold_ms: f64,
    pub load_warm_ms: f64,
    pub instantiate_ms: f64,
}

/// A baseline tool against our equivalent.
#[derive(Serialize)]
pub struct Baseline {
    pub what: String,
    pub theirs_ms: f64,
    pub ours_ms: f64,
    /// theirs / ours: above 1 means we are faster.
    pub speedup: f64,
}

#[derive(Serialize)]
pub struct Report {
    pub size: String,
    pub rpms: usize,
    pub compose_cold_ms: f64,
    pub compose_warm_ms: f64,
    pub phases: Vec<PhaseRow>,
    pub baselines: Vec<Baseline>,
}

/// Composes `size` cold (empty component cache), warm, and natively, then runs the
/// baselines on the warm compose's trees.
pub fn measure(size: Size, out: &Path, phases_dir: &Path) -> anyhow::Result<Report> {
    let config = corpus(out, size)?;
    let work = out.join(size.name());
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    let cache = work.join("component-cache");
    let cold = {
        let runtime = pungi_host::runtime::Runtime::new(cache.clone())?;
        wasm_compose(&config, &work.join("cold"), &runtime, phases_dir)?
    };
    let runtime = pungi_host::runtime::Runtime::new(cache)?;
    let warm = wasm_compose(&config, &work.join("wasm"), &runtime, phases_dir)?;
    let native = native_compose(&config, &work.join("native"))?;

    let phases = warm
        .phases
        .iter()
        .map(|phase| {
            let cold_phase = cold.phases.iter().find(|p| p.name == phase.name);
            let twin = native
                .iter()
                .find(|(name, _)| *name == phase.name)
                .map(|(_, t)| t);
            let wasm = phase.load_time + phase.instantiate_time + phase.run_time;
            PhaseRow {
                phase: phase.name.clone(),
                wasm_ms: ms(wasm),
                native_ms: twin.map(|t| ms(t.wall)),
                overhead_percent: twin.map(|t| {
                    ((wasm.as_secs_f64() - t.wall.as_secs_f64()) / t.wall.as_secs_f64() * 1000.0)
                        .round()
                        / 10.0
                }),
                wasm_cpu_ms: ms(phase.cpu_time),
                native_cpu_ms: twin.map(|t| ms(t.cpu)),
                peak_linear_memory_mib: (phase.peak_memory as f64 / 1048576.0 * 10.0).round()
                    / 10.0,
                compile_cold_ms: cold_phase.map_or(0.0, |p| ms(p.load_time)),
                load_warm_ms: ms(phase.load_time),
                instantiate_ms: ms(phase.instantiate_time),
            }
        })
        .collect();

    let compose_dir = work.join("wasm").join(&warm.compose_id).join("compose");
    let repos = baselines::repositories(&compose_dir);
    let scratch = work.join("scratch");
    std::fs::create_dir_all(&scratch)?;
    let phase_time = |name: &str| {
        warm.phases
            .iter()
            .find(|p| p.name == name)
            .map_or(Duration::ZERO, |p| p.run_time)
    };
    let rpms = baselines::rpm_files(&config.parent().expect("corpus dir").join("repos"));
    let mut rows = Vec::new();
    let mut add = |what: &str, theirs: anyhow::Result<Duration>, ours: Duration| match theirs {
        Ok(theirs) => rows.push(Baseline {
            what: what.to_owned(),
            theirs_ms: ms(theirs),
            ours_ms: ms(ours),
            speedup: (theirs.as_secs_f64() / ours.as_secs_f64().max(1e-9) * 100.0).round() / 100.0,
        }),
        Err(error) => eprintln!("baseline {what} skipped: {error:#}"),
    };
    add(
        "createrepo_c --workers 1 (all trees) vs Createrepo phase",
        baselines::createrepo_c(&repos, &scratch),
        phase_time("createrepo"),
    );
    add(
        "dnf repoclosure (binary trees) vs Test phase",
        baselines::dnf_repoclosure(&repos, &scratch),
        phase_time("test"),
    );
    let repos_root = config.parent().expect("corpus dir").join("repos");
    match baselines::host_digest(&repos_root, &rpms, &scratch) {
        Ok(ours) => add(
            "sha256sum (every RPM) vs files.digest",
            baselines::sha256sum(&rpms),
            ours,
        ),
        Err(error) => eprintln!("digest baseline skipped: {error:#}"),
    }
    Ok(Report {
        size: size.name().to_owned(),
        rpms: rpms.len(),
        compose_cold_ms: ms(cold.total_time),
        compose_warm_ms: ms(warm.total_time),
        phases,
        baselines: rows,
    })
}

impl Report {
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let opt = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v}"));
        let _ = writeln!(
            md,
            "### {} ({} RPMs): compose {} ms cold, {} ms warm\n",
            self.size, self.rpms, self.compose_cold_ms, self.compose_warm_ms
        );
        let _ = writeln!(
            md,
            "| phase | wasm ms | native ms | sandbox overhead | wasm CPU ms | native CPU ms | peak linear memory MiB | compile cold ms | load warm ms | instantiate ms |"
        );
        let _ = writeln!(
            md,
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        );
        for p in &self.phases {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                p.phase,
                p.wasm_ms,
                opt(p.native_ms),
                p.overhead_percent
                    .map_or("-".to_owned(), |v| format!("{v}%")),
                p.wasm_cpu_ms,
                opt(p.native_cpu_ms),
                p.peak_linear_memory_mib,
                p.compile_cold_ms,
                p.load_warm_ms,
                p.instantiate_ms
            );
        }
        let _ = writeln!(
            md,
            "\n| baseline | theirs ms | ours ms | speed-up (theirs/ours) |"
        );
        let _ = writeln!(md, "| --- | ---: | ---: | ---: |");
        for b in &self.baselines {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                b.what, b.theirs_ms, b.ours_ms, b.speedup
            );
        }
        md
    }
}
