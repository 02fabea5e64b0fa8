//! The productmd metadata files a compose ships in `compose/metadata/`.
//!
//! Release tooling (and the `productmd` Python library) reads these files to find what a
//! compose contains, so the models follow productmd's format 1.2 field for field; any
//! phase that writes one of them uses these types rather than ad-hoc JSON.

mod composeinfo;
mod header;
mod images;
mod modules;
mod rpms;

pub use composeinfo::{ComposeInfo, Release, Variant, VariantPaths};
pub use header::{Compose, FORMAT_VERSION, Header};
pub use images::{Image, Images};
pub use modules::Modules;
pub use rpms::{RpmCategory, RpmEntry, Rpms, RpmsBySource};
