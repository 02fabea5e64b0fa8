//! Links placed on a host thread while the phase goes on computing (`files.start-links`).
//!
//! Placing a distribution's packages is hundreds of thousands of hardlinks, seconds of
//! kernel work that does not spread over cores. Done inside the phase's calls it adds to
//! the phase's own work; done here it overlaps it. Each batch is placed and audited
//! exactly as [`files::link_many`] does it (audited as `start-links`), by one worker
//! thread per phase, in the order the batches were started. The queue is bounded, so a
//! phase cannot pile up host memory faster than the kernel places files, and the worker
//! is drained before the phase is reported ended: an auditor never sees a phase end with
//! links still to come.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::files::{self, BatchResult};
use super::{HostError, PhaseEnv};

/// Batches that may wait for the worker before `start` waits for room. A phase decides
/// its files in bursts (a whole variant at once) and computes between them; 64 of the
/// SDK's 4,096-link batches (about 50 MB of paths, 1.5 s of kernel work) absorb a
/// distribution variant's burst, where 4 made the phase wait for the kernel after all.
const QUEUE: usize = 64;

/// One batch handed to the worker, and where its answer goes.
struct Batch {
    requests: Vec<(String, String)>,
    answer: SyncSender<BatchResult>,
}

/// A started batch, as the phase holds it (the `link-job` resource).
pub struct LinkJob {
    answer: Option<Receiver<BatchResult>>,
}

impl LinkJob {
    /// Waits for the batch and gives its answer, once.
    pub fn finish(&mut self) -> BatchResult {
        let answer = self
            .answer
            .take()
            .ok_or_else(|| HostError::Invalid("this link job was already finished".into()))?;
        answer
            .recv()
            .unwrap_or_else(|_| Err(HostError::Io("the link worker stopped".into())))
    }
}

/// The worker of one phase run, started on its first batch.
#[derive(Default)]
pub struct LinkWorker {
    queue: Option<SyncSender<Batch>>,
    thread: Option<JoinHandle<()>>,
}

impl LinkWorker {
    /// Queues `requests`, waiting for room when the queue is full.
    pub fn start(
        &mut self,
        env: &PhaseEnv,
        requests: Vec<(String, String)>,
    ) -> Result<LinkJob, HostError> {
        // A batch too big is refused (and audited) here, never queued.
        if files::check_batch(&requests).is_err() {
            files::link_batch(env, "start-links", &requests)?;
        }
        let queue = match &self.queue {
            Some(queue) => queue,
            None => self.spawn(env)?,
        };
        let (answer, receiver) = sync_channel(1);
        queue
            .send(Batch { requests, answer })
            .map_err(|_| HostError::Io("the link worker stopped".into()))?;
        Ok(LinkJob {
            answer: Some(receiver),
        })
    }

    fn spawn(&mut self, env: &PhaseEnv) -> Result<&SyncSender<Batch>, HostError> {
        let (queue, batches) = sync_channel::<Batch>(QUEUE);
        let env = env.clone();
        let span = tracing::Span::current();
        let thread = std::thread::Builder::new()
            .name(format!("{}-links", env.grant.phase))
            .spawn(move || {
                let _phase = span.enter();
                for batch in batches {
                    let result = files::link_batch(&env, "start-links", &batch.requests);
                    // A phase that dropped its job does not want the answer; the audit
                    // log has it.
                    let _ = batch.answer.send(result);
                }
            })
            .map_err(|e| HostError::Io(format!("starting the link worker: {e}")))?;
        self.thread = Some(thread);
        Ok(self.queue.insert(queue))
    }

    /// Places and audits every batch still queued, then stops the worker.
    pub fn drain(&mut self) {
        self.queue = None;
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the link worker panicked");
        }
    }
}

impl Drop for LinkWorker {
    fn drop(&mut self) {
        self.drain();
    }
}
