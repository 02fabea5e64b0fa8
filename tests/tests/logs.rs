//! The logs and the terminal take nothing raw from a phase (issue 19, classes B and E):
//! the hostile component, as the Test phase of a demo compose, logs forged lines and
//! terminal escape sequences, or plants a link where the host keeps its logs.

use std::path::{Path, PathBuf};

use pungi_tests::{demo_config, describe, phases_with_hostile, try_compose};

/// Composes the demo with the hostile component as its Test phase (stock grant: the
/// compose read-only, its logs read-write) doing `action`; returns the compose
/// directory and the tool's output.
fn compose_with_hostile_test(
    dir: &Path,
    action: &str,
    arg: &str,
) -> (PathBuf, std::process::Output) {
    let config = demo_config(
        dir,
        &format!("\nhostile_action = \"{action}\"\nhostile_arg = \"{arg}\"\n"),
    );
    let phases = phases_with_hostile(dir, "test");
    let target = dir.join("composes");
    let output = try_compose(
        &config,
        &target,
        &dir.join("cache"),
        &[
            "--skip-phase",
            "createiso",
            "--phases-dir",
            phases.to_str().unwrap(),
        ],
    );
    let compose = std::fs::read_dir(&target)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.join("STATUS").is_file())
        .unwrap_or_else(|| panic!("no compose: {}", describe(&output)));
    (compose, output)
}

#[test]
fn forged_lines_and_escape_sequences_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let (compose, output) = compose_with_hostile_test(dir.path(), "log-forgery", "");
    assert!(output.status.success(), "{}", describe(&output));
    let log = std::fs::read_to_string(compose.join("logs/global/test.global.log")).unwrap();
    let forged: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("FINISHED forged"))
        .collect();
    assert_eq!(forged.len(), 1, "{log}");
    assert!(
        forged[0].contains("ok\\nFINISHED forged\\r\\u{1b}[2K"),
        "{log}"
    );
    assert!(
        !log.lines().any(|l| l.starts_with("FINISHED")),
        "a forged line of its own:\n{log}"
    );
    for file in ["test.global.log", "pungi.global.log"] {
        let bytes = std::fs::read(compose.join("logs/global").join(file)).unwrap();
        assert!(!bytes.contains(&0x1b), "{file} holds a raw ESC");
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The terminal's own colours are CSI sequences (ESC [); no OSC (ESC ]) of the phase.
    assert!(
        !stderr.contains("\u{1b}]"),
        "an OSC sequence reached the terminal"
    );
    assert!(!stderr.contains("\u{7}"), "a BEL reached the terminal");
}

#[test]
fn a_link_planted_in_the_phases_logs_leads_the_host_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside.txt");
    std::fs::write(&outside, "untouched\n").unwrap();
    // From logs/test/global/ of composes/<id>/ back up to `dir` (WASI refuses absolute
    // link targets, not climbing ones).
    let (compose, output) =
        compose_with_hostile_test(dir.path(), "log-plant-link", "../../../../../outside.txt");
    assert!(output.status.success(), "{}", describe(&output));
    let report = std::fs::read_to_string(compose.join("logs/global/phases.json")).unwrap();
    assert!(
        report.contains("planted /logs/global/pungi.global.log"),
        "{report}"
    );
    // The phase's `logs` grant was its own directory: the link is there, the host's
    // logs are regular files it alone writes, and the file outside is as it was.
    let planted = compose.join("logs/test/global/pungi.global.log");
    assert!(planted.symlink_metadata().unwrap().is_symlink());
    let host_log = compose.join("logs/global/pungi.global.log");
    assert!(host_log.symlink_metadata().unwrap().is_file());
    assert!(
        std::fs::read_to_string(&host_log)
            .unwrap()
            .contains("[test]")
    );
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "untouched\n");
}
