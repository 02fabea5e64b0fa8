//! A distribution-sized package set (70,000 packages, Fedora's order of
//! magnitude) goes through the index, repoclosure, the writer and the reader
//! in seconds: any quadratic step would take hours here.

use std::time::Instant;

use pungi_repodata::{
    ChecksumKind, Dependency, FileEntry, FileKind, Package, ProvidesIndex, ReadOptions,
    RepoOptions, read_repo, repoclosure, write_repo,
};

const PACKAGES: usize = 70_000;

fn synthetic(i: usize) -> Package {
    let name = format!("pkg{i}");
    let dep = |s: String| s.parse::<Dependency>().unwrap();
    let mut requires = vec![dep(format!("pkg{} >= 1.0", (i * 7 + 1) % PACKAGES))];
    requires.push(dep(format!("/usr/bin/tool{}", (i * 13 + 5) % PACKAGES)));
    requires.push(dep(format!("libpkg{}.so.1()(64bit)", (i + 1) % PACKAGES)));
    if i == 4242 {
        requires.push(dep("nothing-provides-this".to_owned()));
    }
    Package {
        name: name.clone(),
        version: "1.0".into(),
        release: "1".into(),
        arch: "x86_64".into(),
        checksum: ChecksumKind::Sha256.digest(name.as_bytes()),
        location: format!("Packages/p/{name}-1.0-1.x86_64.rpm"),
        provides: vec![dep(format!("libpkg{i}.so.1()(64bit)"))],
        requires,
        files: (0..20)
            .map(|j| FileEntry {
                path: if j == 0 {
                    format!("/usr/bin/tool{i}")
                } else {
                    format!("/usr/share/{name}/file{j}")
                },
                kind: FileKind::File,
            })
            .collect(),
        ..Package::default()
    }
}

#[test]
fn seventy_thousand_packages() {
    let packages: Vec<Package> = (0..PACKAGES).map(synthetic).collect();

    let started = Instant::now();
    let index = ProvidesIndex::new(&packages);
    assert_eq!(
        index.what_provides(&"pkg17 >= 1.0".parse().unwrap()).len(),
        1
    );
    let unresolved = repoclosure(&packages, &[]);
    assert_eq!(unresolved.len(), 1);
    assert_eq!(unresolved[0].package, "pkg4242-1.0-1.x86_64");
    eprintln!("index + repoclosure: {:?}", started.elapsed());

    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    write_repo(dir.path(), &packages, &RepoOptions::at(1)).unwrap();
    eprintln!("write_repo: {:?}", started.elapsed());
    let started = Instant::now();
    let back = read_repo(dir.path(), &ReadOptions::default()).unwrap();
    eprintln!("read_repo: {:?}", started.elapsed());
    assert_eq!(back.len(), PACKAGES);
}
