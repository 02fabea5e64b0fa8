//! Linking the chosen packages into the compose trees and recording them: the `gather`
//! document (one tree per repository to be) and `rpms.json`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use pungi_documents::{GatherDocument, PkgsetDocument, PkgsetPackage, Tree, TreeKind};
use pungi_phase_sdk::{ComposeInfo, Context, MountRole, PhaseError};
use pungi_productmd::{Compose, RpmCategory, RpmEntry, Rpms};
use pungi_repodata::Package;

use crate::archset::{ArchSet, Filter};

/// How many packages went where.
#[derive(Default)]
pub struct Counts {
    pub binary: u64,
    pub debug: u64,
    pub source: u64,
}

/// Places packages into trees as variants are gathered, then hands over the records.
pub struct Placer<'a> {
    ctx: &'a Context,
    compose: String,
    paths: HashMap<(&'a str, String), &'a PkgsetPackage>,
    /// `(tree root, location)` of every file placed, so a file is placed once.
    placed: HashSet<(String, String)>,
    /// Signing key of each package file path, for rpms.json.
    sigkeys: HashMap<&'a str, &'a str>,
    sources: HashMap<String, &'a PkgsetPackage>,
    trees: BTreeMap<(String, String, TreeKind), Tree>,
    rpms: Rpms,
    counts: Counts,
}

impl<'a> Placer<'a> {
    pub fn new(
        ctx: &'a Context,
        info: &ComposeInfo,
        pkgset: &'a PkgsetDocument,
    ) -> Result<Self, PhaseError> {
        let paths = pkgset
            .arches
            .iter()
            .flat_map(|(arch, list)| {
                list.iter()
                    .map(move |p| ((arch.as_str(), p.package.nevra()), p))
            })
            .collect();
        let sources = pkgset
            .sources
            .iter()
            .map(|p| (file_name(&p.package), p))
            .collect();
        Ok(Placer {
            ctx,
            compose: ctx.mount_path(&MountRole::Compose)?,
            paths,
            placed: HashSet::new(),
            sigkeys: pkgset
                .arches
                .values()
                .flatten()
                .chain(&pkgset.sources)
                .filter_map(|p| Some((p.path.as_str(), p.sigkey.as_deref()?)))
                .collect(),
            sources,
            trees: BTreeMap::new(),
            rpms: Rpms::new(Compose {
                id: info.id.clone(),
                kind: info.compose_type.clone(),
                date: info.date.clone(),
                respin: info.respin,
                label: info.label.clone(),
                r#final: None,
            }),
            counts: Counts::default(),
        })
    }

