//! Splits config text into tokens as Python's `tokenize` module does, since kobo's
//! `PyConfigParser` (what `pungi-koji` reads configs with) works on its tokens:
//! string tokens keep their source text (kobo takes a string's value as that text
//! without its first and last character, escapes undecoded), numbers are split by
//! Python's number patterns, characters Python has no token for become error tokens,
//! and the errors `tokenize` itself raises (a bracket or string open at the end of the
//! file, an unindent to no outer level) are errors here.

use std::path::Path;

use crate::error::{ConfigError, Pos};

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// An identifier or keyword.
    Name,
    /// A number, as Python's tokenizer delimits it (the parser gives it kobo's value).
    Number,
    /// A string literal; [`Token::text`] is the whole literal, prefix and quotes included.
    Str,
    /// An operator or delimiter.
    Op,
    /// A character Python has no token for.
    Error,
    /// A comment; only the test for `%` after a string sees it.
    Comment,
    /// A line break (Python's NEWLINE and NL alike: kobo tells them apart nowhere).
    Newline,
    /// The end of the file.
    Eof,
}

/// A token, where it starts, and its source text.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The token's kind.
    pub tok: Tok,
    /// Where it starts.
    pub pos: Pos,
    /// The source text.
    pub text: String,
}

impl Token {
    /// Whether this is the operator `op`.
    pub fn is_op(&self, op: &str) -> bool {
        self.tok == Tok::Op && self.text == op
    }

    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self.tok {
            Tok::Name => format!("`{}`", self.text),
            Tok::Number => format!("number `{}`", self.text),
            Tok::Str => "a string".to_owned(),
            Tok::Op => format!("`{}`", self.text),
            Tok::Error if matches!(self.text.as_str(), "'" | "\"") => {
                "a quote whose string does not end on its line".to_owned()
            }
            Tok::Error => format!("unexpected character `{}`", self.text.escape_debug()),
            Tok::Comment => "a comment".to_owned(),
            Tok::Newline => "end of line".to_owned(),
            Tok::Eof => "end of file".to_owned(),
        }
    }
}

/// Python's operators and delimiters (`token.EXACT_TOKEN_TYPES`), longest first where
/// one begins another, as `tokenize` matches them.
const OPERATORS: [&str; 48] = [
    "**=", "//=", ">>=", "<<=", "...", "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=",
    ":=", "<<", "<=", "==", ">=", ">>", "@=", "^=", "|=", "%", "&", "(", ")", "*", "+", ",", "-",
    ".", "/", ":", ";", "<", "=", ">", "@", "[", "]", "^", "{", "|", "}", "~", "\n",
];

/// Python's string prefixes (any case): `tokenize` takes a name of one of these right
/// before a quote as part of the string.
const STRING_PREFIXES: [&str; 8] = ["b", "r", "u", "f", "br", "rb", "fr", "rf"];

/// Columns a tab advances to a multiple of, as `tokenize` counts indentation.
const TAB_SIZE: usize = 8;

/// Tokenizes `text`; `path` is only for error locations. Line ends are read as Python
/// reads a file in text mode (`\r\n` and `\r` are line breaks).
pub fn tokenize(text: &str, path: &Path) -> Result<Vec<Token>, ConfigError> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    Lexer {
        chars: text.chars().collect(),
        i: 0,
        pos: Pos { line: 1, column: 1 },
        brackets: Vec::new(),
        indents: vec![0],
        continued: false,
        path,
        tokens: Vec::new(),
    }
    .run()
}

