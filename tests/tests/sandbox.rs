//! The sandbox holds: a hostile phase component (`tests/components/hostile`) tries, one
//! action per test, something its grant does not allow, and each test checks that the
//! host refused it (or stopped the phase with the right limit), that the message names
//! what was refused, that nothing changed outside the grant on disk and, for capability
//! calls, that the audit log recorded the refusal and still verifies.

mod common;

use std::path::Path;
use std::time::Duration;

use common::hostile::*;
use pungi_host::runtime::{PhaseFailure, WitVersionError};

#[test]
fn harness_works_with_a_harmless_run() {
    let run = run("ok", None, &[]);
    let report = run.result.as_ref().expect("the `ok` action succeeds");
    assert_eq!(report.message, "hostile phase did nothing");
    run.sandbox
        .assert_audited("config", "get", "ok", "hostile_action");
}

#[test]
fn reading_etc_passwd_is_refused() {
    run("read-etc-passwd", None, &[]).denied(&["reading /etc/passwd"]);
}

#[test]
fn dotdot_out_of_a_mount_is_refused() {
    run("read-dotdot", None, &[]).denied(&["reading /compose/../../etc/passwd"]);
}

#[test]
fn relative_path_out_of_the_sandbox_is_refused() {
    run("read-relative", None, &[]).denied(&["reading ../x"]);
}

#[test]
fn symlink_out_of_a_mount_is_not_followed() {
    run("follow-symlink", None, &[]).denied(&["reading /compose/escape/passwd"]);
}

#[test]
fn writing_into_a_read_only_mount_is_refused() {
    run("write-readonly", None, &[]).denied(&["writing /work/written-by-hostile"]);
}

#[test]
fn writing_outside_every_mount_is_refused() {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let target = std::env::temp_dir().join(format!("pungi-hostile-{}-{nanos}", std::process::id()));
    let target = target.to_str().unwrap().to_owned();
    run("write-other-dir", Some(&target), &[]).denied(&[&format!("writing {target}")]);
    assert!(!Path::new(&target).exists(), "{target} was written");
}

#[test]
fn linking_out_of_and_into_the_grant_is_refused() {
    let run = run("link-out", None, &[]);
    run.denied(&["/etc/pungi-hostile-link", "/etc/passwd", "denied"]);
    assert!(!Path::new("/etc/pungi-hostile-link").exists());
    for needle in ["/etc/pungi-hostile-link", "\"source\":\"/etc/passwd\""] {
        run.sandbox
            .assert_audited("files", "link", "denied", needle);
    }
}

#[test]
fn a_batch_link_through_a_symlink_out_is_refused_and_audited() {
    let run = run(
        "link-many-out",
        None,
        &["compose/batch", "compose/batch/kept.txt"],
    );
    run.denied(&["/compose/escape/pungi-hostile-batch", "denied"]);
    assert!(!Path::new("/etc/pungi-hostile-batch").exists());
    assert!(run.sandbox.path("compose/batch/kept.txt").is_file());
    run.sandbox
        .assert_audited("files", "link-many", "denied", "pungi-hostile-batch");
}

#[test]
fn a_background_link_through_a_symlink_out_is_refused_and_a_dropped_batch_still_placed() {
    let run = run(
        "background-links-out",
        None,
        &[
            "compose/batch",
            "compose/batch/kept.txt",
            "compose/batch/dropped.txt",
        ],
    );
    run.denied(&["/compose/escape/pungi-hostile-background", "denied"]);
    assert!(!Path::new("/etc/pungi-hostile-background").exists());
    // Placed by the time the phase is reported ended, finished or not.
    assert!(run.sandbox.path("compose/batch/kept.txt").is_file());
    assert!(run.sandbox.path("compose/batch/dropped.txt").is_file());
    run.sandbox
        .assert_audited("files", "start-links", "denied", "pungi-hostile-background");
    run.sandbox
        .assert_audited("files", "start-links", "ok", "dropped.txt");
}

