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
    pub const PKGSET_INDEX: &str = "pkgset_index";
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

impl PkgsetDocument {
    /// The list a tree of `arch` takes its packages from: [`PkgsetDocument::sources`] for
    /// `src`, else the arch's (empty when the arch has none).
    pub fn list(&self, arch: &str) -> &[PkgsetPackage] {
        match arch {
            "src" => &self.sources,
            _ => self.arches.get(arch).map_or(&[], Vec::as_slice),
        }
    }

    /// The same package set as dependency solving sees it, in the same order (so a
    /// position means the same package in both): written by Pkgset as the
    /// `pkgset_index` document, which Gather and the phases that need no file lists or
    /// changelogs read instead of the full records. See [`Package::solving_view`].
    pub fn solving_index(&self) -> PkgsetDocument {
        let all = self.arches.values().flatten().chain(&self.sources);
        let wanted = pungi_repodata::wanted_files(all.map(|p| &p.package));
        let view = |list: &Vec<PkgsetPackage>| {
            list.iter()
                .map(|p| PkgsetPackage {
                    path: p.path.clone(),
                    sigkey: p.sigkey.clone(),
                    package: p.package.solving_view(&wanted),
                })
                .collect()
        };
        PkgsetDocument {
            arches: self
                .arches
                .iter()
                .map(|(arch, list)| (arch.clone(), view(list)))
                .collect(),
            sources: view(&self.sources),
        }
    }
}

/// Written by Pkgset: [`PkgsetDocument::solving_index`] of its package set, for the
/// phases that resolve tree packages ([`Tree::resolve`]) to names, versions, sizes or
/// checksums and need no file lists or changelogs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PkgsetIndexDocument(pub PkgsetDocument);

impl std::ops::Deref for PkgsetIndexDocument {
    type Target = PkgsetDocument;

    fn deref(&self) -> &PkgsetDocument {
        &self.0
    }
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

/// Written by Gather: every package tree of the compose with its packages. Packages are
/// named by their position in the package set, not copied: at distribution scale a copy
/// per tree would be most of the compose's metadata. [`Tree::resolve`] gives the records.
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
    /// The packages, sorted by location: positions in the package set's list for
    /// `arch` (see [`PkgsetDocument::list`]).
    pub packages: Vec<TreePackage>,
    /// Virtual path of the comps file to publish as the repo's group file.
    pub comps: Option<String>,
}

/// One package of a tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreePackage {
    /// Position in the package set's list for the tree's arch; the same in the `pkgset`
    /// and `pkgset_index` documents.
    pub index: u32,
    /// Path of the package file relative to the tree root, e.g. `Packages/b/bash-….rpm`.
    pub location: String,
}

/// A tree package with its package set record.
#[derive(Debug, Clone, Copy)]
pub struct Placed<'a> {
    pub entry: &'a PkgsetPackage,
    /// Relative to the tree root.
    pub location: &'a str,
}

impl Placed<'_> {
    /// The package record as the tree's repodata describes it: `location` in the tree.
    pub fn record(&self) -> Package {
        Package {
            location: self.location.to_owned(),
            ..self.entry.package.clone()
        }
    }
}

/// A tree names a package its package set does not have: the documents are not from
/// the same compose (or one was edited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DanglingPackage {
    pub tree: String,
    pub index: u32,
    pub list_len: usize,
}

impl std::fmt::Display for DanglingPackage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "tree {} names package {} of a package set list of {}: the gather and pkgset \
             documents are not from the same run",
            self.tree, self.index, self.list_len
        )
    }
}

impl std::error::Error for DanglingPackage {}

impl Tree {
    /// Each package of the tree with its record in `pkgset` (the `pkgset` document for
    /// full records, `pkgset_index` for the solving view), in the tree's order.
    pub fn resolve<'a>(
        &'a self,
        pkgset: &'a PkgsetDocument,
    ) -> Result<Vec<Placed<'a>>, DanglingPackage> {
        let list = pkgset.list(&self.arch);
        self.packages
            .iter()
            .map(|p| {
                let entry = list.get(p.index as usize).ok_or_else(|| DanglingPackage {
                    tree: self.path.clone(),
                    index: p.index,
                    list_len: list.len(),
                })?;
                Ok(Placed {
                    entry,
                    location: &p.location,
                })
            })
            .collect()
    }

    /// The tree's package records as its repodata describes them ([`Placed::record`]).
    pub fn records(&self, pkgset: &PkgsetDocument) -> Result<Vec<Package>, DanglingPackage> {
        Ok(self.resolve(pkgset)?.iter().map(Placed::record).collect())
    }
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

#[cfg(test)]
mod tests {
    use pungi_repodata::{Dependency, FileEntry, FileKind};

    use super::*;

    fn package(name: &str, requires: &[&str], files: &[&str]) -> PkgsetPackage {
        PkgsetPackage {
            path: format!("/repos/x86_64/0/{name}.rpm"),
            sigkey: None,
            package: Package {
                name: name.to_owned(),
                version: "1".to_owned(),
                release: "1".to_owned(),
                arch: "x86_64".to_owned(),
                summary: format!("The {name} package"),
                license: "MIT".to_owned(),
                size_package: 1234,
                checksum: pungi_repodata::ChecksumKind::Sha256.digest(name.as_bytes()),
                location: format!("Packages/{name}.rpm"),
                requires: requires.iter().map(|r| Dependency::any(*r)).collect(),
                files: files
                    .iter()
                    .map(|f| FileEntry {
                        path: (*f).to_owned(),
                        kind: FileKind::File,
                    })
                    .collect(),
                ..Package::default()
            },
        }
    }

    #[test]
    fn the_solving_index_keeps_identity_size_dependencies_and_required_files_only() {
        let full = PkgsetDocument {
            arches: BTreeMap::from([(
                "x86_64".to_owned(),
                vec![
                    package("app", &["/usr/bin/tool"], &["/usr/share/app/data"]),
                    package("tool", &[], &["/usr/bin/tool", "/usr/share/doc/tool"]),
                ],
            )]),
            sources: Vec::new(),
        };
        let index = full.solving_index();
        let tool = &index.arches["x86_64"][1];
        assert_eq!(tool.package.name, "tool");
        assert_eq!(tool.package.size_package, 1234);
        assert_eq!(tool.path, "/repos/x86_64/0/tool.rpm");
        let files: Vec<&str> = tool.package.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(files, ["/usr/bin/tool"]);
        let app = &index.arches["x86_64"][0].package;
        assert_eq!(app.requires, full.arches["x86_64"][0].package.requires);
        assert!(app.files.is_empty());

        let json = serde_json::to_string(&index).unwrap();
        for gone in ["summary", "license", "checksum", "location", "header_range"] {
            assert!(!json.contains(&format!("\"{gone}\"")), "{gone} in {json}");
        }
        let back: PkgsetDocument = serde_json::from_str(&json).unwrap();
        assert_eq!(back.arches["x86_64"][1].package, tool.package);
    }
}
