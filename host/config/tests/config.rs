//! Loading realistic configs as kobo reads them: literal forms, includes, name
//! references, `global` and `%`.

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

fn refused(source: &str) -> String {
    parse_str(&format!("x = {source}\n"), Path::new("inline.conf"))
        .expect_err(source)
        .message
}

/// kobo's `_get_STRING`: a string's value is its text without the first and last
/// character; escapes stay as written, adjacent strings are separate values.
#[test]
fn string_literal_forms() {
    assert_eq!(one("'single'"), s("single"));
    assert_eq!(one("\"double\""), s("double"));
    assert_eq!(one(r"'^\d+\.x$'"), s(r"^\d+\.x$"));
    assert_eq!(one(r"'tab\there \\ \' \x41'"), s(r"tab\there \\ \' \x41"));
    assert_eq!(one("'line \\\ncontinued'"), s("line \\\ncontinued"));
    assert_eq!(
        one("['joined' \"by\" 'adjacency']"),
        Value::List(vec![s("joined"), s("by"), s("adjacency")])
    );
    for (literal, read) in [
        ("r'x'", "`'x`"),
        ("u'x'", "`'x`"),
        ("b'x'", "`'x`"),
        ("'''x'''", "`''x''`"),
    ] {
        let message = refused(literal);
        assert!(
            message.starts_with(pungi_config::KOBO_WOULD_READ) && message.contains(read),
            "{literal}: {message}"
        );
    }
}

/// kobo's `_get_NUMBER`: a float when the text has a `.`, else Python's `int()` of
/// the text, which takes `_` and leading zeros but no base prefix or exponent.
#[test]
fn numbers_and_constants() {
    assert_eq!(one("42"), Value::Int(42));
    assert_eq!(one("-7"), Value::Int(-7));
    assert_eq!(one("1_000_000"), Value::Int(1_000_000));
    assert_eq!(one("0"), Value::Int(0));
    assert_eq!(one("00"), Value::Int(0));
    assert_eq!(one("2.5"), Value::Float(2.5));
    assert_eq!(one("-.5"), Value::Float(-0.5));
    assert_eq!(one("1.5E-2"), Value::Float(0.015));
    assert_eq!(one("1."), Value::Float(1.0));
    assert_eq!(one("True"), Value::Bool(true));
    assert_eq!(one("False"), Value::Bool(false));
    assert_eq!(one("None"), Value::None);
    for literal in ["0x1F", "0o17", "0b101", "1e3", "2j"] {
        let message = refused(literal);
        assert!(
            message.contains("is not a decimal integer"),
            "{literal}: {message}"
        );
    }
}

/// kobo's `_get_list`, `_get_tuple`, `_get_dict`: any commas (or none) between items,
/// and parentheses always make a tuple.
#[test]
fn containers() {
    assert_eq!(one("[]"), Value::List(vec![]));
    assert_eq!(one("[1, 'a',]"), Value::List(vec![Value::Int(1), s("a")]));
    assert_eq!(
        one("[,1,, 2 3\n 4]"),
        Value::List((1..=4).map(Value::Int).collect())
    );
    assert_eq!(one("()"), Value::Tuple(vec![]));
    assert_eq!(one("(1,)"), Value::Tuple(vec![Value::Int(1)]));
    assert_eq!(one("(1)"), Value::Tuple(vec![Value::Int(1)]));
    assert_eq!(
        one("(1, 2)"),
        Value::Tuple(vec![Value::Int(1), Value::Int(2)])
    );
    assert_eq!(
        one("{'b': 1 'a': [2], 3: None, }"),
        Value::Dict(vec![
            (s("b"), Value::Int(1)),
            (s("a"), Value::List(vec![Value::Int(2)])),
            (Value::Int(3), Value::None),
        ])
    );
    // `True == 1`: one key, the first, with the last value (a dict's own rule; kobo
    // refuses only a repeat of the same type).
    assert_eq!(
        one("{1: 'a', True: 'b', 1.0: 'c'}"),
        Value::Dict(vec![(Value::Int(1), s("c"))])
    );
    let json = serde_json::to_string(&one("{'z': (1, 'x'), 'a': {'k': True}, 5: 1.5}")).unwrap();
    assert_eq!(
        json, r#"{"z":[1,"x"],"a":{"k":true},"5":1.5}"#,
        "dict order kept, tuples as arrays"
    );
}

#[test]
fn references_globals_and_percent() {
    let text = "\
base = ['x86_64']
name = 'Fedora' version = '42'
label = '%s-%s' % (name, version)
dict_fmt = '%(name)s %(version)s' % {'name': name, 'version': version}
nested = '%s' % '%s' % 'x'
alias = base
base = ['ppc64le']
global shared
";
    let options = parse_str(text, Path::new("refs.conf")).unwrap();
    assert_eq!(options["label"], s("Fedora-42"));
    assert_eq!(options["dict_fmt"], s("Fedora 42"));
    assert_eq!(options["nested"], s("x"));
    assert_eq!(options["alias"], Value::List(vec![s("x86_64")]));
    assert_eq!(options["shared"], Value::None);
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
    assert_eq!(options["pattern"], s(r"^.*\.src$"));
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
    std::fs::write(&path, "from base import b\nc = [b]\n").unwrap();
    let options = load(&path).unwrap().options;
    assert_eq!(options.keys().collect::<Vec<_>>(), ["b", "c"]);
    assert_eq!(options["c"], Value::List(vec![Value::Int(2)]));
}

#[test]
fn includes_resolve_relative_to_the_including_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(
        dir.path().join("sub/inner.conf"),
        "from ../top import *\ninner = [top]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("top.conf"), "top = 1\n").unwrap();
    let path = dir.path().join("sub/inner.conf");
    assert_eq!(
        load(&path).unwrap().options["inner"],
        Value::List(vec![Value::Int(1)])
    );
}

/// kobo's `global`: a name declared global before an include is seen, with its value,
/// by the included file.
#[test]
fn global_names_reach_the_files_included_after_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.conf"), "uses = ['%s' % arch]\n").unwrap();
    let path = dir.path().join("main.conf");
    std::fs::write(&path, "global arch\narch = 'x86_64'\nfrom base import *\n").unwrap();
    let options = load(&path).unwrap().options;
    assert_eq!(options["uses"], Value::List(vec![s("x86_64")]));
    let unseen = dir.path().join("unseen.conf");
    std::fs::write(&unseen, "arch = 'x86_64'\nfrom base import *\n").unwrap();
    let error = load(&unseen).unwrap_err();
    assert!(
        error.message.contains("name `arch` is not defined"),
        "{error}"
    );
}
