//! Gather: what each variant ships on each arch. Starts from the variant's comps groups
//! and `additional_packages`, drops `filter_packages`, adds the dependency closure
//! (`gather_method = "deps"`), leaves to the parent what the parent already ships, then
//! links the packages into `compose/<Variant>/<arch>/os`, their debuginfo into
//! `.../debug/tree` and their sources into `<Variant>/source/tree`, and writes
//! `rpms.json` and the `gather` document.

mod archset;
mod inputs;
mod langpacks;
mod lookaside;
mod multilib;
mod options;
mod place;
mod provider;
mod reuse;
mod rpms_json;
mod select;
mod solver;
mod source_closure;

use std::collections::{BTreeMap, HashMap, HashSet};

use pungi_documents::{CompsDocument, PkgsetDocument, names};
use pungi_phase_sdk::{
    Context, MountRole, Phase, PhaseError, Progress, Summary, log, register_phase,
};
use pungi_repodata::Package;
use pungi_repodata::arch::usable_on;

use archset::{ArchSet, Filter};
use inputs::JsonMapping;
use lookaside::LookasideRepos;
use multilib::Multilib;
use options::GatherOptions;
use place::{LeftOut, Placer, Shipped};
use select::{Request, select};
use source_closure::SourceClosure;

struct Gather;

impl Phase for Gather {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let options = GatherOptions::read(ctx)?;
        let pkgset: PkgsetDocument = ctx.read_document(names::PKGSET_INDEX)?;
        let comps: CompsDocument = ctx.read_document(names::COMPS)?;
        let work = ctx.mount_path(&MountRole::Work)?;
        let mut placer = Placer::new(ctx, &info, &pkgset)?;
        let mapping = match (options.source.as_str(), &options.source_mapping) {
            ("json", Some(file)) => Some(JsonMapping::read(ctx, file)?),
            ("json", None) => {
                return Err(PhaseError::config(
                    "gather_source = \"json\" needs gather_source_mapping",
                ));
            }
            ("comps" | "none", _) => None,
            (other, _) => {
                return Err(PhaseError::config(format!(
                    "gather_source: expected \"comps\", \"json\" or \"none\", found {other:?}"
                )));
            }
        };

        let mapping_file = options
            .source_mapping
            .as_deref()
            .filter(|_| options.source == "json");
        let old = if ctx.option_or("gather_allow_reuse", false)? {
            let fingerprint = reuse::fingerprint(ctx, mapping_file, &pkgset, &comps)?;
            reuse::OldSelection::find(ctx, &fingerprint)?
        } else {
            None
        };

