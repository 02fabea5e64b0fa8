//! Reading the release engineer's inputs: the config file and the variants file it names.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use pungi_config::{Variant, load, load_variants};
use serde_json::{Map, Value};

use crate::capabilities::compose::{GroupFact, VariantFact};

/// A compose config read and checked, with its variants.
pub struct Inputs {
    pub options: Map<String, Value>,
    pub config_dir: PathBuf,
    pub variants: Vec<VariantFact>,
}

impl Inputs {
    /// The config's `skip_phases`, which `--skip-phase` adds to.
    pub fn skip_phases(&self) -> anyhow::Result<Vec<String>> {
        match self.options.get("skip_phases") {
            None => Ok(Vec::new()),
            Some(value) => serde_json::from_value(value.clone())
                .context("option `skip_phases` must be a list of phase names"),
        }
    }
}

/// Parses `path` and its variants file; errors name the file, line and column.
pub fn read_inputs(path: &Path) -> anyhow::Result<Inputs> {
    let loaded = load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
    let options: Map<String, Value> = loaded
        .options
        .iter()
        .map(|(name, value)| (name.clone(), value.to_json()))
        .collect();
    let variants_file = options
        .get("variants_file")
        .and_then(Value::as_str)
        .with_context(|| {
            format!(
                "{}: option `variants_file` (a path) is required",
                path.display()
            )
        })?;
    let variants_path = loaded.config_dir.join(variants_file);
    let variants = load_variants(&variants_path).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Inputs {
        options,
        config_dir: loaded.config_dir,
        variants: variants.iter().map(variant_fact).collect(),
    })
}

fn variant_fact(variant: &Variant) -> VariantFact {
    VariantFact {
        uid: variant.uid.clone(),
        id: variant.id.clone(),
        name: variant.name.clone(),
        kind: variant.kind.as_str().to_owned(),
        arches: variant.arches.clone(),
        parent: variant.parent.clone(),
        groups: variant
            .groups
            .iter()
            .map(|g| GroupFact {
                id: g.name.clone(),
                glob: g.glob,
                is_default: g.default,
                uservisible: g.uservisible,
            })
            .collect(),
        environments: variant
            .environments
            .iter()
            .map(|e| e.name.clone())
            .collect(),
    }
}
