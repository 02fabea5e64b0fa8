//! What a release engineer installs (`cargo xtask dist`, which `cargo xtask test` runs
//! first and names in `PUNGI_DIST_TARBALL` and `PUNGI_DIST_RPM`): the tarball unpacked
//! under any prefix composes the demo with the components it carries, and the RPM
//! holds the binary, every stock component, the man pages and the docs.

use std::path::PathBuf;
use std::process::Command;

use pungi_tests::{demo_config, describe, only_compose, require_tool};

fn artifact(variable: &str) -> PathBuf {
    let path = std::env::var_os(variable).map(PathBuf::from).unwrap_or_else(|| {
        panic!("{variable} is not set: run the tests with `cargo xtask test`, which builds the dist")
    });
    assert!(path.is_file(), "{} does not exist", path.display());
    path
}

/// The stock components the build made, by file name: every one of them ships.
fn stock_components() -> Vec<String> {
    let names = pungi_tests::stock_components();
    assert!(names.len() >= 16, "{names:?}");
    names
}

#[test]
fn the_tarball_unpacked_under_a_prefix_composes_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("opt/pungi");
    std::fs::create_dir_all(&prefix).unwrap();
    let unpacked = Command::new("tar")
        .arg("-xzf")
        .arg(artifact("PUNGI_DIST_TARBALL"))
        .args(["--strip-components=1", "-C"])
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(unpacked.status.success(), "{}", describe(&unpacked));
    for component in stock_components() {
        let path = prefix.join("share/pungi-wasm/phases").join(&component);
        assert!(path.is_file(), "{} missing", path.display());
    }
    assert!(prefix.join("share/man/man1/pungi-wasm-compose.1").is_file());

    let config = demo_config(dir.path(), "");
    let target = dir.path().join("composes");
    // No PUNGI_WASM_PHASES: the installed binary finds its components itself.
    let output = Command::new(prefix.join("bin/pungi-wasm"))
        .args([
            "compose",
            "--nightly",
            "--compose-date",
            "20261123",
            "--config",
        ])
        .arg(&config)
        .arg("--target-dir")
        .arg(&target)
        .env_remove("PUNGI_WASM_PHASES")
        .env("PUNGI_WASM_CACHE", dir.path().join("cache"))
        .output()
        .unwrap();
    let (compose, status) = only_compose(&target);
    assert_eq!(status.trim(), "FINISHED", "{}", describe(&output));
    let log = std::fs::read_to_string(compose.join("logs/global/pungi.global.log")).unwrap();
    let installed = prefix.join("share/pungi-wasm/phases");
    assert!(
        log.contains(&installed.display().to_string()),
        "the compose did not say it loaded {}:\n{log}",
        installed.display()
    );
}

#[test]
fn the_rpm_holds_the_binary_every_stock_component_and_the_man_pages() {
    require_tool("rpm", "rpm");
    let listed = Command::new("rpm")
        .arg("-qlp")
        .arg(artifact("PUNGI_DIST_RPM"))
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", describe(&listed));
    let files = String::from_utf8_lossy(&listed.stdout);
    let files: Vec<&str> = files.lines().collect();
    let has = |path: &str| files.contains(&path);
    assert!(has("/usr/bin/pungi-wasm"), "{files:#?}");
    for component in stock_components() {
        let path = format!("/usr/share/pungi-wasm/phases/{component}");
        assert!(has(&path), "{path} not in the RPM: {files:#?}");
    }
    for page in [
        "pungi-wasm.1",
        "pungi-wasm-compose.1",
        "pungi-wasm-audit-verify.1",
    ] {
        let path = format!("/usr/share/man/man1/{page}");
        assert!(
            files.iter().any(|f| f.starts_with(&path)),
            "{path} not in the RPM"
        );
    }
    assert!(has("/usr/share/doc/pungi-wasm/security.md"), "{files:#?}");
}
