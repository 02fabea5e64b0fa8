//! The XML plumbing shared by the metadata documents: a writer that lays
//! elements out and escapes exactly as createrepo_c (libxml2) does, so our
//! uncompressed metadata is byte-identical to theirs, and reading helpers
//! that keep line numbers for error messages.

use std::borrow::Cow;
use std::io::{self, BufRead, Read, Write};
use std::path::Path;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesEnd, BytesRef, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use quick_xml::{Reader, Writer, XmlVersion};

use crate::error::Error;
use crate::package::Package;

/// The XML declaration createrepo_c starts every document with.
pub(crate) const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Streams one metadata document. Every element sits on its own line,
/// indented by `indent` spaces, like libxml2's formatted output.
pub(crate) struct XmlOut<W: Write> {
    writer: Writer<W>,
}

impl<W: Write> XmlOut<W> {
    pub(crate) fn new(inner: W) -> Self {
        XmlOut {
            writer: Writer::new(inner),
        }
    }

    pub(crate) fn into_inner(self) -> W {
        self.writer.into_inner()
    }

    /// Writes markup or whitespace verbatim.
    pub(crate) fn raw(&mut self, s: &str) -> io::Result<()> {
        self.writer
            .write_event(Event::Text(BytesText::from_escaped(s)))
    }

    fn indent(&mut self, indent: usize) -> io::Result<()> {
        const SPACES: &str = "        ";
        self.raw(&SPACES[..indent.min(SPACES.len())])
    }

    fn tag<'a>(name: &'a str, attrs: &[(&'a str, &'a str)]) -> BytesStart<'a> {
        let mut tag = BytesStart::new(name);
        for &(key, value) in attrs {
            tag.push_attribute(Attribute {
                key: QName(key),
                value: escape_attr(value),
            });
        }
        tag
    }

    /// `<name attrs>` and a newline.
    pub(crate) fn start(
        &mut self,
        indent: usize,
        name: &str,
        attrs: &[(&str, &str)],
    ) -> io::Result<()> {
        self.indent(indent)?;
        self.writer
            .write_event(Event::Start(Self::tag(name, attrs)))?;
        self.raw("\n")
    }

    /// `</name>` and a newline.
    pub(crate) fn end(&mut self, indent: usize, name: &str) -> io::Result<()> {
        self.indent(indent)?;
        self.writer.write_event(Event::End(BytesEnd::new(name)))?;
        self.raw("\n")
    }

    /// `<name attrs/>` and a newline.
    pub(crate) fn empty(
        &mut self,
        indent: usize,
        name: &str,
        attrs: &[(&str, &str)],
    ) -> io::Result<()> {
        self.indent(indent)?;
        self.writer
            .write_event(Event::Empty(Self::tag(name, attrs)))?;
        self.raw("\n")
    }

    /// `<name attrs>text</name>` and a newline; empty text still gets both tags.
    pub(crate) fn text(
        &mut self,
        indent: usize,
        name: &str,
        attrs: &[(&str, &str)],
        text: &str,
    ) -> io::Result<()> {
        self.indent(indent)?;
        self.writer
            .write_event(Event::Start(Self::tag(name, attrs)))?;
        self.writer
            .write_event(Event::Text(BytesText::from_escaped(escape_text(text))))?;
        self.writer.write_event(Event::End(BytesEnd::new(name)))?;
        self.raw("\n")
    }
}

/// `<version epoch ver rel/>`, as all three documents spell a package's EVR.
pub(crate) fn write_version<W: Write>(out: &mut XmlOut<W>, p: &Package) -> io::Result<()> {
    let epoch = p.epoch.to_string();
    out.empty(
        2,
        "version",
        &[("epoch", &epoch), ("ver", &p.version), ("rel", &p.release)],
    )
}

/// How filelists.xml and other.xml open a package: by pkgid, name and arch.
pub(crate) fn start_package_ref<W: Write>(out: &mut XmlOut<W>, p: &Package) -> io::Result<()> {
    out.start(
        0,
        "package",
        &[
            ("pkgid", &p.checksum.hex),
            ("name", &p.name),
            ("arch", &p.arch),
        ],
    )?;
    write_version(out, p)
}

