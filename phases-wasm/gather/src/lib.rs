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
use place::Placer;
use select::{Request, select};

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
        let mut shipped: HashMap<(String, String), HashSet<String>> = HashMap::new();
        let mut unresolved = Vec::new();
        // Lookaside repositories by mount number, each read once for every arch.
        let mut external = BTreeMap::new();
        for arch in &info.arches {
            let own: Vec<&Package> = pkgset.list(arch).iter().map(|p| &p.package).collect();
            let variants: Vec<_> = info
                .variants
                .iter()
                .filter(|v| v.arches.contains(arch))
                .collect();
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
                let lookaside = lookaside_of(variant, &info.variants, arch, &shipped);
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
                            lookaside: &lookaside,
                            external_from: own.len(),
                            method: options.method(uid)?,
                            greedy: options.greedy,
                            multilib: &multilib,
                            langpacks: variant_comps.map_or(&[], |c| &c.comps.langpacks),
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
                placer.place(
                    uid,
                    arch,
                    &binaries,
                    set,
                    &filter,
                    variant_comps.map(|c| c.file.clone()),
                )?;
                log::info(format!("{uid}.{arch}: {} packages", binaries.len()));
                shipped.insert(
                    (uid.clone(), arch.clone()),
                    selection.chosen.keys().cloned().chain(lookaside).collect(),
                );
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

/// What a variant takes as already shipped: its parent's packages (so a child never
/// repeats them), and for a layered product also those of its parent's addons, as Pungi
/// removes addon packages from integrated layered products.
fn lookaside_of(
    variant: &pungi_phase_sdk::VariantInfo,
    all: &[pungi_phase_sdk::VariantInfo],
    arch: &str,
    shipped: &HashMap<(String, String), HashSet<String>>,
) -> HashSet<String> {
    let Some(parent) = &variant.parent else {
        return HashSet::new();
    };
    let siblings = all.iter().filter(|v| {
        variant.kind == "layered-product" && v.kind == "addon" && v.parent.as_ref() == Some(parent)
    });
    std::iter::once(parent)
        .chain(siblings.map(|v| &v.uid))
        .filter_map(|uid| shipped.get(&(uid.clone(), arch.to_owned())))
        .flatten()
        .cloned()
        .collect()
}

register_phase!(Gather);
