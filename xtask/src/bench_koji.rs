//! `cargo xtask bench-koji`: Pkgset with `pkgset_source = "koji"` against the test hub's
//! demo tag (261 RPMs downloaded from its topurl, each verified), inside the Wasm
//! sandbox; and `curl` fetching the same files from the same hub in the same run, one
//! after another on one kept-alive connection as Pkgset does, as the baseline. (Not
//! `curl --parallel`: the tiny_http hub now and then leaves a request of one of its
//! connections unread, and curl waits for it.) Each is measured
//! against the hub as it answered before (`--nagle`: every answer on a kept-alive
//! connection waited for a delayed ACK) and as it answers now. Medians of 3 runs.
//! Report: `target/bench/koji.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};

use crate::bench_gather::phase_numbers;
use crate::steps;

const RUNS: usize = 3;
/// The signing key the demo hub signs with; the compose takes these copies.
const SIGKEY: &str = "a1b2c3d4";

pub fn bench_koji() -> anyhow::Result<()> {
    steps::build(steps::Profile::Release)?;
    let bench = steps::target_dir().join("bench/koji");
    let hub_bin = steps::target_dir().join("release/pungi-koji-hub");
    let demo = bench.join("hub");
    if !demo.join("koji/state.json").is_file() {
        steps::run(Command::new(&hub_bin).args(["demo", "--out"]).arg(&demo))?;
    }
    let config = write_config(&demo.join("input"), &bench)?;
    let mut rows = Vec::new();
    for (label, nagle) in [("before (hub with Nagle)", true), ("now", false)] {
        let hub = ServedHub::start(&hub_bin, &demo.join("koji"), nagle)?;
        let home = bench.join("home");
        write_profile(&home, &hub.url)?;
        let mut pkgset = Vec::new();
        let mut urls = Vec::new();
        for _ in 0..RUNS {
            let (ms, fetched) = pkgset_run(&bench, &config, &home)?;
            pkgset.push(ms / 1000.0);
            urls = fetched;
        }
        let files = topurl_files(&demo.join("koji/topdir"), &urls, &hub.url)?;
        let list = bench.join("curl.txt");
        std::fs::write(&list, &files)?;
        let sequential = median((0..RUNS).map(|_| curl(&list)).collect::<Result<_, _>>()?);
        rows.push((label, urls.len(), median(pkgset), sequential));
    }
    let mut report = String::new();
    writeln!(
        report,
        "# Koji Pkgset benchmark: the test hub's demo tag over HTTP (medians of {RUNS})\n"
    )?;
    writeln!(
        report,
        "| hub | RPMs | Pkgset, Wasm (s) | per RPM (ms) | curl, 1 connection (s) | Pkgset / curl |"
    )?;
    writeln!(report, "| --- | ---: | ---: | ---: | ---: | ---: |")?;
    for (label, rpms, pkgset, sequential) in rows {
        writeln!(
            report,
            "| {label} | {rpms} | {pkgset:.2} | {:.2} | {sequential:.3} | {:.1}x |",
            pkgset * 1000.0 / rpms.max(1) as f64,
            pkgset / sequential
        )?;
    }
    let path = steps::target_dir().join("bench/koji.md");
    std::fs::write(&path, &report)?;
    println!("{report}\nReport: {}", path.display());
    Ok(())
}

/// The demo config turned to take its packages from the hub's tag, signed copies.
fn write_config(input: &Path, bench: &Path) -> anyhow::Result<PathBuf> {
    let text = std::fs::read_to_string(input.join("demo.conf"))?;
    let start = text
        .find("pkgset_source")
        .context("demo.conf has pkgset_source")?;
    let end = start + text[start..].find("}\n").context("pkgset_repos ends")? + 2;
    let koji = "pkgset_source = \"koji\"\nkoji_profile = \"pungibench\"\n\
                pkgset_koji_tag = \"demo-1.0\"\npkgset_koji_inherit = True\nkoji_event = 3\n";
    let text = format!("{}{koji}{}", &text[..start], &text[end..]).replace(
        "sigkeys = [None]",
        &format!("sigkeys = [\"{}\"]", SIGKEY.to_uppercase()),
    );
    for entry in std::fs::read_dir(input)?.flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), bench.join(entry.file_name()))?;
        }
    }
    let path = bench.join("koji.conf");
    std::fs::write(&path, text)?;
    Ok(path)
}

