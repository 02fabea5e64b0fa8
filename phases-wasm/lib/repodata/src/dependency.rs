//! Dependencies (`Requires: foo >= 1.0` and friends) and rpm's rule for
//! deciding whether two version ranges overlap.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ParseError;
use crate::evr::{Evr, EvrRef};

/// The comparison of a versioned dependency, spelled as createrepo spells it
/// in the `flags` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Flag {
    EQ,
    LT,
    LE,
    GT,
    GE,
}

const SENSE_LESS: u32 = 1 << 1;
const SENSE_GREATER: u32 = 1 << 2;
const SENSE_EQUAL: u32 = 1 << 3;

impl Flag {
    /// Decodes rpm's `RPMSENSE_*` comparison bits; `None` for "any version"
    /// (and for the meaningless `<>` combination, as createrepo_c does).
    pub fn from_rpm_bits(bits: u32) -> Option<Flag> {
        match bits & (SENSE_LESS | SENSE_GREATER | SENSE_EQUAL) {
            SENSE_EQUAL => Some(Flag::EQ),
            SENSE_LESS => Some(Flag::LT),
            SENSE_GREATER => Some(Flag::GT),
            b if b == SENSE_LESS | SENSE_EQUAL => Some(Flag::LE),
            b if b == SENSE_GREATER | SENSE_EQUAL => Some(Flag::GE),
            _ => None,
        }
    }

    /// The repodata spelling (`EQ`, `GE`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::EQ => "EQ",
            Flag::LT => "LT",
            Flag::LE => "LE",
            Flag::GT => "GT",
            Flag::GE => "GE",
        }
    }

    /// Parses the repodata spelling.
    pub fn from_repodata(s: &str) -> Option<Flag> {
        Some(match s {
            "EQ" => Flag::EQ,
            "LT" => Flag::LT,
            "LE" => Flag::LE,
            "GT" => Flag::GT,
            "GE" => Flag::GE,
            _ => return None,
        })
    }

    /// The operator as rpm prints it (`=`, `<`, `<=`, `>`, `>=`).
    pub fn operator(self) -> &'static str {
        match self {
            Flag::EQ => "=",
            Flag::LT => "<",
            Flag::LE => "<=",
            Flag::GT => ">",
            Flag::GE => ">=",
        }
    }

    /// Parses an rpm operator (`==` is accepted for `=`).
    pub fn from_operator(s: &str) -> Option<Flag> {
        Some(match s {
            "=" | "==" => Flag::EQ,
            "<" => Flag::LT,
            "<=" | "=<" => Flag::LE,
            ">" => Flag::GT,
            ">=" | "=>" => Flag::GE,
            _ => return None,
        })
    }

    fn less(self) -> bool {
        matches!(self, Flag::LT | Flag::LE)
    }
    fn greater(self) -> bool {
        matches!(self, Flag::GT | Flag::GE)
    }
    fn equal(self) -> bool {
        matches!(self, Flag::EQ | Flag::LE | Flag::GE)
    }
}

/// One provides/requires/conflicts/... entry. `evr` is only meaningful with a
/// `flags`; a requirement whose name starts with `(` is an rpm rich dependency
/// kept verbatim in `name`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dependency {
    pub name: String,
    // Left out of documents when absent: most dependencies are a bare name, and a
    // package set document carries millions of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Flag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evr: Option<Evr>,
    /// `Requires(pre)`/`(post)`: needed while installing, not only after.
    #[serde(default, skip_serializing_if = "is_false")]
    pub pre: bool,
}

fn is_false(value: &bool) -> bool {
    !value
}

impl Dependency {
    /// An unversioned dependency on `name`.
    pub fn any(name: impl Into<String>) -> Self {
        Dependency {
            name: name.into(),
            flags: None,
            evr: None,
            pre: false,
        }
    }

    /// A versioned dependency `name <flag> evr`.
    pub fn versioned(name: impl Into<String>, flag: Flag, evr: Evr) -> Self {
        Dependency {
            name: name.into(),
            flags: Some(flag),
            evr: Some(evr),
            pre: false,
        }
    }

    /// Whether this is a path (file) dependency such as `/bin/sh`.
    pub fn is_file(&self) -> bool {
        self.name.starts_with('/')
    }

    /// Whether this is an rpm rich (boolean) dependency such as `(a or b)`.
    pub fn is_rich(&self) -> bool {
        self.name.starts_with('(')
    }

    /// The version range this entry offers (as a provide) or accepts (as a requirement).
    pub fn range(&self) -> Range<'_> {
        Range {
            flag: self.flags,
            evr: self.evr.as_ref().map(Evr::as_ref),
        }
    }
}

