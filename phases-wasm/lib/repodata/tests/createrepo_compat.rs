//! Our repodata against createrepo_c's on the same RPMs: the uncompressed
//! documents must be byte-identical, and createrepo_c's own tools
//! (mergerepo_c, modifyrepo_c) must accept ours.

mod common;

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use common::{fixture, read_packages, run, tool};
use pungi_repodata::{ReadOptions, RepoOptions, read_repo, write_repo};

const REVISION: u64 = 1_700_000_321;

fn gunzip(path: &Path) -> String {
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn matches_createrepo_c_byte_for_byte() {
    let createrepo = tool("createrepo_c", "createrepo-c");
    let f = fixture();
    let theirs = f.tmp.path().join("theirs");
    fs::create_dir(&theirs).unwrap();
    run(Command::new(createrepo)
        .args(["--no-database", "--quiet", "--checksum", "sha256"])
        .args([
            "--revision",
            &REVISION.to_string(),
            "--set-timestamp-to-revision",
        ])
        .arg("--outputdir")
        .arg(&theirs)
        .arg(&f.repo));

    let packages = read_packages(&f.repo, &f.locations);
    let ours = write_repo(&f.repo, &packages, &RepoOptions::at(REVISION)).unwrap();

    let their_repomd = fs::read_to_string(theirs.join("repodata/repomd.xml")).unwrap();
    for record in &ours.repomd.records {
        let their_file = their_repomd
            .lines()
            .find(|l| l.contains("<location") && l.contains(&format!("-{}.xml.gz", record.kind)))
            .and_then(|l| l.split('"').nth(1))
            .unwrap_or_else(|| panic!("createrepo_c wrote no {} record", record.kind));
        let our_text = gunzip(&f.repo.join(&record.location));
        let their_text = gunzip(&theirs.join(their_file));
        assert!(
            our_text == their_text,
            "{} differs from createrepo_c's.\n--- ours\n{our_text}\n--- theirs\n{their_text}",
            record.kind
        );
        assert!(
            our_text.matches("<package").count() >= 6,
            "{}: not compared on real content",
            record.kind
        );
        let open = record.open_checksum.as_ref().unwrap();
        assert!(
            their_repomd.contains(&open.hex),
            "open-checksum of {}",
            record.kind
        );
    }

    let other = ours.repomd.record("other").unwrap();
    assert!(gunzip(&f.repo.join(&other.location)).contains("author=\"Zo&#xEB; Tester"));

    // And the parsed view agrees too (packages, checksums, header ranges, deps).
    let all = ReadOptions {
        filelists: true,
        changelogs: true,
    };
    let mut from_ours = read_repo(&f.repo, &all).unwrap();
    let mut from_theirs = read_repo(&theirs, &all).unwrap();
    from_ours.sort_by(|a, b| a.location.cmp(&b.location));
    from_theirs.sort_by(|a, b| a.location.cmp(&b.location));
    assert_eq!(from_ours, from_theirs);
}

#[test]
fn createrepo_c_tools_accept_our_repodata() {
    let mergerepo = tool("mergerepo_c", "createrepo-c");
    let modifyrepo = tool("modifyrepo_c", "createrepo-c");
    let f = fixture();
    let packages = read_packages(&f.repo, &f.locations);
    write_repo(&f.repo, &packages, &RepoOptions::at(REVISION)).unwrap();

    // mergerepo_c parses all three documents.
    let merged = f.tmp.path().join("merged");
    run(Command::new(mergerepo)
        .args(["--no-database", "--omit-baseurl"])
        .arg(format!("--repo=file://{}", f.repo.display()))
        .arg("--outputdir")
        .arg(&merged));
    let merged_packages = read_repo(&merged, &ReadOptions::default()).unwrap();
    assert_eq!(merged_packages.len(), packages.len());

    // modifyrepo_c parses and rewrites our repomd.xml, which must stay readable.
    let extra = f.tmp.path().join("productid");
    fs::write(&extra, "product\n").unwrap();
    let repodata = f.repo.join("repodata");
    run(Command::new(&modifyrepo).arg(&extra).arg(&repodata));
    run(Command::new(&modifyrepo)
        .args(["--remove", "productid"])
        .arg(&repodata));
    assert_eq!(
        read_repo(&f.repo, &ReadOptions::default()).unwrap().len(),
        packages.len()
    );

    // xmllint, when available, agrees the documents are well-formed.
    if let Some(xmllint) = which("xmllint") {
        run(Command::new(xmllint)
            .arg("--noout")
            .arg(repodata.join("repomd.xml")));
    }
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}
