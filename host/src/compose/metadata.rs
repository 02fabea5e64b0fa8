use std::collections::BTreeMap;
use std::path::Path;

use pungi_productmd::{Compose, ComposeInfo, Modules, Release, Variant, VariantPaths};

use crate::capabilities::ComposeFacts;
use crate::fsutil::write_json_atomic;

/// The `compose` block every productmd file repeats; `supported` (`--supported`, or a
/// label of a supported milestone) is productmd's `final`, as Pungi writes it.
pub fn productmd_compose(facts: &ComposeFacts, supported: bool) -> Compose {
    Compose {
        id: facts.id.clone(),
        kind: facts.compose_type.clone(),
        date: facts.date.clone(),
        respin: facts.respin,
        r#final: (supported || facts.label.is_some()).then_some(supported),
        label: facts.label.clone(),
    }
}

/// Writes `compose/metadata/composeinfo.json`: the release and every variant with the
/// standard tree paths, its ISO directories only where they exist under `compose_dir`
/// (as Pungi's `write_compose_info` lists them). Written when the compose starts and
/// again when it ends, when the images are there.
pub fn write_composeinfo(
    path: &Path,
    facts: &ComposeFacts,
    supported: bool,
    compose_dir: &Path,
) -> anyhow::Result<()> {
    let mut variants = BTreeMap::new();
    for variant in &facts.variants {
        let children = facts
            .variants
            .iter()
            .filter(|c| c.parent.as_deref() == Some(variant.uid.as_str()))
            .map(|c| c.id.clone())
            .collect();
        variants.insert(
            variant.uid.clone(),
            Variant {
                id: variant.id.clone(),
                uid: variant.uid.clone(),
                name: variant.name.clone(),
                kind: variant.kind.clone(),
                arches: variant.arches.clone(),
                paths: existing_isos(
                    VariantPaths::standard(&variant.uid, &variant.arches),
                    compose_dir,
                ),
                variants: children,
            },
        );
    }
    let release = Release {
        name: facts.release_name.clone(),
        version: facts.release_version.clone(),
        short: facts.release_short.clone(),
        kind: facts.release_type.clone(),
        is_layered: false,
        internal: false,
    };
    write_json_atomic(
        path,
        &ComposeInfo::new(productmd_compose(facts, supported), release, variants),
    )
}

/// `paths` without the ISO directories that were not made.
fn existing_isos(mut paths: VariantPaths, compose_dir: &Path) -> VariantPaths {
    for isos in [&mut paths.isos, &mut paths.source_isos] {
        isos.retain(|_, dir| compose_dir.join(dir).is_dir());
    }
    paths
}

/// Writes `compose/metadata/modules.json`, which Pungi writes into every compose (empty
/// without modules, and this build composes none).
pub fn write_modules(path: &Path, facts: &ComposeFacts, supported: bool) -> anyhow::Result<()> {
    write_json_atomic(path, &Modules::empty(productmd_compose(facts, supported)))
}
