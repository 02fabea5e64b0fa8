//! Installing another repository's repodata as this one's: how a compose reuses an
//! older compose's metadata for a tree whose inputs did not change. Only what the
//! source's repomd.xml names is copied, each file checked against its recorded
//! checksum, and the result swapped in whole, like freshly written repodata.

use std::fs::{self, File};
use std::io::BufReader;
use std::path::Path;

use crate::error::{Error, Result};
use crate::repomd::Repomd;
use crate::write::Scratch;
use crate::xml::XmlIn;

/// Copies `source_repo/repodata/` (repomd.xml and the files it names) to
/// `repo_dir/repodata/`, replacing what is there atomically; returns the repomd.
pub fn copy_repodata(source_repo: &Path, repo_dir: &Path) -> Result<Repomd> {
    let source = source_repo.join("repodata");
    let repomd_path = source.join("repomd.xml");
    let repomd = {
        let file = File::open(&repomd_path).map_err(|e| Error::io(&repomd_path, e))?;
        Repomd::read(&mut XmlIn::new(BufReader::new(file), &repomd_path))?
    };
    // A tree with no packages has no directory yet, as when its repodata is written.
    fs::create_dir_all(repo_dir).map_err(|e| Error::io(repo_dir, e))?;
    let scratch = Scratch::create(repo_dir, "repodata.tmp")?;
    for record in &repomd.records {
        let name = record
            .location
            .strip_prefix("repodata/")
            .filter(|name| !name.is_empty() && !name.contains('/'))
            .ok_or_else(|| {
                Error::repo(
                    &repomd_path,
                    format!("{} lies outside repodata/", record.location),
                )
            })?;
        let from = source.join(name);
        let bytes = fs::read(&from).map_err(|e| Error::io(&from, e))?;
        let actual = record.checksum.algorithm.digest(&bytes);
        if actual.hex != record.checksum.hex {
            return Err(Error::checksum_mismatch(
                &from,
                &record.checksum,
                &actual.hex,
            ));
        }
        let to = scratch.path.join(name);
        fs::write(&to, bytes).map_err(|e| Error::io(&to, e))?;
    }
    let to = scratch.path.join("repomd.xml");
    fs::copy(&repomd_path, &to).map_err(|e| Error::io(&to, e))?;
    scratch.swap_into(&repo_dir.join("repodata"))?;
    Ok(repomd)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RepoOptions, write_repo};

    #[test]
    fn copies_into_a_tree_that_has_no_directory_yet() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("old"), dir.path().join("empty/debug/tree"));
        write_repo(&old, &[], &RepoOptions::at(1_700_000_000)).unwrap();
        copy_repodata(&old, &new).unwrap();
        assert!(new.join("repodata/repomd.xml").is_file());
    }

    #[test]
    fn copies_exactly_what_repomd_names_and_refuses_a_tampered_file() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("old"), dir.path().join("new"));
        fs::create_dir_all(&old).unwrap();
        fs::create_dir_all(new.join("repodata")).unwrap();
        fs::write(new.join("repodata/stale.xml"), "stale").unwrap();
        let written = write_repo(&old, &[], &RepoOptions::at(1_700_000_000)).unwrap();
        fs::write(old.join("repodata/unrelated.txt"), "not named").unwrap();

        copy_repodata(&old, &new).unwrap();
        let mut names: Vec<String> = fs::read_dir(new.join("repodata"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut expected: Vec<String> = written
            .repomd
            .records
            .iter()
            .map(|r| r.location.trim_start_matches("repodata/").to_owned())
            .chain(["repomd.xml".to_owned()])
            .collect();
        expected.sort();
        assert_eq!(names, expected);
        assert_eq!(
            fs::read(old.join("repodata/repomd.xml")).unwrap(),
            fs::read(new.join("repodata/repomd.xml")).unwrap()
        );

        let primary = &written.repomd.record("primary").unwrap().location;
        fs::write(old.join(primary), "tampered").unwrap();
        let error = copy_repodata(&old, &new).unwrap_err().to_string();
        assert!(error.contains("checksum mismatch"), "{error}");
        assert_eq!(
            fs::read(old.join("repodata/repomd.xml")).unwrap(),
            fs::read(new.join("repodata/repomd.xml")).unwrap(),
            "a failed copy leaves the previous repodata in place"
        );
    }
}
