use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use serde_json::{Map, Value};

use crate::capabilities::ComposeFacts;
use crate::capabilities::compose::VariantFact;
use crate::capabilities::koji::{KojiHub, profile as koji_profile};
use crate::compose::{ComposeId, ComposeLayout, ComposeType, validate_label};
use crate::fsutil::write_atomic;
use crate::policy::{Locations, RepoLocation};

/// What the command line adds to the config.
#[derive(Debug, Clone)]
pub struct ComposeRequest {
    pub target_dir: PathBuf,
    pub compose_type: ComposeType,
    pub label: Option<String>,
    pub no_label: bool,
    /// `YYYYMMDD`; today (UTC) when none.
    pub date: Option<String>,
    /// `--old-composes`: directories holding earlier composes, for phases that compare.
    pub old_composes: Vec<PathBuf>,
    /// `--compose-dir`: the compose's own directory instead of a new one in `target_dir`;
    /// an existing compose there is composed again under its compose ID.
    pub compose_dir: Option<PathBuf>,
    /// `--supported`: the compose is final (productmd's `final`) whatever its label.
    pub supported: bool,
}

/// A compose directory created and every input resolved: ready for the pipeline.
pub struct PreparedCompose {
    pub layout: ComposeLayout,
    pub facts: Arc<ComposeFacts>,
    pub locations: Locations,
    /// Whether this continues an interrupted compose in its own directory (`--restart`).
    pub restarted: bool,
    /// `--supported`, or a label of a milestone Pungi counts as supported.
    pub supported: bool,
    /// What the host fetched from SCM for the config before phases run, which the audit
    /// log records first.
    pub scm_fetches: Vec<crate::scm::FetchRecord>,
}

/// Reads the options the host itself needs, forms the compose ID, creates the compose
/// directory and resolves the directories phases may be granted.
pub fn prepare(
    config: Map<String, Value>,
    config_dir: &Path,
    variants: Vec<VariantFact>,
    request: &ComposeRequest,
) -> anyhow::Result<PreparedCompose> {
    prepare_in(config, config_dir, variants, request, None)
}

/// Like [`prepare`], for continuing the interrupted compose in `compose_dir`: its
/// directory and compose ID, which the config and request must still make.
pub fn prepare_restart(
    config: Map<String, Value>,
    config_dir: &Path,
    variants: Vec<VariantFact>,
    request: &ComposeRequest,
    compose_dir: &Path,
) -> anyhow::Result<PreparedCompose> {
    prepare_in(config, config_dir, variants, request, Some(compose_dir))
}

fn prepare_in(
    config: Map<String, Value>,
    config_dir: &Path,
    variants: Vec<VariantFact>,
    request: &ComposeRequest,
    restart: Option<&Path>,
) -> anyhow::Result<PreparedCompose> {
    let text = |name: &str| -> anyhow::Result<String> {
        match config.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            Some(other) => bail!("option `{name}` must be a non-empty string, found {other}"),
            None => bail!("option `{name}` is required"),
        }
    };
    let release_type = match config.get("release_type") {
        None => "ga".to_owned(),
        Some(_) => text("release_type")?,
    };
    match (&request.label, request.no_label, request.compose_type) {
        (Some(label), _, _) => validate_label(label)?,
        (None, false, ComposeType::Production) => {
            bail!("a production compose needs --label (e.g. --label RC-1.0) or --no-label")
        }
        _ => {}
    }
    let koji = koji_hub(&config)?;
    let repos = match config.get("pkgset_source").and_then(Value::as_str) {
        Some("koji") if koji.is_none() => bail!(
            "pkgset_source = \"koji\" needs a hub: koji_profile (a profile in /etc/koji.conf or ~/.koji/config) or koji_server"
        ),
        Some("koji") => Vec::new(),
        _ => package_repos(&config, config_dir)?,
    };
    let old_composes = old_compose_dirs(&request.old_composes)?;
    let lookaside = lookaside_repos(&config, config_dir)?;
    let date = request
        .date
        .clone()
        .unwrap_or_else(|| chrono::Utc::now().format("%Y%m%d").to_string());
    let id = ComposeId {
        release_short: text("release_short")?,
        release_version: text("release_version")?,
        release_type: release_type.clone(),
        date: date.clone(),
        compose_type: request.compose_type,
        respin: 0,
    };
    let arches: BTreeSet<String> = variants.iter().flat_map(|v| v.arches.clone()).collect();
    if variants.is_empty() {
        bail!("the variants file defines no variant");
    }
    let (id, layout) = match (restart, &request.compose_dir) {
        (Some(dir), _) => {
            let layout = ComposeLayout::reopen(dir)?;
            (same_compose(id, &layout)?, layout)
        }
        (None, Some(dir)) => {
            let layout = ComposeLayout::at(dir)?;
            if layout.topdir.join("COMPOSE_ID").exists() {
                (same_compose(id, &layout)?, layout)
            } else {
                // Pungi's respin for a compose directory it is given: 0.
                write_compose_id(&layout, &id)?;
                (id, layout)
            }
        }
        (None, None) => {
            let id = id.with_next_respin(&request.target_dir);
            let layout = ComposeLayout::create(&request.target_dir, &id.to_string())?;
            write_compose_id(&layout, &id)?;
            (id, layout)
        }
    };
    let facts = ComposeFacts {
        id: id.to_string(),
        label: request.label.clone(),
        date,
        respin: id.respin,
        compose_type: request.compose_type.name().to_owned(),
        release_name: text("release_name")?,
        release_short: id.release_short.clone(),
        release_version: id.release_version.clone(),
        release_type,
        arches: arches.into_iter().collect(),
        variants,
        config,
    };
    let locations = Locations {
        topdir: layout.topdir.clone(),
        config: config_dir.to_path_buf(),
        compose: layout.compose(),
        work: layout.work(),
        logs: layout.logs(),
        repos,
        old_composes,
        lookaside,
        koji,
    };
    Ok(PreparedCompose {
        layout,
        facts: Arc::new(facts),
        locations,
        restarted: restart.is_some(),
        supported: request.supported || supported_label(request.label.as_deref()),
        scm_fetches: Vec::new(),
    })
}

