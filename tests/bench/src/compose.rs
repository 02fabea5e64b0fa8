//! One compose of a corpus, run through the Wasm pipeline or natively, with per-phase
//! timings.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget};
use pungi_host::audit::AuditLog;
use pungi_host::capabilities::{DocumentStore, PhaseEnv, PhaseProgress};
use pungi_host::cli::inputs::read_inputs;
use pungi_host::compose::ComposeType;
use pungi_host::pipeline::{
    ComposeReport, ComposeRequest, PhaseCatalog, Pipeline, PreparedCompose, Selection, prepare,
};
use pungi_host::policy::{Policy, grant_for};
use pungi_host::runtime::Runtime;

use crate::native::{NativeTiming, native_phase, run};

/// A new compose directory for the corpus `config` under `target`.
pub fn prepare_compose(config: &Path, target: &Path) -> anyhow::Result<PreparedCompose> {
    let inputs = read_inputs(config, &Default::default())?;
    let request = ComposeRequest {
        target_dir: target.to_path_buf(),
        compose_type: ComposeType::Nightly,
        label: None,
        no_label: false,
        date: Some("20260101".into()),
        old_composes: Vec::new(),
        compose_dir: None,
        supported: false,
    };
    prepare(
        inputs.options,
        &inputs.config_dir,
        inputs.variants,
        &request,
    )
}

/// Every stock phase as a Wasm component, as `pungi-wasm compose` runs them.
pub fn wasm_compose(
    config: &Path,
    target: &Path,
    runtime: &Runtime,
    phases: &Path,
) -> anyhow::Result<ComposeReport> {
    let prepared = prepare_compose(config, target)?;
    let progress = MultiProgress::with_draw_target(ProgressDrawTarget::hidden());
    let pipeline = Pipeline {
        runtime,
        catalog: &PhaseCatalog::new(phases.to_path_buf()),
        policy: &Policy::stock(),
        selection: &Selection::new(&[], &[])?,
        progress: &progress,
        lock: None,
        attestor: None,
        notifier: None,
    };
    let report = pipeline.run(&prepared)?;
    if report.status != pungi_host::compose::Status::Finished {
        anyhow::bail!(
            "the Wasm compose of {} ended {}",
            config.display(),
            report.status.as_str()
        );
    }
    Ok(report)
}

/// The phases that have a native build, run natively in order, each with the grant it
/// would get as a component.
pub fn native_compose(config: &Path, target: &Path) -> anyhow::Result<Vec<(String, NativeTiming)>> {
    let prepared = prepare_compose(config, target)?;
    let layout = &prepared.layout;
    let audit = Arc::new(AuditLog::open(&layout.audit_log(), &layout.audit_head())?);
    let documents = Arc::new(DocumentStore::new(layout.documents()));
    let policy = Policy::stock();
    let mut timings = Vec::new();
    for spec in Selection::new(&[], &[])?.phases() {
        let Some(phase) = native_phase(spec.name) else {
            continue;
        };
        let grant = grant_for(&policy, spec.name, &prepared.locations);
        for mount in grant.mounts.iter().filter(|m| m.writable) {
            std::fs::create_dir_all(&mount.host)?;
        }
        let env = PhaseEnv {
            grant,
            component: "native".into(),
            facts: prepared.facts.clone(),
            documents: documents.clone(),
            audit: audit.clone(),
            progress: PhaseProgress::new(ProgressBar::hidden()),
            started: std::time::Instant::now(),
            denied: Default::default(),
        };
        let timing = run(phase, env).map_err(|e| anyhow::anyhow!("{}: {e:#}", spec.name))?;
        timings.push((spec.name.to_owned(), timing));
    }
    Ok(timings)
}

/// Milliseconds, for tables.
pub fn ms(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1e4).round() / 10.0
}
