//! primary.xml: the per-package facts and dependencies dnf resolves from,
//! in createrepo_c's exact layout.

use std::io::{self, BufRead, Write};

use quick_xml::events::{BytesStart, Event};

use crate::checksum::Checksum;
use crate::dependency::{Dependency, Flag};
use crate::error::Error;
use crate::evr::Evr;
use crate::package::{FileEntry, FileKind, Package};
use crate::xml::{self, XmlIn, XmlOut};

/// The document's `type` in repomd.xml and its file-name stem.
pub(crate) const KIND: &str = "primary";

pub(crate) fn write_head<W: Write>(out: &mut XmlOut<W>, count: usize) -> io::Result<()> {
    out.raw(xml::DECLARATION)?;
    out.raw(&format!(
        "<metadata xmlns=\"http://linux.duke.edu/metadata/common\" \
         xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"{count}\">\n"
    ))
}

pub(crate) fn write_tail<W: Write>(out: &mut XmlOut<W>) -> io::Result<()> {
    out.raw("</metadata>")
}

pub(crate) fn write_package<W: Write>(out: &mut XmlOut<W>, p: &Package) -> io::Result<()> {
    out.start(0, "package", &[("type", "rpm")])?;
    out.text(2, "name", &[], &p.name)?;
    out.text(2, "arch", &[], &p.arch)?;
    xml::write_version(out, p)?;
    out.text(
        2,
        "checksum",
        &[("type", p.checksum.algorithm.as_str()), ("pkgid", "YES")],
        &p.checksum.hex,
    )?;
    out.text(2, "summary", &[], &p.summary)?;
    out.text(2, "description", &[], &p.description)?;
    out.text(2, "packager", &[], &p.packager)?;
    out.text(2, "url", &[], &p.url)?;
    let (file_time, build_time) = (p.file_time.to_string(), p.build_time.to_string());
    out.empty(2, "time", &[("file", &file_time), ("build", &build_time)])?;
    let sizes = [p.size_package, p.size_installed, p.size_archive].map(|n| n.to_string());
    out.empty(
        2,
        "size",
        &[
            ("package", &sizes[0]),
            ("installed", &sizes[1]),
            ("archive", &sizes[2]),
        ],
    )?;
    out.empty(2, "location", &[("href", &p.location)])?;
    out.start(2, "format", &[])?;
    out.text(4, "rpm:license", &[], &p.license)?;
    out.text(4, "rpm:vendor", &[], &p.vendor)?;
    out.text(4, "rpm:group", &[], &p.group)?;
    out.text(4, "rpm:buildhost", &[], &p.buildhost)?;
    out.text(4, "rpm:sourcerpm", &[], &p.sourcerpm)?;
    let range = [p.header_range.0, p.header_range.1].map(|n| n.to_string());
    out.empty(
        4,
        "rpm:header-range",
        &[("start", &range[0]), ("end", &range[1])],
    )?;
    for (tag, deps) in dependency_lists(p) {
        write_dependencies(out, tag, deps)?;
    }
    for file in p.primary_files() {
        write_file(out, 4, file)?;
    }
    out.end(2, "format")?;
    out.end(0, "package")
}

