//! pungi-wasm's host: it turns a Pungi compose config into a compose by running each phase
//! as a sandboxed Wasm component.
//!
//! The layers, top to bottom, each a module:
//! - [`cli`]: the `pungi-wasm` command line;
//! - [`compose`]: the compose directory, its identity and productmd metadata;
//! - [`pipeline`]: which phases run, in what order, and what a failure means;
//! - [`runtime`]: wasmtime: one engine, a compiled-component cache, limits per phase;
//! - [`wit`]: the host side of each released WIT version, bound to the providers;
//! - [`capabilities`]: what phases can ask for (fs, command, metadata, log, ...);
//! - [`policy`] and [`audit`]: who may do what, and the proof of what was done;
//! - [`attest`]: the signed in-toto/SLSA attestation of a compose, for third parties.

pub mod attest;
pub mod audit;
pub mod capabilities;
pub mod cli;
pub mod compose;
pub mod fsutil;
pub mod logging;
pub mod pipeline;
pub mod policy;
pub mod runtime;
pub mod scm;
pub mod wit;

pub use pungi_config as config;
