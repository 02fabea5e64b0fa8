//! Faults a compose meets in production: a full disk, a read-only target, a package
//! gone from its repository, a command that hangs, a phase that traps. Each test checks
//! that the compose ends with an error naming the cause, `STATUS` DOOMED where a compose
//! directory could be made, a log line pointing to the cause, and nothing half-written
//! (no temporary files, no truncated package).
//!
//! The full-disk and read-only cases mount a small tmpfs, which needs root; where mounting
//! is not permitted they print why and pass without checking, as `require_tool` names
//! what a test needs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use pungi_host::capabilities::command::{Invocation, kill_running, run};
use pungi_host::capabilities::{HostError, PhaseEnv};
use pungi_host::compose::{Status, write_status};
use pungi_host::policy::Grant;
use pungi_tests::{demo_config, describe, phases_with_hostile, require_tool, try_compose};

mod common;

/// The compose ID every test compose gets (`try_compose` fixes the date).
const COMPOSE_ID: &str = "Demo-1.0-20261123.n.0";

/// A tmpfs mounted for one test, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    /// Mounts a tmpfs with `options` at `dir`, or says why it cannot and returns `None`.
    fn tmpfs(dir: &Path, options: &str) -> Option<Mount> {
        std::fs::create_dir_all(dir).unwrap();
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir)
            .output();
        match output {
            Ok(output) if output.status.success() => Some(Mount(dir.to_owned())),
            Ok(output) => {
                eprintln!(
                    "skipped: cannot mount a tmpfs at {} (needs root): {}",
                    dir.display(),
                    String::from_utf8_lossy(&output.stderr).trim()
                );
                None
            }
            Err(error) => {
                eprintln!("skipped: cannot run mount: {error}");
                None
            }
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Checks that the compose failed and is DOOMED, and that the compose log has a line
/// containing every one of `causes`; returns the compose directory.
fn assert_doomed(output: &Output, target: &Path, causes: &[&str]) -> PathBuf {
    assert!(!output.status.success(), "{}", describe(output));
    let compose = target.join(COMPOSE_ID);
    let status = std::fs::read_to_string(compose.join("STATUS")).unwrap();
    assert_eq!(status, "DOOMED\n", "{}", describe(output));
    let log = std::fs::read_to_string(compose.join("logs/global/pungi.global.log")).unwrap();
    assert!(
        log.lines()
            .any(|line| line.contains("ERROR") && causes.iter().all(|c| line.contains(c))),
        "no ERROR line naming {causes:?} in the compose log:\n{log}"
    );
    compose
}

/// Whether `name` is a temporary of an atomic write: the host's `.tmp-*`, the phase
/// SDK's `.<name>.tmp`, Createiso's `.<image>.partial` and the repodata writer's
/// `repodata.tmp-*` and `repodata.old-*` directories.
fn is_temporary(name: &str) -> bool {
    name.starts_with(".tmp-")
        || (name.starts_with('.') && (name.ends_with(".tmp") || name.ends_with(".partial")))
        || name.starts_with("repodata.tmp-")
        || name.starts_with("repodata.old-")
}

/// Fails if any temporary file or directory of an atomic write was left under `dir`.
fn assert_no_temporaries(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        assert!(
            !is_temporary(&entry.file_name().to_string_lossy()),
            "a temporary was left behind: {}",
            path.display()
        );
        if entry.file_type().unwrap().is_dir() {
            assert_no_temporaries(&path);
        }
    }
}

/// Fails if a package in the compose differs in size from the one in the repositories
/// it came from (a copy cut short by the full disk).
fn assert_packages_whole(compose: &Path, repos: &Path) {
    let sources: Vec<PathBuf> = rpms_under(repos);
    for rpm in rpms_under(&compose.join("compose")) {
        let name = rpm.file_name().unwrap();
        let source = sources
            .iter()
            .find(|s| s.file_name() == Some(name))
            .unwrap_or_else(|| panic!("{} has no source", rpm.display()));
        assert_eq!(
            std::fs::metadata(&rpm).unwrap().len(),
            std::fs::metadata(source).unwrap().len(),
            "{} is cut short",
            rpm.display()
        );
    }
}

