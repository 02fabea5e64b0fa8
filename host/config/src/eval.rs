//! Evaluates parsed config files: names defined earlier, `+`, `%`, and includes
//! (`from base import *`) resolved like kobo's PyConfigParser, with cycle detection.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::ast::{BinOp, Expr, ExprKind, Stmt};
use crate::error::{ConfigError, Pos};
use crate::value::Value;
use crate::{lexer, parser, percent};

/// Option names to values, in the order they were first assigned (Python dict order).
pub type Options = IndexMap<String, Value>;

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

impl Loader {
    /// Loads `path`; `site` is the include statement that asked for it, if any, so a
    /// missing or cyclic include is reported where it is written.
    pub fn file(
        &mut self,
        path: &Path,
        site: Option<(&Path, Pos)>,
    ) -> Result<Options, ConfigError> {
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
    pub fn text(&mut self, text: &str, path: &Path) -> Result<Options, ConfigError> {
        let tokens = lexer::tokenize(text, path)?;
        let statements = parser::parse(&tokens, path)?;
        let mut options = Options::new();
        for statement in statements {
            match statement {
                Stmt::Assign { name, value } => {
                    let value = eval(&value, &options, path)?;
                    options.insert(name, value);
                }
                Stmt::Include { module, names, pos } => {
                    let dir = path.parent().unwrap_or(Path::new(""));
                    let included_path = dir.join(format!("{module}{SUFFIX}"));
                    let included = self.file(&included_path, Some((path, pos)))?;
                    import(&mut options, included, names, &included_path, path)?;
                }
            }
        }
        Ok(options)
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn import(
    options: &mut Options,
    mut included: Options,
    names: Option<Vec<(String, Pos)>>,
    included_path: &Path,
    path: &Path,
) -> Result<(), ConfigError> {
    let Some(names) = names else {
        options.extend(included);
        return Ok(());
    };
    for (name, pos) in names {
        let value = included.shift_remove(&name).ok_or_else(|| {
            ConfigError::new(
                path,
                pos,
                format!("`{name}` is not defined in `{}`", included_path.display()),
            )
        })?;
        options.insert(name, value);
    }
    Ok(())
}

fn eval(expr: &Expr, options: &Options, path: &Path) -> Result<Value, ConfigError> {
    let error = |pos: Pos, message: String| ConfigError::new(path, pos, message);
    let all = |items: &[Expr]| -> Result<Vec<Value>, ConfigError> {
        items.iter().map(|item| eval(item, options, path)).collect()
    };
    Ok(match &expr.kind {
        ExprKind::None => Value::None,
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Int(i) => Value::Int(*i),
        ExprKind::Float(f) => Value::Float(*f),
        ExprKind::Str(s) => Value::Str(s.clone()),
        ExprKind::Name(name) => options.get(name).cloned().ok_or_else(|| {
            error(
                expr.pos,
                format!("name `{name}` is not defined (names must be assigned before use)"),
            )
        })?,
        ExprKind::List(items) => Value::List(all(items)?),
        ExprKind::Tuple(items) => Value::Tuple(all(items)?),
        ExprKind::Dict(entries) => {
            let mut dict: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
            for (key_expr, value_expr) in entries {
                let key = eval(key_expr, options, path)?;
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
                let value = eval(value_expr, options, path)?;
                dict.push((key, value));
            }
            Value::Dict(dict)
        }
        ExprKind::Neg(operand) => match eval(operand, options, path)? {
            Value::Int(i) => Value::Int(
                i.checked_neg()
                    .ok_or_else(|| error(expr.pos, "integer overflow".to_owned()))?,
            ),
            Value::Float(f) => Value::Float(-f),
            other => {
                return Err(error(
                    expr.pos,
                    format!("bad operand type for unary -: '{}'", other.type_name()),
                ));
            }
        },
        ExprKind::Binary {
            op,
            op_pos,
            lhs,
            rhs,
        } => {
            let lhs = eval(lhs, options, path)?;
            let rhs = eval(rhs, options, path)?;
            match op {
                BinOp::Add => add(lhs, rhs),
                BinOp::Mod => modulo(lhs, rhs),
            }
            .map_err(|message| error(*op_pos, message))?
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
