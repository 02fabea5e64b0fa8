//! `cargo xtask bench-gather`: Pkgset and Gather on a generated 70,000-package
//! distribution (long dependency chains, file dependencies, virtual provides,
//! a few cycles) with repodata, 3 variants x 2 arches, inside the Wasm
//! sandbox; and `dnf repoclosure` on the same repositories for comparison.
//! The corpus and its repodata are generated once under `target/bench/`.
//! Report: `target/bench/gather.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::steps;

const PACKAGES: usize = 70_000;
const ARCHES: [&str; 2] = ["x86_64", "aarch64"];

pub fn bench_gather() -> anyhow::Result<()> {
    steps::ensure_debian_tools(true)?;
    steps::build(steps::Profile::Release)?;
    let bench = steps::target_dir().join("bench");
    let corpus = bench.join("synth70k");
    if !corpus.join("repos/src").is_dir() {
        steps::run(
            steps::cargo_for(&["run", "--release"], &["pungi-fixtures"]).args([
                "--",
                "synth",
                "--packages",
                &PACKAGES.to_string(),
                "--arches",
                &ARCHES.join(","),
                "--out",
                corpus.to_str().context("utf-8 path")?,
            ]),
        )?;
    }
    for repo in ARCHES.iter().chain(&["src"]) {
        let dir = corpus.join("repos").join(repo);
        if !dir.join("repodata/repomd.xml").is_file() {
            steps::run(
                Command::new("createrepo_c")
                    .args(["-q", "--workers", "2"])
                    .arg(&dir),
            )?;
        }
    }
    let input = bench.join("gather70k");
    std::fs::create_dir_all(&input)?;
    write_inputs(&corpus, &input)?;
    let target = input.join("composes");
    let _ = std::fs::remove_dir_all(&target);
    let time_log = input.join("time.txt");
    let started = Instant::now();
    steps::run(
        Command::new("/usr/bin/time")
            .arg("-v")
            .arg("-o")
            .arg(&time_log)
            .arg(steps::target_dir().join("release/pungi-wasm"))
            .args(["compose", "--config"])
            .arg(input.join("bench.conf"))
            .arg("--target-dir")
            .arg(&target)
            .args(["--nightly", "--compose-date", "20261123"])
            .args(["--just-phase", "gather"])
            .env("PUNGI_WASM_PHASES", steps::phases_dir())
            .env("PUNGI_WASM_CACHE", bench.join("cache")),
    )?;
    let wall = started.elapsed().as_secs_f64();
    let (compose, phases) = crate::measure::finished_compose(&target)?;
    let max_rss_kib = crate::measure::max_rss_kib(&time_log)?;
    // Cold (dnf builds its solv cache from the repodata first) and warm, per arch.
    let dnf_cache = bench.join("dnf-cache");
    let _ = std::fs::remove_dir_all(&dnf_cache);
    let mut dnf = Vec::new();
    for arch in ARCHES {
        let repo = corpus.join("repos").join(arch);
        for run in ["cold", "warm"] {
            let started = Instant::now();
            let output = Command::new("dnf")
                .args(["repoclosure", "-q", "--releasever", "1"])
                .arg(format!("--repofrompath=bench,{}", repo.display()))
                .args(["--repo", "bench", "--check", "bench"])
                .args(["--forcearch", arch, "--arch", arch, "--arch", "noarch"])
                .arg(format!("--setopt=cachedir={}", dnf_cache.display()))
                .output()
                .context("running dnf repoclosure (apt-get install dnf dnf-plugins-core)")?;
            if !output.status.success() && output.stdout.is_empty() {
                bail!(
                    "dnf repoclosure did not run: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            dnf.push((
                format!("{arch}, {run}"),
                started.elapsed().as_secs_f64(),
                output.status.success(),
            ));
        }
    }
    let mut report = String::new();
    writeln!(
        report,
        "# Gather benchmark: {PACKAGES} packages per arch, 3 variants x 2 arches, Wasm sandbox\n"
    )?;
    writeln!(report, "| step | time (s) | peak memory (MiB) |")?;
    writeln!(report, "| --- | ---: | ---: |")?;
    for phase in ["init", "pkgset", "gather"] {
        let (ms, peak) = phase_numbers(&phases, phase);
        writeln!(
            report,
            "| {phase} (Wasm, run time; linear memory) | {:.2} | {} |",
            ms / 1000.0,
            peak >> 20
        )?;
    }
    writeln!(
        report,
        "| whole run init+pkgset+gather (host process, max RSS) | {wall:.2} | {} |",
        max_rss_kib >> 10
    )?;
    for (run, secs, ok) in dnf {
        let verdict = if ok { "closed" } else { "problems found" };
        writeln!(
            report,
            "| dnf repoclosure {run} (libsolv, same repodata; {verdict}) | {secs:.2} | |"
        )?;
    }
    std::fs::write(bench.join("gather.md"), &report)?;
    println!("{report}\nReport: {}", bench.join("gather.md").display());
    if !std::fs::read_to_string(compose.join("STATUS"))?.starts_with("FINISHED") {
        bail!(
            "the benchmark compose did not finish: {}",
            compose.display()
        );
    }
    Ok(())
}

