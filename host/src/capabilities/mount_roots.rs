//! Each mount's root directory is opened once, when its phase starts, and the grant then
//! names it through that descriptor. Phases run side by side and many write the compose:
//! a custom mount such as `compose/Server` is a path another phase can replace with a
//! symlink (to `../state`, to `logs/global`) at any moment. A root opened beneath the
//! compose's top directory without following a link, and reached only through the open
//! descriptor afterwards, is the directory the policy named for the whole run.

use std::path::Path;

use rustix::fs::{Mode, OFlags};

use super::beneath::{LinkError, directory_beneath};
use crate::policy::{Grant, PinnedRoot};

/// Pins every mount of `grant`: those under `topdir` (the compose's own trees, which
/// phases write) opened beneath it with no symlink on the way, writable ones created
/// when missing; the others (the config, input repositories, earlier composes: the
/// operator's directories, which no phase writes) opened as the operator named them.
pub fn pin(grant: &mut Grant, topdir: &Path) -> Result<(), String> {
    for mount in &mut grant.mounts {
        let opened = match mount.host.strip_prefix(topdir) {
            Ok(relative) => directory_beneath(topdir, &relative.to_string_lossy(), mount.writable),
            Err(_) => rustix::fs::open(
                &mount.host,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(LinkError::from),
        };
        let directory = opened.map_err(|error| {
            let why = match error {
                LinkError::NotFound => "it does not exist".to_owned(),
                LinkError::Symlink => "a symlink is on its way (phases may write there; \
                                       the host follows none)"
                    .to_owned(),
                LinkError::NotAFile | LinkError::CrossesDevices => {
                    "it is not a directory".to_owned()
                }
                LinkError::Io(e) => e.to_string(),
            };
            format!(
                "cannot mount {} at {}: {why}",
                mount.host.display(),
                mount.guest
            )
        })?;
        let pinned = PinnedRoot::new(directory);
        mount.host = pinned.path();
        mount.pinned = Some(pinned);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{MountGrant, MountRole};

    fn grant_of(mounts: &[(&Path, bool)]) -> Grant {
        Grant {
            phase: "custom".into(),
            mounts: mounts
                .iter()
                .map(|(host, writable)| MountGrant {
                    guest: "/m".into(),
                    host: host.to_path_buf(),
                    writable: *writable,
                    role: MountRole::Compose,
                    pinned: None,
                })
                .collect(),
            ..Grant::default()
        }
    }

    #[test]
    fn a_pinned_root_stays_the_directory_named_when_its_path_is_replaced() {
        let top = tempfile::tempdir().unwrap();
        let server = top.path().join("compose/Server");
        std::fs::create_dir_all(&server).unwrap();
        std::fs::write(server.join("file"), "server").unwrap();
        let mut grant = grant_of(&[(&server, true)]);
        pin(&mut grant, top.path()).unwrap();
        // Another phase swaps the directory for a link to the host's own state.
        std::fs::create_dir_all(top.path().join("state")).unwrap();
        std::fs::rename(&server, top.path().join("compose/moved")).unwrap();
        std::os::unix::fs::symlink("../state", &server).unwrap();
        let mount = &grant.mounts[0];
        assert!(mount.host.starts_with("/proc/self/fd"), "{:?}", mount.host);
        let seen = std::fs::read_to_string(mount.host.join("file")).unwrap();
        assert_eq!(seen, "server");
    }

    #[test]
    fn a_symlinked_root_under_the_compose_is_refused_and_a_missing_one_created() {
        let top = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(top.path().join("state")).unwrap();
        std::fs::create_dir_all(top.path().join("compose")).unwrap();
        let link = top.path().join("compose/Server");
        std::os::unix::fs::symlink("../state", &link).unwrap();
        let err = pin(&mut grant_of(&[(&link, false)]), top.path()).unwrap_err();
        assert!(err.contains("symlink"), "{err}");
        let through = top.path().join("compose/Server/x86_64");
        let err = pin(&mut grant_of(&[(&through, true)]), top.path()).unwrap_err();
        assert!(err.contains("symlink"), "{err}");
        assert!(!top.path().join("state/x86_64").exists());

        let fresh = top.path().join("work/custom/new");
        pin(&mut grant_of(&[(&fresh, true)]), top.path()).unwrap();
        assert!(fresh.is_dir());
        let missing = top.path().join("compose/absent");
        let err = pin(&mut grant_of(&[(&missing, false)]), top.path()).unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
    }

    #[test]
    fn the_operators_directories_outside_the_compose_may_be_links() {
        let top = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let repo = elsewhere.path().join("repo-link");
        std::os::unix::fs::symlink(top.path(), &repo).unwrap();
        let compose = top.path().join("compose");
        let mut grant = grant_of(&[(&repo, false)]);
        pin(&mut grant, &compose).unwrap();
        assert!(grant.mounts[0].pinned.is_some());
    }
}
