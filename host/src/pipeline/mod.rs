//! Which phases run, in what order, in which sandbox, and what a failure means for the
//! compose. Phases run one after another in the seed document's order for now; each gets
//! a fresh store with its own grant.

mod catalog;
mod phases;
mod prepare;
mod report;

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use indicatif::{MultiProgress, ProgressBar};

pub use catalog::PhaseCatalog;
pub use phases::{PhaseSpec, STOCK_PHASES, Selection};
pub use prepare::{ComposeRequest, PreparedCompose, prepare};
pub use report::{ComposeReport, PhaseRecord, PhaseResult};

use crate::audit::{AuditLog, Event, Outcome};
use crate::capabilities::{DocumentStore, PhaseEnv, PhaseProgress};
use crate::compose::{Status, write_composeinfo, write_status};
use crate::fsutil::write_atomic;
use crate::logging::PHASE_SPAN;
use crate::policy::{ComponentLock, Policy, grant_for};
use crate::runtime::Runtime;

/// Everything a compose run needs besides its prepared inputs.
pub struct Pipeline<'a> {
    pub runtime: &'a Runtime,
    pub catalog: &'a PhaseCatalog,
    pub policy: &'a Policy,
    pub selection: &'a Selection,
    pub progress: &'a MultiProgress,
    /// When given, a phase runs only if its component's sha256 is the pinned one.
    pub lock: Option<&'a ComponentLock>,
}

impl Pipeline<'_> {
    /// Runs every selected phase; a failed phase dooms the compose, except `test`, whose
    /// findings are reported and never fatal (as in Pungi).
    pub fn run(&self, prepared: &PreparedCompose) -> anyhow::Result<ComposeReport> {
        let layout = &prepared.layout;
        let started = Instant::now();
        write_status(&layout.status_file(), Status::Started)?;
        write_composeinfo(&layout.metadata().join("composeinfo.json"), &prepared.facts)?;
        let audit = Arc::new(AuditLog::open(&layout.audit_log())?);
        let documents = Arc::new(DocumentStore::new(layout.documents()));
        let mut report = ComposeReport::new(prepared.facts.id.clone());
        for spec in self.selection.phases() {
            let record = self.run_phase(spec, prepared, &audit, &documents);
            let failed = matches!(record.result, PhaseResult::Failed(_));
            report.phases.push(record);
            if failed && !spec.failable {
                report.status = Status::Doomed;
                break;
            }
        }
        report.total_time = started.elapsed();
        let used = ComponentLock {
            components: report
                .phases
                .iter()
                .filter_map(|p| Some((p.name.clone(), p.component.clone()?)))
                .collect(),
        };
        write_atomic(&layout.components_lock(), used.to_toml().as_bytes())?;
        write_status(&layout.status_file(), report.status)?;
        report
            .write(&layout.global_logs().join("phases.json"))
            .context("writing the phase report")?;
        Ok(report)
    }

    fn run_phase(
        &self,
        spec: &PhaseSpec,
        prepared: &PreparedCompose,
        audit: &Arc<AuditLog>,
        documents: &Arc<DocumentStore>,
    ) -> PhaseRecord {
        let span = tracing::info_span!(PHASE_SPAN, name = spec.name);
        let _entered = span.enter();
        let mut record = PhaseRecord::new(spec.name);
        let loaded = match self
            .catalog
            .path(spec.name)
            .and_then(|path| self.runtime.load(&path))
        {
            Ok(loaded) => loaded,
            Err(error) => {
                tracing::error!("phase {} cannot be loaded: {error:#}", spec.name);
                record.result = PhaseResult::Failed(format!("{error:#}"));
                return record;
            }
        };
        record.component = Some(loaded.sha256.clone());
        if let Some(lock) = self.lock
            && let Err(refused) = lock.check(spec.name, &loaded.path, &loaded.sha256)
        {
            tracing::error!("{refused}");
            record.result = PhaseResult::Failed(refused.to_string());
            return record;
        }
        record.load_time = loaded.compile_time;
        record.from_cache = loaded.from_cache;
        tracing::info!(
            "running component {} (sha256 {}, {} bytes, pungi:phase@{}, {} in {:.1} ms)",
            loaded.path.display(),
            loaded.sha256,
            loaded.size,
            loaded.wit_version.as_deref().unwrap_or("?"),
            if loaded.from_cache {
                "loaded from cache"
            } else {
                "compiled"
            },
            loaded.compile_time.as_secs_f64() * 1000.0
        );
        let grant = grant_for(self.policy, spec.name, &prepared.locations);
        for mount in grant.mounts.iter().filter(|m| m.writable) {
            if let Err(error) = std::fs::create_dir_all(&mount.host) {
                record.result =
                    PhaseResult::Failed(format!("creating {}: {error}", mount.host.display()));
                return record;
            }
        }
        let lifecycle = |operation: &str, outcome: Outcome, detail: Option<String>| {
            audit.record(&Event {
                phase: spec.name,
                component: &loaded.sha256,
                interface: "phase",
                operation,
                args: serde_json::json!({ "path": loaded.path.file_name().map(|n| n.to_string_lossy()) }),
                outcome,
                detail,
                result_digest: None,
            })
        };
        if let Err(error) = lifecycle("start", Outcome::Ok, None) {
            record.result = PhaseResult::Failed(format!("{error:#}"));
            return record;
        }
        let bar = self
            .progress
            .add(ProgressBar::new(0).with_prefix(spec.name.to_owned()));
        let env = PhaseEnv {
            grant,
            component: loaded.sha256.clone(),
            facts: prepared.facts.clone(),
            documents: documents.clone(),
            audit: audit.clone(),
            progress: PhaseProgress::new(bar),
        };
        let outcome = self.runtime.run(&loaded, env);
        let (end, detail) = match &outcome {
            Ok(_) => (Outcome::Ok, None),
            Err(failure) => (Outcome::Error, Some(failure.to_string())),
        };
        if let Err(error) = lifecycle("end", end, detail) {
            tracing::error!("audit log: {error:#}");
        }
        match outcome {
            Ok(phase) => {
                for line in phase.stdout.lines().chain(phase.stderr.lines()) {
                    tracing::info!("component output: {line}");
                }
                tracing::info!("finished: {}", phase.message);
                record.instantiate_time = phase.instantiate_time;
                record.run_time = phase.run_time;
                record.cpu_time = phase.cpu_time;
                record.peak_memory = phase.peak_memory;
                record.counts = phase.counts;
                record.result = PhaseResult::Done(phase.message);
            }
            Err(failure) => {
                if let crate::runtime::PhaseFailure::Trap { stderr, .. } = &failure {
                    for line in stderr.lines() {
                        tracing::error!("component stderr: {line}");
                    }
                }
                tracing::error!("phase {} {failure}", spec.name);
                record.result = PhaseResult::Failed(failure.to_string());
            }
        }
        record
    }
}
