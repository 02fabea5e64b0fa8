//! Real RPMs -> Package -> repodata -> Package, with the details createrepo
//! cares about checked on the way, and bad input rejected with clear errors.

mod common;

use std::fs;

use common::{BUILD_TIME, fixture, read_packages};
use pungi_repodata::{
    Dependency, Error, FileKind, Flag, Package, ReadOptions, RepoOptions, read_repo, write_repo,
};

fn by_name<'a>(packages: &'a [Package], name: &str) -> &'a Package {
    packages.iter().find(|p| p.name == name).unwrap()
}

fn rendered(deps: &[Dependency]) -> Vec<String> {
    deps.iter().map(ToString::to_string).collect()
}

#[test]
fn reads_rpm_headers_like_createrepo() {
    let f = fixture();
    let packages = read_packages(&f.repo, &f.locations);
    let hello = by_name(&packages, "hello");

    assert_eq!(hello.nevra(), "hello-1:2.10-1.fc40.x86_64");
    assert_eq!(hello.location, "Packages/h/hello-2.10-1.fc40.x86_64.rpm");
    assert_eq!(hello.build_time, u64::from(BUILD_TIME));
    assert!(
        !hello.sourcerpm.is_empty(),
        "a binary package names its source"
    );
    assert_eq!(
        hello.size_package,
        fs::metadata(f.repo.join(&hello.location)).unwrap().len()
    );
    let (start, end) = hello.header_range;
    assert!(start > 96 && end > start && end < hello.size_package);

    // rpmlib() and the package's own primary file are gone; pre is kept.
    let requires = rendered(&hello.requires);
    assert!(requires.contains(&"/bin/sh".to_owned()), "{requires:?}");
    assert!(
        requires.contains(&"libgreet >= 1.2-1".to_owned()),
        "{requires:?}"
    );
    assert!(
        requires.contains(&"(libgreet or libgreet-compat)".to_owned()),
        "{requires:?}"
    );
    assert!(
        !requires
            .iter()
            .any(|r| r.starts_with("rpmlib(") || r == "/usr/bin/hello")
    );
    assert!(
        hello
            .requires
            .iter()
            .any(|r| r.name == "shadow-utils" && r.pre)
    );
    let provides = rendered(&hello.provides);
    assert!(
        provides.contains(&"hello-capability = 5".to_owned()),
        "{provides:?}"
    );
    assert_eq!(rendered(&hello.obsoletes), ["hello-legacy <= 2:3.0-1"]);
    assert_eq!(hello.conflicts[0].flags, Some(Flag::LT));
    assert_eq!(rendered(&hello.recommends), ["hello-docs"]);
    assert_eq!(rendered(&hello.suggests), ["hello-extras"]);
    assert_eq!(rendered(&hello.supplements), ["desktop-thing"]);
    assert_eq!(rendered(&hello.enhances), ["shell"]);

    let kind = |path: &str| hello.files.iter().find(|f| f.path == path).map(|f| f.kind);
    assert_eq!(kind("/usr/bin/hello"), Some(FileKind::File));
    assert_eq!(kind("/usr/share/hello"), Some(FileKind::Dir));
    assert_eq!(kind("/var/log/hello.log"), Some(FileKind::Ghost));
    let primary: Vec<&str> = hello.primary_files().map(|f| f.path.as_str()).collect();
    assert_eq!(primary, ["/etc/hello.conf", "/usr/bin/hello"]);

    assert_eq!(hello.changelogs.len(), 3);
    assert!(hello.changelogs[0].author.starts_with("Zoë Tester"));
    assert!(
        hello.changelogs[0].time >= hello.changelogs[2].time,
        "newest first"
    );

    assert!(by_name(&packages, "hello-debuginfo").is_debug());
    assert!(!hello.is_debug() && !hello.is_source());
}

#[test]
fn repodata_round_trips_and_is_deterministic() {
    let f = fixture();
    let packages = read_packages(&f.repo, &f.locations);
    let options = RepoOptions::at(1_700_000_123);
    let summary = write_repo(&f.repo, &packages, &options).unwrap();
    assert_eq!(summary.packages, packages.len());
    assert_eq!(summary.repomd.revision, "1700000123");
    let kinds: Vec<&str> = summary
        .repomd
        .records
        .iter()
        .map(|r| r.kind.as_str())
        .collect();
    assert_eq!(kinds, ["primary", "filelists", "other"]);
    for record in &summary.repomd.records {
        let name = record.location.strip_prefix("repodata/").unwrap();
        assert!(name.starts_with(&record.checksum.hex), "{name}");
        assert_eq!(
            fs::metadata(f.repo.join(&record.location)).unwrap().len(),
            record.size
        );
    }

    let all = ReadOptions {
        filelists: true,
        changelogs: true,
    };
    let mut back = read_repo(&f.repo, &all).unwrap();
    let mut expected = packages.clone();
    expected.sort_by(|a, b| a.location.cmp(&b.location));
    back.sort_by(|a, b| a.location.cmp(&b.location));
    // other.xml spreads same-second changelog dates apart, as createrepo_c does.
    let hello = expected.iter_mut().find(|p| p.name == "hello").unwrap();
    hello.changelogs[0].time += 1;
    assert_eq!(back, expected);

    // Without filelists, only primary's files are known.
    let short = read_repo(
        &f.repo,
        &ReadOptions {
            filelists: false,
            changelogs: false,
        },
    )
    .unwrap();
    let hello = by_name(&short, "hello");
    assert_eq!(hello.files.len(), 2);
    assert!(hello.changelogs.is_empty());

    // Same input, other order, other directory: identical bytes.
    let other_dir = f.tmp.path().join("again");
    fs::create_dir(&other_dir).unwrap();
    let mut reversed = packages.clone();
    reversed.reverse();
    write_repo(&other_dir, &reversed, &options).unwrap();
    for name in ["repomd.xml".to_owned()].into_iter().chain(
        summary
            .repomd
            .records
            .iter()
            .map(|r| r.location[9..].to_owned()),
    ) {
        let ours = fs::read(f.repo.join("repodata").join(&name)).unwrap();
        let again = fs::read(other_dir.join("repodata").join(&name)).unwrap();
        assert!(ours == again, "{name} differs between two identical runs");
    }
}

