//! Third-party phases: `docs/writing-a-phase.md` followed step by step from an empty
//! folder, and the two example phases of `examples/phases/` (`sbom`, `changelog-diff`)
//! in real composes of the demo.
//!
//! The phase built from the template compiles with cargo into
//! `target/third-party-phase` of the workspace (CARGO_TARGET_DIR), so the SDK's
//! dependencies compile once across runs instead of once per test run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pungi_fixtures::model::ChangelogEntry;
use pungi_fixtures::repo::write_repos;
use pungi_fixtures::{BuildSettings, Layout, demo_arches, demo_sources};
use pungi_tests::{compose, describe, phases_dir, pungi_wasm, python, workspace, write_demo};

mod common;

/// A fresh demo input in its own folder.
fn demo_input(dir: &Path) -> PathBuf {
    let input = dir.join("demo");
    write_demo(&input).expect("the demo input is written");
    input
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The sha256 `pungi-wasm phase inspect` prints for a component (docs step 5).
fn inspected_sha256(component: &Path, cache: &Path) -> String {
    let output = Command::new(pungi_wasm())
        .args(["phase", "inspect"])
        .arg(component)
        .env("PUNGI_WASM_CACHE", cache)
        .output()
        .expect("pungi-wasm starts");
    assert!(output.status.success(), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        stdout.contains("wit:         pungi:phase@0.1.2, runs on this host"),
        "{stdout}"
    );
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("sha256:"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| panic!("no sha256 line in:\n{stdout}"))
}

/// A `custom_phases` entry, as the docs write it.
fn entry(name: &str, component: &str, sha256: &str, grant: &str, config: &str) -> String {
    format!(
        r#"    {{
        "name": "{name}",
        "component": "{component}",
        "sha256": "{sha256}",
        "after": "createrepo",
        "failable": True,
        "config": {config},
        "grant": {grant},
    }},
"#
    )
}

