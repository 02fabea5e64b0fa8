//! Createrepo: repodata for every tree Gather made (`<Variant>/<arch>/os`,
//! `.../debug/tree`, `<Variant>/source/tree`), with the variant's comps as the group file
//! of binary repos, and what makes a binary tree installable (`installable`); `createrepo_checksum` picks the digest. Output matches createrepo_c's
//! formats, and is byte-identical for identical inputs (timestamps come from the compose
//! date, not the clock). With `createrepo_allow_reuse` and `--old-composes`, a tree whose
//! inputs did not change since the newest finished old compose gets that compose's
//! repodata (see `reuse`).

mod installable;
mod reuse;

use pungi_documents::{
    CreaterepoDocument, GatherDocument, PkgsetDocument, RepoRecord, TreeKind, names,
};
use pungi_phase_sdk::{Context, Phase, PhaseError, Progress, Summary, log, register_phase};
use pungi_repodata::{ChecksumKind, RepoOptions, compose_date_epoch, write_repo};

struct Createrepo;

impl Phase for Createrepo {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let gather: GatherDocument = ctx.read_document(names::GATHER)?;
        let pkgset: PkgsetDocument = ctx.read_document(names::PKGSET)?;
        let options = repo_options(ctx)?;
        let info = ctx.info();
        // Fingerprints cost a pass over every package record, so they are made only
        // when reuse is on (in this compose and so in the one that reuses it).
        let allow_reuse = ctx.option_or("createrepo_allow_reuse", false)?;
        let old = if allow_reuse {
            reuse::OldRepos::find(ctx)?
        } else {
            None
        };
        let progress = Progress::begin(gather.trees.len() as u64, "writing repodata");
        let mut document = CreaterepoDocument::default();
        let (mut packages, mut reused) = (0u64, 0u64);
        for tree in &gather.trees {
            let records = tree
                .records(&pkgset)
                .map_err(|e| PhaseError::input(e.to_string()))?;
            let mut tree_options = options.clone();
            tree_options.group_file = tree.comps.as_ref().map(Into::into);
            let fingerprint = if allow_reuse {
                reuse::fingerprint(tree, &records, &tree_options)?
            } else {
                String::new()
            };
            if old
                .as_ref()
                .is_some_and(|old| old.reuse(tree, &fingerprint))
            {
                reused += 1;
            } else {
                write_repo(std::path::Path::new(&tree.path), &records, &tree_options)
                    .map_err(|e| PhaseError::input(format!("repodata for {}: {e}", tree.path)))?;
                log::info(format!("{}: {} packages", tree.path, tree.packages.len()));
            }
            if tree.kind == TreeKind::Binary {
                installable::write(ctx, &info, tree, options.timestamp)?;
            }
            packages += tree.packages.len() as u64;
            document.repos.push(RepoRecord {
                variant: tree.variant.clone(),
                arch: tree.arch.clone(),
                kind: tree.kind,
                path: tree.path.clone(),
                packages: tree.packages.len() as u64,
                fingerprint,
            });
            progress.advance(1);
        }
        progress.finish("done");
        ctx.write_document(names::CREATEREPO, &document)?;
        Ok(Summary::new(format!(
            "{} repositories, {packages} packages",
            document.repos.len()
        ))
        .count("repositories", document.repos.len() as u64)
        .count("reused", reused)
        .count("packages", packages))
    }
}

/// `createrepo_checksum` (sha256 by default) and a fixed timestamp from the compose
/// date, so repeated composes of the same inputs give the same repodata.
fn repo_options(ctx: &Context) -> Result<RepoOptions, PhaseError> {
    let checksum = match ctx
        .option_or("createrepo_checksum", "sha256".to_owned())?
        .as_str()
    {
        "sha" | "sha1" => ChecksumKind::Sha1,
        "sha224" => ChecksumKind::Sha224,
        "sha256" => ChecksumKind::Sha256,
        "sha384" => ChecksumKind::Sha384,
        "sha512" => ChecksumKind::Sha512,
        other => {
            return Err(PhaseError::config(format!(
                "createrepo_checksum = {other:?}: expected sha1, sha224, sha256, sha384 or sha512"
            )));
        }
    };
    let date = ctx.info().date;
    let epoch = compose_date_epoch(&date)
        .ok_or_else(|| PhaseError::internal(format!("compose date {date:?} is not YYYYMMDD")))?;
    let mut options = RepoOptions::at(epoch);
    options.checksum = checksum;
    options.changelog_limit = ctx.option("createrepo_changelog_limit")?;
    Ok(options)
}

register_phase!(Createrepo);
