//! Init: the comps of each variant on each arch, filtered the way Pungi's Init phase does
//! (`comps_filter` per arch, then the variant's groups and environments), written under
//! `work/` and handed on as the `comps` document.

use std::collections::BTreeMap;

use pungi_comps::{EnvironmentSelector, GroupSelector, VariantFilter, filter, filter_arch};
use pungi_documents::{CompsDocument, VariantComps, names};
use pungi_phase_sdk::{
    Context, MountRole, Phase, PhaseError, Summary, VariantInfo, fs, log, register_phase,
};

struct Init;

/// `comps_file` as configs write it: a path relative to the config, or an SCM dict,
/// which the host fetched to `work/global/comps/comps-global.xml` (Pungi's place for it)
/// before any phase ran.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum CompsFile {
    Path(String),
    Scm {},
}

impl Phase for Init {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let info = ctx.info();
        let work = ctx.mount_path(&MountRole::Work)?;
        let global = format!("{work}/global/comps/comps-global.xml");
        let (source, comps_file) = match ctx
            .option("comps_file")?
            .ok_or_else(|| PhaseError::config("option `comps_file` is required"))?
        {
            CompsFile::Path(path) => {
                let config_dir = ctx.mount_path(&MountRole::Config)?;
                (format!("{config_dir}/{path}"), path)
            }
            CompsFile::Scm {} => (global.clone(), "comps_file (fetched from SCM)".to_owned()),
        };
        let text = fs::read_to_string(&source)?;
        let comps = pungi_comps::parse(&text)
            .map_err(|e| PhaseError::input(format!("{comps_file}: {e}")))?;
        if source != global {
            write(&global, &text)?;
        }

        let mut document = CompsDocument::default();
        let mut files = 1u64;
        for arch in &info.arches {
            let arch_comps = filter_arch(&comps, arch);
            write(
                &format!("{work}/{arch}/comps/comps-{arch}.xml"),
                &pungi_comps::to_xml(&arch_comps),
            )?;
            files += 1;
            for variant in info.variants.iter().filter(|v| v.arches.contains(arch)) {
                let filtered = filter_variant(&comps, arch, variant, &info.variants);
                for unmatched in &filtered.unmatched_groups {
                    log::warn(format!(
                        "variant {}: group `{unmatched}` is not in {comps_file}",
                        variant.uid
                    ));
                }
                let file = format!("{work}/{arch}/comps/comps-{}.{arch}.xml", variant.uid);
                write(&file, &pungi_comps::to_xml(&filtered.comps))?;
                files += 1;
                document
                    .variants
                    .entry(variant.uid.clone())
                    .or_insert_with(BTreeMap::new)
                    .insert(
                        arch.clone(),
                        VariantComps {
                            file,
                            comps: filtered.comps,
                        },
                    );
            }
        }
        ctx.write_document(names::COMPS, &document)?;
        Ok(Summary::new(format!(
            "comps for {} variants on {} arches from {comps_file}",
            info.variants.len(),
            info.arches.len()
        ))
        .count("comps files", files)
        .count("groups", comps.groups.len() as u64))
    }
}

/// Pungi's rule: a variant's groups filter its comps when it lists some or has a parent;
/// its environments when it lists some.
fn filter_variant(
    comps: &pungi_comps::Comps,
    arch: &str,
    variant: &VariantInfo,
    all: &[VariantInfo],
) -> pungi_comps::Filtered {
    let groups: Vec<GroupSelector> = variant
        .groups
        .iter()
        .map(|g| GroupSelector {
            name: g.id.clone(),
            glob: g.glob,
            default: g.is_default,
            uservisible: g.uservisible,
        })
        .collect();
    let environments: Vec<EnvironmentSelector> = variant
        .environments
        .iter()
        .map(|e| EnvironmentSelector {
            name: e.clone(),
            display_order: None,
        })
        .collect();
    let lookaside: Vec<String> = all
        .iter()
        .filter(|p| Some(&p.uid) == variant.parent.as_ref())
        .flat_map(|p| p.groups.iter().map(|g| g.id.clone()))
        .collect();
    let filter_groups = !groups.is_empty() || variant.parent.is_some();
    filter(
        comps,
        arch,
        &VariantFilter {
            uid: &variant.uid,
            groups: filter_groups.then_some(groups.as_slice()),
            environments: (!environments.is_empty()).then_some(environments.as_slice()),
            lookaside_groups: &lookaside,
        },
    )
}

fn write(path: &str, text: &str) -> Result<(), PhaseError> {
    fs::write_atomic(path, text.as_bytes())
}

register_phase!(Init);
