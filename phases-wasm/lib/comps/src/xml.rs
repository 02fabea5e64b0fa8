//! A small positioned element tree over quick-xml, shared by the comps parser here and
//! the variants XML parser in `pungi-config`: both want every element with its line and
//! column so that a validation error points at the exact spot in the file.

use std::fmt;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// One problem found in an XML document, located like a compiler diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct XmlError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What was wrong.
    pub message: String,
}

/// Every problem found in a document, so that one run reports them all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct XmlErrors(pub Vec<XmlError>);

impl fmt::Display for XmlErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// An element with the text directly inside it and where it starts in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Qualified tag name as written.
    pub name: String,
    /// Attributes in document order, values unescaped.
    pub attributes: Vec<(String, String)>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Concatenated character data directly inside this element (entities resolved).
    pub text: String,
    /// 1-based line of the `<` that opens the element.
    pub line: usize,
    /// 1-based column of the `<` that opens the element.
    pub column: usize,
}

impl Element {
    /// The value of attribute `name`, if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Children named `name`, in document order.
    pub fn children_named<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a Element> + use<'a, 'n> {
        self.children.iter().filter(move |child| child.name == name)
    }
}

/// Maps byte offsets to line and column, since quick-xml reports only offsets.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { text, starts }
    }

    fn locate(&self, offset: u64) -> (usize, usize) {
        let offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |prefix| prefix.chars().count());
        (line, column + 1)
    }

    fn error(&self, offset: u64, message: impl Into<String>) -> XmlError {
        let (line, column) = self.locate(offset);
        XmlError {
            line,
            column,
            message: message.into(),
        }
    }
}

/// How deep elements may nest. Comps and variants files nest a handful of levels; the
/// tree is walked and dropped recursively, so an unbounded depth could overflow the
/// stack.
pub const MAX_DEPTH: usize = 256;

/// Parses a whole document into its root element.
///
/// Well-formedness problems (mismatched tags, bad entities, text outside the root,
/// nesting deeper than [`MAX_DEPTH`]) come back as a single located error: after one
/// the rest of the tree is unknown.
pub fn parse_document(text: &str) -> Result<Element, XmlError> {
    let index = LineIndex::new(text);
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let start = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| index.error(reader.error_position(), format!("malformed XML: {e}")))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(index.error(start, "content after the root element"));
            }
            Event::Start(_) if stack.len() == MAX_DEPTH => {
                return Err(
                    index.error(start, format!("elements nested more than {MAX_DEPTH} deep"))
                );
            }
            Event::Start(tag) => stack.push(open(&tag, &index, start)?),
            Event::Empty(tag) => {
                let element = open(&tag, &index, start)?;
                close(element, &mut stack, &mut root);
            }
            Event::End(_) => {
                if let Some(element) = stack.pop() {
                    close(element, &mut stack, &mut root);
                }
            }
            Event::Text(text) => push_text(&mut stack, &text.xml10_content(), &index, start)?,
            Event::CData(data) => push_text(&mut stack, &data.xml10_content(), &index, start)?,
            Event::GeneralRef(reference) => {
                let resolved = resolve_reference(&reference)
                    .ok_or_else(|| index.error(start, "unknown or invalid entity reference"))?;
                push_text(&mut stack, &resolved, &index, start)?;
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        let (line, column) = (open.line, open.column);
        return Err(XmlError {
            line,
            column,
            message: format!("element <{}> is never closed", open.name),
        });
    }
    root.ok_or_else(|| index.error(text.len() as u64, "document has no root element"))
}

fn open(tag: &BytesStart<'_>, index: &LineIndex<'_>, start: u64) -> Result<Element, XmlError> {
    let name = tag.name().as_ref().to_owned();
    let mut attributes = Vec::new();
    for attribute in tag.attributes() {
        let attribute =
            attribute.map_err(|e| index.error(start, format!("bad attribute in <{name}>: {e}")))?;
        let key = attribute.key.as_ref().to_owned();
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| index.error(start, format!("bad value of attribute `{key}`: {e}")))?
            .into_owned();
        attributes.push((key, value));
    }
    let (line, column) = index.locate(start);
    Ok(Element {
        name,
        attributes,
        children: Vec::new(),
        text: String::new(),
        line,
        column,
    })
}

fn close(element: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn push_text(
    stack: &mut [Element],
    text: &str,
    index: &LineIndex<'_>,
    start: u64,
) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(element) => element.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => return Err(index.error(start, "text outside the root element")),
    }
    Ok(())
}

fn resolve_reference(reference: &quick_xml::events::BytesRef<'_>) -> Option<String> {
    if reference.is_char_ref() {
        return reference
            .resolve_char_ref()
            .ok()
            .flatten()
            .map(String::from);
    }
    let name = reference.xml10_content();
    quick_xml::escape::resolve_predefined_entity(&name).map(String::from)
}