/// `run_time` (ms) and `peak_memory` (bytes) of one phase in `phases.json`.
pub(crate) fn phase_numbers(json: &serde_json::Value, phase: &str) -> (f64, u64) {
    let record = json["phases"]
        .as_array()
        .and_then(|phases| phases.iter().find(|p| p["name"] == phase));
    let field = |key: &str| record.map_or(&serde_json::Value::Null, |r| &r[key]);
    (
        field("run_time").as_f64().unwrap_or(0.0),
        field("peak_memory").as_u64().unwrap_or(0),
    )
}

/// A config and variants file over the corpus: `Everything` takes every package,
/// `Server` and `Workstation` each half of the comps groups, all on both arches.
fn write_inputs(corpus: &Path, input: &Path) -> anyhow::Result<()> {
    let variants = std::fs::read_to_string(corpus.join("variants.xml"))?;
    let groups: Vec<&str> = variants
        .lines()
        .filter_map(|l| l.trim().strip_prefix("<group "))
        .filter_map(|l| l.split_once('>').map(|(_, rest)| rest))
        .filter_map(|rest| rest.strip_suffix("</group>"))
        .collect();
    let (first, second) = groups.split_at(groups.len() / 2);
    let variant = |id: &str, groups: &[&str]| {
        let mut x =
            format!("  <variant id=\"{id}\" name=\"{id}\" type=\"variant\">\n    <arches>\n");
        for arch in ARCHES {
            let _ = writeln!(x, "      <arch>{arch}</arch>");
        }
        x.push_str("    </arches>\n    <groups>\n");
        for g in groups {
            let _ = writeln!(x, "      <group>{g}</group>");
        }
        x.push_str("    </groups>\n  </variant>\n");
        x
    };
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<variants>\n{}{}{}</variants>\n",
        variant("Everything", &groups),
        variant("Server", first),
        variant("Workstation", second)
    );
    std::fs::write(input.join("variants.xml"), xml)?;
    let repos: PathBuf = corpus.join("repos");
    let mut repo_lines = String::new();
    for repo in ARCHES.iter().chain(&["src"]) {
        let _ = writeln!(
            repo_lines,
            "    \"{repo}\": [\"{}\"],",
            repos.join(repo).display()
        );
    }
    let config = format!(
        "release_name = \"Bench\"\nrelease_short = \"Bench\"\nrelease_version = \"1.0\"\nrelease_type = \"ga\"\n\
         comps_file = \"comps.xml\"\nvariants_file = \"variants.xml\"\nsigkeys = [None]\n\
         pkgset_source = \"repos\"\npkgset_repos = {{\n{repo_lines}}}\n\
         gather_method = \"deps\"\ncheck_deps = False\n\
         additional_packages = [(\"^Everything$\", {{\"*\": [\"*\"]}})]\n\
         createrepo_checksum = \"sha256\"\n",
    );
    // Phases see the config directory only: the comps file sits beside the config.
    std::fs::copy(corpus.join("comps.xml"), input.join("comps.xml"))?;
    std::fs::write(input.join("bench.conf"), config)?;
    Ok(())
}
