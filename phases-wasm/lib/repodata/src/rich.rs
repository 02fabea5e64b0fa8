//! rpm rich (boolean) dependencies such as `(foo >= 1.0 or (bar if baz))`,
//! parsed into a tree so that callers can give each operator its meaning:
//! a repoclosure asks "could anything satisfy this?", a depsolver asks "which
//! packages must I add, given what is already chosen?".
//!
//! The grammar is rpm's (`rpmrichParse`): a parenthesised expression of
//! plain dependencies joined by one operator kind; `and`, `or`, `with` may
//! chain (`a and b and c`), `if`/`unless` take an optional `else` branch,
//! `without` is binary. Nested parentheses make any combination.

use std::fmt;

use crate::dependency::{Dependency, Flag};
use crate::evr::Evr;

/// A parsed rich dependency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rich {
    /// A plain dependency (`foo`, `foo >= 1.0`, `/usr/bin/sh`).
    Atom(Dependency),
    /// All of them.
    And(Vec<Rich>),
    /// Any one of them.
    Or(Vec<Rich>),
    /// One package satisfying every part (`with`).
    With(Vec<Rich>),
    /// A package satisfying the first part and not the second (`without`).
    Without(Box<Rich>, Box<Rich>),
    /// `then` is needed when `condition` is met, else `otherwise` (if any).
    If {
        then: Box<Rich>,
        condition: Box<Rich>,
        otherwise: Option<Box<Rich>>,
    },
    /// `then` is needed unless `condition` is met, else `otherwise` (if any).
    Unless {
        then: Box<Rich>,
        condition: Box<Rich>,
        otherwise: Option<Box<Rich>>,
    },
}

/// Why a rich dependency could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RichError {
    pub input: String,
    pub reason: String,
}

impl fmt::Display for RichError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rich dependency `{}`: {}", self.input, self.reason)
    }
}

impl std::error::Error for RichError {}

impl Rich {
    /// Parses `expr`, which must start with `(`.
    pub fn parse(expr: &str) -> Result<Rich, RichError> {
        let error = |reason: String| RichError {
            input: expr.to_owned(),
            reason,
        };
        let tokens = tokens(expr);
        let mut parser = Parser { tokens, pos: 0 };
        let rich = parser.group().map_err(error)?;
        if parser.pos != parser.tokens.len() {
            return Err(error(format!(
                "unexpected `{}` after the expression",
                parser.tokens[parser.pos]
            )));
        }
        Ok(rich)
    }

    /// Every plain dependency named anywhere in the tree, in order.
    pub fn atoms(&self) -> Vec<&Dependency> {
        let mut out = Vec::new();
        self.collect_atoms(&mut out);
        out
    }

    fn collect_atoms<'a>(&'a self, out: &mut Vec<&'a Dependency>) {
        match self {
            Rich::Atom(d) => out.push(d),
            Rich::And(parts) | Rich::Or(parts) | Rich::With(parts) => {
                parts.iter().for_each(|p| p.collect_atoms(out))
            }
            Rich::Without(a, b) => {
                a.collect_atoms(out);
                b.collect_atoms(out);
            }
            Rich::If {
                then,
                condition,
                otherwise,
            }
            | Rich::Unless {
                then,
                condition,
                otherwise,
            } => {
                then.collect_atoms(out);
                condition.collect_atoms(out);
                if let Some(o) = otherwise {
                    o.collect_atoms(out);
                }
            }
        }
    }
}

/// The plain dependencies named in a rich dependency expression; an
/// unparsable expression names nothing.
pub(crate) fn atoms(expr: &str) -> Vec<Dependency> {
    Rich::parse(expr)
        .map(|r| r.atoms().into_iter().cloned().collect())
        .unwrap_or_default()
}

struct Parser<'a> {
    tokens: Vec<&'a str>,
    pos: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    And,
    Or,
    With,
    Without,
    If,
    Unless,
    Else,
}

