//! OSTree: an OSTree commit per `ostree` block of a variant.arch, made by
//! `pungi-make-ostree tree` (rpm-ostree compose) in a Koji runroot, with the config
//! repository cloned there and the compose's trees given as extra repos. The OSTree
//! repository (`ostree_repo`) lives on the builders' shared storage, outside the
//! compose; the commit id (`commitid.log`) is recorded in `compose/metadata/ostree.json`
//! (variant -> arch -> [{ref, commitid, repo}]).

use std::cell::RefCell;
use std::collections::BTreeMap;

use pungi_koji_tasks::blocks::{self, Block, Config};
use pungi_koji_tasks::deliver::Batch;
use pungi_koji_tasks::failure::{Deliverable, is_failable};
use pungi_koji_tasks::release::ComposeFacts;
use pungi_koji_tasks::runroot::{Runroot, join, quote};
use pungi_koji_tasks::task::{Finished, Runner};
use pungi_koji_tasks::urls::tree_url;
use pungi_phase_sdk::{
    ComposeInfo, Context, MountRole, Phase, PhaseError, Summary, VariantInfo, fs, register_phase,
};
use serde_json::{Value, json};

struct Ostree;

const LOGS: &str = "logs";

/// `ostree.json`: variant -> arch -> commits.
type Metadata = BTreeMap<String, BTreeMap<String, Vec<Value>>>;

impl Phase for Ostree {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let config = Config::read(ctx, &["ostree", "failable_deliverables", "translate_paths"])?;
        let facts = ComposeFacts::of(&info);
        let runroot = Runroot::read(ctx, "ostree")?;
        let compose = ctx.mount_path(&MountRole::Compose)?;
        let logs = ctx.mount_path(&MountRole::Logs)?;
        let runner = Runner::connect(logs.clone())?;
        let commits = RefCell::new(Metadata::new());
        let mut batch = Batch::new(&runner);
        let mut count = 0usize;
        for variant in &info.variants {
            for (arch, block) in blocks_of(&config, variant)? {
                count += 1;
                let at = |e: PhaseError| {
                    PhaseError::config(format!("ostree of {}.{arch}: {}", variant.uid, e.message))
                };
                let script = script(&info, &config, &facts, variant, &arch, &block).map_err(at)?;
                let mut packages: Vec<String> = ["pungi", "ostree", "rpm-ostree", "git"]
                    .map(String::from)
                    .to_vec();
                packages.extend(blocks::strings(&block, "runroot_packages").map_err(at)?);
                let params = runroot.params(&arch, &script, &packages, &[LOGS]);
                let arches = vec![arch.clone()];
                let deliverable = Deliverable {
                    variant: variant.uid.clone(),
                    arches: arches.clone(),
                    kind: "ostree",
                    subvariant: variant.uid.clone(),
                    failable: is_failable(&config, &block, "ostree", &variant.uid, &arches)
                        .map_err(at)?,
                };
                let logs_dir = format!("{logs}/{arch}/{}/ostree-{count}", variant.uid);
                let reference = blocks::string(&block, "ostree_ref").map_err(at)?;
                let (commits, variant_uid) = (&commits, variant.uid.clone());
                batch.submit(
                    deliverable,
                    "runroot",
                    params,
                    Box::new(move |runner, task| {
                        let commit = record(runner, task, &logs_dir, reference)?;
                        commits
                            .borrow_mut()
                            .entry(variant_uid)
                            .or_default()
                            .entry(arch)
                            .or_default()
                            .push(commit);
                        Ok(Vec::new())
                    }),
                );
            }
        }
        let delivered = batch.finish(ctx)?;
        let metadata = commits.into_inner();
        if !metadata.is_empty() {
            fs::write_json(&format!("{compose}/metadata/ostree.json"), &metadata)?;
        }
        Ok(Summary::new(format!(
            "{} OSTree commits, {} failed (failable)",
            delivered.tasks.len(),
            delivered.failed
        ))
        .count("commits", delivered.tasks.len() as u64))
    }
}

