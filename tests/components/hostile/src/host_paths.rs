//! Actions of `tests/tests/host_paths.rs`: the host's own work on paths and requests the
//! phase names (links and copies, digests, batches of links, Koji runroot tasks). Each
//! reports what the host answered, `Ok` when it did the work and a `capability` error
//! carrying the host's answer when it refused; the test looks at the answer and at the
//! files.

use pungi_phase_sdk::bindings::pungi::phase::{files, koji};
use pungi_phase_sdk::{DigestAlgorithm, ErrorKind, PhaseError, Summary};

fn refused(what: &str, answer: impl std::fmt::Debug) -> PhaseError {
    PhaseError {
        kind: ErrorKind::Capability,
        message: format!("{what}: {answer:?}"),
    }
}

/// `files.link` of `"SOURCE DESTINATION"`.
pub fn link(arg: &str) -> Result<Summary, PhaseError> {
    let (source, destination) = arg
        .split_once(' ')
        .ok_or_else(|| PhaseError::config("`hostile_arg` is `SOURCE DESTINATION`"))?;
    let kind = files::link(source, destination)
        .map_err(|e| refused(&format!("link {source} -> {destination}"), e))?;
    Ok(Summary::new(format!(
        "placed {source} -> {destination} as {kind:?}"
    )))
}

/// `files.digest` of the path `arg`.
pub fn digest(ctx: &pungi_phase_sdk::Context, arg: &str) -> Result<Summary, PhaseError> {
    let digests = ctx
        .digest(arg, &[DigestAlgorithm::Sha256])
        .map_err(|e| refused(&format!("digest {arg}"), e.message))?;
    Ok(Summary::new(format!("sha256 of {arg}: {digests:?}")))
}

/// `arg` pairs of short paths, to send in one batch.
fn batch(arg: &str) -> Result<Vec<files::LinkRequest>, PhaseError> {
    let count: usize = arg
        .parse()
        .map_err(|_| PhaseError::config("`hostile_arg` is a number of links"))?;
    Ok((0..count)
        .map(|_| files::LinkRequest {
            source: "/compose/planted.txt".to_owned(),
            destination: "/compose/b".to_owned(),
        })
        .collect())
}

/// One `files.link-many` call of `arg` pairs.
pub fn link_many(arg: &str) -> Result<Summary, PhaseError> {
    let answers = files::link_many(&batch(arg)?).map_err(|e| refused("link-many", e))?;
    Ok(Summary::new(format!(
        "link-many answered {} links",
        answers.len()
    )))
}

/// One `files.start-links` call of `arg` pairs.
pub fn start_links(arg: &str) -> Result<Summary, PhaseError> {
    let job = files::start_links(&batch(arg)?).map_err(|e| refused("start-links", e))?;
    let answers = job.finish().map_err(|e| refused("start-links", e))?;
    Ok(Summary::new(format!(
        "start-links answered {} links",
        answers.len()
    )))
}

/// A `runroot` task submitted with the JSON parameters `arg`.
pub fn runroot(arg: &str) -> Result<Summary, PhaseError> {
    let task = koji::submit_task("runroot", arg).map_err(|e| refused("runroot", e))?;
    Ok(Summary::new(format!("runroot task {task} submitted")))
}

/// Replaces the directory behind a custom mount while the phase runs: `/compose/Server`
/// (which the policy also mounts read-only at `/server`) is moved aside and a link to
/// `../logs/global`, where the host keeps its audit log, put in its place. Then reads
/// `/server/audit.jsonl` through a granted `cat` and through the host's digest. A mount
/// root the host reaches by its path would now be the host's logs; a pinned one is
/// still the directory the phase was given, which holds no audit log.
pub fn swap_mount_root(ctx: &pungi_phase_sdk::Context) -> Result<Summary, PhaseError> {
    let compose = crate::preopen("/compose")?;
    compose
        .rename_at("Server", &compose, "Server.moved")
        .map_err(|e| PhaseError::internal(format!("moving Server aside: {e:?}")))?;
    compose
        .symlink_at("../logs/global", "Server")
        .map_err(|e| PhaseError::internal(format!("planting Server -> logs: {e:?}")))?;
    let read = ctx.run_command(&crate::invocation("cat", &["/server/audit.jsonl"], &[]));
    if let Ok(out) = &read
        && out.exit_code == Some(0)
    {
        return Ok(crate::escaped(format!(
            "cat read the host's audit log: {} bytes",
            out.stdout.len()
        )));
    }
    if ctx
        .digest("/server/audit.jsonl", &[DigestAlgorithm::Sha256])
        .is_ok()
    {
        return Ok(crate::escaped("the host hashed its own audit log"));
    }
    Err(refused("the swapped mount root", format!("cat: {read:?}")))
}
