//! Evaluates parsed config files: names defined earlier, `+`, `%`, and includes
//! (`from base import *`) resolved like kobo's PyConfigParser, with cycle detection.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::ast::{BinOp, Expr, ExprKind, Stmt};
use crate::error::{ConfigError, Pos};
use crate::origin::{Origin, Origins, ValuePos};
use crate::value::Value;
use crate::{lexer, parser, percent};

/// Option names to values, in the order they were first assigned (Python dict order).
pub type Options = IndexMap<String, Value>;

/// How deep an assigned value may nest. Names let a value grow a level per statement
/// (`a = [a]` repeated) past what recursion over values (dropping, comparing, writing
/// JSON) survives, and copying ever deeper values makes loading quadratic.
const MAX_VALUE_DEPTH: usize = 2 * parser::MAX_DEPTH;

/// The suffix kobo appends to include names (`from base import *` reads `base.conf`).
const SUFFIX: &str = ".conf";

/// Loads files and their includes, remembering every file it opened.
#[derive(Debug, Default)]
pub struct Loader {
    /// Canonical paths of the files being loaded, outermost first, for cycle detection.
    stack: Vec<PathBuf>,
    /// Every file opened, in opening order.
    pub files: Vec<PathBuf>,
}

/// A file's options with where each was assigned.
#[derive(Debug, Default)]
pub struct Evaluated {
    /// The values.
    pub options: Options,
    /// Where each value was written.
    pub origins: Origins,
    /// Names other assignments refer to: helper variables, not misspelled options.
    pub referenced: std::collections::BTreeSet<String>,
}

impl Loader {
    /// Loads `path`; `site` is the include statement that asked for it, if any, so a
    /// missing or cyclic include is reported where it is written.
    pub fn file(
        &mut self,
        path: &Path,
        site: Option<(&Path, Pos)>,
    ) -> Result<Evaluated, ConfigError> {
        let at_site = |message: String| match site {
            Some((from, pos)) => ConfigError::new(from, pos, message),
            None => ConfigError::new(path, Pos { line: 1, column: 1 }, message),
        };
        let read = std::fs::canonicalize(path)
            .and_then(|real| Ok((std::fs::read_to_string(&real)?, real)));
        let (text, real) = read.map_err(|e| {
            at_site(match site {
                Some(_) => format!("cannot read included file `{}`: {e}", path.display()),
                None => format!("cannot read config file: {e}"),
            })
        })?;
        if let Some(start) = self.stack.iter().position(|open| *open == real) {
            let chain: Vec<String> = self.stack[start..]
                .iter()
                .chain([&real])
                .map(|p| file_name(p))
                .collect();
            return Err(at_site(format!("include cycle: {}", chain.join(" -> "))));
        }
        self.files.push(real.clone());
        self.stack.push(real);
        let result = self.text(&text, path);
        self.stack.pop();
        result
    }

