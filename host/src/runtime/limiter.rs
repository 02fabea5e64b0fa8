use wasmtime::ResourceLimiter;

use crate::capabilities::{document_bounds, files};
use crate::policy::Grant;

/// The trap message of a phase that asked for more memory than its limit.
pub(super) const MEMORY_LIMIT_TRAP: &str = "pungi-wasm: phase memory limit reached";

/// Instances, linear memories and tables one phase run may create. A stock component
/// has a handful of each (its core module and the component model's shims); the
/// bounds only stop a component that multiplies them to get around the memory limit.
const MAX_INSTANCES: usize = 64;
const MAX_MEMORIES: usize = 16;
const MAX_TABLES: usize = 64;

/// Room for a call's other arguments beside its largest one (a document's name, a
/// path), in [`largest_call`].
const HOSTCALL_MARGIN: usize = 4 << 20;

/// Bytes a table element costs the host (a pointer), for the memory limit.
const TABLE_ELEMENT_BYTES: usize = std::mem::size_of::<usize>();

/// Caps what a phase's linear memories and tables take together at its memory limit
/// (each memory alone under the limit is not enough: a component may declare many),
/// bounds how many it may create, and remembers the most it held at once (Wasm memory
/// never shrinks, so that is the phase's peak).
pub struct PhaseLimiter {
    memory_limit: usize,
    /// The most one host call may carry ([`largest_call`]).
    largest_call: usize,
    /// Bytes of linear memory and table elements held now, over every memory and table.
    held: usize,
    peak_memory: usize,
}

impl PhaseLimiter {
    /// The limiter of a phase run with `grant`.
    pub fn for_grant(grant: &Grant) -> Self {
        Self::new(grant.limits.memory_bytes as usize, largest_call(grant))
    }

    fn new(memory_limit: usize, largest_call: usize) -> Self {
        PhaseLimiter {
            memory_limit,
            largest_call,
            held: 0,
            peak_memory: 0,
        }
    }

    /// The most one host call may carry, whatever the guest holds.
    pub fn largest_call(&self) -> usize {
        self.largest_call
    }

    /// The most linear memory (and table space) the phase held at once, in bytes.
    pub fn peak_memory(&self) -> usize {
        self.peak_memory
    }

    /// The most bytes wasmtime may copy out of the guest for the host call starting now:
    /// what the memory limit leaves beside the guest's own memory, so guest and copy
    /// together stay within the limit, and never more than the largest call the
    /// phase's grant gives it reason to make. A call carrying more traps, at the
    /// phase's cost.
    pub fn hostcall_budget(&self) -> usize {
        let beside_guest = self.memory_limit.saturating_sub(self.held);
        beside_guest.min(self.largest_call)
    }

    /// Takes `more` bytes from the budget, or says the limit is reached.
    fn grow(&mut self, more: usize) -> wasmtime::Result<()> {
        let held = self.held.saturating_add(more);
        if held > self.memory_limit {
            return Err(wasmtime::format_err!("{MEMORY_LIMIT_TRAP}"));
        }
        self.held = held;
        self.peak_memory = self.peak_memory.max(held);
        Ok(())
    }
}

/// The most data one call of a phase with `grant` has reason to carry, in wasmtime's
/// hostcall fuel (about the bytes it copies out of the guest): a whole document if it
/// may write one, else a full link batch, the largest of every other call (a command's
/// arguments are capped at 1 MiB, a log line at 16 KiB); with room for the call's
/// other arguments. So a phase granted no documents cannot make the host copy more
/// than a few tens of MiB per call, whatever its memory limit.
fn largest_call(grant: &Grant) -> usize {
    let largest = if grant.metadata_write.is_empty() {
        files::MAX_BATCH_BYTES
    } else {
        document_bounds::max_bytes(&grant.limits) as usize
    };
    largest + HOSTCALL_MARGIN
}

impl ResourceLimiter for PhaseLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.grow(desired.saturating_sub(current))?;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.grow(
            desired
                .saturating_sub(current)
                .saturating_mul(TABLE_ELEMENT_BYTES),
        )?;
        Ok(true)
    }

    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memories_together_are_capped_at_the_limit() {
        let mut limiter = PhaseLimiter::new(100, 100);
        assert!(limiter.memory_growing(0, 60, None).unwrap());
        // A second memory of 60 would be under the limit alone, not with the first.
        let error = limiter.memory_growing(0, 60, None).unwrap_err();
        assert!(error.to_string().contains(MEMORY_LIMIT_TRAP), "{error}");
        assert!(limiter.memory_growing(0, 40, None).unwrap());
        assert_eq!(limiter.peak_memory(), 100);
    }

    /// A core module declaring three memories of one 64 KiB page each.
    const THREE_MEMORIES: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
        0x05, 0x07, 0x03, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, // memory section: 3 x {min 1}
    ];

    #[test]
    fn a_module_with_many_memories_cannot_instantiate_past_the_limit() {
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, THREE_MEMORIES).unwrap();
        let instantiate = |limit: usize| {
            let mut store = wasmtime::Store::new(&engine, PhaseLimiter::new(limit, limit));
            store.limiter(|limiter| limiter);
            wasmtime::Instance::new(&mut store, &module, &[]).map(|_| store.data().peak_memory())
        };
        assert_eq!(instantiate(3 << 16).unwrap(), 3 << 16);
        let error = instantiate(2 << 16).unwrap_err();
        assert!(
            format!("{error:?}").contains(MEMORY_LIMIT_TRAP),
            "{error:?}"
        );
    }

    fn grant(memory_bytes: u64, writes: &[&str]) -> Grant {
        let mut grant = Grant {
            metadata_write: writes.iter().map(|name| name.to_string()).collect(),
            ..Grant::default()
        };
        grant.limits.memory_bytes = memory_bytes;
        grant
    }

    #[test]
    fn only_a_phase_that_may_write_documents_may_make_document_sized_calls() {
        let quiet = PhaseLimiter::for_grant(&grant(4 << 30, &[]));
        assert_eq!(quiet.hostcall_budget(), (32 << 20) + HOSTCALL_MARGIN);
        let writer = PhaseLimiter::for_grant(&grant(4 << 30, &["pkgset"]));
        assert_eq!(writer.hostcall_budget(), (1 << 30) + HOSTCALL_MARGIN);
    }

    #[test]
    fn a_call_never_takes_more_than_the_guest_leaves_of_the_limit() {
        let mut limiter = PhaseLimiter::for_grant(&grant(64 << 20, &[]));
        assert!(limiter.memory_growing(0, 48 << 20, None).unwrap());
        assert_eq!(limiter.hostcall_budget(), 16 << 20);
    }

    #[test]
    fn table_elements_count_against_the_memory_limit() {
        let mut limiter = PhaseLimiter::new(8 * TABLE_ELEMENT_BYTES, 0);
        assert!(limiter.table_growing(0, 8, None).unwrap());
        assert!(limiter.table_growing(8, 9, None).is_err());
        assert!(limiter.memory_growing(0, 1, None).is_err());
    }
}
