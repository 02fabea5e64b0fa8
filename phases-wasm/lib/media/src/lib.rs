//! What the media phases (ExtraFiles, Productimg, Createiso, ImageChecksum, Test) share:
//! Pungi's format substitutions and volume ids, the media splitter, ISO 9660 header
//! reading, a cpio reader for package payloads and fetching configured file sources.

pub mod cpio;
pub mod digest;
pub mod header;
pub mod iso9660;
pub mod names;
pub mod sources;
pub mod split;
pub mod subst;
pub mod volid;
