//! Splits config text into tokens following Python's tokenizer rules: newlines end a
//! statement only outside brackets, `\` joins lines, and string literals are decoded
//! (prefixes, triple quotes, escapes) here so the parser sees plain values.

use std::path::Path;

use crate::error::{ConfigError, Pos};

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// An identifier or keyword.
    Name(String),
    /// An integer literal.
    Int(i64),
    /// A float literal.
    Float(f64),
    /// A decoded string literal.
    Str(String),
    /// An operator or delimiter.
    Op(&'static str),
    /// End of a logical line.
    Newline,
    /// End of the file.
    Eof,
}

/// A token, where it starts, and its source text (module paths of includes are
/// spelled with raw token text, as kobo does).
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Where it starts.
    pub pos: Pos,
    /// The source text.
    pub text: String,
}

impl Token {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match &self.tok {
            Tok::Name(name) => format!("`{name}`"),
            Tok::Int(_) | Tok::Float(_) => format!("number `{}`", self.text),
            Tok::Str(_) => "a string".to_owned(),
            Tok::Op(op) => format!("`{op}`"),
            Tok::Newline => "end of line".to_owned(),
            Tok::Eof => "end of file".to_owned(),
        }
    }
}

const OPERATORS: [&str; 40] = [
    "**=", "//=", ">>=", "<<=", "**", "//", "==", "!=", "<=", ">=", "<<", ">>", "->", "+=", "-=",
    "*=", "/=", "%=", ":=", "=", ",", ":", "(", ")", "[", "]", "{", "}", "+", "-", "%", "*", "/",
    ".", ";", "<", ">", "|", "&", "~",
];

/// Tokenizes `text`; `path` is only for error locations.
pub fn tokenize(text: &str, path: &Path) -> Result<Vec<Token>, ConfigError> {
    Lexer {
        chars: text.chars().collect(),
        i: 0,
        pos: Pos { line: 1, column: 1 },
        depth: 0,
        path,
        tokens: Vec::new(),
    }
    .run()
}

