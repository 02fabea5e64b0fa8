//! Who the compose is and which directories the phase has: facts, never denied.

use serde::Serialize;

use super::PhaseEnv;
use crate::policy::MountGrant;

/// A group a variant lists in the variants XML.
#[derive(Debug, Clone, Serialize)]
pub struct GroupFact {
    pub id: String,
    pub glob: bool,
    pub is_default: Option<bool>,
    pub uservisible: Option<bool>,
}

/// One variant as phases see it.
#[derive(Debug, Clone, Serialize)]
pub struct VariantFact {
    pub uid: String,
    pub id: String,
    pub name: String,
    pub kind: String,
    pub arches: Vec<String>,
    pub parent: Option<String>,
    pub groups: Vec<GroupFact>,
    pub environments: Vec<String>,
}

/// The compose identity and config, the same for every phase of one compose.
#[derive(Debug, Clone, Serialize)]
pub struct ComposeFacts {
    pub id: String,
    pub label: Option<String>,
    pub date: String,
    pub respin: u32,
    pub compose_type: String,
    pub release_name: String,
    pub release_short: String,
    pub release_version: String,
    pub release_type: String,
    pub arches: Vec<String>,
    /// Parents before children.
    pub variants: Vec<VariantFact>,
    /// The parsed config, option name to JSON value.
    pub config: serde_json::Map<String, serde_json::Value>,
}

/// The compose identity.
pub fn info(env: &PhaseEnv) -> &ComposeFacts {
    &env.facts
}

/// The mounts of this phase's grant.
pub fn mounts(env: &PhaseEnv) -> &[MountGrant] {
    &env.grant.mounts
}
