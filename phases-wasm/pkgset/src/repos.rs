//! The packages of the local repositories of `pkgset_repos`, as the host mounted them.

use pungi_documents::PkgsetPackage;
use pungi_phase_sdk::{Context, MountRole, PhaseError, Progress};

use crate::read_package;
use crate::repodata_source;
use crate::sigkeys::Sigkeys;
use crate::sorter::Sorter;

/// Adds one copy (by `sigkeys`) of every package of the mounted repositories; returns
/// what they were, for the summary.
pub fn collect(
    ctx: &Context,
    sigkeys: &Sigkeys,
    sorter: &mut Sorter,
) -> Result<String, PhaseError> {
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
        let package = read_package(ctx, &path, location, None)?;
        progress.advance(1);
        let entry = PkgsetPackage {
            path,
            sigkey: None,
            package,
        };
        found.push((repo_arch, entry));
    }
    progress.finish("done");
    for (repo_arch, entry) in sigkeys.choose(found)? {
        sorter.add(Some(&repo_arch), entry);
    }
    Ok(format!("{} repositories", repos.len()))
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