/// Renders like rpm: `foo`, `foo >= 1:2.0-1`.
impl fmt::Display for Dependency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let (Some(flag), Some(evr)) = (self.flags, &self.evr) {
            write!(f, " {} {}", flag.operator(), evr)?;
        }
        Ok(())
    }
}

/// Parses `name` or `name OP evr` (what rpm prints and what configs contain).
/// A string starting with `(` is a rich dependency and is kept whole.
impl FromStr for Dependency {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let s = s.trim();
        let error = |reason| ParseError {
            what: "dependency",
            input: s.to_owned(),
            reason,
        };
        if s.is_empty() {
            return Err(error("empty"));
        }
        if s.starts_with('(') {
            return Ok(Dependency::any(s));
        }
        let mut words = s.split_whitespace();
        let name = words.next().ok_or_else(|| error("empty"))?;
        match (words.next(), words.next(), words.next()) {
            (None, _, _) => Ok(Dependency::any(name)),
            (Some(op), Some(evr), None) => {
                let flag = Flag::from_operator(op).ok_or_else(|| error("unknown operator"))?;
                Ok(Dependency::versioned(name, flag, Evr::parse(evr)?))
            }
            _ => Err(error("expected `name` or `name OP version`")),
        }
    }
}

/// A version range: a comparison and the EVR it compares against. No flag or
/// no EVR means "any version".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range<'a> {
    pub flag: Option<Flag>,
    pub evr: Option<EvrRef<'a>>,
}

impl<'a> Range<'a> {
    /// An exact version, as every package implicitly provides its own NEVR.
    pub fn exactly(evr: EvrRef<'a>) -> Self {
        Range {
            flag: Some(Flag::EQ),
            evr: Some(evr),
        }
    }

    /// rpm's `rpmdsCompare`: two ranges of the same name overlap when either
    /// is unversioned, or when some EVR satisfies both comparisons. Releases
    /// are compared only when both sides give one.
    pub fn overlaps(&self, other: &Range<'_>) -> bool {
        let (Some(a_flag), Some(a_evr), Some(b_flag), Some(b_evr)) =
            (self.flag, self.evr, other.flag, other.evr)
        else {
            return true;
        };
        if a_evr.version.is_empty() || b_evr.version.is_empty() {
            return true;
        }
        match a_evr.cmp_dep(&b_evr) {
            Ordering::Less => a_flag.greater() || b_flag.less(),
            Ordering::Greater => a_flag.less() || b_flag.greater(),
            Ordering::Equal => {
                (a_flag.equal() && b_flag.equal())
                    || (a_flag.less() && b_flag.less())
                    || (a_flag.greater() && b_flag.greater())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(s: &str) -> Dependency {
        s.parse().unwrap()
    }

    #[test]
    fn renders_and_parses_like_rpm() {
        assert_eq!(dep("foo >= 1:2.0-1").to_string(), "foo >= 1:2.0-1");
        assert_eq!(dep("foo").to_string(), "foo");
        assert_eq!(dep("foo = 2.0").to_string(), "foo = 2.0");
        assert_eq!(dep("(a or b)").name, "(a or b)");
        assert!("foo ~> 1".parse::<Dependency>().is_err());
        assert!("foo >=".parse::<Dependency>().is_err());
        assert!("".parse::<Dependency>().is_err());
    }

    #[test]
    fn range_overlap_follows_rpmds_compare() {
        let overlaps =
            |provide: &str, require: &str| dep(provide).range().overlaps(&dep(require).range());
        assert!(overlaps("foo = 2.0-1", "foo >= 1.0"));
        assert!(!overlaps("foo = 0.9-1", "foo >= 1.0"));
        assert!(overlaps("foo = 1.0-1", "foo >= 1.0"));
        assert!(
            overlaps("foo = 1.0", "foo = 1.0-3"),
            "missing release matches any"
        );
        assert!(!overlaps("foo = 1.0-2", "foo = 1.0-3"));
        assert!(
            overlaps("foo", "foo >= 99"),
            "unversioned provide satisfies all"
        );
        assert!(overlaps("foo = 1:0.1", "foo > 5.0"), "epoch wins");
        assert!(!overlaps("foo = 1.0", "foo < 1.0"));
        assert!(overlaps("foo >= 2.0", "foo <= 3.0"), "two open ranges meet");
        assert!(!overlaps("foo < 2.0", "foo > 3.0"));
        assert!(overlaps("foo = 1.0~rc1", "foo < 1.0"));
    }
}
