//! Support for the integration tests: where the built binaries, phase components and the
//! Python venv are, and running `pungi-wasm` on generated inputs.
//!
//! `cargo xtask test` builds everything and sets `PUNGI_WASM_BIN`, `PUNGI_WASM_PHASES` and
//! `PUNGI_TEST_PYTHON`; without them the defaults point into the workspace's `target/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod koji_hub;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

fn from_env_or(name: &str, default: PathBuf, hint: &str) -> PathBuf {
    let path = std::env::var_os(name).map(PathBuf::from).unwrap_or(default);
    assert!(path.exists(), "{} does not exist: {hint}", path.display());
    path
}

/// The `pungi-wasm` binary.
pub fn pungi_wasm() -> PathBuf {
    from_env_or(
        "PUNGI_WASM_BIN",
        workspace().join("target/debug/pungi-wasm"),
        "run the tests with `cargo xtask test` (or build with `cargo build -p pungi-host`)",
    )
}

/// The directory of built phase components.
pub fn phases_dir() -> PathBuf {
    from_env_or(
        "PUNGI_WASM_PHASES",
        workspace().join("target/wasm32-wasip2/release"),
        "run the tests with `cargo xtask test` (or `cargo xtask build`)",
    )
}

/// The Python interpreter of the venv that has productmd.
pub fn python() -> PathBuf {
    from_env_or(
        "PUNGI_TEST_PYTHON",
        workspace().join(".venv/bin/python"),
        "run the tests with `cargo xtask test`, which creates .venv with productmd",
    )
}

/// Fails the test with an install hint when a system tool is missing.
pub fn require_tool(program: &str, debian_package: &str) {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{program}` is needed by this test: apt-get install {debian_package}"
    );
}

/// Runs `pungi-wasm` with `args`, with its compiled-component cache in `cache`.
pub fn run_pungi(args: &[&str], cache: &Path) -> Output {
    Command::new(pungi_wasm())
        .args(args)
        .env("PUNGI_WASM_CACHE", cache)
        .env("PUNGI_WASM_PHASES", phases_dir())
        .output()
        .expect("pungi-wasm starts")
}

/// Runs a compose of `config` into `target` (nightly, fixed date) with `extra`
/// arguments, whatever its outcome.
pub fn try_compose(config: &Path, target: &Path, cache: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "compose",
        "--config",
        config.to_str().expect("utf-8 path"),
        "--target-dir",
        target.to_str().expect("utf-8 path"),
        "--nightly",
        "--compose-date",
        "20261123",
    ];
    args.extend_from_slice(extra);
    run_pungi(&args, cache)
}

/// Runs a compose like [`try_compose`] and returns its directory, panicking with the
/// tool's output when it fails.
pub fn compose(config: &Path, target: &Path, cache: &Path, extra: &[&str]) -> PathBuf {
    let output = try_compose(config, target, cache, extra);
    assert!(
        output.status.success(),
        "compose failed\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("FINISHED"))
        .unwrap_or_else(|| panic!("no FINISHED line in:\n{stdout}"));
    PathBuf::from(line.rsplit(": ").next().expect("a path after the colon"))
}

/// Installs `packages` with dnf from the repository at `repo` (and nothing else) into a
/// fresh root under `scratch`, then checks with rpm that `expected` are installed there.
pub fn dnf_install(repo: &Path, scratch: &Path, packages: &[&str], expected: &[&str]) {
    require_tool("dnf", "dnf");
    let root = scratch.join("root");
    let output = Command::new("dnf")
        .args(["-y", "-q", "--setopt=reposdir=/dev/null", "--nogpgcheck"])
        .args(["--forcearch=x86_64", "--releasever=1", "--repo=test"])
        .arg(format!("--repofrompath=test,file://{}", repo.display()))
        .arg(format!("--installroot={}", root.display()))
        .arg(format!(
            "--setopt=cachedir={}",
            scratch.join("cache").display()
        ))
        .arg("install")
        .args(packages)
        .output()
        .expect("dnf starts");
    assert!(output.status.success(), "{}", describe(&output));
    let installed = Command::new("rpm")
        .arg("--root")
        .arg(&root)
        .arg("-q")
        .args(expected)
        .output()
        .expect("rpm starts");
    assert!(installed.status.success(), "{}", describe(&installed));
}

/// The text of a command's output streams, for assertion messages.
pub fn describe(output: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub use pungi_fixtures::write_demo;

/// The one compose directory a test's `target` holds, with its STATUS.
pub fn only_compose(target: &Path) -> (PathBuf, String) {
    let compose = std::fs::read_dir(target)
        .unwrap_or_else(|e| panic!("{}: {e}", target.display()))
        .next()
        .unwrap_or_else(|| panic!("no compose directory in {}", target.display()))
        .unwrap()
        .path();
    let status = std::fs::read_to_string(compose.join("STATUS")).unwrap_or_default();
    (compose, status)
}

/// The file names of the stock phase components built (`pungi_phase_<name>.wasm`),
/// sorted; test components and examples are not among them.
pub fn stock_components() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(phases_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pungi_phase_") && n.ends_with(".wasm"))
        .collect();
    names.sort();
    names
}

/// A phases directory under `dir` with every stock component (linked) and `phase`'s
/// replaced by the hostile test component, for `--phases-dir`.
pub fn phases_with_hostile(dir: &Path, phase: &str) -> PathBuf {
    let phases = dir.join("phases");
    std::fs::create_dir(&phases).unwrap();
    for name in stock_components() {
        std::os::unix::fs::symlink(phases_dir().join(&name), phases.join(&name)).unwrap();
    }
    let replaced = phases.join(format!("pungi_phase_{phase}.wasm"));
    std::fs::remove_file(&replaced).unwrap();
    std::os::unix::fs::symlink(phases_dir().join("pungi_test_hostile.wasm"), &replaced).unwrap();
    phases
}

/// The demo input written under `dir/input` with `extra` appended to its config;
/// returns the config's path.
pub fn demo_config(dir: &Path, extra: &str) -> PathBuf {
    let input = dir.join("input");
    write_demo(&input).unwrap();
    let config = input.join("demo.conf");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text + extra).unwrap();
    config
}
