//! Earlier composes of the same release, from the `--old-composes` directories.
//!
//! The host mounts each `--old-composes DIR` read-only at `/old-composes/<index>` for a
//! phase whose policy grants `dirs = { old-composes = "ro" }`. WIT 0.1.0's `mounts()`
//! cannot name that role, so the SDK finds them at those fixed paths. The choice of
//! compose follows Pungi's `find_old_compose`: a directory named like this compose's
//! release (`<short>-<version>[-<type>]` then `-<date>`), a real directory (not a
//! symlink), whose `STATUS` is `FINISHED` or `FINISHED_INCOMPLETE`; the newest by compose
//! ID, respins compared as numbers.

use std::cmp::Ordering;

use crate::{ComposeInfo, PhaseError};

/// Where the host mounts the `--old-composes` directories, one numbered folder each.
pub const OLD_COMPOSES_ROOT: &str = "/old-composes";

/// The statuses of a compose worth comparing against.
const USABLE_STATUSES: [&str; 2] = ["FINISHED", "FINISHED_INCOMPLETE"];

/// A finished earlier compose of the same release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldCompose {
    /// Its compose ID, e.g. `Demo-1.0-20261122.n.0`.
    pub id: String,
    /// Virtual path of its top directory, e.g. `/old-composes/0/Demo-1.0-20261122.n.0`.
    pub path: String,
    /// `FINISHED` or `FINISHED_INCOMPLETE`.
    pub status: String,
}

impl OldCompose {
    /// Virtual path of a file or directory inside it, e.g. `compose/metadata/rpms.json`.
    pub fn join(&self, relative: &str) -> String {
        format!("{}/{}", self.path, relative.trim_start_matches('/'))
    }

    /// Its `compose/metadata/rpms.json`: every RPM per variant and arch.
    pub fn rpms(&self) -> Result<pungi_productmd::Rpms, PhaseError> {
        crate::fs::read_json(&self.join("compose/metadata/rpms.json"))
    }
}

/// The virtual paths of the `--old-composes` directories this phase can see.
pub fn old_compose_dirs() -> Vec<String> {
    (0..)
        .map(|i| format!("{OLD_COMPOSES_ROOT}/{i}"))
        .take_while(|dir| std::fs::metadata(dir).is_ok_and(|m| m.is_dir()))
        .collect()
}

/// The newest finished compose of `info`'s release under `dirs`, or `None`.
pub fn find_old_compose(
    info: &ComposeInfo,
    dirs: &[String],
) -> Result<Option<OldCompose>, PhaseError> {
    let prefix = release_prefix(info);
    let mut found: Option<OldCompose> = None;
    for dir in dirs {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| PhaseError::io(format!("listing old composes in {dir}"), e))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| PhaseError::io(format!("listing old composes in {dir}"), e))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if name == info.id || !same_release(&name, &prefix) {
                continue;
            }
            let path = format!("{dir}/{name}");
            let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
            let status = std::fs::read_to_string(format!("{path}/STATUS")).unwrap_or_default();
            let status = status.trim();
            if !is_dir || !USABLE_STATUSES.contains(&status) {
                continue;
            }
            if found
                .as_ref()
                .is_none_or(|best| compare_ids(&name, &best.id) == Ordering::Greater)
            {
                found = Some(OldCompose {
                    id: name,
                    path,
                    status: status.to_owned(),
                });
            }
        }
    }
    Ok(found)
}

/// `<short>-<version>` plus `-<release type>` unless it is `ga`, as compose IDs start.
fn release_prefix(info: &ComposeInfo) -> String {
    match info.release_type.as_str() {
        "ga" => format!("{}-{}", info.release_short, info.release_version),
        other => format!("{}-{}-{other}", info.release_short, info.release_version),
    }
}

/// Whether `name` is a compose ID of the release `prefix`: the prefix, then `-` and a
/// digit (the date), so `Demo-1.0-updates-…` is not taken for `Demo-1.0-…`.
fn same_release(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// Compose IDs in time order: the part before the respin as text, the respin as a number.
fn compare_ids(a: &str, b: &str) -> Ordering {
    fn split(id: &str) -> (&str, Option<u64>) {
        match id.rsplit_once('.') {
            Some((stem, respin)) => (stem, respin.parse().ok()),
            None => (id, None),
        }
    }
    split(a).cmp(&split(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(release_type: &str) -> ComposeInfo {
        ComposeInfo {
            id: "Demo-1.0-20261125.n.0".into(),
            label: None,
            date: "20261125".into(),
            respin: 0,
            compose_type: "nightly".into(),
            release_name: "Demo".into(),
            release_short: "Demo".into(),
            release_version: "1.0".into(),
            release_type: release_type.into(),
            arches: vec![],
            variants: vec![],
        }
    }

    fn compose(root: &std::path::Path, id: &str, status: &str) {
        std::fs::create_dir_all(root.join(id)).unwrap();
        std::fs::write(root.join(id).join("STATUS"), format!("{status}\n")).unwrap();
    }

    #[test]
    fn newest_finished_compose_of_the_same_release_wins() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        compose(a.path(), "Demo-1.0-20261123.n.9", "FINISHED");
        compose(a.path(), "Demo-1.0-20261124.n.2", "FINISHED_INCOMPLETE");
        compose(b.path(), "Demo-1.0-20261124.n.10", "FINISHED");
        compose(b.path(), "Demo-1.0-20261124.n.11", "DOOMED");
        compose(b.path(), "Demo-1.0-updates-20261130.n.0", "FINISHED");
        compose(b.path(), "Demo-1.0-20261125.n.0", "FINISHED");
        compose(b.path(), "Other-1.0-20261130.n.0", "FINISHED");
        let dirs = [a.path(), b.path()].map(|p| p.display().to_string());
        let found = find_old_compose(&info("ga"), &dirs).unwrap().unwrap();
        assert_eq!(found.id, "Demo-1.0-20261124.n.10");
        assert_eq!(found.status, "FINISHED");
        assert!(found.path.starts_with(&dirs[1]));

        let updates = find_old_compose(&info("updates"), &dirs).unwrap().unwrap();
        assert_eq!(updates.id, "Demo-1.0-updates-20261130.n.0");
    }

    #[test]
    fn none_without_a_finished_compose() {
        let a = tempfile::tempdir().unwrap();
        compose(a.path(), "Demo-1.0-20261123.n.0", "STARTED");
        let dirs = [a.path().display().to_string()];
        assert_eq!(find_old_compose(&info("ga"), &dirs).unwrap(), None);
    }

    #[test]
    fn an_unreadable_directory_is_an_error_naming_it() {
        let dirs = ["/no/such/old/composes".to_owned()];
        let err = find_old_compose(&info("ga"), &dirs).unwrap_err();
        assert!(err.message.contains("/no/such/old/composes"), "{err}");
    }
}
