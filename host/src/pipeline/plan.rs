//! The phase graph of one compose: the selected, configured phases with the phases each
//! waits for. A dependency on a phase that does not run is replaced by what that phase
//! waited for, so skipping a phase never lets a later one start early.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{Map, Value};

use super::phases::{PUNGI_PHASES, Selection};

/// Where a planned phase's component comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ComponentSource {
    /// `pungi_phase_<name>.wasm` in the phase catalog.
    Catalog,
    /// A third-party component named by the config, with the sha256 it must have and
    /// its own config section.
    Custom {
        path: PathBuf,
        sha256: String,
        config: Option<Value>,
    },
}

/// One phase of the graph before selection.
#[derive(Debug, Clone)]
pub struct GraphPhase {
    pub name: String,
    pub skippable: bool,
    pub failable: bool,
    pub after: Vec<String>,
    /// Why it does not run even when selected (not configured), if so.
    pub unconfigured: bool,
    pub source: ComponentSource,
}

/// A phase that runs in this compose.
#[derive(Debug, Clone)]
pub struct PlannedPhase {
    pub name: String,
    pub failable: bool,
    /// Indices (in [`Plan::phases`]) of the phases that must end before it starts.
    pub after: Vec<usize>,
    /// Every planned phase it waits for, directly or not.
    pub upstream: BTreeSet<usize>,
    pub source: ComponentSource,
}

/// A phase that does not run, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SkippedPhase {
    pub name: String,
    pub reason: String,
}

/// The phases of one compose in graph order (every phase after those it waits for), each
/// listing only the phases it waits for directly (not those they wait for).
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub phases: Vec<PlannedPhase>,
    pub skipped: Vec<SkippedPhase>,
}

/// Pungi's phases as graph nodes, configured or not by `config`.
pub fn stock_graph(config: &Map<String, Value>) -> Vec<GraphPhase> {
    PUNGI_PHASES
        .iter()
        .map(|spec| GraphPhase {
            name: spec.name.to_owned(),
            skippable: spec.skippable,
            failable: spec.failable,
            after: spec.after.iter().map(|s| s.to_string()).collect(),
            unconfigured: !spec.configured(config),
            source: ComponentSource::Catalog,
        })
        .collect()
}

impl Plan {
    /// The phases of `graph` (in an order where each comes after those it waits for)
    /// that `selection` includes and the config switches on.
    pub fn new(graph: &[GraphPhase], selection: &Selection) -> Plan {
        let by_name: BTreeMap<&str, &GraphPhase> =
            graph.iter().map(|p| (p.name.as_str(), p)).collect();
        let mut plan = Plan::default();
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        let mut ancestors: Vec<BTreeSet<usize>> = Vec::new();
        for phase in graph {
            let reason = if !selection.includes(&phase.name, phase.skippable) {
                Some("skipped (--skip-phase, --just-phase or skip_phases)")
            } else if phase.unconfigured {
                Some("skipped (not configured)")
            } else {
                None
            };
            if let Some(reason) = reason {
                plan.skipped.push(SkippedPhase {
                    name: phase.name.clone(),
                    reason: reason.to_owned(),
                });
                continue;
            }
            let mut after = Vec::new();
            resolve(&phase.after, &by_name, &index, &mut after);
            let implied: BTreeSet<usize> = after
                .iter()
                .flat_map(|&d| ancestors[d].iter().copied())
                .collect();
            after.retain(|d| !implied.contains(d));
            after.sort_unstable();
            after.dedup();
            let upstream: BTreeSet<usize> =
                implied.into_iter().chain(after.iter().copied()).collect();
            ancestors.push(upstream.clone());
            index.insert(&phase.name, plan.phases.len());
            plan.phases.push(PlannedPhase {
                name: phase.name.clone(),
                failable: phase.failable,
                after,
                upstream,
                source: phase.source.clone(),
            });
        }
        plan
    }

    /// The phases `name` waits for, by name (for tests of the graph).
    #[cfg(test)]
    pub(crate) fn waits_for(&self, name: &str) -> Vec<String> {
        let phase = self.phases.iter().find(|p| p.name == name).unwrap();
        phase
            .after
            .iter()
            .map(|&i| self.phases[i].name.clone())
            .collect()
    }

    pub fn names(&self) -> Vec<String> {
        self.phases.iter().map(|p| p.name.clone()).collect()
    }
}

/// The planned phases behind `names`: a planned phase itself, a phase that does not run
/// by what it waited for.
fn resolve(
    names: &[String],
    graph: &BTreeMap<&str, &GraphPhase>,
    planned: &BTreeMap<&str, usize>,
    out: &mut Vec<usize>,
) {
    for name in names {
        if let Some(&i) = planned.get(name.as_str()) {
            out.push(i);
        } else if let Some(phase) = graph.get(name.as_str()) {
            resolve(&phase.after, graph, planned, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(config: &str, skip: &[&str]) -> Plan {
        let config: Map<String, Value> = serde_json::from_str(config).unwrap();
        let skip: Vec<String> = skip.iter().map(|s| s.to_string()).collect();
        Plan::new(&stock_graph(&config), &Selection::new(&skip, &[]).unwrap())
    }

    #[test]
    fn unconfigured_phases_are_skipped_and_their_dependents_wait_for_their_dependencies() {
        let local = plan("{}", &[]);
        assert_eq!(
            local.names(),
            [
                "init",
                "pkgset",
                "gather",
                "createrepo",
                "createiso",
                "image_checksum",
                "test"
            ]
        );
        for unconfigured in ["live_images", "extra_files", "productimg"] {
            assert!(
                local
                    .skipped
                    .iter()
                    .any(|s| s.name == unconfigured && s.reason.contains("not configured")),
                "{unconfigured}"
            );
        }
        assert_eq!(local.waits_for("gather"), ["pkgset"]);
        assert_eq!(local.waits_for("createiso"), ["createrepo"]);
        assert_eq!(local.waits_for("image_checksum"), ["createiso"]);

        let with_extra_files = plan(
            r#"{"extra_files": [["^Server$", {}]], "productimg": true}"#,
            &["createiso"],
        );
        assert_eq!(with_extra_files.waits_for("extra_files"), ["pkgset"]);
        assert_eq!(with_extra_files.waits_for("image_checksum"), ["productimg"]);

        let koji = plan(
            r#"{"buildinstall_method": "lorax", "live_media": {"x": 1}}"#,
            &[],
        );
        assert_eq!(koji.waits_for("buildinstall"), ["pkgset"]);
        assert_eq!(koji.waits_for("live_media"), ["buildinstall", "createrepo"]);
        assert_eq!(
            koji.waits_for("image_checksum"),
            ["createiso", "live_media"]
        );
    }
}