/// `custom.conf` beside `demo.conf`: the demo plus `extra` options plus the entries.
fn custom_config(input: &Path, extra: &str, entries: &[String]) -> PathBuf {
    let path = input.join("custom.conf");
    let text = format!(
        "from demo import *\n{extra}\ncustom_phases = [\n{}]\n",
        entries.concat()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A policy file approving `sections` (`[phase.NAME]` bodies).
fn policy(input: &Path, sections: &[(&str, &str)]) -> PathBuf {
    let path = input.join("policy.toml");
    let text: String = sections
        .iter()
        .map(|(name, body)| format!("[phase.{name}]\n{body}\n\n"))
        .collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// Copies a built component to `input/phases/` and returns its config-relative path and
/// sha256.
fn place(component: &Path, input: &Path, cache: &Path) -> (String, String) {
    let name = component.file_name().unwrap().to_str().unwrap().to_owned();
    std::fs::create_dir_all(input.join("phases")).unwrap();
    std::fs::copy(component, input.join("phases").join(&name)).unwrap();
    (format!("phases/{name}"), inspected_sha256(component, cache))
}

/// The audited calls of one phase (each intent joined with its result).
fn audit_of(compose_dir: &Path, phase: &str) -> Vec<serde_json::Value> {
    common::audit::calls(&read(&compose_dir.join("logs/global/audit.jsonl")))
        .into_iter()
        .filter(|l| l["phase"] == phase)
        .collect()
}

#[test]
fn the_writing_a_phase_guide_works_from_an_empty_folder() {
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    let folder = scratch.path().join("my-phases");
    std::fs::create_dir(&folder).unwrap();

    // 2. Start the crate.
    let output = Command::new(pungi_wasm())
        .args(["phase", "new", "release_list"])
        .current_dir(&folder)
        .output()
        .expect("pungi-wasm starts");
    assert!(output.status.success(), "{}", describe(&output));
    let crate_dir = folder.join("release_list");
    for file in ["Cargo.toml", "src/lib.rs", ".gitignore"] {
        assert!(crate_dir.join(file).is_file(), "phase new wrote no {file}");
    }

    // 4. Build, outside this workspace (the crate is its own workspace).
    let target = workspace().join("target/third-party-phase");
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .current_dir(&crate_dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo starts");
    assert!(output.status.success(), "{}", describe(&output));
    let component = target.join("wasm32-wasip2/release/release_list.wasm");

    // 5 and 6. Inspect it, place it in the demo with a config and a policy.
    let input = demo_input(scratch.path());
    let (path, sha256) = place(&component, &input, &cache);
    let config = custom_config(
        &input,
        "",
        &[entry(
            "release_list",
            &path,
            &sha256,
            r#"{"dirs": {"compose": "rw"}, "metadata-read": ["gather", "pkgset_index"], "metadata-write": []}"#,
            r#"{"all_trees": False}"#,
        )],
    );
    let policy = policy(
        &input,
        &[(
            "release_list",
            "dirs = { compose = \"rw\" }\nmetadata-read = [\"gather\", \"pkgset_index\"]",
        )],
    );

    // 7. Compose.
    let composes = scratch.path().join("composes");
    let dir = compose(
        &config,
        &composes,
        &cache,
        &["--policy", policy.to_str().unwrap()],
    );

    // 8. See what it did: its output, its log, its calls in the audit log.
    let listing = json(&dir.join("compose/metadata/release_list.json"));
    assert_eq!(
        listing["compose_id"],
        dir.file_name().unwrap().to_str().unwrap()
    );
    let trees = listing["trees"].as_array().unwrap();
    assert!(
        trees
            .iter()
            .any(|t| t["variant"] == "Server" && t["arch"] == "x86_64"),
        "{listing}"
    );
    let server = trees
        .iter()
        .find(|t| t["variant"] == "Server" && t["arch"] == "x86_64")
        .unwrap();
    assert!(
        server["packages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str().unwrap().starts_with("bash-5")),
        "{server}"
    );
    assert!(dir.join("logs/global/release_list.global.log").is_file());
    let audit = audit_of(&dir, "release_list");
    assert!(
        audit.iter().all(|l| l["component"] == sha256.as_str()),
        "every call is recorded with the component's sha256"
    );
    assert!(
        audit.iter().any(|l| l["interface"] == "metadata"
            && l["operation"] == "read"
            && l["args"].to_string().contains("gather")
            && l["outcome"] == "ok"),
        "the audit log has the phase reading `gather`: {audit:#?}"
    );
    let verify = Command::new(pungi_wasm())
        .args(["audit", "verify"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", describe(&verify));
}

/// Composes the demo with the sbom example asking for `grant` under a policy whose sbom
/// section is `approved`; returns the tool's output and the target directory.
fn sbom_asking(grant: &str, approved: &str) -> (std::process::Output, PathBuf, tempfile::TempDir) {
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    let input = demo_input(scratch.path());
    let (path, sha256) = place(
        &phases_dir().join("pungi_example_sbom.wasm"),
        &input,
        &cache,
    );
    let config = custom_config(&input, "", &[entry("sbom", &path, &sha256, grant, "{}")]);
    let policy = policy(&input, &[("sbom", approved)]);
    let composes = scratch.path().join("composes");
    let output = pungi_tests::try_compose(
        &config,
        &composes,
        &cache,
        &["--policy", policy.to_str().unwrap()],
    );
    (output, composes, scratch)
}

#[test]
fn a_grant_wider_than_the_policy_is_refused_before_the_compose_starts() {
    let (output, _, _scratch) = sbom_asking(
        r#"{"dirs": {"compose": "rw", "work": "rw"}, "metadata-read": ["gather", "pkgset"]}"#,
        "dirs = { compose = \"rw\" }\nmetadata-read = [\"gather\", \"pkgset\"]",
    );
    assert!(!output.status.success(), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("sbom") && stderr.contains("work"),
        "{stderr}"
    );
}

#[test]
fn a_program_a_phase_needs_that_is_not_installed_is_named_before_the_compose_starts() {
    let (output, composes, _scratch) = sbom_asking(
        r#"{"dirs": {"compose": "rw"}, "commands": ["pungi-no-such-program"]}"#,
        "dirs = { compose = \"rw\" }\ncommands = [\"pungi-no-such-program\"]",
    );
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not installed on this host")
            && stderr.contains("pungi-no-such-program (needed by sbom)"),
        "{stderr}"
    );
    let made = std::fs::read_dir(&composes).map_or(0, |d| d.count());
    assert_eq!(made, 0, "a compose directory was made before the check");
}

/// The demo composed once with the sbom example, shared by the sbom tests.
fn sbom_compose() -> &'static (tempfile::TempDir, PathBuf) {
    static COMPOSE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    COMPOSE.get_or_init(|| {
        let scratch = tempfile::tempdir().unwrap();
        let cache = scratch.path().join("cache");
        let input = demo_input(scratch.path());
        let (path, sha256) = place(
            &phases_dir().join("pungi_example_sbom.wasm"),
            &input,
            &cache,
        );
        let config = custom_config(
            &input,
            "",
            &[entry(
                "sbom",
                &path,
                &sha256,
                r#"{"dirs": {"compose": "rw"}, "metadata-read": ["gather", "pkgset"]}"#,
                r#"{"namespace": "https://demo.example/spdx"}"#,
            )],
        );
        let policy = policy(
            &input,
            &[(
                "sbom",
                "dirs = { compose = \"rw\" }\nmetadata-read = [\"gather\", \"pkgset\"]",
            )],
        );
        let composes = scratch.path().join("composes");
        let dir = compose(
            &config,
            &composes,
            &cache,
            &["--policy", policy.to_str().unwrap()],
        );
        (scratch, dir)
    })
}

#[test]
fn sbom_writes_a_valid_spdx_document_per_binary_tree() {
    let (_, dir) = sbom_compose();
    let sboms = dir.join("compose/metadata/sbom");
    let mut files: Vec<String> = std::fs::read_dir(&sboms)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "Everything.aarch64.spdx.json",
            "Everything.x86_64.spdx.json",
            "Server-optional.aarch64.spdx.json",
            "Server-optional.x86_64.spdx.json",
            "Server.aarch64.spdx.json",
            "Server.x86_64.spdx.json",
        ]
    );
    let pyspdxtools = python().with_file_name("pyspdxtools");
    for file in &files {
        let output = Command::new(&pyspdxtools)
            .arg("-i")
            .arg(sboms.join(file))
            .output()
            .expect("pyspdxtools starts (cargo xtask test installs spdx-tools in .venv)");
        assert!(output.status.success(), "{file}: {}", describe(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("ValidationMessage") && !stderr.contains("invalid"),
            "{file}: {stderr}"
        );
    }
}

#[test]
fn sbom_packages_carry_evr_license_checksum_and_source() {
    let (_, dir) = sbom_compose();
    let sbom = json(&dir.join("compose/metadata/sbom/Server.x86_64.spdx.json"));
    assert_eq!(sbom["spdxVersion"], "SPDX-2.3");
    assert!(
        sbom["documentNamespace"]
            .as_str()
            .unwrap()
            .starts_with("https://demo.example/spdx/Demo-1.0-"),
        "{}",
        sbom["documentNamespace"]
    );
    let packages = sbom["packages"].as_array().unwrap();
    let bash = packages
        .iter()
        .find(|p| p["name"] == "bash" && p["packageFileName"].as_str().unwrap().contains("x86_64"))
        .expect("bash is in the Server SBOM");
    assert!(bash["versionInfo"].as_str().unwrap().starts_with("5."));
    assert_eq!(bash["licenseDeclared"], "GPL-3.0-or-later");
    assert_eq!(bash["checksums"][0]["algorithm"], "SHA256");
    let rpm = dir
        .join("compose/Server/x86_64/os")
        .join(find_location(dir, "Server", "x86_64", "bash"));
    assert_eq!(
        bash["checksums"][0]["checksumValue"],
        sha256_of(&rpm),
        "the checksum is the shipped file's"
    );
    let generated_from = sbom["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["spdxElementId"] == bash["SPDXID"] && r["relationshipType"] == "GENERATED_FROM")
        .expect("bash is GENERATED_FROM its source RPM");
    let source = packages
        .iter()
        .find(|p| p["SPDXID"] == generated_from["relatedSpdxElement"])
        .unwrap();
    assert_eq!(source["name"], "bash");
    assert!(
        source["packageFileName"]
            .as_str()
            .unwrap()
            .ends_with(".src.rpm")
    );
}

/// The location of `name` in a tree, from the compose's rpms.json.
fn find_location(dir: &Path, variant: &str, arch: &str, name: &str) -> String {
    let rpms = json(&dir.join("compose/metadata/rpms.json"));
    rpms["payload"]["rpms"][variant][arch]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|by_rpm| by_rpm.as_object().unwrap().iter())
        .find(|(nevra, _)| {
            nevra.starts_with(&format!("{name}-")) && nevra.ends_with(&format!(".{arch}"))
        })
        .map(|(_, e)| {
            e["path"]
                .as_str()
                .unwrap()
                .strip_prefix(&format!("{variant}/{arch}/os/"))
                .unwrap()
                .to_owned()
        })
        .unwrap_or_else(|| panic!("no {name} in {variant}.{arch}"))
}

fn sha256_of(path: &Path) -> String {
    let output = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(output.status.success(), "{}", describe(&output));
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// The demo's packages changed: `which` dropped, `zlib` rebuilt with a new changelog
/// entry, a new `hello` package.
fn changed_sources() -> Vec<pungi_fixtures::model::SourcePackage> {
    let mut sources = demo_sources().unwrap();
    sources.retain(|s| s.name != "which");
    let zlib = sources.iter_mut().find(|s| s.name == "zlib").unwrap();
    zlib.release = "5.dm1".into();
    zlib.changelog.insert(
        0,
        ChangelogEntry {
            author: "Test Packager <test@demo.example> - 1.3-5.dm1".into(),
            text: "- Fix the inflate window check (CVE-2026-0001)".into(),
            days_ago: 1,
        },
    );
    let mut hello = demo_sources()
        .unwrap()
        .into_iter()
        .find(|s| s.name == "which")
        .unwrap();
    hello.name = "hello".into();
    hello.version = "2.12".into();
    hello.release = "1.dm1".into();
    hello.binaries[0].name = "hello".into();
    hello.binaries[0].files =
        vec![pungi_fixtures::model::FileSpec::parse("bin:/usr/bin/hello").unwrap()];
    sources.push(hello);
    sources
}

#[test]
fn changelog_diff_reports_what_changed_since_the_previous_compose() {
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    let composes = scratch.path().join("composes");

    // The first compose, of the demo as it is.
    let before = tempfile::tempdir().unwrap();
    let first = compose(
        &demo_input(before.path()).join("demo.conf"),
        &composes,
        &cache,
        &["--skip-phase", "createiso", "--skip-phase", "test"],
    );

    // The second, of changed repositories, with changelog-diff and --old-composes.
    let input = demo_input(scratch.path());
    std::fs::remove_dir_all(input.join("repos")).unwrap();
    write_repos(
        &input.join("repos"),
        &changed_sources(),
        &demo_arches(),
        |repo| match repo {
            "x86_64" => Layout::Hashed,
            _ => Layout::Flat,
        },
        &BuildSettings::default(),
    )
    .unwrap();
    let (path, sha256) = place(
        &phases_dir().join("pungi_example_changelog_diff.wasm"),
        &input,
        &cache,
    );
    let grant = r#"{"dirs": {"compose": "rw", "old-composes": "ro"}, "metadata-read": ["gather", "pkgset"]}"#;
    let config = custom_config(
        &input,
        "check_deps = False",
        &[entry("changelog_diff", &path, &sha256, grant, "{}")],
    );
    let policy = policy(
        &input,
        &[(
            "changelog_diff",
            "dirs = { compose = \"rw\", old-composes = \"ro\" }\nmetadata-read = [\"gather\", \"pkgset\"]",
        )],
    );
    let second = compose(
        &config,
        &composes,
        &cache,
        &[
            "--skip-phase",
            "createiso",
            "--skip-phase",
            "test",
            "--policy",
            policy.to_str().unwrap(),
            "--old-composes",
            composes.to_str().unwrap(),
        ],
    );

    let report = json(&second.join("compose/metadata/changelog-diff.json"));
    assert_eq!(
        report["old_compose"],
        first.file_name().unwrap().to_str().unwrap()
    );
    let names = |key: &str| -> Vec<String> {
        report[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names("added"), ["hello"]);
    assert_eq!(names("removed"), ["which"]);
    assert_eq!(names("updated"), ["zlib"]);
    assert_eq!(names("downgraded"), Vec::<String>::new());
    let zlib = &report["updated"][0];
    assert_eq!(
        (zlib["old_evr"].as_str(), zlib["new_evr"].as_str()),
        (Some("1.3-4.dm1"), Some("1.3-5.dm1"))
    );
    let entries = zlib["changelog"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "only the entry since 1.3-4.dm1: {zlib}");
    assert!(
        entries[0]["text"]
            .as_str()
            .unwrap()
            .contains("CVE-2026-0001")
    );

    let text = read(&second.join("compose/metadata/changelog-diff.txt"));
    assert!(text.contains("Added (1):\n  hello 2.12-1.dm1\n"), "{text}");
    assert!(
        text.contains("Removed (1):\n  which 2.21-41.dm1\n"),
        "{text}"
    );
    assert!(text.contains("  zlib 1.3-4.dm1 -> 1.3-5.dm1\n"), "{text}");
    assert!(
        text.contains("Test Packager <test@demo.example> - 1.3-5.dm1"),
        "{text}"
    );
}

#[test]
fn inspect_tells_what_a_component_asks_for_and_whether_this_host_runs_it() {
    let scratch = tempfile::tempdir().unwrap();
    let inspect = |file: &str| {
        let output = Command::new(pungi_wasm())
            .args(["phase", "inspect"])
            .arg(phases_dir().join(file))
            .env("PUNGI_WASM_CACHE", scratch.path())
            .output()
            .expect("pungi-wasm starts");
        assert!(output.status.success(), "{}", describe(&output));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let diff = inspect("pungi_example_changelog_diff.wasm");
    let line = |text: &str, key: &str| -> String {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("no {key} line in:\n{text}"))
            .trim()
            .to_owned()
    };
    assert_eq!(
        line(&diff, "wit:"),
        "pungi:phase@0.1.2, runs on this host (as 0.1.2)"
    );
    assert_eq!(line(&diff, "exports:"), "run");
    let interfaces = line(&diff, "pungi:phase:");
    for wanted in ["compose", "metadata", "log"] {
        assert!(interfaces.split(", ").any(|i| i == wanted), "{interfaces}");
    }
    assert!(line(&diff, "wasi:").contains("filesystem/preopens"));

    let future = inspect("pungi_test_future_wit.wasm");
    assert_eq!(
        line(&future, "wit:"),
        "pungi:phase@0.2.0, REFUSED by this host (it runs 0.1.2)"
    );
}
