use std::time::{Duration, Instant};

use wasmtime::component::ResourceTable;
use wasmtime::{CallHook, Store, Trap};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

use super::limiter::{MEMORY_LIMIT_TRAP, PhaseLimiter};

/// The trap message of a phase that logged more than its log limit.
pub const LOG_LIMIT_TRAP: &str = "pungi-wasm: phase log limit reached";

/// The trap message of a phase whose calls were denied [`DENIED_CALL_LIMIT`] times.
pub const DENIED_LIMIT_TRAP: &str = "pungi-wasm: phase denied-call limit reached";

/// How much a phase may log: sixteen times what it may print, since real phases log a
/// line per package at debug level.
pub fn log_limit(limits: &crate::policy::Limits) -> u64 {
    limits.output_bytes.saturating_mul(16)
}
use super::{EPOCH_TICK, LoadedComponent, PhaseHost, Runtime};
use crate::capabilities::link_jobs::LinkWorker;
use crate::capabilities::{DENIED_CALL_LIMIT, PhaseEnv};
use crate::wit::since_v0_1_2::pungi::phase::types::ErrorKind;

/// A phase that finished.
#[derive(Debug, Clone)]
pub struct PhaseReport {
    pub message: String,
    pub counts: Vec<(String, u64)>,
    pub instantiate_time: Duration,
    pub run_time: Duration,
    /// CPU time of the whole process during the run (user + system).
    pub cpu_time: Duration,
    /// The largest linear memory the phase held.
    pub peak_memory: u64,
    /// What the component printed, kept up to the output limit.
    pub stdout: String,
    pub stderr: String,
}

/// Why a phase did not finish; each names the limit or cause in words a release engineer
/// can act on.
#[derive(Debug, thiserror::Error)]
pub enum PhaseFailure {
    #[error("failed ({kind}): {message}")]
    Failed { kind: &'static str, message: String },
    #[error("stopped: ran past its time limit of {} s", limit.as_secs())]
    TimeLimit { limit: Duration },
    #[error("stopped: exceeded its memory limit of {} MiB", limit >> 20)]
    MemoryLimit { limit: u64 },
    #[error(
        "stopped: one call carried more data than the host takes from it at once: at most \
         {} MiB (a whole document only for a phase that may write documents, else a link \
         batch), and never more than its memory limit of {} MiB leaves beside its own memory",
        largest_call >> 20,
        limit >> 20
    )]
    CallTooLarge { largest_call: usize, limit: u64 },
    #[error("stopped: printed more than its output limit of {} KiB", limit >> 10)]
    OutputLimit { limit: u64 },
    #[error("stopped: logged more than its log limit of {} KiB", limit >> 10)]
    LogLimit { limit: u64 },
    #[error(
        "stopped: made {limit} calls the policy denied; a phase that keeps being refused is stopped (see the audit log for what it tried)"
    )]
    DeniedLimit { limit: u32 },
    #[error("trapped: {message}")]
    Trap { message: String, stderr: String },
    #[error("could not start: {0:#}")]
    Setup(anyhow::Error),
}

