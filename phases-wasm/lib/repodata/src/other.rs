//! other.xml: changelogs, which dnf shows but never resolves against.

use std::io::{self, BufRead, Write};

use quick_xml::events::Event;

use crate::error::Error;
use crate::package::{Changelog, Package};
use crate::xml::{self, XmlIn, XmlOut};

/// The document's `type` in repomd.xml and its file-name stem.
pub(crate) const KIND: &str = "other";

pub(crate) fn write_head<W: Write>(out: &mut XmlOut<W>, count: usize) -> io::Result<()> {
    out.raw(xml::DECLARATION)?;
    out.raw(&format!(
        "<otherdata xmlns=\"http://linux.duke.edu/metadata/other\" packages=\"{count}\">\n"
    ))
}

pub(crate) fn write_tail<W: Write>(out: &mut XmlOut<W>) -> io::Result<()> {
    out.raw("</otherdata>")
}

/// Writes the package's `limit` newest changelog entries, oldest first, with
/// createrepo_c's dates (see [`createrepo_dates`]).
pub(crate) fn write_package<W: Write>(
    out: &mut XmlOut<W>,
    p: &Package,
    limit: Option<usize>,
) -> io::Result<()> {
    xml::start_package_ref(out, p)?;
    let kept = &p.changelogs[..limit.unwrap_or(usize::MAX).min(p.changelogs.len())];
    let dates = createrepo_dates(kept);
    for (entry, date) in kept.iter().zip(&dates).rev() {
        let date = date.to_string();
        out.text(
            2,
            "changelog",
            &[("author", &entry.author), ("date", &date)],
            &entry.text,
        )?;
    }
    out.end(0, "package")
}

/// createrepo_c's changelog dates: entries are visited newest first, and when
/// an entry has the same time as the previous one visited, the newer entries
/// sharing that time are moved one second later each, so dates stay distinct.
fn createrepo_dates(newest_first: &[Changelog]) -> Vec<u64> {
    let mut dates: Vec<u64> = Vec::with_capacity(newest_first.len());
    let mut last_time = 0;
    for entry in newest_first {
        let time = entry.time;
        if last_time == time {
            for (bumped, newer) in (time..).zip(dates.iter_mut().rev()) {
                if *newer != bumped {
                    break;
                }
                *newer += 1;
            }
        } else {
            last_time = time;
        }
        dates.push(time);
    }
    dates
}

/// Reads every package's changelog, calling `found(pkgid, entries)` with the
/// entries newest first.
pub(crate) fn read<R: BufRead>(
    xml: &mut XmlIn<'_, R>,
    mut found: impl FnMut(&str, Vec<Changelog>),
) -> Result<(), Error> {
    loop {
        match xml.next()? {
            Event::Start(tag) if tag.name().as_ref() == "package" => {
                let pkgid = xml.required_attr(&tag, "pkgid")?;
                let mut entries = Vec::new();
                loop {
                    match xml.next()? {
                        Event::Start(tag) if tag.name().as_ref() == "changelog" => {
                            let author = xml.attr(&tag, "author")?.unwrap_or_default();
                            let time = xml.number_attr(&tag, "date", 0)?;
                            let text = xml.text_until_end()?;
                            entries.push(Changelog { author, time, text });
                        }
                        Event::End(tag) if tag.name().as_ref() == "package" => break,
                        Event::Eof => {
                            return Err(xml.error("unexpected end of file inside <package>"));
                        }
                        _ => {}
                    }
                }
                entries.reverse();
                found(&pkgid, entries);
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(times: &[u64]) -> Vec<Changelog> {
        times
            .iter()
            .map(|&time| Changelog {
                author: String::new(),
                time,
                text: String::new(),
            })
            .collect()
    }

    #[test]
    fn equal_dates_are_spread_like_createrepo() {
        assert_eq!(
            createrepo_dates(&entries(&[300, 200, 100])),
            [300, 200, 100]
        );
        assert_eq!(createrepo_dates(&entries(&[100, 100])), [101, 100]);
        assert_eq!(
            createrepo_dates(&entries(&[100, 100, 100])),
            [102, 101, 100]
        );
        assert_eq!(
            createrepo_dates(&entries(&[200, 100, 100])),
            [200, 101, 100]
        );
    }
}
