//! The tools release engineers use today, run on the same inputs in the same run:
//! createrepo_c against our Createrepo, sha256sum against our digests, dnf repoclosure
//! against our Test phase.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use pungi_host::audit::AuditLog;
use pungi_host::capabilities::{ComposeFacts, DocumentStore, PhaseEnv, PhaseProgress, files};
use pungi_host::policy::{Grant, Limits, MountGrant, MountRole};

/// Every directory with `repodata/` under `compose`, sorted.
pub fn repositories(compose: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![compose.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dir.join("repodata/repomd.xml").is_file() {
            found.push(dir.clone());
        }
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir())
                && entry.file_name() != "Packages"
                && entry.file_name() != "repodata"
            {
                stack.push(entry.path());
            }
        }
    }
    found.sort();
    found
}

fn timed(command: &mut Command) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let output = command
        .stdout(Stdio::null())
        .output()
        .with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(started.elapsed())
}

/// `createrepo_c --workers 1` over every repository, into scratch output directories.
pub fn createrepo_c(repos: &[PathBuf], scratch: &Path) -> anyhow::Result<Duration> {
    let mut total = Duration::ZERO;
    for (index, repo) in repos.iter().enumerate() {
        let out = scratch.join(format!("createrepo-{index}"));
        std::fs::create_dir_all(&out)?;
        total += timed(
            Command::new("createrepo_c")
                .args(["--workers", "1", "--no-database", "--quiet", "--outputdir"])
                .arg(&out)
                .arg(repo),
        )?;
    }
    Ok(total)
}

/// `dnf repoclosure` of every binary repository (the `os` trees).
pub fn dnf_repoclosure(repos: &[PathBuf], scratch: &Path) -> anyhow::Result<Duration> {
    let mut total = Duration::ZERO;
    for repo in repos.iter().filter(|r| r.ends_with("os")) {
        let arch = repo
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|a| a.to_str())
            .unwrap_or("x86_64");
        total += timed(
            Command::new("dnf")
                .args(["-q", "--setopt=reposdir=/dev/null", "--releasever=1"])
                .arg(format!("--forcearch={arch}"))
                .arg(format!(
                    "--setopt=cachedir={}",
                    scratch.join("dnf-cache").display()
                ))
                .arg(format!("--repofrompath=bench,file://{}", repo.display()))
                .args(["repoclosure", "--repo=bench"]),
        )?;
    }
    Ok(total)
}

/// Every `.rpm` under `root`.
pub fn rpm_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rpm") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// `sha256sum` over `files` (fed through xargs, as a release engineer would).
pub fn sha256sum(files: &[PathBuf]) -> anyhow::Result<Duration> {
    let list: Vec<u8> = files
        .iter()
        .flat_map(|f| f.as_os_str().as_encoded_bytes().iter().copied().chain([0]))
        .collect();
    let started = Instant::now();
    let mut child = Command::new("xargs")
        .args(["-0", "sha256sum"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("running xargs sha256sum")?;
    std::io::Write::write_all(child.stdin.as_mut().expect("piped"), &list)?;
    drop(child.stdin.take());
    if !child.wait()?.success() {
        bail!("sha256sum failed");
    }
    Ok(started.elapsed())
}

/// The host's `files.digest` capability (what phases call) over `files` under `root`.
pub fn host_digest(
    root: &Path,
    files_to_hash: &[PathBuf],
    scratch: &Path,
) -> anyhow::Result<Duration> {
    let root = root.canonicalize()?;
    let env = PhaseEnv {
        grant: Grant {
            phase: "bench".into(),
            mounts: vec![MountGrant {
                guest: root.display().to_string(),
                host: root.clone(),
                writable: false,
                role: MountRole::Compose,
                pinned: None,
            }],
            limits: Limits {
                memory_bytes: 0,
                time: Duration::from_secs(3600),
                output_bytes: 0,
            },
            ..Grant::default()
        },
        component: "bench".into(),
        facts: Arc::new(ComposeFacts {
            id: "Bench-1-20260101.n.0".into(),
            label: None,
            date: "20260101".into(),
            respin: 0,
            compose_type: "nightly".into(),
            release_name: "Bench".into(),
            release_short: "Bench".into(),
            release_version: "1".into(),
            release_type: "ga".into(),
            arches: vec![],
            variants: vec![],
            config: Default::default(),
        }),
        documents: Arc::new(DocumentStore::new(scratch.join("documents"))),
        audit: Arc::new(AuditLog::open(
            &scratch.join("digest-audit.jsonl"),
            &scratch.join("digest-audit-head.json"),
        )?),
        progress: PhaseProgress::new(indicatif::ProgressBar::hidden()),
        started: std::time::Instant::now(),
        denied: Default::default(),
    };
    let started = Instant::now();
    for file in files_to_hash {
        let canonical = file.canonicalize()?;
        files::digest(
            &env,
            &canonical.display().to_string(),
            &[files::Algorithm::Sha256],
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(started.elapsed())
}
