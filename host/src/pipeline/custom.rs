//! `custom_phases`: third-party phase components the config adds to the phase graph,
//! each pinned by sha256, placed after, before or beside another phase, with its own
//! config section and the grant it asks for (which the policy must approve).
//!
//! A placement names a Pungi phase or a custom phase listed earlier. `after: X` starts it
//! once X has ended; `before: Y` starts it when Y could start and makes Y wait for it;
//! `parallel_with: Z` starts it when Z could. Test, which runs last, waits for every
//! custom phase except those placed after or beside it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde_json::{Map, Value};

use super::phases::pungi_phase;
use super::plan::{ComponentSource, GraphPhase};
use crate::compose::HOST_LOG_DIRS;
use crate::policy::PhasePolicy;

/// The phase that runs last (after every other phase).
const LAST: &str = "test";

/// Where a custom phase goes in the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    After(String),
    Before(String),
    ParallelWith(String),
}

/// One entry of `custom_phases`, checked.
#[derive(Debug, Clone)]
pub struct CustomPhase {
    pub name: String,
    /// The component file, resolved against the config's directory.
    pub component: PathBuf,
    pub sha256: String,
    pub placement: Placement,
    pub failable: bool,
    /// Its own section, served to it alone as option `phase_config`.
    pub config: Option<Value>,
    /// What it asks to be granted.
    pub grant: PhasePolicy,
    /// The same, as the `[phase.<name>]` section of a policy file that approves it.
    pub policy_section: String,
}

/// The custom phases of `config` (whose relative paths are relative to `config_dir`);
/// errors name the entry at `locate(index)` (`FILE:LINE:COL`) and what is wrong with it.
pub fn custom_phases(
    config: &Map<String, Value>,
    config_dir: &Path,
    locate: impl Fn(usize) -> String,
) -> anyhow::Result<Vec<CustomPhase>> {
    let Some(entries) = config.get("custom_phases") else {
        return Ok(Vec::new());
    };
    let entries = entries
        .as_array()
        .context("option `custom_phases` must be a list")?;
    let mut phases: Vec<CustomPhase> = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let phase = parse(entry, &phases, config_dir).with_context(|| {
            let name = entry.get("name").and_then(Value::as_str).unwrap_or("?");
            format!("{}: custom_phases[{index}] (`{name}`)", locate(index))
        })?;
        phases.push(phase);
    }
    Ok(phases)
}

fn parse(entry: &Value, earlier: &[CustomPhase], config_dir: &Path) -> anyhow::Result<CustomPhase> {
    let entry = entry.as_object().context("must be a dict")?;
    let text = |key: &str| -> anyhow::Result<Option<String>> {
        match entry.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => bail!("`{key}` must be a string, found {other}"),
        }
    };
    let required = |key: &str| text(key)?.with_context(|| format!("`{key}` is required"));
    let name = required("name")?;
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        bail!("name `{name}` must match [a-z][a-z0-9_]*");
    }
    if pungi_phase(&name).is_some() {
        bail!("name `{name}` is a Pungi phase; give the custom phase a name of its own");
    }
    // A phase's log directory is `logs/<name>`; the host writes some of them itself.
    if HOST_LOG_DIRS.contains(&name.as_str()) {
        bail!("name `{name}` is reserved for the host's logs; give the custom phase another");
    }
    if earlier.iter().any(|p| p.name == name) {
        bail!("name `{name}` is used twice");
    }
    let sha256 = required("sha256")?.to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("sha256 `{sha256}` is not 64 hex digits");
    }
    let component = config_dir.join(required("component")?);
    let component = component
        .canonicalize()
        .with_context(|| format!("component {}", component.display()))?;
    let bytes = std::fs::read(&component)
        .with_context(|| format!("reading component {}", component.display()))?;
    let found = crate::audit::digest(&bytes);
    if found != sha256 {
        bail!(
            "component {} has sha256 {found}, but the entry names {sha256}; refusing it",
            component.display()
        );
    }
    let placements: Vec<Placement> = [
        text("after")?.map(Placement::After),
        text("before")?.map(Placement::Before),
        text("parallel_with")?.map(Placement::ParallelWith),
    ]
    .into_iter()
    .flatten()
    .collect();
    let [placement] = <[Placement; 1]>::try_from(placements).map_err(|found| {
        anyhow::anyhow!(
            "needs exactly one of `after`, `before` and `parallel_with`, found {}",
            found.len()
        )
    })?;
    let (Placement::After(target) | Placement::Before(target) | Placement::ParallelWith(target)) =
        &placement;
    if pungi_phase(target).is_none() && !earlier.iter().any(|p| &p.name == target) {
        bail!("`{target}` is neither a Pungi phase nor a custom phase listed before this one");
    }
    let failable = match entry.get("failable") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => bail!("`failable` must be True or False, found {other}"),
    };
    let grant_value = entry
        .get("grant")
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    let grant: PhasePolicy =
        serde_json::from_value(grant_value.clone()).map_err(|e| anyhow::anyhow!("grant: {e}"))?;
    let section = serde_json::json!({ "phase": { name.as_str(): grant_value } });
    let policy_section = toml::to_string(&section)
        .map_err(|e| anyhow::anyhow!("grant cannot be written as a policy section: {e}"))?;
    Ok(CustomPhase {
        name,
        component,
        sha256,
        placement,
        failable,
        config: entry.get("config").cloned(),
        grant,
        policy_section,
    })
}

