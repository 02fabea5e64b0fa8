//! `cargo xtask fuzz`: run the cargo-fuzz targets in `fuzz/`, one at a time, each on a
//! corpus seeded from the repository's own inputs (test configs, the demo's variants,
//! comps, RPMs and repodata) the first time it runs.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};
use flate2::read::GzDecoder;

use crate::steps::{root, run, target_dir};

/// Every target in `fuzz/fuzz_targets`, in the order `cargo xtask fuzz` runs them.
const TARGETS: &[&str] = &[
    "config",
    "variants_xml",
    "comps_xml",
    "rpm_header",
    "repodata",
    "xmlrpc",
];

/// How many demo RPMs seed the `rpm_header` corpus: enough for every kind (binary,
/// noarch, source, debuginfo) without slowing the fuzzer's start.
const RPM_SEEDS: usize = 40;

/// Runs `target` (or every target) for `seconds` each.
pub fn fuzz(seconds: u64, target: Option<&str>) -> anyhow::Result<()> {
    let targets: Vec<&str> = match target {
        Some(name) if TARGETS.contains(&name) => vec![name],
        Some(name) => bail!(
            "no fuzz target {name:?}; the targets: {}",
            TARGETS.join(", ")
        ),
        None => TARGETS.to_vec(),
    };
    ensure_cargo_fuzz()?;
    if !demo_input().exists() {
        crate::steps::demo().context("the demo compose seeds the corpora")?;
    }
    for target in targets {
        let corpus = root().join("fuzz/corpus").join(target);
        seed(target, &corpus)?;
        run(fuzz_command()
            .args(["run", "--debug-assertions", "--fuzz-dir"])
            .arg(root().join("fuzz"))
            .arg(target)
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .args(["-timeout=10", "-rss_limit_mb=2048", "-print_final_stats=1"]))?;
    }
    Ok(())
}

/// `cargo fuzz`. cargo-fuzz passes `-Z` sanitizer flags; `RUSTC_BOOTSTRAP` lets the
/// stable toolchain accept them.
fn fuzz_command() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.arg("fuzz").env("RUSTC_BOOTSTRAP", "1");
    command
}

fn ensure_cargo_fuzz() -> anyhow::Result<()> {
    let installed = fuzz_command()
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    Ok(())
}

fn demo_input() -> PathBuf {
    target_dir().join("demo/input")
}

/// Fills an empty corpus with the seeds for `target`; a corpus that exists is kept, as
/// it holds what earlier runs found.
fn seed(target: &str, corpus: &Path) -> anyhow::Result<()> {
    if corpus.read_dir().is_ok_and(|mut d| d.next().is_some()) {
        return Ok(());
    }
    std::fs::create_dir_all(corpus).with_context(|| format!("creating {}", corpus.display()))?;
    let input = demo_input();
    let configs = root().join("tests/configs");
    let files = match target {
        "config" => {
            let mut files = files_under(&configs, |name| name.ends_with(".conf"))?;
            files.push(input.join("demo.conf"));
            files
        }
        "variants_xml" => {
            let mut files = files_under(&configs, |name| name.starts_with("variants"))?;
            files.push(input.join("variants.xml"));
            files
        }
        "comps_xml" => {
            let mut files = files_under(&configs, |name| name.ends_with("comps.xml"))?;
            files.push(input.join("comps.xml"));
            files
        }
        "rpm_header" => {
            let rpms = files_under(&input.join("repos"), |name| name.ends_with(".rpm"))?;
            let step = rpms.len().div_ceil(RPM_SEEDS).max(1);
            rpms.into_iter().step_by(step).collect()
        }
        "repodata" => {
            let seed = corpus.join("demo-repo");
            std::fs::write(&seed, repodata_seed()?)
                .with_context(|| format!("writing {}", seed.display()))?;
            Vec::new()
        }
        _ => Vec::new(),
    };
    let kept = root().join("fuzz/seeds").join(target);
    let files = files.into_iter().chain(files_under(&kept, |_| true)?);
    for (i, file) in files.enumerate() {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let to = corpus.join(format!("{i:03}-{name}"));
        std::fs::copy(&file, &to)
            .with_context(|| format!("copying seed {} to {}", file.display(), to.display()))?;
    }
    Ok(())
}

/// The smallest binary repository of the newest demo compose, as the `repodata`
/// target reads its input: primary, filelists and other, uncompressed, NUL-separated.
fn repodata_seed() -> anyhow::Result<Vec<u8>> {
    let composes = target_dir().join("demo/composes");
    let repodata = files_under(&composes, |name| name.ends_with("-primary.xml.gz"))?
        .into_iter()
        .filter_map(|primary| Some((primary.metadata().ok()?.len(), primary)))
        .min()
        .and_then(|(_, primary)| primary.parent().map(Path::to_owned))
        .with_context(|| format!("no repodata under {}", composes.display()))?;
    let mut seed = Vec::new();
    for kind in ["primary", "filelists", "other"] {
        let suffix = format!("-{kind}.xml.gz");
        let file = files_under(&repodata, |name| name.ends_with(&suffix))?
            .pop()
            .with_context(|| format!("no {kind} metadata in {}", repodata.display()))?;
        if !seed.is_empty() {
            seed.push(0);
        }
        let gz =
            std::fs::File::open(&file).with_context(|| format!("opening {}", file.display()))?;
        GzDecoder::new(gz)
            .read_to_end(&mut seed)
            .with_context(|| format!("decompressing {}", file.display()))?;
    }
    Ok(seed)
}

/// Files below `dir` (recursively, sorted) whose name passes `keep`; none if `dir`
/// does not exist.
fn files_under(dir: &Path, keep: impl Fn(&str) -> bool + Copy) -> anyhow::Result<Vec<PathBuf>> {
    let Ok(entries) = dir.read_dir() else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("listing {}", dir.display()))?
            .path();
        if path.is_dir() {
            files.extend(files_under(&path, keep)?);
        } else if path.file_name().is_some_and(|n| keep(&n.to_string_lossy())) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
