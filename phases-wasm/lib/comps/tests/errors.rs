//! Broken comps files: each problem is reported at its line and column.

use pungi_comps::parse;

fn errors(text: &str) -> Vec<String> {
    parse(text)
        .expect_err("comps should be rejected")
        .0
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn group(body: &str) -> String {
    format!("<comps>\n  <group>\n{body}\n  </group>\n</comps>\n")
}

#[test]
fn malformed_xml() {
    assert_eq!(
        errors("<comps>\n  <group>\n  </grup>\n</comps>"),
        ["3:3: malformed XML: ill-formed document: expected `</group>`, but `</grup>` was found"]
    );
    assert_eq!(
        errors("<comps>\n  <group>"),
        ["2:3: element <group> is never closed"]
    );
    assert_eq!(
        errors("<comps/>\n<comps/>"),
        ["2:1: content after the root element"]
    );
    assert_eq!(errors(""), ["1:1: document has no root element"]);
}

#[test]
fn wrong_root_and_unknown_elements() {
    assert_eq!(
        errors("<?xml version=\"1.0\"?>\n<variants/>"),
        ["2:1: expected <comps> as the root element, found <variants>"]
    );
    assert_eq!(
        errors("<comps>\n  <blacklist/>\n</comps>"),
        ["2:3: unknown element <blacklist> inside <comps>"]
    );
}

#[test]
fn group_problems() {
    let text = group(
        "    <name>No id</name>\n    <packagelist>\n      <packagereq type=\"must\">bash</packagereq>\n      <packagereq type=\"conditional\">foo</packagereq>\n      <packagereq> vim</packagereq>\n      <packagereq flavour=\"x\">z</packagereq>\n    </packagelist>\n    <default>yes</default>",
    );
    assert_eq!(
        errors(&text),
        [
            "2:3: <group> has no <id>",
            "5:7: package `bash` has type \"must\"; expected mandatory, default, optional or conditional",
            "6:7: conditional package `foo` has no `requires` attribute",
            "7:7: <packagereq> has leading or trailing whitespace: \" vim\"",
            "8:7: unknown attribute `flavour` on <packagereq>",
            "10:5: <default> must be `true` or `false`, found \"yes\"",
        ]
    );
}

#[test]
fn names_and_translations() {
    let text = group(
        "    <id>core</id>\n    <name xml:lang=\"de\">Kern</name>\n    <description>a</description>\n    <description>b</description>",
    );
    assert_eq!(
        errors(&text),
        [
            "2:3: <group> has no untranslated <name>",
            "4:5: translated <name> without an untranslated one",
            "6:5: untranslated <description> given twice",
        ]
    );
}

#[test]
fn duplicates_and_bad_numbers() {
    let text = "<comps>\n  <group><id>a</id><name>A</name></group>\n  <group><id>a</id><name>A</name></group>\n  <category><id>c</id><name>C</name><display_order>first</display_order></category>\n  <langpacks><match name=\"x\"/></langpacks>\n</comps>";
    assert_eq!(
        errors(text),
        [
            "3:3: duplicate group id `a`",
            "4:37: <display_order> must be an integer, found \"first\"",
            "5:14: <match> is missing the `install` attribute",
        ]
    );
}

#[test]
fn bad_entity_is_located() {
    assert_eq!(
        errors("<comps>\n  <group><id>a&nbsp;</id></group>\n</comps>"),
        ["2:15: unknown or invalid entity reference"]
    );
}
