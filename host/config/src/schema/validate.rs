//! Checking a loaded config against the schema, like `pungi-config-validate`: every
//! problem is collected (never just the first), each located at the assignment, or the
//! element inside it, that causes it.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{ConfigError, Pos};
use crate::load::LoadedConfig;
use crate::origin::{At, Origin};
use crate::pyrepr::repr;
use crate::value::Value;
use crate::variant_data::VariantPattern;

use super::model::{DefaultValue, OptionSpec, Record, Status, Type};
use super::options::OPTIONS;
use super::suggest::did_you_mean;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The compose must not run.
    Error,
    /// The compose runs, but the config should change.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

/// One problem, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file it is in.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong and, where we know, what to write instead.
    pub message: String,
}

impl Diagnostic {
    /// An error from the parser or the XML checkers, in the same shape.
    pub fn from_error(error: ConfigError) -> Self {
        Self {
            severity: Severity::Error,
            path: error.path,
            line: error.line,
            column: error.column,
            message: error.message,
        }
    }

    /// A finding about option `name` of `config`, where it was assigned (the file's
    /// start when it was not written there).
    pub fn at_option(
        config: &LoadedConfig,
        name: &str,
        severity: Severity,
        message: String,
    ) -> Self {
        let origin = origin_of(config, name);
        Self {
            severity,
            path: origin.path,
            line: origin.pos.line,
            column: origin.pos.column,
            message,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.severity,
            self.message
        )
    }
}

/// Everything validation found, and the defaults the config relies on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Problems, in file and line order.
    pub diagnostics: Vec<Diagnostic>,
    /// Options the config leaves out that Pungi gives a default, with that default.
    pub defaults: Vec<(String, Value)>,
}

impl Report {
    /// How many errors.
    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    /// How many warnings.
    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// Whether the compose must not run.
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    /// `2 errors, 1 warning`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!(
            "{}, {}",
            plural(self.error_count(), "error"),
            plural(self.warning_count(), "warning")
        )
    }

    /// Adds problems found elsewhere (variants XML, comps) and keeps the order.
    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(diagnostics);
        self.sort();
    }

    fn sort(&mut self) {
        self.diagnostics
            .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    }
}

/// The schema entry for `name`.
pub fn find(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|spec| spec.name == name)
}

/// The value of a literal default; the table's literals are checked by a test.
pub fn default_value(spec: &OptionSpec) -> Option<Value> {
    let DefaultValue::Literal(literal) = spec.default else {
        return None;
    };
    let text = format!("default = {literal}\n");
    crate::load::parse_str(&text, Path::new("<schema>"))
        .ok()
        .and_then(|mut options| options.shift_remove("default"))
}

/// Checks every option of `config` and the rules between options.
pub fn validate(config: &LoadedConfig) -> Report {
    validate_except(config, &BTreeSet::new())
}

/// [`validate`], leaving out the options in `replaced`, which the caller checks itself
/// (the options a `--schema-override` redefines): no built-in check, never unknown,
/// never required.
pub fn validate_except(config: &LoadedConfig, replaced: &BTreeSet<String>) -> Report {
    let mut out = Vec::new();
    for (name, value) in config
        .options
        .iter()
        .filter(|(n, _)| !replaced.contains(*n))
    {
        let origin = origin_of(config, name);
        let mut check = Checker {
            option: name,
            path: &origin.path,
            out: &mut out,
        };
        match find(name) {
            // A name used by other assignments is a helper variable, not a typo.
            None if config.referenced.contains(name) => {}
            None => check.unknown(origin.pos),
            Some(spec) => check.option(spec, value, &origin),
        }
    }
    for spec in OPTIONS
        .iter()
        .filter(|spec| spec.required && !replaced.contains(spec.name))
    {
        if !config.options.contains_key(spec.name) {
            out.push(Diagnostic {
                severity: Severity::Error,
                path: config.path.clone(),
                line: 1,
                column: 1,
                message: format!(
                    "required option `{}` is missing: {}",
                    spec.name, spec.summary
                ),
            });
        }
    }
    super::rules::check(config, &mut out);
    let defaults = OPTIONS
        .iter()
        .filter(|spec| !config.options.contains_key(spec.name))
        .filter_map(|spec| Some((spec.name.to_owned(), default_value(spec)?)))
        .collect();
    let mut report = Report {
        diagnostics: out,
        defaults,
    };
    report.sort();
    report
}

/// Where `name` was assigned; options built without positions point at the file start.
pub(super) fn origin_of(config: &LoadedConfig, name: &str) -> Origin {
    config.origins.get(name).cloned().unwrap_or_else(|| {
        let start = Pos { line: 1, column: 1 };
        Origin {
            path: config.path.clone(),
            pos: start,
            value: crate::origin::ValuePos::leaf(start),
        }
    })
}

