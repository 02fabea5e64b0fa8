//! OSBS: container images built by OSBS through Koji (`buildContainer`, as `koji
//! container-build` submits it), one task per `osbs` block of a variant, the compose's
//! trees handed to the build as yum repo files; what was built is written to
//! `compose/metadata/osbs.json` as Pungi writes it (variant -> arch -> builds; scratch
//! builds under `scratch` with their repositories).

use std::collections::BTreeMap;

use pungi_koji_tasks::blocks::{self, Block, Config};
use pungi_koji_tasks::deliver::Batch;
use pungi_koji_tasks::failure::{Deliverable, is_failable};
use pungi_koji_tasks::task::{Finished, Runner};
use pungi_koji_tasks::urls::{compose_url, tree_url};
use pungi_phase_sdk::{
    ComposeInfo, Context, MountRole, Phase, PhaseError, Summary, VariantInfo, fs, register_phase,
};
use serde_json::{Value, json};

struct Osbs;

/// Keys Pungi takes out of a block; the rest go to Koji as build options.
const OWN_KEYS: &[&str] = &["url", "target", "priority", "gpgkey", "repo", "failable"];

/// `osbs.json`: variant -> arch (or `scratch`) -> build records.
type Metadata = BTreeMap<String, BTreeMap<String, Vec<Value>>>;

impl Phase for Osbs {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let config = Config::read(ctx, &["osbs", "failable_deliverables", "translate_paths"])?;
        let compose = ctx.mount_path(&MountRole::Compose)?;
        let work = ctx.mount_path(&MountRole::Work)?;
        let logs = ctx.mount_path(&MountRole::Logs)?;
        let runner = Runner::connect(logs.clone())?;
        let mut batch = Batch::new(&runner);
        for variant in &info.variants {
            for (n, block) in config
                .variant_blocks("osbs", &variant.uid)?
                .into_iter()
                .enumerate()
            {
                let at = |e: PhaseError| {
                    PhaseError::config(format!("osbs of {}: {}", variant.uid, e.message))
                };
                let repos = repo_files(&info, &config, variant, &block, &work, n).map_err(at)?;
                let params = params(&block, repos).map_err(at)?;
                let deliverable = Deliverable {
                    variant: variant.uid.clone(),
                    arches: vec!["*".into()],
                    kind: "osbs",
                    subvariant: variant.uid.clone(),
                    failable: is_failable(&config, &block, "osbs", &variant.uid, &["*".into()])
                        .map_err(at)?,
                };
                batch.submit(
                    deliverable,
                    "buildContainer",
                    params,
                    Box::new(|_, _| Ok(Vec::new())),
                );
            }
        }
        let delivered = batch.finish(ctx)?;
        let mut metadata = Metadata::new();
        for (deliverable, task) in &delivered.tasks {
            let variant = info
                .variants
                .iter()
                .find(|v| v.uid == deliverable.variant)
                .ok_or_else(|| PhaseError::internal("a delivered variant vanished"))?;
            record(
                &runner,
                &info,
                variant,
                task,
                metadata.entry(variant.uid.clone()).or_default(),
            )?;
        }
        if !delivered.tasks.is_empty() {
            fs::write_json(&format!("{compose}/metadata/osbs.json"), &metadata)?;
        }
        Ok(Summary::new(format!(
            "{} container builds, {} failed (failable)",
            delivered.tasks.len(),
            delivered.failed
        ))
        .count("builds", delivered.tasks.len() as u64))
    }
}

