//! Writing a repository's `repodata/`: the three metadata documents streamed
//! through gzip in one pass over the packages, an optional comps group file,
//! and repomd.xml, all built in a scratch directory beside the target and
//! swapped into place, so a crash never leaves half-written repodata.

use std::collections::hash_map::RandomState;
use std::fs::{self, File};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

use crate::checksum::{ChecksumKind, HashingWriter};
use crate::error::{Error, Result};
use crate::package::Package;
use crate::repomd::{Repomd, RepomdRecord};
use crate::xml::XmlOut;
use crate::{filelists, other, primary};

/// How to write the repodata. Nothing is taken from the clock: the same
/// packages and options give byte-identical files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoOptions {
    /// Digest for package ids and metadata files (createrepo `-s`).
    pub checksum: ChecksumKind,
    /// The `<revision>` text (createrepo `--revision`).
    pub revision: String,
    /// Every `<timestamp>` in repomd.xml, in seconds since the epoch.
    pub timestamp: u64,
    /// Keep only this many newest changelog entries per package (`--changelog-limit`).
    pub changelog_limit: Option<usize>,
    /// A comps file to publish as `group` and `group_gz` (createrepo `-g`).
    pub group_file: Option<PathBuf>,
    /// Prefix metadata file names with their checksum (createrepo's default,
    /// `--unique-md-filenames`); `false` gives `primary.xml.gz` etc.
    pub unique_md_filenames: bool,
}

impl RepoOptions {
    /// Defaults like createrepo_c's, at a fixed `timestamp` that is also the revision
    /// (createrepo `--revision T --set-timestamp-to-revision`).
    pub fn at(timestamp: u64) -> Self {
        RepoOptions {
            checksum: ChecksumKind::Sha256,
            revision: timestamp.to_string(),
            timestamp,
            changelog_limit: None,
            group_file: None,
            unique_md_filenames: true,
        }
    }
}

/// What was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoSummary {
    /// The `repodata/` directory now in place.
    pub repodata_dir: PathBuf,
    pub packages: usize,
    /// The repomd.xml content as written.
    pub repomd: Repomd,
}

/// Writes `repo_dir/repodata/` for `packages`, whose `location`s are relative
/// to `repo_dir`. Packages are written sorted by location, so the caller's
/// order does not matter. An existing `repodata/` is replaced atomically.
pub fn write_repo(
    repo_dir: &Path,
    packages: &[Package],
    options: &RepoOptions,
) -> Result<RepoSummary> {
    // A repository with no packages (a debug tree without debuginfo) has no folder yet.
    fs::create_dir_all(repo_dir).map_err(|e| Error::io(repo_dir, e))?;
    let scratch = Scratch::create(repo_dir, "repodata.tmp")?;
    let repomd = write_metadata(&scratch.path, packages, options)?;
    let repodata_dir = repo_dir.join("repodata");
    scratch.swap_into(&repodata_dir)?;
    Ok(RepoSummary {
        repodata_dir,
        packages: packages.len(),
        repomd,
    })
}

fn write_metadata(dir: &Path, packages: &[Package], options: &RepoOptions) -> Result<Repomd> {
    let mut sorted: Vec<&Package> = packages.iter().collect();
    sorted.sort_by(|a, b| a.location.cmp(&b.location));

    let mut primary = MetadataFile::create(dir, primary::KIND, options)?;
    let mut filelists = MetadataFile::create(dir, filelists::KIND, options)?;
    let mut other = MetadataFile::create(dir, other::KIND, options)?;
    let count = sorted.len();
    primary.io(|out| primary::write_head(out, count))?;
    filelists.io(|out| filelists::write_head(out, count))?;
    other.io(|out| other::write_head(out, count))?;
    for p in sorted {
        primary.io(|out| primary::write_package(out, p))?;
        filelists.io(|out| filelists::write_package(out, p))?;
        other.io(|out| other::write_package(out, p, options.changelog_limit))?;
    }
    primary.io(primary::write_tail)?;
    filelists.io(filelists::write_tail)?;
    other.io(other::write_tail)?;

    let mut records = vec![primary.finish()?, filelists.finish()?, other.finish()?];
    if let Some(group) = &options.group_file {
        records.extend(copy_group_file(dir, group, options)?);
    }
    let repomd = Repomd {
        revision: options.revision.clone(),
        records,
    };
    let path = dir.join("repomd.xml");
    let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
    let written = repomd
        .write(BufWriter::new(file))
        .and_then(|w| w.into_inner().map_err(io::IntoInnerError::into_error))
        .and_then(|f| f.sync_all());
    written.map_err(|e| Error::io(&path, e))?;
    Ok(repomd)
}

type Compressed = HashingWriter<GzEncoder<HashingWriter<BufWriter<File>>>>;

/// One gzip-compressed document being streamed: hashed and counted both
/// before and after compression, then renamed to its final name.
struct MetadataFile<'a> {
    dir: &'a Path,
    kind: &'static str,
    path: PathBuf,
    out: XmlOut<Compressed>,
    options: &'a RepoOptions,
}

impl<'a> MetadataFile<'a> {
    fn create(dir: &'a Path, kind: &'static str, options: &'a RepoOptions) -> Result<Self> {
        let path = dir.join(format!("{kind}.xml.gz"));
        let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        let compressed =
            HashingWriter::new(BufWriter::with_capacity(1 << 16, file), options.checksum);
        let gz = GzEncoder::new(compressed, Compression::default());
        let out = XmlOut::new(HashingWriter::new(gz, options.checksum));
        Ok(MetadataFile {
            dir,
            kind,
            path,
            out,
            options,
        })
    }

