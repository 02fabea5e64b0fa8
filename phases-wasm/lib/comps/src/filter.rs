//! Per-arch and per-variant comps filtering, following what Pungi's Init phase does
//! (`comps_filter` followed by `CompsWrapper.filter_groups/filter_environments`).
//!
//! Differences from Pungi, on purpose: after the variant's group selection, environment
//! references to groups that were dropped (and are not lookaside groups) are removed
//! too, where Pungi would leave them dangling in the variant's comps.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::glob::fnmatch;
use crate::model::{Comps, GroupRef};

/// One `<group>` entry of a variant in variants XML: which comps groups the variant
/// wants, and how it overrides their flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSelector {
    /// Group id, or a shell pattern when `glob` is set.
    pub name: String,
    /// Treat `name` as an fnmatch pattern.
    #[serde(default)]
    pub glob: bool,
    /// Override of the group's `default` flag.
    #[serde(default)]
    pub default: Option<bool>,
    /// Override of the group's `uservisible` flag.
    #[serde(default)]
    pub uservisible: Option<bool>,
}

/// One `<environment>` entry of a variant in variants XML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentSelector {
    /// Environment id.
    pub name: String,
    /// Override of the environment's display order.
    #[serde(default)]
    pub display_order: Option<i64>,
}

/// What a variant contributes to filtering its comps for one arch.
#[derive(Debug, Clone, Copy)]
pub struct VariantFilter<'a> {
    /// Variant uid, matched against the `variant=` extension attributes.
    pub uid: &'a str,
    /// Groups to keep; `None` keeps every group. Pungi passes the variant's groups when
    /// it lists some, is modular, or is not a top-level variant.
    pub groups: Option<&'a [GroupSelector]>,
    /// Environments to keep; `None` keeps all (Pungi: `comps_filter_environments` off,
    /// or a variant listing neither groups nor environments).
    pub environments: Option<&'a [EnvironmentSelector]>,
    /// Groups of the parent (and lookaside) variants that environments may still name.
    pub lookaside_groups: &'a [String],
}

/// The filtered comps and the variant's group selectors that matched nothing, which
/// Pungi reports as warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filtered {
    /// The comps for the variant and arch.
    pub comps: Comps,
    /// Names of selectors that matched no group.
    pub unmatched_groups: Vec<String>,
}

/// The per-arch comps (`comps_filter --arch --no-cleanup`): drops everything whose
/// `arch=` excludes `arch`, and nothing else.
pub fn filter_arch(comps: &Comps, arch: &str) -> Comps {
    by_attributes(comps, arch, None)
}

/// The comps of one variant on one arch, as Pungi's Init phase writes it.
pub fn filter(comps: &Comps, arch: &str, variant: &VariantFilter<'_>) -> Filtered {
    let mut comps = by_attributes(comps, arch, Some(variant.uid));
    let keep_empty = [
        "conflicts".to_owned(),
        format!("conflicts-{}", variant.uid.to_lowercase()),
    ];
    comps.groups.retain(|group| {
        !group.packages.is_empty() || keep_empty.iter().any(|pattern| fnmatch(&group.id, pattern))
    });
    prune_references(&mut comps, arch, variant.lookaside_groups);
    let unmatched_groups = variant
        .groups
        .map(|selectors| select_groups(&mut comps, selectors))
        .unwrap_or_default();
    if let Some(selectors) = variant.environments {
        select_environments(&mut comps, selectors);
    }
    prune_references(&mut comps, arch, variant.lookaside_groups);
    Filtered {
        comps,
        unmatched_groups,
    }
}

/// Whether an extension attribute list admits `value`; absent means "everywhere".
fn admits(list: &Option<Vec<String>>, value: &str) -> bool {
    list.as_ref()
        .is_none_or(|items| items.iter().any(|item| item == value))
}

/// Applies the `arch=` (and, for a variant, `variant=`) attributes, consuming them as
/// Pungi does: a kept element loses the attribute it was filtered on.
fn by_attributes(comps: &Comps, arch: &str, variant: Option<&str>) -> Comps {
    let fits = |arches: &Option<Vec<String>>, variants: &Option<Vec<String>>| {
        admits(arches, arch) && variant.is_none_or(|uid| admits(variants, uid))
    };
    let mut comps = comps.clone();
    comps
        .groups
        .retain(|group| fits(&group.arch, &group.variant));
    comps
        .environments
        .retain(|environment| fits(&environment.arch, &environment.variant));
    for group in &mut comps.groups {
        group
            .packages
            .retain(|package| fits(&package.arch, &package.variant));
        for package in &mut group.packages {
            package.arch = None;
            if variant.is_some() {
                package.variant = None;
            }
        }
        group.arch = None;
        if variant.is_some() {
            group.variant = None;
        }
    }
    for environment in &mut comps.environments {
        environment.arch = None;
        if variant.is_some() {
            environment.variant = None;
        }
    }
    comps
}

/// Drops category and environment references to groups that are not there (or not
/// for this arch), then categories and environments left without groups.
fn prune_references(comps: &mut Comps, arch: &str, lookaside: &[String]) {
    let present: HashSet<&str> = comps.groups.iter().map(|g| g.id.as_str()).collect();
    let in_category = |r: &GroupRef| present.contains(r.id.as_str());
    let in_environment = |r: &GroupRef| {
        (present.contains(r.id.as_str()) || lookaside.contains(&r.id)) && admits(&r.arch, arch)
    };
    for category in &mut comps.categories {
        category.groups.retain(in_category);
    }
    comps
        .categories
        .retain(|category| !category.groups.is_empty());
    for environment in &mut comps.environments {
        for list in [&mut environment.groups, &mut environment.options] {
            list.retain(in_environment);
            for reference in list.iter_mut() {
                reference.arch = None;
            }
        }
    }
    comps
        .environments
        .retain(|environment| !environment.groups.is_empty());
}

/// Keeps the groups some selector matches (the first match wins and applies its
/// overrides); returns the selectors that matched nothing.
fn select_groups(comps: &mut Comps, selectors: &[GroupSelector]) -> Vec<String> {
    let hits = |selector: &GroupSelector, id: &str| {
        if selector.glob {
            fnmatch(id, &selector.name)
        } else {
            selector.name == id
        }
    };
    comps.groups.retain_mut(|group| {
        let Some(selector) = selectors.iter().find(|s| hits(s, &group.id)) else {
            return false;
        };
        group.default = selector.default.unwrap_or(group.default);
        group.uservisible = selector.uservisible.unwrap_or(group.uservisible);
        true
    });
    selectors
        .iter()
        .filter(|selector| !comps.groups.iter().any(|group| hits(selector, &group.id)))
        .map(|selector| selector.name.clone())
        .collect()
}

/// Keeps the environments the variant lists, applying their display order override.
fn select_environments(comps: &mut Comps, selectors: &[EnvironmentSelector]) {
    comps.environments.retain_mut(|environment| {
        let Some(selector) = selectors.iter().find(|s| s.name == environment.id) else {
            return false;
        };
        environment.display_order = selector.display_order.or(environment.display_order);
        true
    });
}
