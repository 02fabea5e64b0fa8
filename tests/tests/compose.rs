//! The demo compose end to end: every phase as a Wasm component, and the result checked
//! with the tools release engineers use (productmd, dnf).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pungi_tests::{
    compose, describe, dnf_install, python, require_tool, run_pungi, try_compose, write_demo,
};

struct Demo {
    _dir: tempfile::TempDir,
    input: PathBuf,
    target: PathBuf,
    cache: PathBuf,
    compose: PathBuf,
}

/// One demo compose shared by the tests of this file.
fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("input");
        write_demo(&input).unwrap();
        let target = dir.path().join("composes");
        let cache = dir.path().join("cache");
        let compose = compose(&input.join("demo.conf"), &target, &cache, &[]);
        Demo {
            _dir: dir,
            input,
            target,
            cache,
            compose,
        }
    })
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap()
}

#[test]
fn every_phase_ran_as_a_component_and_the_compose_finished() {
    let demo = demo();
    assert_eq!(read(&demo.compose.join("STATUS")), "FINISHED\n");
    assert_eq!(
        read(&demo.compose.join("COMPOSE_ID")),
        "Demo-1.0-20261123.n.0"
    );
    assert!(demo.compose.ends_with("Demo-1.0-20261123.n.0"));
    let report = json(&demo.compose.join("logs/global/phases.json"));
    let phases = report["phases"].as_array().unwrap();
    let names: Vec<&str> = phases.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "init",
            "pkgset",
            "gather",
            "extra_files",
            "createrepo",
            "createiso",
            "image_checksum",
            "test"
        ]
    );
    for phase in phases {
        let name = phase["name"].as_str().unwrap();
        assert_eq!(phase["result"], "done", "{phase}");
        let sha = phase["component"].as_str().unwrap();
        assert_eq!(sha.len(), 64, "{name}: component named by sha256");
        let log = read(&demo.compose.join(format!("logs/global/{name}.global.log")));
        assert!(
            log.contains(&format!("sha256 {sha}")),
            "{name} log names its component:\n{log}"
        );
    }
}

