//! A git source: one commit of a local repository, checked out in the jail the way
//! Pungi's `GitWrapper` does it (init, shallow fetch of the branch, checkout), then the
//! dict's `command` run in the checkout.

use std::path::{Path, PathBuf};

use super::jail::{CHECKOUT, FetchJail, SOURCE};

/// The local repository `repo` names: a path (relative to the config's directory) or a
/// `file://` URL. Other URLs are refused: the jail has no network, and the host does not
/// reach the network on a config's behalf.
pub fn local_repository(repo: &str, config_dir: &Path) -> Result<PathBuf, String> {
    let path = match repo.strip_prefix("file://") {
        Some(path) => PathBuf::from(path),
        None if repo.contains("://") || is_scp_like(repo) => {
            return Err(format!(
                "`repo` {repo:?} is remote; only local repositories (a path or a file:// URL) \
                 are fetched: mirror it locally (`git clone --mirror`) and name the mirror"
            ));
        }
        None => config_dir.join(repo),
    };
    if !path.is_dir() {
        return Err(format!(
            "`repo` {repo:?}: no repository at {}",
            path.display()
        ));
    }
    Ok(path)
}

/// git's `host:path` form of an ssh URL (a `:` before any `/`).
fn is_scp_like(repo: &str) -> bool {
    repo.find(':')
        .is_some_and(|colon| !repo[..colon].contains('/'))
}

/// Checks `branch` of the repository mounted as the jail's source out into its
/// checkout and runs `command` there; the commit id checked out.
pub fn checkout(jail: &FetchJail, branch: &str, command: Option<&str>) -> Result<String, String> {
    let source = format!("file://{SOURCE}");
    jail.run("git", &["init", "-q", CHECKOUT])
        .map_err(|e| format!("git init: {e}"))?;
    jail.run(
        "git",
        &["fetch", "-q", "--depth=1", source.as_str(), branch],
    )
    .map_err(|e| format!("branch `{branch}` cannot be fetched: {e}"))?;
    jail.run("git", &["checkout", "-q", "FETCH_HEAD"])
        .map_err(|e| format!("checking out `{branch}`: {e}"))?;
    let head = jail
        .run("git", &["rev-parse", "HEAD"])
        .map_err(|e| format!("git rev-parse: {e}"))?;
    if let Some(command) = command {
        jail.run("sh", &["-c", command])
            .map_err(|e| format!("`command` {command:?} failed in the checkout: {e}"))?;
    }
    Ok(String::from_utf8_lossy(&head.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_urls_are_refused_with_the_way_out() {
        for repo in [
            "https://pagure.io/fedora-comps.git",
            "git@github.com:org/repo.git",
            "ssh://host/repo",
        ] {
            let error = local_repository(repo, Path::new("/")).unwrap_err();
            assert!(error.contains("only local repositories"), "{repo}: {error}");
        }
    }

    #[test]
    fn local_paths_are_relative_to_the_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("comps")).unwrap();
        assert_eq!(
            local_repository("comps", dir.path()).unwrap(),
            dir.path().join("comps")
        );
        let url = format!("file://{}", dir.path().join("comps").display());
        assert_eq!(
            local_repository(&url, Path::new("/elsewhere")).unwrap(),
            dir.path().join("comps")
        );
        assert!(
            local_repository("missing", dir.path())
                .unwrap_err()
                .contains("no repository at")
        );
    }
}