fn rpms_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(rpms_under(&path));
        } else if path.extension().is_some_and(|e| e == "rpm") {
            found.push(path);
        }
    }
    found
}

#[test]
fn a_full_disk_dooms_the_compose_and_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), "");
    let target = dir.path().join("composes");
    let Some(_mount) = Mount::tmpfs(&target, "size=2m") else {
        return;
    };
    let output = try_compose(&config, &target, &dir.path().join("cache"), &[]);
    let compose = assert_doomed(&output, &target, &["No space left on device"]);
    assert_no_temporaries(&compose);
    assert_packages_whole(&compose, &dir.path().join("input/repos"));
}

#[test]
fn status_becomes_doomed_on_a_full_disk() {
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().join("full");
    let Some(_mount) = Mount::tmpfs(&mount, "size=64k") else {
        return;
    };
    let status = mount.join("STATUS");
    write_status(&status, Status::Started).unwrap();
    let filler = std::fs::write(mount.join("filler"), vec![0u8; 128 << 10]);
    assert!(filler.is_err(), "the tmpfs is full");
    write_status(&status, Status::Doomed).unwrap();
    assert_eq!(std::fs::read_to_string(&status).unwrap(), "DOOMED\n");
    assert_no_temporaries(&mount);
    let error = write_status(&status, Status::FinishedIncomplete).unwrap_err();
    assert!(
        format!("{error:#}").contains("No space left on device"),
        "{error:#}"
    );
}

#[test]
fn a_read_only_target_directory_is_a_clear_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), "");
    let target = dir.path().join("composes");
    let Some(_mount) = Mount::tmpfs(&target, "ro,size=1m") else {
        return;
    };
    let output = try_compose(&config, &target, &dir.path().join("cache"), &[]);
    assert!(!output.status.success(), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&target.display().to_string()) && stderr.contains("Read-only file system"),
        "the error names the target and why: {}",
        describe(&output)
    );
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0);
}

/// Pkgset takes a repository's package list from its repodata; a package deleted from
/// the repository after that list was made is still in the pkgset document when Gather
/// comes to link it. (The compose has no hook between two phases, so the repodata made
/// before the deletion stands for the set Pkgset took.)
#[test]
fn a_package_removed_from_its_repository_after_pkgset_dooms_the_compose() {
    require_tool("createrepo_c", "createrepo-c");
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), "");
    let repo = dir.path().join("input/repos/x86_64");
    let created = Command::new("createrepo_c")
        .args(["--quiet", "--simple-md-filenames"])
        .arg(&repo)
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", describe(&created));
    let removed = rpms_under(&repo)
        .into_iter()
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("nginx-1")
        })
        .expect("the demo has nginx");
    std::fs::remove_file(&removed).unwrap();
    let name = removed.file_name().unwrap().to_string_lossy().into_owned();
    let target = dir.path().join("composes");
    let output = try_compose(&config, &target, &dir.path().join("cache"), &[]);
    let compose = assert_doomed(&output, &target, &["gather", &name]);
    assert_no_temporaries(&compose);
    assert!(
        rpms_under(&compose.join("compose")).iter().all(|p| p
            .file_name()
            .unwrap()
            .to_string_lossy()
            != name),
        "the missing package is in no tree"
    );
}

