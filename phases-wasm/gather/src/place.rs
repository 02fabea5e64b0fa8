//! Linking the chosen packages into the compose trees and recording them: the `gather`
//! document (one tree per repository to be, naming its packages by their position in
//! the package set) and `rpms.json`.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use pungi_documents::{GatherDocument, PkgsetDocument, PkgsetPackage, Tree, TreeKind, TreePackage};
use pungi_phase_sdk::{BackgroundLinks, ComposeInfo, Context, MountRole, PhaseError};
use pungi_productmd::{Compose, RpmCategory, RpmEntry, Rpms};
use pungi_repodata::Package;

use crate::archset::{ArchSet, Filter};
use crate::rpms_json::RpmsBuilder;

/// How many packages went where.
#[derive(Default)]
pub struct Counts {
    pub binary: u64,
    pub debug: u64,
    pub source: u64,
}

/// What one variant ships on one arch, by position: binary and debuginfo packages in
/// the arch's package set list, source packages in its sources.
#[derive(Default)]
pub struct Shipped {
    pub binary: HashSet<usize>,
    pub debug: HashSet<usize>,
    pub sources: HashSet<u32>,
}

impl Shipped {
    /// Adds what `other` ships; `with_sources_and_debug` false takes its binary packages
    /// only.
    pub fn extend(&mut self, other: &Shipped, with_sources_and_debug: bool) {
        self.binary.extend(&other.binary);
        if with_sources_and_debug {
            self.debug.extend(&other.debug);
            self.sources.extend(&other.sources);
        }
    }
}

/// What a variant.arch's debug and source trees leave out: the debuginfo
/// `filter_packages` names, and what the variant's parent (or the siblings it builds
/// on) ships.
pub struct LeftOut<'x> {
    pub filter: &'x Filter,
    pub inherited: &'x Shipped,
}

/// A tree being filled, and which package set positions it holds already (a source
/// package reached from two arches is placed once).
struct TreeBuilder {
    tree: Tree,
    /// The tree's root relative to the compose directory, as `rpms.json` gives paths.
    root: String,
    held: HashSet<u32>,
}

/// Places packages into trees as variants are gathered, then hands over the records.
pub struct Placer<'a> {
    /// The compose mount's path.
    compose: String,
    /// `hashed_directories`: packages under `Packages/<first letter>/` rather than
    /// `Packages/` (Pungi's default is off).
    hashed: bool,
    pkgset: &'a PkgsetDocument,
    /// Source RPM file name -> position in the package set's sources and productmd NEVRA.
    sources: HashMap<String, (u32, String)>,
    trees: Vec<TreeBuilder>,
    /// `(variant, arch or src, kind)` -> position in `trees`.
    tree_index: BTreeMap<(String, String, TreeKind), usize>,
    /// Placing the files, beside the gathering of the next variants.
    links: BackgroundLinks,
    /// The compose `rpms.json` describes (its `payload.compose`).
    rpms_compose: Compose,
    rpms: RpmsBuilder,
    counts: Counts,
}

/// One package to place: its position in its package set list, and its record.
struct Item<'p> {
    index: u32,
    entry: &'p PkgsetPackage,
}

