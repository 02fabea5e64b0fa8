//! Pungi's SCM dicts for `comps_file` and `variants_file`: fetched by the host from a
//! local git repository at a branch, after the dict's `command`, before phases run, and
//! recorded in the audit log; a broken dict stops the compose naming the option; a
//! `command` runs in the command jail.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use pungi_host::audit::digest;
use pungi_tests::{compose, demo_config, describe, try_compose};
use serde_json::Value;

/// A group only the comps made by the repository's `command` has.
const SCM_ONLY_GROUP: &str = "<group>
    <id>scm-only</id>
    <name>SCM only</name>
    <description>Made by the command in the checkout</description>
    <default>false</default>
    <uservisible>true</uservisible>
    <packagelist>
      <packagereq type=\"mandatory\">bash</packagereq>
    </packagelist>
  </group>
  ";

/// Runs git in `repo` with no configuration of the machine's, returning its stdout.
fn git(repo: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git starts");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        describe(&output)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A git repository beside the demo input whose branch `f40` holds `comps-src.xml` (the
/// demo comps with the `scm-only` group) and `variants.xml` (the demo variants with
/// Server asking for that group); `main`, checked out, has neither.
fn comps_repository(input: &Path) -> PathBuf {
    let repo = input.parent().unwrap().join("comps-repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("README"), "comps\n").unwrap();
    git(&repo, &["add", "README"]);
    git(&repo, &["commit", "-q", "-m", "main"]);
    git(&repo, &["checkout", "-q", "-b", "f40"]);
    let comps = std::fs::read_to_string(input.join("comps.xml")).unwrap();
    let variants = std::fs::read_to_string(input.join("variants.xml")).unwrap();
    std::fs::write(
        repo.join("comps-src.xml"),
        comps.replacen("<group>", &format!("{SCM_ONLY_GROUP}<group>"), 1),
    )
    .unwrap();
    std::fs::write(
        repo.join("variants.xml"),
        variants.replacen(
            "<group>web-server</group>",
            "<group>web-server</group><group>scm-only</group>",
            1,
        ),
    )
    .unwrap();
    git(&repo, &["add", "comps-src.xml", "variants.xml"]);
    git(&repo, &["commit", "-q", "-m", "f40"]);
    git(&repo, &["checkout", "-q", "main"]);
    repo
}

/// The demo config with `extra` appended, and the line `extra` starts on.
fn config_with(dir: &Path, extra: &str) -> (PathBuf, usize) {
    let config = demo_config(dir, "");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = if text.ends_with('\n') {
        text
    } else {
        text + "\n"
    };
    let line = text.lines().count() + 1;
    std::fs::write(&config, text + extra).unwrap();
    (config, line)
}

/// The `audit`/`scm-fetch` records of the compose at `compose`, by option.
fn fetch_records(compose: &Path) -> Vec<Value> {
    std::fs::read_to_string(compose.join("logs/global/audit.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|r| r["interface"] == "audit" && r["operation"] == "scm-fetch")
        .map(|r| r["args"].clone())
        .collect()
}

fn record_of<'a>(records: &'a [Value], option: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["option"] == option)
        .unwrap_or_else(|| panic!("no fetch of {option} in {records:#?}"))
}

#[test]
fn comps_and_variants_come_from_a_git_branch_after_its_command() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    let config = demo_config(dir.path(), "");
    let repo = comps_repository(&input);
    let extra = format!(
        r#"
comps_file = {{"scm": "git", "repo": "{repo}", "branch": "f40", "file": "comps.xml",
              "command": "cp comps-src.xml comps.xml"}}
variants_file = {{"scm": "git", "repo": "file://{repo}", "branch": "f40", "file": "variants.xml"}}
"#,
        repo = repo.display()
    );
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text + &extra).unwrap();
    // The local files the config named before are gone: only the fetched ones can serve.
    std::fs::remove_file(input.join("comps.xml")).unwrap();
    std::fs::remove_file(input.join("variants.xml")).unwrap();

    let compose = compose(
        &config,
        &dir.path().join("target"),
        &dir.path().join("cache"),
        &[],
    );

    let f40 = git(&repo, &["rev-parse", "f40"]);
    let generated = git(&repo, &["show", "f40:comps-src.xml"]);
    let work = compose.join("work");
    let fetched_comps = std::fs::read(work.join("global/comps/comps-global.xml")).unwrap();
    assert_eq!(String::from_utf8_lossy(&fetched_comps).trim(), generated);
    let server =
        std::fs::read_to_string(work.join("x86_64/comps/comps-Server.x86_64.xml")).unwrap();
    assert!(server.contains("<id>scm-only</id>"), "{server}");
    let fetched_variants = std::fs::read(work.join("global/variants.xml")).unwrap();

    let records = fetch_records(&compose);
    let comps = record_of(&records, "comps_file");
    assert_eq!(comps["scm"], "git");
    assert_eq!(comps["branch"], "f40");
    assert_eq!(comps["commit"], f40.as_str());
    assert_eq!(comps["command"], "cp comps-src.xml comps.xml");
    assert_eq!(comps["files"][0]["path"], "global/comps/comps-global.xml");
    assert_eq!(comps["files"][0]["sha256"], digest(&fetched_comps));
    let variants = record_of(&records, "variants_file");
    assert_eq!(variants["commit"], f40.as_str());
    assert_eq!(variants["files"][0]["sha256"], digest(&fetched_variants));

    let verified = common::audit::verify(&compose, &[]);
    assert!(verified.status.success(), "{}", describe(&verified));
}

