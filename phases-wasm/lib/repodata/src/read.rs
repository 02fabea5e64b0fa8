//! Reading a repository's metadata back into [`Package`]s, for repoclosure in
//! the Test phase and for loading package sets from existing repodata.
//! Every metadata file is checked against repomd.xml's checksum while it is
//! parsed, so a truncated or stale file is an error, not missing packages.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Component, Path};

use flate2::read::MultiGzDecoder;

use crate::checksum::HashingReader;
use crate::error::{Error, Result};
use crate::package::Package;
use crate::repomd::{Repomd, RepomdRecord};
use crate::xml::XmlIn;
use crate::{filelists, other, primary};

/// Which optional documents to load besides primary.xml.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// Replace primary's short file lists with filelists.xml's full ones
    /// (needed to resolve file dependencies outside `/etc` and `*bin/`).
    pub filelists: bool,
    /// Load changelogs from other.xml.
    pub changelogs: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            filelists: true,
            changelogs: false,
        }
    }
}

/// Reads `repo_dir/repodata/repomd.xml` and the documents it names.
/// Package `location`s stay relative to `repo_dir`. Only gzip-compressed or
/// uncompressed metadata is supported (createrepo_c's default).
pub fn read_repo(repo_dir: &Path, options: &ReadOptions) -> Result<Vec<Package>> {
    let repomd_path = repo_dir.join("repodata").join("repomd.xml");
    let repomd = {
        let file = File::open(&repomd_path).map_err(|e| Error::io(&repomd_path, e))?;
        Repomd::read(&mut XmlIn::new(BufReader::new(file), &repomd_path))?
    };
    let record = |kind: &str| {
        repomd
            .record(kind)
            .ok_or_else(|| Error::repo(&repomd_path, format!("names no {kind} metadata")))
    };
    let mut packages = read_document(repo_dir, record(primary::KIND)?, primary::read)?;
    if options.filelists || options.changelogs {
        let mut by_pkgid: HashMap<String, Vec<usize>> = HashMap::with_capacity(packages.len());
        for (i, p) in packages.iter().enumerate() {
            by_pkgid.entry(p.checksum.hex.clone()).or_default().push(i);
        }
        if options.filelists {
            read_document(repo_dir, record(filelists::KIND)?, |xml| {
                filelists::read(xml, |pkgid, files| {
                    distribute(&by_pkgid, pkgid, files, &mut packages, |p, f| p.files = f)
                })
            })?;
        }
        if options.changelogs {
            read_document(repo_dir, record(other::KIND)?, |xml| {
                other::read(xml, |pkgid, entries| {
                    distribute(&by_pkgid, pkgid, entries, &mut packages, |p, c| {
                        p.changelogs = c
                    })
                })
            })?;
        }
    }
    Ok(packages)
}

/// Gives `value` to every package with this pkgid (the same RPM may be
/// listed twice), moving it into the last one.
fn distribute<T: Clone>(
    by_pkgid: &HashMap<String, Vec<usize>>,
    pkgid: &str,
    value: T,
    packages: &mut [Package],
    set: impl Fn(&mut Package, T),
) {
    if let Some((last, rest)) = by_pkgid.get(pkgid).and_then(|t| t.split_last()) {
        for &i in rest {
            set(&mut packages[i], value.clone());
        }
        set(&mut packages[*last], value);
    }
}

/// Opens the file a record names, lets `parse` stream it, then checks the
/// bytes read against the record's checksum.
fn read_document<T>(
    repo_dir: &Path,
    record: &RepomdRecord,
    parse: impl FnOnce(&mut XmlIn<'_, BufReader<Source>>) -> Result<T>,
) -> Result<T> {
    let relative = Path::new(&record.location);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(Error::repo(
            repo_dir,
            format!(
                "metadata location {:?} leaves the repository",
                record.location
            ),
        ));
    }
    let path = repo_dir.join(relative);
    let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
    let hashing = HashingReader::new(file, record.checksum.algorithm);
    let source = if record.location.ends_with(".gz") {
        Source::Gzip(Box::new(MultiGzDecoder::new(hashing)))
    } else if [".xz", ".zst", ".zck", ".bz2"]
        .iter()
        .any(|ext| record.location.ends_with(ext))
    {
        return Err(Error::repo(
            &path,
            "unsupported compression (only gzip or none)",
        ));
    } else {
        Source::Plain(hashing)
    };
    let mut xml = XmlIn::new(BufReader::with_capacity(1 << 16, source), &path);
    let parsed = parse(&mut xml)?;
    let actual = xml
        .into_inner()
        .into_inner()
        .into_hashing()
        .finish()
        .map_err(|e| Error::io(&path, e))?;
    if actual.hex != record.checksum.hex {
        return Err(Error::checksum_mismatch(
            &path,
            &record.checksum,
            &actual.hex,
        ));
    }
    Ok(parsed)
}

/// A metadata file's bytes, decompressed if needed, hashed as they are read.
enum Source {
    Plain(HashingReader<File>),
    Gzip(Box<MultiGzDecoder<HashingReader<File>>>),
}

impl Source {
    fn into_hashing(self) -> HashingReader<File> {
        match self {
            Source::Plain(h) => h,
            Source::Gzip(gz) => gz.into_inner(),
        }
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Plain(h) => h.read(buf),
            Source::Gzip(gz) => gz.read(buf),
        }
    }
}
