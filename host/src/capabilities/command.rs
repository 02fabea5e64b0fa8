//! Allow-listed programs run natively: argv only (never a shell), a clean environment, a
//! working directory inside a writable mount, a time limit and capped output. Each runs
//! in a process group of its own, which the host kills when the program ends or times
//! out, or when the compose is terminated ([`kill_running`]), so nothing it started
//! outlives it or holds its output pipes open.
//!
//! A granted command runs with the host user's rights; the grant of a program is the real
//! trust decision. Arguments are confined as far as the host can see them: an absolute
//! path (alone or after `--opt=`) must lie inside a mount and is translated to the host
//! path; any other absolute path is refused.

use std::collections::BTreeSet;
use std::io::Read;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use wait_timeout::ChildExt;

use super::paths::resolve;
use super::{HostError, PhaseEnv};
use crate::policy::arg_matches;

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
    let executable = locate(program)
        .ok_or_else(|| HostError::NotFound(format!("`{program}` is not installed on this host")))?;
    let args = invocation
        .args
        .iter()
        .map(|arg| translate_arg(env, arg))
        .collect::<Result<Vec<_>, _>>()?;
    let cwd = match &invocation.cwd {
        Some(dir) => resolve(grant, dir, true)?.host,
        None => grant
            .mounts
            .iter()
            .find(|m| m.writable)
            .map(|m| m.host.clone())
            .ok_or_else(|| {
                HostError::Denied(format!(
                    "phase `{}` has no writable mount to run in",
                    grant.phase
                ))
            })?,
    };
    let mut command = Command::new(executable);
    command
        .args(&args)
        .current_dir(&cwd)
        .env_clear()
        .env("PATH", SEARCH_PATH)
        .env("LANG", "C")
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in &invocation.env {
        check_env(env, key)?;
        command.env(key, value);
    }
    let mut child = command
        .spawn()
        .map_err(|e| HostError::Io(format!("starting `{program}`: {e}")))?;
    // The kernel's pids fit a pid_t; the child leads a group of its own.
    let group = child.id() as libc::pid_t;
    running().insert(group);
    let cap = grant.limits.output_bytes;
    let stdout = capture(child.stdout.take(), cap);
    let stderr = capture(child.stderr.take(), cap);
    let asked = invocation
        .timeout
        .map_or(grant.limits.time, |t| t.min(grant.limits.time));
    let remaining = env.remaining_time();
    let limit = asked.min(remaining);
    let status = child.wait_timeout(limit);
    kill_group(group);
    running().remove(&group);
    let status = status.map_err(|e| HostError::Io(format!("waiting for `{program}`: {e}")))?;
    let Some(status) = status else {
        let _ = child.wait();
        let why = if remaining < asked {
            format!(
                "the phase's time limit ({} s) ran out",
                grant.limits.time.as_secs()
            )
        } else {
            format!("it ran longer than {} s", limit.as_secs())
        };
        return Err(HostError::Timeout(format!("`{program}` was killed: {why}")));
    };
    let (stdout, cut_out) = stdout.join().unwrap_or_default();
    let (stderr, cut_err) = stderr.join().unwrap_or_default();
    Ok(Output {
        exit_code: status.code(),
        stdout,
        stderr,
        truncated: cut_out || cut_err,
    })
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

/// `/compose/x` -> its host path; `--out=/work/y` -> `--out=<host>`; other absolute paths
/// are refused, and so are `..` components (which would climb out of the working
/// directory) and paths glued to an option (`-o/x`: pass `-o /x` or `--opt=/x`); other
/// arguments pass as they are.
fn translate_arg(env: &PhaseEnv, arg: &str) -> Result<String, HostError> {
    let (prefix, value) = match arg.split_once('=') {
        Some((option, value)) if option.starts_with('-') => (format!("{option}="), value),
        _ => (String::new(), arg),
    };
    let refuse = |why: &str| {
        HostError::Denied(format!(
            "phase `{}`: argument `{arg}` {why}",
            env.grant.phase
        ))
    };
    if value.split('/').any(|part| part == "..") {
        return Err(refuse("climbs with `..`"));
    }
    if prefix.is_empty() && value.starts_with('-') && value.contains('/') {
        return Err(refuse(
            "glues a path to an option; pass it as `--option=PATH` or as its own argument",
        ));
    }
    if !value.starts_with('/') {
        return Ok(arg.to_owned());
    }
    let resolved = resolve(&env.grant, value, false)?;
    Ok(format!("{prefix}{}", resolved.host.display()))
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
