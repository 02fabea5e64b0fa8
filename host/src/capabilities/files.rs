//! Native helpers for heavy byte work on granted paths: linking package files into trees
//! and hashing images, which through WASI would copy every byte into the sandbox.

use std::io::Read;

use sha2::digest::DynDigest;

use super::beneath::{Beneath, LinkError};
use super::paths::{locate, resolve};
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

/// [`link`] for many files in one call, audited once: an intent listing every pair
/// (one past 16 KiB is kept as its length and digest), then a result naming each failure;
/// the outcome is `denied` when any was denied.
/// Directories opened for one file serve the next ones. (Placing them from several
/// threads was measured and gained nothing: the kernel's link work, about 6 µs a file
/// on ext4, is what takes the time, and it does not spread over cores.)
pub fn link_many(env: &PhaseEnv, requests: &[(String, String)]) -> BatchResult {
    link_batch(env, "link-many", requests)
}

/// [`link_many`], audited as `operation`: how the batch reached the host.
pub fn link_batch(env: &PhaseEnv, operation: &str, requests: &[(String, String)]) -> BatchResult {
    if let Err(why) = check_batch(requests) {
        // Recorded by its size alone: the pairs are what must not cost the host.
        let summary = serde_json::json!({ "links": { "pairs": requests.len() } });
        let call = env.intent("files", operation, summary)?;
        call.record(Outcome::Error, Some(why.to_string()), None)?;
        return Err(why);
    }
    let call = env.intent("files", operation, serde_json::json!({ "links": requests }))?;
    let mut beneath = Beneath::default();
    // A batch placed past the phase's time limit would keep the host busy after it:
    // what is left is answered `timeout`.
    let results: Vec<_> = requests
        .iter()
        .map(|(source, destination)| {
            if env.remaining_time().is_zero() {
                return Err(HostError::Timeout(format!(
                    "{source} -> {destination}: the phase's time limit ran out"
                )));
            }
            place(&env.grant, &mut beneath, source, destination)
        })
        .collect();
    let failures: Vec<String> = requests
        .iter()
        .zip(&results)
        .filter_map(|((source, destination), result)| {
            let error = result.as_ref().err()?;
            Some(format!("{source} -> {destination}: {error}"))
        })
        .collect();
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

/// The most links one batch may ask for; a longer list is refused whole, before the
/// host builds anything of its size. (The SDK sends batches of 4,096.) With the link
/// worker's queue of 64 batches, what a phase can make the host hold is bounded too.
pub const MAX_BATCH_LINKS: usize = 16_384;
/// The longest path a link may name (Linux's PATH_MAX).
const MAX_PATH_BYTES: usize = 4096;

/// Refuses a batch past [`MAX_BATCH_LINKS`] or with a path past `MAX_PATH_BYTES`.
pub fn check_batch(requests: &[(String, String)]) -> Result<(), HostError> {
    if requests.len() > MAX_BATCH_LINKS {
        return Err(HostError::Invalid(format!(
            "a batch of {} links; at most {MAX_BATCH_LINKS} at a time",
            requests.len()
        )));
    }
    if let Some(path) = requests
        .iter()
        .flat_map(|(s, d)| [s, d])
        .find(|p| p.len() > MAX_PATH_BYTES)
    {
        return Err(HostError::Invalid(format!(
            "a path of {} bytes in a batch; at most {MAX_PATH_BYTES}",
            path.len()
        )));
    }
    Ok(())
}

/// One link, unaudited: what [`link`] and [`link_many`] do per file. A hardlink goes
/// through [`Beneath`]; copies (out of a read-only mount, or across devices) and kernels
/// without `openat2` through [`place_checked`].
fn place(
    grant: &Grant,
    beneath: &mut Beneath,
    source: &str,
    destination: &str,
) -> Result<LinkKind, HostError> {
    let from = locate(grant, source, false)?;
    let to = locate(grant, destination, true)?;
    if !from.mount.writable && !grant.hardlink_read_only {
        return place_checked(grant, source, destination);
    }
    match beneath.hard_link(&from, &to) {
        Ok(kind) => Ok(kind),
        Err(LinkError::NotFound) => Err(HostError::NotFound(from.guest)),
        Err(LinkError::NotAFile) => Err(HostError::Invalid(format!(
            "{} is not a regular file",
            from.guest
        ))),
        Err(LinkError::Escapes) => Err(HostError::Denied(format!(
            "phase `{}`: `{}` -> `{}` leaves its mount through a symlink",
            grant.phase, from.guest, to.guest
        ))),
        Err(LinkError::Io(e)) => Err(HostError::Io(format!(
            "{} -> {}: {e}",
            from.guest, to.guest
        ))),
        Err(LinkError::CrossesDevices | LinkError::Unsupported) => {
            place_checked(grant, source, destination)
        }
    }
}

/// Places a file by path, after checking each ancestor for a symlink out of its mount:
/// a copy when the grant does not allow hardlinking out of a read-only mount or the two
/// are on different devices, else a hardlink.
fn place_checked(grant: &Grant, source: &str, destination: &str) -> Result<LinkKind, HostError> {
    let from = resolve(grant, source, false)?;
    let to = resolve(grant, destination, true)?;
    let io = |e: std::io::Error| HostError::Io(format!("{} -> {}: {e}", from.guest, to.guest));
    let meta = std::fs::metadata(&from.host).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => HostError::NotFound(from.guest.clone()),
        _ => io(e),
    })?;
    if !meta.is_file() {
        return Err(HostError::Invalid(format!(
            "{} is not a regular file",
            from.guest
        )));
    }
    if let Ok(existing) = std::fs::metadata(&to.host) {
        use std::os::unix::fs::MetadataExt;
        if existing.ino() == meta.ino() && existing.dev() == meta.dev() {
            return Ok(LinkKind::Existing);
        }
        std::fs::remove_file(&to.host).map_err(io)?;
    }
    if let Some(parent) = to.host.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    if !from.mount.writable && !grant.hardlink_read_only {
        copy_atomically(&from.host, &to.host).map_err(io)?;
        return Ok(LinkKind::Copy);
    }
    match std::fs::hard_link(&from.host, &to.host) {
        Ok(()) => Ok(LinkKind::Hardlink),
        Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices => {
            copy_atomically(&from.host, &to.host).map_err(io)?;
            Ok(LinkKind::Copy)
        }
        Err(e) => Err(io(e)),
    }
}

