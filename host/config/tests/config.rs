//! Loading realistic configs: literal forms, includes, name references, `+` and `%`.

use std::path::{Path, PathBuf};

use pungi_config::{Value, load, parse_str};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn s(text: &str) -> Value {
    Value::Str(text.to_owned())
}

fn one(source: &str) -> Value {
    let options = parse_str(&format!("x = {source}\n"), Path::new("inline.conf"))
        .unwrap_or_else(|e| panic!("{source}: {e}"));
    options["x"].clone()
}

#[test]
fn string_literal_forms() {
    assert_eq!(one("'single'"), s("single"));
    assert_eq!(one("\"double\""), s("double"));
    assert_eq!(one("'''tri\nple'''"), s("tri\nple"));
    assert_eq!(one("\"\"\"it's \"quoted\" \"\"\""), s("it's \"quoted\" "));
    assert_eq!(one(r"r'^\d+\.x$'"), s(r"^\d+\.x$"));
    assert_eq!(one(r"R'a\'b'"), s(r"a\'b"));
    assert_eq!(one(r"u'unicode'"), s("unicode"));
    assert_eq!(
        one(r"'tab\there\nnew \\ \' \x41\u00e9\U0001F600\101'"),
        s("tab\there\nnew \\ ' Aé😀A")
    );
    assert_eq!(one(r"'unknown \d stays'"), s(r"unknown \d stays"));
    assert_eq!(one("'joined' \"by\" 'adjacency'"), s("joinedbyadjacency"));
    assert_eq!(one("('across'\n 'lines')"), s("acrosslines"));
    assert_eq!(one("'line \\\ncontinued'"), s("line continued"));
}

#[test]
fn numbers_and_constants() {
    assert_eq!(one("42"), Value::Int(42));
    assert_eq!(one("-7"), Value::Int(-7));
    assert_eq!(one("0x1F"), Value::Int(31));
    assert_eq!(one("0o17"), Value::Int(15));
    assert_eq!(one("0b101"), Value::Int(5));
    assert_eq!(one("1_000_000"), Value::Int(1_000_000));
    assert_eq!(one("0"), Value::Int(0));
    assert_eq!(one("2.5"), Value::Float(2.5));
    assert_eq!(one("-.5"), Value::Float(-0.5));
    assert_eq!(one("1e3"), Value::Float(1000.0));
    assert_eq!(one("1.5E-2"), Value::Float(0.015));
    assert_eq!(one("True"), Value::Bool(true));
    assert_eq!(one("False"), Value::Bool(false));
    assert_eq!(one("None"), Value::None);
}

#[test]
fn containers() {
    assert_eq!(one("[]"), Value::List(vec![]));
    assert_eq!(one("[1, 'a',]"), Value::List(vec![Value::Int(1), s("a")]));
    assert_eq!(one("()"), Value::Tuple(vec![]));
    assert_eq!(one("(1,)"), Value::Tuple(vec![Value::Int(1)]));
    assert_eq!(one("(1)"), Value::Int(1));
    assert_eq!(
        one("(1, 2)"),
        Value::Tuple(vec![Value::Int(1), Value::Int(2)])
    );
    assert_eq!(
        one("{'b': 1, 'a': [2], 3: None, }"),
        Value::Dict(vec![
            (s("b"), Value::Int(1)),
            (s("a"), Value::List(vec![Value::Int(2)])),
            (Value::Int(3), Value::None),
        ])
    );
    let json = serde_json::to_string(&one("{'z': (1, 'x'), 'a': {'k': True}, 5: 1.5}")).unwrap();
    assert_eq!(
        json, r#"{"z":[1,"x"],"a":{"k":true},"5":1.5}"#,
        "dict order kept, tuples as arrays"
    );
}

#[test]
fn references_plus_and_percent() {
    let text = "\
base = ['x86_64']
arches = base + ['aarch64']
name = 'Fedora'
version = '42'
label = '%s-%s' % (name, version)
dict_fmt = '%(name)s %(version)s' % {'name': name, 'version': version}
combined = name + '-' + '%s' % version
tuple_join = (1,) + (2,)
count = 40 + 2
mod = -7 % 3
precedence = '%s' % 'a' + 'b'
base = ['ppc64le']
";
    let options = parse_str(text, Path::new("refs.conf")).unwrap();
    assert_eq!(
        options["arches"],
        Value::List(vec![s("x86_64"), s("aarch64")])
    );
    assert_eq!(options["label"], s("Fedora-42"));
    assert_eq!(options["dict_fmt"], s("Fedora 42"));
    assert_eq!(options["combined"], s("Fedora-42"));
    assert_eq!(
        options["tuple_join"],
        Value::Tuple(vec![Value::Int(1), Value::Int(2)])
    );
    assert_eq!(options["count"], Value::Int(42));
    assert_eq!(options["mod"], Value::Int(2));
    assert_eq!(options["precedence"], s("ab"));
    // Reassignment keeps the first position, as a Python dict does.
    assert_eq!(options.get_index_of("base"), Some(0));
    assert_eq!(options["base"], Value::List(vec![s("ppc64le")]));
}

#[test]
fn realistic_config_with_nested_includes() {
    let loaded = load(&data("rawhide.conf")).unwrap();
    let options = &loaded.options;
    assert_eq!(loaded.config_dir, data(""));
    let files: Vec<_> = loaded
        .files
        .iter()
        .map(|f| f.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(
        files,
        ["rawhide.conf", "fedora-common.conf", "shared.base.conf"]
    );
    let names: Vec<&str> = options.keys().map(String::as_str).take(6).collect();
    assert_eq!(
        names,
        [
            "skip_phases",
            "release_type",
            "base_arches",
            "gather_method",
            "hashed_directories",
            "release_name"
        ]
    );
    assert_eq!(options["compose_label"], s("Fedora-Rawhide"));
    assert_eq!(
        options["tree_arches"],
        Value::List(vec![s("aarch64"), s("ppc64le"), s("x86_64"), s("s390x")])
    );
    assert_eq!(
        options["sigkeys"],
        Value::List(vec![s("deadbeef"), Value::None])
    );
    assert_eq!(
        options["global_ksurl"],
        s("git+https://src.example.org/kickstarts.git?#HEAD")
    );
    assert_eq!(options["link_type"], s("hardlink-or-copy"));
    assert_eq!(options["notes"], s("multi\nline"));
    assert_eq!(options["max_size"], Value::Int(0x7FFF_FFFF));
    assert_eq!(options["iso_ratio"], Value::Float(1.25));
    assert_eq!(options["timeout"], Value::Int(-300));
    let json = options["comps_file"].to_json();
    assert_eq!(json["file"], "comps-f99.xml");
    assert_eq!(
        options["image_volid_formats"].to_json()[0],
        "%(release_short)s-%(variant)s-%(disc_type)s-%(arch)s-%(version)s"
    );
}

#[test]
fn named_imports_take_only_those_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.conf"), "a = 1\nb = 2\n").unwrap();
    let path = dir.path().join("main.conf");
    std::fs::write(&path, "from base import b\nc = b + 1\n").unwrap();
    let options = load(&path).unwrap().options;
    assert_eq!(options.keys().collect::<Vec<_>>(), ["b", "c"]);
    assert_eq!(options["c"], Value::Int(3));
}

#[test]
fn includes_resolve_relative_to_the_including_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(
        dir.path().join("sub/inner.conf"),
        "from ../top import *\ninner = top + 1\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("top.conf"), "top = 1\n").unwrap();
    let path = dir.path().join("sub/inner.conf");
    assert_eq!(load(&path).unwrap().options["inner"], Value::Int(2));
}
