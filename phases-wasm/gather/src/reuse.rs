//! Reusing an older compose's package selection (`gather_allow_reuse = True` with
//! `--old-composes`), as Pungi's gather reuse does: when everything the selection
//! depends on is unchanged (the package set and comps documents, the variants and
//! arches, the gather options and the JSON mapping file), the dependency solving is
//! skipped and each variant.arch takes the old compose's list and reasons; linking into
//! the trees and the metadata are done as usual. The fingerprint of those inputs is
//! kept in `work/global/gather.fingerprint` for the composes after this one (so both
//! composes need the option; hashing the package set costs time only then).

use std::collections::{BTreeMap, HashMap};

use pungi_documents::{CompsDocument, PkgsetDocument};
use pungi_phase_sdk::{Context, DigestAlgorithm, MountRole, PhaseError, fs, log};
use serde_json::Value;

use crate::archset::ArchSet;
use crate::select::Selection;

/// Every option the selection reads.
const OPTIONS: &[&str] = &[
    "additional_packages",
    "filter_packages",
    "multilib",
    "multilib_blacklist",
    "multilib_whitelist",
    "gather_method",
    "gather_source",
    "gather_source_mapping",
    "greedy_method",
    "gather_fulltree",
    "gather_selfhosting",
    "check_deps",
    "gather_lookaside_repos",
];

const FINGERPRINT_FILE: &str = "global/gather.fingerprint";

/// sha256 of a value's JSON form.
fn sha256_of(value: &impl serde::Serialize) -> Result<String, PhaseError> {
    let json = serde_json::to_vec(value)
        .map_err(|e| PhaseError::internal(format!("gather fingerprint: {e}")))?;
    Ok(pungi_repodata::ChecksumKind::Sha256.digest(&json).hex)
}

/// The fingerprint of this compose's selection inputs; written for later composes.
pub fn fingerprint(
    ctx: &Context,
    mapping: Option<&str>,
    pkgset: &PkgsetDocument,
    comps: &CompsDocument,
) -> Result<String, PhaseError> {
    let work = ctx.mount_path(&MountRole::Work)?;
    let mut options = BTreeMap::new();
    for name in OPTIONS {
        options.insert(*name, ctx.option::<Value>(name)?);
    }
    let mapping = match mapping {
        Some(file) => {
            let path = format!("{}/{file}", ctx.mount_path(&MountRole::Config)?);
            Some(ctx.digest(&path, &[DigestAlgorithm::Sha256])?.concat())
        }
        None => None,
    };
    let info = ctx.info();
    let fingerprint = sha256_of(&serde_json::json!({
        "options": options,
        "mapping": mapping,
        "pkgset": sha256_of(pkgset)?,
        "comps": sha256_of(comps)?,
        "arches": info.arches,
        "variants": format!("{:?}", info.variants),
    }))?;
    fs::write_atomic(
        &format!("{work}/{FINGERPRINT_FILE}"),
        fingerprint.as_bytes(),
    )?;
    Ok(fingerprint)
}

/// The old compose whose selection this one takes.
pub struct OldSelection {
    compose_id: String,
    root: String,
}

impl OldSelection {
    /// The newest finished old compose, when its selection inputs had `fingerprint`.
    pub fn find(ctx: &Context, fingerprint: &str) -> Result<Option<OldSelection>, PhaseError> {
        let Some(old) = ctx.old_compose()? else {
            log::info("gather_allow_reuse: no finished old compose of this release");
            return Ok(None);
        };
        let recorded = std::fs::read_to_string(old.join(&format!("work/{FINGERPRINT_FILE}")))
            .unwrap_or_default();
        if recorded.trim() != fingerprint {
            log::info(format!(
                "gather_allow_reuse: the inputs changed since {}; selecting anew",
                old.id
            ));
            return Ok(None);
        }
        log::info(format!(
            "gather_allow_reuse: inputs unchanged since {}; reusing its selection",
            old.id
        ));
        Ok(Some(OldSelection {
            compose_id: old.id,
            root: old.path,
        }))
    }

    /// The old selection of `uid`.`arch` over this compose's packages (the first `own`
    /// of `set`; lookaside packages follow them and are never selected), or `None` (and
    /// a warning) when it cannot be taken whole.
    pub fn selection(&self, set: &ArchSet<'_>, own: usize, uid: &str) -> Option<Selection> {
        let arch = set.arch;
        let path = format!("{}/work/{arch}/gather/{uid}.{arch}.reasons.json", self.root);
        let reasons: BTreeMap<String, String> = match fs::read_json(&path) {
            Ok(reasons) => reasons,
            Err(error) => {
                log::warn(format!("{uid}.{arch}: cannot reuse {path}: {error}"));
                return None;
            }
        };
        let by_nevra: HashMap<String, usize> = set.packages[..own]
            .iter()
            .enumerate()
            .map(|(i, p)| (p.nevra(), i))
            .collect();
        let mut chosen = BTreeMap::new();
        for (nevra, why) in reasons {
            let Some(&index) = by_nevra.get(&nevra) else {
                log::warn(format!(
                    "{uid}.{arch}: {} chose {nevra}, which the package set lacks; selecting anew",
                    self.compose_id
                ));
                return None;
            };
            chosen.insert(nevra, (index, why));
        }
        Some(Selection {
            chosen,
            ..Selection::default()
        })
    }
}
