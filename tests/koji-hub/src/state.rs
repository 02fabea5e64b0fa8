//! The hub's data: tags with inheritance and arches, builds with their RPMs and signed
//! copies, and the events at which builds were tagged and untagged. Kept as one small
//! JSON file; the file tree (topdir) holds the RPMs themselves.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    pub events: Vec<Event>,
    pub tags: Vec<Tag>,
    pub builds: Vec<Build>,
    /// Tagging history, oldest first.
    pub tagged: Vec<Tagging>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub id: i64,
    pub ts: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tag {
    pub id: i64,
    pub name: String,
    /// Space-separated, as Koji stores them.
    pub arches: String,
    #[serde(default)]
    pub locked: bool,
    /// Parents in priority order (lowest priority value first).
    #[serde(default)]
    pub parents: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Build {
    pub id: i64,
    pub name: String,
    pub version: String,
    pub release: String,
    pub epoch: Option<i64>,
    pub owner: String,
    pub creation_event: i64,
    pub rpms: Vec<Rpm>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rpm {
    pub id: i64,
    pub name: String,
    pub arch: String,
    /// Of the unsigned copy.
    pub size: i64,
    /// Koji's payloadhash (md5 of the unsigned file here).
    pub payloadhash: String,
    /// sha256 of the unsigned copy.
    pub sha256: String,
    /// sigkey -> sha256 of the copy under `data/signed/<sigkey>/`.
    #[serde(default)]
    pub sigs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tagging {
    pub tag: i64,
    pub build: i64,
    pub event: i64,
    #[serde(default)]
    pub revoked: Option<i64>,
}

/// The state with lookup indexes.
pub struct Indexed {
    pub state: State,
    build_by_id: HashMap<i64, usize>,
    rpm_by_id: HashMap<i64, (usize, usize)>,
}

impl Indexed {
    pub fn new(state: State) -> Indexed {
        let mut build_by_id = HashMap::new();
        let mut rpm_by_id = HashMap::new();
        for (b, build) in state.builds.iter().enumerate() {
            build_by_id.insert(build.id, b);
            for (r, rpm) in build.rpms.iter().enumerate() {
                rpm_by_id.insert(rpm.id, (b, r));
            }
        }
        Indexed {
            state,
            build_by_id,
            rpm_by_id,
        }
    }

    pub fn load(path: &Path) -> anyhow::Result<Indexed> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let state = serde_json::from_str(&text).with_context(|| format!("{}", path.display()))?;
        Ok(Indexed::new(state))
    }

    pub fn last_event(&self) -> Event {
        self.state
            .events
            .iter()
            .max_by_key(|e| e.id)
            .cloned()
            .unwrap_or(Event { id: 0, ts: 0.0 })
    }

    pub fn build(&self, id: i64) -> Option<&Build> {
        self.build_by_id.get(&id).map(|&b| &self.state.builds[b])
    }

    pub fn build_by_nvr(&self, nvr: &str) -> Option<&Build> {
        self.state.builds.iter().find(|b| nvr_of(b) == nvr)
    }

    pub fn rpm(&self, id: i64) -> Option<(&Build, &Rpm)> {
        self.rpm_by_id.get(&id).map(|&(b, r)| {
            let build = &self.state.builds[b];
            (build, &build.rpms[r])
        })
    }

    pub fn tag(&self, id: i64) -> Option<&Tag> {
        self.state.tags.iter().find(|t| t.id == id)
    }

    pub fn tag_by_name(&self, name: &str) -> Option<&Tag> {
        self.state.tags.iter().find(|t| t.name == name)
    }

    /// The tag and its ancestors, nearest first (depth-first in priority order), each once.
    pub fn inheritance(&self, tag: &Tag) -> Vec<&Tag> {
        let mut order = Vec::new();
        let mut pending = vec![tag.id];
        while let Some(id) = pending.pop() {
            if order.iter().any(|t: &&Tag| t.id == id) {
                continue;
            }
            if let Some(t) = self.tag(id) {
                order.push(t);
                pending.extend(t.parents.iter().rev());
            }
        }
        order
    }

    /// Builds tagged in `tag` at `event` (now when `None`), most recently tagged first.
    pub fn tagged_in(&self, tag: i64, event: Option<i64>) -> Vec<(&Build, i64)> {
        let at = event.unwrap_or(i64::MAX);
        let mut found: Vec<(&Build, i64)> = self
            .state
            .tagged
            .iter()
            .filter(|t| t.tag == tag && t.event <= at && t.revoked.is_none_or(|r| r > at))
            .filter_map(|t| Some((self.build(t.build)?, t.event)))
            .collect();
        found.sort_by_key(|(b, event)| (std::cmp::Reverse(*event), std::cmp::Reverse(b.id)));
        found
    }
}

pub fn nvr_of(b: &Build) -> String {
    format!("{}-{}-{}", b.name, b.version, b.release)
}

/// Where an RPM copy lives under the topdir: `packages/<n>/<v>/<r>/[data/signed/<key>/]<arch>/<file>`.
pub fn rpm_path(build: &Build, rpm: &Rpm, sigkey: Option<&str>) -> String {
    let signed = sigkey
        .map(|k| format!("data/signed/{k}/"))
        .unwrap_or_default();
    format!(
        "packages/{}/{}/{}/{signed}{}/{}",
        build.name,
        build.version,
        build.release,
        rpm.arch,
        rpm_filename(build, rpm)
    )
}

pub fn rpm_filename(build: &Build, rpm: &Rpm) -> String {
    format!(
        "{}-{}-{}.{}.rpm",
        rpm.name, build.version, build.release, rpm.arch
    )
}
