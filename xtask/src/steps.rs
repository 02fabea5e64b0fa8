use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

/// The stock phase crates, built for wasm32-wasip2.
pub const PHASE_CRATES: &[&str] = &[
    "pungi-phase-init",
    "pungi-phase-pkgset",
    "pungi-phase-gather",
    "pungi-phase-createrepo",
    "pungi-phase-image-checksum",
    "pungi-phase-test",
    "pungi-test-hostile",
    "pungi-test-future-wit",
];

const WASM_TARGET: &str = "wasm32-wasip2";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Where the built phase components are.
pub fn phases_dir() -> PathBuf {
    target_dir().join(WASM_TARGET).join("release")
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    eprintln!("+ {command:?}");
    let status = command
        .current_dir(root())
        .status()
        .with_context(|| format!("starting {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn with_packages(mut command: Command, packages: &[&str]) -> Command {
    for package in packages {
        command.args(["-p", package]);
    }
    command
}

pub fn build() -> anyhow::Result<()> {
    let mut wasm = with_packages(cargo(), PHASE_CRATES);
    run(wasm.args(["build", "--release", "--target", WASM_TARGET]))?;
    run(cargo().args([
        "build",
        "--release",
        "-p",
        "pungi-host",
        "-p",
        "pungi-fixtures",
    ]))
}

pub fn demo() -> anyhow::Result<()> {
    build()?;
    let demo = target_dir().join("demo");
    let input = demo.join("input");
    if input.exists() {
        std::fs::remove_dir_all(&input).context("clearing the old demo input")?;
    }
    let bin = target_dir().join("release");
    run(Command::new(bin.join("pungi-fixtures"))
        .arg("demo")
        .arg("--out")
        .arg(&input))?;
    run(Command::new(bin.join("pungi-wasm"))
        .arg("compose")
        .arg("--config")
        .arg(input.join("demo.conf"))
        .arg("--target-dir")
        .arg(demo.join("composes"))
        .arg("--nightly")
        .arg("--phases-dir")
        .arg(phases_dir()))?;
    let latest = std::fs::read_dir(demo.join("composes"))?
        .flatten()
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
        .map(|e| e.path())
        .context("the compose left no directory")?;
    println!("\nThe demo compose is in {}", latest.display());
    println!(
        "  repos:    {}/compose/<Variant>/<arch>/os",
        latest.display()
    );
    println!("  metadata: {}/compose/metadata", latest.display());
    println!("  logs:     {}/logs/global", latest.display());
    Ok(())
}

/// A venv with the Python packages the tests use to check our output (productmd).
fn python_venv() -> anyhow::Result<PathBuf> {
    let venv = root().join(".venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    let has_productmd = Command::new(&python)
        .args(["-c", "import productmd"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_productmd {
        run(Command::new(&python).args(["-m", "pip", "install", "--quiet", "productmd"]))?;
    }
    Ok(python)
}

pub fn test(args: &[String]) -> anyhow::Result<()> {
    build()?;
    let python = python_venv()?;
    run(cargo()
        .args(["test", "--workspace", "--exclude", "xtask"])
        .args(PHASE_CRATES.iter().flat_map(|p| ["--exclude", p]))
        .env("PUNGI_WASM_PHASES", phases_dir())
        .env("PUNGI_TEST_PYTHON", python)
        .env("PUNGI_WASM_BIN", target_dir().join("release/pungi-wasm"))
        .arg("--")
        .args(args))
}

pub fn lint() -> anyhow::Result<()> {
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    let mut wasm = with_packages(cargo(), PHASE_CRATES);
    run(wasm.args(["clippy", "--target", WASM_TARGET, "--", "-D", "warnings"]))
}