struct Lexer<'a> {
    chars: Vec<char>,
    i: usize,
    pos: Pos,
    /// The brackets open now and where each opened, for the error at the end.
    brackets: Vec<Pos>,
    /// Indentation columns of the enclosing blocks, as `tokenize` keeps them.
    indents: Vec<usize>,
    /// The last line ended with `\` (the next one continues the statement).
    continued: bool,
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
        while self.peek(0).is_some() {
            if self.brackets.is_empty() && !self.continued {
                self.indentation()?;
            }
            self.continued = false;
            self.line()?;
        }
        if let Some(open) = self.brackets.last() {
            return Err(self.error(
                *open,
                "this bracket is never closed (the file ends inside it)",
            ));
        }
        if self.continued {
            return Err(self.error(self.pos, "the file ends right after a `\\`"));
        }
        let pos = self.pos;
        if self.tokens.last().is_some_and(|t| t.tok != Tok::Newline) {
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

    /// Checks a statement's first line's indentation as `tokenize` does: deeper opens
    /// a block, shallower must return to an enclosing one. Blank and comment lines
    /// do not count.
    fn indentation(&mut self) -> Result<(), ConfigError> {
        let mut column = 0;
        let mut ahead = 0;
        while let Some(c) = self.peek(ahead) {
            match c {
                ' ' => column += 1,
                '\t' => column = (column / TAB_SIZE + 1) * TAB_SIZE,
                '\x0c' => column = 0,
                _ => break,
            }
            ahead += 1;
        }
        if matches!(self.peek(ahead), None | Some('#' | '\n')) {
            return Ok(());
        }
        let innermost = *self.indents.last().unwrap_or(&0);
        if column > innermost {
            self.indents.push(column);
        }
        while column < *self.indents.last().unwrap_or(&0) {
            self.indents.pop();
        }
        if column != *self.indents.last().unwrap_or(&0) {
            let pos = Pos {
                line: self.pos.line,
                column: ahead + 1,
            };
            return Err(self.error(pos, "unindent does not match any outer indentation level"));
        }
        Ok(())
    }

    /// Tokenizes up to the end of the current line (of the last line of a string that
    /// runs over several).
    fn line(&mut self) -> Result<(), ConfigError> {
        while let Some(c) = self.peek(0) {
            let (pos, start) = (self.pos, self.i);
            match c {
                ' ' | '\t' | '\x0c' => {
                    self.bump();
                }
                '#' => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                    self.push(Tok::Comment, pos, start);
                }
                '\n' => {
                    self.bump();
                    self.push(Tok::Newline, pos, start);
                    return Ok(());
                }
                '\\' if self.peek(1) == Some('\n') => {
                    self.bump();
                    self.bump();
                    self.continued = true;
                    return Ok(());
                }
                '"' | '\'' => self.string(pos, start)?,
                c if c.is_ascii_digit()
                    || (c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) =>
                {
                    self.number();
                    self.push(Tok::Number, pos, start);
                }
                c if c.is_alphanumeric() || c == '_' => {
                    while self
                        .peek(0)
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    {
                        self.bump();
                    }
                    let name: String = self.chars[start..self.i].iter().collect();
                    let prefix = name.to_ascii_lowercase();
                    if matches!(self.peek(0), Some('"' | '\''))
                        && STRING_PREFIXES.contains(&prefix.as_str())
                    {
                        self.string(pos, start)?;
                    } else {
                        self.push(Tok::Name, pos, start);
                    }
                }
                _ => self.operator(pos, start),
            }
        }
        Ok(())
    }

    fn operator(&mut self, pos: Pos, start: usize) {
        let rest = &self.chars[self.i..];
        let matched = OPERATORS.iter().find(|op| {
            op.chars().count() <= rest.len() && op.chars().zip(rest).all(|(a, b)| a == *b)
        });
        let Some(op) = matched else {
            self.bump();
            self.push(Tok::Error, pos, start);
            return;
        };
        for _ in 0..op.chars().count() {
            self.bump();
        }
        match *op {
            "(" | "[" | "{" => self.brackets.push(pos),
            ")" | "]" | "}" => {
                self.brackets.pop();
            }
            _ => {}
        }
        self.push(Tok::Op, pos, start);
    }

    /// Reads Python's number pattern from here: an imaginary, float or integer
    /// literal, tried in that order, as `tokenize` does.
    fn number(&mut self) {
        let rest: String = self.chars[self.i..].iter().take(256).collect();
        let length = number_length(&rest);
        for _ in 0..length.max(1) {
            self.bump();
        }
    }

    /// Reads a string literal whose prefix starts at `start` and quote is here (a `\`
    /// escapes the next character, a line break included). A single-quoted string not
    /// closed on its line is, as in `tokenize`, an error token for its quote (the rest
    /// of the line is read as more tokens).
    fn string(&mut self, pos: Pos, start: usize) -> Result<(), ConfigError> {
        while self.peek(0).is_some_and(|c| c != '"' && c != '\'') {
            self.bump();
        }
        let quote = self.peek(0).unwrap_or('"');
        let triple = self.peek(1) == Some(quote) && self.peek(2) == Some(quote);
        let (quote_at, quote_pos) = (self.i, self.pos);
        for _ in 0..if triple { 3 } else { 1 } {
            self.bump();
        }
        loop {
            match self.peek(0) {
                None | Some('\n') if !triple => {
                    // `tokenize` gives up on the string: its quote becomes an error
                    // token and the rest of the line is tokenized anew.
                    self.i = quote_at;
                    self.pos = quote_pos;
                    if quote_at > start {
                        self.push(Tok::Name, pos, start);
                    }
                    let (pos, start) = (self.pos, self.i);
                    self.bump();
                    self.push(Tok::Error, pos, start);
                    return Ok(());
                }
                None => {
                    return Err(self.error(pos, "the file ends inside this triple-quoted string"));
                }
                Some('\\') => {
                    self.bump();
                    self.bump();
                }
                Some(c) if c == quote => {
                    if !triple {
                        self.bump();
                        break;
                    }
                    if self.peek(1) == Some(quote) && self.peek(2) == Some(quote) {
                        self.bump();
                        self.bump();
                        self.bump();
                        break;
                    }
                    self.bump();
                }
                Some(_) => {
                    self.bump();
                }
            }
        }
        self.push(Tok::Str, pos, start);
        Ok(())
    }
}