    /// Runs one write step, naming the file if it fails.
    fn io(&mut self, step: impl FnOnce(&mut XmlOut<Compressed>) -> io::Result<()>) -> Result<()> {
        step(&mut self.out).map_err(|e| Error::io(&self.path, e))
    }

    fn finish(self) -> Result<RepomdRecord> {
        let path = self.path;
        let io_error = |e| Error::io(&path, e);
        let (gz, open_checksum, open_size) = self.out.into_inner().finish();
        let compressed = gz.finish().map_err(io_error)?;
        let (buffered, checksum, size) = compressed.finish();
        let file = buffered
            .into_inner()
            .map_err(|e| io_error(e.into_error()))?;
        file.sync_all().map_err(io_error)?;
        let name = final_name(
            &checksum.hex,
            &format!("{}.xml.gz", self.kind),
            self.options,
        );
        let target = self.dir.join(&name);
        fs::rename(&path, &target).map_err(|e| Error::io(&target, e))?;
        Ok(RepomdRecord {
            kind: self.kind.to_owned(),
            checksum,
            open_checksum: Some(open_checksum),
            location: format!("repodata/{name}"),
            timestamp: self.options.timestamp,
            size,
            open_size: Some(open_size),
        })
    }
}

fn final_name(checksum: &str, base: &str, options: &RepoOptions) -> String {
    if options.unique_md_filenames {
        format!("{checksum}-{base}")
    } else {
        base.to_owned()
    }
}

/// Publishes a comps file as createrepo `-g` does: verbatim as `group`, and
/// gzip-compressed as `group_gz`.
fn copy_group_file(dir: &Path, source: &Path, options: &RepoOptions) -> Result<[RepomdRecord; 2]> {
    let bytes = fs::read(source).map_err(|e| Error::io(source, e))?;
    let base = source
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::repo(source, "group file name is not valid UTF-8"))?;
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    let compressed = gz
        .write_all(&bytes)
        .and_then(|()| gz.finish())
        .map_err(|e| Error::io(source, e))?;
    let group = store(dir, "group", base, &bytes, options)?;
    let mut group_gz = store(dir, "group_gz", &format!("{base}.gz"), &compressed, options)?;
    group_gz.open_checksum = Some(group.checksum.clone());
    group_gz.open_size = Some(group.size);
    Ok([group, group_gz])
}

/// Writes a small metadata file whole and describes it.
fn store(
    dir: &Path,
    kind: &str,
    base: &str,
    content: &[u8],
    options: &RepoOptions,
) -> Result<RepomdRecord> {
    let checksum = options.checksum.digest(content);
    let name = final_name(&checksum.hex, base, options);
    write_synced(&dir.join(&name), content)?;
    Ok(RepomdRecord {
        kind: kind.to_owned(),
        checksum,
        open_checksum: None,
        location: format!("repodata/{name}"),
        timestamp: options.timestamp,
        size: content.len() as u64,
        open_size: None,
    })
}

fn write_synced(path: &Path, content: &[u8]) -> Result<()> {
    let mut file = File::create(path).map_err(|e| Error::io(path, e))?;
    file.write_all(content)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// A uniquely named directory beside the target, removed unless swapped in.
pub(crate) struct Scratch {
    pub(crate) path: PathBuf,
    swapped: bool,
}

impl Scratch {
    pub(crate) fn create(parent: &Path, stem: &str) -> Result<Scratch> {
        let mut last_error = None;
        for attempt in 0..16u32 {
            let path = unique_path(parent, stem, attempt);
            match fs::create_dir(&path) {
                Ok(()) => {
                    return Ok(Scratch {
                        path,
                        swapped: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_error = Some(e),
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        let e = last_error.unwrap_or_else(|| io::Error::other("no free scratch directory name"));
        Err(Error::io(parent, e))
    }

    /// Moves this directory to `target`, replacing (and then deleting) any
    /// previous `target`. Between the two renames `target` is briefly absent,
    /// but never incomplete; if the second rename fails the old one returns.
    pub(crate) fn swap_into(mut self, target: &Path) -> Result<()> {
        let parent = target.parent().unwrap_or(Path::new("."));
        let mut old = match fs::symlink_metadata(target) {
            Ok(_) => {
                let path = unique_path(parent, "repodata.old", 0);
                fs::rename(target, &path).map_err(|e| Error::io(target, e))?;
                Some(Scratch {
                    path,
                    swapped: false,
                })
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(target, e)),
        };
        if let Err(e) = fs::rename(&self.path, target) {
            if let Some(old) = &mut old {
                old.swapped = fs::rename(&old.path, target).is_ok();
            }
            return Err(Error::io(target, e));
        }
        self.swapped = true;
        drop(old); // deletes the previous repodata
        Ok(())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !self.swapped {
            // Best effort: a leftover scratch directory is harmless and
            // recognisable by its name.
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// `parent/stem-<random>`: unpredictable enough to keep concurrent writers
/// apart; std's hasher keys are seeded by the OS (WASI `random_get` inside
/// the sandbox).
fn unique_path(parent: &Path, stem: &str, attempt: u32) -> PathBuf {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(attempt);
    parent.join(format!("{stem}-{:016x}", hasher.finish()))
}
