//! Broken configs: each is rejected with the right `file:line:col: message`.

use std::path::{Path, PathBuf};

use pungi_config::{load, parse_str};

fn error(text: &str) -> String {
    parse_str(text, Path::new("bad.conf"))
        .expect_err("config should be rejected")
        .to_string()
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

#[test]
fn syntax_errors_are_located() {
    let cases: &[(&str, &str)] = &[
        (
            "x = \n",
            "bad.conf:2:1: expected a value, found end of file",
        ),
        (
            "x = [1, 2\ny = 3\n",
            "bad.conf:1:5: this bracket is never closed (the file ends inside it)",
        ),
        (
            "x = {'a' 1}\n",
            "bad.conf:1:10: expected `:` after the dict key, found number `1`",
        ),
        (
            "x = {'a', 'b'}\n",
            "bad.conf:1:9: expected `:` after the dict key, found `,`",
        ),
        (
            "x = 'abc\n",
            "bad.conf:1:5: expected a value, found a quote whose string does not end on its line",
        ),
        (
            "a = 1\nx = '''never\nclosed\n",
            "bad.conf:2:5: the file ends inside this triple-quoted string",
        ),
        (
            "x = 1 2\n",
            "bad.conf:1:7: expected an option name, found number `2`",
        ),
        (
            "x == 1\n",
            "bad.conf:1:3: expected `=` after `x`, found `==`",
        ),
        (
            "x = 1 - 2\n",
            "bad.conf:1:7: expected an option name, found `-`: kobo's parser (what pungi-koji reads configs with) has no operators but `\"...\" % value` right after a string, and a value ends before a `,` outside brackets",
        ),
        (
            "x = 'a' + 1\n",
            "bad.conf:1:9: expected an option name, found `+`: kobo's parser (what pungi-koji reads configs with) has no operators but `\"...\" % value` right after a string, and a value ends before a `,` outside brackets",
        ),
        (
            "x = 1, 2\n",
            "bad.conf:1:6: expected an option name, found `,`: kobo's parser (what pungi-koji reads configs with) has no operators but `\"...\" % value` right after a string, and a value ends before a `,` outside brackets",
        ),
        (
            "x = len('a')\n",
            "bad.conf:1:8: expected an option name, found `(`",
        ),
        (
            "import os\n",
            "bad.conf:1:1: expected an option name, found keyword `import`",
        ),
        (
            "x = os.path\n",
            "bad.conf:1:7: expected an option name, found `.`",
        ),
        (
            "x = y\n",
            "bad.conf:1:5: name `y` is not defined (names must be assigned before use)",
        ),
        (
            "x = '%s %s' % ('a',)\n",
            "bad.conf:1:13: not enough arguments for format string",
        ),
        (
            "x = {'a': 1,\n     'a': 2}\n",
            "bad.conf:2:6: duplicate dict key 'a'",
        ),
        (
            "x = 99999999999999999999\n",
            "bad.conf:1:5: integer `99999999999999999999` does not fit in 64 bits",
        ),
        (
            "x = 012\n",
            "bad.conf:1:6: expected an option name, found number `12`",
        ),
        (
            "x = 1j\n",
            "bad.conf:1:5: number `1j` is not a decimal integer: kobo reads a number with a `.` as a float and any other as a decimal integer",
        ),
        (
            "x = 0x1F\n",
            "bad.conf:1:5: number `0x1F` is not a decimal integer: kobo reads a number with a `.` as a float and any other as a decimal integer",
        ),
        (
            "x = 1e5\n",
            "bad.conf:1:5: number `1e5` is not a decimal integer: kobo reads a number with a `.` as a float and any other as a decimal integer",
        ),
        (
            "x = 1 $\n",
            "bad.conf:1:7: expected an option name, found unexpected character `$`",
        ),
        (
            "x = 1 \\ 2\n",
            "bad.conf:1:7: expected an option name, found unexpected character `\\\\`",
        ),
        (
            "_private = 1\n",
            "bad.conf:1:1: option names may not start with `_` (kobo rejects `_private`)",
        ),
        (
            "class = 1\n",
            "bad.conf:1:1: expected an option name, found keyword `class`",
        ),
        (
            "x = {[1]: 2}\n",
            "bad.conf:1:6: expected a dict key (a string, number or name), found `[`",
        ),
        (
            "x = []\ny = {x: 2}\n",
            "bad.conf:2:6: a list cannot be a dict key (it is not hashable)",
        ),
        (
            "from import *\n",
            "bad.conf:1:6: expected a file name after `from`, found `import`",
        ),
        (
            "x = 1\n  [2]\n",
            "bad.conf:2:3: expected an option name, found `[`",
        ),
        (
            "x = 1\n    y = 2\n  z = 3\n",
            "bad.conf:3:3: unindent does not match any outer indentation level",
        ),
        (
            "x = -'a'\n",
            "bad.conf:1:6: expected a number after `-`, found a string",
        ),
        (
            "x = [1\\\n",
            "bad.conf:1:5: this bracket is never closed (the file ends inside it)",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(&error(text), expected, "for {text:?}");
    }
}

#[test]
fn include_cycle_is_reported_at_the_include() {
    let message = load(&data("cycle-a.conf")).unwrap_err().to_string();
    assert!(
        message.ends_with(
            "cycle-b.conf:1:1: include cycle: cycle-a.conf -> cycle-b.conf -> cycle-a.conf"
        ),
        "{message}"
    );
}

#[test]
fn missing_include_is_reported_at_the_include() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.conf");
    std::fs::write(&path, "a = 1\n\nfrom not-there import *\n").unwrap();
    let error = load(&path).unwrap_err();
    assert_eq!(
        (error.path.as_path(), error.line, error.column),
        (path.as_path(), 3, 1)
    );
    assert!(
        error.message.starts_with("cannot read included file `"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("not-there.conf`: No such file"),
        "{}",
        error.message
    );
}

#[test]
fn errors_inside_includes_name_the_included_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.conf"), "ok = 1\nbroken = [\n").unwrap();
    let path = dir.path().join("main.conf");
    std::fs::write(&path, "from base import *\n").unwrap();
    let error = load(&path).unwrap_err();
    assert_eq!(error.path, dir.path().join("base.conf"));
    assert_eq!((error.line, error.column), (2, 10));
    let missing_name = dir.path().join("named.conf");
    std::fs::write(&missing_name, "from base import ok, nope\n").unwrap();
    std::fs::write(dir.path().join("base.conf"), "ok = 1\n").unwrap();
    let error = load(&missing_name).unwrap_err();
    assert_eq!((error.line, error.column), (1, 22));
    assert!(error.message.starts_with("`nope` is not defined in"));
}

#[test]
fn missing_config_file() {
    let error = load(Path::new("/nonexistent/pungi.conf")).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("/nonexistent/pungi.conf:1:1: cannot read config file:")
    );
}

#[test]
fn no_panic_on_arbitrary_bytes() {
    let samples = [
        "x = [",
        "x = {",
        "x = (",
        "x = '\\",
        "x = r'\\",
        "from",
        "from a",
        "x = 1e",
        "x = 0x",
        "x = .",
        "x=1_",
        "\\",
        "x = '%(a' % {}",
        "x = '%*d' % 1",
        "x = '%c' % -1",
    ];
    for text in samples {
        let _ = parse_str(text, Path::new("fuzz.conf"));
    }
}
