//! The syntax tree of a config file: assignments of expressions and includes.

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
    /// `from module import *` or `from module import a, b`.
    Include {
        /// The file name without `.conf`, spelled as in the source (`fedora-base`).
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

/// The expression forms a config may use.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// Integer literal.
    Int(i64),
    /// Float literal.
    Float(f64),
    /// String literal (adjacent literals already joined).
    Str(String),
    /// Reference to a name defined earlier.
    Name(String),
    /// `[...]`.
    List(Vec<Expr>),
    /// `(...)` with a comma, or `()`.
    Tuple(Vec<Expr>),
    /// `{key: value, ...}`.
    Dict(Vec<(Expr, Expr)>),
    /// `-x`.
    Neg(Box<Expr>),
    /// `a + b` or `a % b`; `op_pos` locates the operator for type errors.
    Binary {
        /// The operator.
        op: BinOp,
        /// Where the operator is.
        op_pos: Pos,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
}

/// The binary operators a config may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// Concatenation (or addition).
    Add,
    /// String formatting (or integer modulo).
    Mod,
}
