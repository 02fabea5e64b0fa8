//! Turns tokens into statements with the grammar of kobo's `PyConfigParser`, which
//! `pungi-koji` reads configs with, so a config means here what it means there:
//! statements need no line breaks between them; commas between items are optional
//! and may repeat; `(x)` is a tuple; a string literal followed by `%` is formatted;
//! there are no other operators. For anything else the error names what was expected
//! and what was found.

use std::path::Path;

use crate::ast::{Expr, ExprKind, Stmt};
use crate::error::{ConfigError, Pos};
use crate::lexer::{Tok, Token};

/// Python's keywords (`keyword.kwlist`), which kobo refuses as names.
const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// How the errors begin that refuse what kobo reads otherwise than it is written, so
/// the difference is never silent (the kobo parity test recognises them).
pub const KOBO_WOULD_READ: &str = "kobo (what pungi-koji reads configs with) would read";

/// How deep an expression may nest: brackets and each `%` of a chain count. Real
/// configs nest a handful of levels; parsing and evaluating recurse once per level, so
/// an unbounded depth could overflow the stack.
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
    while let Some(statement) = parser.statement()? {
        statements.push(statement);
    }
    Ok(statements)
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
    /// The next token that is not a line break or a comment (kobo skips both).
    fn next(&mut self) -> &'a Token {
        loop {
            let token = &self.tokens[self.i.min(self.tokens.len() - 1)];
            self.i += 1;
            if !matches!(token.tok, Tok::Newline | Tok::Comment) {
                return token;
            }
        }
    }

    /// The very next token, line breaks and comments included.
    fn next_raw(&self) -> &'a Token {
        &self.tokens[self.i.min(self.tokens.len() - 1)]
    }

    fn error(&self, pos: Pos, message: impl Into<String>) -> ConfigError {
        ConfigError::new(self.path, pos, message)
    }

    fn expected(&self, what: &str, found: &Token) -> ConfigError {
        self.error(
            found.pos,
            format!("expected {what}, found {}", found.describe()),
        )
    }

    /// The next statement, or `None` at the end of the file.
    fn statement(&mut self) -> Result<Option<Stmt>, ConfigError> {
        let mut token = self.next();
        if token.tok == Tok::Name && token.text == "from" {
            return self.include(token.pos).map(Some);
        }
        let global = token.tok == Tok::Name && token.text == "global";
        if global {
            token = self.next();
        }
        match token.tok {
            Tok::Eof => return Ok(None),
            Tok::Name => {}
            Tok::Op if matches!(token.text.as_str(), "+" | "%" | "," | "-" | "*" | "/") => {
                return Err(self.error(
                    token.pos,
                    format!(
                        "expected an option name, found `{}`: kobo's parser (what pungi-koji \
                         reads configs with) has no operators but `\"...\" % value` right \
                         after a string, and a value ends before a `,` outside brackets",
                        token.text
                    ),
                ));
            }
            _ => return Err(self.expected("an option name", token)),
        }
        let name = &token.text;
        if KEYWORDS.contains(&name.as_str()) {
            return Err(self.error(
                token.pos,
                format!("expected an option name, found keyword `{name}`"),
            ));
        }
        if name.starts_with('_') {
            return Err(self.error(
                token.pos,
                format!("option names may not start with `_` (kobo rejects `{name}`)"),
            ));
        }
        if global {
            return Ok(Some(Stmt::Global {
                name: name.clone(),
                pos: token.pos,
            }));
        }
        let equals = self.next();
        if !equals.is_op("=") {
            return Err(self.expected(&format!("`=` after `{name}`"), equals));
        }
        let first = self.next();
        Ok(Some(Stmt::Assign {
            name: name.clone(),
            pos: token.pos,
            value: self.value(first, false)?,
        }))
    }

    /// `from <tokens> import *` or `import a, b` (commas optional), up to the end of
    /// the line; the file name is every token's text up to `import`, joined.
    fn include(&mut self, pos: Pos) -> Result<Stmt, ConfigError> {
        let mut module = String::new();
        loop {
            let token = self.next();
            match token.tok {
                Tok::Name if token.text == "import" && module.is_empty() => {
                    return Err(self.expected("a file name after `from`", token));
                }
                Tok::Name if token.text == "import" => break,
                Tok::Eof => return Err(self.expected("`import`", token)),
                _ => module.push_str(&token.text),
            }
        }
        let mut names = Vec::new();
        let mut everything = false;
        let mut token = self.next();
        while token.tok != Tok::Newline {
            match token.tok {
                Tok::Name => names.push((token.text.clone(), token.pos)),
                Tok::Op if token.text == "*" => everything = true,
                _ => return Err(self.expected("`*` or a name to import", token)),
            }
            token = self.next_in_line();
            while token.is_op(",") {
                token = self.next_in_line();
            }
        }
        Ok(Stmt::Include {
            module,
            names: (!everything).then_some(names),
            pos,
        })
    }

    /// The next token that is not a comment (a line break ends an import list).
    fn next_in_line(&mut self) -> &'a Token {
        loop {
            let token = self.next_raw();
            self.i += 1;
            if token.tok != Tok::Comment {
                return token;
            }
        }
    }

    /// Enters one more nesting level at `token`, refusing more than [`MAX_DEPTH`].
    fn deeper(&mut self, token: &Token) -> Result<(), ConfigError> {
        if self.depth == MAX_DEPTH {
            return Err(self.error(
                token.pos,
                format!("expression nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    /// The value starting at `token`. A dict key (`key_only`) is a name, number or
    /// string: no brackets.
    fn value(&mut self, token: &'a Token, key_only: bool) -> Result<Expr, ConfigError> {
        let kind = match token.tok {
            Tok::Op if token.text == "-" => {
                let number = self.next();
                if number.tok != Tok::Number {
                    return Err(self.expected("a number after `-`", number));
                }
                self.number(number, true)?
            }
            Tok::Number => self.number(token, false)?,
            Tok::Name => match token.text.as_str() {
                "True" => ExprKind::Bool(true),
                "False" => ExprKind::Bool(false),
                "None" => ExprKind::None,
                name => ExprKind::Name(name.to_owned()),
            },
            Tok::Str => return self.string(token),
            Tok::Op if !key_only && matches!(token.text.as_str(), "[" | "(" | "{") => {
                self.deeper(token)?;
                let kind = match token.text.as_str() {
                    "[" => ExprKind::List(self.items("]")?),
                    "(" => ExprKind::Tuple(self.items(")")?),
                    _ => ExprKind::Dict(self.dict()?),
                };
                self.depth -= 1;
                kind
            }
            _ if key_only => {
                return Err(self.expected("a dict key (a string, number or name)", token));
            }
            _ => return Err(self.expected("a value", token)),
        };
        Ok(Expr {
            kind,
            pos: token.pos,
        })
    }

    /// A string literal, formatted with `%` when one follows it right away. Its value
    /// is its text without the first and last character, as kobo takes it. For a
    /// prefixed (`r'x'`) or triple-quoted string that value would keep a quote, so
    /// pungi-koji composes with a value nobody wrote: refused here, as a mistake.
    fn string(&mut self, token: &'a Token) -> Result<Expr, ConfigError> {
        let chars: Vec<char> = token.text.chars().collect();
        let text: String = chars[1..chars.len() - 1].iter().collect();
        let quote = chars[chars.len() - 1];
        let triple = chars.len() >= 6 && chars[..3] == [quote; 3];
        if chars[0] != quote || triple {
            return Err(self.error(
                token.pos,
                format!(
                    "{KOBO_WOULD_READ} this string as `{text}` (it takes a string's text \
                     without its first and last character); write it in plain quotes, \
                     with no prefix and not triple-quoted"
                ),
            ));
        }
        let percent = self.next_raw();
        if !percent.is_op("%") {
            return Ok(Expr {
                kind: ExprKind::Str(text),
                pos: token.pos,
            });
        }
        self.i += 1;
        self.deeper(percent)?;
        let first = self.next();
        let args = self.value(first, false)?;
        self.depth -= 1;
        Ok(Expr {
            kind: ExprKind::Format {
                template: text,
                op_pos: percent.pos,
                args: Box::new(args),
            },
            pos: token.pos,
        })
    }

    /// A number as kobo reads it: a float when its text has a `.`, else a decimal
    /// integer (Python's `int()` of the text, which refuses `0x1F` and `1e5`).
    fn number(&self, token: &Token, negative: bool) -> Result<ExprKind, ConfigError> {
        let digits = token.text.replace('_', "");
        let error = |message: String| self.error(token.pos, message);
        let not_read = |kind: &str| {
            error(format!(
                "number `{}` is not a {kind}: kobo reads a number with a `.` as a float and \
                 any other as a decimal integer",
                token.text
            ))
        };
        if token.text.contains('.') {
            let value: f64 = match digits.parse() {
                Ok(value) if !digits.ends_with(['j', 'J']) => value,
                _ => return Err(not_read("float")),
            };
            if !value.is_finite() {
                return Err(error(format!("float `{}` is out of range", token.text)));
            }
            return Ok(ExprKind::Float(if negative { -value } else { value }));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(not_read("decimal integer"));
        }
        let signed = if negative {
            format!("-{digits}")
        } else {
            digits
        };
        signed
            .parse()
            .map(ExprKind::Int)
            .map_err(|_| error(format!("integer `{}` does not fit in 64 bits", token.text)))
    }

    /// Values up to `close`, with any number of commas before each (the lexer has
    /// made sure the file does not end inside a bracket).
    fn items(&mut self, close: &str) -> Result<Vec<Expr>, ConfigError> {
        let mut items = Vec::new();
        loop {
            let token = self.after_commas();
            if token.is_op(close) {
                return Ok(items);
            }
            items.push(self.value(token, false)?);
        }
    }

    /// `key: value` entries up to `}`, with any number of commas before each.
    fn dict(&mut self) -> Result<Vec<(Expr, Expr)>, ConfigError> {
        let mut entries = Vec::new();
        loop {
            let token = self.after_commas();
            if token.is_op("}") {
                return Ok(entries);
            }
            let key = self.value(token, true)?;
            let colon = self.next();
            if !colon.is_op(":") {
                return Err(self.expected("`:` after the dict key", colon));
            }
            let first = self.next();
            entries.push((key, self.value(first, false)?));
        }
    }

    /// The next token past any commas.
    fn after_commas(&mut self) -> &'a Token {
        let mut token = self.next();
        while token.is_op(",") {
            token = self.next();
        }
        token
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
    /// brackets or `%` operands overflowed the stack of the parser or of the evaluator.
    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let n = 20_000;
        let deep = [
            format!("a = {}{}\n", "[".repeat(n), "]".repeat(n)),
            format!("a = {}1{}\n", "(".repeat(n), ")".repeat(n)),
            format!("a = {{{}}}\n", "1: {".repeat(n) + &"}".repeat(n)),
            format!("a = {}\n", "'x' % ".repeat(n) + "1"),
        ];
        for text in &deep {
            let error = parsed(text).unwrap_err();
            assert!(error.contains("nested more than 200 levels"), "{error}");
        }
        let within = MAX_DEPTH - 1;
        let fine = format!("a = {}1{}\n", "[".repeat(within), "]".repeat(within));
        assert_eq!(parsed(&fine), Ok(1));
    }

    #[test]
    fn statements_need_no_line_breaks_and_items_no_commas() {
        assert_eq!(parsed("a = 1 b = [1 2,, 3] c = {'x': 1 'y': 2}"), Ok(3));
        assert_eq!(
            parsed("from base import * a = 1"),
            Err("expected `*` or a name to import, found `=`".into())
        );
    }
}