#[test]
fn a_link_batch_of_millions_is_refused_whole_and_recorded_by_its_size() {
    // Making 6,000,000 paths takes the phase longer than the sandbox's 2 s.
    let run = run_with("link-many-of", Some("3000000"), &[], |grant| {
        grant.limits.memory_bytes = 1 << 30;
        grant.limits.time = Duration::from_secs(60);
    });
    run.denied(&["a batch holds at most 16384 links; this one has 3000000"]);
    let log = std::fs::read_to_string(run.sandbox.path("audit.jsonl")).unwrap();
    assert!(
        log.len() < 4096,
        "{} bytes of audit for one refused batch",
        log.len()
    );
    run.sandbox
        .assert_audited("files", "link-many", "error", "3000000");
}

#[test]
fn a_phase_granted_no_documents_cannot_make_the_host_copy_a_document_sized_call() {
    // The same batch as above, from a phase that may write no document: the largest
    // call it has reason to make is a full link batch, so wasmtime stops copying the
    // batch out of the guest at that size, before the host holds any of it.
    let run = run_with("link-many-of", Some("3000000"), &[], |grant| {
        grant.limits.memory_bytes = 1 << 30;
        grant.limits.time = Duration::from_secs(60);
        grant.metadata_write.clear();
    });
    match &run.result {
        Err(failure @ PhaseFailure::CallTooLarge { largest_call, .. }) => {
            assert_eq!(*largest_call, 36 << 20);
            assert!(failure.to_string().contains("at most 36 MiB"), "{failure}");
        }
        other => panic!("expected the call to be too large, got {other:?}"),
    }
    assert!(
        run.sandbox
            .audit()
            .iter()
            .all(|call| call["operation"] != "link-many"),
        "the batch reached the host"
    );
}

#[test]
fn a_link_from_a_read_only_mount_does_not_make_it_writable() {
    let run = run("link-then-write", None, &["compose/linked.txt"]);
    run.denied(&["/work/ro.txt kept its content"]);
}

#[test]
fn hashing_outside_the_grant_is_refused() {
    let run = run("digest-out", None, &[]);
    run.denied(&["hashing /etc/passwd", "denied"]);
    run.sandbox
        .assert_audited("files", "digest", "denied", "/etc/passwd");
}

#[test]
fn a_command_not_granted_is_refused() {
    let run = run("command-not-granted", None, &[]);
    run.denied(&["`cat`", "denied", "granted: ls"]);
    run.sandbox
        .assert_audited("command", "run", "denied", "\"cat\"");
}

#[test]
fn a_command_sees_its_mounts_at_the_phases_paths_and_no_host_file_beside_them() {
    let run = run("command-path-arg", None, &[]);
    let listing = run.denied(&["contained: `ls /etc` in the jail"]);
    assert!(listing.contains("ld.so.cache"), "{listing}");
    // The phase's own path, recorded as it gave it: nothing is translated.
    run.sandbox
        .assert_audited("command", "run", "ok", "[\"/compose\"]");
    run.sandbox
        .assert_audited("command", "run", "ok", "[\"/etc\"]");
}

#[test]
fn a_command_by_absolute_path_is_refused() {
    let run = run("command-absolute-program", None, &[]);
    run.denied(&["`/bin/ls`", "denied"]);
    run.sandbox
        .assert_audited("command", "run", "denied", "\"/bin/ls\"");
}

#[test]
fn a_command_working_directory_outside_the_grant_is_refused() {
    let run = run("command-cwd-outside", None, &[]);
    run.denied(&["`/etc`", "denied"]);
    run.sandbox
        .assert_audited("command", "run", "denied", "\"cwd\":\"/etc\"");
}

#[test]
fn a_relative_command_argument_climbs_only_to_the_jails_root() {
    let run = run("command-relative-arg", None, &[]);
    let listing = run.denied(&["contained: `ls ..` in the jail"]);
    for entry in ["compose", "work", "usr"] {
        assert!(listing.contains(entry), "{listing}");
    }
}

