//! JSON written as Python's `json.dump(value, f, sort_keys=True, indent=4)` writes it
//! (what `pungi-config-dump` prints and `pungi-koji` keeps in `config-dump.global.log`),
//! so the files compare byte for byte: keys sorted, four-space indent, `": "` and `","`
//! separators, and every non-ASCII character escaped (`ensure_ascii`).

use std::io;

use serde::Serialize as _;
use serde_json::ser::{Formatter, PrettyFormatter};

/// Python's form of `value`, without a trailing newline (as `json.dump` writes it).
pub fn to_string(value: &serde_json::Value) -> String {
    let sorted = sort_keys(value);
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(
        &mut out,
        AsciiFormatter(PrettyFormatter::with_indent(b"    ")),
    );
    sorted
        .serialize(&mut serializer)
        .expect("a JSON value serializes into memory");
    String::from_utf8(out).expect("the output is ASCII")
}

/// `value` with every object's keys in order, whatever map serde_json was built with.
fn sort_keys(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sort_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

/// The pretty formatter, with non-ASCII characters written as `\uXXXX` (UTF-16 units).
struct AsciiFormatter<'a>(PrettyFormatter<'a>);

impl Formatter for AsciiFormatter<'_> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for c in fragment.chars() {
            if c.is_ascii() {
                writer.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_python_writes_it() {
        let value = serde_json::json!({"b": [1, {"z": null, "a": "é𝄞"}], "a": {}, "c": []});
        assert_eq!(
            to_string(&value),
            "{\n    \"a\": {},\n    \"b\": [\n        1,\n        {\n            \"a\": \"\\u00e9\\ud834\\udd1e\",\n            \"z\": null\n        }\n    ],\n    \"c\": []\n}"
        );
    }
}
