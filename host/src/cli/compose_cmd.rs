use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use indicatif::{MultiProgress, ProgressDrawTarget};

use super::inputs::read_inputs;
use super::schema_override::SchemaOverrides;
use super::{koji_event, pyjson};
use crate::attest::{Attestor, ComposeInputs, Signer};
use crate::capabilities::command;
use crate::capabilities::compose::VariantFact;
use crate::compose::{ComposeType, LatestLink, Status, terminate_on_signal, update_latest_link};
use crate::logging::LogFiles;
use crate::pipeline::{
    ComposeReport, ComposeRequest, Notifier, PhaseCatalog, PhaseResult, Pipeline, Plan, Selection,
    custom_phases, place, preflight, prepare, prepare_restart, pungi_phase, stock_graph,
};
use crate::policy::{ComponentLock, Policy, grant_custom, widenings};
use crate::runtime::Runtime;

/// Arguments of `pungi-wasm compose`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  pungi-wasm compose --config demo.conf --target-dir composes --nightly
  pungi-wasm compose --config prod.conf --target-dir /mnt/composes --label RC-1.0
  pungi-wasm compose --config demo.conf --target-dir composes --test --skip-phase test
  pungi-wasm compose --config demo.conf --target-dir composes --nightly --policy strict.toml
  pungi-wasm compose --config demo.conf --nightly --restart composes/Demo-1.0-20261123.n.0

