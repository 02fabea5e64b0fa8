//! The SDK for pungi-wasm phase components.
//!
//! A phase is one step of a compose (like Pungi's phases: gather, createrepo, ...)
//! compiled to a WebAssembly component and run by `pungi-wasm` in a sandbox. This
//! crate is everything it is written against. A whole phase:
//!
//! ```no_run
//! use pungi_phase_sdk::documents::GatherDocument;
//! use pungi_phase_sdk::{Context, Phase, PhaseError, Summary, fs, log, register_phase};
//!
//! struct PackageCount;
//!
//! impl Phase for PackageCount {
//!     fn run(ctx: &Context) -> Result<Summary, PhaseError> {
//!         // What Gather put in each tree; the policy must grant `metadata-read = ["gather"]`.
//!         let gather: GatherDocument = ctx.read()?;
//!         let total: usize = gather.trees.iter().map(|t| t.packages.len()).sum();
//!         log::info(format!("{} trees, {total} packages", gather.trees.len()));
//!         // `dirs = { compose = "rw" }` mounts the compose tree at `/compose`.
//!         fs::write_json("/compose/metadata/package-count.json", &total)?;
//!         Ok(Summary::new(format!("{total} packages")).count("packages", total as u64))
//!     }
//! }
//!
//! register_phase!(PackageCount);
//! ```
//!
//! Build it with `cargo build --release --target wasm32-wasip2` (`crate-type =
//! ["cdylib"]`); `pungi-wasm phase new NAME` writes such a crate, and
//! `docs/writing-a-phase.md` walks from there to a compose that runs it.
//!
//! What a phase can reach, all through [`Context`], each call checked against the
//! phase's grant in the policy and written to the audit log:
//!
//! - the compose: [`Context::info`] (ID, release, variants, arches), [`Context::mounts`];
//! - the config: [`Context::option`] for any Pungi option, typed through serde;
//! - metadata documents other phases wrote: [`Context::read`] for the stock ones
//!   (typed in [`documents`]), [`Context::read_document`] for any name;
//! - programs: [`Context::run`] with a [`Command`];
//! - files: `std::fs` under the mounts, [`fs`] for atomic writes, [`Context::link`],
//!   [`Context::link_many`] (thousands of files per host call) and [`Context::digest`] for
//!   heavy byte work done natively;
//! - earlier composes: [`Context::old_compose`] (`--old-composes`);
//! - a custom phase's own config section: [`Context::phase_config`];
//! - deliverables that failed but may: [`Context::fail_deliverable`];
//! - Koji: [`Koji::connect`];
//! - the release engineer: [`log`], [`Progress`], and the [`Summary`] it returns.
//!
//! Failing is returning a [`PhaseError`], whose kind says whose fault it is (config,
//! input, capability, internal) and whose message names what was being done.
//! Stock phases use exactly this SDK; there is no private back door.

#![warn(missing_docs)]

extern crate self as pungi_phase_sdk;

mod command;
mod context;
pub mod deliverables;
pub mod documents;
mod error;
pub mod fs;
mod host;
pub mod koji;
mod links;
pub mod log;
pub mod old_compose;
mod progress;
mod summary;

/// The raw bindings generated from `wit/since_v0.1.2`; prefer the typed layer.
#[allow(missing_docs)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit/since_v0.1.2",
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
pub use bindings::pungi::phase::files::{DigestAlgorithm, LinkKind, LinkRequest};
pub use bindings::pungi::phase::types::{ErrorKind, HostError};
pub use command::Command;
pub use context::Context;
pub use deliverables::FailedDeliverable;
pub use error::PhaseError;
#[cfg(not(target_family = "wasm"))]
pub use host::install_native_host;
pub use host::{LinkResults, NativeHost};
pub use koji::{Koji, KojiFailure};
pub use links::BackgroundLinks;
pub use old_compose::OldCompose;
pub use progress::Progress;
/// productmd's compose metadata (`rpms.json`, `composeinfo.json`, `images.json`), as
/// [`OldCompose::rpms`] returns it.
pub use pungi_productmd as productmd;
pub use summary::Summary;

/// One compose phase. Register the implementing type with [`register_phase!`].
pub trait Phase {
    /// Called once per compose. Returning an error fails the phase (and dooms the
    /// compose unless the phase is failable); the summary goes to the compose log.
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
