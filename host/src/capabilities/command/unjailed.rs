//! Commands of a phase its policy took out of the jail (`jail = false`): run natively
//! with the host user's rights in the host directory behind the phase's working
//! directory. Their paths are the host's, so an absolute path argument (alone or after
//! `--opt=`) must lie inside a mount and is translated to the host path; other absolute
//! paths, `..` components and paths glued to an option are refused. This confines only
//! what the host can see in the arguments; the jail confines everything.

use std::path::Path;
use std::process::Command;

use super::super::paths::{Resolved, resolve};
use super::super::{HostError, PhaseEnv};

pub fn command(
    env: &PhaseEnv,
    program: &Path,
    args: &[String],
    cwd: &Resolved<'_>,
) -> Result<Command, HostError> {
    let cwd = resolve(&env.grant, &cwd.guest, true)?.host;
    let args = args
        .iter()
        .map(|arg| translate_arg(env, arg))
        .collect::<Result<Vec<_>, _>>()?;
    let mut command = Command::new(program);
    command.args(args).current_dir(cwd);
    super::inherit_pinned(&mut command, &env.grant);
    Ok(command)
}

/// `/compose/x` -> its host path; `--out=/work/y` -> `--out=<host>`; other arguments
/// pass as they are.
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
