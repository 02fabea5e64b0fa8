use std::os::unix::fs::PermissionsExt as _;
use std::time::Instant;

use super::*;

/// A script in `dir` that runs `body` (sh).
fn script(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("notify.sh");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn the_message_is_an_argument_and_the_fields_come_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("got");
    let notifier = Notifier::new(vec![script(
        dir.path(),
        &format!("printf '%s ' \"$1\" >> {0}; cat >> {0}", out.display()),
    )]);
    // Shell text in a field stays data: the script is run without a shell.
    notifier.send("phase-start", json!({"phase_name": "$(touch pwned)"}));
    let got = std::fs::read_to_string(&out).unwrap();
    assert_eq!(got, r#"phase-start {"phase_name":"$(touch pwned)"}"#);
    assert!(!Path::new("pwned").exists());
}

#[test]
fn a_failing_or_hung_script_only_warns() {
    let dir = tempfile::tempdir().unwrap();
    let failing = Notifier::new(vec![script(dir.path(), "exit 3")]);
    failing.send("status-change", json!({"status": "STARTED"}));
    let hung = Notifier::new(vec![script(dir.path(), "sleep 30")])
        .with_timeout(Duration::from_millis(200));
    let started = Instant::now();
    hung.send("status-change", json!({"status": "STARTED"}));
    assert!(started.elapsed() < Duration::from_secs(10));
    Notifier::new(vec![dir.path().join("missing")]).send("x", json!({}));
}

#[test]
fn translate_paths_matches_whole_components() {
    let pairs = json!([["/mnt/koji/compose/", "https://kojipkgs/compose"]]);
    let t = |p: &str| translate_path(Some(&pairs), Path::new(p));
    assert_eq!(
        t("/mnt/koji/compose/F-1.n.0/compose"),
        "https://kojipkgs/compose/F-1.n.0/compose"
    );
    assert_eq!(t("/mnt/koji/composes/x"), "/mnt/koji/composes/x");
    assert_eq!(translate_path(None, Path::new("/a/b")), "/a/b");
}

#[test]
fn a_notification_log_replaced_by_a_link_is_not_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside.txt");
    std::fs::write(&outside, "untouched\n").unwrap();
    let log = dir.path().join("notification.log");
    std::os::unix::fs::symlink(&outside, &log).unwrap();
    let echo = script(dir.path(), "echo written");
    let refused = script::run(
        &echo,
        "status-change",
        "{}",
        dir.path(),
        Some(&log),
        SCRIPT_TIMEOUT,
    );
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "untouched\n");
}
