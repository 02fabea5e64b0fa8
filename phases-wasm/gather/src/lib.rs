//! Gather: what each variant ships on each arch. Starts from the variant's comps groups
//! and `additional_packages`, drops `filter_packages`, adds the dependency closure
//! (`gather_method = "deps"`), leaves to the parent what the parent already ships, then
//! links the packages into `compose/<Variant>/<arch>/os`, their debuginfo into
//! `.../debug/tree` and their sources into `<Variant>/source/tree`, and writes
//! `rpms.json` and the `gather` document.

mod options;
mod place;
mod select;

use std::collections::{BTreeMap, HashMap, HashSet};

use pungi_documents::{CompsDocument, PkgsetDocument, names};
use pungi_phase_sdk::{
    Context, MountRole, Phase, PhaseError, Progress, Summary, log, register_phase,
};
use pungi_repodata::Package;

use options::GatherOptions;
use place::Placer;
use select::{ArchSet, Filter, select};

struct Gather;

impl Phase for Gather {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let options = GatherOptions::read(ctx)?;
        let pkgset: PkgsetDocument = ctx.read_document(names::PKGSET)?;
        let comps: CompsDocument = ctx.read_document(names::COMPS)?;
        let work = ctx.mount_path(&MountRole::Work)?;
        let mut placer = Placer::new(ctx, &info, &pkgset)?;

        let jobs: usize = info.variants.iter().map(|v| v.arches.len()).sum();
        let progress = Progress::begin(jobs as u64, "selecting packages");
        let mut shipped: HashMap<(String, String), HashSet<String>> = HashMap::new();
        let mut unresolved = Vec::new();
        for arch in &info.arches {
            let packages: Vec<&Package> = pkgset
                .arches
                .get(arch)
                .map(|list| list.iter().map(|p| &p.package).collect())
                .unwrap_or_default();
            let set = ArchSet::new(arch, packages);
            for variant in info.variants.iter().filter(|v| v.arches.contains(arch)) {
                let uid = &variant.uid;
                let filter = Filter::new(options.names("filter_packages", arch, uid)?);
                let additional = options.names("additional_packages", arch, uid)?;
                let lookaside = variant
                    .parent
                    .as_ref()
                    .and_then(|parent| shipped.get(&(parent.clone(), arch.clone())))
                    .cloned()
                    .unwrap_or_default();
                let variant_comps = comps.variants.get(uid).and_then(|a| a.get(arch));
                let selection = select(
                    &set,
                    variant_comps.map(|c| &c.comps),
                    &additional,
                    &filter,
                    &lookaside,
                    options.method(uid)?,
                );
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
                let binaries: Vec<&Package> = selection.chosen.values().map(|(p, _)| *p).collect();
                placer.place(
                    uid,
                    arch,
                    &binaries,
                    &set,
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
        let (document, rpms, counts) = placer.finish()?;
        ctx.write_document(names::GATHER, &document)?;
        let compose = ctx.mount_path(&MountRole::Compose)?;
        pungi_phase_sdk::fs::write_json(&format!("{compose}/metadata/rpms.json"), &rpms)?;
        Ok(Summary::new(format!(
            "{} trees: {} binary, {} debug, {} source packages linked",
            document.trees.len(),
            counts.binary,
            counts.debug,
            counts.source
        ))
        .count("binary", counts.binary)
        .count("debug", counts.debug)
        .count("source", counts.source)
        .count("unresolved", unresolved.len() as u64))
    }
}

register_phase!(Gather);
