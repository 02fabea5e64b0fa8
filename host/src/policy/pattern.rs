//! Argument patterns of command grants: shell-style `*` and `?`, except that a pattern
//! starting with a wildcard never matches an option (an argument starting with `-`), so
//! a grant like `["-o", "*.iso"]` cannot be turned into `--some-other-option`.

/// Whether `arg` matches `pattern`.
pub fn arg_matches(pattern: &str, arg: &str) -> bool {
    if arg.starts_with('-') && !pattern.starts_with('-') {
        return false;
    }
    glob(pattern.as_bytes(), arg.as_bytes())
}

fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    p = star + 1;
                    t = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::arg_matches;

    #[test]
    fn wildcards_match_values_but_never_options() {
        assert!(arg_matches("*.iso", "/compose/Server/x86_64/iso/a.iso"));
        assert!(arg_matches("-o", "-o"));
        assert!(arg_matches("--volid=*", "--volid=Demo-1.0"));
        assert!(arg_matches("a?c", "abc"));
        assert!(!arg_matches("*", "--exec=sh"));
        assert!(!arg_matches("*.iso", "a.img"));
        assert!(!arg_matches("-o", "-O"));
        assert!(
            arg_matches("*", "x; rm -rf /"),
            "no shell runs it, so metacharacters are just bytes"
        );
    }
}
