//! Documents an earlier phase may not have written (it was skipped, or had nothing to do).

use pungi_phase_sdk::bindings::pungi::phase::metadata;
use pungi_phase_sdk::{HostError, PhaseError};
use serde::de::DeserializeOwned;

/// The document `name`, or `None` when no phase wrote it.
pub fn optional<T: DeserializeOwned>(name: &str) -> Result<Option<T>, PhaseError> {
    match metadata::read(name) {
        Ok(json) => serde_json::from_str(&json).map(Some).map_err(|e| {
            PhaseError::input(format!(
                "document `{name}` is not what this phase expects: {e}"
            ))
        }),
        Err(HostError::NotFound(_)) => Ok(None),
        Err(error) => Err(PhaseError::host(
            format_args!("reading document `{name}`"),
            error,
        )),
    }
}
