use std::collections::HashSet;
use std::path::Path;

use super::*;
use crate::load::load_str;
use crate::value::Value;

const BASE: &str = r#"release_name = "Fedora"
release_short = "Fedora"
release_version = "Rawhide"
variants_file = "variants.xml"
pkgset_source = "repos"
pkgset_repos = {"x86_64": ["repo"]}
gather_method = "deps"
"#;

fn report(extra: &str) -> Report {
    let config = load_str(&format!("{BASE}{extra}"), Path::new("fedora.conf")).unwrap();
    validate(&config)
}

/// `line:column: severity: message` of every diagnostic, for compact assertions.
fn lines(report: &Report) -> Vec<String> {
    report
        .diagnostics
        .iter()
        .map(|d| format!("{}:{}: {}: {}", d.line, d.column, d.severity, d.message))
        .collect()
}

#[test]
fn the_table_is_consistent() {
    let mut names = HashSet::new();
    for spec in OPTIONS {
        assert!(names.insert(spec.name), "{} listed twice", spec.name);
        if let DefaultValue::Literal(literal) = spec.default {
            let value = default_value(spec).unwrap_or_else(|| panic!("{}: {literal}", spec.name));
            let text = format!("{BASE}{} = {literal}\n", spec.name);
            let config = load_str(&text, Path::new("d.conf")).unwrap();
            let found = lines(&validate(&config));
            assert!(
                found.is_empty(),
                "default of {}: {value:?}: {found:?}",
                spec.name
            );
        }
        assert!(!(spec.required && matches!(spec.status, Status::Removed(_))));
    }
}

#[test]
fn a_clean_config_has_no_diagnostics_and_gets_defaults() {
    let report = report("");
    assert_eq!(lines(&report), Vec::<String>::new());
    let defaults: Vec<&str> = report.defaults.iter().map(|(n, _)| n.as_str()).collect();
    assert!(defaults.contains(&"createrepo_checksum"));
    assert!(!defaults.contains(&"pkgset_source"));
    let sigkeys = report
        .defaults
        .iter()
        .find(|(n, _)| n == "sigkeys")
        .unwrap();
    assert_eq!(sigkeys.1, Value::List(vec![Value::None]));
}

#[test]
fn type_mismatch_says_expected_and_found_at_the_element() {
    let report = report(
        "check_deps = \"yes\"\nadditional_packages = [\n    (\"^Server$\", {\"*\": \"bash\"}),\n]\n",
    );
    assert_eq!(
        lines(&report),
        [
            "8:14: error: `check_deps`: expected bool, found str 'yes'",
            "10:24: error: `additional_packages[0][1]['*']`: expected list of strings, found str 'bash'",
        ]
    );
}

#[test]
fn bad_enum_value_suggests_the_closest() {
    let report = report("createrepo_checksum = \"sha265\"\n");
    assert_eq!(
        lines(&report),
        [
            "8:23: error: `createrepo_checksum`: \"sha265\" is not one of \"sha1\" | \"sha224\" | \"sha256\" | \"sha384\" | \"sha512\"; did you mean `sha256`?"
        ]
    );
}

#[test]
fn unknown_options_warn_with_a_suggestion() {
    let report = report("filter_pakages = []\nmy_helper_list = []\n");
    assert_eq!(
        lines(&report),
        [
            "8:1: warning: unknown option `filter_pakages`; did you mean `filter_packages`?",
            "9:1: warning: unknown option `my_helper_list`",
        ]
    );
    assert!(!report.has_errors());
}

/// pungi/checks.py turns every option its schema marks `deprecated` into a "was removed
/// and has no effect" warning, and pungi-koji composes all the same.
#[test]
fn removed_options_are_warnings_as_in_pungi_koji() {
    let report = report("runroot = False\nbootable = True\n");
    assert_eq!(
        lines(&report),
        [
            "8:1: warning: option `runroot` was removed and has no effect: remove it; set runroot_method to run tasks in a runroot, otherwise they run locally",
            "9:1: warning: option `bootable` was removed and has no effect: remove it; set buildinstall_method = \"lorax\" for a bootable installer",
        ]
    );
    assert!(
        !report.has_errors(),
        "the compose runs, as pungi-koji's does"
    );
}

#[test]
fn missing_required_options_are_named() {
    let config = load_str("release_name = 'X'\n", Path::new("x.conf")).unwrap();
    let found = lines(&validate(&config));
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(found[0].starts_with("1:1: error: required option `release_short` is missing"));
}

