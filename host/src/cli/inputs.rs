//! Reading the release engineer's inputs: the config file, validated against Pungi's
//! schema, and the variants and comps files it names, fetched first where it names them
//! as SCM dicts.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use pungi_config::{Origins, Variant, load};
use serde_json::{Map, Value};

use super::schema_override::SchemaOverrides;
use crate::capabilities::compose::{GroupFact, VariantFact};
use crate::scm::{FetchedInputs, fetch_inputs};

/// A compose config read and checked, with its variants.
pub struct Inputs {
    pub options: Map<String, Value>,
    pub config_dir: PathBuf,
    /// Every file the compose is made from: the config, its includes in opening order,
    /// then the local variants and comps files it names (what a signed compose lists
    /// with their digests).
    pub files: Vec<PathBuf>,
    pub variants: Vec<VariantFact>,
    /// Where each option was assigned, for messages about its value.
    pub origins: Origins,
    /// The inputs the config names as SCM dicts, fetched and staged for the compose's
    /// `work/`.
    pub scm: FetchedInputs,
}

impl Inputs {
    /// `FILE:LINE:COL` of element `index` of list option `option` (of the assignment when
    /// the element's own position is unknown).
    pub fn item_position(&self, option: &str, index: usize) -> String {
        match self.origins.get(option) {
            Some(origin) => {
                let pos = origin.value.at().item(index).pos;
                format!("{}:{}:{}", origin.path.display(), pos.line, pos.column)
            }
            None => self.config_dir.display().to_string(),
        }
    }

    /// The config's `skip_phases`, which `--skip-phase` adds to.
    pub fn skip_phases(&self) -> anyhow::Result<Vec<String>> {
        match self.options.get("skip_phases") {
            None => Ok(Vec::new()),
            Some(value) => serde_json::from_value(value.clone())
                .context("option `skip_phases` must be a list of phase names"),
        }
    }
}

/// Parses `path`, fetches its SCM inputs and validates it with the files it names.
/// Errors (all of them, each with file, line and column) stop here, before a compose
/// writes anything; warnings go to stderr. Options left out get Pungi's defaults so
/// phases see what Pungi's would.
pub fn read_inputs(path: &Path, overrides: &SchemaOverrides) -> anyhow::Result<Inputs> {
    let loaded = load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
    let written: Map<String, Value> = loaded
        .options
        .iter()
        .map(|(name, value)| (name.clone(), value.to_json()))
        .collect();
    let scm = fetch_inputs(&written, &loaded.config_dir, |option| {
        match loaded.origins.get(option) {
            Some(origin) => format!(
                "{}:{}:{}",
                origin.path.display(),
                origin.pos.line,
                origin.pos.column
            ),
            None => path.display().to_string(),
        }
    })?;
    let checked = overrides.check(&loaded, scm.files())?;
    let report = checked.report;
    if report.has_errors() {
        let listed: Vec<String> = report.diagnostics.iter().map(ToString::to_string).collect();
        anyhow::bail!(
            "{}\n{}: {}",
            listed.join("\n"),
            path.display(),
            report.summary()
        );
    }
    for warning in &report.diagnostics {
        eprintln!("{warning}");
    }
    let variants = checked.variants.with_context(|| {
        format!(
            "{}: option `variants_file` must name a variants XML file",
            path.display()
        )
    })?;
    let mut options = written;
    for (name, value) in &report.defaults {
        options.insert(name.clone(), value.to_json());
    }
    let named_files = ["variants_file", "comps_file"]
        .iter()
        .filter_map(|option| options.get(*option)?.as_str())
        .map(|name| loaded.config_dir.join(name))
        .filter(|path| path.is_file());
    let files = loaded.files.iter().cloned().chain(named_files).collect();
    Ok(Inputs {
        options,
        config_dir: loaded.config_dir,
        files,
        variants: variants.iter().map(variant_fact).collect(),
        origins: loaded.origins.clone(),
        scm,
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
