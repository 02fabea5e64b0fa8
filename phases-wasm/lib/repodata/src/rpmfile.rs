//! Reading a [`Package`] from an RPM file: only the lead, the signature header
//! and the main header are read, never the payload.
//!
//! The header structure is validated here before the `rpm` crate sees it, so
//! truncated or hostile files give an error instead of a panic or a huge
//! allocation. The record is filled the way createrepo_c's
//! `cr_package_from_header` fills it, so our repodata matches theirs.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::time::UNIX_EPOCH;

use rpm::{DependencyFlags, IndexSignatureTag, IndexTag, PackageMetadata};

use crate::checksum::Checksum;
use crate::dependency::{Dependency, Flag};
use crate::error::{Error, Result};
use crate::evr::{Evr, rpmvercmp};
use crate::package::{Changelog, FileEntry, FileKind, Package, is_primary_file};

pub(crate) const LEAD_SIZE: u64 = 96;
pub(crate) const LEAD_MAGIC: [u8; 4] = [0xed, 0xab, 0xee, 0xdb];
const HEADER_MAGIC: [u8; 4] = [0x8e, 0xad, 0xe8, 0x01];
const INTRO_SIZE: u64 = 16;
const ENTRY_SIZE: u64 = 16;
/// rpm's own sanity limits (`hdrchkTags`, `HEADER_DATA_MAX`).
const MAX_ENTRIES: u64 = 0xffff;
const MAX_DATA: u64 = 0x0fff_ffff;

const S_IFMT: u16 = 0o170_000;
const S_IFDIR: u16 = 0o040_000;
const RPMFILE_GHOST: u32 = 1 << 6;

impl Package {
    /// Reads the package at `path` (header only). `location` is the path the
    /// repository will record (relative to its root) and `checksum` the
    /// digest of the whole file, which the caller may compute natively (see
    /// [`crate::ChecksumKind::digest_file`]). Keeps all changelog entries;
    /// see [`Package::keep_changelogs`].
    pub fn read(path: &Path, location: impl Into<String>, checksum: Checksum) -> Result<Package> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let stat = file.metadata().map_err(|e| Error::io(path, e))?;
        let header = read_header_bytes(&mut BufReader::new(file)).map_err(|reason| Error::Rpm {
            path: path.to_owned(),
            reason,
        })?;
        let rpm_error = |what: &str, e: rpm::Error| Error::Rpm {
            path: path.to_owned(),
            reason: format!("{what}: {e}"),
        };
        let meta = PackageMetadata::parse(&mut header.bytes.as_slice())
            .map_err(|e| rpm_error("header", e))?;
        let facts = FileFacts {
            file_time: stat
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs()),
            size_package: stat.len(),
            header_range: (header.start, header.end),
            checksum,
            location: location.into(),
        };
        from_metadata(&meta, facts).map_err(|(what, e)| rpm_error(what, e))
    }
}

/// What the file itself (not its header) tells about a package.
struct FileFacts {
    file_time: u64,
    size_package: u64,
    header_range: (u64, u64),
    checksum: Checksum,
    location: String,
}

/// The validated bytes from the lead to the end of the main header, and where
/// the main header lies in the file.
struct HeaderBytes {
    bytes: Vec<u8>,
    start: u64,
    end: u64,
}

/// Reads the lead and both headers, checking magic numbers, sizes and every
/// index entry's bounds, so that later parsing cannot index out of range.
fn read_header_bytes(input: &mut impl Read) -> Result<HeaderBytes, String> {
    let mut bytes = Vec::with_capacity(64 * 1024);
    read_into(input, &mut bytes, LEAD_SIZE, "lead")?;
    if bytes[..4] != LEAD_MAGIC {
        return Err("bad lead magic (not an RPM file)".into());
    }
    read_header_structure(input, &mut bytes, "signature header")?;
    let padding = (8 - (bytes.len() as u64 % 8)) % 8;
    read_into(input, &mut bytes, padding, "signature header padding")?;
    let start = bytes.len() as u64;
    read_header_structure(input, &mut bytes, "header")?;
    let end = bytes.len() as u64;
    Ok(HeaderBytes { bytes, start, end })
}