/// Reads `<version epoch ver rel>` into the package.
pub(crate) fn read_version<R: BufRead>(
    xml: &XmlIn<'_, R>,
    tag: &BytesStart<'_>,
    p: &mut Package,
) -> Result<(), Error> {
    p.epoch = xml.number_attr(tag, "epoch", 0)?;
    p.version = xml.required_attr(tag, "ver")?;
    p.release = xml.attr(tag, "rel")?.unwrap_or_default();
    Ok(())
}

/// Characters XML 1.0 cannot carry at all; createrepo_c drops them too.
fn is_forbidden(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Text content as libxml2 escapes it: `& < >` and carriage return.
pub(crate) fn escape_text(s: &str) -> Cow<'_, str> {
    escape(s, |c| match c {
        '&' => Some(Cow::Borrowed("&amp;")),
        '<' => Some(Cow::Borrowed("&lt;")),
        '>' => Some(Cow::Borrowed("&gt;")),
        '\r' => Some(Cow::Borrowed("&#13;")),
        _ => None,
    })
}

/// Attribute values as libxml2 escapes them when no document encoding is
/// set (createrepo_c's case): markup characters, whitespace other than
/// space, and every non-ASCII character as a hexadecimal character reference.
pub(crate) fn escape_attr(s: &str) -> Cow<'_, str> {
    escape(s, |c| match c {
        '&' => Some(Cow::Borrowed("&amp;")),
        '<' => Some(Cow::Borrowed("&lt;")),
        '>' => Some(Cow::Borrowed("&gt;")),
        '"' => Some(Cow::Borrowed("&quot;")),
        '\n' => Some(Cow::Borrowed("&#10;")),
        '\r' => Some(Cow::Borrowed("&#13;")),
        '\t' => Some(Cow::Borrowed("&#9;")),
        c if !c.is_ascii() => Some(Cow::Owned(format!("&#x{:X};", u32::from(c)))),
        _ => None,
    })
}

fn escape<'a>(s: &'a str, replace: impl Fn(char) -> Option<Cow<'static, str>>) -> Cow<'a, str> {
    let needs = |c: char| is_forbidden(c) || replace(c).is_some();
    let Some(first) = s.find(needs) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if is_forbidden(c) {
            continue;
        }
        match replace(c) {
            Some(r) => out.push_str(&r),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A `BufRead` adapter counting the lines consumed, so parse errors can say
/// where they happened even though the document is streamed.
pub(crate) struct LineCounter<R> {
    inner: R,
    line: u64,
}

impl<R: BufRead> LineCounter<R> {
    pub(crate) fn new(inner: R) -> Self {
        LineCounter { inner, line: 1 }
    }
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.line += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let amt = amt.min(buf.len());
            self.line += buf[..amt].iter().filter(|&&b| b == b'\n').count() as u64;
        }
        self.inner.consume(amt);
    }
}

/// A streaming reader over one metadata document that turns every problem
/// into an [`Error::Xml`] naming the file and line.
pub(crate) struct XmlIn<'p, R: BufRead> {
    reader: Reader<LineCounter<R>>,
    path: &'p Path,
    pub(crate) buf: Vec<u8>,
}

impl<'p, R: BufRead> XmlIn<'p, R> {
    pub(crate) fn new(inner: R, path: &'p Path) -> Self {
        XmlIn {
            reader: Reader::from_reader(LineCounter::new(inner)),
            path,
            buf: Vec::with_capacity(4096),
        }
    }

    /// Gives back the underlying reader (positioned wherever parsing stopped).
    pub(crate) fn into_inner(self) -> R {
        self.reader.into_inner().inner
    }

    /// An error at the current position.
    pub(crate) fn error(&self, message: impl Into<String>) -> Error {
        Error::Xml {
            path: self.path.to_owned(),
            line: self.reader.get_ref().line,
            message: message.into(),
        }
    }

