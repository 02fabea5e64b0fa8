//! The stock phases' metadata documents, typed, with the name each is granted under.
//!
//! `ctx.read::<GatherDocument>()` reads the `gather` document as the type Gather wrote;
//! the policy still has to list the name (`metadata-read = ["gather"]`). Its trees name
//! their packages by position in the package set: read `PkgsetIndexDocument`
//! (`pkgset_index`: names, versions, sizes, source RPMs, dependencies; what solving
//! needs) or `PkgsetDocument` (`pkgset`: whole records, with licenses, checksums, file
//! lists and changelogs) and call `tree.resolve(&pkgset)`.

pub use pungi_documents::*;
pub use pungi_repodata::{Changelog, Checksum, ChecksumKind, Evr, Package, rpmvercmp};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A document type and the name it is stored and granted under.
pub trait Document: Serialize + DeserializeOwned {
    /// The name in `metadata-read` / `metadata-write` and in `state/documents/`.
    const NAME: &'static str;
}

impl Document for CompsDocument {
    const NAME: &'static str = names::COMPS;
}

impl Document for PkgsetDocument {
    const NAME: &'static str = names::PKGSET;
}

impl Document for PkgsetIndexDocument {
    const NAME: &'static str = names::PKGSET_INDEX;
}

impl Document for GatherDocument {
    const NAME: &'static str = names::GATHER;
}

impl Document for CreaterepoDocument {
    const NAME: &'static str = names::CREATEREPO;
}

impl Document for ExtraFilesDocument {
    const NAME: &'static str = names::EXTRA_FILES;
}

impl Document for ProductimgDocument {
    const NAME: &'static str = names::PRODUCTIMG;
}
