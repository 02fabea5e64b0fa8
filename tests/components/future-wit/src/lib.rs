//! A phase built against a future `pungi:phase@0.2.0` (a copy of the WIT with the version
//! bumped, in `wit/`). The host must refuse to load it, naming both versions.

wit_bindgen::generate!({
    path: "wit",
    world: "phase",
});

use pungi::phase::{config, log};

struct FutureWit;

impl Guest for FutureWit {
    fn run() -> Result<Summary, PhaseError> {
        // Use imports so the component really asks for `pungi:phase/...@0.2.0`.
        log::write(log::Level::Info, "a phase from the future");
        Ok(Summary {
            message: config::get("anything").unwrap_or_default(),
            counts: Vec::new(),
        })
    }
}

export!(FutureWit);
