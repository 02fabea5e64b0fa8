//! `cargo xtask dist`: what a release engineer installs. A tarball laid out as an
//! install prefix (`bin/pungi-wasm`, the stock components in
//! `share/pungi-wasm/phases/`, the stock policy, man pages generated from the CLI, the
//! docs) and an RPM built from it with `packaging/pungi-wasm.spec` by `rpmbuild`
//! (Debian's `rpm` package has it). The binary finds its components relative to
//! itself, so the tarball works unpacked under any prefix, and the RPM under `/usr`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;

use crate::steps::{self, Profile, phases_dir, root, run, target_dir};

/// The package's version: the workspace's.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What `dist` made.
pub struct Dist {
    pub tarball: PathBuf,
    pub rpm: PathBuf,
}

/// The stock phase components: every `pungi_phase_*.wasm` built (test components and
/// examples are not shipped).
fn stock_components() -> anyhow::Result<Vec<PathBuf>> {
    let mut components: Vec<PathBuf> = std::fs::read_dir(phases_dir())
        .with_context(|| format!("reading {}", phases_dir().display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    components.retain(|path| {
        path.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("pungi_phase_") && n.ends_with(".wasm"))
    });
    components.sort();
    anyhow::ensure!(
        !components.is_empty(),
        "no stock components in {}",
        phases_dir().display()
    );
    Ok(components)
}

/// Builds (with `profile`), lays out the prefix, packs the tarball and builds the RPM,
/// all under `target/dist/`.
pub fn dist(profile: Profile) -> anyhow::Result<Dist> {
    steps::ensure_debian_tools(true)?;
    steps::build(profile)?;
    let out = target_dir().join("dist");
    let name = format!("pungi-wasm-{VERSION}");
    let prefix = out.join(&name);
    if prefix.exists() {
        std::fs::remove_dir_all(&prefix)?;
    }
    lay_out(
        &prefix,
        &target_dir().join(profile.dir()).join("pungi-wasm"),
    )?;

    let tarball = out.join(format!("{name}-{}-linux.tar.gz", std::env::consts::ARCH));
    run(Command::new("tar")
        .arg("-czf")
        .arg(&tarball)
        .arg("-C")
        .arg(&out)
        .args(["--owner=0", "--group=0", "--sort=name"])
        .arg(&name))?;

    let topdir = out.join("rpmbuild");
    if topdir.exists() {
        std::fs::remove_dir_all(&topdir)?;
    }
    let define = |name: &str, value: &Path| format!("{name} {}", value.display());
    run(Command::new("rpmbuild")
        .arg("-bb")
        .arg(root().join("packaging/pungi-wasm.spec"))
        .args(["--define", &define("_topdir", &topdir)])
        .args(["--define", &define("prefix_tree", &prefix)])
        .args(["--define", &format!("version {VERSION}")])
        .args(["--define", "_build_id_links none"]))?;
    let rpm = find_rpm(&topdir.join("RPMS"))?;
    eprintln!("dist:\n  {}\n  {}", tarball.display(), rpm.display());
    Ok(Dist { tarball, rpm })
}

/// The install tree: the binary, the components, the stock policy, man pages, docs.
fn lay_out(prefix: &Path, binary: &Path) -> anyhow::Result<()> {
    let share = prefix.join("share/pungi-wasm");
    for dir in [
        "bin",
        "share/pungi-wasm/phases",
        "share/man/man1",
        "share/doc/pungi-wasm",
    ] {
        std::fs::create_dir_all(prefix.join(dir))?;
    }
    std::fs::copy(binary, prefix.join("bin/pungi-wasm"))
        .with_context(|| format!("copying {}", binary.display()))?;
    // The release profile keeps debug info for profiling; users need none of it.
    run(Command::new("strip")
        .arg("--strip-debug")
        .arg(prefix.join("bin/pungi-wasm")))?;
    for component in stock_components()? {
        let file = component.file_name().expect("a file");
        std::fs::copy(&component, share.join("phases").join(file))?;
    }
    std::fs::copy(
        root().join("host/src/policy/default.toml"),
        share.join("policy.toml"),
    )?;
    run(Command::new(prefix.join("bin/pungi-wasm"))
        .arg("generate-man")
        .arg(prefix.join("share/man/man1")))?;
    let docs = prefix.join("share/doc/pungi-wasm");
    std::fs::copy(root().join("README.md"), docs.join("README.md"))?;
    for doc in std::fs::read_dir(root().join("docs"))? {
        let doc = doc?.path();
        if doc.extension().is_some_and(|e| e == "md") {
            std::fs::copy(&doc, docs.join(doc.file_name().expect("a file")))?;
        }
    }
    Ok(())
}

fn find_rpm(dir: &Path) -> anyhow::Result<PathBuf> {
    for arch in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        for file in std::fs::read_dir(arch?.path())? {
            let file = file?.path();
            if file.extension().is_some_and(|e| e == "rpm") {
                return Ok(file);
            }
        }
    }
    anyhow::bail!("rpmbuild made no RPM under {}", dir.display())
}
