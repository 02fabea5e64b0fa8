//! A phase granted nothing that spends its whole time limit on denied calls, each as
//! expensive for the host as it can make it: what `cargo xtask bench-flood` measures
//! (the host's memory and the audit log's growth), and what the denied-call bound ends.

use pungi_phase_sdk::bindings::pungi::phase::{command, files, metadata};
use pungi_phase_sdk::{PhaseError, Summary};

use super::escaped;

/// Each of one command call's two arguments: 16 MiB.
const ARGUMENT_BYTES: usize = 16 << 20;
/// Pairs of one link batch: about as many of these short pairs (78 bytes of hostcall
/// fuel each) as the host copies from a phase granted no documents in one call (36 MiB).
/// A larger batch stops the phase at its first call, which ends the flood at once.
const BATCH_PAIRS: usize = 400_000;

/// Calls until the host stops the phase; returns only if every call was accepted.
pub fn denied_calls() -> Result<Summary, PhaseError> {
    let huge = "a".repeat(ARGUMENT_BYTES);
    let invocation = command::Invocation {
        program: "sh".into(),
        args: vec![huge.clone(), huge],
        cwd: None,
        env: Vec::new(),
        timeout_ms: None,
    };
    let pairs: Vec<files::LinkRequest> = (0..BATCH_PAIRS)
        .map(|i| files::LinkRequest {
            source: format!("/compose/s{i}"),
            destination: format!("/compose/d{i}"),
        })
        .collect();
    loop {
        let ran = command::run(&invocation).is_ok();
        let placed = |results: Result<Vec<Result<files::LinkKind, _>>, _>| {
            results.is_ok_and(|each| each.iter().any(Result::is_ok))
        };
        let linked = placed(files::link_many(&pairs));
        let started = files::start_links(&pairs).is_ok_and(|job| placed(job.finish()));
        let read = metadata::read("secret").is_ok();
        if ran || linked || started || read {
            return Ok(escaped(format!(
                "a call was accepted: run {ran}, link-many {linked}, start-links {started}, read {read}"
            )));
        }
    }
}
