//! Reusing an older compose's repodata (`createrepo_allow_reuse` with `--old-composes`).
//! With the option on, every repository this phase writes is recorded with a fingerprint: the sha256 of its package records (which carry
//! each RPM's checksum, header range and file time), its group file and the options that
//! shape the output, but not the compose date. A later compose whose tree has the same
//! fingerprint as the newest finished old compose's tree of the same variant, arch and
//! kind gets that repodata copied (checked against its repomd.xml) instead of written
//! anew; its timestamps then stay those of the compose that made it, which is when the
//! repository last changed.

use std::path::Path;

use pungi_documents::{CreaterepoDocument, RepoRecord, Tree, names};
use pungi_phase_sdk::{Context, PhaseError, log};
use pungi_repodata::{ChecksumKind, Package, RepoOptions, copy_repodata};
use serde::Serialize;

/// The repositories of the old compose this one may reuse.
pub struct OldRepos {
    compose_id: String,
    /// Virtual path of the old compose's top directory.
    root: String,
    repos: Vec<RepoRecord>,
}

/// What decides a repository's bytes, apart from its timestamps.
#[derive(Serialize)]
struct Inputs<'a> {
    checksum: &'static str,
    changelog_limit: Option<usize>,
    unique_md_filenames: bool,
    group_file_sha256: Option<String>,
    packages: &'a [Package],
}

/// The fingerprint of `tree` written with `options`.
pub fn fingerprint(
    tree: &Tree,
    records: &[Package],
    options: &RepoOptions,
) -> Result<String, PhaseError> {
    let group_file_sha256 = match &tree.comps {
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| PhaseError::io(format!("reading the group file {path}"), e))?;
            Some(ChecksumKind::Sha256.digest(&bytes).hex)
        }
        None => None,
    };
    let inputs = Inputs {
        checksum: options.checksum.as_str(),
        changelog_limit: options.changelog_limit,
        unique_md_filenames: options.unique_md_filenames,
        group_file_sha256,
        packages: records,
    };
    let json = serde_json::to_vec(&inputs)
        .map_err(|e| PhaseError::internal(format!("fingerprint of {}: {e}", tree.path)))?;
    Ok(ChecksumKind::Sha256.digest(&json).hex)
}

impl OldRepos {
    /// The repositories of the newest finished old compose, when `--old-composes` gave
    /// one and it recorded them; an unreadable record is logged and ignored (reuse is an
    /// optimisation, never a reason to fail).
    pub fn find(ctx: &Context) -> Result<Option<OldRepos>, PhaseError> {
        let Some(old) = ctx.old_compose()? else {
            return Ok(None);
        };
        let path = old.join(&format!("state/documents/{}.json", names::CREATEREPO));
        let document: CreaterepoDocument = match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
        {
            Ok(document) => document,
            Err(error) => {
                log::warn(format!(
                    "old compose {}: no usable createrepo record ({path}: {error}); nothing reused",
                    old.id
                ));
                return Ok(None);
            }
        };
        Ok(Some(OldRepos {
            compose_id: old.id,
            root: old.path,
            repos: document.repos,
        }))
    }

    /// Copies the old repodata of `tree` when its fingerprint matches; whether it did.
    /// An old repository that fails its own checksums is logged and written anew.
    pub fn reuse(&self, tree: &Tree, fingerprint: &str) -> bool {
        let Some(old) = self.repos.iter().find(|r| {
            r.variant == tree.variant
                && r.arch == tree.arch
                && r.kind == tree.kind
                && !r.fingerprint.is_empty()
                && r.fingerprint == fingerprint
        }) else {
            return false;
        };
        let source = format!("{}/{}", self.root, old.path.trim_start_matches('/'));
        match copy_repodata(Path::new(&source), Path::new(&tree.path)) {
            Ok(_) => {
                log::info(format!(
                    "{}: repodata reused from {} (inputs unchanged)",
                    tree.path, self.compose_id
                ));
                true
            }
            Err(error) => {
                log::warn(format!(
                    "{}: cannot reuse the repodata of {}: {error}; writing it anew",
                    tree.path, self.compose_id
                ));
                false
            }
        }
    }
}
