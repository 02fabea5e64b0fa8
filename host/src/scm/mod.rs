//! The config's inputs that come from SCM (`comps_file`, `variants_file`,
//! `module_defaults_dir`, `module_obsoletes_dir` written as SCM dicts), fetched by the
//! host before phases run, as Pungi fetches them into `work/global/`. git and a dict's
//! `command` run in the command jail (`jail.rs`); every file taken is digested, and the
//! compose's audit log gets one record per fetch (`audit`/`scm-fetch`).
//!
//! The compose directory does not exist yet when the config is read (the variants XML
//! decides what it holds), so a fetch lands in a staging directory first, is checked
//! there with the rest of the config, and is copied into `work/` once the compose
//! directory is made.

mod git;
mod jail;
mod rpm;
mod spec;
mod take;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;
use serde_json::{Map, Value};
use tempfile::TempDir;

use crate::audit::AuditLog;
use jail::FetchJail;
use spec::{ScmSpec, Source, Wanted};

/// The operation of the audit record of one fetch (the host's own, interface
/// `audit`), written before any phase runs.
const RECORD: &str = "scm-fetch";

/// An option Pungi fetches with its SCM wrappers before phases run, and where the result
/// goes under `work/` (Pungi's `paths.work` names).
struct ScmOption {
    name: &'static str,
    wanted: Wanted,
    destination: &'static str,
}

const SCM_OPTIONS: &[ScmOption] = &[
    ScmOption {
        name: "variants_file",
        wanted: Wanted::File,
        destination: "global/variants.xml",
    },
    ScmOption {
        name: "comps_file",
        wanted: Wanted::File,
        destination: "global/comps/comps-global.xml",
    },
    ScmOption {
        name: "module_defaults_dir",
        wanted: Wanted::Dir,
        destination: "global/module_defaults",
    },
    ScmOption {
        name: "module_obsoletes_dir",
        wanted: Wanted::Dir,
        destination: "global/module_obsoletes",
    },
];

/// What one fetch took, as the audit log records it.
#[derive(Debug, Clone, Serialize)]
pub struct FetchRecord {
    pub option: String,
    pub scm: String,
    /// The repository or package as the config names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The commit checked out (git).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The file or directory the dict names.
    pub path: String,
    /// Every file taken, by its path under the compose's `work/`, with its sha256.
    pub files: Vec<FetchedFile>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FetchedFile {
    pub path: String,
    pub sha256: String,
}

/// The fetched inputs, staged until the compose directory exists.
pub struct FetchedInputs {
    staging: TempDir,
    records: Vec<FetchRecord>,
    /// Option -> its file's staged path (the file options only).
    files: BTreeMap<String, PathBuf>,
}

impl FetchedInputs {
    /// Where each fetched file option's file is now, for checking it with the config.
    pub fn files(&self) -> &BTreeMap<String, PathBuf> {
        &self.files
    }

    pub fn records(&self) -> &[FetchRecord] {
        &self.records
    }

