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