    /// Evaluates `text` as the contents of `path` (includes resolve next to `path`).
    pub fn text(&mut self, text: &str, path: &Path) -> Result<Evaluated, ConfigError> {
        let tokens = lexer::tokenize(text, path)?;
        let statements = parser::parse(&tokens, path)?;
        let mut out = Evaluated::default();
        for statement in statements {
            match statement {
                Stmt::Assign { name, pos, value } => {
                    collect_names(&value, &mut out.referenced);
                    let (value, value_pos) = eval(&value, &out.options, path)?;
                    if depth(&value) > MAX_VALUE_DEPTH {
                        return Err(ConfigError::new(
                            path,
                            pos,
                            format!(
                                "the value of `{name}` nests more than {MAX_VALUE_DEPTH} levels deep"
                            ),
                        ));
                    }
                    // Re-assignment moves the origin but, as in a Python dict, not the
                    // option's place in definition order.
                    out.options.insert(name.clone(), value);
                    out.origins.insert(
                        name,
                        Origin {
                            path: path.to_owned(),
                            pos,
                            value: value_pos,
                        },
                    );
                }
                Stmt::Include { module, names, pos } => {
                    let dir = path.parent().unwrap_or(Path::new(""));
                    let included_path = dir.join(format!("{module}{SUFFIX}"));
                    let included = self.file(&included_path, Some((path, pos)))?;
                    import(&mut out, included, names, &included_path, path)?;
                }
            }
        }
        Ok(out)
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn import(
    out: &mut Evaluated,
    mut included: Evaluated,
    names: Option<Vec<(String, Pos)>>,
    included_path: &Path,
    path: &Path,
) -> Result<(), ConfigError> {
    out.referenced
        .extend(std::mem::take(&mut included.referenced));
    let Some(names) = names else {
        out.options.extend(included.options);
        out.origins.extend(included.origins);
        return Ok(());
    };
    for (name, pos) in names {
        let value = included.options.shift_remove(&name).ok_or_else(|| {
            ConfigError::new(
                path,
                pos,
                format!("`{name}` is not defined in `{}`", included_path.display()),
            )
        })?;
        out.options.insert(name.clone(), value);
        if let Some(origin) = included.origins.shift_remove(&name) {
            out.origins.insert(name, origin);
        }
    }
    Ok(())
}

/// Adds every name `expr` refers to.
fn collect_names(expr: &Expr, names: &mut std::collections::BTreeSet<String>) {
    match &expr.kind {
        ExprKind::Name(name) => {
            names.insert(name.clone());
        }
        ExprKind::List(items) | ExprKind::Tuple(items) => {
            items.iter().for_each(|item| collect_names(item, names));
        }
        ExprKind::Dict(entries) => entries.iter().for_each(|(key, value)| {
            collect_names(key, names);
            collect_names(value, names);
        }),
        ExprKind::Neg(operand) => collect_names(operand, names),
        ExprKind::Binary { lhs, rhs, .. } => {
            collect_names(lhs, names);
            collect_names(rhs, names);
        }
        _ => {}
    }
}

/// Evaluates `expr` to its value and the positions of the value's elements.
/// How many containers deep `value` nests (a scalar is 0).
fn depth(value: &Value) -> usize {
    match value {
        Value::List(items) | Value::Tuple(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Dict(entries) => {
            1 + entries
                .iter()
                .map(|(key, value)| depth(key).max(depth(value)))
                .max()
                .unwrap_or(0)
        }
        _ => 0,
    }
}

fn eval(expr: &Expr, options: &Options, path: &Path) -> Result<(Value, ValuePos), ConfigError> {
    let error = |pos: Pos, message: String| ConfigError::new(path, pos, message);
    let all = |items: &[Expr]| -> Result<(Vec<Value>, Vec<ValuePos>), ConfigError> {
        items.iter().map(|item| eval(item, options, path)).collect()
    };
    let leaf = ValuePos::leaf(expr.pos);
    let node = |items| ValuePos {
        pos: expr.pos,
        items,
    };
    Ok(match &expr.kind {
        ExprKind::None => (Value::None, leaf),
        ExprKind::Bool(b) => (Value::Bool(*b), leaf),
        ExprKind::Int(i) => (Value::Int(*i), leaf),
        ExprKind::Float(f) => (Value::Float(*f), leaf),
        ExprKind::Str(s) => (Value::Str(s.clone()), leaf),
        ExprKind::Name(name) => {
            let value = options.get(name).cloned().ok_or_else(|| {
                error(
                    expr.pos,
                    format!("name `{name}` is not defined (names must be assigned before use)"),
                )
            })?;
            (value, leaf)
        }
        ExprKind::List(items) => {
            let (values, positions) = all(items)?;
            (Value::List(values), node(positions))
        }
        ExprKind::Tuple(items) => {
            let (values, positions) = all(items)?;
            (Value::Tuple(values), node(positions))
        }
        ExprKind::Dict(entries) => {
            let mut dict: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
            let mut positions = Vec::with_capacity(2 * entries.len());
            for (key_expr, value_expr) in entries {
                let (key, key_pos) = eval(key_expr, options, path)?;
                if matches!(key, Value::List(_) | Value::Tuple(_) | Value::Dict(_)) {
                    return Err(error(
                        key_expr.pos,
                        format!(
                            "dict keys must be strings, numbers, booleans or None, not {}",
                            key.type_name()
                        ),
                    ));
                }
                // Like kobo: a repeated key is a mistake, not an override.
                if dict.iter().any(|(k, _)| *k == key) {
                    return Err(error(
                        key_expr.pos,
                        format!("duplicate dict key {}", crate::pyrepr::repr(&key)),
                    ));
                }
                let (value, value_pos) = eval(value_expr, options, path)?;
                dict.push((key, value));
                positions.extend([key_pos, value_pos]);
            }
            (Value::Dict(dict), node(positions))
        }
        ExprKind::Neg(operand) => (
            negate(eval(operand, options, path)?.0, expr.pos, path)?,
            leaf,
        ),
        ExprKind::Binary {
            op,
            op_pos,
            lhs,
            rhs,
        } => {
            let (lhs, lhs_pos) = eval(lhs, options, path)?;
            let (rhs, rhs_pos) = eval(rhs, options, path)?;
            let items = match op {
                BinOp::Add => concatenated_positions(&lhs, lhs_pos, &rhs, rhs_pos),
                BinOp::Mod => Vec::new(),
            };
            let value = match op {
                BinOp::Add => add(lhs, rhs),
                BinOp::Mod => modulo(lhs, rhs),
            }
            .map_err(|message| error(*op_pos, message))?;
            (value, node(items))
        }
    })
}

/// Element positions of `lhs + rhs`: each side's own, or, for a side whose elements
/// have no positions (a name reference), that side's position for each of them.
fn concatenated_positions(
    lhs: &Value,
    lhs_pos: ValuePos,
    rhs: &Value,
    rhs_pos: ValuePos,
) -> Vec<ValuePos> {
    let elements = |value: &Value, pos: ValuePos| -> Vec<ValuePos> {
        let count = value.as_sequence().map_or(0, <[Value]>::len);
        if pos.items.len() == count {
            pos.items
        } else {
            vec![ValuePos::leaf(pos.pos); count]
        }
    };
    let mut items = elements(lhs, lhs_pos);
    items.extend(elements(rhs, rhs_pos));
    items
}

fn negate(value: Value, pos: Pos, path: &Path) -> Result<Value, ConfigError> {
    let error = |message: String| ConfigError::new(path, pos, message);
    Ok(match value {
        Value::Int(i) => Value::Int(
            i.checked_neg()
                .ok_or_else(|| error("integer overflow".to_owned()))?,
        ),
        Value::Float(f) => Value::Float(-f),
        other => {
            return Err(error(format!(
                "bad operand type for unary -: '{}'",
                other.type_name()
            )));
        }
    })
}

fn add(lhs: Value, rhs: Value) -> Result<Value, String> {
    Ok(match (lhs, rhs) {
        (Value::Str(a), Value::Str(b)) => Value::Str(a + &b),
        (Value::List(mut a), Value::List(b)) => {
            a.extend(b);
            Value::List(a)
        }
        (Value::Tuple(mut a), Value::Tuple(b)) => {
            a.extend(b);
            Value::Tuple(a)
        }
        (Value::Int(a), Value::Int(b)) => Value::Int(a.checked_add(b).ok_or("integer overflow")?),
        (Value::Float(a), Value::Float(b)) => Value::Float(a + b),
        (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
            Value::Float(a as f64 + b)
        }
        (a, b) => {
            return Err(format!(
                "unsupported operand types for +: '{}' and '{}'",
                a.type_name(),
                b.type_name()
            ));
        }
    })
}

fn modulo(lhs: Value, rhs: Value) -> Result<Value, String> {
    match (lhs, rhs) {
        (Value::Str(template), args) => percent::format(&template, &args).map(Value::Str),
        (Value::Int(_), Value::Int(0)) => Err("integer modulo by zero".to_owned()),
        (Value::Int(a), Value::Int(b)) => {
            // Python's modulo takes the sign of the divisor.
            let r = a.checked_rem(b).unwrap_or(0);
            Ok(Value::Int(if r != 0 && (r < 0) != (b < 0) {
                r + b
            } else {
                r
            }))
        }
        (a, b) => Err(format!(
            "unsupported operand types for %: '{}' and '{}'",
            a.type_name(),
            b.type_name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Loader, MAX_VALUE_DEPTH};

    /// Found with a crafted input through the `config` fuzz target: `a = [a]` repeated
    /// nested a value one level per statement, past what dropping it survives, and
    /// slowed loading quadratically.
    #[test]
    fn values_nested_through_names_are_bounded() {
        let text = format!("a = []\n{}", "a = [a]\n".repeat(20_000));
        let error = Loader::default()
            .text(&text, Path::new("deep.conf"))
            .unwrap_err();
        assert_eq!(error.line, MAX_VALUE_DEPTH + 1);
        assert!(error.message.contains("`a` nests more than 400"), "{error}");
        let fine = format!("a = []\n{}", "a = [a]\n".repeat(MAX_VALUE_DEPTH - 1));
        assert!(Loader::default().text(&fine, Path::new("ok.conf")).is_ok());
    }
}
