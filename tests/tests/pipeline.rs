//! The phase graph with third-party phases (`custom_phases`): where they run, that phases
//! overlap, failable deliverables, and the refusals that come before anything runs. The
//! custom component is `tests/components/custom` (built by `cargo xtask build`).

use std::path::{Path, PathBuf};

use pungi_tests::{describe, phases_dir, run_pungi, try_compose, write_demo};
use serde_json::Value;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// The demo inputs with the custom component copied to `phases/custom.wasm`; returns
/// the input directory and the component's sha256.
fn demo_with_component(dir: &Path) -> (PathBuf, String) {
    let input = dir.join("input");
    write_demo(&input).unwrap();
    let bytes = std::fs::read(phases_dir().join("pungi_test_custom.wasm"))
        .expect("build the test components with `cargo xtask build`");
    std::fs::create_dir_all(input.join("phases")).unwrap();
    std::fs::write(input.join("phases/custom.wasm"), &bytes).unwrap();
    (input, pungi_host::audit::digest(&bytes))
}

/// A config that includes the demo's and adds `custom_phases` (Python literal).
fn config_with(input: &Path, custom_phases: &str) -> PathBuf {
    let path = input.join("custom.conf");
    std::fs::write(
        &path,
        format!("from demo import *\n\ncustom_phases = {custom_phases}\n"),
    )
    .unwrap();
    path
}

fn policy_file(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("policy.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn entry(name: &str, sha: &str, placement: &str, config: &str, grant: &str) -> String {
    format!(
        "{{\"name\": \"{name}\", \"component\": \"phases/custom.wasm\", \"sha256\": \"{sha}\", {placement}, \"config\": {config}, \"grant\": {grant}}}"
    )
}

const MEET_GRANT: &str = "{\"dirs\": {\"work\": \"rw\"}, \"time-seconds\": 300}";

const APPROVALS: &str = r#"
[phase.count]
metadata-read = ["gather"]

[phase.meet_a]
dirs = { work = "rw" }
time-seconds = 300

[phase.meet_b]
dirs = { work = "rw" }
time-seconds = 300

[phase.incomplete]
"#;

fn phase<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in {report}"))
}

fn offsets(phase: &Value) -> (f64, f64) {
    (
        phase["start_offset"].as_f64().unwrap(),
        phase["end_offset"].as_f64().unwrap(),
    )
}

