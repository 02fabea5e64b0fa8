//! What an auditor checks beyond the log's chain: that the components that ran are the
//! ones recorded, and that every output file the metadata lists still has its checksum.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use pungi_repodata::{ReadOptions, read_repo};
use sha2::Digest;

use crate::policy::ComponentLock;

/// What the output check covered.
#[derive(Debug, Default)]
pub struct OutputSummary {
    pub repositories: usize,
    pub packages: usize,
    pub images: usize,
}

/// Every `start` record of the audit log names the component `components.lock` pins
/// for that phase.
pub fn verify_components(audit_log: &Path, lock_file: &Path) -> anyhow::Result<usize> {
    let lock = ComponentLock::read(lock_file)?;
    let text = std::fs::read_to_string(audit_log)
        .with_context(|| format!("reading {}", audit_log.display()))?;
    let mut checked = 0;
    for (index, line) in text.lines().enumerate() {
        let record: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not JSON", audit_log.display(), index + 1))?;
        if record["interface"] != "phase" || record["operation"] != "start" {
            continue;
        }
        let phase = record["phase"].as_str().unwrap_or_default();
        let component = record["component"].as_str().unwrap_or_default();
        lock.check(phase, Path::new(phase), component)
            .with_context(|| {
                format!(
                    "{}:{}: the component recorded for phase `{phase}` is not the one in {}",
                    audit_log.display(),
                    index + 1,
                    lock_file.display()
                )
            })?;
        checked += 1;
    }
    Ok(checked)
}

/// Every repository under `compose_dir` (its repodata files and every package in it) and
/// every image in `images.json` still matches its recorded checksum; names the first file
/// that does not.
pub fn verify_outputs(compose_dir: &Path) -> anyhow::Result<OutputSummary> {
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
            let file = repo.join(&package.location);
            let found = package
                .checksum
                .algorithm
                .digest_file(&file)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if found.hex != package.checksum.hex {
                bail!(
                    "{}: {} is {}, the repodata of {} records {}",
                    file.display(),
                    package.checksum.algorithm,
                    found.hex,
                    repo.display(),
                    package.checksum.hex
                );
            }
        }
        summary.repositories += 1;
        summary.packages += packages.len();
    }
    summary.images = verify_images(compose_dir)?;
    Ok(summary)
}

/// Directories under `compose_dir` holding `repodata/repomd.xml`, sorted.
fn repositories(compose_dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![compose_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dir.join("repodata/repomd.xml").is_file() {
            found.push(dir.clone());
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

fn verify_images(compose_dir: &Path) -> anyhow::Result<usize> {
    let manifest = compose_dir.join("metadata/images.json");
    if !manifest.exists() {
        return Ok(0);
    }
    let images: pungi_productmd::Images = serde_json::from_str(
        &std::fs::read_to_string(&manifest)
            .with_context(|| format!("reading {}", manifest.display()))?,
    )
    .with_context(|| format!("{} is not an image manifest", manifest.display()))?;
    let mut count = 0;
    for image in images
        .payload
        .images
        .values()
        .flat_map(BTreeMap::values)
        .flatten()
    {
        if let Some(expected) = image.checksums.get("sha256") {
            let path = compose_dir.join(&image.path);
            let mut hasher = sha2::Sha256::new();
            std::fs::File::open(&path)
                .and_then(|mut file| std::io::copy(&mut file, &mut hasher))
                .with_context(|| format!("reading {}", path.display()))?;
            let found = hex::encode(hasher.finalize());
            if &found != expected {
                bail!(
                    "{}: sha256 is {found}, images.json records {expected}",
                    path.display()
                );
            }
        }
        count += 1;
    }
    Ok(count)
}
