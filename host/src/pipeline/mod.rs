//! Which phases run, in what order, in which sandbox, and what a failure means for the
//! compose. The phases form a graph (`phases.rs`, `plan.rs`); a phase starts on its own
//! thread as soon as the phases it waits for have ended (`schedule.rs`), each in a fresh
//! store with its own grant. A failed phase that is not failable dooms the compose: no
//! new phase starts, the running ones finish.

mod catalog;
mod custom;
mod deliverables;
pub mod notify;
mod phases;
mod plan;
pub mod preflight;
mod prepare;
mod report;
mod restart;
mod schedule;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context as _;
use indicatif::{MultiProgress, ProgressBar};
use serde_json::json;

pub use catalog::PhaseCatalog;
pub use custom::{CustomPhase, Placement, custom_phases, place};
pub use deliverables::FailedDeliverable;
pub use notify::Notifier;
pub use phases::{PUNGI_PHASES, PhaseSpec, Selection, SelectionError, pungi_phase};
pub use plan::{ComponentSource, GraphPhase, Plan, PlannedPhase, SkippedPhase, stock_graph};
pub use prepare::{ComposeRequest, PreparedCompose, prepare, prepare_restart};
pub use report::{ComposeReport, PhaseRecord, PhaseResult};

use crate::attest::Attestor;
use crate::audit::{AuditLog, Event, Outcome};
use crate::capabilities::{ComposeFacts, DocumentStore, PhaseEnv, PhaseProgress, mount_roots};
use crate::compose::{Status, write_composeinfo, write_modules, write_status};
use crate::fsutil::write_atomic;
use crate::logging::PHASE_SPAN;
use crate::policy::{ComponentLock, Policy, grant_for};
use crate::runtime::{LoadedComponent, Runtime};
use restart::{PhaseState, PhaseStates, inputs_digest};

/// Everything a compose run needs besides its prepared inputs.
pub struct Pipeline<'a> {
    pub runtime: &'a Runtime,
    pub catalog: &'a PhaseCatalog,
    pub policy: &'a Policy,
    pub selection: &'a Selection,
    pub progress: &'a MultiProgress,
    /// When given, a phase runs only if its component's sha256 is the pinned one.
    pub lock: Option<&'a ComponentLock>,
    /// When given (`--sign-key`), the compose's inputs are recorded in the audit log
    /// first, and a compose that did not fail is signed at its end.
    pub attestor: Option<&'a Attestor>,
    /// When given (`--notification-script`), told of status changes and phases.
    pub notifier: Option<&'a Notifier>,
}

/// What every phase run of one compose shares.
struct Shared<'a> {
    prepared: &'a PreparedCompose,
    audit: Arc<AuditLog>,
    documents: Arc<DocumentStore>,
    started: Instant,
    states: PhaseStates,
    /// The phases (indices in the plan) that run in this compose rather than being kept.
    ran: Mutex<BTreeSet<usize>>,
}

