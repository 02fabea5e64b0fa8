//! Virtual (guest) paths to host paths, for the providers that touch files natively.
//! WASI's own file access is confined by wasmtime's preopens; these checks give the
//! native helpers (`files`, `command`) the same confinement.

use std::path::{Path, PathBuf};

use super::HostError;
use crate::policy::{Grant, MountGrant};

/// A guest path resolved inside one mount.
#[derive(Debug, Clone)]
pub struct Resolved<'g> {
    pub mount: &'g MountGrant,
    pub host: PathBuf,
    /// The normalized guest path, for messages and the audit log.
    pub guest: String,
    /// The path below the mount's root, without a leading `/` (empty for the root).
    pub relative: String,
}

/// Resolves `guest` to a host path inside a granted mount. Refuses relative paths, `..`
/// above the root, paths outside every mount, writes to read-only mounts and paths that
/// leave their mount through a symlink.
pub fn resolve<'g>(grant: &'g Grant, guest: &str, write: bool) -> Result<Resolved<'g>, HostError> {
    let resolved = locate(grant, guest, write)?;
    ensure_contained(&resolved.host, &resolved.mount.host)
        .map_err(|why| denied(grant, guest, why))?;
    Ok(resolved)
}

/// [`resolve`] without the symlink check: for callers that open the path with the kernel
/// confining the walk to the mount (see `super::beneath`).
pub fn locate<'g>(grant: &'g Grant, guest: &str, write: bool) -> Result<Resolved<'g>, HostError> {
    if !guest.starts_with('/') {
        return Err(HostError::Invalid(format!(
            "`{guest}` is not an absolute path under a mount"
        )));
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in guest.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(denied(grant, guest, "climbs above /"));
                }
            }
            other => parts.push(other),
        }
    }
    let normalized = format!("/{}", parts.join("/"));
    let mount = grant
        .mounts
        .iter()
        .filter(|m| is_under(&normalized, &m.guest))
        .max_by_key(|m| m.guest.len())
        .ok_or_else(|| denied(grant, guest, "is outside every directory granted"))?;
    if write && !mount.writable {
        return Err(denied(grant, guest, "is in a read-only mount"));
    }
    let relative = normalized[mount.guest.len()..].trim_start_matches('/');
    Ok(Resolved {
        mount,
        host: mount.host.join(relative),
        relative: relative.to_owned(),
        guest: normalized,
    })
}

fn is_under(path: &str, root: &str) -> bool {
    path == root || (path.starts_with(root) && path.as_bytes().get(root.len()) == Some(&b'/'))
}

/// The deepest existing ancestor of `host`, with every symlink followed, must still be
/// inside `root`.
fn ensure_contained(host: &Path, root: &Path) -> Result<(), &'static str> {
    let root = root
        .canonicalize()
        .map_err(|_| "has a mount whose directory is missing")?;
    let mut probe = host.to_path_buf();
    loop {
        if probe.symlink_metadata().is_ok() {
            break;
        }
        if !probe.pop() {
            return Err("has no existing ancestor");
        }
    }
    match probe.canonicalize() {
        Ok(real) if real.starts_with(&root) => Ok(()),
        Ok(_) => Err("leaves its mount through a symlink"),
        Err(_) => Err("goes through a dangling symlink"),
    }
}

fn denied(grant: &Grant, guest: &str, why: &str) -> HostError {
    HostError::Denied(format!("phase `{}`: `{guest}` {why}", grant.phase))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Limits, MountRole};

    fn grant(root: &Path) -> Grant {
        Grant {
            phase: "t".into(),
            mounts: vec![
                MountGrant {
                    guest: "/compose".into(),
                    host: root.join("compose"),
                    writable: true,
                    role: MountRole::Compose,
                    pinned: None,
                },
                MountGrant {
                    guest: "/work".into(),
                    host: root.join("work"),
                    writable: false,
                    role: MountRole::Work,
                    pinned: None,
                },
            ],
            limits: Limits {
                memory_bytes: 1,
                time: std::time::Duration::from_secs(1),
                output_bytes: 1,
            },
            ..Grant::default()
        }
    }

    #[test]
    fn confines_paths_to_mounts() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("compose/Server")).unwrap();
        std::fs::create_dir_all(dir.path().join("work")).unwrap();
        let g = grant(dir.path());
        let ok = resolve(&g, "/compose/Server/./x/../y.rpm", true).unwrap();
        assert_eq!(ok.host, dir.path().join("compose/Server/y.rpm"));
        assert_eq!(ok.guest, "/compose/Server/y.rpm");
        for (path, write) in [
            ("/etc/passwd", false),
            ("/compose/../../etc/passwd", false),
            ("/composeX/a", false),
            ("/work/a", true),
        ] {
            assert!(
                matches!(resolve(&g, path, write), Err(HostError::Denied(_))),
                "{path} should be denied"
            );
        }
        assert!(matches!(
            resolve(&g, "relative", false),
            Err(HostError::Invalid(_))
        ));
    }

    #[test]
    fn symlink_out_of_a_mount_is_denied() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("compose")).unwrap();
        std::os::unix::fs::symlink("/etc", dir.path().join("compose/escape")).unwrap();
        let g = grant(dir.path());
        let err = resolve(&g, "/compose/escape/passwd", false).unwrap_err();
        assert!(err.to_string().contains("symlink"), "{err}");
    }
}