#[test]
fn bad_regexes_in_per_variant_forms() {
    let report = report(
        "filter_packages = [\n    (\"^(Server\", {\"*\": [\"x\"]}),\n]\ngather_method = {\"^Work[\": \"nodeps\"}\n",
    );
    let found = lines(&report);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        found,
        [
            "9:6: error: `filter_packages[0][0]`: bad variant regex \"^(Server\": unclosed group",
            "11:18: error: `gather_method`: bad variant regex \"^Work[\": unclosed character class",
        ]
    );
}

#[test]
fn per_variant_and_dict_forms_are_accepted() {
    let report = report(concat!(
        "gather_method = {'^Everything$': {'comps': 'deps', 'module': 'nodeps'}, '.*': 'hybrid'}\n",
        "createrepo_deltas = [('^Server$', {'*': True})]\n",
        "image_build = {'^Cloud$': [{'image-build': {'format': ['qcow2'], 'name': 'c'}, 'factory-parameters': {}}]}\n",
        "ostree = {'^Silverblue$': {'treefile': 't', 'config_url': 'u', 'ostree_repo': 'r'}}\n",
        "iso_level = [('^Server$', {'x86_64': 3})]\n",
    ));
    assert_eq!(lines(&report), Vec::<String>::new());
}

#[test]
fn deprecated_forms_warn() {
    let report = report("createrepo_deltas = True\n");
    assert_eq!(
        lines(&report),
        [
            "8:21: warning: `createrepo_deltas`: this form is deprecated; use the per-variant form [(variant regex, {arch: bool})]"
        ]
    );
}

#[test]
fn records_check_keys() {
    let report = report("live_media = {'^Spins$': [{'name': 'x', 'kickstrat': 'k.ks'}]}\n");
    let found = lines(&report);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        found,
        [
            "8:27: error: `live_media['^Spins$'][0]`: missing required key \"kickstart\"",
            "8:41: error: `live_media['^Spins$'][0]`: unknown key \"kickstrat\"; did you mean `kickstart`?",
        ]
    );
}

#[test]
fn cross_option_rules() {
    let text = BASE.replace(
        "pkgset_repos = {\"x86_64\": [\"repo\"]}\n",
        "pkgset_koji_tag = 'f41'\n",
    );
    let config = load_str(
        &format!("{text}base_product_name = 'RHEL'\n"),
        Path::new("c.conf"),
    )
    .unwrap();
    let found = lines(&validate(&config));
    assert_eq!(
        found,
        [
            "5:1: error: `pkgset_source = 'repos'` requires `pkgset_repos`, which is not set",
            "6:1: error: `pkgset_koji_tag` conflicts with `pkgset_source = 'repos'`",
            "8:1: error: `base_product_name = 'RHEL'` requires `base_product_short`, which is not set",
            "8:1: error: `base_product_name = 'RHEL'` requires `base_product_version`, which is not set",
        ]
    );
}

#[test]
fn skip_phases_takes_pungi_phases_and_the_configs_custom_phases() {
    let custom = "custom_phases = [{'name': 'sbom', 'component': 'sbom.wasm', 'sha256': 'x', 'after': 'createrepo'}]\n";
    let found = lines(&report(&format!(
        "{custom}skip_phases = ['weaver', 'sbom', 'createiso']\n"
    )));
    assert_eq!(found, Vec::<String>::new());
    let found = lines(&report(&format!("{custom}skip_phases = ['sbmo']\n")));
    assert_eq!(
        found,
        [
            "9:1: error: `skip_phases`: \"sbmo\" is neither a Pungi phase nor one of `custom_phases`; did you mean `sbom`?"
        ]
    );
}

#[test]
fn problems_in_included_files_point_there() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("shared.conf"),
        "\n\ngreedy_method = 'some'\n",
    )
    .unwrap();
    let main = dir.path().join("main.conf");
    std::fs::write(&main, format!("from shared import *\n{BASE}")).unwrap();
    let config = crate::load(&main).unwrap();
    let report = validate(&config);
    assert_eq!(report.diagnostics.len(), 1);
    let found = &report.diagnostics[0];
    assert_eq!(found.path, dir.path().join("shared.conf"));
    assert_eq!((found.line, found.column), (3, 17));
    assert_eq!(
        found.to_string(),
        format!(
            "{}:3:17: error: `greedy_method`: \"some\" is not one of \"none\" | \"all\" | \"build\"",
            dir.path().join("shared.conf").display()
        )
    );
}

/// `docs/configuration.md` holds the reference generated from the table; run with
/// `UPDATE_DOCS=1` to regenerate it after changing the table.
#[test]
fn configuration_doc_is_generated_from_the_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/configuration.md");
    let document = std::fs::read_to_string(&path).unwrap();
    let expected = replace_generated(&document).expect("the document has the markers");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    assert!(
        document == expected,
        "docs/configuration.md is out of date: run `UPDATE_DOCS=1 cargo test -p pungi-config configuration_doc`"
    );
}
