//! The syntax tree of a config file: assignments, `global` declarations and includes.

use crate::error::Pos;

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    /// `name = value`.
    Assign {
        /// The option or variable name.
        name: String,
        /// Where the name is written, so validation can point at the assignment.
        pos: Pos,
        /// The value expression.
        value: Expr,
    },
    /// `global name`: kobo sets the name to `None` and hands its value down to the
    /// files included after it.
    Global {
        /// The name declared.
        name: String,
        /// Where the name is written.
        pos: Pos,
    },
    /// `from module import *` or `from module import a, b`.
    Include {
        /// The file name without `.conf`: the source text of the tokens between `from`
        /// and `import`, joined (`fedora-base`, `a.b`).
        module: String,
        /// `None` for `*`, otherwise the imported names and where they are written.
        names: Option<Vec<(String, Pos)>>,
        /// Where the `from` is.
        pos: Pos,
    },
}

/// An expression and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it starts.
    pub pos: Pos,
}

/// The expression forms kobo's parser reads.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// Integer literal, its sign included.
    Int(i64),
    /// Float literal, its sign included.
    Float(f64),
    /// String literal: its source text without the first and last character, as kobo
    /// takes it (escapes undecoded).
    Str(String),
    /// Reference to a name defined earlier.
    Name(String),
    /// `[...]`.
    List(Vec<Expr>),
    /// `(...)`: always a tuple, `(1)` too.
    Tuple(Vec<Expr>),
    /// `{key: value, ...}`.
    Dict(Vec<(Expr, Expr)>),
    /// `"template" % args`: only a string literal right before `%` formats.
    Format {
        /// The string literal's value.
        template: String,
        /// Where the `%` is, for formatting errors.
        op_pos: Pos,
        /// What it formats with.
        args: Box<Expr>,
    },
}
