//! Turns tokens into statements, accepting exactly the Python subset a Pungi config
//! may use and naming, for anything else, what was expected and what was found.

use std::path::Path;

use crate::ast::{BinOp, Expr, ExprKind, Stmt};
use crate::error::{ConfigError, Pos};
use crate::lexer::{Tok, Token};

const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Operators Python has but configs may not use, so the error can say so.
const UNSUPPORTED_BINARY: [&str; 13] = [
    "-", "*", "/", "//", "**", "==", "!=", "<", ">", "<=", ">=", "|", "&",
];

/// How deep an expression may nest: brackets, unary minus and each operator of a chain
/// (`a + b + c` is two levels) count. Real configs nest a handful of levels; parsing and
/// evaluating recurse once per level, so an unbounded depth could overflow the stack.
pub const MAX_DEPTH: usize = 200;

/// Parses a whole file.
pub fn parse(tokens: &[Token], path: &Path) -> Result<Vec<Stmt>, ConfigError> {
    let mut parser = Parser {
        tokens,
        i: 0,
        path,
        depth: 0,
    };
    let mut statements = Vec::new();
    loop {
        match &parser.peek().tok {
            Tok::Eof => return Ok(statements),
            Tok::Newline => parser.i += 1,
            _ => statements.push(parser.statement()?),
        }
    }
}

