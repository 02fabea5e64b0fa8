//! Python's `%` string formatting (`"%s-%s" % (a, b)`, `"%(name)s" % {...}`), the one
//! computation Pungi configs commonly do.

use crate::pyrepr::{repr, str_of};
use crate::value::Value;

/// `template % args` with Python semantics; the error text is Python's where it has one.
pub fn format(template: &str, args: &Value) -> Result<String, String> {
    let positional: &[Value] = match args {
        Value::Tuple(items) => items,
        other => std::slice::from_ref(other),
    };
    let mut used = 0;
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Only `%%` is a literal `%`: one after a key, flag, width or precision is a
        // conversion Python refuses, once it has taken its argument.
        if chars.next_if_eq(&'%').is_some() {
            out.push('%');
            continue;
        }
        let spec = Spec::parse(&mut chars)?;
        let value = match &spec.key {
            Some(key) => lookup(args, key)?,
            None => {
                let value = positional
                    .get(used)
                    .ok_or("not enough arguments for format string")?;
                used += 1;
                value
            }
        };
        out.push_str(&spec.render(value)?);
    }
    // Python skips this check for anything with `__getitem__` that is not a tuple or
    // a string (`PyMapping_Check`): a dict, and a list too (`'x' % []` is `'x'`).
    let mapping = matches!(args, Value::Dict(_) | Value::List(_));
    if used < positional.len() && !mapping {
        return Err("not all arguments converted during string formatting".to_owned());
    }
    Ok(out)
}

fn lookup<'a>(args: &'a Value, key: &str) -> Result<&'a Value, String> {
    let Value::Dict(entries) = args else {
        return Err("format requires a mapping".to_owned());
    };
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
        .ok_or_else(|| format!("key '{key}' is not in the formatting dict"))
}

/// One conversion specifier: `%(key)-08.3f`.
struct Spec {
    key: Option<String>,
    left: bool,
    zero: bool,
    plus: bool,
    space: bool,
    alternate: bool,
    width: usize,
    precision: Option<usize>,
    conversion: char,
}

impl Spec {
    fn parse(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Self, String> {
        let mut spec = Spec {
            key: None,
            left: false,
            zero: false,
            plus: false,
            space: false,
            alternate: false,
            width: 0,
            precision: None,
            conversion: '%',
        };
        if chars.next_if_eq(&'(').is_some() {
            let mut key = String::new();
            let mut depth = 1;
            loop {
                let c = chars.next().ok_or("incomplete format key")?;
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                key.push(c);
            }
            spec.key = Some(key);
        }
        while let Some(flag) = chars.next_if(|c| "-+ #0".contains(*c)) {
            match flag {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '#' => spec.alternate = true,
                _ => spec.zero = true,
            }
        }
        if chars.peek() == Some(&'*') {
            return Err("`*` widths are not supported".to_owned());
        }
        spec.width = digits(chars, "width")?.unwrap_or(0);
        if chars.next_if_eq(&'.').is_some() {
            spec.precision = Some(digits(chars, "precision")?.unwrap_or(0));
        }
        while chars.next_if(|c| "hlL".contains(*c)).is_some() {}
        spec.conversion = chars.next().ok_or("incomplete format")?;
        Ok(spec)
    }

    fn render(&self, value: &Value) -> Result<String, String> {
        let (sign, prefix, body) = match self.conversion {
            's' | 'r' | 'a' => {
                let text = if self.conversion == 's' {
                    str_of(value)
                } else {
                    repr(value)
                };
                let text = match self.precision {
                    Some(p) => text.chars().take(p).collect(),
                    None => text,
                };
                return Ok(self.pad("", "", text, false));
            }
            'c' => return Ok(self.pad("", "", character(value)?, false)),
            'd' | 'i' | 'u' => {
                let n = integer(value, self.conversion, true)?;
                let digits = n.unsigned_abs().to_string();
                (self.sign(n < 0), "", self.min_digits(digits))
            }
            'x' | 'X' | 'o' => {
                let n = integer(value, self.conversion, false)?;
                let magnitude = n.unsigned_abs();
                let (digits, prefix) = match self.conversion {
                    'x' => (format!("{magnitude:x}"), "0x"),
                    'X' => (format!("{magnitude:X}"), "0X"),
                    _ => (format!("{magnitude:o}"), "0o"),
                };
                let prefix = if self.alternate { prefix } else { "" };
                (self.sign(n < 0), prefix, self.min_digits(digits))
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let f = real(value, self.conversion)?;
                let body = float_body(
                    f.abs(),
                    self.conversion,
                    self.precision.unwrap_or(6),
                    self.alternate,
                );
                (self.sign(f.is_sign_negative() && !f.is_nan()), "", body)
            }
            other => {
                return Err(format!(
                    "unsupported format character '{other}' (0x{:x})",
                    other as u32
                ));
            }
        };
        Ok(self.pad(sign, prefix, body, true))
    }

    fn sign(&self, negative: bool) -> &'static str {
        match (negative, self.plus, self.space) {
            (true, _, _) => "-",
            (false, true, _) => "+",
            (false, false, true) => " ",
            _ => "",
        }
    }

