use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::limiter::PhaseLimiter;
use crate::capabilities::PhaseEnv;
use crate::capabilities::link_jobs::LinkWorker;

/// The state of one phase run inside its wasmtime store: WASI (with only the granted
/// preopens), the resource limits, and the capability environment.
pub struct PhaseHost {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub limits: PhaseLimiter,
    /// Bytes the phase has written to its log; capped by the output limit.
    pub logged: u64,
    pub env: PhaseEnv,
    /// Places the batches of `files.start-links` beside the phase.
    pub links: LinkWorker,
}

impl WasiView for PhaseHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