        let lookaside_repos = LookasideRepos::read(ctx)?;
        let jobs: usize = info.variants.iter().map(|v| v.arches.len()).sum();
        let progress = Progress::begin(jobs as u64, "selecting packages");
        let mut shipped: HashMap<(String, String), Shipped> = HashMap::new();
        let source_records: HashMap<String, &Package> = pkgset
            .sources
            .iter()
            .map(|s| (place::file_name(&s.package), &s.package))
            .collect();
        let mut unresolved = Vec::new();
        // Lookaside repositories by mount number, each read once for every arch.
        let mut external = BTreeMap::new();
        for arch in &info.arches {
            let own: Vec<&Package> = pkgset.list(arch).iter().map(|p| &p.package).collect();
            let mut variants: Vec<_> = info
                .variants
                .iter()
                .filter(|v| v.arches.contains(arch))
                .collect();
            // A child is gathered after what it builds on, in Pungi's order
            // (`gather_wrapper`): variants, addons, layered products, optional.
            variants.sort_by_key(|v| kind_order(&v.kind));
            let mut repos_of = HashMap::new();
            for variant in &variants {
                let repos = lookaside_repos.of(&options, arch, &variant.uid)?;
                for &repo in &repos {
                    if let std::collections::btree_map::Entry::Vacant(slot) = external.entry(repo) {
                        slot.insert(lookaside_repos.packages(repo)?);
                    }
                }
                repos_of.insert(variant.uid.clone(), repos);
            }
            let own_set = ArchSet::new(arch, own.clone());
            let mut with_lookaside: HashMap<Vec<usize>, ArchSet> = HashMap::new();
            for variant in variants {
                let uid = &variant.uid;
                let repos = &repos_of[uid];
                let set = if repos.is_empty() {
                    &own_set
                } else {
                    with_lookaside.entry(repos.clone()).or_insert_with(|| {
                        let theirs = repos
                            .iter()
                            .flat_map(|r| &external[r])
                            .filter(|p: &&Package| usable_on(&p.arch, arch));
                        ArchSet::new(arch, own.iter().copied().chain(theirs).collect())
                    })
                };
                let filter = Filter::new(options.names("filter_packages", arch, uid)?);
                let variant_comps = comps.variants.get(uid).and_then(|a| a.get(arch));
                let mut wanted = match (&mapping, options.source.as_str()) {
                    (Some(mapping), _) => mapping.inputs(uid, arch),
                    (None, "comps") => inputs::from_comps(variant_comps.map(|c| &c.comps)),
                    _ => Vec::new(),
                };
                wanted.extend(inputs::additional(options.names(
                    "additional_packages",
                    arch,
                    uid,
                )?));
                let inherited = inherited(variant, &info.variants, arch, &shipped);
                // An addon or layered product leaves the rest of its parent's sources
                // to the parent's optional variant (Pungi's `_gather_variants` with
                // `exclude_fulltree`).
                let fulltree_excludes: HashSet<String> =
                    if matches!(variant.kind.as_str(), "addon" | "layered-product") {
                        parent_sources(variant, arch, &shipped, &pkgset)
                    } else {
                        HashSet::new()
                    };
                let multilib = Multilib {
                    methods: options.names("multilib", arch, uid)?,
                    blacklist: options.arch_patterns("multilib_blacklist", arch)?,
                    whitelist: options.arch_patterns("multilib_whitelist", arch)?,
                };
                let reused = old
                    .as_ref()
                    .and_then(|old| old.selection(set, own.len(), uid));
                let selection = match reused {
                    Some(selection) => selection,
                    None => select(
                        set,
                        Request {
                            inputs: wanted,
                            filter: &filter,
                            lookaside: &inherited.binary,
                            external_from: own.len(),
                            method: options.method(uid)?,
                            greedy: options.greedy,
                            multilib: &multilib,
                            langpacks: variant_comps.map_or(&[], |c| &c.comps.langpacks),
                            source_closure: SourceClosure::new(
                                options.fulltree_for(&variant.kind),
                                &fulltree_excludes,
                                options.selfhosting_for(&variant.kind),
                                &source_records,
                                options.greedy == options::Greedy::All,
                            ),
                        },
                    ),
                };
                for name in &selection.missing {
                    log::warn(format!("{uid}.{arch}: no package matches `{name}`"));
                }
                for problem in &selection.unresolved {
                    log::warn(format!("{uid}.{arch}: {problem}"));
                    unresolved.push(format!("{uid}.{arch}: {problem}"));
                }
                // Not fatal under check_deps, unlike in Pungi: no installed system needs
                // a build requirement, and a package set often lacks build-only packages.
                for problem in &selection.unbuildable {
                    log::warn(format!("{uid}.{arch}: selfhosting: {problem}"));
                }
                let reasons: BTreeMap<&str, &str> = selection
                    .chosen
                    .iter()
                    .map(|(nevra, (_, why))| (nevra.as_str(), why.as_str()))
                    .collect();
                pungi_phase_sdk::fs::write_json(
                    &format!("{work}/{arch}/gather/{uid}.{arch}.reasons.json"),
                    &reasons,
                )?;
                let binaries: Vec<usize> = selection.chosen.values().map(|(i, _)| *i).collect();
                let placed = placer.place(
                    uid,
                    arch,
                    &binaries,
                    set,
                    &LeftOut {
                        filter: &filter,
                        inherited: &inherited,
                    },
                    variant_comps.map(|c| c.file.clone()),
                )?;
                log::info(format!("{uid}.{arch}: {} packages", binaries.len()));
                shipped.insert((uid.clone(), arch.clone()), placed);
                progress.advance(1);
            }
        }
        progress.finish("linked");
        if options.check_deps && !unresolved.is_empty() {
            let shown: Vec<_> = unresolved.iter().take(20).cloned().collect();
            return Err(PhaseError::input(format!(
                "{} unresolved dependencies (check_deps = True):\n  {}",
                unresolved.len(),
                shown.join("\n  ")
            )));
        }
        let (document, rpms, counts, links) = placer.finish();
        let compose = ctx.mount_path(&MountRole::Compose)?;
        pungi_phase_sdk::fs::write_json(&format!("{compose}/metadata/rpms.json"), &rpms)?;
        // The document says the trees are filled: only once they are.
        links.finish()?;
        ctx.write_document(names::GATHER, &document)?;
        let summary = Summary::new(format!(
            "{} trees: {} binary, {} debug, {} source packages linked",
            document.trees.len(),
            counts.binary,
            counts.debug,
            counts.source
        ))
        .count("binary", counts.binary)
        .count("debug", counts.debug)
        .count("source", counts.source)
        .count("unresolved", unresolved.len() as u64);
        // The instance ends with this call, its memory with it: freeing a distribution's
        // records one allocation at a time would be a tenth of a second of work for
        // nothing.
        std::mem::forget((pkgset, comps, document, rpms, shipped, external));
        Ok(summary)
    }
}