#[test]
fn rewriting_replaces_repodata_atomically() {
    let f = fixture();
    let packages = read_packages(&f.repo, &f.locations);
    write_repo(&f.repo, &packages, &RepoOptions::at(1)).unwrap();
    let stale = f.repo.join("repodata").join("stale-file");
    fs::write(&stale, "left over").unwrap();

    let group = f.tmp.path().join("comps.xml");
    fs::write(&group, "<?xml version=\"1.0\"?>\n<comps/>\n").unwrap();
    let options = RepoOptions {
        group_file: Some(group),
        changelog_limit: Some(1),
        ..RepoOptions::at(2)
    };
    let summary = write_repo(&f.repo, &packages[..2], &options).unwrap();
    assert!(!stale.exists(), "the old repodata is gone as a whole");
    let leftovers: Vec<_> = fs::read_dir(&f.repo)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("repodata."))
        .collect();
    assert!(
        leftovers.is_empty(),
        "scratch directories left: {leftovers:?}"
    );
    let group = summary.repomd.record("group").unwrap();
    let group_gz = summary.repomd.record("group_gz").unwrap();
    assert!(group.location.ends_with("-comps.xml"));
    assert_eq!(group_gz.open_checksum.as_ref(), Some(&group.checksum));

    let all = ReadOptions {
        filelists: true,
        changelogs: true,
    };
    let back = read_repo(&f.repo, &all).unwrap();
    assert_eq!(back.len(), 2);
    assert!(back.iter().all(|p| p.changelogs.len() <= 1));
}

#[test]
fn bad_rpms_are_errors_naming_the_file() {
    let f = fixture();
    let good = f.repo.join(&f.locations[0]);
    let bytes = fs::read(&good).unwrap();
    let checksum = pungi_repodata::ChecksumKind::Sha256.digest(b"");
    for (name, content) in [
        ("empty.rpm", Vec::new()),
        ("truncated.rpm", bytes[..bytes.len().min(1000)].to_vec()),
        (
            "text.rpm",
            b"this is not an rpm at all, just some text\n".repeat(10),
        ),
        (
            "random.rpm",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
        ),
    ] {
        let path = f.tmp.path().join(name);
        fs::write(&path, content).unwrap();
        let err = Package::read(&path, name, checksum.clone()).unwrap_err();
        assert!(matches!(err, Error::Rpm { .. }), "{name}: {err}");
        assert!(err.to_string().contains(name), "{err}");
    }
    let missing = Package::read(&f.tmp.path().join("nope.rpm"), "nope.rpm", checksum).unwrap_err();
    assert!(matches!(missing, Error::Io { .. }), "{missing}");
}

#[test]
fn corrupt_metadata_is_an_error_naming_file_and_line() {
    let f = fixture();
    let packages = read_packages(&f.repo, &f.locations);
    let summary = write_repo(&f.repo, &packages, &RepoOptions::at(1)).unwrap();
    let primary = f
        .repo
        .join(&summary.repomd.record("primary").unwrap().location);

    // A file that does not match repomd.xml's checksum.
    let mut gz = fs::read(&primary).unwrap();
    let last = gz.len() - 1;
    gz[last] ^= 0xff;
    fs::write(&primary, &gz).unwrap();
    let err = read_repo(&f.repo, &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("primary.xml.gz"), "{err}");

    // Broken XML: the error names the line.
    let repomd = f.repo.join("repodata/repomd.xml");
    fs::write(
        &repomd,
        "<?xml version=\"1.0\"?>\n<repomd>\n<data type=\"primary\">\n</oops>\n",
    )
    .unwrap();
    let err = read_repo(&f.repo, &ReadOptions::default()).unwrap_err();
    match &err {
        Error::Xml { path, line, .. } => {
            assert!(path.ends_with("repomd.xml"));
            assert_eq!(*line, 4, "{err}");
        }
        other => panic!("expected an XML error, got {other}"),
    }
}