The compose lands in TARGET_DIR/<compose id>/ with compose/, work/, logs/, STATUS and
COMPOSE_ID; logs/global/<phase>.global.log holds each phase's log and
logs/global/audit.jsonl every capability call.")]
pub struct ComposeArgs {
    /// The Pungi config file (kobo/PyConfigParser syntax).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Where composes go; each compose gets a new directory named by its compose ID.
    #[arg(long, value_name = "DIR", required_unless_present_any = ["restart", "compose_dir"])]
    target_dir: Option<PathBuf>,
    /// Compose in this very directory (made when missing). An existing compose there is
    /// composed again, every phase, under its compose ID (DANGEROUS, as in Pungi).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["target_dir", "restart"])]
    compose_dir: Option<PathBuf>,
    /// Continue the failed or killed compose in COMPOSE_DIR (same directory and compose
    /// ID; same config, compose type and --compose-date): phases that finished with
    /// unchanged inputs are kept, the rest run.
    #[arg(long, value_name = "COMPOSE_DIR", conflicts_with = "target_dir")]
    restart: Option<PathBuf>,
    /// Compose label, <Milestone>-<X.Y> (e.g. RC-1.0, Beta-2.1); needed for production.
    #[arg(long, conflicts_with = "no_label")]
    label: Option<String>,
    /// Make a production compose without a label.
    #[arg(long)]
    no_label: bool,
    /// Mark the compose supported (productmd `final`); on already for RC-, Update- and
    /// SecurityFix- labels.
    #[arg(long)]
    supported: bool,
    /// A nightly compose (ID suffix .n).
    #[arg(long, group = "kind")]
    nightly: bool,
    /// A test compose (ID suffix .t).
    #[arg(long, group = "kind")]
    test: bool,
    /// A production compose (the default; needs --label or --no-label).
    #[arg(long, group = "kind")]
    production: bool,
    /// A CI compose (ID suffix .ci).
    #[arg(long, group = "kind")]
    ci: bool,
    /// A development compose (ID suffix .d).
    #[arg(long, group = "kind")]
    development: bool,
    /// Leave out a phase (repeatable). init and pkgset cannot be skipped.
    #[arg(long, value_name = "PHASE")]
    skip_phase: Vec<String>,
    /// Run only these phases (repeatable), plus init and pkgset.
    #[arg(long, value_name = "PHASE")]
    just_phase: Vec<String>,
    /// A policy file (TOML) whose phase sections replace the stock least-privilege ones.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Refuse any phase whose grant in --policy is wider than the stock least-privilege one.
    #[arg(long)]
    restricted: bool,
    /// Run only components whose sha256 this lock file pins (see `pungi-wasm phase lock`).
    #[arg(long, value_name = "FILE")]
    lock: Option<PathBuf>,
    /// Sign the compose with this ed25519 private key (PKCS#8 PEM; `pungi-wasm key new`
    /// makes a pair): compose/metadata/provenance.intoto.jsonl, an in-toto statement
    /// with SLSA provenance in a DSSE envelope (see `audit verify --key`).
    #[arg(long, value_name = "FILE")]
    sign_key: Option<PathBuf>,
    /// Directory of the phase components (pungi_phase_<name>.wasm).
    #[arg(long, value_name = "DIR")]
    phases_dir: Option<PathBuf>,
    /// Where compiled components are cached [default: ~/.cache/pungi-wasm].
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Compose date as YYYYMMDD instead of today's (for reproducing a compose).
    #[arg(long, value_name = "YYYYMMDD")]
    compose_date: Option<String>,
    /// A directory of earlier composes (repeatable), granted read-only to phases whose
    /// policy has `dirs = { old-composes = "ro" }` at /old-composes/<index>.
    #[arg(long, value_name = "DIR")]
    old_composes: Vec<PathBuf>,
    /// Read Koji tags at this event: an event ID, or a compose directory whose
    /// work/global/koji-event to reuse (overrides the config's koji_event).
    #[arg(long, value_name = "ID")]
    koji_event: Option<String>,
    /// A program (repeatable) told of the compose's progress as Pungi's notification
    /// scripts are: run as `PROGRAM MESSAGE` with JSON on stdin (see docs/usage.md).
    #[arg(long, value_name = "PROGRAM")]
    notification_script: Vec<PathBuf>,
    /// Make no latest-<short>-<version> link to this compose.
    #[arg(long)]
    no_latest_link: bool,
    /// Make the latest link only when the compose ends with this status (repeatable;
    /// default: FINISHED and FINISHED_INCOMPLETE).
    #[arg(long, value_name = "STATUS")]
    latest_link_status: Vec<String>,
    /// How many components of release_version the latest link's name keeps (0: none;
    /// negative: drop that many from the end).
    #[arg(long, value_name = "N", default_value_t = -1, allow_negative_numbers = true)]
    latest_link_components: i64,
    /// A compose this one derives from (repeatable), for a Compose Tracking Service;
    /// this build has none and records them in the compose's log.
    #[arg(long, value_name = "COMPOSE_ID")]
    parent_compose_id: Vec<String>,
    /// The compose this one respins, for a Compose Tracking Service; this build has
    /// none and records it in the compose's log.
    #[arg(long, value_name = "COMPOSE_ID")]
    respin_of: Option<String>,
    /// A JSON Schema laid over the option schema (repeatable), as
    /// `pungi-config-validate --schema-override` takes it (see docs/configuration.md).
    #[arg(long, value_name = "FILE")]
    schema_override: Vec<PathBuf>,
    /// Print the compose directory (`Compose dir: DIR`) before the compose runs.
    #[arg(long)]
    print_output_dir: bool,
    /// Print no log or progress on the terminal, only errors.
    #[arg(long)]
    pub(super) quiet: bool,
}

impl ComposeArgs {
    fn compose_type(&self) -> ComposeType {
        if self.nightly {
            ComposeType::Nightly
        } else if self.test {
            ComposeType::Test
        } else if self.ci {
            ComposeType::Ci
        } else if self.development {
            ComposeType::Development
        } else {
            ComposeType::Production
        }
    }
}

/// Runs the compose; when it fails before its directory exists, the notification
/// scripts get `fail-to-start`, as from `pungi-koji`.
pub fn run(args: ComposeArgs, files: &LogFiles) -> anyhow::Result<ExitCode> {
    let notifier = Arc::new(Notifier::new(args.notification_script.clone()));
    let (target_dir, config) = (args.target_dir.clone(), args.config.clone());
    let result = compose(args, files, &notifier);
    if let Err(error) = &result
        && !notifier.attached()
    {
        notifier.fail_to_start(target_dir.as_deref(), &config, &format!("{error:#}"));
    }
    result
}

