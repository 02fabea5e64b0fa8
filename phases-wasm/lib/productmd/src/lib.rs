//! The productmd metadata files a compose ships in `compose/metadata/`.
//!
//! Release tooling (and the `productmd` Python library) reads these files to find what a
//! compose contains, so the models follow productmd's format 1.2 field for field; any
//! phase that writes one of them uses these types rather than ad-hoc JSON.

mod composeinfo;
mod discinfo;
mod header;
mod images;
mod modules;
mod rpms;
mod treeinfo;

pub use composeinfo::{ComposeInfo, Release, Variant, VariantPaths};
pub use discinfo::{description, discinfo, media_repo};
pub use header::{Compose, FORMAT_VERSION, Header};
pub use images::{Image, Images};
pub use modules::Modules;
pub use rpms::{RpmCategory, RpmEntry, Rpms, RpmsBySource};
pub use treeinfo::{BootImages, TreeInfo, TreeRelease, TreeVariant, for_disc};
