//! What an auditor checks beyond the log: that the components that ran are the ones
//! recorded, and that every output file the metadata lists still has its checksum. Every
//! file is opened without following symlinks and must be a regular file, so a compose
//! whose files were swapped for links (to `/dev/zero`, to a host file) fails naming the
//! file instead of hashing forever or hashing something outside the compose.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use pungi_repodata::{ChecksumKind, ReadOptions, read_repo};
use sha2::Digest;
use sha2::digest::DynDigest;

use super::regular::{open_directory, open_regular, open_regular_beneath};
use super::verify::LogSummary;
use crate::policy::ComponentLock;

/// What the output check covered.
#[derive(Debug, Default)]
pub struct OutputSummary {
    pub repositories: usize,
    pub packages: usize,
    pub images: usize,
}

/// Every phase run of the log (`summary`, read from `audit_log`) was by the component
/// `components.lock` pins for that phase.
pub fn verify_components(
    summary: &LogSummary,
    audit_log: &Path,
    lock_file: &Path,
) -> anyhow::Result<usize> {
    open_regular(lock_file)?;
    let lock = ComponentLock::read(lock_file)?;
    for run in &summary.runs {
        lock.check(&run.phase, Path::new(&run.phase), &run.component)
            .with_context(|| {
                format!(
                    "{}:{}: the component recorded for phase `{}` is not the one in {}",
                    audit_log.display(),
                    run.line,
                    run.phase,
                    lock_file.display()
                )
            })?;
    }
    Ok(summary.runs.len())
}

/// Every repository under `compose_dir` (its repodata files and every package in it) and
/// every image in `images.json` still matches its recorded checksum; names the first file
/// that does not, or that is a link or not a regular file.
pub fn verify_outputs(compose_dir: &Path) -> anyhow::Result<OutputSummary> {
    let root = open_directory(compose_dir)?;
    let mut summary = OutputSummary::default();
    for repo in repositories(compose_dir)? {
        let packages = read_repo(
            &repo,
            &ReadOptions {
                filelists: false,
                changelogs: false,
            },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        for package in &packages {
            let path = repo.join(&package.location);
            let found = hash(&root, compose_dir, &path, package.checksum.algorithm)?;
            if found != package.checksum.hex {
                bail!(
                    "{}: {} is {found}, the repodata of {} records {}",
                    path.display(),
                    package.checksum.algorithm,
                    repo.display(),
                    package.checksum.hex
                );
            }
        }
        summary.repositories += 1;
        summary.packages += packages.len();
    }
    summary.images = verify_images(&root, compose_dir)?;
    Ok(summary)
}

/// Directories under `compose_dir` holding `repodata/repomd.xml`, sorted; symlinked
/// directories are not entered, and a repository's `repodata` must hold regular files
/// only (its reader opens them by name).
fn repositories(compose_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![compose_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let repodata = dir.join("repodata");
        if repodata.symlink_metadata().is_ok_and(|m| m.is_dir()) {
            check_regular_files(&repodata)?;
            if repodata.join("repomd.xml").exists() {
                found.push(dir.clone());
            }
        }
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))?
        {
            let entry = entry?;
            let name = entry.file_name();
            if entry.file_type()?.is_dir() && name != "repodata" && name != "Packages" {
                stack.push(entry.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Every entry of `dir` is a regular file (no link, device, fifo or directory).
fn check_regular_files(dir: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            bail!(
                "{} is not a regular file (a link, device or directory where repodata is expected); it is not read",
                entry.path().display()
            );
        }
    }
    Ok(())
}

fn verify_images(root: &File, compose_dir: &Path) -> anyhow::Result<usize> {
    let images = read_images(root, compose_dir)?;
    for image in &images {
        if let Some(expected) = image.checksums.get("sha256") {
            let path = compose_dir.join(&image.path);
            let found = hash(root, compose_dir, &path, ChecksumKind::Sha256)?;
            if &found != expected {
                bail!(
                    "{}: sha256 is {found}, images.json records {expected}",
                    path.display()
                );
            }
        }
    }
    Ok(images.len())
}

/// Every image `metadata/images.json` under `compose_dir` (open as `root`) lists; none
/// when the compose has no manifest.
pub(crate) fn read_images(
    root: &File,
    compose_dir: &Path,
) -> anyhow::Result<Vec<pungi_productmd::Image>> {
    let manifest = compose_dir.join("metadata/images.json");
    if !manifest.exists() {
        return Ok(Vec::new());
    }
    let mut text = String::new();
    open_regular_beneath(root, Path::new("metadata/images.json"), &manifest)
        .and_then(|mut file| file.read_to_string(&mut text))
        .with_context(|| format!("reading {}", manifest.display()))?;
    let images: pungi_productmd::Images = serde_json::from_str(&text)
        .with_context(|| format!("{} is not an image manifest", manifest.display()))?;
    Ok(images
        .payload
        .images
        .into_values()
        .flat_map(BTreeMap::into_values)
        .flatten()
        .collect())
}

/// The hex digest of the regular file at `path`, which must lie beneath `compose_dir`
/// (open as `root`) without a symlink on the way.
pub(crate) fn hash(
    root: &File,
    compose_dir: &Path,
    path: &Path,
    algorithm: ChecksumKind,
) -> anyhow::Result<String> {
    let relative = path.strip_prefix(compose_dir).unwrap_or(path);
    let mut file = open_regular_beneath(root, relative, path)?;
    let mut hasher: Box<dyn DynDigest> = match algorithm {
        ChecksumKind::Sha1 => Box::new(sha1::Sha1::new()),
        ChecksumKind::Sha224 => Box::new(sha2::Sha224::new()),
        ChecksumKind::Sha256 => Box::new(sha2::Sha256::new()),
        ChecksumKind::Sha384 => Box::new(sha2::Sha384::new()),
        ChecksumKind::Sha512 => Box::new(sha2::Sha512::new()),
    };
    let mut buffer = vec![0; 1 << 20];
    loop {
        let read = file
            .read(&mut buffer)
            .with_context(|| format!("reading {}", path.display()))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex::encode(hasher.finalize()))
}