/// Python's truth value, which Pungi's rules test.
pub(super) fn truthy(value: &Value) -> bool {
    match value {
        Value::None => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::List(items) | Value::Tuple(items) => !items.is_empty(),
        Value::Dict(entries) => !entries.is_empty(),
    }
}

/// Checks the values of one option, writing into `out`.
struct Checker<'a> {
    option: &'a str,
    path: &'a Path,
    out: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    fn push(&mut self, severity: Severity, pos: Pos, message: String) {
        self.out.push(Diagnostic {
            severity,
            path: self.path.to_owned(),
            line: pos.line,
            column: pos.column,
            message,
        });
    }

    fn error(&mut self, at: At<'_>, place: &str, message: impl fmt::Display) {
        let message = format!("`{}{place}`: {message}", self.option);
        self.push(Severity::Error, at.pos, message);
    }

    fn unknown(&mut self, pos: Pos) {
        let hint = did_you_mean(self.option, OPTIONS.iter().map(|spec| spec.name));
        let message = format!("unknown option `{}`{hint}", self.option);
        self.push(Severity::Warning, pos, message);
    }

    fn option(&mut self, spec: &OptionSpec, value: &Value, origin: &Origin) {
        // As pungi-koji does: a removed option is a warning and the compose runs, so a
        // config that Pungi composes composes here too.
        if let Status::Removed(instead) = spec.status {
            let message = format!(
                "option `{}` was removed and has no effect: {instead}",
                spec.name
            );
            self.push(Severity::Warning, origin.pos, message);
            return;
        }
        self.check(&spec.ty, value, origin.value.at(), "");
    }

    fn mismatch(&mut self, ty: &Type, value: &Value, at: At<'_>, place: &str) {
        let message = format!(
            "expected {ty}, found {} {}",
            value.type_name(),
            short(value)
        );
        self.error(at, place, message);
    }

    fn check(&mut self, ty: &Type, value: &Value, at: At<'_>, place: &str) {
        match (ty, value) {
            (Type::Any, _)
            | (Type::Str, Value::Str(_))
            | (Type::Bool, Value::Bool(_))
            | (Type::Int, Value::Int(_))
            | (Type::Number, Value::Int(_) | Value::Float(_))
            | (Type::Null, Value::None) => {}
            (Type::Regex, Value::Str(pattern)) => self.regex(pattern, at, place),
            (Type::Enum(allowed), Value::Str(s)) => {
                if !allowed.contains(&s.as_str()) {
                    let hint = did_you_mean(s, allowed.iter().copied());
                    let message = format!("{s:?} is not one of {ty}{hint}");
                    self.error(at, place, message);
                }
            }
            (Type::IntEnum(allowed), Value::Int(i)) => {
                if !allowed.contains(i) {
                    self.error(at, place, format!("{i} is not one of {ty}"));
                }
            }
            (Type::List(item), Value::List(items) | Value::Tuple(items)) => {
                for (i, value) in items.iter().enumerate() {
                    self.check(item, value, at.item(i), &format!("{place}[{i}]"));
                }
            }
            (Type::Map(inner), Value::Dict(entries)) => self.map(inner, entries, at, place),
            (Type::Record(record), Value::Dict(entries)) => {
                self.record(record, entries, at, place);
            }
            (Type::VariantArch(inner), Value::List(items) | Value::Tuple(items)) => {
                self.variant_arch(inner, items, at, place);
            }
            (Type::Variant(inner), Value::Dict(entries)) => {
                for (i, (key, value)) in entries.iter().enumerate() {
                    if self.key_is_string(key, at.key(i), place) {
                        let pattern = key.as_str().unwrap_or_default();
                        self.regex(pattern, at.key(i), place);
                    }
                    let inner_place = format!("{place}[{}]", repr(key));
                    self.check(inner, value, at.value(i), &inner_place);
                }
            }
            (Type::Pair(first, second), Value::List(items) | Value::Tuple(items))
                if items.len() == 2 =>
            {
                self.check(first, &items[0], at.item(0), &format!("{place}[0]"));
                self.check(second, &items[1], at.item(1), &format!("{place}[1]"));
            }
            (Type::OneOf(alternatives), _) => self.one_of(ty, alternatives, value, at, place),
            (Type::Deprecated(inner, advice), _) => {
                let before = self.errors();
                self.check(inner, value, at, place);
                if self.errors() == before {
                    let message = format!(
                        "`{}{place}`: this form is deprecated; {advice}",
                        self.option
                    );
                    self.push(Severity::Warning, at.pos, message);
                }
            }
            _ => self.mismatch(ty, value, at, place),
        }
    }

    fn errors(&self) -> usize {
        self.out
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// The first alternative that accepts the value wins; when none does, the
    /// problems of the first one of the right shape are the ones reported.
    fn one_of(&mut self, ty: &Type, alternatives: &[Type], value: &Value, at: At<'_>, place: &str) {
        let fitting: Vec<&Type> = alternatives.iter().filter(|alt| fits(alt, value)).collect();
        let Some(first) = fitting.first() else {
            return self.mismatch(ty, value, at, place);
        };
        for alternative in &fitting {
            let mut trial = Vec::new();
            Checker {
                option: self.option,
                path: self.path,
                out: &mut trial,
            }
            .check(alternative, value, at, place);
            if trial.iter().all(|d| d.severity != Severity::Error) {
                self.out.extend(trial);
                return;
            }
        }
        self.check(first, value, at, place);
    }

    fn key_is_string(&mut self, key: &Value, at: At<'_>, place: &str) -> bool {
        if key.as_str().is_none() {
            let message = format!("keys must be strings, found {}", short(key));
            self.error(at, place, message);
            return false;
        }
        true
    }

    fn regex(&mut self, pattern: &str, at: At<'_>, place: &str) {
        if let Err(e) = VariantPattern::new(pattern) {
            let message = format!("bad variant regex {pattern:?}: {}", regex_reason(&e));
            self.error(at, place, message);
        }
    }

    fn map(&mut self, inner: &Type, entries: &[(Value, Value)], at: At<'_>, place: &str) {
        for (i, (key, value)) in entries.iter().enumerate() {
            if self.key_is_string(key, at.key(i), place) {
                self.check(
                    inner,
                    value,
                    at.value(i),
                    &format!("{place}[{}]", repr(key)),
                );
            }
        }
    }

    fn record(&mut self, record: &Record, entries: &[(Value, Value)], at: At<'_>, place: &str) {
        for (i, (key, value)) in entries.iter().enumerate() {
            if !self.key_is_string(key, at.key(i), place) {
                continue;
            }
            let name = key.as_str().unwrap_or_default();
            let field_place = format!("{place}[{}]", repr(key));
            match record.fields.iter().find(|(field, _)| *field == name) {
                Some((_, ty)) => self.check(ty, value, at.value(i), &field_place),
                None if record.open => {}
                None => {
                    let names = record.fields.iter().map(|(field, _)| *field);
                    let hint = did_you_mean(name, names);
                    self.error(at.key(i), place, format!("unknown key {name:?}{hint}"));
                }
            }
        }
        for required in record.required {
            if !entries
                .iter()
                .any(|(key, _)| key.as_str() == Some(required))
            {
                self.error(at, place, format!("missing required key {required:?}"));
            }
        }
    }

    fn variant_arch(&mut self, inner: &Type, items: &[Value], at: At<'_>, place: &str) {
        for (i, item) in items.iter().enumerate() {
            let item_at = at.item(i);
            let item_place = format!("{place}[{i}]");
            let (pattern, per_arch) = match item.as_sequence() {
                Some([pattern, per_arch]) => (pattern, per_arch),
                _ => {
                    let message = format!(
                        "expected a (variant regex, {{arch: value}}) pair, found {}",
                        short(item)
                    );
                    self.error(item_at, &item_place, message);
                    continue;
                }
            };
            match pattern {
                Value::Str(p) => self.regex(p, item_at.item(0), &format!("{item_place}[0]")),
                other => self.mismatch(&Type::Regex, other, item_at.item(0), &item_place),
            }
            match per_arch {
                Value::Dict(entries) => {
                    self.map(inner, entries, item_at.item(1), &format!("{item_place}[1]"));
                }
                other => {
                    let message = format!(
                        "expected a dict of arches {{arch: {inner}}}, found {} {}",
                        other.type_name(),
                        short(other)
                    );
                    self.error(item_at.item(1), &item_place, message);
                }
            }
        }
    }
}

