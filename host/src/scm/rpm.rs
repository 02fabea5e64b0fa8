//! An rpm source: the payload of one package, unpacked in the jail with `rpm2cpio` and
//! `cpio` as Pungi's `RpmScmWrapper` does.

use std::path::{Path, PathBuf};

use super::jail::{FetchJail, SOURCE};

/// The package `repo` names, relative to the config's directory. (Pungi takes a glob
/// and unpacks every match; this build takes one package.)
pub fn package(repo: &str, config_dir: &Path) -> Result<PathBuf, String> {
    let path = config_dir.join(repo);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("`repo` {repo:?}: no package at {}", path.display()))
    }
}

/// Unpacks the package mounted as the jail's source into its checkout.
pub fn unpack(jail: &FetchJail) -> Result<(), String> {
    jail.run(
        "sh",
        &[
            "-c",
            r#"rpm2cpio "$1" | cpio -idm --quiet --no-absolute-filenames"#,
            "sh",
            SOURCE,
        ],
    )
    .map(drop)
    .map_err(|e| format!("unpacking the package: {e}"))
}