#[test]
fn trees_hold_the_gathered_packages_with_repodata() {
    let demo = demo();
    let compose = demo.compose.join("compose");
    for tree in [
        "Server/x86_64/os",
        "Server/aarch64/os",
        "Server-optional/x86_64/os",
        "Everything/x86_64/os",
        "Server/source/tree",
        "Server/x86_64/debug/tree",
    ] {
        assert!(
            compose.join(tree).join("repodata/repomd.xml").is_file(),
            "{tree} has repodata"
        );
    }
    let rpms = json(&compose.join("metadata/rpms.json"));
    assert_eq!(rpms["header"]["type"], "productmd.rpms");
    let server = &rpms["payload"]["rpms"]["Server"]["x86_64"];
    let mut categories = std::collections::BTreeSet::new();
    for (srpm, packages) in server.as_object().unwrap() {
        assert!(srpm.ends_with(".src"), "{srpm}");
        for (nevra, entry) in packages.as_object().unwrap() {
            let path = entry["path"].as_str().unwrap();
            assert!(compose.join(path).is_file(), "{nevra}: {path} exists");
            categories.insert(entry["category"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(
        categories.into_iter().collect::<Vec<_>>(),
        ["binary", "debug", "source"]
    );
    // Filtered in the config for Server, and not pulled in by anything else.
    assert!(
        !server.to_string().contains("\"yum-"),
        "filter_packages keeps yum out of Server"
    );
    // A package of the parent is not repeated in the optional child.
    let optional = rpms["payload"]["rpms"]["Server-optional"]["x86_64"].to_string();
    assert!(
        !optional.contains("\"bash-0:"),
        "bash ships in Server, not again in Server-optional"
    );
    assert!(
        optional.contains("glibc-devel"),
        "additional_packages for Server-optional"
    );
}

#[test]
fn productmd_loads_the_metadata() {
    let demo = demo();
    let script = r#"
import sys
import productmd.compose
c = productmd.compose.Compose(sys.argv[1])
print(c.info.compose.id)
print(",".join(sorted(v.uid for v in c.info.get_variants(recursive=True))))
print(sum(len(srpms) for arches in c.rpms.rpms.values() for srpms in arches.values()))
print(len(c.images.images))
import productmd.modules
m = productmd.modules.Modules()
m.load(sys.argv[1] + "/compose/metadata/modules.json")
print(m.compose.id, len(m.modules))
"#;
    let output = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(&demo.compose)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "Demo-1.0-20261123.n.0");
    assert_eq!(lines[1], "Everything,Server,Server-optional");
    assert!(lines[2].parse::<usize>().unwrap() > 50, "{stdout}");
    assert_eq!(lines[3], "3", "every variant ships images: {stdout}");
    // Written into every compose, as Pungi does; empty without modules.
    assert_eq!(lines[4], "Demo-1.0-20261123.n.0 0");
}

#[test]
fn dnf_installs_from_the_server_repository() {
    let scratch = tempfile::tempdir().unwrap();
    dnf_install(
        &demo().compose.join("compose/Server/x86_64/os"),
        scratch.path(),
        &["httpd", "vim-enhanced"],
        &["httpd", "vim-enhanced", "bash", "glibc"],
    );
}

#[test]
fn dnf_repoclosure_agrees_with_the_test_phase() {
    require_tool("dnf", "dnf dnf-plugins-core");
    let demo = demo();
    let log = read(
        &demo
            .compose
            .join("logs/test/x86_64/repoclosure-Server.x86_64.log"),
    );
    assert!(log.contains("no unresolved dependencies"), "{log}");
    let cache = tempfile::tempdir().unwrap();
    let output = Command::new("dnf")
        .args([
            "-q",
            "--setopt=reposdir=/dev/null",
            "--forcearch=x86_64",
            "--releasever=1",
        ])
        .arg(format!("--setopt=cachedir={}", cache.path().display()))
        .arg(format!(
            "--repofrompath=server,file://{}",
            demo.compose.join("compose/Server/x86_64/os").display()
        ))
        .args(["repoclosure", "--repo=server"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", describe(&output));
}

#[test]
fn audit_log_verifies_and_tampering_is_found() {
    let demo = demo();
    let verify = run_pungi(
        &["audit", "verify", demo.compose.to_str().unwrap()],
        &demo.cache,
    );
    assert!(verify.status.success(), "{}", describe(&verify));
    let copy = tempfile::tempdir().unwrap();
    let log = read(&demo.compose.join("logs/global/audit.jsonl"));
    assert!(log.contains("\"interface\":\"files\",\"operation\":\"link\""));
    std::fs::create_dir_all(copy.path().join("logs/global")).unwrap();
    let tampered = log.replacen("\"operation\":\"link\"", "\"operation\":\"lynk\"", 1);
    let line = log
        .lines()
        .position(|l| l.contains("\"operation\":\"link\""))
        .unwrap()
        + 2;
    std::fs::write(copy.path().join("logs/global/audit.jsonl"), tampered).unwrap();
    let broken = run_pungi(
        &["audit", "verify", copy.path().to_str().unwrap()],
        &demo.cache,
    );
    assert!(!broken.status.success());
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(
        stderr.contains(&format!("audit.jsonl:{line}: chain broken")),
        "{stderr}"
    );
}

#[test]
fn a_second_compose_is_a_new_respin_and_loads_components_from_the_cache() {
    let demo = demo();
    let again = compose(
        &demo.input.join("demo.conf"),
        &demo.target,
        &demo.cache,
        &["--skip-phase", "test"],
    );
    assert!(
        again.ends_with("Demo-1.0-20261123.n.1"),
        "{}",
        again.display()
    );
    let report = json(&again.join("logs/global/phases.json"));
    for phase in report["phases"].as_array().unwrap() {
        assert_eq!(phase["from_cache"], true, "{phase}");
    }
    let first = json(&demo.compose.join("compose/metadata/rpms.json"));
    let second = json(&again.join("compose/metadata/rpms.json"));
    assert_eq!(
        first["payload"]["rpms"], second["payload"]["rpms"],
        "same inputs, same packages"
    );
    let repomd = |c: &Path| read(&c.join("compose/Server/x86_64/os/repodata/repomd.xml"));
    assert_eq!(
        repomd(&demo.compose),
        repomd(&again),
        "same inputs, byte-identical repodata"
    );
}

/// A copy of the demo compose an auditor may damage without touching the shared one.
fn copy_of_demo() -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    let status = Command::new("cp")
        .arg("-r")
        .arg(format!("{}/.", demo().compose.display()))
        .arg(copy.path())
        .status()
        .unwrap();
    assert!(status.success());
    copy
}

#[test]
fn audit_verify_checks_components_and_every_output_checksum() {
    let demo = demo();
    let verify = |dir: &Path| run_pungi(&["audit", "verify", dir.to_str().unwrap()], &demo.cache);
    let ok = verify(&demo.compose);
    assert!(ok.status.success(), "{}", describe(&ok));
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(stdout.contains("8 phase runs"), "{stdout}");
    assert!(stdout.contains("repositories"), "{stdout}");

    let damaged = copy_of_demo();
    let package = std::fs::read_dir(damaged.path().join("compose/Server/x86_64/os/Packages"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == "rpm"))
        .unwrap();
    let mut bytes = std::fs::read(&package).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&package, bytes).unwrap();
    let broken = verify(damaged.path());
    assert!(!broken.status.success());
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(
        stderr.contains(package.file_name().unwrap().to_str().unwrap()),
        "{stderr}"
    );

    let relocked = copy_of_demo();
    let lock = relocked.path().join("logs/global/components.lock");
    let text = read(&lock);
    let gather = text
        .lines()
        .find(|l| l.starts_with("gather"))
        .unwrap()
        .to_owned();
    std::fs::write(
        &lock,
        text.replace(&gather, &format!("gather = \"{}\"", "0".repeat(64))),
    )
    .unwrap();
    let refused = verify(relocked.path());
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("phase `gather`"), "{stderr}");
}

#[test]
fn a_changed_component_is_refused_before_it_runs() {
    let demo = demo();
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("pungi-wasm.lock");
    let made = run_pungi(
        &["phase", "lock", "--output", lock.to_str().unwrap()],
        &demo.cache,
    );
    assert!(made.status.success(), "{}", describe(&made));
    let text = read(&lock);
    let createrepo = text
        .lines()
        .find(|l| l.starts_with("createrepo"))
        .unwrap()
        .to_owned();
    std::fs::write(
        &lock,
        text.replace(&createrepo, &format!("createrepo = \"{}\"", "f".repeat(64))),
    )
    .unwrap();
    let target = dir.path().join("composes");
    let output = try_compose(
        &demo.input.join("demo.conf"),
        &target,
        &demo.cache,
        &["--lock", lock.to_str().unwrap()],
    );
    assert!(!output.status.success(), "{}", describe(&output));
    let (compose, status) = pungi_tests::only_compose(&target);
    assert_eq!(status, "DOOMED\n");
    let report = json(&compose.join("logs/global/phases.json"));
    let last = report["phases"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["name"], "createrepo");
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .contains("refusing to run"),
        "{last}"
    );
}

#[test]
fn restricted_refuses_a_policy_wider_than_the_stock_one() {
    let demo = demo();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[phase.gather]\ndirs = { repos = \"rw\", compose = \"rw\", work = \"rw\" }\ncommands = [\"sh\"]\n").unwrap();
    let target = dir.path().join("composes");
    let refused = try_compose(
        &demo.input.join("demo.conf"),
        &target,
        &demo.cache,
        &[
            "--policy",
            policy.to_str().unwrap(),
            "--just-phase",
            "gather",
            "--restricted",
        ],
    );
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("phase `gather`") && stderr.contains("`sh`") && stderr.contains("Repos"),
        "{stderr}"
    );
    assert!(
        !target.exists(),
        "nothing is composed when the policy is refused"
    );
}