/// How many characters of `text` Python's number pattern takes (`Imagnumber`, then
/// `Floatnumber`, then `Intnumber` of `tokenize`, first alternative that matches).
fn number_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    // Digits of `class` with single `_` between them, from `at`; their end, if any.
    let digits = |at: usize, class: fn(u8) -> bool| -> Option<usize> {
        let mut end = at;
        if !bytes.get(end).copied().is_some_and(class) {
            return None;
        }
        end += 1;
        loop {
            match (bytes.get(end), bytes.get(end + 1)) {
                (Some(&c), _) if class(c) => end += 1,
                (Some(b'_'), Some(&c)) if class(c) => end += 2,
                _ => return Some(end),
            }
        }
    };
    let decimal = |at| digits(at, |c: u8| c.is_ascii_digit());
    let exponent = |at: usize| -> Option<usize> {
        if !matches!(bytes.get(at), Some(b'e' | b'E')) {
            return None;
        }
        let sign = usize::from(matches!(bytes.get(at + 1), Some(b'+' | b'-')));
        decimal(at + 1 + sign)
    };
    let point_float = || -> Option<usize> {
        let end = match decimal(0) {
            Some(end) if bytes.get(end) == Some(&b'.') => decimal(end + 1).unwrap_or(end + 1),
            Some(_) => return None,
            None if bytes.first() == Some(&b'.') => decimal(1)?,
            None => return None,
        };
        Some(exponent(end).unwrap_or(end))
    };
    let exp_float = || exponent(decimal(0)?);
    let float = || point_float().or_else(exp_float);
    let imaginary = |end: usize| matches!(bytes.get(end), Some(b'j' | b'J')).then_some(end + 1);
    if let Some(end) = decimal(0)
        .and_then(imaginary)
        .or_else(|| float().and_then(imaginary))
    {
        return end;
    }
    if let Some(end) = float() {
        return end;
    }
    let based = |marks: [u8; 2], class: fn(u8) -> bool| -> Option<usize> {
        if bytes.first() != Some(&b'0') || !bytes.get(1).is_some_and(|m| marks.contains(m)) {
            return None;
        }
        let underscore = usize::from(bytes.get(2) == Some(&b'_'));
        digits(2 + underscore, class)
    };
    based(*b"xX", |c| c.is_ascii_hexdigit())
        .or_else(|| based(*b"bB", |c| matches!(c, b'0' | b'1')))
        .or_else(|| based(*b"oO", |c| matches!(c, b'0'..=b'7')))
        .or_else(|| {
            if bytes.first() == Some(&b'0') {
                digits(0, |c| c == b'0')
            } else {
                decimal(0)
            }
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::number_length;

    #[test]
    fn numbers_end_where_pythons_tokenizer_ends_them() {
        for (text, taken) in [
            ("123", "123"),
            ("1_000", "1_000"),
            ("1__0", "1"),
            ("007", "00"),
            ("0x1F", "0x1F"),
            ("0x_1", "0x_1"),
            ("1e5", "1e5"),
            ("1.5e-3x", "1.5e-3"),
            ("1.", "1."),
            (".5", ".5"),
            ("1.2.3", "1.2"),
            ("5j", "5j"),
            ("1.5J", "1.5J"),
            ("1e", "1"),
            ("0b102", "0b10"),
        ] {
            assert_eq!(&text[..number_length(text)], taken, "{text}");
        }
    }
}
