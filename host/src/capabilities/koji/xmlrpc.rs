//! XML-RPC as Koji speaks it: the standard types plus Koji's extensions (`<nil/>`,
//! `<i8>` for integers beyond 32 bits, `ex:`-prefixed forms), method calls, responses and
//! faults. Shared by the host's client and the test hub, so both ends agree byte for byte.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;
use quick_xml::events::Event;

/// One XML-RPC value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    Double(f64),
    String(String),
    /// `dateTime.iso8601`, kept as the text Koji sent (e.g. `20261123T10:00:00`).
    DateTime(String),
    Base64(Vec<u8>),
    Array(Vec<Value>),
    Struct(BTreeMap<String, Value>),
}

/// A fault response: Koji's typed error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub code: i32,
    pub message: String,
}

/// A malformed document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed XML-RPC: {0}")]
pub struct ParseError(pub String);

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A struct from `(name, value)` pairs.
    pub fn record<const N: usize>(fields: [(&str, Value); N]) -> Value {
        Value::Struct(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    pub fn opt_int(v: Option<i64>) -> Value {
        v.map(Value::Int).unwrap_or(Value::Nil)
    }

    pub fn opt_str(v: Option<&str>) -> Value {
        v.map(Value::str).unwrap_or(Value::Nil)
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Int(i) => Some(*i != 0),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_struct(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// A struct member; `Nil` when absent or not a struct.
    pub fn get(&self, key: &str) -> &Value {
        static NIL: Value = Value::Nil;
        self.as_struct().and_then(|s| s.get(key)).unwrap_or(&NIL)
    }

    fn write(&self, out: &mut String) {
        out.push_str("<value>");
        match self {
            Value::Nil => out.push_str("<nil/>"),
            Value::Bool(b) => {
                let _ = write!(out, "<boolean>{}</boolean>", u8::from(*b));
            }
            Value::Int(i) if i32::try_from(*i).is_ok() => {
                let _ = write!(out, "<int>{i}</int>");
            }
            Value::Int(i) => {
                let _ = write!(out, "<i8>{i}</i8>");
            }
            Value::Double(d) => {
                let _ = write!(out, "<double>{d:?}</double>");
            }
            Value::String(s) => {
                out.push_str("<string>");
                out.push_str(&quick_xml::escape::escape(s));
                out.push_str("</string>");
            }
            Value::DateTime(s) => {
                let _ = write!(out, "<dateTime.iso8601>{s}</dateTime.iso8601>");
            }
            Value::Base64(b) => {
                let _ = write!(
                    out,
                    "<base64>{}</base64>",
                    base64::engine::general_purpose::STANDARD.encode(b)
                );
            }
            Value::Array(items) => {
                out.push_str("<array><data>");
                for item in items {
                    item.write(out);
                }
                out.push_str("</data></array>");
            }
            Value::Struct(members) => {
                out.push_str("<struct>");
                for (name, value) in members {
                    out.push_str("<member><name>");
                    out.push_str(&quick_xml::escape::escape(name));
                    out.push_str("</name>");
                    value.write(out);
                    out.push_str("</member>");
                }
                out.push_str("</struct>");
            }
        }
        out.push_str("</value>");
    }
}

const PROLOGUE: &str = "<?xml version='1.0'?>\n";

/// A `methodCall` document.
pub fn encode_call(method: &str, params: &[Value]) -> String {
    let mut out = String::from(PROLOGUE);
    out.push_str("<methodCall><methodName>");
    out.push_str(&quick_xml::escape::escape(method));
    out.push_str("</methodName><params>");
    for param in params {
        out.push_str("<param>");
        param.write(&mut out);
        out.push_str("</param>");
    }
    out.push_str("</params></methodCall>\n");
    out
}

/// A `methodResponse` with one value or a fault.
pub fn encode_response(result: &Result<Value, Fault>) -> String {
    let mut out = String::from(PROLOGUE);
    out.push_str("<methodResponse>");
    match result {
        Ok(value) => {
            out.push_str("<params><param>");
            value.write(&mut out);
            out.push_str("</param></params>");
        }
        Err(fault) => {
            out.push_str("<fault>");
            fault_value(fault).write(&mut out);
            out.push_str("</fault>");
        }
    }
    out.push_str("</methodResponse>\n");
    out
}

/// A fault as the struct XML-RPC (and multicall results) carry it.
pub fn fault_value(fault: &Fault) -> Value {
    Value::record([
        ("faultCode", Value::Int(fault.code.into())),
        ("faultString", Value::str(fault.message.clone())),
    ])
}

/// The fault a struct describes, if it is one.
pub fn as_fault(value: &Value) -> Option<Fault> {
    let code = value.get("faultCode").as_i64()?;
    Some(Fault {
        code: i32::try_from(code).unwrap_or(i32::MIN),
        message: value
            .get("faultString")
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    })
}

/// A parsed `methodCall`: its name and parameters.
pub fn decode_call(xml: &str) -> Result<(String, Vec<Value>), ParseError> {
    let root = Node::parse(xml)?;
    root.expect("methodCall")?;
    let name = root.child("methodName")?.text.trim().to_owned();
    let params = match root.children.iter().find(|c| c.name == "params") {
        Some(params) => params
            .children
            .iter()
            .map(|p| p.child("value").and_then(Node::value))
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    Ok((name, params))
}

/// A parsed `methodResponse`: its value, or the fault it carries.
pub fn decode_response(xml: &str) -> Result<Result<Value, Fault>, ParseError> {
    let root = Node::parse(xml)?;
    root.expect("methodResponse")?;
    if let Some(fault) = root.children.iter().find(|c| c.name == "fault") {
        let value = fault.child("value")?.value()?;
        return as_fault(&value)
            .map(Err)
            .ok_or_else(|| ParseError("a fault without faultCode".into()));
    }
    let value = root
        .child("params")?
        .child("param")?
        .child("value")?
        .value()?;
    Ok(Ok(value))
}

/// How deep elements may nest. Koji's answers nest a few levels per value; the tree is
/// decoded and dropped recursively, so a hub answering with an unbounded depth could
/// overflow the host's stack.
const MAX_DEPTH: usize = 256;

/// A minimal element tree; XML-RPC has no mixed content worth keeping.
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn parse(xml: &str) -> Result<Node, ParseError> {
        let mut reader = quick_xml::Reader::from_str(xml);
        let err = |e: &dyn std::fmt::Display| ParseError(e.to_string());
        let mut stack: Vec<Node> = vec![Node::new("#document")];
        loop {
            match reader.read_event().map_err(|e| err(&e))? {
                Event::Start(_) if stack.len() > MAX_DEPTH => {
                    return Err(ParseError(format!(
                        "elements nested more than {MAX_DEPTH} deep"
                    )));
                }
                Event::Start(tag) => stack.push(Node::new(tag.name().as_ref())),
                Event::Empty(tag) => {
                    let node = Node::new(tag.name().as_ref());
                    stack.last_mut().expect("root").children.push(node);
                }
                Event::End(_) => {
                    let node = stack.pop().expect("balanced by quick-xml");
                    stack
                        .last_mut()
                        .ok_or_else(|| ParseError("unbalanced end tag".into()))?
                        .children
                        .push(node);
                }
                Event::Text(t) => {
                    let text = t.xml10_content();
                    stack.last_mut().expect("root").text.push_str(&text);
                }
                Event::CData(t) => {
                    let text = t.xml10_content();
                    stack.last_mut().expect("root").text.push_str(&text);
                }
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref().map_err(|e| err(&e))? {
                        Some(c) => c.to_string(),
                        None => quick_xml::escape::resolve_predefined_entity(&r)
                            .ok_or_else(|| ParseError(format!("unknown entity &{};", &*r)))?
                            .to_owned(),
                    };
                    stack.last_mut().expect("root").text.push_str(&resolved);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        let mut document = stack
            .pop()
            .filter(|_| stack.is_empty())
            .ok_or_else(|| ParseError("the document ends inside an element (truncated?)".into()))?;
        document
            .children
            .pop()
            .ok_or_else(|| ParseError("empty document".into()))
    }

    fn new(name: &str) -> Node {
        Node {
            name: name.to_owned(),
            text: String::new(),
            children: Vec::new(),
        }
    }

    fn expect(&self, name: &str) -> Result<(), ParseError> {
        if self.name == name {
            Ok(())
        } else {
            Err(ParseError(format!(
                "<{name}> expected, found <{}>",
                self.name
            )))
        }
    }

    fn child(&self, name: &str) -> Result<&Node, ParseError> {
        self.children
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| ParseError(format!("<{}> has no <{name}>", self.name)))
    }

    /// The value of a `<value>` element.
    fn value(&self) -> Result<Value, ParseError> {
        let Some(typed) = self.children.first() else {
            return Ok(Value::String(self.text.clone()));
        };
        let text = typed.text.trim();
        let bad = |what: &str| ParseError(format!("bad {what}: {text:?}"));
        let name = typed.name.strip_prefix("ex:").unwrap_or(&typed.name);
        Ok(match name {
            "nil" => Value::Nil,
            "boolean" => Value::Bool(match text {
                "1" => true,
                "0" => false,
                _ => return Err(bad("boolean")),
            }),
            "int" | "i4" | "i8" | "i1" | "i2" => {
                Value::Int(text.parse().map_err(|_| bad("integer (beyond 64 bits?)"))?)
            }
            "double" | "float" => Value::Double(text.parse().map_err(|_| bad("double"))?),
            "string" => Value::String(typed.text.clone()),
            "dateTime.iso8601" => Value::DateTime(text.to_owned()),
            "base64" => {
                let compact: String = text.split_whitespace().collect();
                Value::Base64(
                    base64::engine::general_purpose::STANDARD
                        .decode(compact)
                        .map_err(|_| bad("base64"))?,
                )
            }
            "array" => Value::Array(
                typed
                    .child("data")?
                    .children
                    .iter()
                    .map(Node::value)
                    .collect::<Result<_, _>>()?,
            ),
            "struct" => Value::Struct(
                typed
                    .children
                    .iter()
                    .map(|m| {
                        let name = m.child("name")?.text.clone();
                        Ok((name, m.child("value")?.value()?))
                    })
                    .collect::<Result<_, ParseError>>()?,
            ),
            other => return Err(ParseError(format!("unknown type <{other}>"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing: 200,000 nested arrays overflowed the stack.
    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let nested = |depth: usize| {
            format!(
                "<methodResponse><params><param><value>{}<int>1</int>{}</value></param>\
                 </params></methodResponse>",
                "<array><data><value>".repeat(depth),
                "</value></data></array>".repeat(depth)
            )
        };
        assert!(decode_response(&nested(80)).is_ok());
        let error = decode_response(&nested(200_000)).unwrap_err();
        assert!(error.0.contains("nested more than 256 deep"), "{error}");
    }

    #[test]
    fn round_trips_koji_extensions() {
        let value = Value::Array(vec![
            Value::Nil,
            Value::Int(7),
            Value::Int(1 << 40),
            Value::Bool(true),
            Value::Double(1.5),
            Value::str("a < b & c"),
            Value::DateTime("20261123T10:00:00".into()),
            Value::Base64(b"\0rpm".to_vec()),
            Value::record([("k", Value::Nil)]),
        ]);
        let xml = encode_call("listTagged", std::slice::from_ref(&value));
        assert!(xml.contains("<i8>1099511627776</i8>") && xml.contains("<nil/>"));
        let (name, params) = decode_call(&xml).unwrap();
        assert_eq!((name.as_str(), params), ("listTagged", vec![value]));
    }

    #[test]
    fn reads_faults_untyped_strings_and_ex_prefixes() {
        let fault = Fault {
            code: 1000,
            message: "No such tag".into(),
        };
        let xml = encode_response(&Err(fault.clone()));
        assert_eq!(decode_response(&xml).unwrap(), Err(fault));
        let xml = "<methodResponse><params><param><value><array><data><value>plain</value>\
                   <value><ex:i8>5000000000</ex:i8></value><value><ex:nil/></value></data></array>\
                   </value></param></params></methodResponse>";
        assert_eq!(
            decode_response(xml).unwrap().unwrap(),
            Value::Array(vec![
                Value::str("plain"),
                Value::Int(5_000_000_000),
                Value::Nil
            ])
        );
    }

    #[test]
    fn truncated_documents_are_errors() {
        let xml = encode_response(&Ok(Value::str("x")));
        assert!(decode_response(&xml[..xml.len() / 2]).is_err());
    }
}
