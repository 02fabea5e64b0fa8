//! `my_phase`: a pungi-wasm phase. It lists the packages Gather placed in each tree and
//! writes them to `compose/metadata/my_phase.json`.
//!
//! Policy it needs (`[phase.my_phase]` in the `--policy` file, and the same in the
//! `grant` of its `custom_phases` entry):
//! `dirs = { compose = "rw" }`, `metadata-read = ["gather", "pkgset_index"]`.

use pungi_phase_sdk::documents::{GatherDocument, PkgsetIndexDocument, TreeKind};
use pungi_phase_sdk::{Context, Phase, PhaseError, Summary, fs, log, register_phase};
use serde::{Deserialize, Serialize};

/// The phase's section: `"config": {...}` of its `custom_phases` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// Also list source and debuginfo trees (default: binary trees only).
    #[serde(default)]
    all_trees: bool,
}

/// What the phase writes.
#[derive(Serialize)]
struct Listing {
    compose_id: String,
    trees: Vec<TreeListing>,
}

#[derive(Serialize)]
struct TreeListing {
    variant: String,
    arch: String,
    packages: Vec<String>,
}

struct MyPhase;

impl Phase for MyPhase {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let config: Config = ctx.phase_config()?.unwrap_or_default();
        let gather: GatherDocument = ctx.read()?;
        // Trees name their packages by position in the package set; the index has the
        // records (names, versions, checksums) without file lists or changelogs.
        let pkgset: PkgsetIndexDocument = ctx.read()?;
        let mut trees = Vec::new();
        for tree in &gather.trees {
            if !config.all_trees && tree.kind != TreeKind::Binary {
                continue;
            }
            let packages = tree
                .resolve(&pkgset)
                .map_err(|e| PhaseError::input(e.to_string()))?;
            trees.push(TreeListing {
                variant: tree.variant.clone(),
                arch: tree.arch.clone(),
                packages: packages.iter().map(|p| p.entry.package.nevra()).collect(),
            });
        }
        let total: usize = trees.iter().map(|t| t.packages.len()).sum();
        log::info(format!("{} trees, {total} packages", trees.len()));
        let listing = Listing {
            compose_id: ctx.info().id,
            trees,
        };
        fs::write_json("/compose/metadata/my_phase.json", &listing)?;
        Ok(Summary::new(format!("{total} packages listed")).count("packages", total as u64))
    }
}

register_phase!(MyPhase);
