//! `pungi-wasm config validate` on the corpus in `tests/configs/`: clean configs pass,
//! and the config with ten different mistakes prints exactly ten located errors.

use pungi_tests::{describe, run_pungi, workspace};

fn validate(config: &str) -> (Option<i32>, String) {
    let path = workspace().join("tests/configs").join(config);
    let cache = tempfile::tempdir().unwrap();
    let output = run_pungi(
        &["config", "validate", path.to_str().unwrap()],
        cache.path(),
    );
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "{}",
        describe(&output)
    );
    (output.status.code(), stdout)
}

#[test]
fn corpus_configs_validate_cleanly() {
    for config in [
        "fedora-rawhide/fedora-rawhide.conf",
        "rhel/rhel-9.conf",
        "minimal/minimal.conf",
        "centos-stream/centos-stream.conf",
        "fedora-iot/fedora-iot.conf",
    ] {
        let (code, stdout) = validate(config);
        assert_eq!(code, Some(0), "{config}: {stdout}");
        assert!(
            stdout.trim_end().ends_with("0 errors, 0 warnings"),
            "{stdout}"
        );
    }
}

#[test]
fn ten_mistakes_make_ten_errors() {
    let (code, stdout) = validate("ten-mistakes/ten-mistakes.conf");
    assert_eq!(code, Some(1), "{stdout}");
    let errors: Vec<&str> = stdout.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(errors.len(), 10, "{stdout}");
    let lines: Vec<usize> = errors
        .iter()
        .map(|l| l.split(':').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(lines, [1, 4, 7, 10, 11, 12, 15, 18, 22, 24], "{stdout}");
    assert!(
        errors.iter().all(|l| l.contains("ten-mistakes.conf:")),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("warning: unknown option `filter_pakages`; did you mean `filter_packages`?"),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("10 errors, 1 warning"),
        "{stdout}"
    );
}

#[test]
fn options_markdown_is_the_documented_reference() {
    let cache = tempfile::tempdir().unwrap();
    let output = run_pungi(&["config", "options", "--markdown"], cache.path());
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let doc = std::fs::read_to_string(workspace().join("docs/configuration.md")).unwrap();
    assert!(
        doc.contains(String::from_utf8_lossy(&output.stdout).trim()),
        "docs/configuration.md is stale"
    );
}

/// `--schema-override`, as `pungi-config-validate` takes it: the options it redefines
/// are checked against its JSON Schema instead of ours, and are never unknown.
#[test]
fn a_schema_override_redefines_the_options_it_names() {
    let top = tempfile::tempdir().unwrap();
    let corpus = workspace().join("tests/configs");
    for file in [
        "minimal/minimal.conf",
        "minimal/variants.xml",
        "shared/comps.xml",
    ] {
        let copy = top.path().join(file);
        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
        std::fs::copy(corpus.join(file), copy).unwrap();
    }
    let dir = top.path().join("minimal");
    let config = dir.join("minimal.conf");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text + "site_mirror = 5\ncreaterepo_checksum = 'crc32'\n",
    )
    .unwrap();
    let overrides = dir.join("site.json");
    std::fs::write(
        &overrides,
        r#"{"properties": {"site_mirror": {"type": "string"},
                           "createrepo_checksum": {"enum": ["crc32", "sha256"]}}}"#,
    )
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["config", "validate", config.to_str().unwrap()];
        args.extend(extra);
        let output = run_pungi(&args, cache.path());
        String::from_utf8_lossy(&output.stdout).into_owned()
    };

    let plain = run(&[]);
    assert!(plain.contains("unknown option `site_mirror`"), "{plain}");
    assert!(plain.contains("`createrepo_checksum`"), "{plain}");

    let overridden = run(&["--schema-override", overrides.to_str().unwrap()]);
    let lines: Vec<&str> = overridden.lines().collect();
    assert_eq!(
        lines[..lines.len() - 1],
        [format!(
            "{}:{}:1: error: `site_mirror`: 5 is not of type \"string\" (schema override)",
            config.display(),
            text_lines(&config) - 1
        )],
        "{overridden}"
    );
    assert!(
        overridden.ends_with("1 error, 0 warnings\n"),
        "{overridden}"
    );
}

fn text_lines(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count()
}
