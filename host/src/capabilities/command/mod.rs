//! Allow-listed programs: argv only (never a shell), bounded arguments, a clean
//! environment, a working directory inside a writable mount, a time limit and capped
//! output, run in the command jail (`jail.rs`), which sees exactly the phase's mounts at
//! the phase's own paths. Each runs in a process group of its own, which the host kills
//! when the program ends or times out, or when the compose is terminated
//! ([`kill_running`]); the jail's pid namespace takes everything it started with it.
//! Programs that run commands of their own are hardened first (`programs.rs`).
//!
//! A policy may take a phase out of the jail (`jail = false`, which `--restricted`
//! refuses); its commands then run natively with the host user's rights, their
//! absolute-path arguments confined to the mounts and translated (`unjailed.rs`).

mod jail;
mod programs;
mod unjailed;

use std::collections::BTreeSet;
use std::io::Read;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use wait_timeout::ChildExt;

use super::paths::locate as locate_guest;
use super::{HostError, PhaseEnv};
use crate::policy::{Grant, arg_matches};

/// The only search path a command gets.
const SEARCH_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What the phase asked to run.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub program: String,
    pub args: Vec<String>,
    pub cwd: Option<String>,
    pub env: Vec<(String, String)>,
    pub timeout: Option<Duration>,
}

/// What the program did.
#[derive(Debug, Clone)]
pub struct Output {
    pub exit_code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub truncated: bool,
}

pub fn run(env: &PhaseEnv, invocation: &Invocation) -> Result<Output, HostError> {
    env.audited(
        "command",
        "run",
        serde_json::json!({
            "program": invocation.program,
            "args": invocation.args,
            "cwd": invocation.cwd,
        }),
        || run_checked(env, invocation),
        |out| Some(format!("exit={:?}", out.exit_code)),
    )
}

fn run_checked(env: &PhaseEnv, invocation: &Invocation) -> Result<Output, HostError> {
    check_size(invocation)?;
    let grant = &env.grant;
    let program = &invocation.program;
    let granted_any_args = grant.commands.contains(program);
    let patterns = grant.command_args.get(program);
    if program.contains('/') || (!granted_any_args && patterns.is_none()) {
        let granted: Vec<&str> = grant
            .commands
            .iter()
            .chain(grant.command_args.keys())
            .map(String::as_str)
            .collect();
        return Err(HostError::Denied(format!(
            "phase `{}` may not run `{program}` (granted: {})",
            grant.phase,
            if granted.is_empty() {
                "nothing".to_owned()
            } else {
                granted.join(", ")
            }
        )));
    }
    if let (false, Some(patterns)) = (granted_any_args, patterns)
        && let Some(arg) = invocation
            .args
            .iter()
            .find(|arg| !patterns.iter().any(|p| arg_matches(p, arg)))
    {
        return Err(HostError::Denied(format!(
            "phase `{}` may not pass `{arg}` to `{program}` (allowed: {})",
            grant.phase,
            patterns.join(" ")
        )));
    }
    let hardening = programs::harden(program, &invocation.args)?;
    let executable = locate(program)
        .ok_or_else(|| HostError::NotFound(format!("`{program}` is not installed on this host")))?;
    let cwd = match &invocation.cwd {
        Some(dir) => locate_guest(grant, dir, true)?,
        None => {
            let mount = grant.mounts.iter().find(|m| m.writable).ok_or_else(|| {
                HostError::Denied(format!(
                    "phase `{}` has no writable mount to run in",
                    grant.phase
                ))
            })?;
            locate_guest(grant, &mount.guest, true)?
        }
    };
    let args: Vec<String> = hardening
        .leading_args
        .into_iter()
        .chain(invocation.args.iter().cloned())
        .collect();
    let mut command = if grant.unjailed {
        unjailed::command(env, &executable, &args, &cwd)?
    } else {
        jail::command(grant, &executable, &args, &cwd.guest)?
    };
    command.env_clear().envs(clean_env());
    for (key, value) in &invocation.env {
        check_env(env, key)?;
        command.env(key, value);
    }
    command.envs(hardening.env);
    let asked = invocation
        .timeout
        .map_or(grant.limits.time, |t| t.min(grant.limits.time));
    let remaining = env.remaining_time();
    let limit = asked.min(remaining);
    execute(command, program, limit, grant.limits.output_bytes)?.ok_or_else(|| {
        let why = if remaining < asked {
            format!(
                "the phase's time limit ({} s) ran out",
                grant.limits.time.as_secs()
            )
        } else {
            format!("it ran longer than {} s", limit.as_secs())
        };
        HostError::Timeout(format!("`{program}` was killed: {why}"))
    })
}

