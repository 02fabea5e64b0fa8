//! The compose directory as Pungi lays it out, its identity (compose ID, label, respin),
//! its `STATUS`, and the productmd metadata the host itself writes.

mod id;
mod latest;
mod layout;
mod metadata;
mod status;

pub use id::{ComposeId, ComposeType, LabelError, validate_label};
pub use latest::{LatestLink, update_latest_link};
pub use layout::{ComposeLayout, HOST_LOG_DIRS};
pub use metadata::{productmd_compose, write_composeinfo, write_modules};
pub use status::{Status, terminate_on_signal, write_status};
