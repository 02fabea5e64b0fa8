//! The metadata documents the stock phases hand each other through the host's `metadata`
//! interface: the typed contract between phases. A third-party phase that reads them
//! depends on this crate and gets the same types.

use std::collections::BTreeMap;

use pungi_comps::Comps;
use pungi_repodata::Package;
use serde::{Deserialize, Serialize};

/// Document names, as granted in the policy.
pub mod names {
    pub const COMPS: &str = "comps";
    pub const PKGSET: &str = "pkgset";
    pub const GATHER: &str = "gather";
    pub const CREATEREPO: &str = "createrepo";
    pub const IMAGES: &str = "images";
    pub const TEST: &str = "test";
    pub const EXTRA_FILES: &str = "extra_files";
    pub const PRODUCTIMG: &str = "productimg";
}

/// Written by Init: the comps of each variant on each arch.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CompsDocument {
    /// variant uid -> arch -> comps.
    pub variants: BTreeMap<String, BTreeMap<String, VariantComps>>,
}

/// One variant's comps on one arch, and the file Init wrote it to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VariantComps {
    /// Virtual path of the comps XML (under `/work`).
    pub file: String,
    pub comps: Comps,
}

/// Written by Pkgset: every package available to the compose, per arch.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PkgsetDocument {
    /// arch -> the binary packages usable on it (its own arch and noarch).
    pub arches: BTreeMap<String, Vec<PkgsetPackage>>,
    /// Source packages.
    pub sources: Vec<PkgsetPackage>,
}

/// A package of the package set and where its file is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PkgsetPackage {
    /// Virtual path of the RPM file (under `/repos/...`).
    pub path: String,
    /// Signing key id, lower case; none for an unsigned package.
    pub sigkey: Option<String>,
    pub package: Package,
}

/// What a tree holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TreeKind {
    Binary,
    Debug,
    Source,
}

/// Written by Gather: every package tree of the compose with its packages.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GatherDocument {
    pub trees: Vec<Tree>,
}

/// One repository to be: `compose/<Variant>/<arch>/os`, `.../debug/tree` or
/// `<Variant>/source/tree`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tree {
    pub variant: String,
    /// `src` for the source tree.
    pub arch: String,
    pub kind: TreeKind,
    /// Virtual path of the tree root (under `/compose`).
    pub path: String,
    /// Package records with `location` relative to the tree root.
    pub packages: Vec<Package>,
    /// Virtual path of the comps file to publish as the repo's group file.
    pub comps: Option<String>,
}

/// Written by Createrepo: the repositories it made.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CreaterepoDocument {
    pub repos: Vec<RepoRecord>,
}

/// One repository with repodata.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RepoRecord {
    pub variant: String,
    pub arch: String,
    pub kind: TreeKind,
    /// Virtual path of the repository root.
    pub path: String,
    pub packages: u64,
    /// sha256 of everything the repodata was made from (package records, group file,
    /// options): a later compose with the same fingerprint may reuse this repodata.
    /// Empty when `createrepo_allow_reuse` was off.
    #[serde(default)]
    pub fingerprint: String,
}

/// Written by ExtraFiles: the files it copied into each variant.arch tree, so Createiso
/// can put them on every disc of a split set, as Pungi does.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraFilesDocument {
    pub trees: Vec<ExtraFilesTree>,
}

/// The extra files of one tree.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExtraFilesTree {
    pub variant: String,
    pub arch: String,
    /// Virtual path of the tree root (under `/compose`).
    pub path: String,
    pub files: Vec<ExtraFile>,
}

/// One extra file as `extra_files.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraFile {
    /// Relative to the tree root.
    pub file: String,
    pub size: u64,
    /// Algorithm name to hex digest (`media_checksums`).
    pub checksums: BTreeMap<String, String>,
}

/// Written by Productimg: the installer customization images it built.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProductimgDocument {
    pub images: Vec<ProductImage>,
}

/// One `product.img`, placed in a tree where Createiso (and Buildinstall) find it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductImage {
    pub variant: String,
    pub arch: String,
    /// Virtual path of the image (`/compose/<Variant>/<arch>/os/images/product.img`).
    pub path: String,
    pub size: u64,
}