/// The dependency containers in createrepo_c's order.
fn dependency_lists(p: &Package) -> [(&'static str, &Vec<Dependency>); 8] {
    [
        ("rpm:provides", &p.provides),
        ("rpm:requires", &p.requires),
        ("rpm:conflicts", &p.conflicts),
        ("rpm:obsoletes", &p.obsoletes),
        ("rpm:suggests", &p.suggests),
        ("rpm:enhances", &p.enhances),
        ("rpm:recommends", &p.recommends),
        ("rpm:supplements", &p.supplements),
    ]
}

fn write_dependencies<W: Write>(
    out: &mut XmlOut<W>,
    tag: &str,
    deps: &[Dependency],
) -> io::Result<()> {
    if deps.is_empty() {
        return Ok(());
    }
    out.start(4, tag, &[])?;
    for dep in deps.iter().filter(|d| !d.name.is_empty()) {
        let epoch = dep.evr.as_ref().map(|e| e.epoch.to_string());
        let mut attrs = [("", ""); 6];
        let mut n = 0;
        let mut push = |key, value| {
            attrs[n] = (key, value);
            n += 1;
        };
        push("name", dep.name.as_str());
        if let Some(flag) = dep.flags {
            push("flags", flag.as_str());
            if let (Some(evr), Some(epoch)) = (&dep.evr, &epoch) {
                push("epoch", epoch);
                if !evr.version.is_empty() {
                    push("ver", &evr.version);
                }
                if !evr.release.is_empty() {
                    push("rel", &evr.release);
                }
            }
        }
        if dep.pre {
            push("pre", "1");
        }
        out.empty(6, "rpm:entry", &attrs[..n])?;
    }
    out.end(4, tag)
}

/// `<file>` with its `type` attribute, shared with filelists.xml.
pub(crate) fn write_file<W: Write>(
    out: &mut XmlOut<W>,
    indent: usize,
    file: &FileEntry,
) -> io::Result<()> {
    match file.kind.as_attr() {
        Some(kind) => out.text(indent, "file", &[("type", kind)], &file.path),
        None => out.text(indent, "file", &[], &file.path),
    }
}

/// Reads a `<file>` element (just opened as `tag`).
pub(crate) fn read_file<R: BufRead>(
    xml: &mut XmlIn<'_, R>,
    tag: &BytesStart<'_>,
    is_empty: bool,
) -> Result<FileEntry, Error> {
    let kind_attr = xml.attr(tag, "type")?;
    let kind = FileKind::from_attr(kind_attr.as_deref())
        .ok_or_else(|| xml.error(format!("unknown file type {kind_attr:?}")))?;
    let path = if is_empty {
        String::new()
    } else {
        xml.text_until_end()?
    };
    Ok(FileEntry { path, kind })
}

/// Reads every package of a primary.xml document.
pub(crate) fn read<R: BufRead>(xml: &mut XmlIn<'_, R>) -> Result<Vec<Package>, Error> {
    let mut packages = Vec::new();
    loop {
        match xml.next()? {
            Event::Start(tag) if tag.name().as_ref() == "metadata" => {
                let count: usize = xml.number_attr(&tag, "packages", 0)?;
                packages.reserve(count.min(1 << 20));
            }
            Event::Start(tag) if tag.name().as_ref() == "package" => {
                packages.push(read_package(xml)?);
            }
            Event::Eof => return Ok(packages),
            _ => {}
        }
    }
}

fn read_package<R: BufRead>(xml: &mut XmlIn<'_, R>) -> Result<Package, Error> {
    let mut p = Package::default();
    let mut has_checksum = false;
    loop {
        let (tag, is_empty) = match xml.next()? {
            Event::Start(tag) => (tag, false),
            Event::Empty(tag) => (tag, true),
            Event::End(tag) if tag.name().as_ref() == "package" => break,
            Event::Eof => return Err(xml.error("unexpected end of file inside <package>")),
            _ => continue,
        };
        let text = |xml: &mut XmlIn<'_, R>| {
            if is_empty {
                Ok(String::new())
            } else {
                xml.text_until_end()
            }
        };
        match tag.name().as_ref() {
            "name" => p.name = text(xml)?,
            "arch" => p.arch = text(xml)?,
            "version" => xml::read_version(xml, &tag, &mut p)?,
            "checksum" => {
                let kind = xml.required_attr(&tag, "type")?;
                let algorithm = kind.parse().map_err(|e| xml.error(format!("{e}")))?;
                p.checksum = Checksum {
                    algorithm,
                    hex: text(xml)?.trim().to_owned(),
                };
                has_checksum = true;
            }
            "summary" => p.summary = text(xml)?,
            "description" => p.description = text(xml)?,
            "packager" => p.packager = text(xml)?,
            "url" => p.url = text(xml)?,
            "time" => {
                p.file_time = xml.number_attr(&tag, "file", 0)?;
                p.build_time = xml.number_attr(&tag, "build", 0)?;
            }
            "size" => {
                p.size_package = xml.number_attr(&tag, "package", 0)?;
                p.size_installed = xml.number_attr(&tag, "installed", 0)?;
                p.size_archive = xml.number_attr(&tag, "archive", 0)?;
            }
            "location" => p.location = xml.required_attr(&tag, "href")?,
            "format" => continue,
            "rpm:license" => p.license = text(xml)?,
            "rpm:vendor" => p.vendor = text(xml)?,
            "rpm:group" => p.group = text(xml)?,
            "rpm:buildhost" => p.buildhost = text(xml)?,
            "rpm:sourcerpm" => p.sourcerpm = text(xml)?,
            "rpm:header-range" => {
                p.header_range = (
                    xml.number_attr(&tag, "start", 0)?,
                    xml.number_attr(&tag, "end", 0)?,
                );
            }
            "file" => {
                let file = read_file(xml, &tag, is_empty)?;
                p.files.push(file);
            }
            name => {
                let list = match name {
                    "rpm:provides" => &mut p.provides,
                    "rpm:requires" => &mut p.requires,
                    "rpm:conflicts" => &mut p.conflicts,
                    "rpm:obsoletes" => &mut p.obsoletes,
                    "rpm:suggests" => &mut p.suggests,
                    "rpm:enhances" => &mut p.enhances,
                    "rpm:recommends" => &mut p.recommends,
                    "rpm:supplements" => &mut p.supplements,
                    _ => {
                        if !is_empty {
                            xml.skip_element()?;
                        }
                        continue;
                    }
                };
                if !is_empty {
                    read_dependencies(xml, list)?;
                }
            }
        }
    }
    if p.name.is_empty() || p.location.is_empty() || !has_checksum {
        return Err(xml.error("<package> lacks a name, location or checksum"));
    }
    Ok(p)
}

/// Reads `<rpm:entry>` elements up to the end of their container.
fn read_dependencies<R: BufRead>(
    xml: &mut XmlIn<'_, R>,
    list: &mut Vec<Dependency>,
) -> Result<(), Error> {
    loop {
        match xml.next()? {
            Event::Empty(tag) | Event::Start(tag) if tag.name().as_ref() == "rpm:entry" => {
                list.push(read_entry(xml, &tag)?);
            }
            Event::End(tag) if tag.name().as_ref() != "rpm:entry" => return Ok(()),
            Event::Eof => return Err(xml.error("unexpected end of file in a dependency list")),
            _ => {}
        }
    }
}

fn read_entry<R: BufRead>(xml: &XmlIn<'_, R>, tag: &BytesStart<'_>) -> Result<Dependency, Error> {
    let name = xml.required_attr(tag, "name")?;
    let flags = match xml.attr(tag, "flags")? {
        None => None,
        Some(f) => Some(
            Flag::from_repodata(&f)
                .ok_or_else(|| xml.error(format!("unknown dependency flags {f:?}")))?,
        ),
    };
    let version = xml.attr(tag, "ver")?;
    let evr = match (flags, version) {
        (Some(_), Some(version)) => Some(Evr {
            epoch: xml.number_attr(tag, "epoch", 0)?,
            version,
            release: xml.attr(tag, "rel")?.unwrap_or_default(),
        }),
        _ => None,
    };
    let pre = matches!(xml.attr(tag, "pre")?.as_deref(), Some("1" | "true"));
    Ok(Dependency {
        name,
        flags,
        evr,
        pre,
    })
}
