//! What the phases that hand their work to Koji share (Buildinstall, LiveImages,
//! LiveMedia, ImageBuild, OSBS, OSTree, OSTreeInstaller): reading their per-variant
//! option blocks, Pungi's release/version/target/ksurl hierarchy and generators, running
//! one task (submit, wait, result), fetching its outputs verified into the compose,
//! recording images, and settling a failed task as failable or fatal.

pub mod blocks;
pub mod deliver;
pub mod failure;
pub mod image_formats;
pub mod images;
pub mod lorax;
pub mod names;
pub mod release;
pub mod runroot;
pub mod task;
pub mod urls;
pub mod volid;