    /// Links one variant.arch: its binary packages, the debuginfo built from the same
    /// sources, and those sources.
    pub fn place(
        &mut self,
        variant: &str,
        arch: &'a str,
        binaries: &[&'a Package],
        set: &ArchSet<'a>,
        filter: &Filter,
        comps_file: Option<String>,
    ) -> Result<(), PhaseError> {
        let srpms: BTreeSet<&str> = binaries.iter().map(|p| p.sourcerpm.as_str()).collect();
        let debug: Vec<&Package> = set
            .packages
            .iter()
            .copied()
            .filter(|p| p.is_debug() && srpms.contains(p.sourcerpm.as_str()) && !filter.excludes(p))
            .collect();
        let os = format!("{variant}/{arch}/os");
        let debug_tree = format!("{variant}/{arch}/debug/tree");
        for (packages, root, kind, category) in [
            (binaries, &os, TreeKind::Binary, RpmCategory::Binary),
            (&debug[..], &debug_tree, TreeKind::Debug, RpmCategory::Debug),
        ] {
            for package in packages {
                let source = self
                    .paths
                    .get(&(arch, package.nevra()))
                    .copied()
                    .ok_or_else(|| {
                        PhaseError::internal(format!(
                            "{} is not in the {arch} package set",
                            package.nevra()
                        ))
                    })?;
                let source = source.path.as_str();
                let srpm = self.srpm_nevra(&package.sourcerpm);
                self.put(
                    variant,
                    arch,
                    kind,
                    root,
                    package,
                    source,
                    comps_file.clone(),
                    category,
                    &srpm,
                )?;
            }
        }
        let source_tree = format!("{variant}/source/tree");
        let wanted: BTreeSet<&str> = srpms
            .into_iter()
            .chain(debug.iter().map(|p| p.sourcerpm.as_str()))
            .collect();
        for srpm in wanted {
            let Some(source) = self.sources.get(srpm).copied() else {
                pungi_phase_sdk::log::warn(format!(
                    "{variant}.{arch}: source package {srpm} is not in the package set"
                ));
                continue;
            };
            let nevra = productmd_nevra(&source.package);
            self.put(
                variant,
                "src",
                TreeKind::Source,
                &source_tree,
                &source.package,
                &source.path,
                None,
                RpmCategory::Source,
                &nevra,
            )?;
            self.record(
                variant,
                arch,
                &nevra,
                &nevra,
                &source_tree,
                &source.package,
                RpmCategory::Source,
                &source.path,
            );
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn put(
        &mut self,
        variant: &str,
        tree_arch: &str,
        kind: TreeKind,
        root: &str,
        package: &Package,
        source: &str,
        comps: Option<String>,
        category: RpmCategory,
        srpm: &str,
    ) -> Result<(), PhaseError> {
        let name = file_name(package);
        let location = format!("Packages/{}/{name}", first_letter(&name));
        let key = (variant.to_owned(), tree_arch.to_owned(), kind);
        let tree = self.trees.entry(key).or_insert_with(|| Tree {
            variant: variant.to_owned(),
            arch: tree_arch.to_owned(),
            kind,
            path: format!("{}/{root}", self.compose),
            packages: Vec::new(),
            comps,
        });
        if !self.placed.insert((tree.path.clone(), location.clone())) {
            return Ok(());
        }
        self.ctx
            .link(source, &format!("{}/{location}", tree.path))?;
        let mut record = package.clone();
        record.location = location;
        tree.packages.push(record);
        match category {
            RpmCategory::Binary => self.counts.binary += 1,
            RpmCategory::Debug => self.counts.debug += 1,
            RpmCategory::Source => self.counts.source += 1,
        }
        if category != RpmCategory::Source {
            self.record(
                variant,
                tree_arch,
                srpm,
                &productmd_nevra(package),
                root,
                package,
                category,
                source,
            );
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        variant: &str,
        arch: &str,
        srpm: &str,
        nevra: &str,
        root: &str,
        package: &Package,
        category: RpmCategory,
        source: &str,
    ) {
        let path = format!(
            "{root}/Packages/{}/{}",
            first_letter(&file_name(package)),
            file_name(package)
        );
        self.rpms.add(
            variant,
            arch,
            srpm,
            nevra,
            RpmEntry {
                sigkey: self.sigkeys.get(source).map(|k| (*k).to_owned()),
                path,
                category,
            },
        );
    }

    /// The productmd NEVRA of a source RPM file name, with the epoch of the source
    /// package when it is in the package set.
    fn srpm_nevra(&self, file: &str) -> String {
        if let Some(source) = self.sources.get(file) {
            return productmd_nevra(&source.package);
        }
        let stem = file.strip_suffix(".src.rpm").unwrap_or(file);
        let mut parts = stem.rsplitn(3, '-');
        let (release, version, name) = (parts.next(), parts.next(), parts.next());
        match (name, version, release) {
            (Some(n), Some(v), Some(r)) => format!("{n}-0:{v}-{r}.src"),
            _ => format!("{stem}-0:0-0.src"),
        }
    }

    /// The `gather` document, `rpms.json` and the counts.
    pub fn finish(self) -> Result<(GatherDocument, Rpms, Counts), PhaseError> {
        let mut trees: Vec<Tree> = self.trees.into_values().collect();
        for tree in &mut trees {
            tree.packages.sort_by(|a, b| a.location.cmp(&b.location));
        }
        Ok((GatherDocument { trees }, self.rpms, self.counts))
    }
}

/// `name-version-release.arch.rpm`, as rpmbuild names package files.
fn file_name(package: &Package) -> String {
    format!(
        "{}-{}-{}.{}.rpm",
        package.name, package.version, package.release, package.arch
    )
}

fn first_letter(file: &str) -> char {
    file.chars().next().map_or('_', |c| c.to_ascii_lowercase())
}

/// `name-epoch:version-release.arch` with the epoch always written, as productmd wants.
fn productmd_nevra(package: &Package) -> String {
    format!(
        "{}-{}:{}-{}.{}",
        package.name, package.epoch, package.version, package.release, package.arch
    )
}