    /// Copies what was fetched into the compose's `work` directory (over what an
    /// interrupted run of it fetched).
    pub fn install(&self, work: &Path) -> anyhow::Result<()> {
        for file in self.records.iter().flat_map(|r| &r.files) {
            let staged = self.staging.path().join(&file.path);
            let bytes =
                std::fs::read(&staged).with_context(|| format!("reading {}", staged.display()))?;
            // Creates the directories it needs.
            crate::fsutil::write_atomic(&work.join(&file.path), &bytes)?;
        }
        Ok(())
    }
}

/// Writes one `audit`/`scm-fetch` record per fetch.
pub fn record_fetches(records: &[FetchRecord], audit: &AuditLog) -> anyhow::Result<()> {
    for record in records {
        audit.record_host(RECORD, serde_json::to_value(record)?)?;
    }
    Ok(())
}

/// Fetches every SCM dict among `options` (a path stays the config's own file). An
/// error names the option and where it was assigned (`position`), and stops here, before
/// anything of the compose is written.
pub fn fetch_inputs(
    options: &Map<String, Value>,
    config_dir: &Path,
    position: impl Fn(&str) -> String,
) -> anyhow::Result<FetchedInputs> {
    let staging = tempfile::Builder::new()
        .prefix("pungi-wasm-scm-")
        .tempdir()
        .context("creating a staging directory for SCM inputs")?;
    let mut fetched = FetchedInputs {
        staging,
        records: Vec::new(),
        files: BTreeMap::new(),
    };
    for option in SCM_OPTIONS {
        let Some(Value::Object(dict)) = options.get(option.name) else {
            continue;
        };
        let record = spec::parse(dict, option.wanted)
            .and_then(|spec| fetch(option, &spec, config_dir, fetched.staging.path()))
            .map_err(|why| {
                anyhow::anyhow!("{}: option `{}`: {why}", position(option.name), option.name)
            })?;
        tracing::info!(
            "{}: fetched {} file(s) from {} {}{}",
            option.name,
            record.files.len(),
            record.scm,
            record.repo.as_deref().unwrap_or(&record.path),
            record
                .commit
                .as_deref()
                .map_or(String::new(), |c| format!(" at {c}"))
        );
        if option.wanted == Wanted::File {
            fetched.files.insert(
                option.name.to_owned(),
                fetched.staging.path().join(option.destination),
            );
        }
        fetched.records.push(record);
    }
    Ok(fetched)
}

/// Fetches one option into `staging`/its destination.
fn fetch(
    option: &ScmOption,
    spec: &ScmSpec,
    config_dir: &Path,
    staging: &Path,
) -> Result<FetchRecord, String> {
    let checkout = staging.join("checkouts").join(option.name);
    let (root, relative, repo, commit) = match &spec.source {
        Source::File => {
            let path = config_dir.join(&spec.path);
            let (parent, name) = match (path.parent(), path.file_name()) {
                (Some(parent), Some(name)) => (parent.to_path_buf(), PathBuf::from(name)),
                _ => {
                    return Err(format!(
                        "`{}` {:?} names no file",
                        option.wanted.key(),
                        spec.path
                    ));
                }
            };
            (parent, name, None, None)
        }
        Source::Git { repo, branch } => {
            let source = git::local_repository(repo, config_dir)?;
            create(&checkout)?;
            let jail = FetchJail::new(option.name, &source, &checkout);
            let commit = git::checkout(&jail, branch, spec.command.as_deref())?;
            (
                checkout,
                take::inside(&spec.path)?,
                Some(repo.clone()),
                Some(commit),
            )
        }
        Source::Rpm { package } => {
            let source = rpm::package(package, config_dir)?;
            create(&checkout)?;
            rpm::unpack(&FetchJail::new(option.name, &source, &checkout))?;
            (
                checkout,
                take::inside(&spec.path)?,
                Some(package.clone()),
                None,
            )
        }
    };
    let destination = Path::new(option.destination);
    let taken = match option.wanted {
        Wanted::File => take::file(&root, &relative, staging, destination).map(|f| vec![f]),
        Wanted::Dir => take::directory(&root, &relative, staging, destination),
    }
    .map_err(|why| match &commit {
        Some(commit) => format!("taking it from commit {commit}: {why}"),
        None => format!("taking it: {why}"),
    })?;
    Ok(FetchRecord {
        option: option.name.to_owned(),
        scm: spec.source.kind().to_owned(),
        repo,
        branch: match &spec.source {
            Source::Git { branch, .. } => Some(branch.clone()),
            _ => None,
        },
        commit,
        command: spec.command.clone(),
        path: spec.path.clone(),
        files: taken
            .into_iter()
            .map(|file| FetchedFile {
                path: file.path.display().to_string(),
                sha256: file.sha256,
            })
            .collect(),
    })
}

fn create(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}
