//! The `pungi-koji` flags a release engineer's cron job passes: `--notification-script`
//! (Pungi's message names and fields, in order), `--print-output-dir`, `--quiet`, the
//! latest link and its flags, `--compose-dir`, `--koji-event`, and `config dump` in
//! `pungi-config-dump`'s shape.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use pungi_tests::{demo_config, describe, python, run_pungi, try_compose};
use serde_json::Value;

/// A notification script in `dir` that appends `<message> <json>` lines to `messages`.
fn recorder(dir: &Path) -> (PathBuf, PathBuf) {
    let messages = dir.join("messages");
    let script = dir.join("notify.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s ' \"$1\" >> '{0}'\ncat >> '{0}'\necho >> '{0}'\n",
            messages.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, messages)
}

/// The messages recorded: (name, fields).
fn recorded(messages: &Path) -> Vec<(String, Value)> {
    std::fs::read_to_string(messages)
        .unwrap_or_default()
        .lines()
        .map(|line| {
            let (name, json) = line.split_once(' ').expect("`<message> <json>`");
            (name.to_owned(), serde_json::from_str(json).expect(line))
        })
        .collect()
}

fn position(messages: &[(String, Value)], name: &str, phase: Option<&str>) -> usize {
    messages
        .iter()
        .position(|(n, f)| n == name && phase.is_none_or(|p| f["phase_name"] == p))
        .unwrap_or_else(|| panic!("no {name} {phase:?} in {messages:#?}"))
}

#[test]
fn the_notification_script_gets_pungis_messages_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), "");
    let (script, log) = recorder(dir.path());
    let target = dir.path().join("composes");
    let output = try_compose(
        &config,
        &target,
        &dir.path().join("cache"),
        &["--notification-script", script.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", describe(&output));
    let compose = target.join("Demo-1.0-20261123.n.0");
    let messages = recorded(&log);

    // Every message of a compose carries the compose's fields (Pungi's _update_args).
    for (name, fields) in &messages {
        assert_eq!(fields["compose_id"], "Demo-1.0-20261123.n.0", "{name}");
        assert_eq!(fields["compose_path"], compose.to_str().unwrap(), "{name}");
        let location = compose.join("compose");
        assert_eq!(fields["location"], location.to_str().unwrap(), "{name}");
        assert_eq!(fields["compose_date"], "20261123");
        assert_eq!(fields["compose_type"], "nightly");
        assert_eq!(fields["compose_respin"], 0);
        assert_eq!(fields["compose_label"], Value::Null);
        assert_eq!(fields["release_short"], "Demo");
        assert_eq!(fields["release_name"], "Demo");
        assert_eq!(fields["release_version"], "1.0");
        assert_eq!(fields["release_type"], "ga");
        assert_eq!(fields["release_is_layered"], false);
    }
    let (first, last) = (&messages[0], messages.last().unwrap());
    assert_eq!(
        (first.0.as_str(), &first.1["status"]),
        ("status-change", &"STARTED".into())
    );
    assert_eq!(
        (last.0.as_str(), &last.1["status"]),
        ("status-change", &"FINISHED".into())
    );

    // Each phase that ran: phase-start, then phase-stop; init first, test last.
    let phases: Vec<&str> = [
        "init",
        "pkgset",
        "gather",
        "createrepo",
        "createiso",
        "image_checksum",
        "test",
    ]
    .to_vec();
    for phase in &phases {
        let start = position(&messages, "phase-start", Some(phase));
        let stop = position(&messages, "phase-stop", Some(phase));
        assert!(start < stop, "{phase}: start {start}, stop {stop}");
    }
    assert!(
        position(&messages, "phase-stop", Some("init"))
            < position(&messages, "phase-start", Some("pkgset"))
    );
    assert!(
        position(&messages, "phase-stop", Some("image_checksum"))
            < position(&messages, "phase-start", Some("test"))
    );
    assert!(
        !messages
            .iter()
            .any(|(_, f)| f["phase_name"] == "buildinstall"),
        "a phase that does not run sends nothing"
    );

    // Createiso: its targets, then each image, between its start and stop.
    let targets = position(&messages, "createiso-targets", None);
    assert!(position(&messages, "phase-start", Some("createiso")) < targets);
    let files: Vec<&str> = messages[targets].1["deliverables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(!files.is_empty());
    let done: Vec<&(String, Value)> = messages
        .iter()
        .filter(|(n, _)| n == "createiso-imagedone")
        .collect();
    assert_eq!(done.len(), files.len());
    for (_, fields) in &done {
        let file = fields["file"].as_str().unwrap();
        assert!(files.contains(&file) && Path::new(file).is_file(), "{file}");
        assert!(file.starts_with(compose.join("compose").to_str().unwrap()));
        assert!(fields["arch"].is_string() && fields["variant"].is_string());
    }
    let last_done = messages
        .iter()
        .rposition(|(n, _)| n == "createiso-imagedone")
        .unwrap();
    assert!(
        targets < last_done && last_done < position(&messages, "phase-stop", Some("createiso"))
    );

    // The scripts' output is kept where Pungi keeps it; the latest link is made.
    assert!(compose.join("logs/notifications").is_dir());
    let link = std::fs::read_link(target.join("latest-Demo-1")).unwrap();
    assert_eq!(link, Path::new("Demo-1.0-20261123.n.0"));
}

#[test]
fn a_compose_that_cannot_start_sends_fail_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), "");
    let (script, log) = recorder(dir.path());
    let target = dir.path().join("composes");
    let output = run_pungi(
        &[
            "compose",
            "--config",
            config.to_str().unwrap(),
            "--target-dir",
            target.to_str().unwrap(),
            "--notification-script",
            script.to_str().unwrap(),
        ],
        &dir.path().join("cache"),
    );
    assert!(!output.status.success());
    let messages = recorded(&log);
    assert_eq!(messages.len(), 1, "{messages:#?}");
    let (name, fields) = &messages[0];
    assert_eq!(name, "fail-to-start");
    assert!(
        fields["detail"].as_str().unwrap().contains("--label"),
        "{fields}"
    );
    assert_eq!(fields["config"], config.to_str().unwrap());
    assert_eq!(fields["target_dir"], target.to_str().unwrap());
    assert!(
        fields["command"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "--notification-script")
    );
    assert!(fields.get("compose_id").is_none());
}