pub(crate) fn read_header_structure(
    input: &mut impl Read,
    bytes: &mut Vec<u8>,
    what: &str,
) -> Result<(), String> {
    let intro_at = bytes.len();
    read_into(input, bytes, INTRO_SIZE, what)?;
    let intro = &bytes[intro_at..];
    if intro[..4] != HEADER_MAGIC {
        return Err(format!("{what}: bad magic"));
    }
    let entries = u64::from(be_u32(&intro[8..12]));
    let data_len = u64::from(be_u32(&intro[12..16]));
    if entries == 0 || entries > MAX_ENTRIES {
        return Err(format!("{what}: implausible entry count {entries}"));
    }
    if data_len > MAX_DATA {
        return Err(format!("{what}: implausible data size {data_len}"));
    }
    let index_at = bytes.len();
    read_into(input, bytes, entries * ENTRY_SIZE + data_len, what)?;
    for entry in bytes[index_at..index_at + (entries * ENTRY_SIZE) as usize].chunks_exact(16) {
        check_entry(entry, data_len)
            .map_err(|reason| format!("{what}: tag {}: {reason}", be_u32(&entry[0..4])))?;
    }
    Ok(())
}

/// Checks that an index entry's data lies inside the data store.
fn check_entry(entry: &[u8], data_len: u64) -> Result<(), &'static str> {
    let kind = be_u32(&entry[4..8]);
    let offset = i32::from_be_bytes([entry[8], entry[9], entry[10], entry[11]]);
    let count = u64::from(be_u32(&entry[12..16]));
    let offset = u64::try_from(offset).map_err(|_| "negative data offset")?;
    if offset > data_len {
        return Err("data offset past the end of the header");
    }
    let available = data_len - offset;
    // Minimum bytes per item: fixed for numbers, one NUL for strings.
    let min_item = match kind {
        0 => 0,
        1 | 2 | 6..=9 => 1,
        3 => 2,
        4 => 4,
        5 => 8,
        _ => return Err("unknown data type"),
    };
    if count.saturating_mul(min_item) > available {
        return Err("data runs past the end of the header");
    }
    Ok(())
}

pub(crate) fn read_into(
    input: &mut impl Read,
    bytes: &mut Vec<u8>,
    len: u64,
    what: &str,
) -> Result<(), String> {
    let wanted = bytes.len() as u64 + len;
    input
        .take(len)
        .read_to_end(bytes)
        .map_err(|e| format!("{what}: {e}"))?;
    if (bytes.len() as u64) < wanted {
        return Err(format!(
            "truncated: the file ends inside the {what} (at byte {}, needed {wanted})",
            bytes.len()
        ));
    }
    Ok(())
}

pub(crate) fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

type FieldResult<T> = std::result::Result<T, (&'static str, rpm::Error)>;

/// Maps "tag absent" to `None`, keeping other errors with the field's name.
fn optional<T>(
    what: &'static str,
    r: std::result::Result<T, rpm::Error>,
) -> FieldResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(rpm::Error::TagNotFound(_)) => Ok(None),
        Err(e) => Err((what, e)),
    }
}

fn text(what: &'static str, r: std::result::Result<&str, rpm::Error>) -> FieldResult<String> {
    Ok(optional(what, r)?.unwrap_or_default().to_owned())
}

