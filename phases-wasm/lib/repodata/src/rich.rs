//! A deliberately small reading of rpm rich (boolean) dependencies such as
//! `(foo >= 1.0 or (bar if baz))`: it only extracts the plain dependencies
//! named inside. Callers treat a rich dependency as satisfied when any of
//! them is. That is exact for `or`, but lenient for `and`/`with` (one part
//! suffices) and strict for `if`/`unless`/`without` (a condition that is
//! absent still needs some named package). Full rich-dependency semantics
//! are a later step; this keeps such requirements from crashing anything.

use crate::dependency::{Dependency, Flag};
use crate::evr::Evr;

const OPERATORS: [&str; 7] = ["and", "or", "if", "else", "unless", "with", "without"];

/// The plain dependencies named in a rich dependency expression.
pub(crate) fn atoms(expr: &str) -> Vec<Dependency> {
    let words = words(expr);
    let mut atoms = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        i += 1;
        if OPERATORS.contains(&word) || Flag::from_operator(word).is_some() {
            continue;
        }
        let versioned = words
            .get(i)
            .and_then(|op| Flag::from_operator(op))
            .zip(words.get(i + 1).and_then(|evr| Evr::parse(evr).ok()));
        match versioned {
            Some((flag, evr)) => {
                atoms.push(Dependency::versioned(word, flag, evr));
                i += 2;
            }
            None => atoms.push(Dependency::any(word)),
        }
    }
    atoms
}

/// Splits into words as rpm's `SKIPNONWHITEX` does: a word ends at white
/// space, a comma or an unbalanced `)`, so `perl(Foo::Bar)` stays whole,
/// while grouping parentheses are dropped.
fn words(expr: &str) -> Vec<&str> {
    let bytes = expr.as_bytes();
    let mut words = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        match bytes[pos] {
            b'(' | b')' | b',' => pos += 1,
            b if b.is_ascii_whitespace() => pos += 1,
            _ => {
                let start = pos;
                let mut depth = 0usize;
                while pos < bytes.len() {
                    match bytes[pos] {
                        b if b.is_ascii_whitespace() || b == b',' => break,
                        b')' if depth == 0 => break,
                        b')' => depth -= 1,
                        b'(' => depth += 1,
                        _ => {}
                    }
                    pos += 1;
                }
                words.push(&expr[start..pos]);
            }
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(expr: &str) -> Vec<String> {
        atoms(expr).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn extracts_alternatives() {
        assert_eq!(names("(a or b)"), ["a", "b"]);
        assert_eq!(
            names("(foo >= 1.0 or (bar if baz))"),
            ["foo >= 1.0", "bar", "baz"]
        );
        assert_eq!(
            names("(perl(Foo::Bar) >= 2 with python3dist(x))"),
            ["perl(Foo::Bar) >= 2", "python3dist(x)"]
        );
        assert_eq!(names("((((("), Vec::<String>::new());
        assert_eq!(names("(a >= )"), ["a"]);
        assert_eq!(names(")))a((( b"), ["a(((", "b"]);
    }
}
