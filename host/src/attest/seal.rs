//! Signing a compose (`compose --sign-key`): the key is read and the inputs digested
//! before anything runs; when every phase has ended and the audit log is durable, the
//! statement is made, signed and written in one rename, and the audit head names the
//! envelope's digest.

use std::collections::BTreeMap;

use anyhow::Context as _;
use serde_json::json;

use super::dsse::{Envelope, IN_TOTO_PAYLOAD};
use super::inputs::{ComposeInputs, records};
use super::keys::Signer;
use super::statement::{
    BuildDefinition, BuildMetadata, Builder, ExternalParameters, PROVENANCE_TYPE, Provenance,
    ResourceDescriptor, RunDetails, STATEMENT_TYPE, Statement, build_type,
};
use super::subjects::{ATTESTATION, collect};
use crate::audit::{AuditLog, digest, read_head, verify_log};
use crate::compose::ComposeLayout;
use crate::fsutil::write_atomic;
use crate::pipeline::{ComposeReport, PreparedCompose};
use crate::policy::RepoLocation;

/// What the audit log's byproduct entry is named, and where the head points.
const AUDIT_LOG: &str = "logs/global/audit.jsonl";

/// A compose to be signed: its key and inputs, read when it starts.
pub struct Attestor {
    signer: Signer,
    inputs: ComposeInputs,
    started_on: String,
}

impl Attestor {
    pub fn new(signer: Signer, inputs: ComposeInputs) -> Self {
        Attestor {
            signer,
            inputs,
            started_on: now(),
        }
    }

    /// Records the compose's inputs in its audit log, before any phase runs.
    pub fn record_inputs(&self, audit: &AuditLog) -> anyhow::Result<()> {
        self.inputs.record(audit)
    }

    /// Signs the finished compose: after its last phase, with its audit log synced and
    /// closed to further records. Nothing is written unless every step succeeds.
    pub fn seal(&self, prepared: &PreparedCompose, report: &ComposeReport) -> anyhow::Result<()> {
        let layout = &prepared.layout;
        let statement = self.statement(prepared, report)?;
        let payload = serde_json::to_vec(&statement)?;
        let envelope = Envelope::sign(IN_TOTO_PAYLOAD, &payload, &self.signer);
        let line = serde_json::to_string(&envelope)? + "\n";
        write_atomic(&layout.compose().join(ATTESTATION), line.as_bytes())
            .context("writing the attestation")?;
        let mut head = read_head(&layout.audit_head()).map_err(anyhow::Error::msg)?;
        head.signature = Some(json!({
            "envelope": format!("compose/{ATTESTATION}"),
            "sha256": digest(line.as_bytes()),
            "keyid": self.signer.public().keyid,
        }));
        write_atomic(
            &layout.audit_head(),
            serde_json::to_string(&head)?.as_bytes(),
        )
        .context("writing the signed audit head")
    }

    fn statement(
        &self,
        prepared: &PreparedCompose,
        report: &ComposeReport,
    ) -> anyhow::Result<Statement> {
        let layout = &prepared.layout;
        let facts = &prepared.facts;
        // What is signed is a log that verifies whole; never sign a broken one.
        let log = verify_log(&layout.audit_log(), &layout.audit_head())
            .context("the audit log does not verify; the compose is not signed")?;
        let mut dependencies: Vec<ResourceDescriptor> = report
            .phases
            .iter()
            .filter_map(|phase| {
                let component = phase.component.as_ref()?;
                Some(ResourceDescriptor::file(
                    format!("phase/{}", phase.name),
                    component,
                ))
            })
            .collect();
        dependencies.extend(self.inputs.policies.iter().cloned());
        let locations = &prepared.locations;
        for repo in &locations.repos {
            dependencies.push(repository(
                format!("pkgset_repos/{}/{}", repo.arch, repo.index),
                repo,
            ));
        }
        for repo in &locations.lookaside {
            dependencies.push(repository(format!("lookaside/{}", repo.index), repo));
        }
        if let Some(hub) = &locations.koji {
            dependencies.extend(koji_tags(layout, &hub.settings.server)?);
        }
        Ok(Statement {
            statement_type: STATEMENT_TYPE.into(),
            subject: collect(&layout.compose())?,
            predicate_type: PROVENANCE_TYPE.into(),
            predicate: Provenance {
                build_definition: BuildDefinition {
                    build_type: build_type(),
                    external_parameters: ExternalParameters {
                        compose_id: facts.id.clone(),
                        compose_type: facts.compose_type.clone(),
                        label: facts.label.clone(),
                        date: facts.date.clone(),
                        config: self.inputs.config.clone(),
                        restricted: self.inputs.restricted,
                        policy: self.inputs.policy.clone(),
                    },
                    resolved_dependencies: dependencies,
                },
                run_details: RunDetails {
                    builder: Builder::this_host(),
                    metadata: BuildMetadata {
                        invocation_id: facts.id.clone(),
                        started_on: self.started_on.clone(),
                        finished_on: now(),
                    },
                    byproducts: vec![ResourceDescriptor {
                        name: Some(AUDIT_LOG.into()),
                        annotations: BTreeMap::from([
                            ("records".to_owned(), json!(log.chain.lines)),
                            ("lastHash".to_owned(), json!(log.chain.last_hash)),
                        ]),
                        ..Default::default()
                    }],
                },
            },
        })
    }
}

/// An input repository by its location, pinned by the digest of its repomd.xml (which
/// pins its repodata and so every package) when it has one.
fn repository(name: String, repo: &RepoLocation) -> ResourceDescriptor {
    let repomd = std::fs::read(repo.path.join("repodata/repomd.xml")).ok();
    ResourceDescriptor {
        name: Some(name),
        uri: Some(format!("file://{}", repo.path.display())),
        digest: repomd
            .map(|bytes| BTreeMap::from([("sha256".to_owned(), digest(&bytes))]))
            .unwrap_or_default(),
        annotations: BTreeMap::from([("source".to_owned(), json!(repo.source))]),
    }
}

/// Every Koji tag the compose listed, at the event it listed it at, as the audit log
/// records the `list-tagged` calls.
fn koji_tags(layout: &ComposeLayout, server: &str) -> anyhow::Result<Vec<ResourceDescriptor>> {
    let mut tags = std::collections::BTreeSet::new();
    for (_, record) in records(&layout.audit_log())? {
        if record["interface"] == "koji"
            && record["operation"] == "list-tagged"
            && record["outcome"] == "started"
            && let Some(tag) = record["args"]["tag"].as_str()
        {
            tags.insert((tag.to_owned(), record["args"]["event"].as_u64()));
        }
    }
    Ok(tags
        .into_iter()
        .map(|(tag, event)| ResourceDescriptor {
            name: Some(format!("koji/{tag}")),
            uri: Some(server.to_owned()),
            annotations: BTreeMap::from([
                ("tag".to_owned(), json!(tag)),
                ("event".to_owned(), json!(event)),
            ]),
            ..Default::default()
        })
        .collect())
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