fn write_compose_id(layout: &ComposeLayout, id: &ComposeId) -> anyhow::Result<()> {
    write_atomic(&layout.topdir.join("COMPOSE_ID"), id.to_string().as_bytes())
        .context("writing COMPOSE_ID")
}

/// Whether a label's milestone makes a compose supported in Pungi (`SUPPORTED_MILESTONES`).
fn supported_label(label: Option<&str>) -> bool {
    label.is_some_and(|label| {
        ["RC", "Update", "SecurityFix"]
            .iter()
            .any(|m| label.starts_with(&format!("{m}-")))
    })
}

/// The ID of the compose in `layout` when `id` (respin aside) is the one these inputs
/// make, so a restart never continues another compose under a new name.
fn same_compose(mut id: ComposeId, layout: &ComposeLayout) -> anyhow::Result<ComposeId> {
    let file = layout.topdir.join("COMPOSE_ID");
    let existing = std::fs::read_to_string(&file)
        .with_context(|| format!("{}: not a compose directory", layout.topdir.display()))?;
    let existing = existing.trim();
    let respin = existing
        .strip_prefix(&format!("{}.", id.stem()))
        .and_then(|r| r.parse::<u32>().ok())
        .with_context(|| {
            format!(
                "{}: the compose is {existing}, but this config and these options make {}.<respin>; restart with the same config, compose type and --compose-date",
                file.display(),
                id.stem()
            )
        })?;
    id.respin = respin;
    Ok(id)
}

/// The compose's Koji hub, from `koji_profile` and `koji_*` options.
fn koji_hub(config: &Map<String, Value>) -> anyhow::Result<Option<Arc<KojiHub>>> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let settings =
        koji_profile::from_compose_config(config, home.as_deref()).map_err(anyhow::Error::msg)?;
    Ok(settings.map(|s| Arc::new(KojiHub::new(s))))
}

/// Each `--old-composes` directory, which must exist, made absolute.
fn old_compose_dirs(dirs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    dirs.iter()
        .map(|dir| existing_directory("--old-composes", dir))
        .collect()
}

/// `pkgset_repos = {arch: [path, ...]}` resolved against the config's directory; every
/// path must be an existing directory.
fn package_repos(
    config: &Map<String, Value>,
    config_dir: &Path,
) -> anyhow::Result<Vec<RepoLocation>> {
    match config.get("pkgset_source").and_then(Value::as_str) {
        Some("repos") => {}
        Some(other) => bail!(
            "pkgset_source = \"{other}\" is not supported yet; this build composes from local repositories (\"repos\") or Koji (\"koji\")"
        ),
        None => bail!("option `pkgset_source` is required (\"repos\" or \"koji\")"),
    }
    let Some(Value::Object(by_arch)) = config.get("pkgset_repos") else {
        bail!("option `pkgset_repos` must be a dict of arch -> list of repository paths");
    };
    let mut repos = Vec::new();
    for (arch, paths) in by_arch {
        let paths: Vec<&str> = match paths {
            Value::String(single) => vec![single.as_str()],
            Value::Array(list) => list
                .iter()
                .map(|p| {
                    p.as_str()
                        .with_context(|| format!("pkgset_repos[{arch:?}]: {p} is not a path"))
                })
                .collect::<anyhow::Result<_>>()?,
            other => bail!("pkgset_repos[{arch:?}] must be a list of paths, found {other}"),
        };
        for (index, source) in paths.into_iter().enumerate() {
            repos.push(RepoLocation {
                arch: arch.clone(),
                index: index as u32,
                source: source.to_owned(),
                path: local_repository(&format!("pkgset_repos[{arch:?}]"), source, config_dir)?,
            });
        }
    }
    Ok(repos)
}

/// The repositories of `gather_lookaside_repos`, in the order the host mounts them and
/// Gather looks for them (`pungi_config::lookaside_repos`). Local paths only: the host
/// fetches nothing.
fn lookaside_repos(
    config: &Map<String, Value>,
    config_dir: &Path,
) -> anyhow::Result<Vec<RepoLocation>> {
    pungi_config::lookaside_repos(config.get("gather_lookaside_repos"))
        .into_iter()
        .enumerate()
        .map(|(index, source)| {
            if source.contains("://") && !source.starts_with("file://") {
                bail!(
                    "gather_lookaside_repos: {source} is not a local repository; mirror it and give its path"
                );
            }
            Ok(RepoLocation {
                arch: String::new(),
                index: index as u32,
                path: local_repository("gather_lookaside_repos", &source, config_dir)?,
                source,
            })
        })
        .collect()
}

/// A repository path of option `option` (`file://` allowed), resolved against the
/// config's directory; it must be an existing directory.
fn local_repository(option: &str, source: &str, config_dir: &Path) -> anyhow::Result<PathBuf> {
    let source = source.strip_prefix("file://").unwrap_or(source);
    existing_directory(option, &config_dir.join(source))
}

/// `path` made absolute; an error naming `what` (an option) when it is missing or not a
/// directory.
fn existing_directory(what: &str, path: &Path) -> anyhow::Result<PathBuf> {
    let real = path
        .canonicalize()
        .with_context(|| format!("{what}: {} does not exist", path.display()))?;
    if !real.is_dir() {
        bail!("{what}: {} is not a directory", path.display());
    }
    Ok(real)
}