#[test]
fn custom_phases_run_where_placed_concurrently_and_may_fail_a_deliverable() {
    let dir = tempfile::tempdir().unwrap();
    let (input, sha) = demo_with_component(dir.path());
    let phases = [
        entry(
            "count",
            &sha,
            "\"before\": \"createrepo\"",
            "{\"action\": \"count\"}",
            "{\"metadata-read\": [\"gather\"]}",
        ),
        entry(
            "meet_a",
            &sha,
            "\"parallel_with\": \"createiso\"",
            "{\"action\": \"rendezvous\", \"me\": \"a\", \"peer\": \"b\"}",
            MEET_GRANT,
        ),
        entry(
            "meet_b",
            &sha,
            "\"parallel_with\": \"meet_a\"",
            "{\"action\": \"rendezvous\", \"me\": \"b\", \"peer\": \"a\"}",
            MEET_GRANT,
        ),
        entry(
            "incomplete",
            &sha,
            "\"after\": \"image_checksum\"",
            "{\"action\": \"fail-deliverable\"}",
            "{}",
        ),
    ];
    let config = config_with(&input, &format!("[\n    {}\n]", phases.join(",\n    ")));
    // A phase of Pungi's that this build lacks skips nothing.
    let text = read(&config) + "skip_phases = [\"buildinstall\", \"kiwibuild\"]\n";
    std::fs::write(&config, text).unwrap();
    let policy = policy_file(dir.path(), APPROVALS);
    let target = dir.path().join("composes");
    let output = try_compose(
        &config,
        &target,
        &dir.path().join("cache"),
        &["--policy", policy.to_str().unwrap(), "--skip-phase", "test"],
    );
    assert!(output.status.success(), "{}", describe(&output));
    let (compose, status) = pungi_tests::only_compose(&target);
    assert_eq!(status, "FINISHED_INCOMPLETE\n");
    let report = json(&compose.join("logs/global/phases.json"));

    // Placed before createrepo: after gather (what createrepo waits for), before createrepo.
    let names: Vec<&str> = report["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let at = |name: &str| names.iter().position(|n| *n == name).unwrap();
    assert!(
        at("gather") < at("count") && at("count") < at("createrepo"),
        "{names:?}"
    );
    let count = phase(&report, "count");
    assert_eq!(count["result"], "done", "{count}");
    assert_eq!(count["component"], sha.as_str());
    assert!(offsets(phase(&report, "gather")).1 <= offsets(count).0);
    assert!(offsets(count).1 <= offsets(phase(&report, "createrepo")).0);

    // Each waited for the other: they ran at the same time, and the offsets show it.
    let (a, b) = (
        offsets(phase(&report, "meet_a")),
        offsets(phase(&report, "meet_b")),
    );
    assert!(
        a.0 < b.1 && b.0 < a.1,
        "meet_a {a:?} and meet_b {b:?} overlap"
    );

    // A failable deliverable: reported, the compose stands, deliverables.json lists it.
    let incomplete = phase(&report, "incomplete");
    assert_eq!(incomplete["result"], "done");
    assert_eq!(incomplete["failed_deliverables"][0]["task_id"], 42);
    let deliverables = json(&compose.join("logs/global/deliverables.json"));
    assert_eq!(
        deliverables["failed"]["live"],
        serde_json::json!([["Server", "x86_64", "Workstation"]])
    );
    assert_eq!(deliverables["details"][0]["phase"], "incomplete");

    // Audited like the stock phases, with the component's sha256.
    let audit = read(&compose.join("logs/global/audit.jsonl"));
    assert!(
        audit
            .lines()
            .any(|l| l.contains("\"phase\":\"count\"") && l.contains(&sha)),
        "no audit record of the custom phase"
    );
}

#[test]
fn a_failed_phase_dooms_the_compose_running_phases_finish_and_no_new_one_starts() {
    let dir = tempfile::tempdir().unwrap();
    let (input, sha) = demo_with_component(dir.path());
    let message = "koji task 4242 failed, see https://koji.example/taskinfo?taskID=4242";
    let config = config_with(
        &input,
        &format!(
            "[{}]",
            entry(
                "broken",
                &sha,
                "\"parallel_with\": \"createrepo\"",
                &format!("{{\"action\": \"fail\", \"message\": \"{message}\"}}"),
                "{}",
            )
        ),
    );
    let policy = policy_file(dir.path(), "[phase.broken]\n");
    let target = dir.path().join("composes");
    let output = try_compose(
        &config,
        &target,
        &dir.path().join("cache"),
        &["--policy", policy.to_str().unwrap()],
    );
    assert!(!output.status.success(), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "error: phase broken failed: failed (input): {message}"
        )),
        "{stderr}"
    );
    let (compose, status) = pungi_tests::only_compose(&target);
    assert_eq!(status, "DOOMED\n");
    let report = json(&compose.join("logs/global/phases.json"));
    assert_eq!(phase(&report, "broken")["result"], "failed");
    // Started beside it, so it ran to its end.
    assert_eq!(phase(&report, "createrepo")["result"], "done");
    for waiting in ["createiso", "image_checksum", "test"] {
        let skipped = report["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == waiting)
            .unwrap_or_else(|| panic!("{waiting} not skipped: {report}"));
        assert_eq!(skipped["reason"], "not started: the compose is doomed");
    }
}

