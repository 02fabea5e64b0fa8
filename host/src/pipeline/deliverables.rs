//! Failable deliverables: what phases reported failing but may (the SDK's
//! `Context::fail_deliverable`, kept per phase in its `deliverables` document), gathered
//! into `logs/global/deliverables.json` as Pungi writes it. Any of them turns FINISHED
//! into FINISHED_INCOMPLETE.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::capabilities::DocumentStore;
use crate::fsutil::write_json_atomic;

/// One failed deliverable, as a phase reported it (the SDK's `FailedDeliverable`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailedDeliverable {
    pub variant: String,
    pub arch: String,
    pub kind: String,
    pub subvariant: Option<String>,
    pub task_id: Option<u64>,
    pub log: Option<String>,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    failed: Vec<FailedDeliverable>,
}

/// What `phase` reported; an error names the document when it is not a report.
pub fn reported(documents: &DocumentStore, phase: &str) -> Result<Vec<FailedDeliverable>, String> {
    let path = documents.deliverables_path(phase);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    serde_json::from_str::<Report>(&text)
        .map(|r| r.failed)
        .map_err(|e| format!("its failed-deliverables report {}: {e}", path.display()))
}

/// Where a deliverable failed, as Pungi lists it: variant, arch, subvariant.
type Where<'a> = (&'a str, &'a str, Option<&'a str>);

/// `deliverables.json`: Pungi's `failed` map (kind -> [variant, arch, subvariant]) and,
/// beside it, each failure in full with the phase that reported it.
pub fn write_summary(path: &Path, failed: &[(String, FailedDeliverable)]) -> anyhow::Result<()> {
    let mut by_kind: BTreeMap<&str, Vec<Where>> = BTreeMap::new();
    for (_, f) in failed {
        by_kind
            .entry(&f.kind)
            .or_default()
            .push((&f.variant, &f.arch, f.subvariant.as_deref()));
    }
    #[derive(Serialize)]
    struct Detail<'a> {
        phase: &'a str,
        #[serde(flatten)]
        failed: &'a FailedDeliverable,
    }
    let details: Vec<Detail> = failed
        .iter()
        .map(|(phase, failed)| Detail { phase, failed })
        .collect();
    write_json_atomic(
        path,
        &serde_json::json!({ "failed": by_kind, "details": details }),
    )
}