/// Whether `value` has the outer shape of `ty` (the inside may still be wrong).
fn fits(ty: &Type, value: &Value) -> bool {
    match ty {
        Type::Any => true,
        Type::Str | Type::Regex | Type::Enum(_) => matches!(value, Value::Str(_)),
        Type::Bool => matches!(value, Value::Bool(_)),
        Type::Int | Type::IntEnum(_) => matches!(value, Value::Int(_)),
        Type::Number => matches!(value, Value::Int(_) | Value::Float(_)),
        Type::Null => matches!(value, Value::None),
        Type::List(_) | Type::VariantArch(_) => value.as_sequence().is_some(),
        Type::Pair(..) => value.as_sequence().is_some_and(|items| items.len() == 2),
        Type::Map(_) | Type::Record(_) | Type::Variant(_) => matches!(value, Value::Dict(_)),
        Type::OneOf(alternatives) => alternatives.iter().any(|alt| fits(alt, value)),
        Type::Deprecated(inner, _) => fits(inner, value),
    }
}

/// The value as written, cut short for messages.
fn short(value: &Value) -> String {
    let text = repr(value);
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// The one-line reason of a regex error (the crate's message spans several lines).
fn regex_reason(error: &regex::Error) -> String {
    let text = error.to_string();
    text.lines()
        .find_map(|line| line.strip_prefix("error: "))
        .unwrap_or(text.lines().last().unwrap_or_default())
        .to_owned()
}
