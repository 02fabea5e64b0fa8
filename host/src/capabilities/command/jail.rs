//! The command jail: every granted command runs inside bubblewrap (`bwrap`), the
//! sandbox Flatpak and rpm-ostree run untrusted code in, packaged by Debian and Fedora.
//! Its file system is exactly the phase's grant, each mount at the guest path the phase
//! sees (read-only mounts stay read-only), over a read-only `/usr` and the few files of
//! `/etc` that programs need to start; `/tmp` is a small private tmpfs; there is no
//! network; its pid, ipc, uts, cgroup and user namespaces are its own, so every process
//! it starts dies with it; it holds no capabilities and cannot make user namespaces of
//! its own. A path in an argument therefore means inside the jail what it means to the
//! phase, and a link the phase planted leads nowhere the phase could not go itself.

use std::ffi::OsString;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use super::super::HostError;
use crate::policy::Grant;

/// Where bubblewrap is; the jail uses no other.
const BWRAP: &str = "/usr/bin/bwrap";

/// The top-level entries of a merged-`/usr` system, as symlinks into `/usr` (or, on a
/// system that has them as directories, bound read-only).
const ROOT_ENTRIES: &[&str] = &["bin", "sbin", "lib", "lib32", "lib64", "libx32"];

/// What of `/etc` a program needs to start: the dynamic loader's cache and config, and
/// Debian's alternatives (`mkisofs`, `genisoimage`, ... are links through them), plus
/// the mke2fs defaults. Not users, hosts, certificates or anything secret.
const ETC_FILES: &[&str] = &[
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/alternatives",
    "/etc/mke2fs.conf",
];

/// The private `/tmp`'s size: programs keep scratch files there (xorriso's, git's), and
/// tmpfs is memory the host pays for.
const TMP_BYTES: u64 = 256 << 20;

/// The argv that runs `program` (a host path under `/usr`) with `args` in the jail of
/// `grant`, in `cwd` (a guest path). The caller sets the environment and I/O.
pub fn command(
    grant: &Grant,
    program: &Path,
    args: &[String],
    cwd: &str,
) -> Result<Command, HostError> {
    let bwrap = available().map_err(|why| {
        HostError::Denied(format!(
            "phase `{}`: the command jail cannot be set up: {why}",
            grant.phase
        ))
    })?;
    let mut command = Command::new(bwrap);
    command.args(base_args());
    let mut mounts: Vec<_> = grant.mounts.iter().collect();
    // A mount inside another is bound after it, or the outer one would hide it.
    mounts.sort_by_key(|m| m.guest.matches('/').count());
    for mount in mounts {
        // A pinned root is handed over as its open directory (bwrap binds it and closes
        // it before the program starts), so the jail gets the directory the phase was
        // given even if its path was replaced since.
        let flag = match (mount.pinned.is_some(), mount.writable) {
            (true, true) => "--bind-fd",
            (true, false) => "--ro-bind-fd",
            (false, true) => "--bind",
            (false, false) => "--ro-bind",
        };
        let source = match &mount.pinned {
            Some(pinned) => OsString::from(pinned.fd().as_raw_fd().to_string()),
            None => mount.host.clone().into_os_string(),
        };
        command.arg(flag).arg(source).arg(&mount.guest);
    }
    super::inherit_pinned(&mut command, grant);
    command
        .arg("--chdir")
        .arg(cwd)
        .arg("--")
        .arg(program)
        .args(args);
    Ok(command)
}

/// Everything of the jail but the phase's mounts.
fn base_args() -> Vec<String> {
    let mut args: Vec<String> = [
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--ro-bind",
        "/usr",
        "/usr",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend([TMP_BYTES.to_string(), "--tmpfs".into(), "/tmp".into()]);
    for entry in ROOT_ENTRIES {
        let path = PathBuf::from("/").join(entry);
        match std::fs::read_link(&path) {
            Ok(target) => args.extend([
                "--symlink".into(),
                target.display().to_string(),
                path.display().to_string(),
            ]),
            Err(_) if path.is_dir() => args.extend([
                "--ro-bind".into(),
                path.display().to_string(),
                path.display().to_string(),
            ]),
            Err(_) => {}
        }
    }
    for file in ETC_FILES {
        args.extend(["--ro-bind-try".into(), file.to_string(), file.to_string()]);
    }
    args
}

/// bubblewrap's path when it is installed and can build a jail on this host (tried once
/// per process: user namespaces may be off, or bwrap missing); otherwise why not.
pub fn available() -> Result<&'static Path, &'static str> {
    static VERDICT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    VERDICT
        .get_or_init(|| {
            if !Path::new(BWRAP).is_file() {
                return Err(format!(
                    "{BWRAP} is not installed (Debian and Fedora package `bubblewrap`)"
                ));
            }
            let probe = Command::new(BWRAP)
                .args(base_args())
                .args(["--", "/usr/bin/true"])
                .env_clear()
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .output();
            match probe {
                Ok(out) if out.status.success() => Ok(PathBuf::from(BWRAP)),
                Ok(out) => Err(format!(
                    "{BWRAP} cannot make its namespaces here ({}): {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                )),
                Err(e) => Err(format!("{BWRAP} does not start: {e}")),
            }
        })
        .as_deref()
        .map_err(String::as_str)
}