/// Runs a compose that must be refused before it starts; returns its stderr.
fn refused(dir: &Path, config: &Path, extra: &[&str]) -> String {
    let target = dir.join("composes");
    let output = try_compose(config, &target, &dir.join("cache"), extra);
    assert!(!output.status.success(), "{}", describe(&output));
    assert!(
        std::fs::read_dir(&target).map_or(true, |mut d| d.next().is_none()),
        "refused before a compose directory exists"
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_custom_phase_is_refused_without_approval_wider_than_approved_or_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (input, sha) = demo_with_component(dir.path());
    let count = |sha: &str, grant: &str| {
        config_with(
            &input,
            &format!(
                "[{}]",
                entry(
                    "count",
                    sha,
                    "\"after\": \"gather\"",
                    "{\"action\": \"count\"}",
                    grant
                )
            ),
        )
    };

    let config = count(&sha, "{\"metadata-read\": [\"gather\"]}");
    let missing = refused(dir.path(), &config, &[]);
    assert!(
        missing.contains("custom phase `count` is refused")
            && missing.contains("no [phase.count] section")
            && missing.contains("metadata-read = [\"gather\"]"),
        "{missing}"
    );

    let config = count(
        &sha,
        "{\"metadata-read\": [\"gather\", \"pkgset\"], \"dirs\": {\"compose\": \"rw\"}}",
    );
    let policy = policy_file(
        dir.path(),
        "[phase.count]\nmetadata-read = [\"gather\"]\ndirs = { compose = \"ro\" }\n",
    );
    let wider = refused(dir.path(), &config, &["--policy", policy.to_str().unwrap()]);
    assert!(
        wider.contains("document (read) `pkgset` is not granted by [phase.count]")
            && wider.contains("directory Compose is read-only by [phase.count]")
            && wider.contains("[phase.count]"),
        "{wider}"
    );

    let config = count(&"0".repeat(64), "{}");
    let changed = refused(dir.path(), &config, &["--policy", policy.to_str().unwrap()]);
    assert!(
        changed.contains(&format!("has sha256 {sha}"))
            && changed.contains("custom.conf:3:18: custom_phases[0] (`count`)"),
        "{changed}"
    );

    let config = count(&sha, "{\"metadata-read\": [\"gather\"]}");
    let restricted = refused(
        dir.path(),
        &config,
        &["--policy", policy.to_str().unwrap(), "--restricted"],
    );
    assert!(
        restricted.contains("phase `count`: document (read) `gather` is not granted by default"),
        "{restricted}"
    );
}

#[test]
fn a_custom_phase_entry_with_a_wrong_key_is_named_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let (input, sha) = demo_with_component(dir.path());
    let config = config_with(
        &input,
        &format!(
            "[\n    {{\"name\": \"count\", \"component\": \"phases/custom.wasm\", \"sha256\": \"{sha}\", \"afterwards\": \"gather\"}},\n]"
        ),
    );
    let stderr = refused(dir.path(), &config, &[]);
    assert!(
        stderr.contains("custom.conf:4:") && stderr.contains("afterwards"),
        "{stderr}"
    );
}

#[test]
fn phase_lock_pins_the_custom_phases_of_a_config() {
    let dir = tempfile::tempdir().unwrap();
    let (input, sha) = demo_with_component(dir.path());
    let config = config_with(
        &input,
        &format!(
            "[{}]",
            entry(
                "count",
                &sha,
                "\"after\": \"gather\"",
                "{\"action\": \"count\"}",
                "{\"metadata-read\": [\"gather\"]}"
            )
        ),
    );
    let policy = policy_file(dir.path(), APPROVALS);
    let cache = dir.path().join("cache");
    let lock = |name: &str, extra: &[&str]| {
        let path = dir.path().join(name);
        let mut args = vec!["phase", "lock", "--output", path.to_str().unwrap()];
        args.extend_from_slice(extra);
        let made = run_pungi(&args, &cache);
        assert!(made.status.success(), "{}", describe(&made));
        path
    };
    let with_custom = lock("with.lock", &["--config", config.to_str().unwrap()]);
    assert!(read(&with_custom).contains(&format!("count = \"{sha}\"")));
    let stock_only = lock("stock.lock", &[]);

    let compose_with = |lock: &Path, target: &str| {
        try_compose(
            &config,
            &dir.path().join(target),
            &cache,
            &[
                "--policy",
                policy.to_str().unwrap(),
                "--lock",
                lock.to_str().unwrap(),
                "--just-phase",
                "gather",
                "--just-phase",
                "count",
            ],
        )
    };
    let pinned = compose_with(&with_custom, "pinned");
    assert!(pinned.status.success(), "{}", describe(&pinned));
    let unpinned = compose_with(&stock_only, "unpinned");
    assert!(!unpinned.status.success());
    let stderr = String::from_utf8_lossy(&unpinned.stderr);
    assert!(
        stderr.contains("phase `count` is not pinned in the lock file"),
        "{}",
        describe(&unpinned)
    );
}
