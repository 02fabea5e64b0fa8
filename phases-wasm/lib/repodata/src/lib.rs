//! RPM package records, createrepo_c-compatible repodata, and rpm's
//! dependency matching, for the Pungi phases (pkgset, gather, createrepo,
//! test). Builds natively and for `wasm32-wasip2`; needs only a filesystem.

pub mod arch;
mod checksum;
mod closure;
mod copy;
mod date;
mod dependency;
mod error;
mod evr;
mod filelists;
mod other;
mod package;
mod primary;
mod provides;
mod read;
mod repomd;
mod rich;
mod rpmfile;
mod signature;
mod write;
mod xml;

pub use checksum::{Checksum, ChecksumKind};
pub use closure::{Unresolved, repoclosure};
pub use copy::copy_repodata;
pub use date::compose_date_epoch;
pub use dependency::{Dependency, Flag, Range};
pub use error::{Error, ParseError, Result};
pub use evr::{Evr, EvrRef, rpmvercmp};
pub use package::{Changelog, FileEntry, FileKind, Package, is_primary_file, is_shared_library};
pub use provides::{ProvidesIndex, wanted_files};
pub use read::{ReadOptions, read_repo};
pub use repomd::{Repomd, RepomdRecord};
pub use rich::{Rich, RichError};
pub use signature::{issuer_only_signature, signing_key_id};
pub use write::{RepoOptions, RepoSummary, write_repo};