fn compose(
    args: ComposeArgs,
    files: &LogFiles,
    notifier: &Arc<Notifier>,
) -> anyhow::Result<ExitCode> {
    // A bad key is told now, not after hours of compose.
    let signer = args.sign_key.as_deref().map(Signer::read).transpose()?;
    let mut policy = match &args.policy {
        Some(path) => Policy::stock_with_overrides(path)?,
        None => Policy::stock(),
    };
    let mut inputs = read_inputs(&args.config, &SchemaOverrides::load(&args.schema_override)?)?;
    if let Some(spec) = &args.koji_event {
        let event = koji_event::parse(spec)?;
        inputs.options.insert("koji_event".into(), event.into());
    }
    let attestor = match signer {
        Some(signer) => Some(Attestor::new(
            signer,
            ComposeInputs::read(
                &inputs.files,
                &inputs.config_dir,
                args.policy.as_deref(),
                args.restricted,
            )?,
        )),
        None => None,
    };
    let custom = custom_phases(&inputs.options, &inputs.config_dir, |i| {
        inputs.item_position("custom_phases", i)
    })?;
    let custom_names: Vec<String> = custom.iter().map(|c| c.name.clone()).collect();
    // Phases Pungi has had that this build lacks (weaver, kiwibuild, ...) are valid in
    // a config's skip_phases and skip nothing; --skip-phase takes only phases it has.
    let mut skip = args.skip_phase.clone();
    for name in inputs.skip_phases()? {
        if pungi_phase(&name).is_some() || custom_names.contains(&name) {
            skip.push(name);
        } else {
            tracing::info!("skip_phases: this build has no phase `{name}`; nothing to skip");
        }
    }
    let selection = Selection::with_custom(&skip, &args.just_phase, &custom_names)?;
    for phase in custom.iter().filter(|c| selection.includes(&c.name, true)) {
        grant_custom(
            &mut policy,
            &phase.name,
            &phase.grant,
            &phase.policy_section,
        )?;
    }
    if args.restricted {
        let mut names: Vec<String> = selection
            .phases()
            .filter(|p| p.configured(&inputs.options))
            .map(|p| p.name.to_owned())
            .collect();
        names.extend(
            custom_names
                .iter()
                .filter(|n| selection.includes(n, true))
                .cloned(),
        );
        refuse_widened(&policy, &names)?;
    }
    let mut graph = stock_graph(&inputs.options);
    place(&mut graph, &custom);
    let needed = preflight::needed_programs(
        &Plan::new(&graph, &selection),
        &inputs.options,
        &compose_arches(&inputs.variants),
        &policy,
    );
    preflight::check_installed(&needed, |program| command::locate(program).is_some())?;
    let lock = args.lock.as_deref().map(ComponentLock::read).transpose()?;
    let target_dir = match (&args.target_dir, &args.restart, &args.compose_dir) {
        (Some(dir), _, _) => dir.clone(),
        (None, None, Some(compose)) => compose.parent().map(PathBuf::from).unwrap_or_default(),
        (None, Some(compose), _) => compose
            .canonicalize()
            .map_err(|e| anyhow::anyhow!("--restart {}: {e}", compose.display()))?
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default(),
        (None, None, None) => {
            anyhow::bail!("--target-dir, --compose-dir or --restart is needed")
        }
    };
    let request = ComposeRequest {
        target_dir,
        compose_type: args.compose_type(),
        label: args.label.clone(),
        no_label: args.no_label,
        date: args.compose_date.clone(),
        old_composes: args.old_composes.clone(),
        compose_dir: args.compose_dir.clone(),
        supported: args.supported,
    };
    let mut prepared = match &args.restart {
        Some(compose) => prepare_restart(
            inputs.options,
            &inputs.config_dir,
            inputs.variants,
            &request,
            compose,
        )?,
        None => prepare(
            inputs.options,
            &inputs.config_dir,
            inputs.variants,
            &request,
        )?,
    };
    inputs.scm.install(&prepared.layout.work())?;
    prepared.scm_fetches = inputs.scm.records().to_vec();
    files.attach(prepared.layout.global_logs());
    notifier.attach(&prepared.facts, &prepared.layout);
    let terminated = notifier.clone();
    terminate_on_signal(prepared.layout.status_file(), move || {
        terminated.send(
            "status-change",
            serde_json::json!({ "status": Status::Terminated.as_str() }),
        );
    })?;
    if args.print_output_dir {
        println!("Compose dir: {}", prepared.layout.topdir.display());
    }
    tracing::info!(
        "compose {} in {}",
        prepared.facts.id,
        prepared.layout.topdir.display()
    );
    if !args.parent_compose_id.is_empty() {
        tracing::info!(
            "parent composes: {} (no Compose Tracking Service here to register them with)",
            args.parent_compose_id.join(", ")
        );
    }
    if let Some(respun) = &args.respin_of {
        tracing::info!("respin of {respun} (no Compose Tracking Service here to register it with)");
    }
    // Pungi's copy of the resolved config, which `config dump COMPOSE_DIR` reads back.
    let dump = serde_json::Value::Object(prepared.facts.config.clone());
    crate::fsutil::write_atomic(
        &prepared.layout.global_logs().join("config-dump.global.log"),
        pyjson::to_string(&dump).as_bytes(),
    )?;
    let runtime = Runtime::new(
        args.cache_dir
            .clone()
            .unwrap_or_else(Runtime::default_cache_dir),
    )?;
    let catalog = PhaseCatalog::new(
        args.phases_dir
            .clone()
            .unwrap_or_else(PhaseCatalog::default_dir),
    );
    let progress = MultiProgress::with_draw_target(if args.quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    });
    let pipeline = Pipeline {
        runtime: &runtime,
        catalog: &catalog,
        policy: &policy,
        selection: &selection,
        progress: &progress,
        lock: lock.as_ref(),
        attestor: attestor.as_ref(),
        notifier: Some(notifier),
    };
    let report = pipeline.run_graph(&prepared, &graph)?;
    let latest = LatestLink {
        enabled: !args.no_latest_link,
        statuses: args.latest_link_status.clone(),
        components: args.latest_link_components,
    };
    print_report(&report, &prepared.layout.topdir, args.quiet);
    if latest.wanted(report.status) {
        let link = update_latest_link(
            &prepared.layout.topdir,
            &latest.name(&prepared.facts.config),
        )?;
        tracing::info!("latest link: {}", link.display());
    } else if latest.enabled {
        tracing::info!(
            "no latest link for a {} compose (--latest-link-status: {:?})",
            report.status.as_str(),
            latest.statuses
        );
    }
    Ok(if report.status == Status::Doomed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Each phase's outcome, then the compose's, on stdout (not when `quiet`); failures on
/// stderr.
fn print_report(report: &ComposeReport, topdir: &std::path::Path, quiet: bool) {
    for phase in &report.phases {
        let (mark, message) = match &phase.result {
            PhaseResult::Done(message) => ("ok    ", message),
            PhaseResult::Kept(message) => ("kept  ", message),
            PhaseResult::Failed(message) => ("FAILED", message),
        };
        if !quiet {
            println!(
                "{mark} {:<15} {:>9.1} ms  {message}",
                phase.name,
                (phase.load_time + phase.instantiate_time + phase.run_time).as_secs_f64() * 1000.0
            );
        }
        if let PhaseResult::Failed(message) = &phase.result {
            eprintln!("error: phase {} failed: {message}", phase.name);
        }
        for failed in &phase.failed_deliverables {
            eprintln!(
                "warning: phase {}: failable deliverable {} {}.{} failed: {}",
                phase.name, failed.kind, failed.variant, failed.arch, failed.reason
            );
        }
    }
    if !quiet {
        println!(
            "{} {} in {:.1} s: {}",
            report.status.as_str(),
            report.compose_id,
            report.total_time.as_secs_f64(),
            topdir.display()
        );
    }
}

/// `--restricted`: every selected phase (custom ones too, which the stock policy grants
/// nothing) must be granted no more than the stock policy.
fn refuse_widened(policy: &Policy, phases: &[String]) -> anyhow::Result<()> {
    let stock = Policy::stock();
    let problems: Vec<String> = phases
        .iter()
        .flat_map(|name| {
            widenings(policy, &stock, name)
                .into_iter()
                .map(move |why| format!("  phase `{name}`: {why}"))
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(
            "--restricted: the policy grants more than the stock least-privilege policy:\n{}",
            problems.join("\n")
        )
    }
}

/// Every arch some variant is made for.
fn compose_arches(variants: &[VariantFact]) -> Vec<String> {
    let mut arches: Vec<String> = variants.iter().flat_map(|v| v.arches.clone()).collect();
    arches.sort();
    arches.dedup();
    arches
}