    /// The next event, owned so the caller may keep reading.
    pub(crate) fn next(&mut self) -> Result<Event<'static>, Error> {
        self.buf.clear();
        match self.reader.read_event_into(&mut self.buf) {
            Ok(event) => Ok(event.into_owned()),
            Err(e) => Err(self.error(e.to_string())),
        }
    }

    /// The text up to the end tag of the element just opened, with entity
    /// and character references resolved.
    pub(crate) fn text_until_end(&mut self) -> Result<String, Error> {
        let mut text = String::new();
        loop {
            match self.next()? {
                Event::Text(t) => text.push_str(&t.xml10_content()),
                Event::CData(t) => text.push_str(&t.xml10_content()),
                Event::GeneralRef(r) => self.push_reference(&mut text, &r)?,
                Event::End(_) => return Ok(text),
                Event::Eof => return Err(self.error("unexpected end of file inside an element")),
                Event::Comment(_) | Event::PI(_) => {}
                other => {
                    return Err(self.error(format!("unexpected markup inside text: {other:?}")));
                }
            }
        }
    }

    fn push_reference(&self, text: &mut String, r: &BytesRef<'_>) -> Result<(), Error> {
        match r.resolve_char_ref() {
            Ok(Some(c)) => text.push(c),
            Ok(None) => match quick_xml::escape::resolve_predefined_entity(r) {
                Some(s) => text.push_str(s),
                None => return Err(self.error(format!("unknown entity &{};", &**r))),
            },
            Err(e) => return Err(self.error(e.to_string())),
        }
        Ok(())
    }

    /// The attribute `key` of `tag`, unescaped, if present.
    pub(crate) fn attr(&self, tag: &BytesStart<'_>, key: &str) -> Result<Option<String>, Error> {
        for attr in tag.attributes() {
            let attr = attr.map_err(|e| self.error(e.to_string()))?;
            if attr.key.as_ref() == key {
                let value = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| self.error(e.to_string()))?;
                return Ok(Some(value.into_owned()));
            }
        }
        Ok(None)
    }

    /// Like [`XmlIn::attr`], but missing is an error.
    pub(crate) fn required_attr(&self, tag: &BytesStart<'_>, key: &str) -> Result<String, Error> {
        self.attr(tag, key)?
            .ok_or_else(|| self.error(format!("<{}> lacks the {key:?} attribute", tag_name(tag))))
    }

    /// A numeric attribute; missing means `default`.
    pub(crate) fn number_attr<T: std::str::FromStr>(
        &self,
        tag: &BytesStart<'_>,
        key: &str,
        default: T,
    ) -> Result<T, Error> {
        match self.attr(tag, key)? {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| {
                self.error(format!("<{}> {key}={v:?} is not a number", tag_name(tag)))
            }),
        }
    }

    /// Skips the rest of the element just opened (and everything inside it).
    pub(crate) fn skip_element(&mut self) -> Result<(), Error> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth -= 1,
                Event::Eof => return Err(self.error("unexpected end of file")),
                _ => {}
            }
        }
        Ok(())
    }
}

/// The tag's qualified name, e.g. `rpm:entry`, for messages.
fn tag_name(tag: &BytesStart<'_>) -> String {
    tag.name().as_ref().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_libxml2() {
        assert_eq!(
            escape_text("a <b> & \"c\" 'd'\r\t\u{1}é"),
            "a &lt;b&gt; &amp; \"c\" 'd'&#13;\té"
        );
        assert_eq!(
            escape_attr("Zoë \"Z\" <z@x>\n\t"),
            "Zo&#xEB; &quot;Z&quot; &lt;z@x&gt;&#10;&#9;"
        );
        assert!(matches!(escape_text("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn reads_back_what_it_writes() {
        let mut out = XmlOut::new(Vec::new());
        let odd = "Zoë \"Z\" <z@x>\n\tend & 'more'";
        out.text(0, "e", &[("a", odd)], odd).unwrap();
        let bytes = out.into_inner();
        let path = Path::new("t.xml");
        let mut input = XmlIn::new(bytes.as_slice(), path);
        let Event::Start(tag) = input.next().unwrap() else {
            panic!("expected a start tag")
        };
        assert_eq!(input.attr(&tag, "a").unwrap().as_deref(), Some(odd));
        assert_eq!(input.text_until_end().unwrap(), odd);
    }
}
