//! `audit verify --key`: the attestation is signed by the trusted key, and the compose
//! is what it says: every subject has its digest and no subject was added, the audit
//! log is the one signed (so a log rewritten with a recomputed chain and head fails),
//! the head names this envelope, and the components, config and policy named are the
//! ones `components.lock` and the log record. Each error names what differs.

use std::collections::BTreeMap;
use std::io::Read;

use anyhow::{Context as _, bail};

use super::dsse::{Envelope, IN_TOTO_PAYLOAD};
use super::inputs::{ComposeInputs, is_inputs_record, records};
use super::keys::PublicKey;
use super::statement::{PROVENANCE_TYPE, ResourceDescriptor, STATEMENT_TYPE, Statement};
use super::subjects::{ATTESTATION, collect};
use crate::audit::regular::open_regular;
use crate::audit::{digest, read_head, verify_chain};
use crate::compose::ComposeLayout;
use crate::policy::ComponentLock;

/// An attestation is a few MiB at most (its subjects and dependencies); a larger file
/// is not read.
const MAX_ATTESTATION: u64 = 256 << 20;

/// What a verified attestation covered.
#[derive(Debug)]
pub struct AttestationSummary {
    pub keyid: String,
    pub subjects: usize,
    pub records: u64,
    pub components: usize,
}

/// Checks the compose at `layout` against its attestation and `key`.
pub fn verify_attestation(
    layout: &ComposeLayout,
    key: &PublicKey,
) -> anyhow::Result<AttestationSummary> {
    let path = layout.compose().join(ATTESTATION);
    let mut bytes = Vec::new();
    open_regular(&path)
        .and_then(|file| file.take(MAX_ATTESTATION).read_to_end(&mut bytes))
        .with_context(|| format!("reading the attestation {}", path.display()))?;
    let shown = path.display();
    let envelope: Envelope =
        serde_json::from_slice(&bytes).with_context(|| format!("{shown}: not a DSSE envelope"))?;
    if envelope.payload_type != IN_TOTO_PAYLOAD {
        bail!(
            "{shown}: payload type {}, expected {IN_TOTO_PAYLOAD}",
            envelope.payload_type
        );
    }
    let payload = envelope
        .verified_payload(key)
        .map_err(|reason| anyhow::anyhow!("{shown}: {reason}"))?;
    let statement: Statement = serde_json::from_slice(&payload)
        .with_context(|| format!("{shown}: the signed payload is not this project's statement"))?;
    if statement.statement_type != STATEMENT_TYPE || statement.predicate_type != PROVENANCE_TYPE {
        bail!(
            "{shown}: a {} statement with a {} predicate, expected {STATEMENT_TYPE} with {PROVENANCE_TYPE}",
            statement.statement_type,
            statement.predicate_type
        );
    }
    compare_subjects(&statement.subject, &collect(&layout.compose())?, layout)?;
    let records = check_log(&statement, layout)?;
    check_head(layout, &bytes)?;
    let components = check_components(&statement, layout)?;
    check_inputs(&statement, layout)?;
    Ok(AttestationSummary {
        keyid: key.keyid.clone(),
        subjects: statement.subject.len(),
        records,
        components,
    })
}

