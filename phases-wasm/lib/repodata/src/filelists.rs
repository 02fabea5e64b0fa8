//! filelists.xml: every path of every package, for file dependencies that
//! primary.xml's short list does not cover.

use std::io::{self, BufRead, Write};

use quick_xml::events::Event;

use crate::error::Error;
use crate::package::{FileEntry, Package};
use crate::primary;
use crate::xml::{self, XmlIn, XmlOut};

/// The document's `type` in repomd.xml and its file-name stem.
pub(crate) const KIND: &str = "filelists";

pub(crate) fn write_head<W: Write>(out: &mut XmlOut<W>, count: usize) -> io::Result<()> {
    out.raw(xml::DECLARATION)?;
    out.raw(&format!(
        "<filelists xmlns=\"http://linux.duke.edu/metadata/filelists\" packages=\"{count}\">\n"
    ))
}

pub(crate) fn write_tail<W: Write>(out: &mut XmlOut<W>) -> io::Result<()> {
    out.raw("</filelists>")
}

pub(crate) fn write_package<W: Write>(out: &mut XmlOut<W>, p: &Package) -> io::Result<()> {
    xml::start_package_ref(out, p)?;
    for file in &p.files {
        primary::write_file(out, 2, file)?;
    }
    out.end(0, "package")
}

/// Reads every package's file list, calling `found(pkgid, files)` for each.
pub(crate) fn read<R: BufRead>(
    xml: &mut XmlIn<'_, R>,
    mut found: impl FnMut(&str, Vec<FileEntry>),
) -> Result<(), Error> {
    loop {
        match xml.next()? {
            Event::Start(tag) if tag.name().as_ref() == "package" => {
                let pkgid = xml.required_attr(&tag, "pkgid")?;
                let mut files = Vec::new();
                loop {
                    match xml.next()? {
                        Event::Start(tag) if tag.name().as_ref() == "file" => {
                            files.push(primary::read_file(xml, &tag, false)?);
                        }
                        Event::Empty(tag) if tag.name().as_ref() == "file" => {
                            files.push(primary::read_file(xml, &tag, true)?);
                        }
                        Event::End(tag) if tag.name().as_ref() == "package" => break,
                        Event::Eof => {
                            return Err(xml.error("unexpected end of file inside <package>"));
                        }
                        _ => {}
                    }
                }
                found(&pkgid, files);
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}