/// Adds `custom` to `graph` (Pungi's phases in order), keeping every phase after those
/// it waits for.
pub fn place(graph: &mut Vec<GraphPhase>, custom: &[CustomPhase]) {
    let mut downstream_of_last: BTreeSet<String> = BTreeSet::new();
    for phase in custom {
        let position = |graph: &[GraphPhase], name: &str| {
            graph
                .iter()
                .position(|p| p.name == name)
                .expect("placements name phases of the graph (checked when parsed)")
        };
        let (at, after) = match &phase.placement {
            Placement::After(target) => (position(graph, target) + 1, vec![target.clone()]),
            Placement::ParallelWith(target) => {
                let i = position(graph, target);
                (i + 1, graph[i].after.clone())
            }
            Placement::Before(target) => {
                let i = position(graph, target);
                let after = graph[i].after.clone();
                graph[i].after.push(phase.name.clone());
                (i, after)
            }
        };
        // After or beside Test (or a phase that is), it is not one Test waits for.
        let (Placement::After(target)
        | Placement::ParallelWith(target)
        | Placement::Before(target)) = &phase.placement;
        let beside_last = !matches!(phase.placement, Placement::Before(_)) && target == LAST;
        if beside_last || downstream_of_last.contains(target) {
            downstream_of_last.insert(phase.name.clone());
        }
        graph.insert(
            at,
            GraphPhase {
                name: phase.name.clone(),
                skippable: true,
                failable: phase.failable,
                after,
                unconfigured: false,
                source: ComponentSource::Custom {
                    path: phase.component.clone(),
                    sha256: phase.sha256.clone(),
                    config: phase.config.clone(),
                },
            },
        );
    }
    let last = graph
        .iter_mut()
        .find(|p| p.name == LAST)
        .expect("Pungi's phases include test");
    for phase in custom {
        if !downstream_of_last.contains(&phase.name) && !last.after.contains(&phase.name) {
            last.after.push(phase.name.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::phases::Selection;
    use crate::pipeline::plan::{Plan, stock_graph};
    use serde_json::json;

    fn entries(json: Value) -> anyhow::Result<Vec<CustomPhase>> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.wasm"), b"x").unwrap();
        let config = serde_json::from_value(json!({ "custom_phases": json })).unwrap();
        custom_phases(&config, dir.path(), |i| format!("c.conf:{}:5", i + 4))
    }

    fn entry(placement: (&str, &str)) -> Value {
        let sha256 = crate::audit::digest(b"x");
        json!({"name": "sbom", "component": "x.wasm", "sha256": sha256, placement.0: placement.1})
    }

    #[test]
    fn placements_put_the_phase_between_its_neighbours() {
        let plan_with = |placement| {
            let custom = entries(json!([entry(placement)])).unwrap();
            let mut graph = stock_graph(&Map::new());
            place(&mut graph, &custom);
            Plan::new(&graph, &Selection::default())
        };
        let after = plan_with(("after", "createrepo"));
        assert_eq!(after.waits_for("sbom"), ["createrepo"]);
        assert!(after.waits_for("test").contains(&"sbom".to_owned()));
        let before = plan_with(("before", "createiso"));
        assert!(before.waits_for("createiso").contains(&"sbom".to_owned()));
        assert_eq!(
            before.waits_for("sbom"),
            plan_with(("parallel_with", "createiso")).waits_for("sbom")
        );
        let after_test = plan_with(("after", "test"));
        assert_eq!(after_test.waits_for("sbom"), ["test"]);
        assert_eq!(after_test.phases.last().unwrap().name, "sbom");
        let beside_test = plan_with(("parallel_with", "test"));
        assert!(!beside_test.waits_for("test").contains(&"sbom".to_owned()));
        assert_eq!(beside_test.waits_for("sbom"), beside_test.waits_for("test"));
    }

    #[test]
    fn bad_entries_are_named() {
        let error = |value: Value| format!("{:#}", entries(json!([value])).unwrap_err());
        let mut wrong = entry(("after", "gather"));
        wrong["name"] = json!("gather");
        assert!(error(wrong).contains("is a Pungi phase"));
        let mut reserved = entry(("after", "gather"));
        for name in ["global", "notifications"] {
            reserved["name"] = json!(name);
            assert!(error(reserved.clone()).contains("reserved for the host's logs"));
        }
        let mut two = entry(("after", "gather"));
        two["before"] = json!("test");
        assert!(error(two).contains("exactly one"));
        assert!(error(entry(("after", "nowhere"))).contains("`nowhere`"));
        let mut sha = entry(("after", "gather"));
        sha["sha256"] = json!("abc");
        assert!(error(sha).contains("64 hex"));
        let mut other = entry(("after", "gather"));
        other["sha256"] = json!("b".repeat(64));
        assert!(error(other).contains("refusing it"));
        let mut grant = entry(("after", "gather"));
        grant["grant"] = json!({"dirz": {}});
        let message = error(grant);
        assert!(
            message.contains("custom_phases[0] (`sbom`)") && message.contains("dirz"),
            "{message}"
        );
    }
}