impl<'a> Placer<'a> {
    pub fn new(
        ctx: &'a Context,
        info: &ComposeInfo,
        pkgset: &'a PkgsetDocument,
    ) -> Result<Self, PhaseError> {
        let sources = pkgset
            .sources
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let nevra = productmd_nevra(&p.package);
                (file_name(&p.package), (i as u32, nevra))
            })
            .collect();
        Ok(Placer {
            compose: ctx.mount_path(&MountRole::Compose)?,
            hashed: ctx.option_or("hashed_directories", false)?,
            pkgset,
            sources,
            trees: Vec::new(),
            tree_index: BTreeMap::new(),
            links: ctx.background_links(),
            rpms: RpmsBuilder::default(),
            rpms_compose: Compose {
                id: info.id.clone(),
                kind: info.compose_type.clone(),
                date: info.date.clone(),
                respin: info.respin,
                label: info.label.clone(),
                r#final: None,
            },
            counts: Counts::default(),
        })
    }

    /// Links one variant.arch: its binary packages (positions in the arch's package
    /// set, which `set` indexes), the debuginfo built from the same sources, and those
    /// sources, except what `left_out` says (a child variant leaves its parent's to the
    /// parent). Returns what it placed.
    pub fn place(
        &mut self,
        variant: &str,
        arch: &'a str,
        binaries: &[usize],
        set: &ArchSet<'_>,
        left_out: &LeftOut<'_>,
        comps_file: Option<String>,
    ) -> Result<Shipped, PhaseError> {
        let LeftOut { filter, inherited } = left_out;
        let srpms: BTreeSet<&str> = binaries
            .iter()
            .map(|&i| set.packages[i].sourcerpm.as_str())
            .collect();
        // Debuginfo ships for the arches of the binaries shipped from its source (an
        // x86_64 tree gets i686 debuginfo only with i686 multilib packages), as Pungi's
        // gather adds the debuginfo of each chosen package's source on its arch.
        let built: BTreeSet<(&str, &str)> = binaries
            .iter()
            .map(|&i| {
                let p = set.packages[i];
                (p.sourcerpm.as_str(), p.arch.as_str())
            })
            .collect();
        let list = self.pkgset.list(arch);
        // Past the package set's own packages are lookaside ones, never placed.
        let debug: Vec<usize> = (0..list.len())
            .filter(|&i| {
                let p = set.packages[i];
                p.is_debug()
                    && built.contains(&(p.sourcerpm.as_str(), p.arch.as_str()))
                    && !filter.excludes(p)
                    && !inherited.debug.contains(&i)
            })
            .collect();
        let rpms = self.rpms.tree(variant, arch);
        let os = format!("{variant}/{arch}/os");
        let debug_tree = format!("{variant}/{arch}/debug/tree");
        // A variant.arch with packages gets its debug tree even when no debuginfo was
        // built from them, and only the binary tree gets the comps groups, as in Pungi.
        for (indices, root, kind, category, comps) in [
            (
                binaries,
                &os,
                TreeKind::Binary,
                RpmCategory::Binary,
                comps_file.as_deref(),
            ),
            (
                &debug[..],
                &debug_tree,
                TreeKind::Debug,
                RpmCategory::Debug,
                None,
            ),
        ] {
            if binaries.is_empty() {
                continue;
            }
            let tree = self.tree(variant, arch, kind, root, comps);
            for &index in indices {
                let item = Item {
                    index: index as u32,
                    entry: &list[index],
                };
                if let Some(path) = self.put(tree, &item)? {
                    let srpm = srpm_nevra(&self.sources, &item.entry.package.sourcerpm);
                    let nevra = productmd_nevra(&item.entry.package);
                    let entry = rpm_entry(&item, path, category);
                    self.rpms.add(rpms, &srpm, nevra, entry);
                }
            }
        }
        let source_tree = format!("{variant}/source/tree");
        let wanted: BTreeSet<&str> = srpms
            .into_iter()
            .chain(debug.iter().map(|&i| set.packages[i].sourcerpm.as_str()))
            .collect();
        let mut sources = Vec::new();
        for srpm in wanted {
            match self.sources.get(srpm) {
                Some(&(index, _)) if inherited.sources.contains(&index) => {}
                Some((index, nevra)) => sources.push((*index, nevra.clone())),
                None => pungi_phase_sdk::log::warn(format!(
                    "{variant}.{arch}: source package {srpm} is not in the package set"
                )),
            }
        }
        // A variant without packages gets no (empty) source tree.
        if !sources.is_empty() {
            let tree = self.tree(variant, "src", TreeKind::Source, &source_tree, None);
            for (index, nevra) in &sources {
                let index = *index;
                let item = Item {
                    index,
                    entry: &self.pkgset.sources[index as usize],
                };
                let location = location(&item.entry.package, self.hashed);
                let path = concat(&[&source_tree, "/", &location]);
                let entry = rpm_entry(&item, path, RpmCategory::Source);
                self.rpms.add(rpms, nevra, nevra.clone(), entry);
                self.put(tree, &item)?;
            }
        }
        Ok(Shipped {
            binary: binaries.iter().copied().collect(),
            debug: debug.into_iter().collect(),
            sources: sources.into_iter().map(|(index, _)| index).collect(),
        })
    }

    /// The position in `trees` of the tree `(variant, arch, kind)`, made on first use.
    fn tree(
        &mut self,
        variant: &str,
        arch: &str,
        kind: TreeKind,
        root: &str,
        comps: Option<&str>,
    ) -> usize {
        let key = (variant.to_owned(), arch.to_owned(), kind);
        if let Some(&index) = self.tree_index.get(&key) {
            return index;
        }
        self.trees.push(TreeBuilder {
            tree: Tree {
                variant: variant.to_owned(),
                arch: arch.to_owned(),
                kind,
                path: format!("{}/{root}", self.compose),
                packages: Vec::new(),
                comps: comps.map(str::to_owned),
            },
            root: root.to_owned(),
            held: HashSet::default(),
        });
        self.tree_index.insert(key, self.trees.len() - 1);
        self.trees.len() - 1
    }

    /// Puts `item` into tree `tree` (linked in the background) unless the tree holds it
    /// already; its compose-relative path when it was new there.
    fn put(&mut self, tree: usize, item: &Item<'_>) -> Result<Option<String>, PhaseError> {
        let builder = &mut self.trees[tree];
        if !builder.held.insert(item.index) {
            return Ok(None);
        }
        let location = location(&item.entry.package, self.hashed);
        let relative = concat(&[&builder.root, "/", &location]);
        self.links.push(
            item.entry.path.clone(),
            concat(&[&builder.tree.path, "/", &location]),
        )?;
        builder.tree.packages.push(TreePackage {
            index: item.index,
            location,
        });
        match builder.tree.kind {
            TreeKind::Binary => self.counts.binary += 1,
            TreeKind::Debug => self.counts.debug += 1,
            TreeKind::Source => self.counts.source += 1,
        }
        Ok(Some(relative))
    }

    /// The `gather` document, `rpms.json`, the counts, and the links still being placed.
    pub fn finish(self) -> (GatherDocument, Rpms, Counts, BackgroundLinks) {
        let mut trees: Vec<(String, String, TreeKind, Tree)> = self
            .trees
            .into_iter()
            .map(|b| {
                let t = b.tree;
                (t.variant.clone(), t.arch.clone(), t.kind, t)
            })
            .collect();
        trees.sort_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));
        let mut trees: Vec<Tree> = trees.into_iter().map(|(.., t)| t).collect();
        for tree in &mut trees {
            tree.packages.sort_by(|a, b| a.location.cmp(&b.location));
        }
        let rpms = self.rpms.build(self.rpms_compose);
        (GatherDocument { trees }, rpms, self.counts, self.links)
    }
}

