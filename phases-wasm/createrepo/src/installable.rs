//! What makes a binary tree installable, written once its repodata is there, as Pungi
//! writes them between Createrepo and Createiso (`write_tree_info`, `write_discinfo`,
//! `write_media_repo` in pungi/metadata.py): `.treeinfo` (the release, the variant, the
//! boot images Buildinstall made, and the checksums of the repository metadata and of
//! those images), `.discinfo` and `media.repo`. Addons get none: they are installed
//! from their parent's tree.

use std::path::Path;

use pungi_documents::Tree;
use pungi_phase_sdk::{ComposeInfo, Context, DigestAlgorithm, MountRole, PhaseError, fs};
use pungi_productmd::{
    BootImages, TreeInfo, TreeRelease, TreeVariant, description, discinfo, media_repo,
};

/// Writes the three files into `tree` (a binary tree with repodata); `timestamp` is
/// the repodata's, so a compose's trees and repositories carry one time.
pub fn write(
    ctx: &Context,
    info: &ComposeInfo,
    tree: &Tree,
    timestamp: u64,
) -> Result<(), PhaseError> {
    let Some(variant) = info.variants.iter().find(|v| v.uid == tree.variant) else {
        return Err(PhaseError::input(format!(
            "tree {} is of variant {}, which the compose does not have",
            tree.path, tree.variant
        )));
    };
    if variant.kind == "addon" {
        return Ok(());
    }
    let images = boot_images(ctx, &tree.variant, &tree.arch)?;
    let mut checksums = std::collections::BTreeMap::new();
    let files = std::iter::once("repodata/repomd.xml").chain(images.files());
    for file in files {
        let path = format!("{}/{file}", tree.path);
        // An image lorax listed but that is not in the tree (not linked) is named
        // without a checksum, as productmd allows.
        if Path::new(&path).is_file() {
            let sha256 = ctx.digest(&path, &[DigestAlgorithm::Sha256])?.remove(0);
            checksums.insert(file.to_owned(), format!("sha256:{sha256}"));
        }
    }
    let treeinfo = TreeInfo {
        release: TreeRelease {
            name: info.release_name.clone(),
            short: info.release_short.clone(),
            version: info.release_version.clone(),
        },
        arch: tree.arch.clone(),
        build_timestamp: timestamp,
        variant: TreeVariant {
            id: variant.id.clone(),
            uid: variant.uid.clone(),
            name: variant.name.clone(),
            kind: variant.kind.clone(),
            packages: "Packages".into(),
            repository: ".".into(),
        },
        images,
        checksums,
    };
    let media = description(&info.release_name, &info.release_version);
    for (name, text) in [
        (".treeinfo", treeinfo.to_ini()),
        (".discinfo", discinfo(timestamp, &media, &tree.arch, &[])),
        ("media.repo", media_repo(timestamp, &media)),
    ] {
        fs::write_atomic(&format!("{}/{name}", tree.path), text.as_bytes())?;
    }
    Ok(())
}

/// The images of the `.treeinfo` Buildinstall's lorax wrote for this variant.arch
/// (`work/<arch>/buildinstall/<variant>/.treeinfo`), none without Buildinstall.
fn boot_images(ctx: &Context, variant: &str, arch: &str) -> Result<BootImages, PhaseError> {
    let Ok(work) = ctx.mount_path(&MountRole::Work) else {
        return Ok(BootImages::default());
    };
    let path = format!("{work}/{arch}/buildinstall/{variant}/.treeinfo");
    match std::fs::read_to_string(&path) {
        Ok(text) => BootImages::parse(&text).map_err(|e| PhaseError::input(format!("{path}: {e}"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BootImages::default()),
        Err(e) => Err(PhaseError::io(format!("reading {path}"), e)),
    }
}
