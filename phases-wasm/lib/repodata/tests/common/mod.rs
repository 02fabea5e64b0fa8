//! Shared fixtures: a handful of real RPMs built with the `rpm` crate, laid
//! out as a repository, plus helpers for running the external tools that
//! judge our repodata.

#![allow(dead_code)] // each test binary uses a different subset

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pungi_repodata::{ChecksumKind, Package};
use rpm::{BuildConfig, Dependency, FileOptions, PackageBuilder};

/// Fixed build and changelog times keep the fixture RPMs reproducible.
pub const BUILD_TIME: u32 = 1_700_000_000;
pub const DAY: u32 = 86_400;

/// The requirement no fixture package provides.
pub const BROKEN_REQUIREMENT: &str = "does-not-exist >= 1.0";

fn builder(name: &str, version: &str, arch: &str) -> PackageBuilder {
    let mut b = PackageBuilder::new(name, version, "MIT", arch, &format!("The {name} package"));
    b.using_config(BuildConfig::default().source_date(BUILD_TIME))
        .release("1.fc40")
        .description(format!(
            "{name} for the pungi-repodata tests.\nSecond line & <markup>."
        ))
        .build_host("builder.example.com")
        .vendor("Pungi Test")
        .packager("Tester <tester@example.com>")
        .url("https://example.invalid/")
        .group("Unspecified");
    b
}

/// Builds the fixture RPMs into `dir/Packages/<first letter>/` and returns
/// their paths, relative to `dir`.
pub fn build_repo_rpms(dir: &Path) -> Vec<String> {
    let mut hello = builder("hello", "2.10", "x86_64");
    hello
        .epoch(1)
        .provides(Dependency::eq("hello-capability", "5"))
        .provides(Dependency::any("/usr/libexec/hello-helper"))
        .requires(Dependency::any("/bin/sh"))
        .requires(Dependency::greater_eq("libgreet", "1.2-1"))
        .requires(Dependency::script_pre("shadow-utils"))
        .requires(Dependency::any("/usr/bin/hello")) // its own primary file: dropped
        .requires(Dependency::any("(libgreet or libgreet-compat)"))
        .recommends(Dependency::any("hello-docs"))
        .suggests(Dependency::any("hello-extras"))
        .supplements(Dependency::any("desktop-thing"))
        .enhances(Dependency::any("shell"))
        .conflicts(Dependency::less("hello-old", "1.0"))
        .obsoletes(Dependency::less_eq("hello-legacy", "2:3.0-1"))
        .with_file_contents(
            "#!/bin/sh\necho hello\n",
            FileOptions::new("/usr/bin/hello").permissions(0o755),
        )
        .unwrap()
        .with_file_contents(
            "greeting = hi\n",
            FileOptions::new("/etc/hello.conf").config(),
        )
        .unwrap()
        .with_dir_entry(FileOptions::dir("/usr/share/hello"))
        .unwrap()
        .with_file_contents("data\n", FileOptions::new("/usr/share/hello/data.txt"))
        .unwrap()
        .with_ghost(FileOptions::ghost("/var/log/hello.log"))
        .unwrap()
        .add_changelog_entry(
            "Zoë Tester <zoe@example.com> - 1:2.10-1",
            "- Update to 2.10\n- Fix \"quotes\" & <tags>",
            BUILD_TIME,
        )
        .add_changelog_entry(
            "Tester <tester@example.com> - 2.9-1",
            "- Same day, older entry",
            BUILD_TIME,
        )
        .add_changelog_entry(
            "Tester <tester@example.com> - 2.8-1",
            "- Initial package",
            BUILD_TIME - 30 * DAY,
        );

    let mut libgreet = builder("libgreet", "1.5", "x86_64");
    libgreet
        .provides(Dependency::any("libgreet.so.1()(64bit)"))
        .requires(Dependency::any("/bin/sh"))
        .with_file_contents("ELF", FileOptions::new("/usr/lib64/libgreet.so.1"))
        .unwrap();

    let mut shell = builder("shell", "5.2", "x86_64");
    shell
        .with_file_contents("#!sh", FileOptions::new("/bin/sh").permissions(0o755))
        .unwrap()
        .with_file_contents(
            "#!sh",
            FileOptions::new("/usr/bin/shell").permissions(0o755),
        )
        .unwrap();

    let mut shadow = builder("shadow-utils", "4.14", "x86_64");
    shadow
        .requires(Dependency::any("shell"))
        .with_file_contents(
            "x",
            FileOptions::new("/usr/sbin/useradd").permissions(0o755),
        )
        .unwrap();

    let mut broken = builder("broken", "0.1", "noarch");
    broken
        .requires(Dependency::greater_eq("does-not-exist", "1.0"))
        .requires(Dependency::any("/usr/lib64/libgreet.so.1"))
        .requires(Dependency::any("libgreet.so.1()(64bit)"));

    let mut debuginfo = builder("hello-debuginfo", "2.10", "x86_64");
    debuginfo
        .epoch(1)
        .with_file_contents(
            "debug",
            FileOptions::new("/usr/lib/debug/usr/bin/hello.debug"),
        )
        .unwrap();

    let mut locations = Vec::new();
    for mut b in [hello, libgreet, shell, shadow, broken, debuginfo] {
        let package = b.build().expect("build fixture RPM");
        let file_name = package.canonical_filename().expect("fixture file name");
        let location = format!("Packages/{}/{}", &file_name[..1], file_name);
        let path = dir.join(&location);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        package.write_file(&path).expect("write fixture RPM");
        locations.push(location);
    }
    locations
}

/// Reads the fixture RPMs (locations relative to `dir`) as a compose would.
pub fn read_packages(dir: &Path, locations: &[String]) -> Vec<Package> {
    locations
        .iter()
        .map(|location| {
            let path = dir.join(location);
            let checksum = ChecksumKind::Sha256.digest_file(&path).unwrap();
            Package::read(&path, location.clone(), checksum).unwrap()
        })
        .collect()
}

/// A fixture repository with RPMs but no repodata yet.
pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub repo: PathBuf,
    pub locations: Vec<String>,
}

pub fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    fs::create_dir(&repo).unwrap();
    let locations = build_repo_rpms(&repo);
    Fixture {
        tmp,
        repo,
        locations,
    }
}

/// Finds an external program, failing with the Debian package to install.
pub fn tool(program: &str, debian_package: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "this test needs `{program}`, which is not installed: \
             run `apt-get install {debian_package}` (CI installs rpm, createrepo-c, dnf, dnf-plugins-core)"
        )
    })
}

/// Runs a command and returns its output, failing loudly (with stderr) if it fails.
pub fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