/// The productmd NEVRA of a source RPM file name, with the epoch of the source
/// package when it is in the package set.
fn srpm_nevra<'s>(sources: &'s HashMap<String, (u32, String)>, file: &str) -> Cow<'s, str> {
    if let Some((_, nevra)) = sources.get(file) {
        return Cow::Borrowed(nevra);
    }
    let stem = file.strip_suffix(".src.rpm").unwrap_or(file);
    let mut parts = stem.rsplitn(3, '-');
    let (release, version, name) = (parts.next(), parts.next(), parts.next());
    Cow::Owned(match (name, version, release) {
        (Some(n), Some(v), Some(r)) => format!("{n}-0:{v}-{r}.src"),
        _ => format!("{stem}-0:0-0.src"),
    })
}

/// `rpms.json`'s entry for `item`, placed at compose-relative `path`.
fn rpm_entry(item: &Item<'_>, path: String, category: RpmCategory) -> RpmEntry {
    RpmEntry {
        sigkey: item.entry.sigkey.clone(),
        path,
        category,
    }
}

/// Where Pungi puts a package in a tree: `Packages/<file name>`, or with
/// `hashed_directories` `Packages/<its first letter, lower-case>/<file name>`
/// (pungi/phases/gather/link.py, `get_package_path`).
fn location(package: &Package, hashed: bool) -> String {
    let letter = package
        .name
        .chars()
        .next()
        .map_or('_', |c| c.to_ascii_lowercase());
    let mut buffer = [0; 4];
    let (letter, slash) = if hashed {
        (&*letter.encode_utf8(&mut buffer), "/")
    } else {
        ("", "")
    };
    let [name, dash, version, dash2, release, dot, arch, rpm] = file_name_parts(package);
    concat(&[
        "Packages/",
        letter,
        slash,
        name,
        dash,
        version,
        dash2,
        release,
        dot,
        arch,
        rpm,
    ])
}

/// `name-version-release.arch.rpm`, as rpmbuild names package files (and binary
/// packages name their source).
pub fn file_name(package: &Package) -> String {
    concat(&file_name_parts(package))
}

/// The pieces of [`file_name`], which [`location`] puts after its directory.
fn file_name_parts(p: &Package) -> [&str; 8] {
    [
        &p.name, "-", &p.version, "-", &p.release, ".", &p.arch, ".rpm",
    ]
}

/// `name-epoch:version-release.arch` with the epoch always written, as productmd wants.
fn productmd_nevra(package: &Package) -> String {
    let p = package;
    let epoch = p.epoch.to_string();
    concat(&[
        &p.name, "-", &epoch, ":", &p.version, "-", &p.release, ".", &p.arch,
    ])
}

/// The parts one after the other, in one allocation: placing a distribution builds
/// millions of paths and names, and `format!` costs several times more in Wasm.
fn concat(parts: &[&str]) -> String {
    let mut joined = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        joined.push_str(part);
    }
    joined
}