/// Runs `program` for the host itself, not for a phase (fetching a config's SCM inputs
/// before phases run): hardened like a phase's, in the jail of `grant` (its mounts only),
/// in `cwd` (a guest path), killed after `limit`. The caller records it in the audit log.
pub fn run_for_host(
    grant: &Grant,
    program: &str,
    args: &[String],
    cwd: &str,
    limit: Duration,
) -> Result<Output, HostError> {
    let hardening = programs::harden(program, args)?;
    let executable = locate(program)
        .ok_or_else(|| HostError::NotFound(format!("`{program}` is not installed on this host")))?;
    let args: Vec<String> = hardening
        .leading_args
        .into_iter()
        .chain(args.iter().cloned())
        .collect();
    let mut command = jail::command(grant, &executable, &args, cwd)?;
    command.env_clear().envs(clean_env()).envs(hardening.env);
    execute(command, program, limit, grant.limits.output_bytes)?.ok_or_else(|| {
        HostError::Timeout(format!(
            "`{program}` was killed: it ran longer than {} s",
            limit.as_secs()
        ))
    })
}

/// The whole environment a command starts from: a fixed search path and locale.
fn clean_env() -> [(&'static str, &'static str); 2] {
    [("PATH", SEARCH_PATH), ("LANG", "C")]
}

/// Starts `command` (its environment already cleared and set) in a process group of its
/// own, keeps at most `cap` bytes of each output and kills the group after `limit`;
/// `None` when it had to be killed.
fn execute(
    mut command: Command,
    program: &str,
    limit: Duration,
    cap: u64,
) -> Result<Option<Output>, HostError> {
    command
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|e| HostError::Io(format!("starting `{program}`: {e}")))?;
    // The kernel's pids fit a pid_t; the child leads a group of its own.
    let group = child.id() as libc::pid_t;
    running().insert(group);
    let stdout = capture(child.stdout.take(), cap);
    let stderr = capture(child.stderr.take(), cap);
    let status = child.wait_timeout(limit);
    kill_group(group);
    running().remove(&group);
    let status = status.map_err(|e| HostError::Io(format!("waiting for `{program}`: {e}")))?;
    let Some(status) = status else {
        let _ = child.wait();
        return Ok(None);
    };
    let (stdout, cut_out) = stdout.join().unwrap_or_default();
    let (stderr, cut_err) = stderr.join().unwrap_or_default();
    Ok(Some(Output {
        exit_code: status.code(),
        stdout,
        stderr,
        truncated: cut_out || cut_err,
    }))
}

/// The most one argument or variable may hold: the kernel's own limit on one string
/// (MAX_ARG_STRLEN); what a program cannot be given is refused before it costs more.
const MAX_ARG_BYTES: usize = 128 << 10;
/// The most all arguments and variables of one call may hold together.
const MAX_ALL_ARGS_BYTES: usize = 1 << 20;
/// The most arguments one call may pass.
const MAX_ARGS: usize = 4096;

/// Refuses an invocation past the bounds above, naming the bound.
fn check_size(invocation: &Invocation) -> Result<(), HostError> {
    let strings = || {
        std::iter::once(&invocation.program)
            .chain(&invocation.args)
            .chain(invocation.cwd.iter())
            .chain(invocation.env.iter().flat_map(|(k, v)| [k, v]))
    };
    let refuse = |why: String| {
        Err(HostError::Invalid(format!(
            "command `{}`: {why}",
            invocation.program.chars().take(64).collect::<String>()
        )))
    };
    if invocation.args.len() > MAX_ARGS {
        return refuse(format!(
            "{} arguments, more than {MAX_ARGS}",
            invocation.args.len()
        ));
    }
    if let Some(long) = strings().find(|s| s.len() > MAX_ARG_BYTES) {
        return refuse(format!(
            "an argument of {} bytes, more than {} KiB",
            long.len(),
            MAX_ARG_BYTES >> 10
        ));
    }
    let total: usize = strings().map(String::len).sum();
    if total > MAX_ALL_ARGS_BYTES {
        return refuse(format!(
            "{total} bytes of arguments, more than {} MiB",
            MAX_ALL_ARGS_BYTES >> 20
        ));
    }
    Ok(())
}

