//! How big and how deep a phase document may be. A document is written by one phase and
//! parsed by others and by the host (when it merges concurrent writes), so without
//! bounds one phase could hand every reader a document that exhausts its memory or its
//! parser's stack; the bounds follow the phases' own memory limits.

use super::HostError;
use crate::policy::Limits;

/// The deepest nesting of arrays and objects a document may have: serde_json's own
/// recursion limit, so every reader built on it parses any stored document.
pub const MAX_DEPTH: usize = 128;

/// The largest document the host parses into a tree to merge concurrent writes. The
/// documents several phases write (`images`, `deliverables`) are small; the big ones
/// (`pkgset`, `gather`) have one writer and are never merged.
pub const MAX_MERGED_BYTES: usize = 64 << 20;

/// The largest document a phase with `limits` may write or read: a quarter of its
/// memory limit, since it holds the text and the tree it parses it into.
pub fn max_bytes(limits: &Limits) -> u64 {
    limits.memory_bytes / 4
}

/// Refuses a document larger than `limit` bytes, saying whose limit it is.
pub fn check_size(name: &str, bytes: u64, limit: u64, phase: &str) -> Result<(), HostError> {
    if bytes > limit {
        return Err(HostError::Invalid(format!(
            "document `{name}` is {} MiB, more than the {} MiB phase `{phase}` may handle \
             (a quarter of its memory limit)",
            bytes.div_ceil(1 << 20),
            limit >> 20
        )));
    }
    Ok(())
}

/// Refuses a document nested deeper than [`MAX_DEPTH`]. One pass over the bytes, outside
/// strings (where brackets are text); the JSON itself is checked separately.
pub fn check_depth(name: &str, document: &str) -> Result<(), HostError> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for byte in document.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(HostError::Invalid(format!(
                        "document `{name}` nests arrays and objects more than {MAX_DEPTH} deep"
                    )));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings_only() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(check_depth("d", &deep(MAX_DEPTH)).is_ok());
        let error = check_depth("d", &deep(MAX_DEPTH + 1)).unwrap_err();
        assert!(error.to_string().contains("document `d` nests"), "{error}");
        let in_strings = format!(
            r#"{{"a": "{}", "b": "\"[[{}"}}"#,
            "[".repeat(500),
            "{".repeat(500)
        );
        assert!(check_depth("d", &in_strings).is_ok());
    }

    #[test]
    fn size_is_a_quarter_of_the_memory_limit() {
        let limits = Limits {
            memory_bytes: 1024 << 20,
            ..Limits::default()
        };
        assert_eq!(max_bytes(&limits), 256 << 20);
        assert!(check_size("pkgset", 256 << 20, max_bytes(&limits), "gather").is_ok());
        let error = check_size("pkgset", (256 << 20) + 1, max_bytes(&limits), "gather")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("257 MiB") && error.contains("phase `gather`"),
            "{error}"
        );
    }
}