/// Collects located errors while a caller walks a tree, so every problem is reported.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<XmlError>,
}

impl Checker {
    /// Records `message` at `element`'s position.
    pub fn error(&mut self, element: &Element, message: impl Into<String>) {
        self.errors.push(XmlError {
            line: element.line,
            column: element.column,
            message: message.into(),
        });
    }

    /// Reports attributes of `element` that are not in `allowed`.
    pub fn attributes(&mut self, element: &Element, allowed: &[&str]) {
        for (key, _) in &element.attributes {
            if !allowed.contains(&key.as_str()) {
                self.error(
                    element,
                    format!("unknown attribute `{key}` on <{}>", element.name),
                );
            }
        }
    }

    /// Reports children of `element` not in `allowed`, and stray text inside it.
    pub fn children(&mut self, element: &Element, allowed: &[&str]) {
        for child in &element.children {
            if !allowed.contains(&child.name.as_str()) {
                self.error(
                    child,
                    format!("unknown element <{}> inside <{}>", child.name, element.name),
                );
            }
        }
        if !element.text.trim().is_empty() {
            self.error(
                element,
                format!(
                    "unexpected text {:?} inside <{}>",
                    element.text.trim(),
                    element.name
                ),
            );
        }
    }

    /// A required attribute, reported when missing or empty.
    pub fn required(&mut self, element: &Element, name: &str) -> String {
        match element.attr(name) {
            Some(value) if !value.is_empty() => value.to_owned(),
            _ => {
                self.error(
                    element,
                    format!("<{}> is missing the `{name}` attribute", element.name),
                );
                String::new()
            }
        }
    }

    /// A `true`/`false` attribute; anything else is reported and read as absent.
    pub fn bool_attr(&mut self, element: &Element, name: &str) -> Option<bool> {
        let value = element.attr(name)?;
        self.parse_bool(element, value, &format!("attribute `{name}`"))
    }

    /// Text of a leaf element that must hold `true` or `false`.
    pub fn bool_text(&mut self, element: &Element) -> Option<bool> {
        let text = self.leaf_text(element);
        self.parse_bool(element, &text, &format!("<{}>", element.name))
    }

    fn parse_bool(&mut self, element: &Element, value: &str, what: &str) -> Option<bool> {
        match value {
            "true" => Some(true),
            "false" => Some(false),
            _ => {
                self.error(
                    element,
                    format!("{what} must be `true` or `false`, found {value:?}"),
                );
                None
            }
        }
    }

    /// Text of a leaf element; child elements, emptiness and surrounding whitespace
    /// are errors (Pungi rejects whitespace around names since it breaks matching).
    pub fn leaf_text(&mut self, element: &Element) -> String {
        if let Some(child) = element.children.first() {
            self.error(
                child,
                format!(
                    "unexpected element <{}> inside <{}>",
                    child.name, element.name
                ),
            );
        }
        let text = &element.text;
        if text.is_empty() {
            self.error(element, format!("<{}> is empty", element.name));
        } else if text.trim() != text {
            self.error(
                element,
                format!(
                    "<{}> has leading or trailing whitespace: {text:?}",
                    element.name
                ),
            );
        }
        text.trim().to_owned()
    }

    /// Text of an element holding prose (names, descriptions): may be empty, and
    /// surrounding whitespace is insignificant so it is trimmed.
    pub fn text(&mut self, element: &Element) -> String {
        if let Some(child) = element.children.first() {
            self.error(
                child,
                format!(
                    "unexpected element <{}> inside <{}>",
                    child.name, element.name
                ),
            );
        }
        element.text.trim().to_owned()
    }

    /// The one child named `name`: a second one is reported, and so is a missing one
    /// when `required`.
    pub fn single<'a>(
        &mut self,
        element: &'a Element,
        name: &str,
        required: bool,
    ) -> Option<&'a Element> {
        let mut found = element.children_named(name);
        let first = found.next();
        for extra in found {
            self.error(
                extra,
                format!("<{name}> given more than once in <{}>", element.name),
            );
        }
        if first.is_none() && required {
            self.error(element, format!("<{}> has no <{name}>", element.name));
        }
        first
    }

    /// Finishes the walk: `value` when nothing was reported, otherwise every error.
    pub fn finish<T>(mut self, value: T) -> Result<T, XmlErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            self.errors.sort_by_key(|e| (e.line, e.column));
            self.errors.dedup();
            Err(XmlErrors(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_DEPTH, parse_document};

    /// Found by fuzzing: 100,000 nested elements overflowed the stack.
    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let nested = |depth: usize| format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        assert!(parse_document(&nested(MAX_DEPTH)).is_ok());
        let error = parse_document(&nested(100_000)).unwrap_err();
        assert_eq!((error.line, error.column), (1, 3 * MAX_DEPTH + 1));
        assert!(
            error.message.contains("nested more than 256 deep"),
            "{error}"
        );
    }
}