fn from_metadata(meta: &PackageMetadata, facts: FileFacts) -> FieldResult<Package> {
    let required = |what, r: std::result::Result<&str, rpm::Error>| {
        r.map(str::to_owned).map_err(|e| (what, e))
    };
    let is_source = meta.is_source_package();
    let files = files(meta)?;
    let raw_provides = meta.get_provides().map_err(|e| ("provides", e))?;
    let (requires, legacy_recommends) = requires(meta, &files, &raw_provides)?;
    let mut recommends = legacy_recommends;
    recommends.extend(dependencies(
        meta.get_recommends().map_err(|e| ("recommends", e))?,
    ));
    Ok(Package {
        name: required("name", meta.get_name())?,
        epoch: optional("epoch", meta.get_epoch())?.unwrap_or(0),
        version: required("version", meta.get_version())?,
        release: required("release", meta.get_release())?,
        arch: if is_source {
            "src".to_owned()
        } else {
            required("arch", meta.get_arch())?
        },
        summary: text("summary", meta.get_summary())?,
        description: text("description", meta.get_description())?,
        url: text("url", meta.get_url())?,
        license: text("license", meta.get_license())?,
        vendor: text("vendor", meta.get_vendor())?,
        group: text("group", meta.get_group())?,
        buildhost: text("buildhost", meta.get_build_host())?,
        packager: text("packager", meta.get_packager())?,
        sourcerpm: if is_source {
            String::new()
        } else {
            text("sourcerpm", meta.get_source_rpm())?
        },
        build_time: optional("buildtime", meta.get_build_time())?.unwrap_or(0),
        file_time: facts.file_time,
        size_package: facts.size_package,
        size_installed: optional("size", meta.get_installed_size())?.unwrap_or(0),
        size_archive: archive_size(meta),
        header_range: facts.header_range,
        checksum: facts.checksum,
        location: facts.location,
        provides: dependencies(raw_provides),
        requires,
        conflicts: dependencies(meta.get_conflicts().map_err(|e| ("conflicts", e))?),
        obsoletes: dependencies(meta.get_obsoletes().map_err(|e| ("obsoletes", e))?),
        recommends,
        suggests: dependencies(meta.get_suggests().map_err(|e| ("suggests", e))?),
        supplements: dependencies(meta.get_supplements().map_err(|e| ("supplements", e))?),
        enhances: dependencies(meta.get_enhances().map_err(|e| ("enhances", e))?),
        files,
        changelogs: changelogs(meta)?,
    })
}

/// The payload size: in the main header for old packages, in the signature
/// header since rpm 4.14 (where rpm itself merges it back for createrepo).
fn archive_size(meta: &PackageMetadata) -> u64 {
    let main = &meta.header;
    let sig = &meta.signature;
    main.get_entry_data_as_u64(IndexTag::RPMTAG_LONGARCHIVESIZE)
        .or_else(|_| {
            main.get_entry_data_as_u32(IndexTag::RPMTAG_ARCHIVESIZE)
                .map(u64::from)
        })
        .or_else(|_| sig.get_entry_data_as_u64(IndexSignatureTag::RPMSIGTAG_LONGARCHIVESIZE))
        .or_else(|_| {
            sig.get_entry_data_as_u32(IndexSignatureTag::RPMSIGTAG_PAYLOADSIZE)
                .map(u64::from)
        })
        .unwrap_or(0)
}

fn files(meta: &PackageMetadata) -> FieldResult<Vec<FileEntry>> {
    let h = &meta.header;
    let Some(basenames) = optional(
        "basenames",
        h.get_entry_data_as_string_array(IndexTag::RPMTAG_BASENAMES),
    )?
    else {
        return Ok(Vec::new());
    };
    let dirnames = h
        .get_entry_data_as_string_array(IndexTag::RPMTAG_DIRNAMES)
        .map_err(|e| ("dirnames", e))?;
    let dirindexes = h
        .get_entry_data_as_u32_array(IndexTag::RPMTAG_DIRINDEXES)
        .map_err(|e| ("dirindexes", e))?;
    let flags = h
        .get_entry_data_as_u32_array(IndexTag::RPMTAG_FILEFLAGS)
        .map_err(|e| ("fileflags", e))?;
    let modes = h
        .get_entry_data_as_u16_array(IndexTag::RPMTAG_FILEMODES)
        .map_err(|e| ("filemodes", e))?;
    let n = basenames.len();
    if dirindexes.len() != n || flags.len() != n || modes.len() != n {
        return Err((
            "file list",
            rpm::Error::InvalidTagIndex {
                tag: "file arrays of different lengths".into(),
                index: n as u32,
                bound: dirindexes.len().min(flags.len()).min(modes.len()) as u32,
            },
        ));
    }
    basenames
        .iter()
        .zip(&dirindexes)
        .zip(flags.iter().zip(&modes))
        .map(|((base, &dir), (&flag, &mode))| {
            let dir = dirnames.get(dir as usize).ok_or((
                "dirindexes",
                rpm::Error::InvalidTagIndex {
                    tag: "RPMTAG_DIRINDEXES".into(),
                    index: dir,
                    bound: dirnames.len() as u32,
                },
            ))?;
            let kind = if mode & S_IFMT == S_IFDIR {
                FileKind::Dir
            } else if flag & RPMFILE_GHOST != 0 {
                FileKind::Ghost
            } else {
                FileKind::File
            };
            Ok(FileEntry {
                path: format!("{dir}{base}"),
                kind,
            })
        })
        .collect()
}

