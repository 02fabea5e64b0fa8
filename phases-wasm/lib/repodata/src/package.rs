//! The package record: everything repodata says about one RPM. It is what
//! phases hand each other (pkgset -> gather -> createrepo), so it serializes
//! with serde and holds no file handles.

use std::borrow::Cow;

use rustc_hash::FxHashSet as HashSet;
use serde::{Deserialize, Serialize};

use crate::checksum::Checksum;
use crate::dependency::Dependency;
use crate::evr::EvrRef;

/// One RPM as primary/filelists/other.xml describe it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub name: String,
    pub epoch: u32,
    pub version: String,
    pub release: String,
    /// `src` for source packages.
    pub arch: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub license: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vendor: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub buildhost: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub packager: String,
    /// The source RPM's file name; empty for a source package.
    pub sourcerpm: String,
    /// Seconds since the epoch.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub build_time: u64,
    /// The RPM file's modification time, in seconds since the epoch.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub file_time: u64,
    /// Size of the RPM file.
    pub size_package: u64,
    /// Sum of the installed file sizes.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub size_installed: u64,
    /// Size of the uncompressed payload archive.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub size_archive: u64,
    /// Byte offsets `(start, end)` of the main header in the RPM file, as
    /// createrepo records them in `rpm:header-range`.
    #[serde(default, skip_serializing_if = "is_zero_range")]
    pub header_range: (u64, u64),
    /// Checksum of the whole RPM file: the package's `pkgid`.
    #[serde(default, skip_serializing_if = "Checksum::is_absent")]
    pub checksum: Checksum,
    /// Path relative to the repository root, e.g. `Packages/b/bash-5.2-1.x86_64.rpm`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub location: String,
    pub provides: Vec<Dependency>,
    pub requires: Vec<Dependency>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Dependency>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub obsoletes: Vec<Dependency>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recommends: Vec<Dependency>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggests: Vec<Dependency>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supplements: Vec<Dependency>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enhances: Vec<Dependency>,
    /// Every file, directory and ghost, in header order.
    pub files: Vec<FileEntry>,
    /// Newest first, as in the RPM header.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changelogs: Vec<Changelog>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_zero_range(range: &(u64, u64)) -> bool {
    *range == (0, 0)
}

/// One path owned by a package.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub kind: FileKind,
}

/// How filelists.xml types a path (`type` attribute).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FileKind {
    #[default]
    File,
    Dir,
    Ghost,
}

impl FileKind {
    /// The `type` attribute value; `None` for plain files, which carry none.
    pub fn as_attr(self) -> Option<&'static str> {
        match self {
            FileKind::File => None,
            FileKind::Dir => Some("dir"),
            FileKind::Ghost => Some("ghost"),
        }
    }

    /// Parses the `type` attribute (absent means a plain file).
    pub fn from_attr(attr: Option<&str>) -> Option<FileKind> {
        match attr {
            None | Some("") | Some("file") => Some(FileKind::File),
            Some("dir") => Some(FileKind::Dir),
            Some("ghost") => Some(FileKind::Ghost),
            Some(_) => None,
        }
    }
}

/// One `%changelog` entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Changelog {
    /// The entry's header line after the date, e.g. `Jane <j@x> - 1.0-1`.
    pub author: String,
    /// Seconds since the epoch.
    pub time: u64,
    pub text: String,
}

/// Whether createrepo lists `path` in primary.xml (and not only in
/// filelists.xml): createrepo_c's `cr_is_primary`, kept for compatibility with
/// yum-era clients that resolve such file dependencies from primary alone.
pub fn is_primary_file(path: &str) -> bool {
    path.starts_with("/etc/") || path == "/usr/lib/sendmail" || path.contains("bin/")
}

/// Whether `path` is a shared library (`*.so`, `*.so.N`) directly in `/lib`, `/lib64`,
/// `/usr/lib` or `/usr/lib64`: what marks a runtime library package for multilib.
pub fn is_shared_library(path: &str) -> bool {
    ["/lib/", "/usr/lib/", "/lib64/", "/usr/lib64/"]
        .iter()
        .any(|dir| {
            path.strip_prefix(dir)
                .is_some_and(|name| !name.contains('/'))
        })
        && (path.contains(".so.") || path.ends_with(".so"))
}

impl Package {
    /// `name-[epoch:]version-release.arch`, the epoch only when non-zero (as dnf prints it).
    pub fn nevra(&self) -> String {
        format!("{}-{}.{}", self.name, self.evr(), self.arch)
    }

