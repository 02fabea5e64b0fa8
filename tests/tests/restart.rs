//! `compose --restart`: a compose killed while Createrepo runs continues in its own
//! directory, keeps the phases that had finished, and ends with the same repodata and
//! rpms.json as a compose that was never interrupted. And a compose stopped with SIGTERM
//! says so in STATUS.

use std::path::{Path, PathBuf};
use std::process::Command;

use pungi_fixtures::synth::{SynthOptions, write_synth};
use pungi_tests::{compose, describe, phases_dir, pungi_wasm, require_tool, run_pungi};

const DATE: &str = "20261123";

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// The only compose directory under `target`, once it exists.
fn compose_dir(target: &Path) -> Option<PathBuf> {
    std::fs::read_dir(target)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
}

/// Files by path relative to a directory, with their bytes.
type Files = Vec<(PathBuf, Vec<u8>)>;

/// Every file under `dir`.
fn files(dir: &Path) -> Files {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                found.push((path.strip_prefix(dir).unwrap().to_path_buf(), bytes));
            }
        }
    }
    found.sort();
    found
}

/// The repodata of every tree of a compose, keyed by tree.
fn repodata(compose: &Path) -> Vec<(PathBuf, Files)> {
    let root = compose.join("compose");
    let mut trees: Vec<_> = files(&root)
        .into_iter()
        .filter_map(|(path, _)| {
            path.ends_with("repodata/repomd.xml")
                .then(|| path.parent().unwrap().to_path_buf())
        })
        .collect();
    trees.sort();
    trees
        .into_iter()
        .map(|tree| {
            let content = files(&root.join(&tree));
            (tree, content)
        })
        .collect()
}

/// Starts a compose of `config` into `target` in the background.
fn spawn_compose(config: &str, target: &Path, cache: &Path, extra: &[&str]) -> std::process::Child {
    Command::new(pungi_wasm())
        .args(["compose", "--config", config, "--target-dir"])
        .arg(target)
        .args(extra)
        .env("PUNGI_WASM_CACHE", cache)
        .env("PUNGI_WASM_PHASES", phases_dir())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("pungi-wasm starts")
}

/// Waits until phase `phase` of the compose `child` writes into `target` has started
/// (its log exists); returns the compose directory.
fn wait_for_phase(child: &mut std::process::Child, target: &Path, phase: &str) -> PathBuf {
    loop {
        if let Some(compose) = compose_dir(target)
            && compose
                .join(format!("logs/global/{phase}.global.log"))
                .exists()
        {
            return compose;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the compose ended ({status}) before {phase} started");
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

#[test]
fn sigterm_ends_a_compose_terminated() {
    require_tool("kill", "procps");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    pungi_tests::write_demo(&input).unwrap();
    let target = dir.path().join("composes");
    let mut child = spawn_compose(
        input.join("demo.conf").to_str().unwrap(),
        &target,
        &dir.path().join("cache"),
        &["--nightly", "--compose-date", DATE],
    );
    let compose = wait_for_phase(&mut child, &target, "pkgset");
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert_eq!(read(&compose.join("STATUS")), "TERMINATED\n");
}

#[test]
fn a_compose_killed_in_createrepo_restarts_keeping_what_had_finished() {
    let dir = tempfile::tempdir().unwrap();
    // The generated corpus (1,000 package names, 2,404 RPMs, Createrepo takes about half
    // a second), composed even where the generator leaves a dependency unresolved.
    let input = write_synth(&dir.path().join("input"), &SynthOptions::default()).unwrap();
    let corpus = input.root.join("corpus.conf");
    std::fs::write(&corpus, "from synth import *\n\ncheck_deps = False\n").unwrap();
    let cache = dir.path().join("cache");
    let config = corpus.to_str().unwrap().to_owned();
    let common = ["--nightly", "--compose-date", DATE, "--skip-phase", "test"];

    let reference = compose(
        &corpus,
        &dir.path().join("reference"),
        &cache,
        &["--skip-phase", "test"],
    );

    // The same compose, killed as soon as Createrepo has started.
    let target = dir.path().join("interrupted");
    let mut child = spawn_compose(&config, &target, &cache, &common);
    let killed = wait_for_phase(&mut child, &target, "createrepo");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(read(&killed.join("STATUS")), "STARTED\n");
    let state = json(&killed.join("state/phase-state.json"));
    for finished in ["init", "pkgset", "gather"] {
        assert!(state["phases"][finished].is_object(), "{finished}: {state}");
    }
    assert!(
        state["phases"]["createrepo"].is_null(),
        "killed while Createrepo ran: {state}"
    );

    let mut args = vec!["compose", "--config", &config, "--restart"];
    args.push(killed.to_str().unwrap());
    args.extend(common);
    let restarted = run_pungi(&args, &cache);
    assert!(restarted.status.success(), "{}", describe(&restarted));
    assert_eq!(read(&killed.join("STATUS")), "FINISHED\n");
    assert_eq!(
        read(&killed.join("COMPOSE_ID")),
        read(&reference.join("COMPOSE_ID"))
    );
    let report = json(&killed.join("logs/global/phases.json"));
    let result = |name: &str| {
        report["phases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {report}"))["result"]
            .clone()
    };
    for kept in ["init", "pkgset", "gather"] {
        assert_eq!(result(kept), "kept", "{kept}");
        let log = read(&killed.join(format!("logs/global/{kept}.global.log")));
        assert!(
            log.contains(&format!(
                "phase {kept}: kept from the interrupted run (inputs unchanged)"
            )),
            "{log}"
        );
    }
    assert_eq!(result("createrepo"), "done");

    assert_eq!(
        read(&killed.join("compose/metadata/rpms.json")),
        read(&reference.join("compose/metadata/rpms.json"))
    );
    let (ours, theirs) = (repodata(&killed), repodata(&reference));
    assert!(!ours.is_empty());
    assert_eq!(
        ours.iter().map(|(tree, _)| tree).collect::<Vec<_>>(),
        theirs.iter().map(|(tree, _)| tree).collect::<Vec<_>>()
    );
    for ((tree, a), (_, b)) in ours.iter().zip(&theirs) {
        assert!(a == b, "{}: repodata differs", tree.display());
    }

    // Restarted once more, the finished compose has nothing left to run.
    let again = run_pungi(&args, &cache);
    assert!(again.status.success(), "{}", describe(&again));
    let report = json(&killed.join("logs/global/phases.json"));
    for phase in report["phases"].as_array().unwrap() {
        assert_eq!(phase["result"], "kept", "{phase}");
    }
}

#[test]
fn a_restart_refuses_a_compose_these_options_do_not_make() {
    let dir = tempfile::tempdir().unwrap();
    let compose_dir = dir.path().join("Other-2.0-20261123.n.0");
    std::fs::create_dir_all(&compose_dir).unwrap();
    std::fs::write(compose_dir.join("COMPOSE_ID"), "Other-2.0-20261123.n.0").unwrap();
    let input = dir.path().join("input");
    pungi_tests::write_demo(&input).unwrap();
    let output = run_pungi(
        &[
            "compose",
            "--config",
            input.join("demo.conf").to_str().unwrap(),
            "--nightly",
            "--compose-date",
            DATE,
            "--restart",
            compose_dir.to_str().unwrap(),
        ],
        &dir.path().join("cache"),
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Other-2.0-20261123.n.0") && stderr.contains("Demo-1.0-20261123.n"),
        "{}",
        describe(&output)
    );
}
