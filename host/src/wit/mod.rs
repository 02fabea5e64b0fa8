//! The host side of each released WIT version of `pungi:phase`, one module per version,
//! each a thin translation between that version's generated types and the
//! version-independent [`crate::capabilities`]; and the rule deciding which components
//! this host runs.
//!
//! Compatibility follows semver: a component built against `0.x.y` runs on a host that
//! implements some `0.x.*`; from `1.0.0` on, one built against `X.y.z` runs on a host
//! implementing some `X.*.*`. Anything else is refused before it runs, naming both
//! versions. See `docs/wit.md` for how versions are cut and retired.

pub mod since_v0_1_2;

/// Every `pungi:phase` version this host implements, newest first.
pub const VERSIONS: &[&str] = &[since_v0_1_2::VERSION];

/// The version of this host's implementation that runs a component built against
/// `version`, or `None` when no implemented version is compatible with it.
pub fn implementation_for(version: &str) -> Option<&'static str> {
    let wanted = track(version)?;
    VERSIONS.iter().copied().find(|v| track(v) == Some(wanted))
}

/// Semver's compatibility track: `(0, minor)` before 1.0, `(major, 0)` from then on.
fn track(version: &str) -> Option<(u64, u64)> {
    let mut parts = version.split('.').map(str::parse::<u64>);
    let (Some(Ok(major)), Some(Ok(minor)), Some(Ok(_patch)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some(if major == 0 { (0, minor) } else { (major, 0) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_tracks() {
        assert_eq!(track("0.1.7"), Some((0, 1)));
        assert_eq!(track("1.4.0"), Some((1, 0)));
        assert_eq!(track("2.0.1"), Some((2, 0)));
        assert_eq!(track("0.1"), None);
        assert_eq!(track("0.1.0-rc1"), None);
    }

    #[test]
    fn components_of_the_same_track_run() {
        assert_eq!(implementation_for("0.1.0"), Some("0.1.2"));
        assert_eq!(implementation_for("0.1.1"), Some("0.1.2"));
        assert_eq!(implementation_for("0.1.2"), Some("0.1.2"));
        assert_eq!(implementation_for("0.1.9"), Some("0.1.2"));
        assert_eq!(implementation_for("0.2.0"), None);
        assert_eq!(implementation_for("1.1.0"), None);
        assert_eq!(implementation_for("garbage"), None);
    }
}