/// Every attested subject is there with its digest, and nothing was added.
fn compare_subjects(
    attested: &[ResourceDescriptor],
    found: &[ResourceDescriptor],
    layout: &ComposeLayout,
) -> anyhow::Result<()> {
    let by_name = |list: &[ResourceDescriptor]| -> BTreeMap<String, String> {
        list.iter()
            .map(|s| {
                (
                    s.name.clone().unwrap_or_default(),
                    s.sha256().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let (attested, found) = (by_name(attested), by_name(found));
    let compose = layout.compose();
    for (name, expected) in &attested {
        match found.get(name) {
            None => bail!(
                "{}: attested, but missing (or no longer a repository's repomd.xml, a tree's .treeinfo, a metadata file or an image images.json lists)",
                compose.join(name).display()
            ),
            Some(actual) if actual != expected => bail!(
                "{}: sha256 is {actual}, the attestation records {expected}",
                compose.join(name).display()
            ),
            Some(_) => {}
        }
    }
    if let Some(added) = found.keys().find(|name| !attested.contains_key(*name)) {
        bail!(
            "{}: not in the attestation (added after the compose was signed)",
            compose.join(added).display()
        );
    }
    Ok(())
}

/// The audit log is the one signed: as many records, ending with the same hash.
fn check_log(statement: &Statement, layout: &ComposeLayout) -> anyhow::Result<u64> {
    let log = layout.audit_log();
    let chain = verify_chain(&log)?;
    let byproduct = statement
        .predicate
        .run_details
        .byproducts
        .iter()
        .find(|b| b.name.as_deref() == Some("logs/global/audit.jsonl"))
        .context("the attestation names no audit log among its byproducts")?;
    let records = byproduct
        .annotations
        .get("records")
        .and_then(|v| v.as_u64());
    let last_hash = byproduct
        .annotations
        .get("lastHash")
        .and_then(|v| v.as_str());
    if records != Some(chain.lines) || last_hash != Some(chain.last_hash.as_str()) {
        bail!(
            "{}: the log has {} records ending with hash {}, the attestation records {} ending with {}",
            log.display(),
            chain.lines,
            chain.last_hash,
            records.map_or("no count".into(), |r| r.to_string()),
            last_hash.unwrap_or("no hash")
        );
    }
    Ok(chain.lines)
}

/// The head's `signature` names this envelope by its digest.
fn check_head(layout: &ComposeLayout, envelope: &[u8]) -> anyhow::Result<()> {
    let path = layout.audit_head();
    let head = read_head(&path).map_err(anyhow::Error::msg)?;
    let named = head
        .signature
        .as_ref()
        .and_then(|s| s["sha256"].as_str())
        .with_context(|| {
            format!(
                "{}: no signature field naming the attestation's digest",
                path.display()
            )
        })?;
    let actual = digest(envelope);
    if named != actual {
        bail!(
            "{}: its signature names an attestation with sha256 {named}, the attestation's is {actual}",
            path.display()
        );
    }
    Ok(())
}

/// The components the attestation names are the ones `components.lock` records (which
/// `audit verify` checks against every phase run of the log).
fn check_components(statement: &Statement, layout: &ComposeLayout) -> anyhow::Result<usize> {
    let path = layout.components_lock();
    open_regular(&path)?;
    let lock = ComponentLock::read(&path)?;
    let attested: BTreeMap<&str, &str> = statement
        .predicate
        .build_definition
        .resolved_dependencies
        .iter()
        .filter_map(|d| Some((d.name.as_deref()?.strip_prefix("phase/")?, d.sha256()?)))
        .collect();
    for (phase, sha256) in &lock.components {
        match attested.get(phase.as_str()) {
            Some(expected) if expected == sha256 => {}
            Some(expected) => bail!(
                "{}: phase `{phase}` ran component sha256 {sha256}, the attestation records {expected}",
                path.display()
            ),
            None => bail!(
                "{}: phase `{phase}` is not among the attestation's components",
                path.display()
            ),
        }
    }
    if let Some(phase) = attested.keys().find(|p| !lock.components.contains_key(**p)) {
        bail!(
            "{}: has no phase `{phase}`, which the attestation names",
            path.display()
        );
    }
    Ok(attested.len())
}

/// The config files, policies and `--restricted` the attestation names are the ones the
/// log recorded when the compose started (its last start, after a `--restart`).
fn check_inputs(statement: &Statement, layout: &ComposeLayout) -> anyhow::Result<()> {
    let log = layout.audit_log();
    let attested = ComposeInputs::of(&statement.predicate);
    let recorded = records(&log)?
        .into_iter()
        .rev()
        .find(|(_, record)| is_inputs_record(record));
    match recorded {
        None => bail!(
            "{}: no record of the compose's inputs (config, policy), which a signed compose writes first",
            log.display()
        ),
        Some((_, record)) if attested.are_recorded_as(&record["args"]) => Ok(()),
        Some((line, record)) => bail!(
            "{}:{line}: the compose's inputs recorded here are not the attestation's: the log records {}, the attestation {}",
            log.display(),
            record["args"],
            serde_json::to_value(&attested)?
        ),
    }
}