/// A quick compose (init and pkgset only) into `target` with `extra` flags.
fn quick(config: &Path, target: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--just-phase", "init"];
    args.extend_from_slice(extra);
    let output = try_compose(config, target, &target.with_extension("cache"), &args);
    assert!(output.status.success(), "{}", describe(&output));
    output
}

#[test]
fn print_output_dir_quiet_and_the_latest_link_flags() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), "");
    let link = |target: &Path| std::fs::read_link(target.join("latest-Demo-1")).ok();

    let target = dir.path().join("quiet");
    let output = quick(&config, &target, &["--quiet", "--print-output-dir"]);
    let compose = target.canonicalize().unwrap().join("Demo-1.0-20261123.n.0");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("Compose dir: {}\n", compose.display())
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(link(&target), Some(PathBuf::from("Demo-1.0-20261123.n.0")));

    let target = dir.path().join("no-link");
    quick(&config, &target, &["--no-latest-link"]);
    assert_eq!(link(&target), None);

    let target = dir.path().join("other-status");
    quick(
        &config,
        &target,
        &["--latest-link-status", "FINISHED_INCOMPLETE"],
    );
    assert_eq!(link(&target), None);

    let target = dir.path().join("named-status");
    let extra = [
        "--latest-link-status",
        "finished",
        "--latest-link-components",
        "0",
    ];
    quick(&config, &target, &extra);
    let named = std::fs::read_link(target.join("latest-Demo")).unwrap();
    assert_eq!(named, Path::new("Demo-1.0-20261123.n.0"));

    // A second compose of the day moves the link to itself.
    quick(&config, &target, &extra);
    let moved = std::fs::read_link(target.join("latest-Demo")).unwrap();
    assert_eq!(moved, Path::new("Demo-1.0-20261123.n.1"));
}

#[test]
fn compose_dir_koji_event_and_supported() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), "");
    let compose = dir.path().join("out/mine");
    let output = run_pungi(
        &[
            "compose",
            "--config",
            config.to_str().unwrap(),
            "--compose-dir",
            compose.to_str().unwrap(),
            "--nightly",
            "--compose-date",
            "20261123",
            "--just-phase",
            "init",
            "--koji-event",
            "4242",
            "--supported",
        ],
        &dir.path().join("cache"),
    );
    assert!(output.status.success(), "{}", describe(&output));
    let read = |p: &str| std::fs::read_to_string(compose.join(p)).unwrap();
    assert_eq!(read("STATUS"), "FINISHED\n");
    assert_eq!(read("COMPOSE_ID"), "Demo-1.0-20261123.n.0");
    let dump: Value = serde_json::from_str(&read("logs/global/config-dump.global.log")).unwrap();
    assert_eq!(dump["koji_event"], 4242);
    let info: Value = serde_json::from_str(&read("compose/metadata/composeinfo.json")).unwrap();
    assert_eq!(info["payload"]["compose"]["final"], true);
    let link = std::fs::read_link(dir.path().join("out/latest-Demo-1")).unwrap();
    assert_eq!(link, Path::new("mine"));
}

#[test]
fn config_dump_prints_the_resolved_config_as_pungi_config_dump() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_config(dir.path(), "");
    let cache = dir.path().join("cache");
    let dump = |args: &[&str]| {
        let mut all = vec!["config", "dump"];
        all.extend_from_slice(args);
        let output = run_pungi(&all, &cache);
        assert!(output.status.success(), "{}", describe(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    let text = dump(&[config.to_str().unwrap()]);
    // Byte for byte what Python's json.dump(sort_keys=True, indent=4) writes.
    let script = "import json,sys; t=sys.stdin.read(); sys.stdout.write(json.dumps(json.loads(t), sort_keys=True, indent=4))";
    let mut python = Command::new(python())
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    python
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let reformatted = python.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&reformatted.stdout), text);

    let resolved: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(resolved["release_short"], "Demo");
    // Options left out come with Pungi's defaults; --just-dump leaves them out.
    assert_eq!(resolved["translate_paths"], serde_json::json!([]), "{text}");
    let written: Value =
        serde_json::from_str(&dump(&["--just-dump", config.to_str().unwrap()])).unwrap();
    assert!(written.get("translate_paths").is_none());
    assert_eq!(written["createrepo_checksum"], "sha256");
    let frozen: Value =
        serde_json::from_str(&dump(&["--freeze-event", "7", config.to_str().unwrap()])).unwrap();
    assert_eq!(frozen["koji_event"], 7);

    // A compose keeps the same dump, which `config dump COMPOSE_DIR` prints back.
    let target = dir.path().join("composes");
    quick(&config, &target, &[]);
    let compose = target.join("Demo-1.0-20261123.n.0");
    assert_eq!(dump(&[compose.to_str().unwrap()]), text);
}
