//! The benchmark's probe (`cargo xtask bench`): it prices the runtime's own paths, run once
//! as a Wasm component and once natively (the same code through `run_native`), so the
//! difference is the sandbox. It reports nanoseconds in its summary counters:
//!
//! - `calls_ns`: `probe_calls` host calls (`config.get` of an unset option: the cheapest
//!   call that crosses into the host and is audited);
//! - `metadata_write_ns` / `metadata_read_ns`: one `probe_bytes` document written and read
//!   back through the `metadata` interface;
//! - `fs_write_ns` / `fs_read_ns`: one `probe_bytes` file written and read back under
//!   `/work` (WASI in the sandbox, plain `std::fs` natively);
//! - `digest_ns`: `files.digest` (sha256) of `probe_file` (a file under `/work`), when the
//!   config names one.

use std::time::Instant;

use pungi_phase_sdk::{
    Context, DigestAlgorithm, MountRole, Phase, PhaseError, Summary, register_phase,
};

struct Probe;

/// The document the probe writes; the bench's policy grants it.
const DOCUMENT: &str = "probe";

fn nanos(started: Instant) -> u64 {
    started.elapsed().as_nanos() as u64
}

impl Phase for Probe {
    fn run(ctx: &Context) -> Result<Summary, PhaseError> {
        let calls: u64 = ctx.option_or("probe_calls", 10_000)?;
        let bytes: u64 = ctx.option_or("probe_bytes", 64 << 20)?;
        let file: Option<String> = ctx.option("probe_file")?;

        let started = Instant::now();
        for _ in 0..calls {
            if ctx.option::<u64>("probe_unset")?.is_some() {
                return Err(PhaseError::config("`probe_unset` must stay unset"));
            }
        }
        let calls_ns = nanos(started);

        // A JSON string of `bytes` characters: what a large phase document looks like
        // on the wire.
        let payload = "x".repeat(bytes as usize);
        let started = Instant::now();
        ctx.write_document(DOCUMENT, &payload)?;
        let metadata_write_ns = nanos(started);
        let started = Instant::now();
        let back: String = ctx.read_document(DOCUMENT)?;
        let metadata_read_ns = nanos(started);
        if back.len() != payload.len() {
            return Err(PhaseError::internal("the probe document came back changed"));
        }

        let work = ctx.mount_path(&MountRole::Work)?;
        let path = format!("{work}/probe.bin");
        let started = Instant::now();
        std::fs::write(&path, payload.as_bytes())
            .map_err(|e| PhaseError::io(format!("writing {path}"), e))?;
        let fs_write_ns = nanos(started);
        let started = Instant::now();
        let read =
            std::fs::read(&path).map_err(|e| PhaseError::io(format!("reading {path}"), e))?;
        let fs_read_ns = nanos(started);
        std::fs::remove_file(&path).map_err(|e| PhaseError::io(format!("removing {path}"), e))?;
        if read.len() as u64 != bytes {
            return Err(PhaseError::internal("the probe file came back changed"));
        }

        let mut summary = Summary::new(format!("{calls} calls, {bytes} bytes"))
            .count("calls", calls)
            .count("bytes", bytes)
            .count("calls_ns", calls_ns)
            .count("metadata_write_ns", metadata_write_ns)
            .count("metadata_read_ns", metadata_read_ns)
            .count("fs_write_ns", fs_write_ns)
            .count("fs_read_ns", fs_read_ns);
        if let Some(file) = file {
            let started = Instant::now();
            ctx.digest(&format!("{work}/{file}"), &[DigestAlgorithm::Sha256])?;
            summary = summary.count("digest_ns", nanos(started));
        }
        Ok(summary)
    }
}

register_phase!(Probe);
