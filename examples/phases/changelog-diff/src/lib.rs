//! An example third-party phase: what changed since the previous compose of the same
//! release, found in `--old-composes` as Pungi's `find_old_compose` finds it.
//!
//! Source packages are compared by name: added, removed, updated (with the changelog
//! entries the new build has over the old one, read from the RPM headers) and
//! downgraded. The report goes to `compose/metadata/changelog-diff.json` for tools and
//! `compose/metadata/changelog-diff.txt` for people, beside the compose's other metadata
//! so it ships with it.
//!
//! Policy it needs: `dirs = { compose = "rw", old-composes = "ro" }`,
//! `metadata-read = ["gather", "pkgset"]` (the package set's whole records carry the
//! changelogs).

mod diff;
mod report;

use std::collections::BTreeMap;
use std::path::Path;

use pungi_phase_sdk::documents::{
    Changelog, Checksum, Evr, GatherDocument, Package, PkgsetDocument, TreeKind,
};
use pungi_phase_sdk::productmd::RpmCategory;
use pungi_phase_sdk::{Context, OldCompose, Phase, PhaseError, Summary, fs, log, register_phase};

use crate::diff::{Changes, Source, compare, insert};
use crate::report::Report;

const JSON_REPORT: &str = "/compose/metadata/changelog-diff.json";
const TEXT_REPORT: &str = "/compose/metadata/changelog-diff.txt";

struct ChangelogDiff;

impl Phase for ChangelogDiff {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let gather: GatherDocument = ctx.read()?;
        let pkgset: PkgsetDocument = ctx.read()?;
        let new = new_sources(&gather, &pkgset)?;
        let old = ctx.old_compose()?;
        let changes = match &old {
            Some(old) => {
                log::info(format!("comparing with {} ({})", old.id, old.path));
                let (old_set, paths) = old_sources(old)?;
                compare(&old_set, &new, |name| old_changelog(old, &paths[name]))?
            }
            None => {
                log::warn("no earlier finished compose of this release in --old-composes");
                Changes::default()
            }
        };
        let report = Report {
            old_compose: old.map(|o| o.id),
            new_compose: info.id,
            changes,
        };
        fs::write_json(JSON_REPORT, &report)?;
        fs::write_atomic(TEXT_REPORT, report.to_text().as_bytes())?;
        let c = &report.changes;
        Ok(Summary::new(match &report.old_compose {
            Some(old) => format!(
                "since {old}: {} added, {} removed, {} updated, {} downgraded",
                c.added.len(),
                c.removed.len(),
                c.updated.len(),
                c.downgraded.len()
            ),
            None => "no earlier compose to compare with".to_owned(),
        })
        .count("added", c.added.len() as u64)
        .count("removed", c.removed.len() as u64)
        .count("updated", c.updated.len() as u64)
        .count("downgraded", c.downgraded.len() as u64))
    }
}

/// This compose's source packages, from Gather's source trees.
fn new_sources(
    gather: &GatherDocument,
    pkgset: &PkgsetDocument,
) -> Result<BTreeMap<String, Source>, PhaseError> {
    let mut set = BTreeMap::new();
    for tree in gather.trees.iter().filter(|t| t.kind == TreeKind::Source) {
        let placed = tree
            .resolve(pkgset)
            .map_err(|e| PhaseError::input(e.to_string()))?;
        for p in placed.iter().map(|placed| &placed.entry.package) {
            let source = Source {
                evr: Evr::new(p.epoch, p.version.clone(), p.release.clone()),
                changelog: p.changelogs.clone(),
            };
            insert(&mut set, &p.name, source);
        }
    }
    Ok(set)
}

/// The old compose's source packages from its `rpms.json`, and where each file is.
/// Their changelogs are read later, only for the packages that changed.
type OldSources = (BTreeMap<String, Source>, BTreeMap<String, String>);

fn old_sources(old: &OldCompose) -> Result<OldSources, PhaseError> {
    let rpms = old.rpms()?;
    let mut set = BTreeMap::new();
    let mut paths = BTreeMap::new();
    let entries = rpms
        .payload
        .rpms
        .values()
        .flat_map(|arches| arches.values())
        .flat_map(|by_source| by_source.values())
        .flat_map(|by_rpm| by_rpm.iter());
    for (nevra, entry) in entries {
        if entry.category != RpmCategory::Source {
            continue;
        }
        let (name, evr) = split_nevra(nevra).ok_or_else(|| {
            PhaseError::input(format!(
                "{}: `{nevra}` is not a name-epoch:version-release.arch",
                old.join("compose/metadata/rpms.json")
            ))
        })?;
        // The highest EVR of a name, as for the new compose, and that build's file.
        if set.get(&name).is_none_or(|s: &Source| evr > s.evr) {
            paths.insert(name.clone(), old.join(&format!("compose/{}", entry.path)));
            let changelog = Vec::new();
            set.insert(name, Source { evr, changelog });
        }
    }
    Ok((set, paths))
}

/// `name-epoch:version-release.arch` as productmd writes NEVRAs.
fn split_nevra(nevra: &str) -> Option<(String, Evr)> {
    let (nevr, _arch) = nevra.rsplit_once('.')?;
    let mut parts = nevr.rsplitn(3, '-');
    let (release, epoch_version, name) = (parts.next()?, parts.next()?, parts.next()?);
    let evr = Evr::parse(&format!("{epoch_version}-{release}")).ok()?;
    Some((name.to_owned(), evr))
}

/// The changelog in the header of the old compose's RPM at `path`.
fn old_changelog(old: &OldCompose, path: &str) -> Result<Vec<Changelog>, PhaseError> {
    Package::read(Path::new(path), path, Checksum::default())
        .map(|p| p.changelogs)
        .map_err(|e| PhaseError::input(format!("reading {path} of {}: {e}", old.id)))
}

register_phase!(ChangelogDiff);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nevras_split_as_productmd_writes_them() {
        let (name, evr) = split_nevra("python3-libs-0:3.12.1-2.fc40.src").unwrap();
        assert_eq!(name, "python3-libs");
        assert_eq!(evr, Evr::new(0, "3.12.1", "2.fc40"));
        assert_eq!(split_nevra("1:x.src"), None);
    }
}
