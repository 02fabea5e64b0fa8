//! The packages of the local repositories of `pkgset_repos`, as the host mounted them.

use pungi_documents::PkgsetPackage;
use pungi_phase_sdk::{Context, MountRole, PhaseError, Progress};

use crate::read_package;
use crate::repodata_source;
use crate::sigkeys::Sigkeys;
use crate::sorter::Sorter;

/// What [`Sigkeys::choose`] groups every package of the pool under: one copy of each
/// NEVRA whichever arch's repository it came from.
const POOL: &str = "";

/// Adds one copy (by `sigkeys`) of every package of the mounted repositories; returns
/// what they were, for the summary.
///
/// The repositories of every arch form one pool, as Pungi's `repos` source does
/// (pungi/phases/pkgset/sources/source_repos.py: one global package set from the files
/// of all arches, each file once): a package serves every compose arch it is usable
/// on, so a noarch package that only the x86_64 repository holds is offered on
/// aarch64 too.
pub fn collect(
    ctx: &Context,
    sigkeys: &Sigkeys,
    sorter: &mut Sorter,
) -> Result<String, PhaseError> {
    let repos: Vec<String> = ctx
        .mounts()
        .into_iter()
        .filter_map(|m| match m.role {
            MountRole::PackageRepo(_) => Some(m.path),
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
    for root in &repos {
        if let Some(packages) = repodata_source::read(root)? {
            found.extend(packages.into_iter().map(|p| (POOL.to_owned(), p)));
            continue;
        }
        collect_rpms(root, root, &mut |path, location| {
            files.push((path, location))
        })?;
    }
    let progress = Progress::begin(files.len() as u64, "reading RPM headers");
    for (path, location) in files {
        let package = read_package(ctx, &path, location, None)?;
        progress.advance(1);
        let entry = PkgsetPackage {
            path,
            sigkey: None,
            package,
        };
        found.push((POOL.to_owned(), entry));
    }
    progress.finish("done");
    for (_, entry) in sigkeys.choose(found)? {
        sorter.add(entry);
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
