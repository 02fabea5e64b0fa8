//! The SDK for pungi-wasm phase components.
//!
//! A phase is a type implementing [`Phase`], registered with [`register_phase!`], built
//! with plain `cargo build --target wasm32-wasip2`. Everything it may touch comes through
//! [`Context`]: the compose identity, its config, metadata documents, commands and native
//! file helpers, each checked by the host against the phase's grant. Files are reached with
//! `std::fs` under the mounts that [`Context::mounts`] lists; nothing else exists.
//!
//! Stock phases use exactly this SDK; there is no private back door.

extern crate self as pungi_phase_sdk;

mod context;
mod error;
pub mod fs;
mod host;
pub mod koji;
pub mod log;
mod progress;
mod summary;

/// The raw bindings generated from `wit/since_v0.1.0`; prefer the typed layer.
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/since_v0.1.0",
        world: "phase",
        pub_export_macro: true,
        export_macro_name: "export_phase_world",
        default_bindings_module: "pungi_phase_sdk::bindings",
        runtime_path: "pungi_phase_sdk::__private::wit_bindgen::rt",
    });
}

pub use bindings::pungi::phase::command::{Invocation, Output as CommandOutput};
pub use bindings::pungi::phase::compose::{
    ComposeInfo, GroupRef, Mount, MountRole, RepoMount, VariantInfo,
};
pub use bindings::pungi::phase::files::{DigestAlgorithm, LinkKind};
pub use bindings::pungi::phase::types::{ErrorKind, HostError};
pub use context::Context;
pub use error::PhaseError;
pub use host::NativeHost;
#[cfg(not(target_family = "wasm"))]
pub use host::install_native_host;
pub use koji::{Koji, KojiFailure};
pub use progress::Progress;
pub use summary::Summary;

/// One compose phase. `run` is called once per compose; returning an error fails the phase.
pub trait Phase {
    fn run(ctx: &Context) -> Result<Summary, PhaseError>;
}

#[doc(hidden)]
pub mod __private {
    pub use wit_bindgen;

    use crate::bindings::pungi::phase::types;

    /// Bridges a [`crate::Phase`] to the exported WIT function.
    pub fn run<P: crate::Phase>() -> Result<types::Summary, types::PhaseError> {
        P::run(&crate::Context::new())
            .map(crate::Summary::into_wit)
            .map_err(crate::PhaseError::into_wit)
    }
}

/// Exports `$phase` as this component's `run`.
#[macro_export]
macro_rules! register_phase {
    ($phase:ty) => {
        #[doc(hidden)]
        pub struct __PungiPhaseExport;

        impl $crate::bindings::Guest for __PungiPhaseExport {
            fn run() -> ::core::result::Result<
                $crate::bindings::pungi::phase::types::Summary,
                $crate::bindings::pungi::phase::types::PhaseError,
            > {
                $crate::__private::run::<$phase>()
            }
        }

        #[cfg(target_family = "wasm")]
        $crate::bindings::export_phase_world!(__PungiPhaseExport);

        /// Runs this phase natively against the installed [`NativeHost`]: the same code
        /// as the component, without the sandbox, for measuring what the sandbox costs.
        #[cfg(not(target_family = "wasm"))]
        pub fn run_native() -> ::core::result::Result<
            $crate::bindings::pungi::phase::types::Summary,
            $crate::bindings::pungi::phase::types::PhaseError,
        > {
            $crate::__private::run::<$phase>()
        }
    };
}
