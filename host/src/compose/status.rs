use std::path::Path;

use crate::fsutil::write_atomic;

/// A compose's state as Pungi's `STATUS` file records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Started,
    Finished,
    FinishedIncomplete,
    Doomed,
    Terminated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Started => "STARTED",
            Status::Finished => "FINISHED",
            Status::FinishedIncomplete => "FINISHED_INCOMPLETE",
            Status::Doomed => "DOOMED",
            Status::Terminated => "TERMINATED",
        }
    }
}

/// Replaces `STATUS` atomically.
pub fn write_status(path: &Path, status: Status) -> anyhow::Result<()> {
    write_atomic(path, format!("{}\n", status.as_str()).as_bytes())
}