/// Input repositories that carry repodata give the compose their changelogs, as Pungi's
/// createrepo (which reuses the package set's metadata) does: every package of a tree
/// has in `other.xml` the changelog entries the input's `other.xml` has for it.
#[test]
fn changelogs_of_input_repodata_reach_the_compose() {
    require_tool("createrepo_c", "createrepo-c");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    write_demo(&input).unwrap();
    for repo in ["x86_64", "aarch64", "src"] {
        let output = Command::new("createrepo_c")
            .arg("-q")
            .arg(input.join("repos").join(repo))
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", describe(&output));
    }
    let compose = compose(
        &input.join("demo.conf"),
        &dir.path().join("composes"),
        &dir.path().join("cache"),
        &["--skip-phase", "createiso", "--skip-phase", "test"],
    );
    let with_changelogs = pungi_repodata::ReadOptions {
        filelists: false,
        changelogs: true,
    };
    let changelogs = |repo: &Path| {
        pungi_repodata::read_repo(repo, &with_changelogs)
            .unwrap()
            .into_iter()
            .map(|p| ((p.name.clone(), p.arch.clone()), p.changelogs))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let given = changelogs(&input.join("repos/x86_64"));
    let made = changelogs(&compose.join("compose/Server/x86_64/os"));
    assert!(!made.is_empty());
    let mut entries = 0;
    for (package, theirs) in &made {
        assert_eq!(Some(theirs), given.get(package), "{package:?}");
        entries += theirs.len();
    }
    assert!(entries > 0, "the demo's packages have changelogs");

    // No ISO was made, so composeinfo.json names no ISO directory (as Pungi lists only
    // those that exist); the demo compose, which makes them, names Server's.
    let listed_isos = |compose: &Path| {
        let info = json(&compose.join("compose/metadata/composeinfo.json"));
        let paths = &info["payload"]["variants"]["Server"]["paths"];
        (
            paths.get("isos").cloned(),
            paths.get("source_isos").cloned(),
        )
    };
    assert_eq!(listed_isos(&compose), (None, None));
    let (isos, source_isos) = listed_isos(&demo().compose);
    assert_eq!(isos.unwrap()["x86_64"], "Server/x86_64/iso");
    assert_eq!(source_isos.unwrap()["x86_64"], "Server/source/iso");
}

/// With `pkgset_source = "repos"` the repositories of every arch are one pool, as in
/// Pungi (pungi/phases/pkgset/sources/source_repos.py builds one global package set from
/// the files of all arches): a noarch package only the x86_64 repository holds is
/// still offered, and shipped, on aarch64.
#[test]
fn a_noarch_package_of_one_arch_repository_serves_every_arch() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    write_demo(&input).unwrap();
    std::fs::remove_file(input.join("repos/aarch64/basesystem-11-20.dm1.noarch.rpm")).unwrap();
    let compose = compose(
        &input.join("demo.conf"),
        &dir.path().join("composes"),
        &dir.path().join("cache"),
        &["--skip-phase", "createiso", "--skip-phase", "test"],
    );
    let packages = compose.join("compose/Server/aarch64/os/Packages");
    assert!(
        packages.join("basesystem-11-20.dm1.noarch.rpm").is_file(),
        "basesystem is missing from Server.aarch64"
    );
}