impl Runtime {
    /// Runs `component` once in a fresh store that sees exactly `env.grant`'s mounts.
    pub fn run(
        &self,
        component: &LoadedComponent,
        env: PhaseEnv,
    ) -> Result<PhaseReport, PhaseFailure> {
        let limits = env.grant.limits;
        let stdout = MemoryOutputPipe::new(limits.output_bytes as usize);
        let stderr = MemoryOutputPipe::new(limits.output_bytes as usize);
        let mut wasi = WasiCtxBuilder::new();
        wasi.stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        for mount in &env.grant.mounts {
            let perms = if mount.writable {
                FsPerms::ReadWrite
            } else {
                FsPerms::ReadOnly
            };
            wasi.preopened_dir(&mount.host, &mount.guest, perms)
                .map_err(|e| {
                    PhaseFailure::Setup(anyhow::anyhow!(
                        "mounting {} at {}: {e}",
                        mount.host.display(),
                        mount.guest
                    ))
                })?;
        }
        let host = PhaseHost {
            wasi: wasi.build(),
            table: ResourceTable::new(),
            limits: PhaseLimiter::for_grant(&env.grant),
            logged: 0,
            env,
            links: LinkWorker::default(),
        };
        let mut store = Store::new(&self.engine, host);
        store.limiter(|host| &mut host.limits);
        // What wasmtime copies out of the guest for one host call (its arguments, lifted
        // before the host sees them) is host memory the phase makes the host take, so
        // it comes out of the phase's own budget: set afresh as each call starts.
        store.call_hook(|mut store, hook| {
            if matches!(hook, CallHook::CallingHost) {
                let budget = store.data().limits.hostcall_budget();
                store.set_hostcall_fuel(budget);
            }
            Ok(())
        });
        let ticks = (limits.time.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
        store.set_epoch_deadline(ticks);
        store.epoch_deadline_trap();

        let started = Instant::now();
        let cpu_started = process_cpu_time();
        let instance = component
            .pre
            .instantiate(&mut store)
            .map_err(|e| classify(e, &store, &stdout, &stderr))?;
        let instantiate_time = started.elapsed();
        let result = instance.call_run(&mut store).map_err(|e| {
            // A stopped phase has no report; its memory is still worth knowing.
            tracing::info!(
                "stopped holding {} MiB of linear memory",
                store.data().limits.peak_memory() >> 20
            );
            classify(e, &store, &stdout, &stderr)
        })?;
        // Links the phase left in the background are part of its work.
        store.data_mut().links.drain();
        let run_time = started.elapsed() - instantiate_time;
        let cpu_time = process_cpu_time().saturating_sub(cpu_started);
        let peak_memory = store.data().limits.peak_memory() as u64;
        let text = |pipe: &MemoryOutputPipe| String::from_utf8_lossy(&pipe.contents()).into_owned();
        match result {
            Ok(summary) => Ok(PhaseReport {
                message: summary.message,
                counts: summary.counts,
                instantiate_time,
                run_time,
                cpu_time,
                peak_memory,
                stdout: text(&stdout),
                stderr: text(&stderr),
            }),
            Err(error) => Err(PhaseFailure::Failed {
                kind: match error.kind {
                    ErrorKind::Config => "config",
                    ErrorKind::Input => "input",
                    ErrorKind::Capability => "capability",
                    ErrorKind::Internal => "internal",
                },
                message: error.message,
            }),
        }
    }
}

/// Part of wasmtime's message when a call's arguments exceed the hostcall fuel that
/// [`PhaseLimiter::hostcall_budget`] set.
const HOSTCALL_FUEL_EXHAUSTED: &str = "fuel allocated for hostcalls has been exhausted";

/// Names the limit a trap came from, when it came from one.
fn classify(
    error: wasmtime::Error,
    store: &Store<PhaseHost>,
    stdout: &MemoryOutputPipe,
    stderr: &MemoryOutputPipe,
) -> PhaseFailure {
    let limits = &store.data().env.grant.limits;
    if let Some(Trap::Interrupt) = error.downcast_ref::<Trap>() {
        return PhaseFailure::TimeLimit { limit: limits.time };
    }
    let full = |pipe: &MemoryOutputPipe| pipe.contents().len() as u64 >= limits.output_bytes;
    let message = format!("{error:?}");
    if message.contains(LOG_LIMIT_TRAP) {
        return PhaseFailure::LogLimit {
            limit: log_limit(limits),
        };
    }
    if message.contains(DENIED_LIMIT_TRAP) {
        return PhaseFailure::DeniedLimit {
            limit: DENIED_CALL_LIMIT,
        };
    }
    if full(stdout) || full(stderr) {
        return PhaseFailure::OutputLimit {
            limit: limits.output_bytes,
        };
    }
    if message.contains(MEMORY_LIMIT_TRAP) {
        return PhaseFailure::MemoryLimit {
            limit: limits.memory_bytes,
        };
    }
    if message.contains(HOSTCALL_FUEL_EXHAUSTED) {
        return PhaseFailure::CallTooLarge {
            largest_call: store.data().limits.largest_call(),
            limit: limits.memory_bytes,
        };
    }
    let stderr = String::from_utf8_lossy(&stderr.contents()).into_owned();
    PhaseFailure::Trap {
        message: format!("{error:#}"),
        stderr,
    }
}

/// User plus system CPU time of this process so far.
pub fn process_cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a whole `rusage` into the pointer it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}
