//! Epoch-version-release values and rpm's own ordering of them.
//!
//! `rpmvercmp` is a byte-for-byte port of rpm's `rpmio/rpmvercmp.c` so that
//! Gather and repoclosure pick exactly the packages rpm/dnf would.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ParseError;

/// An owned `[epoch:]version[-release]`. An empty `release` means "not given"
/// (legal in dependencies such as `foo >= 1.0`), which matches any release.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Evr {
    pub epoch: u32,
    pub version: String,
    pub release: String,
}

/// A borrowed view of an EVR, so packages and dependencies can be compared
/// without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvrRef<'a> {
    pub epoch: u32,
    pub version: &'a str,
    pub release: &'a str,
}

impl Evr {
    /// Builds an EVR from its three parts.
    pub fn new(epoch: u32, version: impl Into<String>, release: impl Into<String>) -> Self {
        Evr {
            epoch,
            version: version.into(),
            release: release.into(),
        }
    }

    /// Parses `[epoch:]version[-release]` the way rpm does (`rpmverParse`):
    /// the epoch is the leading digits before `:`, the release follows the
    /// last `-`. A missing epoch is 0.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let (epoch, rest) = Evr::split_epoch(s).map_err(|reason| ParseError {
            what: "EVR",
            input: s.to_owned(),
            reason,
        })?;
        let (version, release) = rest.rsplit_once('-').unwrap_or((rest, ""));
        Ok(Evr::new(epoch, version, release))
    }

    /// Splits off the `epoch:` prefix (0 when absent or empty) without allocating.
    pub fn split_epoch(s: &str) -> Result<(u32, &str), &'static str> {
        match s.split_once(':') {
            Some(("", rest)) => Ok((0, rest)),
            Some((e, rest)) if e.bytes().all(|b| b.is_ascii_digit()) => e
                .parse()
                .map(|epoch| (epoch, rest))
                .map_err(|_| "epoch does not fit in 32 bits"),
            Some(_) => Err("epoch is not a number"),
            None => Ok((0, s)),
        }
    }

    /// Borrows this EVR for comparisons.
    pub fn as_ref(&self) -> EvrRef<'_> {
        EvrRef {
            epoch: self.epoch,
            version: &self.version,
            release: &self.release,
        }
    }
}

impl FromStr for Evr {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        Evr::parse(s)
    }
}

impl Ord for Evr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_ref().cmp(&other.as_ref())
    }
}

impl PartialOrd for Evr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Evr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_ref().fmt(f)
    }
}

impl<'a> EvrRef<'a> {
    /// Copies the view into an owned [`Evr`].
    pub fn to_owned(self) -> Evr {
        Evr::new(self.epoch, self.version, self.release)
    }

    /// rpm's dependency comparison (`rpmverCmp`): the release is compared only
    /// when both sides have one, so `1.0` equals `1.0-5` here.
    pub fn cmp_dep(&self, other: &EvrRef<'_>) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(self.version, other.version))
            .then_with(|| {
                if self.release.is_empty() || other.release.is_empty() {
                    Ordering::Equal
                } else {
                    rpmvercmp(self.release, other.release)
                }
            })
    }
}

/// A total order for sorting packages: epoch, then version, then release, all
/// with [`rpmvercmp`] (an empty release sorts before any other).
impl Ord for EvrRef<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(self.version, other.version))
            .then_with(|| rpmvercmp(self.release, other.release))
    }
}

impl PartialOrd for EvrRef<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Renders like rpm: the epoch only when non-zero, the release only when given.
impl fmt::Display for EvrRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epoch != 0 {
            write!(f, "{}:", self.epoch)?;
        }
        f.write_str(self.version)?;
        if !self.release.is_empty() {
            write!(f, "-{}", self.release)?;
        }
        Ok(())
    }
}

