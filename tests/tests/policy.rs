//! Policy grants finer than whole locations: a phase granted one variant's tree cannot
//! write another's, and a command granted with argument patterns runs with nothing else:
//! no injected options, no paths outside its mounts, no shell.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use pungi_host::capabilities::command::{Invocation, run};
use pungi_host::capabilities::{HostError, PhaseEnv};
use pungi_host::policy::Grant;
use pungi_tests::{describe, phases_with_hostile, try_compose, write_demo};

mod common;

fn env_with_ls_patterns(root: &Path) -> PhaseEnv {
    let grant = Grant {
        command_args: BTreeMap::from([("ls".to_owned(), vec!["-1".to_owned(), "*".to_owned()])]),
        ..common::compose_grant(root, "lister", Duration::from_secs(5))
    };
    common::phase_env(root, grant)
}

fn ls(env: &PhaseEnv, args: &[&str]) -> Result<String, HostError> {
    run(
        env,
        &Invocation {
            program: "ls".into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            cwd: None,
            env: vec![],
            timeout: None,
        },
    )
    .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_command_runs_only_with_arguments_its_patterns_allow() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_with_ls_patterns(dir.path());
    std::fs::write(dir.path().join("compose/a.rpm"), "").unwrap();
    assert_eq!(ls(&env, &["-1", "/compose"]).unwrap(), "a.rpm\n");

    for (args, needle) in [
        (&["--format=long", "/compose"][..], "--format=long"),
        (&["-1", "-R", "/compose"][..], "`-R`"),
    ] {
        match ls(&env, args) {
            Err(HostError::Denied(message)) => assert!(message.contains(needle), "{message}"),
            other => panic!("{args:?} should be denied, got {other:?}"),
        }
    }
    // Paths the patterns allow name what the jail holds: its own /etc, its own root.
    let etc = ls(&env, &["-1", "/etc"]).unwrap();
    assert!(
        etc.contains("ld.so.cache") && !etc.contains("passwd"),
        "{etc}"
    );
    let root = ls(&env, &["-1", "../.."]).unwrap();
    assert!(root.contains("compose") && root.contains("usr"), "{root}");
    assert!(!root.contains("home") && !root.contains("root"), "{root}");
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert_eq!(
        audit.matches("\"outcome\":\"denied\"").count(),
        2,
        "{audit}"
    );
}

#[test]
fn shell_metacharacters_are_plain_bytes_because_no_shell_runs() {
    let dir = tempfile::tempdir().unwrap();
    let env = env_with_ls_patterns(dir.path());
    let victim = dir.path().join("compose/keep");
    std::fs::write(&victim, "").unwrap();
    let planted = format!("$(rm {});`rm {}`", victim.display(), victim.display());
    for arg in [
        planted.as_str(),
        "x; rm -rf keep",
        "a && touch pwned",
        "|id",
    ] {
        let result = ls(&env, &["-1", arg]);
        // ls is run and complains that no such file exists; nothing else happens.
        assert!(result.is_ok(), "{arg}: {result:?}");
    }
    assert!(victim.exists(), "no shell ran the planted command");
    assert!(!dir.path().join("compose/pwned").exists());
}

#[test]
fn a_phase_granted_one_variant_cannot_write_into_another() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    write_demo(&input).unwrap();
    // The hostile test component stands in for gather; its grant is only Server's tree.
    let phases = phases_with_hostile(dir.path(), "gather");
    let config = input.join("demo.conf");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\nhostile_action = \"write-other-dir\"\nhostile_arg = \"/compose/Everything/x86_64/os/evil.rpm\"\n");
    std::fs::write(&config, text).unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[phase.gather]\nmounts = [{ guest = \"/compose/Server\", path = \"compose/Server\", mode = \"rw\" }]\n",
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
    assert!(!output.status.success(), "{}", describe(&output));
    let (compose, status) = pungi_tests::only_compose(&target);
    assert_eq!(status, "DOOMED\n");
    assert!(
        !compose
            .join("compose/Everything/x86_64/os/evil.rpm")
            .exists()
    );
    assert!(
        compose.join("compose/Server").is_dir(),
        "its own tree was mounted"
    );
    let audit = std::fs::read_to_string(compose.join("logs/global/audit.jsonl")).unwrap();
    let end = audit
        .lines()
        .find(|l| l.contains("\"phase\":\"gather\"") && l.contains("\"operation\":\"end\""))
        .expect("the gather phase end is audited");
    assert!(
        end.contains("\"outcome\":\"error\"") && end.contains("evil.rpm"),
        "{end}"
    );
}

/// A phase its policy took out of the jail (`jail = false`) runs its commands natively:
/// its mount paths are translated to the host's, and any other absolute path is
/// refused, as the host can see no further than the arguments there.
#[test]
fn an_unjailed_phase_gets_its_paths_translated_and_others_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut env = env_with_ls_patterns(dir.path());
    env.grant.unjailed = true;
    std::fs::write(dir.path().join("compose/a.rpm"), "").unwrap();
    assert_eq!(ls(&env, &["-1", "/compose"]).unwrap(), "a.rpm\n");
    match ls(&env, &["-1", "/etc"]) {
        Err(HostError::Denied(message)) => assert!(message.contains("/etc"), "{message}"),
        other => panic!("/etc should be refused, got {other:?}"),
    }
}