/// Every os tree of a variant that is not an addon carries `.treeinfo` (productmd loads
/// and validates it, and its checksum of repomd.xml holds), `.discinfo` and `media.repo`
/// in Pungi's formats; a DVD carries its own at its root, with `[media]` naming the
/// disc.
#[test]
fn trees_and_discs_are_installable_media() {
    require_tool("xorriso", "xorriso");
    let demo = demo();
    let compose = demo.compose.join("compose");
    let dvd = std::fs::read_dir(compose.join("Server/x86_64/iso"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "iso"))
        .expect("a Server x86_64 DVD");
    let disc = demo.target.join("disc-media");
    std::fs::create_dir_all(&disc).unwrap();
    for file in [".treeinfo", ".discinfo", "media.repo"] {
        let output = Command::new("xorriso")
            .args(["-osirrox", "on", "-indev"])
            .arg(&dvd)
            .arg("-extract")
            .arg(format!("/{file}"))
            .arg(disc.join(file))
            .output()
            .unwrap();
        assert!(output.status.success(), "{file}: {}", describe(&output));
    }
    let tree = compose.join("Server/x86_64/os");
    let script = r#"
import hashlib, os, sys
import productmd.treeinfo
for root in sys.argv[1:]:
    ti = productmd.treeinfo.TreeInfo()
    ti.load(os.path.join(root, ".treeinfo"))
    ti.validate()
    variant = ti.variants["Server"]
    for path, (kind, digest) in ti.checksums.checksums.items():
        if os.path.exists(os.path.join(root, path)):
            found = hashlib.new(kind, open(os.path.join(root, path), "rb").read()).hexdigest()
            assert found == digest, (root, path)
    print(ti.release.name, ti.release.version, ti.tree.arch, variant.type,
          variant.paths.packages, ti.media.discnum, sorted(ti.checksums.checksums))
"#;
    let output = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(&tree)
        .arg(&disc)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "Demo 1.0 x86_64 variant Packages None ['repodata/repomd.xml']",
            "Demo 1.0 x86_64 variant Packages 1 ['repodata/repomd.xml']",
        ]
    );
    let discinfo = read(&tree.join(".discinfo"));
    let lines: Vec<&str> = discinfo.lines().collect();
    assert_eq!(lines[1..], ["Demo 1.0", "x86_64", "ALL"]);
    assert!(lines[0].parse::<u64>().is_ok(), "{discinfo}");
    let on_disc = read(&disc.join(".discinfo"));
    assert_eq!(on_disc.lines().nth(3), Some("1"), "{on_disc}");
    assert!(read(&tree.join("media.repo")).starts_with("[InstallMedia]\nname=Demo 1.0\nmediaid="),);
    assert_eq!(
        read(&disc.join("media.repo")),
        read(&tree.join("media.repo"))
    );
    // The source tree is no installation tree.
    assert!(!compose.join("Server/source/tree/.treeinfo").exists());
}