#[test]
fn a_hanging_command_is_killed_at_the_phase_time_limit_and_dooms_the_compose() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), "\nhostile_action = \"command-hang\"\n");
    let phases = phases_with_hostile(dir.path(), "init");
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[phase.init]\ndirs = { work = \"rw\" }\ncommands = [\"sleep\"]\ntime-seconds = 2\n",
    )
    .unwrap();
    let target = dir.path().join("composes");
    let output = try_compose(
        &config,
        &target,
        &dir.path().join("cache"),
        &[
            "--policy",
            policy.to_str().unwrap(),
            "--phases-dir",
            phases.to_str().unwrap(),
        ],
    );
    let compose = assert_doomed(&output, &target, &["init", "`sleep`", "killed"]);
    assert_no_temporaries(&compose);
}

/// A command that starts a background `sleep seconds`, notes in `/compose/sleeper.started`
/// that it did, and waits for it.
fn sleeper(timeout: Duration, seconds: &str) -> Invocation {
    Invocation {
        program: "sh".into(),
        args: vec![
            "-c".into(),
            format!("sleep {seconds} & echo started > sleeper.started; wait"),
        ],
        cwd: None,
        env: vec![],
        timeout: Some(timeout),
    }
}

/// Fails unless no `sleep seconds` runs any more (a zombie awaiting its reaper counts as
/// gone: its cmdline is empty).
fn assert_dead(seconds: &str) {
    let dead = common::eventually(|| common::processes_of("sleep", seconds).is_empty());
    assert!(
        dead,
        "the background `sleep {seconds}` outlived its command: {:?}",
        common::processes_of("sleep", seconds)
    );
}

/// What a command started in the background dies with it, when the command times out
/// and when the compose is terminated (`kill_running`, which the signal handler calls):
/// nothing keeps its output pipes open or runs on after the compose. One test, as
/// `kill_running` kills every command of the process.
#[test]
fn a_command_dies_with_everything_it_started_on_timeout_or_termination() {
    let dir = tempfile::tempdir().unwrap();
    let timed_out = dir.path().join("timed-out");
    // Durations no other process sleeps.
    let (first, second) = (
        format!("3598.{}", std::process::id()),
        format!("3597.{}", std::process::id()),
    );
    match run(
        &env_granting_sh(&timed_out),
        &sleeper(Duration::from_millis(500), &first),
    ) {
        Err(HostError::Timeout(message)) => {
            assert!(
                message.contains("`sh`") && message.contains("killed"),
                "{message}"
            )
        }
        other => panic!("the command should time out, got {other:?}"),
    }
    assert_dead(&first);

    let terminated = dir.path().join("terminated");
    let env = env_granting_sh(&terminated);
    let started = terminated.join("compose/sleeper.started");
    std::thread::scope(|scope| {
        let command = scope.spawn(|| run(&env, &sleeper(Duration::from_secs(3600), &second)));
        assert!(
            common::eventually(|| started.exists()),
            "the command started"
        );
        kill_running();
        let output = command.join().unwrap().expect("the command ran");
        assert_eq!(output.exit_code, None, "killed by a signal");
    });
    assert_dead(&second);
}

/// A phase env for a phase granted `sh` in a writable `/compose`.
fn env_granting_sh(root: &Path) -> PhaseEnv {
    let grant = Grant {
        commands: BTreeSet::from(["sh".to_owned()]),
        ..common::compose_grant(root, "hanger", Duration::from_secs(60))
    };
    common::phase_env(root, grant)
}

#[test]
fn a_trapping_phase_dooms_the_compose_and_its_panic_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), "\nhostile_action = \"panic\"\n");
    let phases = phases_with_hostile(dir.path(), "init");
    let target = dir.path().join("composes");
    let output = try_compose(
        &config,
        &target,
        &dir.path().join("cache"),
        &["--phases-dir", phases.to_str().unwrap()],
    );
    let compose = assert_doomed(&output, &target, &["init", "trapped"]);
    let log = std::fs::read_to_string(compose.join("logs/global/init.global.log")).unwrap();
    assert!(
        log.contains("hostile phase panics on purpose"),
        "the panic message is in the phase log:\n{log}"
    );
    assert_no_temporaries(&compose);
}
