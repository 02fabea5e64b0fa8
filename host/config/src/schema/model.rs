//! What the schema says about an option: its type, default, the phase that reads it,
//! whether this build honours it yet, and whether Pungi still has it.
//!
//! The table is `const` data so that the docs generator, the validator and the defaults
//! all read one source; types nest through `&'static` references.

use std::fmt;

/// The shape an option's value must have, following Pungi's JSON schema.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Type {
    /// Any value.
    Any,
    /// A string.
    Str,
    /// `True` / `False`.
    Bool,
    /// An integer.
    Int,
    /// An integer or a float (JSON schema's "number"; booleans are not numbers).
    Number,
    /// `None`.
    Null,
    /// A string that must be a valid variant regex.
    Regex,
    /// One of these strings.
    Enum(&'static [&'static str]),
    /// One of these integers.
    IntEnum(&'static [i64]),
    /// A list (or tuple) of values of one type.
    List(&'static Type),
    /// A dict with string keys and values of one type.
    Map(&'static Type),
    /// A dict with named fields.
    Record(&'static Record),
    /// `[(variant_regex, {arch: value})]`, resolved by `get_arch_variant_data`.
    VariantArch(&'static Type),
    /// `{variant_regex: value}`, resolved by `get_variant_data`.
    Variant(&'static Type),
    /// A `(first, second)` pair (list or tuple of exactly two).
    Pair(&'static Type, &'static Type),
    /// The first alternative that fits the value's shape decides.
    OneOf(&'static [Type]),
    /// Still accepted, but Pungi prefers another form: a warning with this advice.
    Deprecated(&'static Type, &'static str),
}

/// The fields of a dict-shaped value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    /// Field names and types.
    pub fields: &'static [(&'static str, Type)],
    /// Fields that must be present.
    pub required: &'static [&'static str],
    /// Whether fields not listed are allowed.
    pub open: bool,
}

/// Common shapes, named as Pungi's schema names them.
pub mod shapes {
    use super::{Record, Type};

    /// A list of strings.
    pub const STRINGS: Type = Type::List(&Type::Str);
    /// A string or a list of strings (`strings` in Pungi).
    pub const STR_OR_STRINGS: Type = Type::OneOf(&[Type::Str, STRINGS]);
    /// A string or `None`.
    pub const OPT_STR: Type = Type::OneOf(&[Type::Str, Type::Null]);
    /// An SCM location: where a file or directory comes from.
    pub const SCM_DICT: Type = Type::Record(&Record {
        fields: &[
            ("scm", Type::Enum(&["file", "cvs", "git", "rpm", "koji"])),
            // `None` for `scm = "file"`, as configs write it.
            ("repo", OPT_STR),
            ("branch", OPT_STR),
            ("file", STR_OR_STRINGS),
            ("dir", STR_OR_STRINGS),
            ("command", Type::Str),
            ("target", Type::Str),
            ("options", Type::Map(&Type::Str)),
        ],
        required: &["scm"],
        open: false,
    });
    /// A path or an SCM location (`str_or_scm_dict`).
    pub const STR_OR_SCM: Type = Type::OneOf(&[Type::Str, SCM_DICT]);
    /// A repository: a URL / path, or a dict with at least `baseurl`.
    pub const REPO: Type = Type::OneOf(&[
        Type::Str,
        Type::Record(&Record {
            fields: &[
                ("name", Type::Str),
                ("baseurl", Type::Str),
                ("exclude", Type::Str),
                ("gpgcheck", Type::Bool),
                ("enabled", Type::Str),
            ],
            required: &["baseurl"],
            open: false,
        }),
    ]);
    /// One repository or a list of them.
    pub const REPOS: Type = Type::OneOf(&[REPO, Type::List(&REPO)]);
    /// `[(variant_regex, {arch: [names]})]`.
    pub const PACKAGE_MAPPING: Type = Type::VariantArch(&STRINGS);
    /// `[(a, b)]` pairs of strings.
    pub const STRING_PAIRS: Type = Type::List(&Type::Pair(&Type::Str, &Type::Str));
    /// A string or a number (sizes written either way).
    pub const SIZE: Type = Type::OneOf(&[Type::Str, Type::Number]);
    /// Where a compose may run commands (`pungi.runroot.RUNROOT_TYPES`).
    pub const RUNROOT_TYPE: Type = Type::Enum(&["local", "koji", "openssh"]);
}

/// What a default is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    /// No default: absent means absent.
    None,
    /// A Python literal, applied when the option is absent.
    Literal(&'static str),
    /// Computed at run time (e.g. the CPU count): documented, not applied.
    Computed(&'static str),
}

/// Whether this build honours an option yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Read and acted on.
    Yes,
    /// Read, with the limits described.
    Partly(&'static str),
    /// Accepted and validated, but the phase that reads it does not run yet.
    No,
}

/// Whether the option is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A current Pungi option.
    Current,
    /// An option pungi-wasm adds; Pungi would warn that it does not know it.
    Extension,
    /// Pungi dropped it and ignores it; the text says what to do instead. An error
    /// when set to something that asks for behaviour (a warning when falsy).
    Removed(&'static str),
}

/// One config option.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptionSpec {
    /// The option name.
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// Its default.
    pub default: DefaultValue,
    /// The phase (or `general` for the host) that reads it.
    pub phase: &'static str,
    /// Whether this build honours it.
    pub support: Support,
    /// Current, extension or removed.
    pub status: Status,
    /// Whether a config must set it.
    pub required: bool,
    /// One line on what it is for.
    pub summary: &'static str,
}

impl OptionSpec {
    /// A current, optional, not yet honoured option without default.
    pub const fn new(
        name: &'static str,
        ty: Type,
        phase: &'static str,
        summary: &'static str,
    ) -> Self {
        Self {
            name,
            ty,
            default: DefaultValue::None,
            phase,
            support: Support::No,
            status: Status::Current,
            required: false,
            summary,
        }
    }

    /// A removed option; `instead` says what replaces it.
    pub const fn removed(name: &'static str, phase: &'static str, instead: &'static str) -> Self {
        Self {
            status: Status::Removed(instead),
            ..Self::new(name, Type::Any, phase, "removed")
        }
    }

    /// With a default, as a Python literal.
    pub const fn default(self, literal: &'static str) -> Self {
        Self {
            default: DefaultValue::Literal(literal),
            ..self
        }
    }

    /// With a default computed at run time.
    pub const fn computed(self, what: &'static str) -> Self {
        Self {
            default: DefaultValue::Computed(what),
            ..self
        }
    }

    /// Honoured by this build.
    pub const fn yes(self) -> Self {
        Self {
            support: Support::Yes,
            ..self
        }
    }

    /// Honoured with limits.
    pub const fn partly(self, limits: &'static str) -> Self {
        Self {
            support: Support::Partly(limits),
            ..self
        }
    }

    /// Must be set.
    pub const fn required(self) -> Self {
        Self {
            required: true,
            ..self
        }
    }

    /// Added by pungi-wasm.
    pub const fn extension(self) -> Self {
        Self {
            status: Status::Extension,
            ..self
        }
    }
}

impl fmt::Display for Type {
    /// How a type reads in messages and docs: `list of strings`,
    /// `[(variant regex, {arch: bool})]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("any value"),
            Self::Str => f.write_str("string"),
            Self::Bool => f.write_str("bool"),
            Self::Int => f.write_str("int"),
            Self::Number => f.write_str("number"),
            Self::Null => f.write_str("None"),
            Self::Regex => f.write_str("regex"),
            Self::Enum(values) => {
                let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
                f.write_str(&quoted.join(" | "))
            }
            Self::IntEnum(values) => {
                let listed: Vec<String> = values.iter().map(i64::to_string).collect();
                f.write_str(&listed.join(" | "))
            }
            Self::List(Type::Str) => f.write_str("list of strings"),
            Self::List(item @ (Self::Enum(_) | Self::IntEnum(_) | Self::OneOf(_))) => {
                write!(f, "list of ({item})")
            }
            Self::List(item) => write!(f, "list of {item}"),
            Self::Map(value) => write!(f, "{{key: {value}}}"),
            Self::Record(record) => {
                let names: Vec<&str> = record.fields.iter().map(|(name, _)| *name).collect();
                write!(f, "dict with keys {}", names.join(", "))
            }
            Self::VariantArch(value) => write!(f, "[(variant regex, {{arch: {value}}})]"),
            Self::Variant(value) => write!(f, "{{variant regex: {value}}}"),
            Self::Pair(a, b) => write!(f, "({a}, {b})"),
            Self::OneOf(alternatives) => {
                let listed: Vec<String> = alternatives.iter().map(Type::to_string).collect();
                f.write_str(&listed.join(" or "))
            }
            Self::Deprecated(inner, _) => write!(f, "{inner} (deprecated)"),
        }
    }
}
