use wasmtime::ResourceLimiter;

/// The trap message of a phase that asked for more memory than its limit.
pub(super) const MEMORY_LIMIT_TRAP: &str = "pungi-wasm: phase memory limit reached";

/// Caps each linear memory and table of a phase, and remembers the largest memory it
/// reached (Wasm memory never shrinks, so that is the phase's peak).
pub struct PhaseLimiter {
    memory_limit: usize,
    peak_memory: usize,
}

impl PhaseLimiter {
    pub fn new(memory_limit: usize) -> Self {
        PhaseLimiter {
            memory_limit,
            peak_memory: 0,
        }
    }

    /// The most linear memory the phase held at once, in bytes.
    pub fn peak_memory(&self) -> usize {
        self.peak_memory
    }
}

impl ResourceLimiter for PhaseLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_limit {
            return Err(wasmtime::format_err!("{MEMORY_LIMIT_TRAP}"));
        }
        self.peak_memory = self.peak_memory.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1 << 20)
    }
}
