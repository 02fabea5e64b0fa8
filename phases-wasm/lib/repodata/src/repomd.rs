//! repomd.xml: the index naming each metadata file with its checksums and
//! sizes, which clients fetch first and trust for everything else.

use std::io::{self, BufRead, Write};

use quick_xml::events::{BytesStart, Event};
use serde::{Deserialize, Serialize};

use crate::checksum::Checksum;
use crate::error::Error;
use crate::xml::{self, XmlIn, XmlOut};

/// A parsed or written repomd.xml.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repomd {
    pub revision: String,
    pub records: Vec<RepomdRecord>,
}

/// One `<data type="...">` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepomdRecord {
    /// `primary`, `filelists`, `other`, `group`, `group_gz`, ...
    pub kind: String,
    /// Checksum of the file as stored (compressed).
    pub checksum: Checksum,
    /// Checksum of the uncompressed content, for compressed files.
    pub open_checksum: Option<Checksum>,
    /// Path relative to the repository root, e.g. `repodata/<sha>-primary.xml.gz`.
    pub location: String,
    pub timestamp: u64,
    pub size: u64,
    pub open_size: Option<u64>,
}

impl Repomd {
    /// The record of the given type, if any.
    pub fn record(&self, kind: &str) -> Option<&RepomdRecord> {
        self.records.iter().find(|r| r.kind == kind)
    }

    pub(crate) fn write<W: Write>(&self, inner: W) -> io::Result<W> {
        let mut out = XmlOut::new(inner);
        out.raw(xml::DECLARATION)?;
        out.start(
            0,
            "repomd",
            &[
                ("xmlns", "http://linux.duke.edu/metadata/repo"),
                ("xmlns:rpm", "http://linux.duke.edu/metadata/rpm"),
            ],
        )?;
        out.text(2, "revision", &[], &self.revision)?;
        for r in &self.records {
            out.start(2, "data", &[("type", &r.kind)])?;
            out.text(
                4,
                "checksum",
                &[("type", r.checksum.algorithm.as_str())],
                &r.checksum.hex,
            )?;
            if let Some(open) = &r.open_checksum {
                out.text(
                    4,
                    "open-checksum",
                    &[("type", open.algorithm.as_str())],
                    &open.hex,
                )?;
            }
            out.empty(4, "location", &[("href", &r.location)])?;
            out.text(4, "timestamp", &[], &r.timestamp.to_string())?;
            out.text(4, "size", &[], &r.size.to_string())?;
            if let Some(open_size) = r.open_size {
                out.text(4, "open-size", &[], &open_size.to_string())?;
            }
            out.end(2, "data")?;
        }
        out.end(0, "repomd")?;
        Ok(out.into_inner())
    }

    pub(crate) fn read<R: BufRead>(xml: &mut XmlIn<'_, R>) -> Result<Repomd, Error> {
        let mut repomd = Repomd::default();
        let mut seen_root = false;
        loop {
            match xml.next()? {
                Event::Start(tag) if tag.name().as_ref() == "repomd" => seen_root = true,
                Event::Start(tag) if tag.name().as_ref() == "revision" => {
                    repomd.revision = xml.text_until_end()?;
                }
                Event::Start(tag) if tag.name().as_ref() == "data" => {
                    repomd.records.push(read_record(xml, &tag)?);
                }
                Event::Eof if seen_root => return Ok(repomd),
                Event::Eof => return Err(xml.error("no <repomd> element")),
                _ => {}
            }
        }
    }
}

fn read_record<R: BufRead>(
    xml: &mut XmlIn<'_, R>,
    data: &BytesStart<'_>,
) -> Result<RepomdRecord, Error> {
    let mut r = RepomdRecord {
        kind: xml.required_attr(data, "type")?,
        ..RepomdRecord::default()
    };
    let (mut has_checksum, mut has_location) = (false, false);
    loop {
        let (tag, is_empty) = match xml.next()? {
            Event::Start(tag) => (tag, false),
            Event::Empty(tag) => (tag, true),
            Event::End(tag) if tag.name().as_ref() == "data" => break,
            Event::Eof => return Err(xml.error("unexpected end of file inside <data>")),
            _ => continue,
        };
        let name = tag.name().as_ref().to_owned();
        match name.as_str() {
            "location" => {
                r.location = xml.required_attr(&tag, "href")?;
                has_location = true;
                if !is_empty {
                    xml.skip_element()?;
                }
            }
            _ if is_empty => {}
            "checksum" => {
                r.checksum = read_checksum(xml, &tag)?;
                has_checksum = true;
            }
            "open-checksum" => r.open_checksum = Some(read_checksum(xml, &tag)?),
            "timestamp" => r.timestamp = read_number(xml, "timestamp")?,
            "size" => r.size = read_number(xml, "size")?,
            "open-size" => r.open_size = Some(read_number(xml, "open-size")?),
            _ => xml.skip_element()?,
        }
    }
    if !has_checksum || !has_location {
        return Err(xml.error(format!(
            "<data type={:?}> lacks a checksum or location",
            r.kind
        )));
    }
    Ok(r)
}

fn read_checksum<R: BufRead>(
    xml: &mut XmlIn<'_, R>,
    tag: &BytesStart<'_>,
) -> Result<Checksum, Error> {
    let kind = xml.required_attr(tag, "type")?;
    let algorithm = kind.parse().map_err(|e| xml.error(format!("{e}")))?;
    Ok(Checksum {
        algorithm,
        hex: xml.text_until_end()?.trim().to_ascii_lowercase(),
    })
}

fn read_number<R: BufRead>(xml: &mut XmlIn<'_, R>, what: &str) -> Result<u64, Error> {
    let text = xml.text_until_end()?;
    text.trim()
        .parse()
        .map_err(|_| xml.error(format!("<{what}> {text:?} is not a number")))
}
