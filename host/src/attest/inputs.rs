//! What a signed compose starts from that nothing else records: its config files and
//! policies with their digests, and whether it ran `--restricted`. They are written to
//! the audit log when the compose starts (an `audit`/`inputs` record) and named in the
//! attestation, so `audit verify --key` checks that both describe the same run.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::statement::{Provenance, ResourceDescriptor};
use crate::audit::regular::open_regular;
use crate::audit::{AuditLog, bounded_args, digest};
use crate::policy::DEFAULT_POLICY;

/// The `interface`/`operation` of the record of a compose's inputs.
const RECORD: (&str, &str) = ("audit", "inputs");

/// The name prefix of the policies among the resolved dependencies.
const POLICY_PREFIX: &str = "policy/";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposeInputs {
    /// The config file, then every file it includes, named relative to the config's
    /// directory (absolute when outside it).
    pub config: Vec<ResourceDescriptor>,
    /// `stock`, or the `--policy` file's name.
    pub policy: String,
    /// `policy/stock` (the policy built into this version), and `policy/<file>` laid
    /// over it.
    pub policies: Vec<ResourceDescriptor>,
    pub restricted: bool,
}

impl ComposeInputs {
    /// Digests the config files (`files`, config first, as the loader read them) and the
    /// `--policy` file, if any.
    pub fn read(
        files: &[PathBuf],
        config_dir: &Path,
        policy: Option<&Path>,
        restricted: bool,
    ) -> anyhow::Result<Self> {
        let named = |path: &Path| -> anyhow::Result<ResourceDescriptor> {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let name = path.strip_prefix(config_dir).unwrap_or(path);
            Ok(ResourceDescriptor::file(
                name.display().to_string(),
                digest(&bytes),
            ))
        };
        let mut policies = vec![ResourceDescriptor::file(
            format!("{POLICY_PREFIX}stock"),
            digest(DEFAULT_POLICY.as_bytes()),
        )];
        if let Some(path) = policy {
            let mut file = named(path)?;
            file.name = Some(format!("{POLICY_PREFIX}{}", path.display()));
            policies.push(file);
        }
        Ok(ComposeInputs {
            config: files
                .iter()
                .map(|f| named(f))
                .collect::<anyhow::Result<_>>()?,
            policy: policy.map_or("stock".to_owned(), |p| p.display().to_string()),
            policies,
            restricted,
        })
    }

    /// The inputs an attestation names.
    pub fn of(provenance: &Provenance) -> Self {
        let definition = &provenance.build_definition;
        let parameters = &definition.external_parameters;
        ComposeInputs {
            config: parameters.config.clone(),
            policy: parameters.policy.clone(),
            policies: definition
                .resolved_dependencies
                .iter()
                .filter(|d| {
                    d.name
                        .as_deref()
                        .is_some_and(|n| n.starts_with(POLICY_PREFIX))
                })
                .cloned()
                .collect(),
            restricted: parameters.restricted,
        }
    }

    /// Writes the `audit`/`inputs` record.
    pub fn record(&self, audit: &AuditLog) -> anyhow::Result<()> {
        audit.record_host(RECORD.1, serde_json::to_value(self)?)?;
        Ok(())
    }

    /// Whether `args`, as the log records them (bounded), are these inputs.
    pub fn are_recorded_as(&self, args: &Value) -> bool {
        serde_json::to_value(self).is_ok_and(|v| &bounded_args(v) == args)
    }
}

/// Every record of the audit log at `path`, numbered from 1. (Read after the chain was
/// checked, so every line is a JSON record.)
pub fn records(path: &Path) -> anyhow::Result<Vec<(u64, Value)>> {
    let file = open_regular(path)?;
    BufReader::new(file)
        .lines()
        .zip(1..)
        .map(|(line, number)| {
            let line = line.with_context(|| format!("reading {}", path.display()))?;
            let record = serde_json::from_str(&line)
                .with_context(|| format!("{}:{number}: not a record", path.display()))?;
            Ok((number, record))
        })
        .collect()
}

/// Whether `record` is a compose's `audit`/`inputs` record.
pub fn is_inputs_record(record: &Value) -> bool {
    record["interface"] == RECORD.0 && record["operation"] == RECORD.1
}
