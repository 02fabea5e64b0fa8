use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

/// The stock phase crates, built for wasm32-wasip2.
pub const PHASE_CRATES: &[&str] = &[
    "pungi-phase-init",
    "pungi-phase-pkgset",
    "pungi-phase-gather",
    "pungi-phase-createrepo",
    "pungi-phase-extra-files",
    "pungi-phase-productimg",
    "pungi-phase-createiso",
    "pungi-phase-image-checksum",
    "pungi-phase-test",
    "pungi-phase-buildinstall",
    "pungi-phase-live-images",
    "pungi-phase-live-media",
    "pungi-phase-image-build",
    "pungi-phase-osbs",
    "pungi-phase-ostree",
    "pungi-phase-ostree-installer",
    "pungi-test-hostile",
    "pungi-test-future-wit",
    "pungi-test-wit-0-1-0",
    "pungi-test-probe",
    "pungi-test-custom",
];

/// The example third-party phases of `examples/phases/`, built and tested with the
/// stock ones and run by the demo.
pub const EXAMPLE_CRATES: &[&str] = &["pungi-example-sbom", "pungi-example-changelog-diff"];

const WASM_TARGET: &str = "wasm32-wasip2";

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Where the built phase components are.
pub fn phases_dir() -> PathBuf {
    target_dir().join(WASM_TARGET).join("release")
}

pub fn run(command: &mut Command) -> anyhow::Result<()> {
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

/// `cargo <args> -p <package>...`
pub fn cargo_for(args: &[&str], packages: &[&str]) -> Command {
    let mut command = cargo();
    command.args(args);
    for package in packages {
        command.args(["-p", package]);
    }
    command
}

/// Which cargo profile the native binaries are built with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// For the demo and benchmarks.
    Release,
    /// For tests: shares the compiled host library with `cargo test`.
    Dev,
}

impl Profile {
    pub fn dir(self) -> &'static str {
        match self {
            Profile::Release => "release",
            Profile::Dev => "debug",
        }
    }
}

/// The wasm32-wasip2 target, which rustup installs in seconds when it is missing.
fn ensure_wasm_target() -> anyhow::Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l == WASM_TARGET)
        })
        .unwrap_or(false);
    if !installed {
        run(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
    }
    Ok(())
}

/// A program (looked up in /usr/bin and /usr/sbin) or a file, and the Debian package that provides it.
type Provided = (&'static str, &'static str);

/// What a compose runs: the commands the stock phases are granted, and bubblewrap, the
/// jail every command runs in. `demo` needs these.
const COMPOSE_TOOLS: &[Provided] = &[
    ("bwrap", "bubblewrap"),
    ("xorriso", "xorriso"),
    ("implantisomd5", "isomd5sum"),
    ("checkisomd5", "isomd5sum"),
    ("genisoimage", "genisoimage"),
    ("isohybrid", "syslinux-utils"),
    ("rpm2cpio", "rpm2cpio"),
    ("cpio", "cpio"),
    ("mksquashfs", "squashfs-tools"),
    ("mke2fs", "e2fsprogs"),
    ("msgfmt", "gettext"),
    ("git", "git"),
];

/// Files (not programs) a compose of the generated input uses: the boot loader of its
/// synthetic boot tree.
const COMPOSE_FILES: &[Provided] = &[
    ("/usr/lib/ISOLINUX/isolinux.bin", "isolinux"),
    (
        "/usr/lib/syslinux/modules/bios/ldlinux.c32",
        "syslinux-common",
    ),
];

/// What the tests and benchmarks check our output with (and compare against).
const CHECK_TOOLS: &[Provided] = &[
    ("rpm", "rpm"),
    // `cargo xtask dist` builds the RPM with it (the tests install what it makes).
    ("rpmbuild", "rpm"),
    ("createrepo_c", "createrepo-c"),
    ("dnf", "dnf"),
    ("xmllint", "libxml2-utils"),
    ("qemu-img", "qemu-utils"),
    ("xz", "xz-utils"),
    ("ostree", "ostree"),
];

const CHECK_FILES: &[Provided] = &[(
    "/usr/lib/python3/dist-packages/dnf-plugins/repoclosure.py",
    "dnf-plugins-core",
)];