#[test]
fn a_command_cannot_be_given_loader_variables() {
    let run = run("command-env-ldpreload", None, &[]);
    run.denied(&["LD_PRELOAD", "denied"]);
    run.sandbox.assert_audited("command", "run", "denied", "ls");
}

#[test]
fn metadata_documents_not_granted_are_refused() {
    let run = run("metadata-not-granted", None, &[]);
    run.denied(&["document `secret`", "document `pkgset`", "denied"]);
    run.sandbox
        .assert_audited("metadata", "read", "denied", "\"secret\"");
    run.sandbox
        .assert_audited("metadata", "write", "denied", "\"pkgset\"");
}

#[test]
fn a_document_nested_past_any_parser_is_refused() {
    let run = run("document-too-deep", None, &[]);
    run.denied(&["nests arrays and objects more than 128 deep"]);
    run.sandbox
        .assert_audited("metadata", "write", "error", "allowed-out");
    assert!(!run.sandbox.path("metadata/allowed-out.json").exists());
}

#[test]
fn a_document_larger_than_a_quarter_of_the_memory_limit_is_refused() {
    let run = run("document-too-large", None, &[]);
    run.denied(&["is 18 MiB, more than the 16 MiB phase `hostile` may handle"]);
    assert!(!run.sandbox.path("metadata/allowed-out.json").exists());
}

#[test]
fn the_environment_is_empty() {
    assert!(
        std::env::var_os("HOME").is_some() || std::env::var_os("PATH").is_some(),
        "the test process itself should have an environment to leak"
    );
    let run = run("env", None, &[]);
    let report = run.result.as_ref().expect("the `env` action reports");
    let count = |name: &str| {
        report
            .counts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    };
    assert_eq!(count("vars"), Some(0), "{}", report.message);
    assert_eq!(count("home"), Some(0), "{}", report.message);
}

#[test]
fn the_network_is_unreachable() {
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    tcp.set_nonblocking(true).unwrap();
    let address = tcp.local_addr().unwrap();
    let udp = std::net::UdpSocket::bind(address).ok();
    let run = run("network", Some(&address.to_string()), &[]);
    run.denied(&[&format!("connecting to {address}")]);
    assert_eq!(
        tcp.accept().map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock,
        "the phase reached the listener"
    );
    if let Some(udp) = udp {
        udp.set_nonblocking(true).unwrap();
        let mut buffer = [0u8; 16];
        assert!(udp.recv(&mut buffer).is_err(), "a datagram got out");
    }
}

#[test]
fn a_memory_bomb_is_stopped_at_the_limit() {
    let run = run("memory-bomb", None, &[]);
    match &run.result {
        Err(failure @ PhaseFailure::MemoryLimit { limit }) => {
            assert_eq!(*limit, MEMORY_LIMIT);
            assert!(failure.to_string().contains("64 MiB"), "{failure}");
        }
        other => panic!("expected the memory limit, got {other:?}"),
    }
}

#[test]
fn an_infinite_loop_is_stopped_at_the_time_limit() {
    let run = run("infinite-loop", None, &[]);
    match &run.result {
        Err(failure @ PhaseFailure::TimeLimit { limit }) => {
            assert_eq!(*limit, TIME_LIMIT);
            assert!(failure.to_string().contains("2 s"), "{failure}");
        }
        other => panic!("expected the time limit, got {other:?}"),
    }
    assert!(
        run.elapsed < TIME_LIMIT * 3,
        "stopped only after {:?}",
        run.elapsed
    );
}

#[test]
fn commands_one_after_another_end_at_the_phase_time_limit() {
    let run = run("commands-past-the-limit", None, &[]);
    run.denied(&["`sleep` was killed", "the phase's time limit (2 s) ran out"]);
    assert!(
        run.elapsed < TIME_LIMIT + Duration::from_secs(1),
        "the phase outlived its limit: {:?}",
        run.elapsed
    );
}