impl Pipeline<'_> {
    /// Runs the selected, configured phases of the stock graph; a failed phase dooms the
    /// compose, except a failable one (`test`, as in Pungi).
    pub fn run(&self, prepared: &PreparedCompose) -> anyhow::Result<ComposeReport> {
        let graph = stock_graph(&prepared.facts.config);
        self.run_graph(prepared, &graph)
    }

    /// Runs the phases of `graph` that the selection and the config switch on.
    pub fn run_graph(
        &self,
        prepared: &PreparedCompose,
        graph: &[GraphPhase],
    ) -> anyhow::Result<ComposeReport> {
        let layout = &prepared.layout;
        let shared = Shared {
            prepared,
            audit: Arc::new(AuditLog::open(&layout.audit_log(), &layout.audit_head())?),
            documents: Arc::new(DocumentStore::new(layout.documents())),
            started: Instant::now(),
            states: PhaseStates::open(layout.phase_state(), prepared.restarted)?,
            ran: Mutex::new(BTreeSet::new()),
        };
        if let Some(attestor) = self.attestor {
            attestor.record_inputs(&shared.audit)?;
        }
        crate::scm::record_fetches(&prepared.scm_fetches, &shared.audit)?;
        write_status(&layout.status_file(), Status::Started)?;
        self.notify(
            "status-change",
            json!({ "status": Status::Started.as_str() }),
        );
        let composeinfo = || {
            write_composeinfo(
                &layout.metadata().join("composeinfo.json"),
                &prepared.facts,
                prepared.supported,
                &layout.compose(),
            )
        };
        composeinfo()?;
        write_modules(
            &layout.metadata().join("modules.json"),
            &prepared.facts,
            prepared.supported,
        )?;
        let plan = Plan::new(graph, self.selection);
        for skipped in &plan.skipped {
            tracing::info!("phase {}: {}", skipped.name, skipped.reason);
        }
        let after: Vec<Vec<usize>> = plan.phases.iter().map(|p| p.after.clone()).collect();
        let fatal = |i: usize, record: &PhaseRecord| {
            matches!(record.result, PhaseResult::Failed(_)) && !plan.phases[i].failable
        };
        let results = schedule::run_graph(
            &after,
            &plan.names(),
            |i| self.run_phase(&plan, i, &shared),
            |i, result| result.as_ref().map_or(true, |record| fatal(i, record)),
        );
        let mut report = ComposeReport::new(prepared.facts.id.clone());
        report.skipped = plan.skipped.clone();
        for (i, (phase, result)) in plan.phases.iter().zip(results).enumerate() {
            let record = match result {
                None => {
                    report.skipped.push(SkippedPhase {
                        name: phase.name.clone(),
                        reason: "not started: the compose is doomed".into(),
                    });
                    continue;
                }
                Some(Ok(record)) => record,
                Some(Err(panic)) => {
                    let mut record = PhaseRecord::new(&phase.name);
                    record.result = PhaseResult::Failed(panic);
                    record
                }
            };
            if fatal(i, &record) {
                report.status = Status::Doomed;
            }
            report.phases.push(record);
        }
        report.total_time = shared.started.elapsed();
        if let Err(error) = composeinfo() {
            tracing::error!("composeinfo.json: {error:#}");
            report.status = Status::Doomed;
        }
        // Signed after every phase and record, before STATUS: a FINISHED signed compose
        // always has its attestation, and one that cannot be signed is DOOMED.
        let seal = |report: &ComposeReport| match self.attestor {
            Some(attestor) if report.status != Status::Doomed => shared
                .audit
                .sync()
                .and_then(|()| attestor.seal(prepared, report))
                .context("signing the compose"),
            _ => Ok(()),
        };
        let concluded = conclude(&mut report, layout, seal);
        self.notify("status-change", json!({ "status": report.status.as_str() }));
        concluded?;
        Ok(report)
    }

    fn notify(&self, message: &str, fields: serde_json::Value) {
        if let Some(notifier) = self.notifier {
            notifier.send(message, fields);
        }
    }

    /// `phase-stop` of a phase that ran, unless it failed and dooms the compose (Pungi
    /// never stops a phase that raised); Createiso's image messages come first.
    fn notify_stop(&self, phase: &PlannedPhase, shared: &Shared, record: &PhaseRecord) {
        if matches!(record.result, PhaseResult::Failed(_)) && !phase.failable {
            return;
        }
        // The images document is read only for a script that listens.
        if phase.name == "createiso" && self.notifier.is_some_and(Notifier::sends) {
            let compose = shared.prepared.layout.compose();
            for (message, fields) in notify::createiso_messages(
                &shared.documents,
                &shared.prepared.facts.config,
                &compose,
                &record.failed_deliverables,
            ) {
                self.notify(message, fields);
            }
        }
        self.notify("phase-stop", json!({ "phase_name": phase.name }));
    }

    /// Runs phase `index` of `plan` inside its log span, noting when it started and ended.
    fn run_phase(&self, plan: &Plan, index: usize, shared: &Shared) -> PhaseRecord {
        let phase = &plan.phases[index];
        let span = tracing::info_span!(PHASE_SPAN, name = phase.name.as_str());
        let _entered = span.enter();
        let waited: Vec<&str> = phase
            .after
            .iter()
            .map(|&i| plan.phases[i].name.as_str())
            .collect();
        tracing::info!(
            "phase {} started (after: {})",
            phase.name,
            if waited.is_empty() {
                "-".to_owned()
            } else {
                waited.join(", ")
            }
        );
        let start_offset = shared.started.elapsed();
        let mut record = PhaseRecord::new(&phase.name);
        self.attempt(index, plan, shared, &mut record);
        let ran = shared
            .ran
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&index);
        if ran {
            self.notify_stop(phase, shared, &record);
        }
        record.start_offset = start_offset;
        record.end_offset = shared.started.elapsed();
        tracing::info!(
            "phase {} ended ({:.1} s)",
            phase.name,
            (record.end_offset - start_offset).as_secs_f64()
        );
        record
    }

    /// The component of `phase`, loaded and checked against its pins.
    fn component(&self, phase: &PlannedPhase) -> anyhow::Result<LoadedComponent> {
        let path = match &phase.source {
            ComponentSource::Catalog => self.catalog.path(&phase.name)?,
            ComponentSource::Custom { path, .. } => path.clone(),
        };
        let loaded = self.runtime.load(&path)?;
        if let ComponentSource::Custom { sha256, .. } = &phase.source
            && !sha256.eq_ignore_ascii_case(&loaded.sha256)
        {
            anyhow::bail!(
                "custom phase `{}`: component {} has sha256 {}, but custom_phases names {sha256}; refusing to run it",
                phase.name,
                path.display(),
                loaded.sha256
            );
        }
        if let Some(lock) = self.lock {
            lock.check(&phase.name, &loaded.path, &loaded.sha256)?;
        }
        Ok(loaded)
    }

    /// Loads phase `index` and keeps it from the interrupted run (`--restart`) or runs
    /// it, filling `record` with how it went.
    fn attempt(&self, index: usize, plan: &Plan, shared: &Shared, record: &mut PhaseRecord) {
        let phase = &plan.phases[index];
        let loaded = match self.component(phase) {
            Ok(loaded) => loaded,
            Err(error) => {
                tracing::error!("phase {} cannot be loaded: {error:#}", phase.name);
                record.result = PhaseResult::Failed(format!("{error:#}"));
                return;
            }
        };
        record.component = Some(loaded.sha256.clone());
        record.load_time = loaded.compile_time;
        record.from_cache = loaded.from_cache;
        let facts = phase_facts(&shared.prepared.facts, phase);
        let inputs = match inputs_digest(&loaded.sha256, &facts, self.policy, &phase.name) {
            Ok(inputs) => inputs,
            Err(error) => {
                record.result = PhaseResult::Failed(format!("{error:#}"));
                return;
            }
        };
        if let Some(kept) = self.kept(index, plan, shared, &inputs) {
            tracing::info!(
                "phase {}: kept from the interrupted run (inputs unchanged)",
                phase.name
            );
            record.failed_deliverables = kept.failed_deliverables.clone();
            record.result = PhaseResult::Kept(kept.message.clone());
            return;
        }
        shared
            .ran
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(index);
        self.notify("phase-start", json!({ "phase_name": phase.name }));
        if let Err(error) = shared.states.started(&phase.name) {
            record.result = PhaseResult::Failed(format!("{error:#}"));
            return;
        }
        let Some(documents) = self.execute(phase, &loaded, facts, shared, record) else {
            return;
        };
        let state = PhaseState {
            inputs,
            component: loaded.sha256.clone(),
            documents,
            message: match &record.result {
                PhaseResult::Done(message) => message.clone(),
                _ => return,
            },
            failed_deliverables: record.failed_deliverables.clone(),
        };
        if let Err(error) = shared.states.finished(&phase.name, state) {
            record.result = PhaseResult::Failed(format!("{error:#}"));
        }
    }

    /// The interrupted run's state of phase `index` when it may be kept: this is a
    /// restart, no phase it waits for ran again, and its inputs are unchanged.
    fn kept<'s>(
        &self,
        index: usize,
        plan: &Plan,
        shared: &'s Shared,
        inputs: &str,
    ) -> Option<&'s PhaseState> {
        if !shared.prepared.restarted {
            return None;
        }
        let ran = shared.ran.lock().unwrap_or_else(|p| p.into_inner());
        if plan.phases[index].upstream.iter().any(|u| ran.contains(u)) {
            return None;
        }
        drop(ran);
        shared
            .states
            .unchanged(&plan.phases[index].name, inputs, &shared.documents)
    }

    /// Grants and runs a loaded phase; returns the documents it read (with the sha256 of
    /// what it read), or `None` when it could not start.
    fn execute(
        &self,
        phase: &PlannedPhase,
        loaded: &LoadedComponent,
        facts: Arc<ComposeFacts>,
        shared: &Shared,
        record: &mut PhaseRecord,
    ) -> Option<std::collections::BTreeMap<String, String>> {
        let prepared = shared.prepared;
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
        let mut grant = grant_for(self.policy, &phase.name, &prepared.locations);
        if let Err(error) = mount_roots::pin(&mut grant, &prepared.locations.topdir) {
            record.result = PhaseResult::Failed(error);
            return None;
        }
        let lifecycle = |operation: &str, outcome: Outcome, detail: Option<String>| {
            shared.audit.record(Event {
                phase: &phase.name,
                component: &loaded.sha256,
                interface: "phase",
                operation,
                args: Some(serde_json::json!({ "path": loaded.path.file_name().map(|n| n.to_string_lossy()) })),
                call: None,
                outcome,
                detail,
                result_digest: None,
            })
        };
        if let Err(error) = lifecycle("start", Outcome::Ok, None) {
            record.result = PhaseResult::Failed(format!("{error:#}"));
            return None;
        }
        if let Err(error) = shared.documents.begin(&phase.name, &grant.metadata_write) {
            record.result = PhaseResult::Failed(error.to_string());
            return None;
        }
        let bar = self
            .progress
            .add(ProgressBar::new(0).with_prefix(phase.name.clone()));
        let env = PhaseEnv {
            grant,
            component: loaded.sha256.clone(),
            facts,
            documents: shared.documents.clone(),
            audit: shared.audit.clone(),
            progress: PhaseProgress::new(bar),
            started: std::time::Instant::now(),
            denied: Default::default(),
        };
        let outcome = self.runtime.run(loaded, env);
        let documents = shared.documents.end(&phase.name);
        let (end, detail) = match &outcome {
            Ok(_) => (Outcome::Ok, None),
            Err(failure) => (Outcome::Error, Some(failure.to_string())),
        };
        // The end of a run is where the audit log is made durable: a compose killed
        // later keeps every record up to here.
        let ended = lifecycle("end", end, detail).and_then(|_| shared.audit.sync());
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
                match deliverables::reported(&shared.documents, &record.name) {
                    Ok(failed) => record.failed_deliverables = failed,
                    Err(error) => {
                        tracing::error!("phase {}: {error}", record.name);
                        record.result = PhaseResult::Failed(error);
                    }
                }
            }
            Err(failure) => {
                if let crate::runtime::PhaseFailure::Trap { stderr, .. } = &failure {
                    for line in stderr.lines() {
                        tracing::error!("component stderr: {line}");
                    }
                }
                tracing::error!("phase {} {failure}", phase.name);
                record.result = PhaseResult::Failed(failure.to_string());
            }
        }
        if let Err(error) = ended {
            let message = format!("the audit log cannot record the phase's end: {error:#}");
            tracing::error!("phase {} {message}", phase.name);
            record.result = PhaseResult::Failed(message);
        }
        Some(documents)
    }
}

