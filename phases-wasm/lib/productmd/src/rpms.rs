use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::header::{Compose, Header};

/// What an RPM is to the compose; decides which tree it lands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RpmCategory {
    Binary,
    Debug,
    Source,
}

/// One RPM in one variant.arch tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RpmEntry {
    /// The signing key id, lower case, or none for unsigned packages.
    pub sigkey: Option<String>,
    /// Relative to `compose/`.
    pub path: String,
    pub category: RpmCategory,
}

/// `rpms.json`: variant -> arch -> source NEVRA -> RPM NEVRA -> entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rpms {
    pub header: Header,
    pub payload: RpmsPayload,
}

/// Source NEVRA -> RPM NEVRA -> entry, for one variant.arch.
pub type RpmsBySource = BTreeMap<String, BTreeMap<String, RpmEntry>>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RpmsPayload {
    pub compose: Compose,
    /// Variant -> arch -> the RPMs of that tree.
    pub rpms: BTreeMap<String, BTreeMap<String, RpmsBySource>>,
}

impl Rpms {
    pub fn new(compose: Compose) -> Self {
        Rpms {
            header: Header::new("productmd.rpms"),
            payload: RpmsPayload {
                compose,
                rpms: BTreeMap::new(),
            },
        }
    }

    /// Records one RPM. NEVRAs are `name-epoch:version-release.arch` with the epoch always
    /// written (productmd normalises to that form); a source RPM is its own source.
    pub fn add(
        &mut self,
        variant: &str,
        arch: &str,
        srpm_nevra: &str,
        nevra: String,
        entry: RpmEntry,
    ) {
        // Looked up before inserting: a compose adds hundreds of thousands of entries
        // under a few variants and arches, and the keys need copying only when new.
        fn slot<'m, V: Default>(map: &'m mut BTreeMap<String, V>, key: &str) -> &'m mut V {
            if !map.contains_key(key) {
                map.insert(key.to_owned(), V::default());
            }
            map.get_mut(key).expect("inserted above")
        }
        let arches = slot(&mut self.payload.rpms, variant);
        let sources = slot(arches, arch);
        slot(sources, srpm_nevra).insert(nevra, entry);
    }
}