/// Resident memory of this test process, in bytes.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kib| kib << 10)
        .expect("VmRSS in /proc/self/status")
}

#[test]
fn a_stdout_flood_ends_without_growing_the_host() {
    let before = resident_bytes();
    let run = run("stdout-flood", None, &[]);
    let grown = resident_bytes().saturating_sub(before);
    assert!(
        matches!(run.result, Err(PhaseFailure::OutputLimit { limit }) if limit == OUTPUT_LIMIT),
        "expected the output limit, got {:?}",
        run.result
    );
    assert!(
        run.elapsed < TIME_LIMIT * 3,
        "ran for {:?} before it ended",
        run.elapsed
    );
    // Other tests run alongside in this process, so the bound is loose; an unbounded
    // capture of two seconds of 1 KiB lines would be far beyond it.
    assert!(grown < 256 << 20, "the host grew by {} MiB", grown >> 20);
}

#[test]
fn a_log_flood_is_stopped_at_the_output_limit() {
    let run = run("log-flood", None, &[]);
    assert!(
        matches!(run.result, Err(PhaseFailure::LogLimit { limit }) if limit == 16 * OUTPUT_LIMIT),
        "expected the log limit, got {:?}",
        run.result
    );
    assert!(run.elapsed < TIME_LIMIT * 3, "ran for {:?}", run.elapsed);
}

#[test]
fn a_stdout_flood_is_reported_as_the_output_limit() {
    let run = run("stdout-flood", None, &[]);
    let failure = run.result.as_ref().expect_err("the flood cannot succeed");
    let message = failure.to_string();
    assert!(
        message.contains("output") && message.contains("64 KiB"),
        "{message:?} should name the output limit"
    );
}

#[test]
fn a_panic_is_a_trap_with_its_message() {
    let run = run("panic", None, &[]);
    match &run.result {
        Err(PhaseFailure::Trap { stderr, .. }) => assert!(
            stderr.contains("hostile phase panics on purpose"),
            "stderr: {stderr}"
        ),
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn a_component_built_for_a_newer_wit_is_refused_naming_both_versions() {
    let path = component_path("pungi_test_future_wit.wasm");
    let error = match shared().runtime.load(&path) {
        Ok(_) => panic!("a pungi:phase@0.2.0 component was loaded"),
        Err(error) => error,
    };
    let version = error
        .downcast_ref::<WitVersionError>()
        .unwrap_or_else(|| panic!("expected a WitVersionError, got {error:#}"));
    assert_eq!(version.found, "0.2.0");
    assert_eq!(version.supported, "0.1.2");
    let message = error.to_string();
    for needle in [
        "pungi:phase@0.2.0",
        "pungi:phase@0.1.2",
        "pungi_test_future_wit",
    ] {
        assert!(message.contains(needle), "{message:?} should name {needle}");
    }
}

#[test]
fn a_component_built_against_0_1_0_runs_on_the_0_1_1_host() {
    let component = shared()
        .runtime
        .load(&component_path("pungi_test_wit_0_1_0.wasm"))
        .expect("a pungi:phase@0.1.0 component loads");
    assert_eq!(component.wit_version.as_deref(), Some("0.1.0"));
    let sandbox = Sandbox::new();
    let env = sandbox.env("none", None);
    let report = shared()
        .runtime
        .run(&component, env)
        .expect("the 0.1.0 component runs");
    assert_eq!(report.message, "linked with pungi:phase@0.1.0");
    use std::os::unix::fs::MetadataExt;
    let (source, linked) = (
        std::fs::metadata(sandbox.path("compose/legacy-source")).unwrap(),
        std::fs::metadata(sandbox.path("compose/legacy-linked")).unwrap(),
    );
    assert_eq!(
        source.ino(),
        linked.ino(),
        "files.link@0.1.0 made a hardlink"
    );
    sandbox.assert_audited("files", "link", "ok", "legacy-linked");
}