struct Lexer<'a> {
    chars: Vec<char>,
    i: usize,
    pos: Pos,
    depth: usize,
    path: &'a Path,
    tokens: Vec<Token>,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.i += 1;
        if c == '\n' {
            self.pos = Pos {
                line: self.pos.line + 1,
                column: 1,
            };
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    fn error(&self, pos: Pos, message: impl Into<String>) -> ConfigError {
        ConfigError::new(self.path, pos, message)
    }

    fn push(&mut self, tok: Tok, pos: Pos, start: usize) {
        let text = self.chars[start..self.i].iter().collect();
        self.tokens.push(Token { tok, pos, text });
    }

    fn run(mut self) -> Result<Vec<Token>, ConfigError> {
        while let Some(c) = self.peek(0) {
            let (pos, start) = (self.pos, self.i);
            match c {
                ' ' | '\t' | '\r' | '\x0c' => {
                    self.bump();
                }
                '#' => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                '\n' => {
                    self.bump();
                    if self.depth == 0 {
                        self.push(Tok::Newline, pos, start);
                    }
                }
                '\\' => {
                    self.bump();
                    if self.peek(0) == Some('\r') {
                        self.bump();
                    }
                    if self.bump() != Some('\n') {
                        return Err(self.error(pos, "expected a line break after `\\`"));
                    }
                }
                '"' | '\'' => {
                    let value = self.string(pos, false)?;
                    self.push(Tok::Str(value), pos, start);
                }
                c if c.is_ascii_digit()
                    || (c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) =>
                {
                    let tok = self.number(pos)?;
                    self.push(tok, pos, start);
                }
                c if c.is_alphabetic() || c == '_' => self.name_or_prefixed_string(pos, start)?,
                _ => self.operator(pos, start)?,
            }
        }
        let pos = self.pos;
        if self.depth == 0 && self.tokens.last().is_some_and(|t| t.tok != Tok::Newline) {
            self.tokens.push(Token {
                tok: Tok::Newline,
                pos,
                text: String::new(),
            });
        }
        self.tokens.push(Token {
            tok: Tok::Eof,
            pos,
            text: String::new(),
        });
        Ok(self.tokens)
    }

    fn operator(&mut self, pos: Pos, start: usize) -> Result<(), ConfigError> {
        let rest = &self.chars[self.i..];
        let Some(op) = OPERATORS
            .iter()
            .find(|op| op.chars().zip(rest).filter(|(a, b)| a == *b).count() == op.len())
        else {
            let c = rest[0];
            return Err(self.error(pos, format!("unexpected character `{c}`")));
        };
        for _ in 0..op.len() {
            self.bump();
        }
        match *op {
            "(" | "[" | "{" => self.depth += 1,
            ")" | "]" | "}" => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        self.push(Tok::Op(op), pos, start);
        Ok(())
    }

    fn name_or_prefixed_string(&mut self, pos: Pos, start: usize) -> Result<(), ConfigError> {
        while self
            .peek(0)
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            self.bump();
        }
        let name: String = self.chars[start..self.i].iter().collect();
        let prefix = name.to_ascii_lowercase();
        if matches!(self.peek(0), Some('"' | '\'')) && prefix.len() <= 2 {
            if prefix.contains('b') {
                return Err(self.error(pos, "bytes literals are not supported in config files"));
            }
            if prefix.contains('f') {
                return Err(self.error(pos, "f-strings are not supported in config files"));
            }
            if matches!(prefix.as_str(), "r" | "u") {
                let value = self.string(pos, prefix == "r")?;
                self.push(Tok::Str(value), pos, start);
                return Ok(());
            }
        }
        self.push(Tok::Name(name), pos, start);
        Ok(())
    }

    fn number(&mut self, pos: Pos) -> Result<Tok, ConfigError> {
        let start = self.i;
        while let Some(c) = self.peek(0) {
            let exponent_sign = matches!(c, '+' | '-')
                && matches!(self.chars[self.i - 1], 'e' | 'E')
                && !self.chars[start..self.i]
                    .iter()
                    .any(|c| matches!(c, 'x' | 'X'));
            if c.is_alphanumeric() || c == '_' || c == '.' || exponent_sign {
                self.bump();
            } else {
                break;
            }
        }
        let text: String = self.chars[start..self.i].iter().collect();
        parse_number(&text).map_err(|message| self.error(pos, message))
    }

    /// Reads a string literal starting at the opening quote.
    fn string(&mut self, start: Pos, raw: bool) -> Result<String, ConfigError> {
        let quote = self.bump().unwrap_or('"');
        let triple = self.peek(0) == Some(quote) && self.peek(1) == Some(quote);
        if triple {
            self.bump();
            self.bump();
        }
        let unterminated = |lexer: &Self| {
            let kind = if triple {
                "triple-quoted string"
            } else {
                "string"
            };
            lexer.error(start, format!("unterminated {kind} literal"))
        };
        let mut out = String::new();
        loop {
            let here = self.pos;
            match self.bump() {
                None => return Err(unterminated(self)),
                Some('\n') if !triple => return Err(unterminated(self)),
                Some(c) if c == quote => {
                    if !triple {
                        return Ok(out);
                    }
                    if self.peek(0) == Some(quote) && self.peek(1) == Some(quote) {
                        self.bump();
                        self.bump();
                        return Ok(out);
                    }
                    out.push(c);
                }
                Some('\\') if raw => {
                    out.push('\\');
                    match self.bump() {
                        Some(c) => out.push(c),
                        None => return Err(unterminated(self)),
                    }
                }
                Some('\\') => self.escape(here, &mut out)?,
                Some(c) => out.push(c),
            }
        }
    }

    /// Decodes the escape after a backslash at `pos`, as Python does (unknown escapes
    /// keep the backslash).
    fn escape(&mut self, pos: Pos, out: &mut String) -> Result<(), ConfigError> {
        let Some(c) = self.bump() else {
            return Ok(());
        };
        let simple = match c {
            '\n' => Some(None),
            '\\' | '\'' | '"' => Some(Some(c)),
            'a' => Some(Some('\x07')),
            'b' => Some(Some('\x08')),
            'f' => Some(Some('\x0c')),
            'n' => Some(Some('\n')),
            'r' => Some(Some('\r')),
            't' => Some(Some('\t')),
            'v' => Some(Some('\x0b')),
            _ => None,
        };
        if let Some(decoded) = simple {
            out.extend(decoded);
            return Ok(());
        }
        let (radix, max, exact) = match c {
            '0'..='7' => (8, 3, false),
            'x' => (16, 2, true),
            'u' => (16, 4, true),
            'U' => (16, 8, true),
            'N' => return Err(self.error(pos, "`\\N{...}` escapes are not supported")),
            _ => {
                out.push('\\');
                out.push(c);
                return Ok(());
            }
        };
        let mut digits = String::new();
        if radix == 8 {
            digits.push(c);
        }
        while digits.len() < max && self.peek(0).is_some_and(|d| d.is_digit(radix)) {
            digits.extend(self.bump());
        }
        let decoded = u32::from_str_radix(&digits, radix)
            .ok()
            .filter(|_| !exact || digits.len() == max)
            .and_then(char::from_u32);
        match decoded {
            Some(ch) => {
                out.push(ch);
                Ok(())
            }
            None => Err(self.error(
                pos,
                format!("invalid `\\{c}` escape: expected {max} hex digits"),
            )),
        }
    }
}

/// Interprets a numeric literal with Python's rules.
fn parse_number(text: &str) -> Result<Tok, String> {
    let invalid = || format!("invalid number literal `{text}`");
    if text.ends_with('_') || text.contains("__") || text.contains("_.") || text.contains("._") {
        return Err(invalid());
    }
    let digits = text.replace('_', "");
    let lower = digits.to_ascii_lowercase();
    if lower.ends_with('j') {
        return Err("complex numbers are not supported in config files".to_owned());
    }
    let based = [("0x", 16), ("0o", 8), ("0b", 2)]
        .into_iter()
        .find(|(prefix, _)| lower.starts_with(prefix));
    if let Some((prefix, radix)) = based {
        return i64::from_str_radix(&lower[prefix.len()..], radix)
            .map(Tok::Int)
            .map_err(|e| int_error(text, &e).unwrap_or_else(invalid));
    }
    if lower.contains(['.', 'e']) {
        return match lower.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Tok::Float(f)),
            Ok(_) => Err(format!("float literal `{text}` is out of range")),
            Err(_) => Err(invalid()),
        };
    }
    if lower.len() > 1 && lower.starts_with('0') && lower.chars().any(|c| c != '0') {
        return Err(format!(
            "leading zeros are not allowed in `{text}`; use 0o for octal"
        ));
    }
    lower
        .parse::<i64>()
        .map(Tok::Int)
        .map_err(|e| int_error(text, &e).unwrap_or_else(invalid))
}

fn int_error(text: &str, error: &std::num::ParseIntError) -> Option<String> {
    matches!(
        error.kind(),
        std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow
    )
    .then(|| format!("integer `{text}` does not fit in 64 bits"))
}
