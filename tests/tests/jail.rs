//! Granted commands run in the command jail (issue 19, class A): the hostile component
//! gets one more program granted each time and tries to make it reach the host outside
//! its grant. Each attack worked before the jail (arguments were only translated where
//! they began with `/`); each must now end contained, with nothing changed on the host
//! outside what the test allows. The legitimate ISO-internal path still works.

mod common;

use std::path::Path;
use std::process::Command;

use common::hostile::{Run, run_with};

/// Runs `action` with `programs` granted besides the sandbox's own.
fn with_programs(action: &str, arg: Option<&str>, allowed: &[&str], programs: &[&str]) -> Run {
    run_with(action, arg, allowed, |grant| {
        grant
            .commands
            .extend(programs.iter().map(|p| p.to_string()));
    })
}

#[test]
fn a_relative_argument_through_a_planted_symlink_stays_in_the_jail() {
    let run = with_programs("jail-planted-symlink", None, &["compose/esc"], &["cat"]);
    run.denied(&["contained: `cat esc/x`", "No such file"]);
}

#[test]
fn a_host_path_after_key_equals_is_no_path_in_the_jail() {
    // Another sandbox's file outside every mount: it exists on the host only.
    let elsewhere = common::hostile::Sandbox::new();
    let host_path = elsewhere.path("x").display().to_string();
    let run = with_programs("jail-key-value-path", Some(&host_path), &[], &["dd"]);
    run.denied(&["contained: `dd if=<host path>`"]);
}

#[test]
fn a_read_only_mount_stays_read_only_for_a_program() {
    let run = with_programs("jail-write-read-only", None, &[], &["cp"]);
    run.denied(&["contained: `cp` into /work", "Read-only file system"]);
}

#[test]
fn a_host_path_behind_a_prefix_is_not_written() {
    pungi_tests::require_tool("xorriso", "xorriso");
    // A host directory that exists on the host only (the jail's /tmp is its own).
    let elsewhere = common::hostile::Sandbox::new();
    let target = elsewhere.path("written").display().to_string();
    let run = with_programs("jail-prefixed-host-path", Some(&target), &[], &["xorriso"]);
    run.denied(&["contained: xorriso -outdev stdio:"]);
    assert!(
        !Path::new(&format!("{target}.iso")).exists(),
        "{target}.iso was written"
    );
}

#[test]
fn git_runs_no_command_a_planted_config_names() {
    pungi_tests::require_tool("git", "git");
    let run = with_programs("jail-git-fsmonitor", None, &["compose/repo/"], &["git"]);
    run.denied(&["contained: git status did not run fsmonitor"]);
    assert!(!run.sandbox.path("compose/FSMONITOR_RAN").exists());
}

#[test]
fn git_aliases_and_ext_urls_are_refused() {
    pungi_tests::require_tool("git", "git");
    let run = with_programs("jail-git-commands", None, &["compose/clone/"], &["git"]);
    // The host refuses configuration on git's command line; git itself, under the
    // host's GIT_ALLOW_PROTOCOL, refuses the ext transport.
    run.denied(&[
        "contained: alias:",
        "`-c` would give git configuration",
        "transport 'ext' not allowed",
    ]);
    for marker in ["compose/ALIAS_RAN", "compose/EXT_RAN"] {
        assert!(!run.sandbox.path(marker).exists(), "{marker}");
    }
}

#[test]
fn a_child_that_leaves_its_session_dies_with_the_command() {
    // A duration no other process has.
    let seconds = format!("3599.{}", std::process::id());
    let run = with_programs("jail-detached-child", Some(&seconds), &[], &["setsid"]);
    let report = run.result.as_ref().expect("setsid ran");
    assert!(
        report.message.contains("detached sleep"),
        "{}",
        report.message
    );
    let gone = common::eventually(|| common::processes_of("sleep", &seconds).is_empty());
    assert!(
        gone,
        "`sleep {seconds}` outlived its command: {:?}",
        common::processes_of("sleep", &seconds)
    );
}

#[test]
fn a_path_inside_an_iso_is_not_mistaken_for_a_host_path() {
    pungi_tests::require_tool("xorriso", "xorriso");
    let run = with_programs(
        "jail-iso-internal-path",
        None,
        &["compose/made.iso"],
        &["xorriso"],
    );
    let report = run.result.as_ref().expect("xorriso made the ISO");
    assert_eq!(report.message, "made /compose/made.iso");
    let listing = Command::new("xorriso")
        .args(["-indev"])
        .arg(run.sandbox.path("compose/made.iso"))
        .args(["-find", "/inside"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&listing.stdout).contains("/inside/planted.txt"),
        "{}",
        String::from_utf8_lossy(&listing.stderr)
    );
}