/// The process groups of the commands running now.
fn running() -> std::sync::MutexGuard<'static, BTreeSet<libc::pid_t>> {
    static RUNNING: Mutex<BTreeSet<libc::pid_t>> = Mutex::new(BTreeSet::new());
    RUNNING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Kills every command running now with all it started: a compose that is terminated
/// (its commands, in groups of their own, do not get the terminal's Ctrl-C) must not
/// leave them running.
pub fn kill_running() {
    for group in running().iter() {
        kill_group(*group);
    }
}

/// Kills what is left of the process group `group` (a command's): the program itself
/// when it timed out, and whatever it started in the background either way.
fn kill_group(group: libc::pid_t) {
    // SAFETY: killpg takes no pointers; it only sends a signal. The group id stays
    // this command's while any process of the group lives (`process_group(0)` above).
    unsafe {
        libc::killpg(group, libc::SIGKILL);
    }
}

/// Variables that change which code a program loads or where it looks for programs;
/// never settable by a phase, whatever the policy lists.
const RESERVED_ENV: &[&str] = &["PATH", "LANG", "IFS", "GCONV_PATH", "HOME", "TMPDIR"];
const RESERVED_ENV_PREFIXES: &[&str] =
    &["LD_", "DYLD_", "MALLOC_", "LC_", "PYTHON", "RUBY", "PERL"];

/// A phase may set only the variables its policy lists, and never a reserved one.
fn check_env(env: &PhaseEnv, key: &str) -> Result<(), HostError> {
    let reserved =
        RESERVED_ENV.contains(&key) || RESERVED_ENV_PREFIXES.iter().any(|p| key.starts_with(p));
    if reserved || !env.grant.command_env.contains(key) {
        return Err(HostError::Denied(format!(
            "phase `{}` may not set `{key}` for its commands{}",
            env.grant.phase,
            if reserved {
                " (reserved by the host)"
            } else {
                ""
            }
        )));
    }
    Ok(())
}

/// Where `program` is on the commands' search path, if it is installed.
pub fn locate(program: &str) -> Option<PathBuf> {
    SEARCH_PATH
        .split(':')
        .map(|dir| PathBuf::from(dir).join(program))
        .find(|candidate| candidate.is_file())
}

/// Reads a pipe to its end on a thread, keeping at most `cap` bytes.
fn capture(
    pipe: Option<impl Read + Send + 'static>,
    cap: u64,
) -> std::thread::JoinHandle<(Vec<u8>, bool)> {
    std::thread::spawn(move || {
        let Some(pipe) = pipe else {
            return (Vec::new(), false);
        };
        let mut kept = Vec::new();
        let mut limited = pipe.take(cap);
        let _ = limited.read_to_end(&mut kept);
        let mut rest = limited.into_inner();
        let truncated = std::io::copy(&mut rest, &mut std::io::sink()).unwrap_or(0) > 0;
        (kept, truncated)
    })
}

/// Lets the command's process inherit the grant's pinned mount roots (see
/// `super::mount_roots`), which its mounts or paths name by descriptor; every other
/// descriptor of the host stays closed on exec.
fn inherit_pinned(command: &mut Command, grant: &Grant) {
    let pinned: Vec<RawFd> = grant
        .mounts
        .iter()
        .filter_map(|m| m.pinned.as_ref())
        .map(|p| p.fd().as_raw_fd())
        .collect();
    if pinned.is_empty() {
        return;
    }
    let inherit = move || {
        for &fd in &pinned {
            rustix::io::fcntl_setfd(
                // SAFETY: the grant holds these descriptors open while its commands run.
                unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) },
                rustix::io::FdFlags::empty(),
            )?;
        }
        Ok(())
    };
    // SAFETY: between fork and exec the closure only calls fcntl, which allocates
    // nothing and is async-signal-safe.
    unsafe { command.pre_exec(inherit) };
}
