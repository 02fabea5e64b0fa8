//! Bad input gets a clear error naming the file, line and problem; no panic, no
//! backtrace, and no half-made compose.

use std::path::Path;

use pungi_tests::{describe, run_pungi, write_demo};

/// Runs a compose of a demo input after `break_it` damaged it; returns stderr.
fn failing_compose(break_it: impl FnOnce(&Path), extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    write_demo(&input).unwrap();
    break_it(&input);
    let target = dir.path().join("composes");
    let config = input.join("demo.conf");
    let mut args = vec![
        "compose",
        "--config",
        config.to_str().unwrap(),
        "--target-dir",
        target.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let output = run_pungi(&args, &dir.path().join("cache"));
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    let composes = std::fs::read_dir(&target).map(|d| d.count()).unwrap_or(0);
    assert_eq!(composes, 0, "no compose directory is left behind");
    stderr
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn config_syntax_error_names_file_line_and_column() {
    let mut line = 0;
    let stderr = failing_compose(
        |input| {
            let config = input.join("demo.conf");
            let text = std::fs::read_to_string(&config).unwrap();
            line = text
                .lines()
                .position(|l| l.starts_with("release_short"))
                .unwrap()
                + 1;
            edit(&config, "release_short = \"Demo\"", "release_short = Demo");
        },
        &["--nightly"],
    );
    assert!(stderr.contains(&format!("demo.conf:{line}:")), "{stderr}");
    assert!(
        stderr.contains("Demo"),
        "the message names the undefined name: {stderr}"
    );
}

#[test]
fn variants_error_names_the_variants_file_and_line() {
    let stderr = failing_compose(
        |input| {
            edit(
                &input.join("variants.xml"),
                "type=\"optional\"",
                "type=\"optionall\"",
            )
        },
        &["--nightly"],
    );
    assert!(stderr.contains("variants.xml:"), "{stderr}");
    assert!(stderr.contains("optionall"), "{stderr}");
}

#[test]
fn missing_repository_is_named() {
    let stderr = failing_compose(
        |input| std::fs::remove_dir_all(input.join("repos/aarch64")).unwrap(),
        &["--nightly"],
    );
    assert!(
        stderr.contains("pkgset_repos") && stderr.contains("aarch64"),
        "{stderr}"
    );
}

#[test]
fn production_compose_needs_a_label() {
    let stderr = failing_compose(|_| {}, &[]);
    assert!(stderr.contains("--label"), "{stderr}");
    let stderr = failing_compose(|_| {}, &["--label", "Gamma-1.0"]);
    assert!(stderr.contains("Gamma-1.0"), "{stderr}");
}

#[test]
fn unknown_phase_lists_the_phases() {
    let stderr = failing_compose(|_| {}, &["--nightly", "--skip-phase", "gathr"]);
    assert!(
        stderr.contains("gathr") && stderr.contains("createrepo"),
        "{stderr}"
    );
}
