//! Two composes of the same inputs on the same compose date are byte-identical: every
//! file of the `compose/` tree, so the repodata, the images and the productmd metadata
//! (`rpms.json`, `images.json`, `composeinfo.json`, `extra_files.json`). Times a compose
//! records come from the compose date, never the clock. With the same `--compose-date`
//! both composes get the same ID, so nothing needs normalising.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pungi_tests::{compose, write_demo};

/// Every file below `root`, by its path relative to `root`, with its content.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(path.strip_prefix(root).unwrap().to_owned(), bytes);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn two_composes_of_the_same_inputs_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    write_demo(&input).unwrap();
    let config = input.join("demo.conf");
    let cache = dir.path().join("cache");
    let first = compose(&config, &dir.path().join("first"), &cache, &[]);
    let second = compose(&config, &dir.path().join("second"), &cache, &[]);
    assert_eq!(first.file_name(), second.file_name(), "the same compose ID");

    let (a, b) = (
        files(&first.join("compose")),
        files(&second.join("compose")),
    );
    for expected in [
        "metadata/rpms.json",
        "metadata/images.json",
        "metadata/composeinfo.json",
        "metadata/extra_files.json",
        "Server/x86_64/os/repodata/repomd.xml",
        "Server/x86_64/iso/Demo-1.0-20261123.n.0-Server-x86_64-dvd1.iso",
    ] {
        assert!(a.contains_key(Path::new(expected)), "{expected} is made");
    }
    let repodata = a
        .keys()
        .filter(|p| p.to_string_lossy().contains("/repodata/"));
    assert!(repodata.count() > 20, "every tree's repodata is compared");
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    let differing: Vec<&PathBuf> = a
        .iter()
        .filter(|(path, bytes)| b.get(*path) != Some(*bytes))
        .map(|(path, _)| path)
        .collect();
    assert!(differing.is_empty(), "these files differ: {differing:#?}");
}
