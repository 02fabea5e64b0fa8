//! The Koji test hub for the integration tests: its binary, the fixture demo written as
//! a hub once per test binary, a running hub stopped when dropped, a koji profile
//! pointing at it, and the demo config turned to compose from the hub's tag.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use crate::{describe, phases_dir, pungi_wasm, workspace};

/// The hub binary.
pub fn hub_bin() -> PathBuf {
    let path = std::env::var_os("PUNGI_KOJI_HUB_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target/debug/pungi-koji-hub"));
    assert!(
        path.exists(),
        "{} does not exist: run the tests with `cargo xtask test`",
        path.display()
    );
    path
}

/// The demo written as a hub state and topdir, once for all tests.
pub struct DemoHub {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl DemoHub {
    pub fn input(&self) -> PathBuf {
        self.root.join("input")
    }
    pub fn state(&self) -> PathBuf {
        self.root.join("koji/state.json")
    }
    pub fn topdir(&self) -> PathBuf {
        self.root.join("koji/topdir")
    }
}

pub fn demo_hub() -> &'static DemoHub {
    static HUB: OnceLock<DemoHub> = OnceLock::new();
    HUB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let output = Command::new(hub_bin())
            .args(["demo", "--out"])
            .arg(&root)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", describe(&output));
        DemoHub { _dir: dir, root }
    })
}

/// A running hub; stopped (by its own pid) when dropped.
pub struct Hub {
    child: Child,
    pub url: String,
}

impl Hub {
    /// The demo hub, with `extra` serve flags.
    pub fn start(extra: &[&str]) -> Hub {
        let demo = demo_hub();
        Hub::serve(&demo.state(), &demo.topdir(), extra)
    }

    pub fn serve(state: &Path, topdir: &Path, extra: &[&str]) -> Hub {
        let mut child = Command::new(hub_bin())
            .arg("serve")
            .arg("--state")
            .arg(state)
            .arg("--topdir")
            .arg(topdir)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the hub said {line:?}"))
            .to_owned();
        Hub { child, url }
    }

    pub fn server(&self) -> String {
        format!("{}/kojihub", self.url)
    }

    pub fn topurl(&self) -> String {
        format!("{}/kojifiles", self.url)
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A koji config file with profile `pungitest` for `hub`, as `~/.koji/config` under `home`.
pub fn write_profile(home: &Path, server: &str, topurl: &str, extra: &str) -> PathBuf {
    let path = home.join(".koji/config");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        format!("[pungitest]\nserver = {server}\ntopurl = {topurl}\nauthtype = noauth\n{extra}"),
    )
    .unwrap();
    path
}

/// The demo config turned to take its packages from the hub's tag.
pub fn koji_config(dir: &Path, extra: &str) -> PathBuf {
    let demo = demo_hub();
    let text = std::fs::read_to_string(demo.input().join("demo.conf")).unwrap();
    let start = text.find("pkgset_source").unwrap();
    let end = start + text[start..].find("}\n").unwrap() + 2;
    let koji = format!(
        "pkgset_source = \"koji\"\n\
         koji_profile = \"pungitest\"\n\
         pkgset_koji_tag = \"demo-1.0\"\n\
         pkgset_koji_inherit = True\n\
         koji_event = 3\n\
         {extra}\n"
    );
    let text = format!("{}{koji}{}", &text[..start], &text[end..])
        .replace("sigkeys = [None]", "sigkeys = [\"A1B2C3D4\"]");
    for entry in std::fs::read_dir(demo.input()).unwrap().flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
    let path = dir.join("koji.conf");
    std::fs::write(&path, text).unwrap();
    path
}

pub struct Run {
    pub output: std::process::Output,
    pub compose: Option<PathBuf>,
}

/// A compose of `config` with `home` as HOME (for `~/.koji/config`).
pub fn compose(config: &Path, home: &Path, extra: &[&str]) -> Run {
    let target = home.join("composes");
    let output = Command::new(pungi_wasm())
        .args([
            "compose",
            "--nightly",
            "--compose-date",
            "20261123",
            "--config",
        ])
        .arg(config)
        .arg("--target-dir")
        .arg(&target)
        .args(extra)
        .env("HOME", home)
        .env("PUNGI_WASM_CACHE", demo_hub().root.join("cache"))
        .env("PUNGI_WASM_PHASES", phases_dir())
        .output()
        .unwrap();
    let compose = std::fs::read_dir(&target)
        .ok()
        .and_then(|mut d| d.next())
        .and_then(|e| e.ok())
        .map(|e| e.path());
    Run { output, compose }
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