/// The (arch, block) pairs of `variant`: `{variant_regex: block or [blocks]}` with an
/// `arches` key, or the old `[(variant_regex, {arch: block})]`.
fn blocks_of(config: &Config, variant: &VariantInfo) -> Result<Vec<(String, Block)>, PhaseError> {
    let mut pairs = Vec::new();
    match config.value("ostree")? {
        None => {}
        Some(Value::Array(_)) => {
            for arch in &variant.arches {
                for block in config.arch_variant_blocks("ostree", &variant.uid, arch)? {
                    pairs.push((arch.clone(), block));
                }
            }
        }
        Some(_) => {
            for block in config.variant_blocks("ostree", &variant.uid)? {
                for arch in blocks::arches(&block, variant)? {
                    pairs.push((arch, block.clone()));
                }
            }
        }
    }
    Ok(pairs)
}

/// The runroot script: the extra config, the config repository clone, and
/// `pungi-make-ostree tree` as Pungi calls it.
fn script(
    info: &ComposeInfo,
    config: &Config,
    facts: &ComposeFacts,
    variant: &VariantInfo,
    arch: &str,
    block: &Block,
) -> Result<String, PhaseError> {
    let required = |key: &str| {
        blocks::string(block, key)?
            .ok_or_else(|| PhaseError::config(format!("`{key}` is required")))
    };
    let (treefile, config_url, repo) = (
        required("treefile")?,
        required("config_url")?,
        required("ostree_repo")?,
    );
    let mut repos = vec![
        json!({"name": format!("{}-{}", info.id, variant.uid), "baseurl": tree_url(config, &info.id, &variant.uid, arch)?}),
    ];
    for (i, extra) in blocks::strings(block, "repo")?.into_iter().enumerate() {
        let baseurl = if info.variants.iter().any(|v| v.uid == extra) {
            tree_url(config, &info.id, &extra, arch)?
        } else {
            extra
        };
        repos.push(json!({"name": format!("{}-{}-{i}", info.id, variant.uid), "baseurl": baseurl}));
    }
    let extra_config = json!({
        "repo": repos,
        "keep_original_sources": blocks::flag(block, "keep_original_sources", false)?,
    });
    let mut words = vec![
        "pungi-make-ostree".to_owned(),
        "tree".into(),
        format!("--repo={repo}"),
        format!("--log-dir={LOGS}"),
        format!("--treefile=config_repo/{treefile}"),
        "--extra-config=extra_config.json".into(),
    ];
    if let Some(version) = blocks::string(block, "version")? {
        let version = facts
            .generate(&version)
            .map_err(|e| PhaseError::config(format!("`version`: {e}")))?;
        words.push(format!("--version={version}"));
    }
    if blocks::flag(block, "update_summary", false)? {
        words.push("--update-summary".into());
    }
    if let Some(reference) = blocks::string(block, "ostree_ref")? {
        words.push(format!("--ostree-ref={reference}"));
    }
    if blocks::flag(block, "force_new_commit", false)? {
        words.push("--force-new-commit".into());
    }
    if blocks::flag(block, "unified_core", false)? {
        words.push("--unified-core".into());
    }
    let branch = blocks::string(block, "config_branch")?.unwrap_or_else(|| "master".into());
    Ok(format!(
        "rm -rf {LOGS} config_repo && mkdir -p {LOGS} && printf %s {} > extra_config.json && git clone --depth 1 --branch {} {} config_repo && {}",
        quote(&extra_config.to_string()),
        quote(&branch),
        quote(&config_url),
        join(&words)
    ))
}

/// Copies the task's logs under the compose's logs and records the commit id its
/// `commitid.log` holds.
fn record(
    runner: &Runner,
    task: &Finished,
    logs_dir: &str,
    reference: Option<String>,
) -> Result<Value, PhaseError> {
    for output in &task.outputs {
        if let Some(name) = output.filename.strip_prefix(&format!("{LOGS}/")) {
            runner.koji.download_task_output(
                task.id,
                &output.filename,
                &format!("{logs_dir}/{name}"),
            )?;
        }
    }
    let path = format!("{logs_dir}/commitid.log");
    let commitid = std::fs::read_to_string(&path)
        .map_err(|_| {
            PhaseError::input(format!(
                "koji task {} wrote no {LOGS}/commitid.log: pungi-make-ostree made no commit",
                task.id
            ))
        })?
        .trim()
        .to_owned();
    if commitid.len() != 64 || !commitid.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(PhaseError::input(format!(
            "koji task {}: commitid.log holds {commitid:?}, not an OSTree commit id",
            task.id
        )));
    }
    Ok(json!({"ref": reference, "commitid": commitid, "koji_task": task.id}))
}

register_phase!(Ostree);
