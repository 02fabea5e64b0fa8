//! Packages of a repository that has repodata: read from `repodata/` (primary,
//! filelists and the changelogs of other.xml, which the compose's repodata carries on)
//! instead of opening every RPM. At Fedora scale this is the
//! difference between parsing a few hundred MiB of XML once and reading and
//! hashing 70,000 files through the sandbox; the checksums are the ones the
//! repository already publishes.

use std::path::Path;

use pungi_documents::PkgsetPackage;
use pungi_phase_sdk::PhaseError;
use pungi_repodata::{ReadOptions, read_repo};

/// The packages of the repository at `root` (a virtual path) when it has
/// `repodata/repomd.xml`; `None` when it is a directory of loose RPMs.
pub fn read(root: &str) -> Result<Option<Vec<PkgsetPackage>>, PhaseError> {
    let repomd = format!("{root}/repodata/repomd.xml");
    if !Path::new(&repomd).is_file() {
        return Ok(None);
    }
    let options = ReadOptions {
        filelists: true,
        changelogs: true,
    };
    let packages = read_repo(Path::new(root), &options)
        .map_err(|e| PhaseError::input(format!("repository {root}: {e}")))?;
    packages
        .into_iter()
        .map(|package| {
            if package
                .location
                .split('/')
                .any(|part| part == ".." || part.is_empty())
            {
                return Err(PhaseError::input(format!(
                    "repository {root}: package location {:?} leaves the repository",
                    package.location
                )));
            }
            Ok(PkgsetPackage {
                path: format!("{root}/{}", package.location),
                sigkey: None,
                package,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}
