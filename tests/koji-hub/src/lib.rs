//! A Koji-compatible hub for tests and demos: serves the hub XML-RPC API and the topurl
//! file tree from a state file and a topdir, and runs tasks on worker threads. The
//! official `koji` client works against it; so does pungi-wasm's.

mod api;
pub mod generate;
mod outputs;
pub mod server;
pub mod state;
mod tasks;

pub use server::{Faults, Hub, listen, serve};
pub use state::{Indexed, State};
pub use tasks::Tasks;
