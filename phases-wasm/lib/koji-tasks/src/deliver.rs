//! A phase's deliverables as one batch: every task is submitted first, so Koji builds
//! them side by side as Pungi's threads have it, then each is waited for and its
//! outputs placed; a failure at any step settles the deliverable (failable or fatal).

use pungi_phase_sdk::{Context, PhaseError, Summary, log};
use serde_json::Value;

use crate::failure::{Deliverable, TaskFailure, settle};
use crate::images::Placed;
use crate::task::{Finished, Runner};

/// Places a closed task's outputs in the compose.
pub type Place<'a> = Box<dyn FnOnce(&Runner, &Finished) -> Result<Vec<Placed>, PhaseError> + 'a>;

struct Job<'a> {
    deliverable: Deliverable,
    method: String,
    what: String,
    started: Result<u64, TaskFailure>,
    place: Place<'a>,
}

/// Deliverables submitted, not yet waited for.
pub struct Batch<'a> {
    runner: &'a Runner,
    jobs: Vec<Job<'a>>,
}

/// What a batch delivered.
#[derive(Default)]
pub struct Delivered {
    /// The images placed, for `images.json`.
    pub placed: Vec<Placed>,
    /// (deliverable, task) of every task that closed and was placed.
    pub tasks: Vec<(Deliverable, Finished)>,
    /// Failable deliverables that failed (reported, not fatal).
    pub failed: usize,
}

impl Delivered {
    /// Records the placed images in `images.json` and sums the batch up as
    /// "<n> <images> from <t> <tasks>, <f> failed (failable)", counting `images`.
    pub fn record_images(
        self,
        ctx: &Context,
        images: &str,
        tasks: &str,
    ) -> Result<Summary, PhaseError> {
        let count = self.placed.len() as u64;
        crate::images::record(ctx, self.placed)?;
        Ok(Summary::new(format!(
            "{count} {images} from {} {tasks}, {} failed (failable)",
            self.tasks.len(),
            self.failed
        ))
        .count("images", count))
    }
}

impl<'a> Batch<'a> {
    /// An empty batch whose tasks go to `runner`'s hub.
    pub fn new(runner: &'a Runner) -> Self {
        Batch {
            runner,
            jobs: Vec::new(),
        }
    }

    /// Submits `method(params)` for `deliverable`; `place` runs once it closed.
    pub fn submit(
        &mut self,
        deliverable: Deliverable,
        method: &str,
        params: Value,
        place: Place<'a>,
    ) {
        let what = format!(
            "{} {} for {}.{}",
            deliverable.kind,
            deliverable.subvariant,
            deliverable.variant,
            deliverable.arches.join(",")
        );
        let started = self.runner.start(method, &params, &what);
        self.jobs.push(Job {
            deliverable,
            method: method.to_owned(),
            what,
            started,
            place,
        });
    }

    /// Waits for every task and places its outputs; the first failure that is not
    /// failable is the error.
    pub fn finish(self, ctx: &Context) -> Result<Delivered, PhaseError> {
        let mut delivered = Delivered::default();
        for job in self.jobs {
            let outcome = job.started.and_then(|id| {
                let finished = self.runner.finish(id, &job.method, &job.what)?;
                match (job.place)(self.runner, &finished) {
                    Ok(placed) => Ok((finished, placed)),
                    Err(e) => Err(self.runner.failed_after(id, &job.method, e.message)),
                }
            });
            match outcome {
                Ok((finished, placed)) => {
                    log::info(format!("{}: {} files placed", job.what, placed.len()));
                    delivered.placed.extend(placed);
                    delivered.tasks.push((job.deliverable, finished));
                }
                Err(failure) => {
                    settle(ctx, &job.deliverable, failure)?;
                    delivered.failed += 1;
                }
            }
        }
        Ok(delivered)
    }
}
