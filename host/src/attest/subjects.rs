//! The attestation's subjects: what a consumer of the compose downloads and checks. Every
//! image `images.json` lists, every repository's `repodata/repomd.xml`, every tree's
//! `.treeinfo` and every file under `metadata/` (composeinfo, rpms, images, modules,
//! extra files, whatever else phases wrote there), each by its path relative to the
//! compose's `compose/` directory (as productmd names paths) with its sha256.
//!
//! Packages are not subjects one by one: each repomd.xml pins its repodata by digest,
//! and the repodata every package, which is how dnf checks them; `audit verify` checks
//! that chain. The same walk is used to sign and to verify, so a file added after
//! signing is found as unattested.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context as _, bail};
use pungi_repodata::ChecksumKind;

use super::statement::ResourceDescriptor;
use crate::audit::outputs::{hash, read_images};
use crate::audit::regular::open_directory;

/// Where the attestation is, relative to `compose/`: one DSSE envelope on one line (the
/// in-toto bundle format, which `json.load` also reads whole).
pub const ATTESTATION: &str = "metadata/provenance.intoto.jsonl";

/// Every subject of the compose directory `compose_dir` (`<compose>/compose`) with its
/// sha256, sorted by name. Links are neither followed nor subjects; an image that is a
/// link is an error naming it.
pub fn collect(compose_dir: &Path) -> anyhow::Result<Vec<ResourceDescriptor>> {
    let root = open_directory(compose_dir)?;
    let mut names: BTreeSet<String> = read_images(&root, compose_dir)?
        .into_iter()
        .map(|image| image.path)
        .collect();
    walk(compose_dir, "", &mut names)?;
    digest_all(&root, compose_dir, names.into_iter().collect())
}

/// Adds the repomd.xml, .treeinfo and metadata files under `compose_dir/relative`.
fn walk(compose_dir: &Path, relative: &str, names: &mut BTreeSet<String>) -> anyhow::Result<()> {
    let dir = compose_dir.join(relative);
    let in_metadata = relative == "metadata" || relative.starts_with("metadata/");
    for entry in std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            bail!(
                "{}: a file name that is not UTF-8 cannot be named in the attestation",
                entry.path().display()
            );
        };
        let path = if relative.is_empty() {
            name.clone()
        } else {
            format!("{relative}/{name}")
        };
        let kind = entry.file_type()?;
        if kind.is_dir() && name != "Packages" {
            walk(compose_dir, &path, names)?;
        } else if kind.is_file() && is_subject(&path, &name, in_metadata) {
            names.insert(path);
        }
    }
    Ok(())
}

fn is_subject(path: &str, name: &str, in_metadata: bool) -> bool {
    if in_metadata {
        // The attestation itself, and temporaries of an atomic write, are not.
        return path != ATTESTATION && !name.starts_with(".tmp-");
    }
    name == ".treeinfo" || path.ends_with("/repodata/repomd.xml")
}

/// The sha256 of every file in `names`, hashed on every core (images are most of the
/// bytes, and one core hashes one file at a time).
fn digest_all(
    root: &File,
    compose_dir: &Path,
    names: Vec<String>,
) -> anyhow::Result<Vec<ResourceDescriptor>> {
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(names.len())
        .max(1);
    let mut digests: Vec<(usize, anyhow::Result<String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(name) = names.get(index) else {
                            return done;
                        };
                        let path = compose_dir.join(name);
                        done.push((index, hash(root, compose_dir, &path, ChecksumKind::Sha256)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap_or_default())
            .collect()
    });
    if digests.len() != names.len() {
        bail!("hashing the compose's subjects: a worker thread failed");
    }
    digests.sort_by_key(|(index, _)| *index);
    names
        .into_iter()
        .zip(digests)
        .map(|(name, (_, digest))| Ok(ResourceDescriptor::file(name, digest?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_repomd_treeinfo_and_metadata_files_not_packages_or_links() {
        let dir = tempfile::tempdir().unwrap();
        let compose = dir.path();
        for (path, text) in [
            ("metadata/composeinfo.json", "{}"),
            ("metadata/sbom/Server.x86_64.spdx.json", "{}"),
            ("metadata/provenance.intoto.jsonl", "{}"),
            ("Server/x86_64/os/.treeinfo", "[general]"),
            ("Server/x86_64/os/repodata/repomd.xml", "<repomd/>"),
            ("Server/x86_64/os/repodata/primary.xml.gz", "x"),
            ("Server/x86_64/os/Packages/a/a.rpm", "rpm"),
        ] {
            std::fs::create_dir_all(compose.join(path).parent().unwrap()).unwrap();
            std::fs::write(compose.join(path), text).unwrap();
        }
        std::os::unix::fs::symlink(
            compose.join("Server/x86_64/os"),
            compose.join("Server/linked"),
        )
        .unwrap();
        let subjects = collect(compose).unwrap();
        let names: Vec<&str> = subjects
            .iter()
            .map(|s| s.name.as_deref().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "Server/x86_64/os/.treeinfo",
                "Server/x86_64/os/repodata/repomd.xml",
                "metadata/composeinfo.json",
                "metadata/sbom/Server.x86_64.spdx.json",
            ]
        );
        assert_eq!(
            subjects[2].sha256(),
            Some("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        );
    }
}
