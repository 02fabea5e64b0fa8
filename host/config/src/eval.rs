//! Evaluates parsed config files as kobo's PyConfigParser does: names defined earlier,
//! `"..." % value`, `global` names handed down to includes, and includes
//! (`from base import *`), with cycle detection.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::ast::{Expr, ExprKind, Stmt};
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
    /// Names declared `global`, whose values files included later start with.
    globals: std::collections::BTreeSet<String>,
}

impl Evaluated {
    /// What a file included now starts with: the global names and their values.
    fn handed_down(&self) -> Evaluated {
        let options = self
            .options
            .iter()
            .filter(|(name, _)| self.globals.contains(*name))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        Evaluated {
            options,
            globals: self.globals.clone(),
            ..Evaluated::default()
        }
    }
}

impl Loader {
    /// Loads `path`; `site` is the include statement that asked for it, if any, so a
    /// missing or cyclic include is reported where it is written.
    pub fn file(
        &mut self,
        path: &Path,
        site: Option<(&Path, Pos)>,
    ) -> Result<Evaluated, ConfigError> {
        self.included(path, site, Evaluated::default())
    }

    /// Loads `path` starting from `start` (what the including file hands down).
    fn included(
        &mut self,
        path: &Path,
        site: Option<(&Path, Pos)>,
        start: Evaluated,
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
        let result = self.evaluate(&text, path, start);
        self.stack.pop();
        result
    }

    /// Evaluates `text` as the contents of `path` (includes resolve next to `path`).
    pub fn text(&mut self, text: &str, path: &Path) -> Result<Evaluated, ConfigError> {
        self.evaluate(text, path, Evaluated::default())
    }

    fn evaluate(
        &mut self,
        text: &str,
        path: &Path,
        mut out: Evaluated,
    ) -> Result<Evaluated, ConfigError> {
        let tokens = lexer::tokenize(text, path)?;
        let statements = parser::parse(&tokens, path)?;
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
                Stmt::Global { name, pos } => {
                    out.options.insert(name.clone(), Value::None);
                    out.origins.insert(
                        name.clone(),
                        Origin {
                            path: path.to_owned(),
                            pos,
                            value: ValuePos::leaf(pos),
                        },
                    );
                    out.globals.insert(name);
                }
                Stmt::Include { module, names, pos } => {
                    let dir = path.parent().unwrap_or(Path::new(""));
                    let included_path = dir.join(format!("{module}{SUFFIX}"));
                    let start = out.handed_down();
                    let included = self.included(&included_path, Some((path, pos)), start)?;
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
    out.globals.extend(std::mem::take(&mut included.globals));
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
        ExprKind::Format { args, .. } => collect_names(args, names),
        _ => {}
    }
}

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

/// Evaluates `expr` to its value and the positions of the value's elements.
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
                if !key.is_hashable() {
                    return Err(error(
                        key_expr.pos,
                        format!(
                            "a {} cannot be a dict key (it is not hashable)",
                            key.type_name()
                        ),
                    ));
                }
                // Like kobo: a repeated key of the same type is a mistake, not an
                // override; one of another type that Python calls equal (`1`, `1.0`,
                // `True`) replaces the value and keeps the first key, as a dict does.
                let same = dict.iter().position(|(k, _)| k.py_eq(&key));
                if let Some(index) = same
                    && dict[index].0.type_name() == key.type_name()
                {
                    return Err(error(
                        key_expr.pos,
                        format!("duplicate dict key {}", crate::pyrepr::repr(&key)),
                    ));
                }
                let (value, value_pos) = eval(value_expr, options, path)?;
                match same {
                    Some(index) => {
                        dict[index].1 = value;
                        positions[2 * index + 1] = value_pos;
                    }
                    None => {
                        dict.push((key, value));
                        positions.extend([key_pos, value_pos]);
                    }
                }
            }
            (Value::Dict(dict), node(positions))
        }
        ExprKind::Format {
            template,
            op_pos,
            args,
        } => {
            let (args, _) = eval(args, options, path)?;
            let text =
                percent::format(template, &args).map_err(|message| error(*op_pos, message))?;
            (Value::Str(text), leaf)
        }
    })
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