/// Converts rpm's entries; drops those whose version has a non-numeric epoch,
/// as createrepo_c does ("Bad epoch ... Skipping this dependency").
fn dependencies(raw: Vec<rpm::Dependency>) -> Vec<Dependency> {
    raw.into_iter().filter_map(|d| dependency(&d)).collect()
}

fn dependency(d: &rpm::Dependency) -> Option<Dependency> {
    let flags = Flag::from_rpm_bits(d.flags.bits());
    let evr = if d.version.is_empty() {
        None
    } else {
        Some(Evr::parse(&d.version).ok()?)
    };
    Some(Dependency {
        name: d.name.clone(),
        flags,
        evr: evr.filter(|_| flags.is_some()),
        pre: false,
    })
}

/// Requires, filtered as createrepo_c filters them: `rpmlib(...)` dropped, a
/// primary-listed file the package itself contains dropped, a requirement
/// identical to one of the package's provides dropped, consecutive exact
/// duplicates dropped, only the highest `libc.so.6(...)` kept (last), and
/// legacy `MISSINGOK` requires moved to recommends (createrepo_c's
/// LegacyWeakdeps build, which Fedora ships). Returns (requires, recommends).
fn requires(
    meta: &PackageMetadata,
    files: &[FileEntry],
    raw_provides: &[rpm::Dependency],
) -> FieldResult<(Vec<Dependency>, Vec<Dependency>)> {
    let raw = meta.get_requires().map_err(|e| ("requires", e))?;
    let own_files: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    // createrepo keys provides by name+flags+version text; only kept provides count.
    let provided: HashSet<(&str, Option<Flag>, &str)> = raw_provides
        .iter()
        .filter(|p| Evr::split_epoch(&p.version).is_ok())
        .map(|p| {
            (
                p.name.as_str(),
                Flag::from_rpm_bits(p.flags.bits()),
                p.version.as_str(),
            )
        })
        .collect();
    let pre_bits =
        DependencyFlags::PREREQ | DependencyFlags::SCRIPT_PRE | DependencyFlags::SCRIPT_POST;
    let mut seen: HashMap<&str, (Option<Flag>, &str, bool)> = HashMap::new();
    let mut requires = Vec::with_capacity(raw.len());
    let mut recommends = Vec::new();
    let mut libc: Option<Dependency> = None;
    for r in &raw {
        let name = r.name.as_str();
        let flag = Flag::from_rpm_bits(r.flags.bits());
        if name.starts_with("rpmlib(")
            || (name.starts_with('/') && own_files.contains(name) && is_primary_file(name))
            || provided.contains(&(name, flag, r.version.as_str()))
        {
            continue;
        }
        let pre = r.flags.intersects(pre_bits);
        if seen.get(name) == Some(&(flag, r.version.as_str(), pre)) {
            continue;
        }
        let Some(mut dep) = dependency(r) else {
            continue;
        };
        if r.flags.contains(DependencyFlags::MISSINGOK) {
            recommends.push(dep);
            continue;
        }
        dep.pre = pre;
        if name.starts_with("libc.so.6") {
            if libc
                .as_ref()
                .is_none_or(|cur| libc_is_newer(&cur.name, name))
            {
                libc = Some(dep);
            }
            continue;
        }
        seen.insert(name, (flag, r.version.as_str(), pre));
        requires.push(dep);
    }
    requires.extend(libc);
    Ok((requires, recommends))
}

