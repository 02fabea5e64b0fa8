//! What a variant asks for before any dependency is resolved, each name with
//! its reason: the `gather_source` (comps groups, or a JSON mapping as
//! `gather_source_mapping` names it) and `additional_packages`.

use std::collections::BTreeMap;

use pungi_comps::{Comps, PackageType};
use pungi_phase_sdk::{Context, MountRole, PhaseError};
use serde::Deserialize;

/// One requested name (or `name.arch`, or a glob).
pub struct Input {
    pub name: String,
    pub reason: String,
    /// A comps conditional package: wanted only when this package is in.
    pub condition: Option<String>,
}

/// Every package of every comps group: mandatory, default and optional (the
/// tree holds what could be installed) and conditional ones with their condition.
pub fn from_comps(comps: Option<&Comps>) -> Vec<Input> {
    let mut inputs = Vec::new();
    for group in comps.map(|c| c.groups.as_slice()).unwrap_or_default() {
        for req in &group.packages {
            let kind = match req.kind {
                PackageType::Mandatory => "mandatory",
                PackageType::Default => "default",
                PackageType::Optional => "optional",
                PackageType::Conditional => "conditional",
            };
            inputs.push(Input {
                name: req.name.clone(),
                reason: format!("comps group {} ({kind})", group.id),
                condition: req
                    .requires
                    .clone()
                    .filter(|_| req.kind == PackageType::Conditional),
            });
        }
    }
    inputs
}

/// `additional_packages` patterns.
pub fn additional(names: Vec<String>) -> Vec<Input> {
    names
        .into_iter()
        .map(|name| Input {
            name,
            reason: "additional_packages".into(),
            condition: None,
        })
        .collect()
}

/// One arch of a JSON mapping: a list of names, or Pungi's
/// `{source_name: [binary names]}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum ArchEntry {
    Names(Vec<String>),
    BySource(BTreeMap<String, Vec<String>>),
}

/// The parsed `gather_source_mapping` file: `{variant: {arch: entry}}`.
pub struct JsonMapping(BTreeMap<String, BTreeMap<String, ArchEntry>>);

impl JsonMapping {
    /// Reads the file named by `gather_source_mapping`, relative to the config directory.
    pub fn read(ctx: &Context, file: &str) -> Result<Self, PhaseError> {
        let path = if file.starts_with('/') {
            file.to_owned()
        } else {
            format!("{}/{file}", ctx.mount_path(&MountRole::Config)?)
        };
        let text = pungi_phase_sdk::fs::read_to_string(&path)?;
        serde_json::from_str(&text).map(JsonMapping).map_err(|e| {
            PhaseError::config(format!(
                "gather_source_mapping {file}: expected {{variant: {{arch: [names] or {{source: [names]}}}}}}: {e}"
            ))
        })
    }

    /// The names this mapping lists for `variant` on `arch`.
    pub fn inputs(&self, variant: &str, arch: &str) -> Vec<Input> {
        let entry = self.0.get(variant).and_then(|arches| arches.get(arch));
        let names: Vec<(String, Option<&str>)> = match entry {
            None => Vec::new(),
            Some(ArchEntry::Names(names)) => names.iter().map(|n| (n.clone(), None)).collect(),
            Some(ArchEntry::BySource(map)) => map
                .iter()
                .flat_map(|(source, names)| {
                    names.iter().map(|n| (n.clone(), Some(source.as_str())))
                })
                .collect(),
        };
        names
            .into_iter()
            .map(|(name, source)| Input {
                reason: match source {
                    Some(s) => format!("gather_source_mapping ({variant}.{arch}, source {s})"),
                    None => format!("gather_source_mapping ({variant}.{arch})"),
                },
                name,
                condition: None,
            })
            .collect()
    }
}