/// Copies `from` (opened as a regular file, never through a link) to a temporary file
/// beside `to`, then renames it over `to`.
fn copy_atomically(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    let dir = to.parent().unwrap_or(std::path::Path::new("."));
    let mut source = open_regular(from)?;
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    std::io::copy(&mut source, tmp.as_file_mut())?;
    tmp.persist(to).map_err(|e| e.error)?;
    Ok(())
}

/// Opens `path` for reading only if it is a regular file itself: not a symlink (which
/// a phase may have swapped in after the check), not a device or a FIFO (which could
/// be read forever).
fn open_regular(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

/// Hex digests of one file, in the order of `algorithms`, from a single read.
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
            let file = resolve(&env.grant, path, false)?;
            let io = |e: std::io::Error| match e.kind() {
                std::io::ErrorKind::NotFound => HostError::NotFound(file.guest.clone()),
                _ => HostError::Io(format!("{}: {e}", file.guest)),
            };
            let mut reader = open_regular(&file.host).map_err(io)?;
            let mut hashers: Vec<_> = algorithms.iter().map(|a| a.hasher()).collect();
            let mut buffer = vec![0u8; 64 << 10];
            loop {
                if env.remaining_time().is_zero() {
                    return Err(HostError::Timeout(format!(
                        "hashing {}: the phase's time limit ran out",
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
