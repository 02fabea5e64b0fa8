//! Shell-style matching with Python `fnmatch.fnmatchcase` semantics, which Pungi uses
//! for `glob="true"` variant groups and for groups kept even when empty.

/// Whether `name` matches `pattern` (`*`, `?`, `[seq]`, `[!seq]`), case-sensitively.
pub fn fnmatch(name: &str, pattern: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    matches(&name, &pattern)
}

fn matches(name: &[char], pattern: &[char]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some(('*', rest)) => (0..=name.len()).any(|skip| matches(&name[skip..], rest)),
        Some((first, rest)) => {
            let Some((&c, name_rest)) = name.split_first() else {
                return false;
            };
            match first {
                '?' => matches(name_rest, rest),
                '[' => match bracket(c, rest) {
                    Some((true, after)) => matches(name_rest, after),
                    Some((false, _)) => false,
                    // An unclosed `[` is a literal, as in Python.
                    None => c == '[' && matches(name_rest, rest),
                },
                literal => c == *literal && matches(name_rest, rest),
            }
        }
    }
}

/// Matches `c` against the set after a `[`; returns whether it matched and the pattern
/// after the closing `]`, or `None` when there is no closing `]`.
fn bracket(c: char, pattern: &[char]) -> Option<(bool, &[char])> {
    let (negated, body) = match pattern.first() {
        Some('!') => (true, &pattern[1..]),
        _ => (false, pattern),
    };
    // A `]` right after `[` or `[!` is part of the set.
    let close = body
        .iter()
        .skip(1)
        .position(|&ch| ch == ']')
        .map(|i| i + 1)?;
    let set = &body[..close];
    let mut hit = false;
    let mut i = 0;
    while i < set.len() {
        if i + 2 < set.len() && set[i + 1] == '-' {
            hit |= set[i] <= c && c <= set[i + 2];
            i += 3;
        } else {
            hit |= set[i] == c;
            i += 1;
        }
    }
    Some((hit != negated, &body[close + 1..]))
}

#[cfg(test)]
mod tests {
    use super::fnmatch;

    #[test]
    fn python_fnmatch_cases() {
        assert!(fnmatch("conflicts-server", "conflicts*"));
        assert!(fnmatch("core", "core"));
        assert!(!fnmatch("Core", "core"));
        assert!(fnmatch("gnome-desktop", "gnome-?esktop"));
        assert!(fnmatch("kde-apps", "[jk]de-*"));
        assert!(!fnmatch("kde-apps", "[!k]de-*"));
        assert!(fnmatch("]", "[]]"));
        assert!(fnmatch("b", "[!]]"));
        assert!(fnmatch("a5", "a[0-9]"));
        assert!(fnmatch("[x", "[x"));
        assert!(!fnmatch("", "?"));
        assert!(fnmatch("", "*"));
    }
}