/// `buildContainer(source, target, opts, priority=...)`: the block's other keys are the
/// options, with `yum_repourls`.
fn params(block: &Block, repos: Vec<String>) -> Result<Value, PhaseError> {
    let url =
        blocks::string(block, "url")?.ok_or_else(|| PhaseError::config("`url` is required"))?;
    let target = blocks::string(block, "target")?
        .ok_or_else(|| PhaseError::config("`target` is required"))?;
    if blocks::string(block, "git_branch")?.is_none() {
        return Err(PhaseError::config("`git_branch` is required"));
    }
    let mut opts: serde_json::Map<String, Value> = block
        .iter()
        .filter(|(k, _)| !OWN_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    opts.insert("yum_repourls".into(), json!(repos));
    let mut params = vec![json!(url), json!(target), Value::Object(opts)];
    if let Some(priority) = block.get("priority").filter(|p| !p.is_null()) {
        params.push(json!({"priority": priority, "__starstar": true}));
    }
    Ok(Value::Array(params))
}

/// The repo files the build installs from: one per variant in `[variant] + repo`
/// written under `work/global/tmp-<Variant>/`, URLs and `.repo` URLs as given.
fn repo_files(
    info: &ComposeInfo,
    config: &Config,
    variant: &VariantInfo,
    block: &Block,
    work: &str,
    n: usize,
) -> Result<Vec<String>, PhaseError> {
    let gpgkey = blocks::string(block, "gpgkey")?;
    let mut urls = Vec::new();
    let listed = std::iter::once(variant.uid.clone()).chain(blocks::strings(block, "repo")?);
    for (i, repo) in listed.enumerate() {
        if repo.ends_with(".repo") {
            urls.push(repo);
            continue;
        }
        let (section, baseurl) = if info.variants.iter().any(|v| v.uid == repo) {
            (
                format!("{}-{repo}", info.id),
                tree_url(config, &info.id, &repo, "$basearch")?,
            )
        } else {
            (format!("{}-{}-extra-{i}", info.id, variant.uid), repo)
        };
        let mut text = format!(
            "[{section}]\nname=Compose {} (RPMs) - {section}\nbaseurl={baseurl}\nenabled=1\n",
            info.id
        );
        match &gpgkey {
            Some(key) => text.push_str(&format!("gpgcheck=1\ngpgkey={key}\n")),
            None => text.push_str("gpgcheck=0\n"),
        }
        let relative = format!(
            "global/tmp-{}/compose-rpms-{}-{n}-{i}.repo",
            variant.uid, variant.uid
        );
        fs::write_atomic(&format!("{work}/{relative}"), text.as_bytes())?;
        urls.push(compose_url(config, &info.id, &format!("work/{relative}"))?);
    }
    Ok(urls)
}

/// The records of one finished build: under each of the variant's arches for a real
/// build (Pungi files them by the arch of each image archive, which needs
/// `listArchives`, not in the koji interface), under `scratch` for a scratch one.
fn record(
    runner: &Runner,
    info: &ComposeInfo,
    variant: &VariantInfo,
    task: &Finished,
    into: &mut BTreeMap<String, Vec<Value>>,
) -> Result<(), PhaseError> {
    let mut base = serde_json::Map::new();
    base.insert("compose_id".into(), json!(info.id));
    base.insert("koji_task".into(), json!(task.id));
    let build_id = task
        .result
        .get("koji_builds")
        .and_then(Value::as_array)
        .and_then(|b| b.first())
        .cloned();
    let Some(build_id) = build_id else {
        base.insert(
            "repositories".into(),
            task.result
                .get("repositories")
                .cloned()
                .unwrap_or(json!([])),
        );
        into.entry("scratch".into())
            .or_default()
            .push(Value::Object(base));
        return Ok(());
    };
    let id = match &build_id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let build = runner.koji.build(&id)?;
    base.insert("name".into(), json!(build.package_name));
    base.insert("version".into(), json!(build.version));
    base.insert("release".into(), json!(build.release));
    base.insert("nvr".into(), json!(build.nvr));
    base.insert(
        "repositories".into(),
        task.result
            .get("repositories")
            .cloned()
            .unwrap_or(json!([])),
    );
    for arch in &variant.arches {
        into.entry(arch.clone())
            .or_default()
            .push(Value::Object(base.clone()));
    }
    Ok(())
}

register_phase!(Osbs);
