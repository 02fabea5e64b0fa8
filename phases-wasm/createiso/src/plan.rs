//! What goes on which disc: every file of the tree but its repodata, its media files
//! (`.treeinfo`, `.discinfo`, `media.repo`: each disc gets its own, see `stage`) and
//! Buildinstall's netinstall `images/boot.iso` (never on the DVD, as in Pungi),
//! boot and other files first, then the packages, split over discs of `media_size` with
//! the extra files on each (Pungi's `split_iso`).

use std::collections::BTreeSet;

use pungi_documents::{Placed, Tree};
use pungi_media::split::{Disc, MediaFile, split};
use pungi_phase_sdk::PhaseError;

/// Buildinstall's boot image in the os tree.
const NETINST: &str = "images/boot.iso";

/// The files that describe a tree or a disc, written for each disc.
pub const MEDIA_FILES: &[&str] = &[".treeinfo", ".discinfo", "media.repo"];

/// The discs of one tree, each a list of paths relative to the tree root.
pub fn discs(
    tree: &Tree,
    packages: &[Placed<'_>],
    sticky: &BTreeSet<String>,
    media_size: u64,
) -> Result<Vec<Disc>, PhaseError> {
    let mut others = Vec::new();
    walk(&tree.path, "", &mut others)?;
    let locations: BTreeSet<&str> = packages.iter().map(|p| p.location).collect();
    others.retain(|f| {
        !locations.contains(f.path.as_str())
            && f.path != NETINST
            && !MEDIA_FILES.contains(&f.path.as_str())
    });
    for file in &mut others {
        file.sticky = sticky.contains(&file.path);
    }
    let mut files = others;
    let mut sorted: Vec<_> = packages.iter().collect();
    sorted.sort_by(|a, b| a.location.cmp(b.location));
    files.extend(sorted.into_iter().map(|p| MediaFile {
        path: p.location.to_owned(),
        size: p.entry.package.size_package,
        sticky: false,
    }));
    split(&files, media_size).map_err(|e| {
        PhaseError::config(format!(
            "{}: {e}; raise iso_size or lower split_iso_reserve",
            tree.path
        ))
    })
}

/// Files under `root/prefix`, sorted, without `repodata/` at the top.
fn walk(root: &str, prefix: &str, out: &mut Vec<MediaFile>) -> Result<(), PhaseError> {
    let dir = if prefix.is_empty() {
        root.to_owned()
    } else {
        format!("{root}/{prefix}")
    };
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| PhaseError::io(format!("listing {dir}"), e))?
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let meta = entry
            .metadata()
            .map_err(|e| PhaseError::io(format!("reading {dir}/{name}"), e))?;
        if meta.is_dir() {
            if rel != "repodata" {
                walk(root, &rel, out)?;
            }
        } else {
            out.push(MediaFile {
                path: rel,
                size: meta.len(),
                sticky: false,
            });
        }
    }
    Ok(())
}
