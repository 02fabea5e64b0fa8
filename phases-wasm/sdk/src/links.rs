//! Placing many files while the phase goes on computing: the host links each batch on a
//! thread of its own (`files.start-links`), so the kernel's seconds of linking overlap
//! the phase's own work instead of adding to it.

use std::collections::VecDeque;

use crate::PhaseError;
use crate::bindings::pungi::phase::files::LinkRequest;
use crate::host::{self, LinkJob, LinkResults};

/// Links per host call and audit record.
pub(crate) const BATCH: usize = 4096;

/// Started batches kept before the oldest is waited for. The host bounds its own queue
/// (and makes `start-links` wait for room); this only bounds the handles held here.
const IN_FLIGHT: usize = 1024;

/// Files to place, sent to the host in batches as they are pushed. Made by
/// [`crate::Context::background_links`]; [`BackgroundLinks::finish`] waits for the last
/// ones and gives the first failure. Dropped unfinished, the batches already sent are
/// placed all the same (the host places every batch it was given before the phase ends),
/// without their errors reaching the phase; files not yet sent are not placed.
#[derive(Default)]
pub struct BackgroundLinks {
    pending: Vec<LinkRequest>,
    started: VecDeque<LinkJob>,
}

impl BackgroundLinks {
    /// Queues `source` to be placed at `destination`, as [`crate::Context::link`] would.
    /// An error here is a batch started before that failed.
    pub fn push(&mut self, source: String, destination: String) -> Result<(), PhaseError> {
        self.pending.push(LinkRequest {
            source,
            destination,
        });
        if self.pending.len() >= BATCH {
            self.start()?;
        }
        Ok(())
    }

    /// Waits until every pushed file is placed; the first failure, naming its file.
    pub fn finish(mut self) -> Result<(), PhaseError> {
        self.start()?;
        while let Some(job) = self.started.pop_front() {
            check_background(job.finish())?;
        }
        Ok(())
    }

    fn start(&mut self) -> Result<(), PhaseError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let requests = std::mem::take(&mut self.pending);
        let job = host::files_start_links(&requests).map_err(|e| {
            PhaseError::host(format_args!("starting to link {} files", requests.len()), e)
        })?;
        self.started.push_back(job);
        if self.started.len() > IN_FLIGHT
            && let Some(job) = self.started.pop_front()
        {
            check_background(job.finish())?;
        }
        Ok(())
    }
}

/// A background batch's answer as the phase's error: the host's errors name the files
/// (the requests are not kept: a distribution's worth would double what the phase
/// holds).
fn check_background(results: LinkResults) -> Result<(), PhaseError> {
    let results = results.map_err(|e| PhaseError::host("linking in the background", e))?;
    for result in results {
        result.map_err(|e| PhaseError::host("linking in the background", e))?;
    }
    Ok(())
}

/// The host's answer for `requests` as the phase's error: the batch's own, or its first
/// failed file's.
pub(crate) fn check(requests: &[LinkRequest], results: LinkResults) -> Result<(), PhaseError> {
    let results = results
        .map_err(|e| PhaseError::host(format_args!("linking {} files", requests.len()), e))?;
    for (request, result) in requests.iter().zip(results) {
        result.map_err(|e| {
            PhaseError::host(
                format_args!("linking {} to {}", request.source, request.destination),
                e,
            )
        })?;
    }
    Ok(())
}