    fn min_digits(&self, digits: String) -> String {
        match self.precision {
            Some(p) if digits.len() < p => format!("{digits:0>p$}"),
            _ => digits,
        }
    }

    fn pad(&self, sign: &str, prefix: &str, body: String, numeric: bool) -> String {
        let len = sign.chars().count() + prefix.len() + body.chars().count();
        let fill = self.width.saturating_sub(len);
        if self.left {
            format!("{sign}{prefix}{body}{}", " ".repeat(fill))
        } else if self.zero && numeric {
            format!("{sign}{prefix}{}{body}", "0".repeat(fill))
        } else {
            format!("{}{sign}{prefix}{body}", " ".repeat(fill))
        }
    }
}

/// The widest field and the longest precision a format may ask for. Python's only
/// limit is memory; a config has no use for more, and a huge one would allocate it.
const MAX_FIELD: usize = 4096;

/// A width or precision (`what`), if one is written; more than [`MAX_FIELD`] is an error.
fn digits(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    what: &str,
) -> Result<Option<usize>, String> {
    let mut text = String::new();
    while let Some(d) = chars.next_if(char::is_ascii_digit) {
        text.push(d);
    }
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<usize>() {
        Ok(n) if n <= MAX_FIELD => Ok(Some(n)),
        _ => Err(format!(
            "format {what} {text} is too big (at most {MAX_FIELD})"
        )),
    }
}

fn integer(value: &Value, conversion: char, floats: bool) -> Result<i64, String> {
    match value {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::Float(f) if floats && f.is_finite() => Ok(f.trunc() as i64),
        other => {
            let wanted = if floats {
                "a real number"
            } else {
                "an integer"
            };
            Err(format!(
                "%{conversion} format: {wanted} is required, not {}",
                other.type_name()
            ))
        }
    }
}

fn real(value: &Value, conversion: char) -> Result<f64, String> {
    match value {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(f64::from(u8::from(*b))),
        other => Err(format!(
            "%{conversion} format: a real number is required, not {}",
            other.type_name()
        )),
    }
}

fn character(value: &Value) -> Result<String, String> {
    match value {
        Value::Int(i) => u32::try_from(*i)
            .ok()
            .and_then(char::from_u32)
            .map(String::from)
            .ok_or_else(|| "%c arg not in range(0x110000)".to_owned()),
        Value::Str(s) if s.chars().count() == 1 => Ok(s.clone()),
        _ => Err("%c requires int or char".to_owned()),
    }
}

/// Formats a non-negative float for `e`, `f` and `g` conversions.
fn float_body(f: f64, conversion: char, precision: usize, alternate: bool) -> String {
    let upper = conversion.is_ascii_uppercase();
    if !f.is_finite() {
        let text = if f.is_nan() { "nan" } else { "inf" };
        return if upper {
            text.to_uppercase()
        } else {
            text.to_owned()
        };
    }
    let body = match conversion.to_ascii_lowercase() {
        'f' => format!("{f:.precision$}"),
        'e' => scientific(f, precision),
        _ => {
            let p = precision.max(1);
            let exponent = exponent_of(f, p - 1);
            let mut text = if (-4..p as i32).contains(&exponent) {
                format!("{f:.*}", (p as i32 - 1 - exponent) as usize)
            } else {
                scientific(f, p - 1)
            };
            if !alternate {
                text = strip_zeros(&text);
            }
            text
        }
    };
    if upper { body.to_uppercase() } else { body }
}

