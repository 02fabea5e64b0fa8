//! Running a graph of jobs: each on its own thread as soon as every job it waits for has
//! ended, so independent phases overlap. Phases are blocking work (a wasmtime store per
//! run, native commands, Koji waits), so a scoped thread per running phase is all the
//! scheduling they need, and it lets phases borrow the compose's runtime and policy.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

/// How one job ended: its value, or the message of a panic in it.
pub type JobResult<T> = Result<T, String>;

/// Runs job `i` (`run(i)`) once every job in `after[i]` has ended. Once `fatal` says an
/// ended job dooms the run, no new job starts; running ones finish. Returns each job's
/// result, `None` for jobs that never started.
pub fn run_graph<T: Send>(
    after: &[Vec<usize>],
    names: &[String],
    run: impl Fn(usize) -> T + Sync,
    fatal: impl Fn(usize, &JobResult<T>) -> bool,
) -> Vec<Option<JobResult<T>>> {
    let count = after.len();
    let mut results: Vec<Option<JobResult<T>>> = (0..count).map(|_| None).collect();
    let mut started = vec![false; count];
    let mut running = 0usize;
    let mut doomed = false;
    let run = &run;
    std::thread::scope(|scope| {
        let (done, ended) = mpsc::channel::<(usize, JobResult<T>)>();
        loop {
            if !doomed {
                for job in 0..count {
                    let ready = after[job].iter().all(|&d| results[d].is_some());
                    if started[job] || !ready {
                        continue;
                    }
                    started[job] = true;
                    running += 1;
                    let done = done.clone();
                    let spawned = std::thread::Builder::new()
                        .name(names[job].clone())
                        .spawn_scoped(scope, move || {
                            let result = catch_unwind(AssertUnwindSafe(|| run(job)))
                                .map_err(|panic| panic_message(&*panic));
                            let _ = done.send((job, result));
                        });
                    if let Err(error) = spawned {
                        running -= 1;
                        results[job] = Some(Err(format!("cannot start a thread: {error}")));
                        doomed = true;
                    }
                }
            }
            if running == 0 {
                break;
            }
            let (job, result) = ended
                .recv()
                .expect("every started job reports before its thread ends");
            running -= 1;
            doomed |= fatal(job, &result);
            results[job] = Some(result);
        }
    });
    results
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into());
    format!("the host panicked running it: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier, Mutex};

    fn names(count: usize) -> Vec<String> {
        (0..count).map(|i| format!("job{i}")).collect()
    }

    #[test]
    fn independent_jobs_overlap_and_dependents_wait() {
        // Jobs 1 and 2 both wait for 0 and must be running at the same time to pass the
        // barrier; 3 waits for both.
        let barrier = Arc::new(Barrier::new(2));
        let order = Mutex::new(Vec::new());
        let after = vec![vec![], vec![0], vec![0], vec![1, 2]];
        let results = run_graph(
            &after,
            &names(4),
            |job| {
                if job == 1 || job == 2 {
                    barrier.wait();
                }
                order.lock().unwrap().push(job);
                job
            },
            |_, _| false,
        );
        assert!(results.iter().all(|r| matches!(r, Some(Ok(_)))));
        let order = order.into_inner().unwrap();
        assert_eq!(order[0], 0);
        assert_eq!(order[3], 3);
    }

    #[test]
    fn a_fatal_job_stops_new_starts_and_a_panic_is_a_result() {
        let after = vec![vec![], vec![0], vec![1]];
        let results = run_graph(
            &after,
            &names(3),
            |job| {
                if job == 1 {
                    panic!("boom");
                }
                job
            },
            |_, result| result.is_err(),
        );
        assert!(matches!(results[0], Some(Ok(0))));
        assert!(matches!(&results[1], Some(Err(m)) if m.contains("boom")));
        assert!(results[2].is_none());
    }
}
