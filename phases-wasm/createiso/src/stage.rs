//! A disc's tree in `work/<arch>/iso/<image name>/`: its files hardlinked from the
//! compose tree (boot images copied, since mkisofs may write into them), and repodata:
//! the tree's own for a single disc, a new one of the disc's packages for a split set.

use std::collections::BTreeSet;
use std::path::Path;

use pungi_documents::Tree;
use pungi_media::split::Disc;
use pungi_phase_sdk::{Context, PhaseError, fs};
use pungi_repodata::{Package, ReadOptions, RepoOptions, read_repo, write_repo};

/// Files that `-boot-info-table` patches in place: copied, never linked.
pub const PATCHED_BOOT_FILES: &[&str] = &["isolinux/isolinux.bin", "images/boot.img"];

/// Builds the staging directory of disc `number` of `total`; returns its packages'
/// count.
pub fn stage(
    ctx: &Context,
    tree: &Tree,
    disc: &Disc,
    (number, total): (usize, usize),
    repo: &mut Option<Vec<Package>>,
    dir: &str,
) -> Result<usize, PhaseError> {
    let split = total > 1;
    if Path::new(dir).exists() {
        std::fs::remove_dir_all(dir).map_err(|e| PhaseError::io(format!("clearing {dir}"), e))?;
    }
    for file in &disc.files {
        let (from, to) = (format!("{}/{file}", tree.path), format!("{dir}/{file}"));
        if PATCHED_BOOT_FILES.contains(&file.as_str()) {
            if let Some(parent) = Path::new(&to).parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| PhaseError::io(format!("creating {}", parent.display()), e))?;
            }
            std::fs::copy(&from, &to).map_err(|e| PhaseError::io(format!("copying {from}"), e))?;
        } else {
            ctx.link(&from, &to)?;
        }
    }
    let on_disc: BTreeSet<&str> = disc.files.iter().map(String::as_str).collect();
    write_media_files(tree, dir, (number, total), &on_disc)?;
    let count = tree
        .packages
        .iter()
        .filter(|p| on_disc.contains(p.location.as_str()))
        .count();
    if !split {
        for entry in std::fs::read_dir(format!("{}/repodata", tree.path))
            .map_err(|e| PhaseError::io(format!("listing {}/repodata", tree.path), e))?
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            ctx.link(
                &format!("{}/repodata/{name}", tree.path),
                &format!("{dir}/repodata/{name}"),
            )?;
        }
        return Ok(count);
    }
    if repo.is_none() {
        let options = ReadOptions {
            filelists: true,
            changelogs: true,
        };
        *repo =
            Some(read_repo(Path::new(&tree.path), &options).map_err(|e| {
                PhaseError::input(format!("reading repodata of {}: {e}", tree.path))
            })?);
    }
    let packages: Vec<Package> = repo
        .as_ref()
        .into_iter()
        .flatten()
        .filter(|p| on_disc.contains(p.location.as_str()))
        .cloned()
        .collect();
    write_repo(Path::new(dir), &packages, &repo_options(tree, &packages)?)
        .map_err(|e| PhaseError::input(format!("repodata for {dir}: {e}")))?;
    Ok(count)
}

/// The tree's own repodata settings: its revision (the compose date Createrepo used), its
/// package checksum, and its comps as the group file.
fn repo_options(tree: &Tree, packages: &[Package]) -> Result<RepoOptions, PhaseError> {
    let repomd_path = format!("{}/repodata/repomd.xml", tree.path);
    let repomd = pungi_phase_sdk::fs::read_to_string(&repomd_path)?;
    let revision = repomd
        .split_once("<revision>")
        .and_then(|(_, rest)| rest.split_once("</revision>"))
        .and_then(|(r, _)| r.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let mut options = RepoOptions::at(revision);
    if let Some(first) = packages.first() {
        options.checksum = first.checksum.algorithm;
    }
    options.group_file = tree.comps.as_ref().map(Into::into);
    Ok(options)
}

/// The tree's `.treeinfo` made the disc's (a `[media]` section, only the images and
/// checksums of files on it, as Pungi's createiso tweaks it), its `.discinfo` naming
/// the disc, and its `media.repo`; nothing for a tree without them (source trees).
fn write_media_files(
    tree: &Tree,
    dir: &str,
    (number, total): (usize, usize),
    on_disc: &BTreeSet<&str>,
) -> Result<(), PhaseError> {
    let read = |name: &str| match std::fs::read_to_string(format!("{}/{name}", tree.path)) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(PhaseError::io(format!("reading {}/{name}", tree.path), e)),
    };
    let write =
        |name: &str, text: &str| fs::write_atomic(&format!("{dir}/{name}"), text.as_bytes());
    if let Some(treeinfo) = read(".treeinfo")? {
        // A single disc carries the tree's repodata (so its checksum holds); each disc of
        // a split set has repodata of its own.
        let on_this_disc =
            |path: &str| on_disc.contains(path) || (total == 1 && path.starts_with("repodata/"));
        let disc_treeinfo = pungi_productmd::for_disc(&treeinfo, number, total, on_this_disc)
            .map_err(|e| PhaseError::input(format!("{}/.treeinfo: {e}", tree.path)))?;
        write(".treeinfo", &disc_treeinfo)?;
    }
    if let Some(discinfo) = read(".discinfo")? {
        // Its lines: timestamp, description, arch, disc numbers.
        let kept: Vec<&str> = discinfo.lines().take(3).collect();
        write(".discinfo", &format!("{}\n{number}\n", kept.join("\n")))?;
    }
    if let Some(media_repo) = read("media.repo")? {
        write("media.repo", &media_repo)?;
    }
    Ok(())
}