/// Python's `%e`: mantissa, `e`, sign and at least two exponent digits.
fn scientific(f: f64, precision: usize) -> String {
    let text = format!("{f:.precision$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

fn exponent_of(f: f64, precision: usize) -> i32 {
    let text = format!("{f:.precision$e}");
    text.split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0)
}

fn strip_zeros(text: &str) -> String {
    let (number, exponent) = match text.find('e') {
        Some(i) => text.split_at(i),
        None => (text, ""),
    };
    let number = if number.contains('.') {
        number.trim_end_matches('0').trim_end_matches('.')
    } else {
        number
    };
    format!("{number}{exponent}")
}

#[cfg(test)]
mod tests {
    use super::format;
    use crate::value::Value;

    fn s(text: &str) -> Value {
        Value::Str(text.to_owned())
    }

    /// Found by the `config` fuzz target: a width of 77777777777777 asked for that many
    /// bytes and aborted the process.
    #[test]
    fn huge_widths_and_precisions_are_errors() {
        let one = Value::Float(1.0);
        for (template, what) in [
            ("%77777777777777s", "width 77777777777777"),
            ("%.77777777777777f", "precision 77777777777777"),
            ("%99999999999999999999999d", "width 99999999999999999999999"),
            ("%4097s", "width 4097"),
        ] {
            let error = format(template, &one).unwrap_err();
            assert_eq!(error, format!("format {what} is too big (at most 4096)"));
        }
        assert_eq!(format("%4096s", &s("x")).unwrap().len(), 4096);
    }

    #[test]
    fn positional_mapping_and_single() {
        let pair = Value::Tuple(vec![s("Fedora"), Value::Int(42)]);
        assert_eq!(format("%s-%s", &pair).unwrap(), "Fedora-42");
        let dict = Value::Dict(vec![(s("release"), s("Rawhide")), (s("n"), Value::Int(3))]);
        assert_eq!(
            format("%(release)s/%(n)03d %%", &dict).unwrap(),
            "Rawhide/003 %"
        );
        assert_eq!(format("[%s]", &s("x")).unwrap(), "[x]");
        assert_eq!(format("%r", &s("x")).unwrap(), "'x'");
        assert_eq!(format("%s", &Value::List(vec![s("a")])).unwrap(), "['a']");
        assert_eq!(format("x", &Value::List(vec![s("a")])).unwrap(), "x");
    }

    #[test]
    fn numbers_like_python() {
        assert_eq!(
            format(
                "%5d|%-5d|%+d",
                &Value::Tuple(vec![Value::Int(42), Value::Int(7), Value::Int(3)])
            )
            .unwrap(),
            "   42|7    |+3"
        );
        assert_eq!(
            format(
                "%#x %X %o",
                &Value::Tuple(vec![Value::Int(255), Value::Int(255), Value::Int(8)])
            )
            .unwrap(),
            "0xff FF 10"
        );
        assert_eq!(
            format(
                "%.2f %e %g %g",
                &Value::Tuple(vec![
                    Value::Float(1.23456),
                    Value::Float(12345.678),
                    Value::Float(0.0001),
                    Value::Float(1e20)
                ])
            )
            .unwrap(),
            "1.23 1.234568e+04 0.0001 1e+20"
        );
        assert_eq!(format("%g", &Value::Float(2.5)).unwrap(), "2.5");
        assert_eq!(format("%08.3f", &Value::Float(-3.5)).unwrap(), "-003.500");
        assert_eq!(format("%.3s", &s("abcdef")).unwrap(), "abc");
        assert_eq!(format("%c", &Value::Int(65)).unwrap(), "A");
    }

    #[test]
    fn errors_like_python() {
        let one = s("x");
        assert_eq!(
            format("%s %s", &one).unwrap_err(),
            "not enough arguments for format string"
        );
        assert_eq!(
            format("%s", &Value::Tuple(vec![one.clone(), one.clone()])).unwrap_err(),
            "not all arguments converted during string formatting"
        );
        assert_eq!(
            format("%(a)s", &one).unwrap_err(),
            "format requires a mapping"
        );
        assert_eq!(
            format("%d", &one).unwrap_err(),
            "%d format: a real number is required, not str"
        );
        assert_eq!(
            format("%q", &one).unwrap_err(),
            "unsupported format character 'q' (0x71)"
        );
        assert_eq!(format("%", &one).unwrap_err(), "incomplete format");
        assert_eq!(
            format("%.%", &Value::Tuple(vec![])).unwrap_err(),
            "not enough arguments for format string"
        );
        assert_eq!(
            format("%(a)%", &Value::Dict(vec![(s("a"), one.clone())])).unwrap_err(),
            "unsupported format character '%' (0x25)"
        );
    }
}