/// Where a variant kind comes in Pungi's gathering order.
fn kind_order(kind: &str) -> u8 {
    match kind {
        "addon" => 1,
        "layered-product" => 2,
        "optional" => 3,
        _ => 0,
    }
}

/// What a child variant leaves out on `arch` because it is shipped already (Pungi's
/// `_trim_variants` after `gather_wrapper` gathered all kinds): for every child its
/// parent's packages, binary, debuginfo and source; an optional variant also leaves
/// out those of its parent's addons and layered products, and a layered product the
/// binary packages of its parent's addons (keeping their sources and debuginfo, which
/// users without the addon still need).
fn inherited(
    variant: &pungi_phase_sdk::VariantInfo,
    all: &[pungi_phase_sdk::VariantInfo],
    arch: &str,
    shipped: &HashMap<(String, String), Shipped>,
) -> Shipped {
    let mut inherited = Shipped::default();
    let Some(parent) = &variant.parent else {
        return inherited;
    };
    let of = |uid: &String| shipped.get(&(uid.clone(), arch.to_owned()));
    if let Some(parent) = of(parent) {
        inherited.extend(parent, true);
    }
    let siblings = all
        .iter()
        .filter(|v| v.parent.as_ref() == Some(parent) && v.uid != variant.uid);
    for sibling in siblings {
        let with_sources_and_debug = match (variant.kind.as_str(), sibling.kind.as_str()) {
            ("optional", "addon" | "layered-product") => true,
            ("layered-product", "addon") => false,
            _ => continue,
        };
        if let Some(theirs) = of(&sibling.uid) {
            inherited.extend(theirs, with_sources_and_debug);
        }
    }
    inherited
}

/// The names of the source packages `variant`'s parent ships on `arch`.
fn parent_sources(
    variant: &pungi_phase_sdk::VariantInfo,
    arch: &str,
    shipped: &HashMap<(String, String), Shipped>,
    pkgset: &PkgsetDocument,
) -> HashSet<String> {
    let parent = variant.parent.clone().unwrap_or_default();
    shipped
        .get(&(parent, arch.to_owned()))
        .into_iter()
        .flat_map(|p| &p.sources)
        .map(|&i| pkgset.sources[i as usize].package.name.clone())
        .collect()
}

register_phase!(Gather);