/// Compares two version (or release) strings exactly as rpm's `rpmvercmp`:
/// alternating numeric and alphabetic segments, numeric beats alphabetic,
/// `~` sorts before anything (even the end of the string), `^` sorts after
/// the end of the string but before anything else.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut one, mut two) = (a.as_bytes(), b.as_bytes());
    let is_sep = |c: &u8| !c.is_ascii_alphanumeric() && *c != b'~' && *c != b'^';
    loop {
        one = trim_leading(one, is_sep);
        two = trim_leading(two, is_sep);
        if one.is_empty() && two.is_empty() {
            break;
        }
        let (c1, c2) = (one.first().copied(), two.first().copied());

        // Tilde sorts before everything else, including the end of the string.
        if c1 == Some(b'~') || c2 == Some(b'~') {
            if c1 != Some(b'~') {
                return Ordering::Greater;
            }
            if c2 != Some(b'~') {
                return Ordering::Less;
            }
            (one, two) = (&one[1..], &two[1..]);
            continue;
        }

        // Caret is like tilde, except that the end of the string sorts before it.
        if c1 == Some(b'^') || c2 == Some(b'^') {
            match (c1, c2) {
                (None, _) => return Ordering::Less,
                (_, None) => return Ordering::Greater,
                (Some(x), _) if x != b'^' => return Ordering::Greater,
                (_, Some(y)) if y != b'^' => return Ordering::Less,
                _ => {}
            }
            (one, two) = (&one[1..], &two[1..]);
            continue;
        }

        if one.is_empty() || two.is_empty() {
            break;
        }

        // Take the leading all-digit or all-alpha segment of each side; the
        // kind is decided by the first side.
        let numeric = one[0].is_ascii_digit();
        let take = |s: &[u8]| {
            s.iter()
                .position(|c| {
                    if numeric {
                        !c.is_ascii_digit()
                    } else {
                        !c.is_ascii_alphabetic()
                    }
                })
                .unwrap_or(s.len())
        };
        let (len1, len2) = (take(one), take(two));
        let (seg1, seg2) = (&one[..len1], &two[..len2]);

        // Segments of different kinds: numeric is newer than alphabetic.
        if seg2.is_empty() {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }

        let ordering = if numeric {
            let s1 = trim_leading(seg1, |c| *c == b'0');
            let s2 = trim_leading(seg2, |c| *c == b'0');
            s1.len().cmp(&s2.len()).then_with(|| s1.cmp(s2))
        } else {
            seg1.cmp(seg2)
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
        (one, two) = (&one[len1..], &two[len2..]);
    }

    // All segments compared equal; whichever side has something left wins.
    match (one.is_empty(), two.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

fn trim_leading(s: &[u8], pred: impl Fn(&u8) -> bool) -> &[u8] {
    let start = s.iter().position(|c| !pred(c)).unwrap_or(s.len());
    &s[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    /// Cases from rpm's own test suite (tests/rpmvercmp.at).
    #[test]
    fn rpm_testsuite_cases() {
        let cases: &[(&str, &str, Ordering)] = &[
            ("1.0", "1.0", Equal),
            ("1.0", "2.0", Less),
            ("2.0", "1.0", Greater),
            ("2.0.1", "2.0.1", Equal),
            ("2.0", "2.0.1", Less),
            ("2.0.1", "2.0", Greater),
            ("2.0.1a", "2.0.1a", Equal),
            ("2.0.1a", "2.0.1", Greater),
            ("2.0.1", "2.0.1a", Less),
            ("5.5p1", "5.5p1", Equal),
            ("5.5p1", "5.5p2", Less),
            ("5.5p2", "5.5p1", Greater),
            ("5.5p10", "5.5p10", Equal),
            ("5.5p1", "5.5p10", Less),
            ("5.5p10", "5.5p1", Greater),
            ("10xyz", "10.1xyz", Less),
            ("10.1xyz", "10xyz", Greater),
            ("xyz10", "xyz10", Equal),
            ("xyz10", "xyz10.1", Less),
            ("xyz10.1", "xyz10", Greater),
            ("xyz.4", "xyz.4", Equal),
            ("xyz.4", "8", Less),
            ("8", "xyz.4", Greater),
            ("xyz.4", "2", Less),
            ("2", "xyz.4", Greater),
            ("5.5p2", "5.6p1", Less),
            ("5.6p1", "5.5p2", Greater),
            ("5.6p1", "6.5p1", Less),
            ("6.5p1", "5.6p1", Greater),
            ("6.0.rc1", "6.0", Greater),
            ("6.0", "6.0.rc1", Less),
            ("10b2", "10a1", Greater),
            ("10a2", "10b2", Less),
            ("1.0aa", "1.0aa", Equal),
            ("1.0a", "1.0aa", Less),
            ("1.0aa", "1.0a", Greater),
            ("10.0001", "10.0001", Equal),
            ("10.0001", "10.1", Equal),
            ("10.1", "10.0001", Equal),
            ("10.0001", "10.0039", Less),
            ("10.0039", "10.0001", Greater),
            ("4.999.9", "5.0", Less),
            ("5.0", "4.999.9", Greater),
            ("20101121", "20101121", Equal),
            ("20101121", "20101122", Less),
            ("20101122", "20101121", Greater),
            ("2_0", "2_0", Equal),
            ("2.0", "2_0", Equal),
            ("2_0", "2.0", Equal),
            ("a", "a", Equal),
            ("a+", "a+", Equal),
            ("a+", "a_", Equal),
            ("a_", "a+", Equal),
            ("+a", "+a", Equal),
            ("+a", "_a", Equal),
            ("_a", "+a", Equal),
            ("+_", "+_", Equal),
            ("_+", "+_", Equal),
            ("_+", "_+", Equal),
            ("+", "_", Equal),
            ("_", "+", Equal),
            ("1.0~rc1", "1.0~rc1", Equal),
            ("1.0~rc1", "1.0", Less),
            ("1.0", "1.0~rc1", Greater),
            ("1.0~rc1", "1.0~rc2", Less),
            ("1.0~rc2", "1.0~rc1", Greater),
            ("1.0~rc1~git123", "1.0~rc1~git123", Equal),
            ("1.0~rc1~git123", "1.0~rc1", Less),
            ("1.0~rc1", "1.0~rc1~git123", Greater),
            ("1.0^", "1.0^", Equal),
            ("1.0^", "1.0", Greater),
            ("1.0", "1.0^", Less),
            ("1.0^git1", "1.0^git1", Equal),
            ("1.0^git1", "1.0", Greater),
            ("1.0", "1.0^git1", Less),
            ("1.0^git1", "1.0^git2", Less),
            ("1.0^git2", "1.0^git1", Greater),
            ("1.0^git1", "1.01", Less),
            ("1.01", "1.0^git1", Greater),
            ("1.0^20160101", "1.0^20160101", Equal),
            ("1.0^20160101", "1.0.1", Less),
            ("1.0.1", "1.0^20160101", Greater),
            ("1.0^20160101^git1", "1.0^20160101^git1", Equal),
            ("1.0^20160102", "1.0^20160101^git1", Greater),
            ("1.0^20160101^git1", "1.0^20160102", Less),
            ("1.0~rc1^git1", "1.0~rc1^git1", Equal),
            ("1.0~rc1^git1", "1.0~rc1", Greater),
            ("1.0~rc1", "1.0~rc1^git1", Less),
            ("1.0^git1~pre", "1.0^git1~pre", Equal),
            ("1.0^git1", "1.0^git1~pre", Greater),
            ("1.0^git1~pre", "1.0^git1", Less),
        ];
        for (a, b, expected) in cases {
            assert_eq!(rpmvercmp(a, b), *expected, "rpmvercmp({a:?}, {b:?})");
        }
    }

    #[test]
    fn epoch_dominates_and_missing_release_matches_any() {
        let e = |s: &str| Evr::parse(s).unwrap();
        assert!(e("1:1.0-1") > e("0:9.9-9"));
        assert!(e("2.0-1") > e("1.0-9"));
        assert_eq!(e("1.0").as_ref().cmp_dep(&e("1.0-7").as_ref()), Equal);
        assert_eq!(e("1.0-1").as_ref().cmp_dep(&e("1.0-2").as_ref()), Less);
        assert!(
            e("1.0") < e("1.0-1"),
            "total order puts a missing release first"
        );
    }

    #[test]
    fn parse_and_display_round_trip() {
        let evr = Evr::parse("3:1.2.3-4.fc40").unwrap();
        assert_eq!(evr, Evr::new(3, "1.2.3", "4.fc40"));
        assert_eq!(evr.to_string(), "3:1.2.3-4.fc40");
        assert_eq!(Evr::parse("1.0").unwrap().to_string(), "1.0");
        assert_eq!(Evr::parse("0:1.0-1").unwrap().to_string(), "1.0-1");
        assert_eq!(Evr::parse(":1.0").unwrap(), Evr::new(0, "1.0", ""));
        assert!(Evr::parse("x:1.0").is_err());
        assert!(Evr::parse("99999999999:1.0").is_err());
    }
}
