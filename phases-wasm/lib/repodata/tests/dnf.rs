//! dnf reads our repodata (and only ours: no system repos, a fresh cache and
//! install root per test) and sees the packages, dependencies and files we
//! wrote; `dnf repoclosure` finds exactly the breakage `repoclosure` finds.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::{BROKEN_REQUIREMENT, Fixture, fixture, read_packages, run, tool};
use pungi_repodata::{Package, RepoOptions, repoclosure, write_repo};

/// A dnf invocation confined to the fixture repository.
fn dnf(f: &Fixture) -> Command {
    let root = f.tmp.path().join("installroot");
    let mut command = Command::new(tool("dnf", "dnf"));
    command
        .arg("--quiet")
        .arg("--setopt=reposdir=/dev/null")
        .arg(format!(
            "--setopt=cachedir={}",
            f.tmp.path().join("dnf-cache").display()
        ))
        .arg(format!("--installroot={}", root.display()))
        .arg("--releasever=1")
        .arg("--setopt=optional_metadata_types=filelists")
        .arg(format!("--repofrompath=t,file://{}", f.repo.display()))
        .arg("--repo=t");
    command
}

fn lines(bytes: &[u8]) -> BTreeSet<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn written_fixture() -> (Fixture, Vec<Package>) {
    let f = fixture();
    let packages = read_packages(&f.repo, &f.locations);
    write_repo(&f.repo, &packages, &RepoOptions::at(1_700_000_000)).unwrap();
    (f, packages)
}

fn query(f: &Fixture, what: &str, package: &str) -> BTreeSet<String> {
    lines(&run(dnf(f).args(["repoquery", what, package])).stdout)
}

#[test]
fn dnf_lists_our_packages_dependencies_and_files() {
    let (f, packages) = written_fixture();

    let listed = lines(&run(dnf(&f).args(["repoquery", "--qf", "%{name}-%{evr}.%{arch}"])).stdout);
    let ours: BTreeSet<String> = packages
        .iter()
        .map(|p| format!("{}-{}.{}", p.name, p.evr(), p.arch))
        .collect();
    assert_eq!(listed, ours);

    let hello = packages.iter().find(|p| p.name == "hello").unwrap();
    let rendered = |deps: &[pungi_repodata::Dependency]| -> BTreeSet<String> {
        deps.iter().map(ToString::to_string).collect()
    };
    assert_eq!(query(&f, "--requires", "hello"), rendered(&hello.requires));
    assert_eq!(
        query(&f, "--recommends", "hello"),
        rendered(&hello.recommends)
    );
    assert_eq!(query(&f, "--suggests", "hello"), rendered(&hello.suggests));
    assert_eq!(
        query(&f, "--supplements", "hello"),
        rendered(&hello.supplements)
    );
    assert_eq!(query(&f, "--enhances", "hello"), rendered(&hello.enhances));
    assert_eq!(
        query(&f, "--conflicts", "hello"),
        rendered(&hello.conflicts)
    );
    assert_eq!(
        query(&f, "--obsoletes", "hello"),
        rendered(&hello.obsoletes)
    );
    let mut provides = rendered(&hello.provides);
    provides.insert(format!("hello = {}", hello.evr()));
    assert_eq!(query(&f, "--provides", "hello"), provides);
    let files: BTreeSet<String> = hello.files.iter().map(|f| f.path.clone()).collect();
    assert_eq!(query(&f, "--list", "hello"), files);

    // File dependencies resolve through filelists.xml, not only primary.
    let owners = query(&f, "--whatprovides", "/usr/lib64/libgreet.so.1");
    assert_eq!(owners.len(), 1);
    assert!(
        owners.iter().next().unwrap().starts_with("libgreet-"),
        "{owners:?}"
    );
}

#[test]
fn dnf_repoclosure_agrees_with_ours() {
    let (f, packages) = written_fixture();
    let output = dnf(&f)
        .args(["repoclosure", "--check=t"])
        .output()
        .expect("run dnf repoclosure");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !output.status.success(),
        "dnf repoclosure should fail on the broken package:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs = parse_repoclosure(&stdout);

    let ours: BTreeSet<(String, String)> = repoclosure(&packages, &[])
        .into_iter()
        .map(|u| (u.package, u.requirement.to_string()))
        .collect();
    assert_eq!(ours, theirs, "dnf said:\n{stdout}");
    assert_eq!(
        ours.into_iter().collect::<Vec<_>>(),
        [(
            "broken-0.1-1.fc40.noarch".to_owned(),
            BROKEN_REQUIREMENT.to_owned()
        )]
    );

    // With the missing piece in a lookaside, everything resolves.
    let lookaside = fixture_provider(f.tmp.path());
    assert!(repoclosure(&packages, &lookaside).is_empty());
}

/// `package: NEVRA from REPO` followed by indented unresolved dependencies.
fn parse_repoclosure(stdout: &str) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let mut package = None;
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("package: ") {
            package = rest.split(" from ").next().map(str::to_owned);
        } else if let (true, Some(p)) = (line.starts_with("    "), &package) {
            found.insert((p.clone(), line.trim().to_owned()));
        }
    }
    found
}

/// A package providing what the fixture's broken package lacks.
fn fixture_provider(dir: &Path) -> Vec<Package> {
    let mut builder =
        rpm::PackageBuilder::new("does-not-exist", "1.0", "MIT", "noarch", "now it does");
    let path = dir.join("does-not-exist.rpm");
    builder.build().unwrap().write_file(&path).unwrap();
    read_packages(dir, &["does-not-exist.rpm".to_owned()])
}