    /// Borrowed epoch/version/release, for comparisons.
    pub fn evr(&self) -> EvrRef<'_> {
        EvrRef {
            epoch: self.epoch,
            version: &self.version,
            release: &self.release,
        }
    }

    /// Whether this is a source RPM.
    pub fn is_source(&self) -> bool {
        self.arch == "src" || self.arch == "nosrc"
    }

    /// Whether this is debugging information, which composes put in separate debug
    /// repositories: a name Pungi's `DEBUG_PATTERNS` match (`*-debuginfo`,
    /// `*-debuginfo-*` such as `glibc-debuginfo-common`, `*-debugsource`).
    pub fn is_debug(&self) -> bool {
        let name = &self.name;
        name.ends_with("-debuginfo")
            || name.ends_with("-debugsource")
            || name.contains("-debuginfo-")
    }

    /// Keeps only the `limit` newest changelog entries (createrepo's
    /// `--changelog-limit`), freeing the rest.
    pub fn keep_changelogs(&mut self, limit: usize) {
        self.changelogs.truncate(limit);
        self.changelogs.shrink_to_fit();
    }

    /// The record as dependency solving sees it: identity (NEVRA, source RPM), size,
    /// dependencies, and of the files only those in `wanted` (the paths some package
    /// requires, see [`crate::wanted_files`]) and shared libraries directly in a library
    /// directory (what multilib's `runtime` method looks for). Descriptive fields
    /// (summary, URL, license, packager...), the checksum, header range, location and
    /// changelogs are left empty, so they are not serialized. Half the full record's
    /// size at distribution scale, with the same answers to every query the package set
    /// can make.
    pub fn solving_view(&self, wanted: &HashSet<Cow<'_, str>>) -> Package {
        // Built from what it keeps: copying the whole record (file lists, changelogs)
        // only to empty most of it again was Pkgset's work for every package.
        Package {
            name: self.name.clone(),
            epoch: self.epoch,
            version: self.version.clone(),
            release: self.release.clone(),
            arch: self.arch.clone(),
            sourcerpm: self.sourcerpm.clone(),
            size_package: self.size_package,
            provides: self.provides.clone(),
            requires: self.requires.clone(),
            conflicts: self.conflicts.clone(),
            obsoletes: self.obsoletes.clone(),
            recommends: self.recommends.clone(),
            suggests: self.suggests.clone(),
            supplements: self.supplements.clone(),
            enhances: self.enhances.clone(),
            files: self
                .files
                .iter()
                .filter(|f| wanted.contains(f.path.as_str()) || is_shared_library(&f.path))
                .cloned()
                .collect(),
            ..Package::default()
        }
    }

    /// The files primary.xml lists (see [`is_primary_file`]).
    pub fn primary_files(&self) -> impl Iterator<Item = &FileEntry> {
        self.files.iter().filter(|f| is_primary_file(&f.path))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::checksum::ChecksumKind;

    /// A small package for unit tests elsewhere in the crate.
    pub(crate) fn sample(name: &str, evr: &str) -> Package {
        let evr = crate::evr::Evr::parse(evr).unwrap();
        Package {
            name: name.to_owned(),
            epoch: evr.epoch,
            version: evr.version,
            release: evr.release,
            arch: "x86_64".to_owned(),
            license: "MIT".to_owned(),
            sourcerpm: format!("{name}.src.rpm"),
            checksum: ChecksumKind::Sha256.digest(name.as_bytes()),
            location: format!("{name}.rpm"),
            ..Package::default()
        }
    }

    #[test]
    fn helpers() {
        let mut p = sample("bash-debuginfo", "1:5.2-1");
        assert_eq!(p.nevra(), "bash-debuginfo-1:5.2-1.x86_64");
        assert!(p.is_debug());
        assert!(sample("glibc-debuginfo-common", "2.39-1").is_debug());
        assert!(sample("bash-debugsource", "5.2-1").is_debug());
        assert!(!sample("debuginfod", "0.190-1").is_debug());
        assert!(!p.is_source());
        p.arch = "src".into();
        assert!(p.is_source());
        assert_eq!(sample("bash", "5.2-1").nevra(), "bash-5.2-1.x86_64");
    }

    #[test]
    fn primary_file_rule_is_createrepos() {
        for path in [
            "/etc/passwd",
            "/usr/bin/sh",
            "/opt/x/sbin/y",
            "/usr/lib/sendmail",
        ] {
            assert!(is_primary_file(path), "{path}");
        }
        for path in [
            "/usr/lib/libc.so",
            "/etc",
            "/usr/share/bin",
            "/usr/lib/sendmail.x",
        ] {
            assert!(!is_primary_file(path), "{path}");
        }
    }
}