#[test]
fn scm_file_is_relative_to_the_config_dir() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = config_with(
        dir.path(),
        "comps_file = {\"scm\": \"file\", \"repo\": None, \"file\": \"comps.xml\"}\n",
    );
    let compose = compose(
        &config,
        &dir.path().join("target"),
        &dir.path().join("cache"),
        &["--just-phase", "init"],
    );
    let local = std::fs::read(dir.path().join("input/comps.xml")).unwrap();
    let fetched = std::fs::read(compose.join("work/global/comps/comps-global.xml")).unwrap();
    assert_eq!(fetched, local);
    let records = fetch_records(&compose);
    let comps = record_of(&records, "comps_file");
    assert_eq!(comps["scm"], "file");
    assert_eq!(comps["commit"], Value::Null);
    assert_eq!(comps["files"][0]["sha256"], digest(&local));
}

#[test]
fn a_broken_scm_dict_stops_the_compose_naming_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let repo = comps_repository(demo_config(dir.path(), "").parent().unwrap());
    let repo = repo.display();
    let cases = [
        (
            r#"comps_file = {"scm": "git", "file": "comps.xml"}"#.to_owned(),
            "comps_file",
            "`repo` is required",
        ),
        (
            format!(r#"comps_file = {{"scm": "svn", "repo": "{repo}", "file": "comps.xml"}}"#),
            "comps_file",
            "unknown \"scm\": \"svn\"",
        ),
        (
            format!(
                r#"variants_file = {{"scm": "git", "repo": "{repo}", "branch": "f41", "file": "variants.xml"}}"#
            ),
            "variants_file",
            "branch `f41` cannot be fetched",
        ),
        (
            format!(
                r#"variants_file = {{"scm": "git", "repo": "{repo}", "branch": "f40", "file": "missing.xml"}}"#
            ),
            "variants_file",
            "missing.xml",
        ),
        (
            format!(
                r#"comps_file = {{"scm": "git", "repo": "{repo}", "branch": "f40", "file": "comps.xml", "command": "exit 3"}}"#
            ),
            "comps_file",
            "\"exit 3\" failed in the checkout: exited with status 3",
        ),
        (
            r#"comps_file = {"scm": "git", "repo": "https://pagure.io/fedora-comps.git", "file": "comps.xml"}"#.to_owned(),
            "comps_file",
            "only local repositories",
        ),
    ];
    for (assignment, option, expected) in cases {
        let case = tempfile::tempdir().unwrap();
        let (config, line) = config_with(case.path(), &format!("{assignment}\n"));
        let target = case.path().join("target");
        let output = try_compose(&config, &target, &case.path().join("cache"), &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success(),
            "{assignment}: {}",
            describe(&output)
        );
        let at = format!("{}:{line}:", config.display());
        for needle in [at.as_str(), &format!("option `{option}`"), expected] {
            assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
        }
        assert!(
            !target.exists(),
            "{assignment}: a compose directory was made"
        );
    }
}

#[test]
fn a_hostile_command_runs_in_the_jail() {
    let dir = tempfile::tempdir().unwrap();
    let repo = comps_repository(demo_config(dir.path(), "").parent().unwrap());
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "host secret\n").unwrap();
    let outside = dir.path().join("escaped");
    let commands = [
        format!("cp {} comps.xml", secret.display()),
        format!("touch {}", outside.display()),
        "touch /scm/source/planted".to_owned(),
        "cat /root/.bashrc /etc/shadow > comps.xml".to_owned(),
    ];
    for command in commands {
        let case = tempfile::tempdir().unwrap();
        let (config, _) = config_with(
            case.path(),
            &format!(
                "comps_file = {{\"scm\": \"git\", \"repo\": \"{}\", \"branch\": \"f40\", \
                 \"file\": \"comps.xml\", \"command\": \"{command}\"}}\n",
                repo.display()
            ),
        );
        let output = try_compose(
            &config,
            &case.path().join("target"),
            &case.path().join("cache"),
            &[],
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{command}: {}", describe(&output));
        assert!(
            stderr.contains("option `comps_file`") && stderr.contains("failed in the checkout"),
            "{command}: {stderr}"
        );
    }
    assert!(!outside.exists());
    assert!(!repo.join("planted").exists());
    assert_eq!(git(&repo, &["status", "--porcelain"]), "");
}
