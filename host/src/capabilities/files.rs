//! Native helpers for heavy byte work on granted paths: linking package files into trees
//! and hashing images, which through WASI would copy every byte into the sandbox.

use std::io::Read;

use sha2::digest::DynDigest;

use super::beneath::{Beneath, LinkError};
use super::paths::locate;
use super::{HostError, PhaseEnv};
use crate::audit::Outcome;
use crate::policy::Grant;

/// How a file was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Hardlink,
    Copy,
    Existing,
}

/// Digest algorithms the host computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
    fn hasher(self) -> Box<dyn DynDigest> {
        match self {
            Algorithm::Md5 => Box::new(md5::Md5::default()),
            Algorithm::Sha1 => Box::new(sha1::Sha1::default()),
            Algorithm::Sha224 => Box::new(sha2::Sha224::default()),
            Algorithm::Sha256 => Box::new(sha2::Sha256::default()),
            Algorithm::Sha384 => Box::new(sha2::Sha384::default()),
            Algorithm::Sha512 => Box::new(sha2::Sha512::default()),
        }
    }
}

/// Places `source` at `destination` by hardlink, or by copy across devices or out of a
/// read-only mount (unless the grant allows hardlinking those); creates the
/// destination's parent directories.
pub fn link(env: &PhaseEnv, source: &str, destination: &str) -> Result<LinkKind, HostError> {
    env.audited(
        "files",
        "link",
        serde_json::json!({ "source": source, "destination": destination }),
        || place(&env.grant, &mut Beneath::default(), source, destination),
        |_| None,
    )
}

/// What a batch of links comes to: one answer per link, or an error for the whole batch.
pub type BatchResult = Result<Vec<Result<LinkKind, HostError>>, HostError>;

/// A batch's answer in another vocabulary (a WIT version's types, the SDK's), each
/// kind and error translated.
pub fn translate_batch<K, E>(
    results: BatchResult,
    kind: impl Fn(LinkKind) -> K,
    error: impl Fn(HostError) -> E,
) -> Result<Vec<Result<K, E>>, E> {
    Ok(results
        .map_err(&error)?
        .into_iter()
        .map(|r| r.map(&kind).map_err(&error))
        .collect())
}

/// Most links one batch may hold: 4 of the SDK's batches. A phase's batch costs the
/// host its paths once more, and its audit record; a cap keeps both to a known size.
pub const MAX_BATCH_LINKS: usize = 16_384;
/// Longest path a batch may name (Linux's `PATH_MAX`).
pub const MAX_PATH_BYTES: usize = 4096;
/// What one pair costs the host besides its paths' bytes: the pair and two allocations.
const PAIR_OVERHEAD: usize = 80;
/// Most host memory one batch may take ([`batch_footprint`]): a full batch of 200-byte
/// paths fits; a batch of 4,096-byte paths must be smaller.
pub const MAX_BATCH_BYTES: usize = 32 << 20;

/// What a batch's pairs take in host memory, about.
fn batch_footprint(requests: &[(String, String)]) -> usize {
    requests
        .iter()
        .map(|(s, d)| s.len() + d.len() + PAIR_OVERHEAD)
        .sum()
}

/// The batch's footprint ([`batch_footprint`]) when it is within the caps, else why not.
fn check_batch(requests: &[(String, String)]) -> Result<usize, String> {
    if requests.len() > MAX_BATCH_LINKS {
        return Err(format!(
            "a batch holds at most {MAX_BATCH_LINKS} links; this one has {}",
            requests.len()
        ));
    }
    if let Some(long) = requests
        .iter()
        .flat_map(|(s, d)| [s, d])
        .find(|p| p.len() > MAX_PATH_BYTES)
    {
        return Err(format!(
            "a path in a batch is at most {MAX_PATH_BYTES} bytes; one has {} (starting {:?})",
            long.len(),
            long.chars().take(64).collect::<String>()
        ));
    }
    let footprint = batch_footprint(requests);
    if footprint > MAX_BATCH_BYTES {
        return Err(format!(
            "a batch takes at most {MAX_BATCH_BYTES} bytes of paths and pairs \
             ({PAIR_OVERHEAD} a pair); this one takes {footprint}: send fewer links at a time"
        ));
    }
    Ok(footprint)
}

/// Refuses a batch over the caps before the host does anything else with it, with an
/// audit record of its size only (its pairs are what must not cost the host); the
/// batch's footprint when it is within them.
pub fn admit_batch(
    env: &PhaseEnv,
    operation: &str,
    requests: &[(String, String)],
) -> Result<usize, HostError> {
    let refusal = match check_batch(requests) {
        Ok(footprint) => return Ok(footprint),
        Err(why) => HostError::Invalid(why),
    };
    let summary = serde_json::json!({ "links": { "pairs": requests.len() } });
    let call = env.intent("files", operation, summary)?;
    call.record(refusal.outcome(), Some(refusal.to_string()), None)?;
    Err(refusal)
}