/// The Debian tools a compose needs (`demo`) or, with `checks`, also those the tests and
/// benchmarks use. Installs what is missing when running as root (a fresh machine);
/// otherwise says what to install.
pub fn ensure_debian_tools(checks: bool) -> anyhow::Result<()> {
    let programs = COMPOSE_TOOLS
        .iter()
        .chain(if checks { CHECK_TOOLS } else { &[] });
    let files = COMPOSE_FILES
        .iter()
        .chain(if checks { CHECK_FILES } else { &[] });
    let mut missing: Vec<&str> = programs
        .filter(|(program, _)| {
            !["/usr/bin", "/usr/sbin"]
                .iter()
                .any(|dir| Path::new(dir).join(program).exists())
        })
        .chain(files.filter(|(file, _)| !Path::new(file).exists()))
        .map(|(_, package)| *package)
        .collect();
    missing.sort_unstable();
    missing.dedup();
    if missing.is_empty() {
        return Ok(());
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if !is_root {
        bail!(
            "these Debian packages are needed: apt-get install {}",
            missing.join(" ")
        );
    }
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

pub fn build(profile: Profile) -> anyhow::Result<()> {
    ensure_wasm_target()?;
    run(cargo_for(
        &["build", "--release", "--target", WASM_TARGET],
        PHASE_CRATES,
    )
    .args(EXAMPLE_CRATES.iter().flat_map(|c| ["-p", c])))?;
    let mut native = cargo();
    native.args([
        "build",
        "-p",
        "pungi-host",
        "-p",
        "pungi-fixtures",
        "-p",
        "pungi-koji-hub",
    ]);
    if profile == Profile::Release {
        native.arg("--release");
    }
    run(&mut native)
}

pub fn demo() -> anyhow::Result<()> {
    ensure_debian_tools(false)?;
    build(Profile::Release)?;
    let demo = target_dir().join("demo");
    let input = demo.join("input");
    if input.exists() {
        std::fs::remove_dir_all(&input).context("clearing the old demo input")?;
    }
    let bin = target_dir().join(Profile::Release.dir());
    run(Command::new(bin.join("pungi-fixtures"))
        .arg("demo")
        .arg("--out")
        .arg(&input))?;
    // Twice, with the example third-party phases: the second compose's changelog-diff
    // finds the first through --old-composes.
    let custom = crate::custom_demo::write(&input, &phases_dir())?;
    let composes = demo.join("composes");
    std::fs::create_dir_all(&composes).context("creating the demo's compose directory")?;
    for _ in 0..2 {
        run(Command::new(bin.join("pungi-wasm"))
            .arg("compose")
            .arg("--config")
            .arg(&custom.config)
            .arg("--policy")
            .arg(&custom.policy)
            .arg("--target-dir")
            .arg(&composes)
            .arg("--old-composes")
            .arg(&composes)
            .arg("--nightly")
            .arg("--phases-dir")
            .arg(phases_dir()))?;
    }
    let latest = std::fs::read_dir(&composes)?
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
    println!(
        "  sbom:     {}/compose/metadata/sbom/<Variant>.<arch>.spdx.json",
        latest.display()
    );
    println!(
        "  changes:  {}/compose/metadata/changelog-diff.txt",
        latest.display()
    );
    Ok(())
}

/// A venv with the Python packages the tests use to check our output (productmd,
/// spdx-tools, in-toto, koji).
fn python_venv() -> anyhow::Result<PathBuf> {
    let venv = root().join(".venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    // What the tests import, and the pip installs that provide it when it is missing.
    let needs: [(&str, &[&[&str]]); 5] = [
        // To load our productmd metadata as release engineering's tools do.
        ("import productmd", &[&["productmd"]]),
        // The SPDX validator (`pyspdxtools`), for the sbom example's output.
        ("import spdx_tools", &[&["spdx-tools"]]),
        // To verify a signed compose's attestation as an auditor would, without
        // pungi-wasm (tests/tests/attest.rs).
        (
            "import in_toto, securesystemslib",
            &[&["in-toto==3.1.0", "securesystemslib==1.6.0"]],
        ),
        // The official koji client, for the tests against the test hub. Without its
        // GSSAPI dependency (which needs krb5 headers to build): the tests use
        // anonymous access.
        (
            "import koji, koji_cli",
            &[
                &["--no-deps", "koji"],
                &["defusedxml", "python-dateutil", "requests", "six"],
            ],
        ),
        // kobo's PyConfigParser, what pungi-koji reads configs with: the judge of the
        // config language (tests/tests/kobo_parity.rs).
        ("import kobo.conf", &[&["kobo==0.42.0"]]),
    ];
    for (check, installs) in needs {
        let present = Command::new(&python)
            .args(["-c", check])
            .status()
            .is_ok_and(|s| s.success());
        for packages in installs.iter().filter(|_| !present) {
            run(Command::new(&python)
                .args(["-m", "pip", "install", "--quiet"])
                .args(*packages))?;
        }
    }
    Ok(python)
}

pub fn test(args: &[String]) -> anyhow::Result<()> {
    ensure_debian_tools(true)?;
    // The tarball and RPM of this build, which `tests/tests/dist.rs` installs.
    let dist = crate::dist::dist(Profile::Dev)?;
    let python = python_venv()?;
    run(cargo()
        .args([
            "test",
            "--no-fail-fast",
            "--workspace",
            "--exclude",
            "xtask",
        ])
        .args(PHASE_CRATES.iter().flat_map(|p| ["--exclude", p]))
        .env("PUNGI_WASM_PHASES", phases_dir())
        .env("PUNGI_TEST_PYTHON", python)
        .env("PUNGI_DIST_TARBALL", dist.tarball)
        .env("PUNGI_DIST_RPM", dist.rpm)
        .env(
            "PUNGI_WASM_BIN",
            target_dir().join(Profile::Dev.dir()).join("pungi-wasm"),
        )
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
    run(
        cargo_for(&["clippy", "--target", WASM_TARGET], PHASE_CRATES)
            .args(EXAMPLE_CRATES.iter().flat_map(|c| ["-p", c]))
            .args(["--", "-D", "warnings"]),
    )
}
