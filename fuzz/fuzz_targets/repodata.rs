//! The repodata readers (`read_repo`: repomd.xml, primary, filelists, other).
//!
//! The input is up to four NUL-separated parts: primary.xml, filelists.xml,
//! other.xml and, optionally, repomd.xml. Without a fourth part the target writes a
//! repomd.xml naming the three documents with their true checksums, so the fuzzer's
//! bytes get past the checksum check and through every document's parser.

#![no_main]

use std::fmt::Write as _;
use std::path::Path;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use pungi_repodata::{ReadOptions, read_repo};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

const DOCUMENTS: [&str; 3] = ["primary", "filelists", "other"];

static REPO: LazyLock<TempDir> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("scratch repository for the fuzz input");
    std::fs::create_dir(dir.path().join("repodata")).expect("repodata directory");
    dir
});

fuzz_target!(|data: &[u8]| {
    let root = REPO.path();
    let mut parts = data.splitn(4, |&b| b == 0);
    let mut repomd = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <repomd xmlns=\"http://linux.duke.edu/metadata/repo\">\n<revision>1</revision>\n",
    );
    for kind in DOCUMENTS {
        let bytes = parts.next().unwrap_or_default();
        write(root, &format!("repodata/{kind}.xml"), bytes);
        let _ = writeln!(
            repomd,
            "<data type=\"{kind}\"><checksum type=\"sha256\">{}</checksum>\
             <location href=\"repodata/{kind}.xml\"/><timestamp>1</timestamp>\
             <size>{}</size></data>",
            hex::encode(Sha256::digest(bytes)),
            bytes.len()
        );
    }
    repomd.push_str("</repomd>\n");
    match parts.next() {
        Some(fuzzed) => write(root, "repodata/repomd.xml", fuzzed),
        None => write(root, "repodata/repomd.xml", repomd.as_bytes()),
    }
    let options = ReadOptions {
        filelists: true,
        changelogs: true,
    };
    let _ = read_repo(root, &options);
});

fn write(root: &Path, relative: &str, bytes: &[u8]) {
    std::fs::write(root.join(relative), bytes).expect("write the fuzz input");
}