struct Parser<'a> {
    tokens: &'a [Token],
    i: usize,
    path: &'a Path,
    /// Nesting levels of the expression being parsed. An error ends the parse, so the
    /// paths that return one need not restore it.
    depth: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &'a Token {
        &self.tokens[self.i.min(self.tokens.len() - 1)]
    }

    fn next(&mut self) -> &'a Token {
        let token = self.peek();
        self.i += 1;
        token
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek().tok, Tok::Op(found) if found == op)
    }

    fn error(&self, pos: Pos, message: impl Into<String>) -> ConfigError {
        ConfigError::new(self.path, pos, message)
    }

    fn expected(&self, what: &str) -> ConfigError {
        let found = self.peek();
        self.error(
            found.pos,
            format!("expected {what}, found {}", found.describe()),
        )
    }

    fn statement(&mut self) -> Result<Stmt, ConfigError> {
        let token = self.next();
        let Tok::Name(name) = &token.tok else {
            self.i -= 1;
            return Err(self.expected("an option name"));
        };
        let statement = match name.as_str() {
            "from" => self.include(token.pos)?,
            "import" => {
                return Err(self.error(
                    token.pos,
                    "`import` is not supported; include another config with `from <file> import *`",
                ));
            }
            "global" => {
                return Err(self.error(token.pos, "`global` declarations are not supported"));
            }
            keyword if KEYWORDS.contains(&keyword) => {
                return Err(self.error(
                    token.pos,
                    format!("expected an option name, found keyword `{keyword}`"),
                ));
            }
            private if private.starts_with('_') => {
                return Err(self.error(
                    token.pos,
                    format!("option names may not start with `_` (kobo rejects `{private}`)"),
                ));
            }
            _ => {
                if !self.is_op("=") {
                    return Err(self.expected(&format!("`=` after `{name}`")));
                }
                self.i += 1;
                Stmt::Assign {
                    name: name.clone(),
                    pos: token.pos,
                    value: self.expression()?,
                }
            }
        };
        match self.peek().tok {
            Tok::Newline | Tok::Eof => Ok(statement),
            Tok::Op(op) if UNSUPPORTED_BINARY.contains(&op) => Err(self.error(
                self.peek().pos,
                format!("operator `{op}` is not supported; only `+` and `%` are"),
            )),
            _ => Err(self.expected("end of line")),
        }
    }

    fn include(&mut self, pos: Pos) -> Result<Stmt, ConfigError> {
        let mut module = String::new();
        loop {
            let token = self.peek();
            match &token.tok {
                Tok::Name(name) if name == "import" => break,
                Tok::Name(_) | Tok::Int(_) | Tok::Op("." | "-" | "/") => {
                    module.push_str(&token.text);
                    self.i += 1;
                }
                _ if module.is_empty() => return Err(self.expected("a file name after `from`")),
                _ => return Err(self.expected("`import`")),
            }
        }
        if module.is_empty() {
            return Err(self.expected("a file name after `from`"));
        }
        self.i += 1;
        if self.is_op("*") {
            self.i += 1;
            return Ok(Stmt::Include {
                module,
                names: None,
                pos,
            });
        }
        let mut names = Vec::new();
        loop {
            let token = self.next();
            match &token.tok {
                Tok::Name(name) if !KEYWORDS.contains(&name.as_str()) => {
                    names.push((name.clone(), token.pos));
                }
                _ => {
                    self.i -= 1;
                    return Err(self.expected("`*` or a name to import"));
                }
            }
            if !self.is_op(",") {
                break;
            }
            self.i += 1;
        }
        Ok(Stmt::Include {
            module,
            names: Some(names),
            pos,
        })
    }

    /// Enters one more nesting level at the next token, refusing more than [`MAX_DEPTH`].
    fn deeper(&mut self) -> Result<(), ConfigError> {
        if self.depth == MAX_DEPTH {
            return Err(self.error(
                self.peek().pos,
                format!("expression nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    fn expression(&mut self) -> Result<Expr, ConfigError> {
        self.chain("+", BinOp::Add, Self::term)
    }

    fn term(&mut self) -> Result<Expr, ConfigError> {
        self.chain("%", BinOp::Mod, Self::unary)
    }

    /// `operand (op operand)*`, left-associative: each operator nests the tree one level.
    fn chain(
        &mut self,
        op_text: &str,
        op: BinOp,
        operand: fn(&mut Self) -> Result<Expr, ConfigError>,
    ) -> Result<Expr, ConfigError> {
        let depth = self.depth;
        let mut lhs = operand(self)?;
        while self.is_op(op_text) {
            self.deeper()?;
            lhs = self.binary(lhs, op, operand)?;
        }
        self.depth = depth;
        Ok(lhs)
    }

    fn binary(
        &mut self,
        lhs: Expr,
        op: BinOp,
        operand: fn(&mut Self) -> Result<Expr, ConfigError>,
    ) -> Result<Expr, ConfigError> {
        let op_pos = self.next().pos;
        let rhs = operand(self)?;
        Ok(Expr {
            pos: lhs.pos,
            kind: ExprKind::Binary {
                op,
                op_pos,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
        })
    }

    fn unary(&mut self) -> Result<Expr, ConfigError> {
        if self.is_op("-") {
            self.deeper()?;
            let pos = self.next().pos;
            let operand = self.unary()?;
            self.depth -= 1;
            return Ok(Expr {
                kind: ExprKind::Neg(Box::new(operand)),
                pos,
            });
        }
        let atom = self.atom()?;
        let unsupported = match self.peek().tok {
            Tok::Op("(") => Some("function calls are not supported"),
            Tok::Op("[") => Some("indexing is not supported"),
            Tok::Op(".") => Some("attribute access is not supported"),
            _ => None,
        };
        match unsupported {
            Some(message) => Err(self.error(self.peek().pos, message)),
            None => Ok(atom),
        }
    }

    fn atom(&mut self) -> Result<Expr, ConfigError> {
        let token = self.next();
        let kind = match &token.tok {
            Tok::Int(i) => ExprKind::Int(*i),
            Tok::Float(f) => ExprKind::Float(*f),
            Tok::Str(first) => {
                let mut text = first.clone();
                while let Tok::Str(more) = &self.peek().tok {
                    text.push_str(more);
                    self.i += 1;
                }
                ExprKind::Str(text)
            }
            Tok::Name(name) => match name.as_str() {
                "True" => ExprKind::Bool(true),
                "False" => ExprKind::Bool(false),
                "None" => ExprKind::None,
                keyword if KEYWORDS.contains(&keyword) => {
                    return Err(self.error(
                        token.pos,
                        format!("expected a value, found keyword `{keyword}`"),
                    ));
                }
                _ => ExprKind::Name(name.clone()),
            },
            Tok::Op("[") => {
                self.deeper()?;
                let items = self.items(token, "]")?;
                self.depth -= 1;
                ExprKind::List(items)
            }
            Tok::Op("(") => {
                self.deeper()?;
                let expr = self.parenthesized(token)?;
                self.depth -= 1;
                return Ok(expr);
            }
            Tok::Op("{") => {
                self.deeper()?;
                let entries = self.dict(token)?;
                self.depth -= 1;
                ExprKind::Dict(entries)
            }
            _ => {
                self.i -= 1;
                return Err(self.expected("a value"));
            }
        };
        Ok(Expr {
            kind,
            pos: token.pos,
        })
    }

    /// Comma-separated expressions up to `close`, trailing comma allowed.
    fn items(&mut self, open: &Token, close: &str) -> Result<Vec<Expr>, ConfigError> {
        let mut items = Vec::new();
        loop {
            if self.is_op(close) {
                self.i += 1;
                return Ok(items);
            }
            items.push(self.expression()?);
            if self.is_op(",") {
                self.i += 1;
            } else if !self.is_op(close) {
                return Err(self.unclosed(open, &format!("`,` or `{close}`")));
            }
        }
    }

    /// The "expected" error inside a bracket, pointing back at the opening bracket
    /// when the file ran out first.
    fn unclosed(&self, open: &Token, what: &str) -> ConfigError {
        let mut error = self.expected(what);
        let found = self.peek();
        if found.tok == Tok::Eof {
            error.message.push_str(&format!(
                " (the `{}` at {}:{} is never closed)",
                open.text, open.pos.line, open.pos.column
            ));
        } else if found.pos.line > open.pos.line {
            error.message.push_str(&format!(
                " (is the `{}` at {}:{} closed?)",
                open.text, open.pos.line, open.pos.column
            ));
        }
        error
    }

    fn parenthesized(&mut self, open: &Token) -> Result<Expr, ConfigError> {
        if self.is_op(")") {
            self.i += 1;
            return Ok(Expr {
                kind: ExprKind::Tuple(Vec::new()),
                pos: open.pos,
            });
        }
        let first = self.expression()?;
        if self.is_op(")") {
            self.i += 1;
            return Ok(first);
        }
        if !self.is_op(",") {
            return Err(self.unclosed(open, "`,` or `)`"));
        }
        self.i += 1;
        let mut items = vec![first];
        items.extend(self.items(open, ")")?);
        Ok(Expr {
            kind: ExprKind::Tuple(items),
            pos: open.pos,
        })
    }

    fn dict(&mut self, open: &Token) -> Result<Vec<(Expr, Expr)>, ConfigError> {
        let mut entries = Vec::new();
        loop {
            if self.is_op("}") {
                self.i += 1;
                return Ok(entries);
            }
            let key = self.expression()?;
            if !self.is_op(":") {
                if self.is_op(",") || self.is_op("}") {
                    return Err(self.error(
                        key.pos,
                        "set literals are not supported; a dict needs `key: value`",
                    ));
                }
                return Err(self.unclosed(open, "`:` after the dict key"));
            }
            self.i += 1;
            entries.push((key, self.expression()?));
            if self.is_op(",") {
                self.i += 1;
            } else if !self.is_op("}") {
                return Err(self.unclosed(open, "`,` or `}`"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{MAX_DEPTH, parse};
    use crate::lexer::tokenize;

    fn parsed(text: &str) -> Result<usize, String> {
        let path = Path::new("deep.conf");
        let tokens = tokenize(text, path).map_err(|e| e.message)?;
        parse(&tokens, path).map(|s| s.len()).map_err(|e| e.message)
    }

    /// Found with crafted inputs through the `config` fuzz target: 100,000 nested
    /// brackets, minus signs or `+` operands overflowed the stack of the parser or of
    /// the evaluator.
    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let n = 20_000;
        let deep = [
            format!("a = {}{}\n", "[".repeat(n), "]".repeat(n)),
            format!("a = {}1{}\n", "(".repeat(n), ")".repeat(n)),
            format!("a = {{{}}}\n", "1: {".repeat(n) + &"}".repeat(n)),
            format!("a = {}1\n", "-".repeat(n)),
            format!("a = 1{}\n", " + 1".repeat(n)),
            format!("a = 'x'{}\n", " % 1".repeat(n)),
        ];
        for text in &deep {
            let error = parsed(text).unwrap_err();
            assert!(error.contains("nested more than 200 levels"), "{error}");
        }
        let within = MAX_DEPTH - 1;
        let fine = format!("a = {}1{}\n", "[".repeat(within), "]".repeat(within));
        assert_eq!(parsed(&fine), Ok(1));
        assert_eq!(parsed(&format!("a = 1{}\n", " + 1".repeat(within))), Ok(1));
    }
}