fn write_profile(home: &Path, url: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(home.join(".koji"))?;
    std::fs::write(
        home.join(".koji/config"),
        format!(
            "[pungibench]\nserver = {url}/kojihub\ntopurl = {url}/kojifiles\nauthtype = noauth\n"
        ),
    )?;
    Ok(())
}

/// One compose up to Pkgset: its run time (ms) and the RPMs it placed, as `arch/file`.
fn pkgset_run(bench: &Path, config: &Path, home: &Path) -> anyhow::Result<(f64, Vec<String>)> {
    let target = bench.join("composes");
    let _ = std::fs::remove_dir_all(&target);
    steps::run(
        Command::new(steps::target_dir().join("release/pungi-wasm"))
            .args(["compose", "--config"])
            .arg(config)
            .arg("--target-dir")
            .arg(&target)
            .args(["--nightly", "--compose-date", "20261123"])
            .args(["--just-phase", "pkgset"])
            .env("HOME", home)
            .env("PUNGI_WASM_PHASES", steps::phases_dir())
            .env("PUNGI_WASM_CACHE", bench.join("cache"))
            .stdout(Stdio::null()),
    )?;
    let (compose, phases) = crate::measure::finished_compose(&target)?;
    let (ms, _) = phase_numbers(&phases, "pkgset");
    let mut placed = Vec::new();
    for arch in std::fs::read_dir(compose.join("work/pkgset/koji"))?.flatten() {
        for file in std::fs::read_dir(arch.path())?.flatten() {
            placed.push(format!(
                "{}/{}",
                arch.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            ));
        }
    }
    if placed.is_empty() {
        bail!("the compose placed no RPM: {}", compose.display());
    }
    Ok((ms, placed))
}

/// A curl config fetching, from the hub's topurl, the signed copy of each `arch/file`.
fn topurl_files(topdir: &Path, placed: &[String], url: &str) -> anyhow::Result<String> {
    let mut index = BTreeMap::new();
    index_signed(topdir, topdir, &mut index)?;
    let mut list = String::new();
    for want in placed {
        let relative = index
            .get(want.as_str())
            .with_context(|| format!("{want} has no copy signed with {SIGKEY} in the topdir"))?;
        writeln!(
            list,
            "url = \"{url}/kojifiles/{relative}\"\noutput = \"/dev/null\""
        )?;
    }
    Ok(list)
}

/// `arch/file` -> path under the topdir, for every RPM signed with [`SIGKEY`].
fn index_signed(
    topdir: &Path,
    dir: &Path,
    index: &mut BTreeMap<String, String>,
) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            index_signed(topdir, &path, index)?;
            continue;
        }
        let relative = path.strip_prefix(topdir)?.to_string_lossy().into_owned();
        let parts: Vec<&str> = relative.rsplitn(4, '/').collect();
        if let [file, arch, key, _] = parts[..]
            && key == SIGKEY
            && file.ends_with(".rpm")
        {
            index.insert(format!("{arch}/{file}"), relative.clone());
        }
    }
    Ok(())
}

/// Seconds for one curl process to fetch every file of `list`, bounded in case the hub
/// hangs.
fn curl(list: &Path) -> anyhow::Result<f64> {
    let started = Instant::now();
    let status = Command::new("curl")
        .args(["-s", "--no-progress-meter", "--fail", "--max-time", "120"])
        .arg("--config")
        .arg(list)
        .status()
        .context("running curl")?;
    if !status.success() {
        bail!("curl failed ({status}; 28 is its 120 s limit: a hung hub connection)");
    }
    Ok(started.elapsed().as_secs_f64())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A test hub serving the demo state; stopped (by its own pid) when dropped.
struct ServedHub {
    child: Child,
    url: String,
}

impl ServedHub {
    fn start(bin: &Path, koji: &Path, nagle: bool) -> anyhow::Result<ServedHub> {
        let mut command = Command::new(bin);
        command
            .arg("serve")
            .arg("--state")
            .arg(koji.join("state.json"))
            .arg("--topdir")
            .arg(koji.join("topdir"))
            .stdout(Stdio::piped());
        if nagle {
            command.arg("--nagle");
        }
        let mut child = command.spawn().context("starting pungi-koji-hub")?;
        let mut line = String::new();
        let stdout = child.stdout.take().context("the hub's stdout")?;
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            bail!("the hub said {line:?}");
        };
        Ok(ServedHub {
            url: url.to_owned(),
            child,
        })
    }
}

impl Drop for ServedHub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
