//! Documents that would poison their readers: nested past any parser's limit, or larger
//! than the writer may hand on. Written through the raw WIT call, so the text is exactly
//! what the host receives.

use pungi_phase_sdk::bindings::pungi::phase::metadata;
use pungi_phase_sdk::{PhaseError, Summary};

use super::{denied, escaped};

/// A million nested arrays: valid JSON that no recursive parser reads.
pub fn too_deep() -> Result<Summary, PhaseError> {
    let depth = 1_000_000;
    let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    write(&text)
}

/// A JSON string of `mib` MiB.
pub fn too_large(mib: usize) -> Result<Summary, PhaseError> {
    let mut text = String::with_capacity((mib << 20) + 2);
    text.push('"');
    text.extend(std::iter::repeat_n('x', mib << 20));
    text.push('"');
    write(&text)
}

fn write(text: &str) -> Result<Summary, PhaseError> {
    match metadata::write("allowed-out", text) {
        Ok(()) => Ok(escaped(format!(
            "stored a document of {} bytes",
            text.len()
        ))),
        Err(error) => Err(denied(format!("writing the document: {error:?}"))),
    }
}
