//! Attacks through granted commands (issue 19, class A): each tries to make a granted
//! program reach the host outside the phase's grant. The jail must hold, so each ends
//! `contained: ...` (an error of kind capability) or, for the two legitimate cases,
//! reports what it did; `ESCAPED:` means the host was reached.
//!
//! `hostile_arg` is a host path the test chose outside every mount (its sandbox's `x`).

use pungi_phase_sdk::{Context, Invocation, PhaseError, Summary};

use crate::{InvocationExt, escaped, invocation};

/// What the sandbox's `x`, outside every mount, holds.
const OUTSIDE: &str = "outside every mount";

fn contained(what: impl std::fmt::Display) -> PhaseError {
    crate::denied(format!("contained: {what}"))
}

/// Runs `program args` in `/compose`; its stdout, or the host's refusal as text.
fn run(ctx: &Context, program: &str, args: &[&str]) -> Result<(bool, String), PhaseError> {
    let call: Invocation = invocation(program, args, &[]).with_cwd("/compose");
    match ctx.run_command(&call) {
        Ok(out) => Ok((
            out.exit_code == Some(0),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )),
        Err(error) => Ok((false, format!("refused: {error}"))),
    }
}

/// Fails as escaped when `seen` shows the host file outside every mount.
fn judge(what: &str, seen: &str) -> Result<Summary, PhaseError> {
    if seen.contains(OUTSIDE) {
        return Ok(escaped(format!("{what} read the host: {seen}")));
    }
    Err(contained(format!("{what}: {seen}")))
}

/// A relative argument through a symlink the phase planted with WASI: `/compose/esc`
/// -> `..`, which on the host is the sandbox root, where `x` is.
pub fn planted_symlink(ctx: &Context) -> Result<Summary, PhaseError> {
    let compose = crate::preopen("/compose")?;
    compose
        .symlink_at("..", "esc")
        .map_err(|e| PhaseError::internal(format!("planting esc -> ..: {e:?}")))?;
    let (_, seen) = run(ctx, "cat", &["esc/x"])?;
    judge("`cat esc/x`", &seen)
}

/// A host path after `key=`, which no argument translation ever looked at.
pub fn key_value_path(ctx: &Context, host_path: &str) -> Result<Summary, PhaseError> {
    let (_, seen) = run(ctx, "dd", &[&format!("if={host_path}"), "status=none"])?;
    judge("`dd if=<host path>`", &seen)
}

/// An absolute path into a read-only mount, written by the program.
pub fn write_read_only(ctx: &Context) -> Result<Summary, PhaseError> {
    let (ok, seen) = run(ctx, "cp", &["/compose/planted.txt", "/work/evil"])?;
    if ok {
        return Ok(escaped("`cp` wrote into the read-only /work"));
    }
    Err(contained(format!("`cp` into /work: {seen}")))
}

/// A host path behind a prefix (`stdio:`), written by xorriso.
pub fn prefixed_host_path(ctx: &Context, host_path: &str) -> Result<Summary, PhaseError> {
    let target = format!("{host_path}.iso");
    let outdev = format!("stdio:{target}");
    let (ok, seen) = run(
        ctx,
        "xorriso",
        &["-outdev", &outdev, "-map", "/compose/planted.txt", "/p"],
    )?;
    if ok {
        return Ok(escaped(format!("xorriso wrote {target}: {seen}")));
    }
    Err(contained(format!("xorriso -outdev {outdev}: {seen}")))
}

/// A `.git/config` the phase wrote asks git to run a command (fsmonitor) on `status`.
pub fn git_fsmonitor(ctx: &Context) -> Result<Summary, PhaseError> {
    let (ok, seen) = run(ctx, "git", &["init", "-q", "/compose/repo"])?;
    if !ok {
        return Err(PhaseError::internal(format!("git init: {seen}")));
    }
    let config = "/compose/repo/.git/config";
    let mut text = std::fs::read_to_string(config)
        .map_err(|e| PhaseError::internal(format!("reading {config}: {e}")))?;
    text.push_str("[core]\n\tfsmonitor = \"touch /compose/FSMONITOR_RAN; false\"\n");
    std::fs::write(config, text)
        .map_err(|e| PhaseError::internal(format!("writing {config}: {e}")))?;
    let (_, seen) = run(ctx, "git", &["-C", "/compose/repo", "status"])?;
    if std::path::Path::new("/compose/FSMONITOR_RAN").exists() {
        return Ok(escaped("git ran the fsmonitor command of a planted config"));
    }
    Err(contained(format!(
        "git status did not run fsmonitor: {seen}"
    )))
}

/// An alias on the command line and an `ext::` URL, each of which would run a shell.
pub fn git_commands(ctx: &Context) -> Result<Summary, PhaseError> {
    let (_, alias) = run(
        ctx,
        "git",
        &["-c", "alias.x=!touch /compose/ALIAS_RAN", "x"],
    )?;
    let (_, ext) = run(
        ctx,
        "git",
        &[
            "clone",
            "ext::sh -c touch% /compose/EXT_RAN",
            "/compose/clone",
        ],
    )?;
    for marker in ["/compose/ALIAS_RAN", "/compose/EXT_RAN"] {
        if std::path::Path::new(marker).exists() {
            return Ok(escaped(format!("git ran a shell: {marker}")));
        }
    }
    Err(contained(format!("alias: {alias}; ext: {ext}")))
}

/// A child that leaves its session: it must die with the command all the same. The
/// test looks for the `sleep` (by its unique duration) once the phase has ended.
pub fn detached_child(ctx: &Context, seconds: &str) -> Result<Summary, PhaseError> {
    let (ok, seen) = run(ctx, "setsid", &["-f", "sleep", seconds])?;
    if !ok {
        return Err(PhaseError::internal(format!("setsid: {seen}")));
    }
    Ok(Summary::new(format!("started a detached sleep {seconds}")))
}

/// The legitimate case: a path inside the ISO is not a host path, and works.
pub fn iso_internal_path(ctx: &Context) -> Result<Summary, PhaseError> {
    let (ok, seen) = run(
        ctx,
        "xorriso",
        &[
            "-outdev",
            "/compose/made.iso",
            "-map",
            "/compose/planted.txt",
            "/inside/planted.txt",
        ],
    )?;
    if !ok {
        return Err(PhaseError::internal(format!("xorriso: {seen}")));
    }
    Ok(Summary::new("made /compose/made.iso"))
}