/// The compose facts a phase is given: a custom phase's own `config` section is its
/// option `phase_config`, which no other phase sees.
fn phase_facts(facts: &Arc<ComposeFacts>, phase: &PlannedPhase) -> Arc<ComposeFacts> {
    match &phase.source {
        ComponentSource::Custom {
            config: Some(config),
            ..
        } => {
            let mut own = ComposeFacts::clone(facts);
            own.config.insert("phase_config".into(), config.clone());
            Arc::new(own)
        }
        _ => facts.clone(),
    }
}

/// Writes what the compose ended with: `deliverables.json`, the components that ran,
/// `phases.json`, then `seal`s it (`--sign-key`) and writes `STATUS`
/// (FINISHED_INCOMPLETE when a deliverable failed and may).
fn conclude(
    report: &mut ComposeReport,
    layout: &crate::compose::ComposeLayout,
    seal: impl FnOnce(&ComposeReport) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let failed: Vec<(String, FailedDeliverable)> = report
        .phases
        .iter()
        .flat_map(|p| {
            p.failed_deliverables
                .iter()
                .map(|f| (p.name.clone(), f.clone()))
        })
        .collect();
    if report.status == Status::Finished && !failed.is_empty() {
        report.status = Status::FinishedIncomplete;
    }
    // STATUS goes last and always: a compose whose records cannot be written (a full
    // disk) must not be left saying STARTED.
    let records = write_records(report, &failed, layout).and_then(|()| seal(report));
    if records.is_err() {
        report.status = Status::Doomed;
    }
    write_status(&layout.status_file(), report.status)?;
    records
}

/// deliverables.json, components.lock and phases.json of a finished run.
fn write_records(
    report: &ComposeReport,
    failed: &[(String, FailedDeliverable)],
    layout: &crate::compose::ComposeLayout,
) -> anyhow::Result<()> {
    deliverables::write_summary(&layout.global_logs().join("deliverables.json"), failed)?;
    let used = ComponentLock {
        components: report
            .phases
            .iter()
            .filter_map(|p| Some((p.name.clone(), p.component.clone()?)))
            .collect(),
    };
    write_atomic(&layout.components_lock(), used.to_toml().as_bytes())?;
    report
        .write(&layout.global_logs().join("phases.json"))
        .context("writing the phase report")
}
