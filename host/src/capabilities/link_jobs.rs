//! Links placed on a host thread while the phase goes on computing (`files.start-links`).
//!
//! Placing a distribution's packages is hundreds of thousands of hardlinks, seconds of
//! kernel work that does not spread over cores. Done inside the phase's calls it adds to
//! the phase's own work; done here it overlaps it. Each batch is placed and audited
//! exactly as [`files::link_many`] does it (audited as `start-links`), by one worker
//! thread per phase, in the order the batches were started. The queue is bounded in
//! batches and in bytes, so a phase cannot pile up host memory faster than the kernel
//! places files, and the worker is drained before the phase is reported ended: an
//! auditor never sees a phase end with links still to come. Past the phase's time limit
//! the worker answers what is left `Timeout` without placing it.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use super::files::{self, BatchResult};
use super::{HostError, PhaseEnv};

/// Batches that may wait for the worker before `start` waits for room. A phase decides
/// its files in bursts (a whole variant at once) and computes between them; 64 of the
/// SDK's 4,096-link batches (about 50 MB of paths, 1.5 s of kernel work) absorb a
/// distribution variant's burst, where 4 made the phase wait for the kernel after all.
const QUEUE: usize = 64;

/// Host memory the queued batches may take together (their footprints, see
/// [`files::admit_batch`]): the SDK's burst above fits, 64 batches at the cap do not.
const QUEUE_BYTES: usize = 64 << 20;

/// One batch handed to the worker, and where its answer goes.
struct Batch {
    requests: Vec<(String, String)>,
    footprint: usize,
    answer: SyncSender<BatchResult>,
}

/// The footprint of the batches queued and not yet placed, shared by `start` (which
/// waits for room) and the worker (which makes it).
#[derive(Default)]
struct Queued {
    bytes: Mutex<usize>,
    room: Condvar,
}

impl Queued {
    /// Waits until `footprint` more fits (or nothing is queued, so one batch always
    /// goes), then counts it.
    fn reserve(&self, footprint: usize) {
        let mut bytes = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        while *bytes > 0 && *bytes + footprint > QUEUE_BYTES {
            bytes = self.room.wait(bytes).unwrap_or_else(|e| e.into_inner());
        }
        *bytes += footprint;
    }

    fn release(&self, footprint: usize) {
        let mut bytes = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        *bytes -= footprint;
        self.room.notify_all();
    }
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
    queued: Arc<Queued>,
    thread: Option<JoinHandle<()>>,
}

impl LinkWorker {
    /// Queues `requests`, waiting for room when the queue is full; a batch over the caps
    /// of [`files::admit_batch`] is refused at once.
    pub fn start(
        &mut self,
        env: &PhaseEnv,
        requests: Vec<(String, String)>,
    ) -> Result<LinkJob, HostError> {
        let footprint = files::admit_batch(env, "start-links", &requests)?;
        self.queued.reserve(footprint);
        let queued = self.queue(env).and_then(|queue| {
            let (answer, receiver) = sync_channel(1);
            queue
                .send(Batch {
                    requests,
                    footprint,
                    answer,
                })
                .map_err(|_| HostError::Io("the link worker stopped".into()))?;
            Ok(LinkJob {
                answer: Some(receiver),
            })
        });
        if queued.is_err() {
            self.queued.release(footprint);
        }
        queued
    }

    /// The worker's queue, starting the worker on the first batch.
    fn queue(&mut self, env: &PhaseEnv) -> Result<&SyncSender<Batch>, HostError> {
        match self.queue {
            Some(ref queue) => Ok(queue),
            None => self.spawn(env),
        }
    }

    fn spawn(&mut self, env: &PhaseEnv) -> Result<&SyncSender<Batch>, HostError> {
        let (queue, batches) = sync_channel::<Batch>(QUEUE);
        let env = env.clone();
        let queued = Arc::clone(&self.queued);
        let span = tracing::Span::current();
        let thread = std::thread::Builder::new()
            .name(format!("{}-links", env.grant.phase))
            .spawn(move || {
                let _phase = span.enter();
                for batch in batches {
                    let result = files::place_batch(&env, "start-links", &batch.requests);
                    drop(batch.requests);
                    queued.release(batch.footprint);
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
