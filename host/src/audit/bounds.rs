//! Bounds on what one record may hold, so a phase that passes huge arguments or provokes
//! huge error messages costs the audit log (and the terminal) a fixed amount per call.

use sha2::{Digest, Sha256};

/// Arguments whose JSON is longer than this are recorded as their length and sha256.
pub const MAX_ARGS: usize = 16 << 10;

/// A `detail` (or a denial's warning) is cut to this many bytes.
pub const MAX_DETAIL: usize = 4 << 10;

/// `args` as recorded: itself when its JSON fits [`MAX_ARGS`], otherwise
/// `{"omitted": {"bytes": N, "sha256": H}}` over its JSON, which still identifies what
/// was passed without storing it.
pub fn bounded_args(args: serde_json::Value) -> serde_json::Value {
    let text = args.to_string();
    if text.len() <= MAX_ARGS {
        return args;
    }
    serde_json::json!({
        "omitted": { "bytes": text.len(), "sha256": hex::encode(Sha256::digest(text.as_bytes())) }
    })
}

/// `text` cut to at most `limit` bytes on a character boundary, with a marker saying how
/// much was cut.
pub fn bounded_text(text: &str, limit: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= limit {
        return text.into();
    }
    let cut = text.floor_char_boundary(limit);
    format!("{}… [{} more bytes cut]", &text[..cut], text.len() - cut).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_args_are_kept_large_ones_become_length_and_digest() {
        let small = serde_json::json!({ "name": "pkgset" });
        assert_eq!(bounded_args(small.clone()), small);
        let large = serde_json::json!({ "args": ["x".repeat(MAX_ARGS)] });
        let text = large.to_string();
        let omitted = bounded_args(large);
        assert_eq!(omitted["omitted"]["bytes"], text.len());
        assert_eq!(
            omitted["omitted"]["sha256"],
            hex::encode(Sha256::digest(text.as_bytes()))
        );
    }

    #[test]
    fn text_is_cut_on_a_character_boundary_with_a_marker() {
        assert_eq!(bounded_text("short", 10), "short");
        let cut = bounded_text("ééééé", 5);
        assert_eq!(cut, "éé… [6 more bytes cut]");
    }
}