/// [`link`] for many files in one call, audited once: an intent listing every pair
/// (one past 16 KiB is kept as its length and digest), then a result naming each failure;
/// the outcome is `denied` when any was denied.
/// Directories opened for one file serve the next ones. (Placing them from several
/// threads was measured and gained nothing: the kernel's link work, about 6 µs a file
/// on ext4, is what takes the time, and it does not spread over cores.)
pub fn link_many(env: &PhaseEnv, requests: &[(String, String)]) -> BatchResult {
    admit_batch(env, "link-many", requests)?;
    place_batch(env, "link-many", requests)
}

/// Places an admitted batch ([`admit_batch`]) and audits it as `operation`: how the
/// batch reached the host. Links still to place when the phase's time limit passes are
/// answered `Timeout`: the limit stops Wasm code, and the host's loop must stop with it.
pub fn place_batch(env: &PhaseEnv, operation: &str, requests: &[(String, String)]) -> BatchResult {
    let call = env.intent("files", operation, serde_json::json!({ "links": requests }))?;
    let mut beneath = Beneath::default();
    let mut results = Vec::with_capacity(requests.len());
    for (source, destination) in requests {
        if env.remaining_time().is_zero() {
            break;
        }
        results.push(place(&env.grant, &mut beneath, source, destination));
    }
    let late = requests.len() - results.len();
    let mut failures: Vec<String> = requests
        .iter()
        .zip(&results)
        .filter_map(|((source, destination), result)| {
            let error = result.as_ref().err()?;
            Some(format!("{source} -> {destination}: {error}"))
        })
        .collect();
    if late > 0 {
        failures.push(format!(
            "{late} links not placed: the phase's time limit passed"
        ));
        let timeout = HostError::Timeout("the phase's time limit passed before this link".into());
        results.resize(requests.len(), Err(timeout));
    }
    let outcome = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(HostError::outcome)
        .max_by_key(|o| *o == Outcome::Denied)
        .unwrap_or(Outcome::Ok);
    call.record(
        outcome,
        (!failures.is_empty()).then(|| failures.join("\n")),
        None,
    )?;
    Ok(results)
}

/// One link, unaudited: what [`link`] and [`link_many`] do per file. A hardlink unless
/// the source is in a read-only mount the grant does not hardlink out of, or on another
/// device: then a copy. Both go through [`Beneath`], which follows no link the phase
/// could have planted.
fn place(
    grant: &Grant,
    beneath: &mut Beneath,
    source: &str,
    destination: &str,
) -> Result<LinkKind, HostError> {
    let from = locate(grant, source, false)?;
    let to = locate(grant, destination, true)?;
    let refused = |e| {
        refusal(
            grant,
            e,
            &from.guest,
            &format!("{} -> {}", from.guest, to.guest),
        )
    };
    if !from.mount.writable && !grant.hardlink_read_only {
        return beneath.copy((&from).into(), (&to).into()).map_err(refused);
    }
    match beneath.hard_link((&from).into(), (&to).into()) {
        Err(LinkError::CrossesDevices) => beneath.copy((&from).into(), (&to).into()),
        other => other,
    }
    .map_err(refused)
}

/// What the phase is told when [`Beneath`] refused: `file` is the file the error is
/// about when it is one file's, `what` names the operation.
pub(super) fn refusal(grant: &Grant, error: LinkError, file: &str, what: &str) -> HostError {
    match error {
        LinkError::NotFound => HostError::NotFound(file.to_owned()),
        LinkError::NotAFile => HostError::Invalid(format!("{file} is not a regular file")),
        LinkError::Symlink => HostError::Denied(format!(
            "phase `{}`: `{what}` goes through a symlink the host does not follow \
             (none in a writable mount, none out of any mount)",
            grant.phase
        )),
        LinkError::CrossesDevices => HostError::Io(format!("{what}: crosses devices")),
        LinkError::Io(e) => HostError::Io(format!("{what}: {e}")),
    }
}

/// Hex digests of one file, in the order of `algorithms`, from a single read. The file
/// is opened beneath its mount without following a link, must be a regular file, and
/// the read stops when the phase's time limit passes.
pub fn digest(
    env: &PhaseEnv,
    path: &str,
    algorithms: &[Algorithm],
) -> Result<Vec<String>, HostError> {
    env.audited(
        "files",
        "digest",
        serde_json::json!({ "path": path, "algorithms": algorithms.iter().map(|a| format!("{a:?}").to_lowercase()).collect::<Vec<_>>() }),
        || {
            let file = locate(&env.grant, path, false)?;
            let mut reader = Beneath::default()
                .open_file((&file).into())
                .map_err(|e| refusal(&env.grant, e, &file.guest, &file.guest))?;
            let io = |e: std::io::Error| HostError::Io(format!("{}: {e}", file.guest));
            let mut hashers: Vec<_> = algorithms.iter().map(|a| a.hasher()).collect();
            let mut buffer = vec![0u8; 64 << 10];
            loop {
                if env.remaining_time().is_zero() {
                    return Err(HostError::Timeout(format!(
                        "{}: the phase's time limit passed while hashing",
                        file.guest
                    )));
                }
                let n = reader.read(&mut buffer).map_err(io)?;
                if n == 0 {
                    break;
                }
                for hasher in &mut hashers {
                    hasher.update(&buffer[..n]);
                }
            }
            Ok(hashers.into_iter().map(|h| hex::encode(h.finalize())).collect())
        },
        |digests: &Vec<String>| digests.first().cloned(),
    )
}
