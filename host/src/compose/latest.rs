//! The `latest-<short>-<version>` link beside a finished compose, which mirrors and
//! testers follow, named and kept as `pungi-koji` does.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::{Map, Value};

use super::Status;

/// When and how the link is made (`--no-latest-link`, `--latest-link-status`,
/// `--latest-link-components`).
#[derive(Debug, Clone)]
pub struct LatestLink {
    pub enabled: bool,
    /// The statuses that get the link (any case); empty: every finished compose.
    pub statuses: Vec<String>,
    /// How many components of `release_version` the name keeps: 0 none (`latest-<short>`),
    /// a negative number drops that many from the end (at least one is kept).
    pub components: i64,
}

impl LatestLink {
    /// Whether a compose that ended with `status` gets the link. Only a finished compose
    /// can (Pungi makes it at the end of a compose that did not fail), so naming DOOMED
    /// in `--latest-link-status` links nothing.
    pub fn wanted(&self, status: Status) -> bool {
        let finished = matches!(status, Status::Finished | Status::FinishedIncomplete);
        self.enabled
            && finished
            && (self.statuses.is_empty()
                || self
                    .statuses
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(status.as_str())))
    }

    /// The link's name: `latest-<release_short>-<version components>`, then
    /// `-<base_product_short>-<base_product_version>` for a layered product.
    pub fn name(&self, config: &Map<String, Value>) -> String {
        let text = |name: &str| config.get(name).and_then(Value::as_str).unwrap_or_default();
        let mut name = format!("latest-{}", text("release_short"));
        if self.components != 0 {
            let hunks: Vec<&str> = text("release_version").split('.').collect();
            let count = hunks.len() as i64;
            let keep = if self.components > 0 {
                self.components.min(count)
            } else {
                (count + self.components).max(1)
            };
            name = format!("{name}-{}", hunks[..keep as usize].join("."));
        }
        if !text("base_product_name").is_empty() {
            name = format!(
                "{name}-{}-{}",
                text("base_product_short"),
                text("base_product_version")
            );
        }
        name
    }
}

/// Points `<parent of topdir>/<name>` at the compose directory (by its relative name).
/// The new link replaces the old one by a rename, so a reader never finds it missing.
pub fn update_latest_link(topdir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let parent = topdir
        .parent()
        .with_context(|| format!("{} has no parent directory", topdir.display()))?;
    let target = topdir
        .file_name()
        .with_context(|| format!("{} has no name", topdir.display()))?;
    let link = parent.join(name);
    let staged = parent.join(format!(".{name}.{}", std::process::id()));
    let _ = std::fs::remove_file(&staged);
    std::os::unix::fs::symlink(target, &staged)
        .with_context(|| format!("creating the latest link {}", staged.display()))?;
    std::fs::rename(&staged, &link).with_context(|| {
        let _ = std::fs::remove_file(&staged);
        format!("replacing the latest link {}", link.display())
    })?;
    Ok(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(components: i64) -> LatestLink {
        LatestLink {
            enabled: true,
            statuses: Vec::new(),
            components,
        }
    }

    #[test]
    fn names_follow_pungi() {
        let config = |extra: &str| -> Map<String, Value> {
            serde_json::from_str(&format!(
                r#"{{"release_short": "Fedora", "release_version": "40.1.2"{extra}}}"#
            ))
            .unwrap()
        };
        assert_eq!(link(-1).name(&config("")), "latest-Fedora-40.1");
        assert_eq!(link(0).name(&config("")), "latest-Fedora");
        assert_eq!(link(1).name(&config("")), "latest-Fedora-40");
        assert_eq!(link(9).name(&config("")), "latest-Fedora-40.1.2");
        assert_eq!(link(-9).name(&config("")), "latest-Fedora-40");
        let layered = config(
            r#", "base_product_name": "RHEL", "base_product_short": "RHEL", "base_product_version": "9""#,
        );
        assert_eq!(link(-1).name(&layered), "latest-Fedora-40.1-RHEL-9");
    }

    #[test]
    fn only_finished_composes_with_a_named_status_get_it() {
        assert!(link(-1).wanted(Status::Finished));
        assert!(link(-1).wanted(Status::FinishedIncomplete));
        assert!(!link(-1).wanted(Status::Doomed));
        let only_finished = LatestLink {
            statuses: vec!["finished".into()],
            ..link(-1)
        };
        assert!(only_finished.wanted(Status::Finished));
        assert!(!only_finished.wanted(Status::FinishedIncomplete));
        let disabled = LatestLink {
            enabled: false,
            ..link(-1)
        };
        assert!(!disabled.wanted(Status::Finished));
    }

    #[test]
    fn the_link_points_at_the_compose_by_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let compose = dir.path().join("F-1-20260101.n.0");
        std::fs::create_dir(&compose).unwrap();
        std::os::unix::fs::symlink("elsewhere", dir.path().join("latest-F-1")).unwrap();
        let link = update_latest_link(&compose, "latest-F-1").unwrap();
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            Path::new("F-1-20260101.n.0")
        );
    }
}
