//! Pkgset: every package of the configured local repositories (`pkgset_repos`), read from
//! their repodata when they have it and from the real RPM headers otherwise, one copy of
//! each package chosen by `sigkeys`, grouped per arch and handed on as the `pkgset`
//! document.

use std::collections::BTreeMap;

use pungi_documents::{PkgsetDocument, PkgsetPackage, names};
use pungi_phase_sdk::{
    Context, DigestAlgorithm, MountRole, Phase, PhaseError, Progress, Summary, log, register_phase,
};
use pungi_repodata::{Checksum, ChecksumKind, Package};

mod arches;
mod repodata_source;
mod sigkeys;

struct Pkgset;

/// The arch key under which `pkgset_repos` lists source repositories.
const SOURCE_ARCH: &str = "src";

impl Phase for Pkgset {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let compose_arches = ctx.info().arches;
        let repos: Vec<(String, String)> = ctx
            .mounts()
            .into_iter()
            .filter_map(|m| match m.role {
                MountRole::PackageRepo(repo) => Some((repo.arch, m.path)),
                _ => None,
            })
            .collect();
        if repos.is_empty() {
            return Err(PhaseError::config(
                "no package repositories are granted (pkgset_repos)",
            ));
        }
        let sigkeys = sigkeys::Sigkeys::read(ctx)?;
        let mut files = Vec::new();
        let mut found = Vec::new();
        for (arch, root) in &repos {
            if let Some(packages) = repodata_source::read(root)? {
                found.extend(packages.into_iter().map(|p| (arch.clone(), p)));
                continue;
            }
            collect_rpms(root, root, &mut |path, location| {
                files.push((arch.clone(), path, location))
            })?;
        }
        let progress = Progress::begin(files.len() as u64, "reading RPM headers");
        for (repo_arch, path, location) in files {
            let package = read_package(ctx, &path, location)?;
            progress.advance(1);
            found.push((
                repo_arch,
                PkgsetPackage {
                    path,
                    sigkey: None,
                    package,
                },
            ));
        }
        let mut document = PkgsetDocument::default();
        let mut skipped = 0u64;
        for (repo_arch, entry) in sigkeys.choose(found)? {
            if entry.package.is_source() {
                document.sources.push(entry);
            } else if repo_arch == SOURCE_ARCH {
                log::warn(format!(
                    "{}: a binary package in a source repository, skipped",
                    entry.path
                ));
                skipped += 1;
            } else if !compose_arches.contains(&repo_arch) {
                skipped += 1;
            } else if arches::usable_on(&entry.package.arch, &repo_arch) {
                document.arches.entry(repo_arch).or_default().push(entry);
            } else {
                log::debug(format!(
                    "{}: arch {} not used on {repo_arch}",
                    entry.path, entry.package.arch
                ));
                skipped += 1;
            }
        }
        progress.finish("done");
        let per_arch: BTreeMap<&String, usize> =
            document.arches.iter().map(|(a, p)| (a, p.len())).collect();
        for (arch, count) in &per_arch {
            log::info(format!("{arch}: {count} binary packages"));
        }
        let binaries: usize = per_arch.values().sum();
        let sources = document.sources.len();
        ctx.write_document(names::PKGSET, &document)?;
        Ok(Summary::new(format!(
            "{binaries} binary and {sources} source packages from {} repositories",
            repos.len()
        ))
        .count("binary", binaries as u64)
        .count("source", sources as u64)
        .count("skipped", skipped))
    }
}

/// Every `*.rpm` below `dir`, in a stable (sorted) order.
fn collect_rpms(
    root: &str,
    dir: &str,
    found: &mut dyn FnMut(String, String),
) -> Result<(), PhaseError> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| PhaseError::io(format!("listing {dir}"), e))?
        .collect::<Result<_, _>>()
        .map_err(|e| PhaseError::io(format!("listing {dir}"), e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{dir}/{name}");
        let kind = entry
            .file_type()
            .map_err(|e| PhaseError::io(format!("inspecting {path}"), e))?;
        if kind.is_dir() && name != "repodata" {
            collect_rpms(root, &path, found)?;
        } else if kind.is_file() && name.ends_with(".rpm") {
            let location = path[root.len() + 1..].to_owned();
            found(path, location);
        }
    }
    Ok(())
}

fn read_package(ctx: &Context, path: &str, location: String) -> Result<Package, PhaseError> {
    let digest = ctx.digest(path, &[DigestAlgorithm::Sha256])?;
    let hex = digest.into_iter().next().unwrap_or_default();
    Package::read(
        std::path::Path::new(path),
        location,
        Checksum {
            algorithm: ChecksumKind::Sha256,
            hex,
        },
    )
    .map_err(|e| PhaseError::input(e.to_string()))
}

register_phase!(Pkgset);