/// createrepo_c's `cr_compare_dependency(current, candidate) == 2`: whether
/// `libc.so.6(GLIBC_x.y)...` `candidate` names a newer symbol version.
fn libc_is_newer(current: &str, candidate: &str) -> bool {
    /// The text between the first `(` and the next `)`, from its first digit;
    /// `Err(())` when there is no such part, `Ok(None)` when it has no digit.
    fn symbol_version(dep: &str) -> Option<Result<Option<&str>, ()>> {
        let open = dep.find('(')?;
        let inner = &dep[open + 1..];
        let Some(close) = inner.find(')') else {
            return Some(Err(()));
        };
        let inner = &inner[..close];
        Some(Ok(inner
            .find(|c: char| c.is_ascii_digit())
            .map(|d| &inner[d..])))
    }
    match (symbol_version(current), symbol_version(candidate)) {
        (None, None) | (_, None) => false,
        (None, Some(_)) => true,
        (Some(Err(())), Some(b)) => b.is_ok(),
        (Some(Ok(_)), Some(Err(()))) => false,
        (Some(Ok(a)), Some(Ok(b))) => match (a, b) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(a), Some(b)) => rpmvercmp(a, b).is_lt(),
        },
    }
}

fn changelogs(meta: &PackageMetadata) -> FieldResult<Vec<Changelog>> {
    let entries = meta
        .iter_changelog_entries()
        .map_err(|e| ("changelog", e))?;
    Ok(entries
        .map(|e| Changelog {
            // createrepo_c strips trailing spaces from the author line.
            author: e.name.trim_end_matches(' ').to_owned(),
            time: e.timestamp,
            text: e.description,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libc_highest_symbol_version_wins() {
        assert!(libc_is_newer(
            "libc.so.6(GLIBC_2.3.4)(64bit)",
            "libc.so.6(GLIBC_2.14)(64bit)"
        ));
        assert!(!libc_is_newer(
            "libc.so.6(GLIBC_2.14)(64bit)",
            "libc.so.6(GLIBC_2.4)(64bit)"
        ));
        assert!(libc_is_newer(
            "libc.so.6()(64bit)",
            "libc.so.6(GLIBC_2.2.5)(64bit)"
        ));
        assert!(libc_is_newer("libc.so.6", "libc.so.6(GLIBC_2.2.5)"));
        assert!(!libc_is_newer("libc.so.6(GLIBC_2.2.5)", "libc.so.6"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in [0usize, 10, 95, 96, 97, 200, 5000] {
            let mut bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            assert!(read_header_bytes(&mut bytes.as_slice()).is_err());
            // Same garbage behind a valid lead and header magics.
            if len >= 128 {
                bytes[..4].copy_from_slice(&LEAD_MAGIC);
                bytes[96..100].copy_from_slice(&HEADER_MAGIC);
                assert!(read_header_bytes(&mut bytes.as_slice()).is_err());
            }
        }
    }

    #[test]
    fn entry_bounds_are_checked() {
        let entry = |kind: u32, offset: i32, count: u32| {
            let mut e = vec![0, 0, 3, 232];
            e.extend(kind.to_be_bytes());
            e.extend(offset.to_be_bytes());
            e.extend(count.to_be_bytes());
            e
        };
        assert!(check_entry(&entry(4, 0, 2), 8).is_ok());
        assert!(check_entry(&entry(4, 4, 2), 8).is_err());
        assert!(check_entry(&entry(4, -4, 1), 8).is_err());
        assert!(check_entry(&entry(8, 0, 9), 8).is_err());
        assert!(check_entry(&entry(42, 0, 1), 8).is_err());
    }
}
