//! The phase runtime: one wasmtime engine for the whole compose, compiled components
//! cached on disk, and a fresh store per phase run with that phase's limits and mounts.

mod cache;
mod epoch;
mod host;
mod limiter;
mod load;
mod run;

pub use cache::ComponentCache;
pub use host::PhaseHost;
pub use load::{ComponentFacts, LoadedComponent, WitVersionError};
pub use run::{
    DENIED_LIMIT_TRAP, LOG_LIMIT_TRAP, PhaseFailure, PhaseReport, log_limit, process_cpu_time,
};

use std::path::PathBuf;
use std::time::Duration;

use wasmtime::component::Linker;
use wasmtime::{Config, Engine};

use epoch::EpochTicker;

/// How often the engine's epoch advances; the granularity of time limits.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// One engine, one linker, one cache: shared by every phase of a compose.
pub struct Runtime {
    engine: Engine,
    linker: Linker<PhaseHost>,
    cache: ComponentCache,
    _ticker: EpochTicker,
}

impl Runtime {
    /// An engine with the component model and epoch interruption; compiled components
    /// are kept under `cache_dir`.
    pub fn new(cache_dir: PathBuf) -> anyhow::Result<Self> {
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .epoch_interruption(true)
            .cranelift_opt_level(wasmtime::OptLevel::Speed);
        if std::env::var_os("PUNGI_WASM_PERFMAP").is_some() {
            // `perf record` then names the phases' compiled functions (docs/performance.md).
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        crate::wit::since_v0_1_2::add_to_linker(&mut linker)?;
        let ticker = EpochTicker::start(engine.clone(), EPOCH_TICK);
        Ok(Runtime {
            cache: ComponentCache::new(cache_dir, &engine),
            engine,
            linker,
            _ticker: ticker,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The default cache directory: `$PUNGI_WASM_CACHE`, else `$XDG_CACHE_HOME/pungi-wasm`,
    /// else `~/.cache/pungi-wasm`.
    pub fn default_cache_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("PUNGI_WASM_CACHE") {
            return PathBuf::from(dir);
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .unwrap_or_else(std::env::temp_dir);
        base.join("pungi-wasm")
    }
}
