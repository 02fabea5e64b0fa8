//! The attestation's payload: an in-toto Statement v1 whose predicate is SLSA
//! Provenance v1. Field names follow the specifications (camelCase); what this project
//! puts in the free-form parts (`externalParameters`, the annotations) is typed here too,
//! so `audit verify --key` reads back exactly what a compose wrote.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PROVENANCE_TYPE: &str = "https://slsa.dev/provenance/v1";

/// The project's URI: build type and builder id are named under it.
const PROJECT: &str = env!("CARGO_PKG_REPOSITORY");
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `buildType`: this project's compose, at this version (which fixes what the
/// parameters mean).
pub fn build_type() -> String {
    format!("{PROJECT}/compose/v{VERSION}")
}

/// `builder.id`: the pungi-wasm host, whose sandbox and audit log are what is trusted.
pub fn builder_id() -> String {
    format!("{PROJECT}/host")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub statement_type: String,
    pub subject: Vec<ResourceDescriptor>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: Provenance,
}

/// in-toto's ResourceDescriptor: an artifact by name and digest, or a dependency by URI.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDescriptor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, serde_json::Value>,
}

impl ResourceDescriptor {
    /// A named artifact with its sha256.
    pub fn file(name: impl Into<String>, sha256: impl Into<String>) -> Self {
        ResourceDescriptor {
            name: Some(name.into()),
            digest: BTreeMap::from([("sha256".to_owned(), sha256.into())]),
            ..Default::default()
        }
    }

    pub fn sha256(&self) -> Option<&str> {
        self.digest.get("sha256").map(String::as_str)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    pub build_definition: BuildDefinition,
    pub run_details: RunDetails,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildDefinition {
    pub build_type: String,
    pub external_parameters: ExternalParameters,
    /// The phase components (`phase/<name>`), the policies (`policy/...`), the input
    /// repositories (`pkgset_repos/...`, `lookaside/...`) and Koji tags (`koji/<tag>`).
    pub resolved_dependencies: Vec<ResourceDescriptor>,
}

/// What the release engineer chose: an auditor checks these against expectations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalParameters {
    pub compose_id: String,
    pub compose_type: String,
    pub label: Option<String>,
    pub date: String,
    /// The config file, then every file it includes, in the order they were read.
    pub config: Vec<ResourceDescriptor>,
    /// Whether `--restricted` refused any grant wider than the stock policy.
    pub restricted: bool,
    /// `stock`, or the `--policy` file laid over it.
    pub policy: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunDetails {
    pub builder: Builder,
    pub metadata: BuildMetadata,
    /// The audit log, with the record count and last hash of its head.
    pub byproducts: Vec<ResourceDescriptor>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Builder {
    pub id: String,
    pub version: BTreeMap<String, String>,
}

impl Builder {
    pub fn this_host() -> Self {
        Builder {
            id: builder_id(),
            version: BTreeMap::from([("pungi-wasm".to_owned(), VERSION.to_owned())]),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildMetadata {
    /// The compose ID.
    pub invocation_id: String,
    pub started_on: String,
    pub finished_on: String,
}