fn operator(word: &str) -> Option<Op> {
    Some(match word {
        "and" => Op::And,
        "or" => Op::Or,
        "with" => Op::With,
        "without" => Op::Without,
        "if" => Op::If,
        "unless" => Op::Unless,
        "else" => Op::Else,
        _ => return None,
    })
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.tokens.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<&'a str> {
        let t = self.peek();
        self.pos += usize::from(t.is_some());
        t
    }

    fn expect(&mut self, wanted: &str) -> Result<(), String> {
        match self.next() {
            Some(t) if t == wanted => Ok(()),
            Some(t) => Err(format!("expected `{wanted}`, found `{t}`")),
            None => Err(format!("expected `{wanted}`, found the end")),
        }
    }

    /// `( operand (op operand)* )`
    fn group(&mut self) -> Result<Rich, String> {
        self.expect("(")?;
        let first = self.operand()?;
        let Some(word) = self.peek().filter(|w| *w != ")") else {
            self.expect(")")?;
            return Ok(first);
        };
        let op = operator(word).ok_or_else(|| format!("expected an operator, found `{word}`"))?;
        self.pos += 1;
        let rich = match op {
            Op::And | Op::Or | Op::With => {
                let mut parts = vec![first, self.operand()?];
                while self.peek().and_then(operator) == Some(op) {
                    self.pos += 1;
                    parts.push(self.operand()?);
                }
                match op {
                    Op::And => Rich::And(parts),
                    Op::Or => Rich::Or(parts),
                    _ => Rich::With(parts),
                }
            }
            Op::Without => Rich::Without(Box::new(first), Box::new(self.operand()?)),
            Op::If | Op::Unless => {
                let condition = Box::new(self.operand()?);
                let otherwise = if self.peek() == Some("else") {
                    self.pos += 1;
                    Some(Box::new(self.operand()?))
                } else {
                    None
                };
                let then = Box::new(first);
                if op == Op::If {
                    Rich::If {
                        then,
                        condition,
                        otherwise,
                    }
                } else {
                    Rich::Unless {
                        then,
                        condition,
                        otherwise,
                    }
                }
            }
            Op::Else => return Err("`else` without `if` or `unless`".into()),
        };
        self.expect(")")
            .map_err(|e| format!("{e} (operators of different kinds need parentheses)"))?;
        Ok(rich)
    }

    /// A nested group or a plain dependency `name [op evr]`.
    fn operand(&mut self) -> Result<Rich, String> {
        match self.peek() {
            Some("(") => self.group(),
            Some(")") | None => Err("expected a dependency".into()),
            Some(word) if operator(word).is_some() => {
                Err(format!("expected a dependency, found `{word}`"))
            }
            Some(name) => {
                self.pos += 1;
                let flag = self.peek().and_then(Flag::from_operator);
                let Some(flag) = flag else {
                    return Ok(Rich::Atom(Dependency::any(name)));
                };
                self.pos += 1;
                let evr = self
                    .next()
                    .filter(|e| *e != ")")
                    .ok_or_else(|| format!("`{name}`: a version after the operator"))?;
                let evr = Evr::parse(evr).map_err(|e| e.to_string())?;
                Ok(Rich::Atom(Dependency::versioned(name, flag, evr)))
            }
        }
    }
}

/// Splits into tokens as rpm does: `(` and `)` on their own when they group,
/// while a name keeps its balanced parentheses (`perl(Foo::Bar)`).
fn tokens(expr: &str) -> Vec<&str> {
    let bytes = expr.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        match bytes[pos] {
            b'(' | b')' => {
                out.push(&expr[pos..pos + 1]);
                pos += 1;
            }
            b if b.is_ascii_whitespace() || b == b',' => pos += 1,
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
                out.push(&expr[start..pos]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(expr: &str) -> Vec<String> {
        atoms(expr).iter().map(ToString::to_string).collect()
    }

    fn atom(s: &str) -> Rich {
        Rich::Atom(s.parse().unwrap())
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
        assert!(names("(((((").is_empty());
        assert!(names("(a >= )").is_empty());
    }

    #[test]
    fn parses_every_operator_and_nesting() {
        assert_eq!(
            Rich::parse("(a and b and c)").unwrap(),
            Rich::And(vec![atom("a"), atom("b"), atom("c")])
        );
        assert_eq!(
            Rich::parse("(a if b else c)").unwrap(),
            Rich::If {
                then: Box::new(atom("a")),
                condition: Box::new(atom("b")),
                otherwise: Some(Box::new(atom("c"))),
            }
        );
        assert_eq!(
            Rich::parse("(a unless (b or c >= 2))").unwrap(),
            Rich::Unless {
                then: Box::new(atom("a")),
                condition: Box::new(Rich::Or(vec![atom("b"), atom("c >= 2")])),
                otherwise: None,
            }
        );
        assert_eq!(
            Rich::parse("(pkg(x) without pkg(y) = 1)").unwrap(),
            Rich::Without(Box::new(atom("pkg(x)")), Box::new(atom("pkg(y) = 1")))
        );
        assert_eq!(Rich::parse("((a))").unwrap(), atom("a"));
    }

    #[test]
    fn refuses_ambiguous_or_broken_input() {
        for bad in [
            "(a and b or c)",
            "(a or)",
            "(and a)",
            "(a else b)",
            "(a b)",
            "(a",
            "(a) b",
            "",
        ] {
            assert!(Rich::parse(bad).is_err(), "{bad}");
        }
        let e = Rich::parse("(a and b or c)").unwrap_err();
        assert!(e.to_string().contains("parentheses"), "{e}");
    }
}
