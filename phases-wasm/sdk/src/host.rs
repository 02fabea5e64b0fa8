//! Where the host's functions come from. Inside Wasm they are the `pungi:phase` imports.
//! Natively (benchmarks that run the same phase code without a sandbox, to measure what
//! the sandbox costs) they are a [`NativeHost`] the runner installs.

use crate::bindings::pungi::phase::command::{Invocation, Output};
use crate::bindings::pungi::phase::compose::{ComposeInfo, Mount};
use crate::bindings::pungi::phase::files::{DigestAlgorithm, LinkKind, LinkRequest};
use crate::bindings::pungi::phase::log::Level;
use crate::bindings::pungi::phase::types::HostError;

/// One answer per link of a batch, or an error for the whole batch.
pub type LinkResults = Result<Vec<Result<LinkKind, HostError>>, HostError>;

/// The host functions a phase uses, for running a phase natively.
pub trait NativeHost: Send + Sync {
    /// `compose.info`.
    fn info(&self) -> ComposeInfo;
    /// `compose.mounts`.
    fn mounts(&self) -> Vec<Mount>;
    /// `config.get`.
    fn config_get(&self, name: &str) -> Option<String>;
    /// `metadata.read`.
    fn metadata_read(&self, name: &str) -> Result<String, HostError>;
    /// `metadata.write`.
    fn metadata_write(&self, name: &str, document: &str) -> Result<(), HostError>;
    /// `command.run`.
    fn command_run(&self, invocation: &Invocation) -> Result<Output, HostError>;
    /// `files.link`.
    fn files_link(&self, source: &str, destination: &str) -> Result<LinkKind, HostError>;
    /// `files.link-many`.
    fn files_link_many(&self, requests: &[LinkRequest]) -> LinkResults;
    /// `files.start-links`: a number naming the job for [`NativeHost::files_finish_links`].
    fn files_start_links(&self, requests: &[LinkRequest]) -> Result<u64, HostError>;
    /// `link-job.finish` of the job `files_start_links` numbered `job`.
    fn files_finish_links(&self, job: u64) -> LinkResults;
    /// `files.digest`.
    fn files_digest(
        &self,
        path: &str,
        algorithms: &[DigestAlgorithm],
    ) -> Result<Vec<String>, HostError>;
    /// `log.write`.
    fn log(&self, level: Level, message: &str);
    /// `progress.begin`.
    fn progress_begin(&self, total: u64, message: &str);
    /// `progress.advance`.
    fn progress_advance(&self, delta: u64);
    /// `progress.finish`.
    fn progress_finish(&self, message: &str);
}

#[cfg(target_family = "wasm")]
mod imp {
    use super::*;
    use crate::bindings::pungi::phase::{command, compose, config, files, log, metadata, progress};

    pub fn info() -> ComposeInfo {
        compose::info()
    }
    pub fn mounts() -> Vec<Mount> {
        compose::mounts()
    }
    pub fn config_get(name: &str) -> Option<String> {
        config::get(name)
    }
    pub fn metadata_read(name: &str) -> Result<String, HostError> {
        metadata::read(name)
    }
    pub fn metadata_write(name: &str, document: &str) -> Result<(), HostError> {
        metadata::write(name, document)
    }
    pub fn command_run(invocation: &Invocation) -> Result<Output, HostError> {
        command::run(invocation)
    }
    pub fn files_link(source: &str, destination: &str) -> Result<LinkKind, HostError> {
        files::link(source, destination)
    }
    pub fn files_link_many(requests: &[LinkRequest]) -> LinkResults {
        files::link_many(requests)
    }
    /// A batch of links the host is placing.
    pub struct LinkJob(files::LinkJob);
    impl LinkJob {
        pub fn finish(self) -> LinkResults {
            self.0.finish()
        }
    }
    pub fn files_start_links(requests: &[LinkRequest]) -> Result<LinkJob, HostError> {
        files::start_links(requests).map(LinkJob)
    }
    pub fn files_digest(
        path: &str,
        algorithms: &[DigestAlgorithm],
    ) -> Result<Vec<String>, HostError> {
        files::digest(path, algorithms)
    }
    pub fn log(level: Level, message: &str) {
        log::write(level, message)
    }
    pub fn progress_begin(total: u64, message: &str) {
        progress::begin(total, message)
    }
    pub fn progress_advance(delta: u64) {
        progress::advance(delta)
    }
    pub fn progress_finish(message: &str) {
        progress::finish(message)
    }
}

#[cfg(not(target_family = "wasm"))]
mod imp {
    use std::sync::{Arc, RwLock};

    use super::*;

    static HOST: RwLock<Option<Arc<dyn NativeHost>>> = RwLock::new(None);

    /// Makes `host` answer every host call of phases run natively in this process.
    pub fn install_native_host(host: Arc<dyn NativeHost>) {
        *HOST.write().unwrap_or_else(|p| p.into_inner()) = Some(host);
    }

    fn host() -> Arc<dyn NativeHost> {
        HOST.read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .expect("a phase run natively needs `install_native_host` first")
    }

    pub fn info() -> ComposeInfo {
        host().info()
    }
    pub fn mounts() -> Vec<Mount> {
        host().mounts()
    }
    pub fn config_get(name: &str) -> Option<String> {
        host().config_get(name)
    }
    pub fn metadata_read(name: &str) -> Result<String, HostError> {
        host().metadata_read(name)
    }
    pub fn metadata_write(name: &str, document: &str) -> Result<(), HostError> {
        host().metadata_write(name, document)
    }
    pub fn command_run(invocation: &Invocation) -> Result<Output, HostError> {
        host().command_run(invocation)
    }
    pub fn files_link(source: &str, destination: &str) -> Result<LinkKind, HostError> {
        host().files_link(source, destination)
    }
    pub fn files_link_many(requests: &[LinkRequest]) -> LinkResults {
        host().files_link_many(requests)
    }
    /// A batch of links the native host is placing, by its number.
    pub struct LinkJob(u64);
    impl LinkJob {
        pub fn finish(self) -> LinkResults {
            host().files_finish_links(self.0)
        }
    }
    pub fn files_start_links(requests: &[LinkRequest]) -> Result<LinkJob, HostError> {
        host().files_start_links(requests).map(LinkJob)
    }
    pub fn files_digest(
        path: &str,
        algorithms: &[DigestAlgorithm],
    ) -> Result<Vec<String>, HostError> {
        host().files_digest(path, algorithms)
    }
    pub fn log(level: Level, message: &str) {
        host().log(level, message)
    }
    pub fn progress_begin(total: u64, message: &str) {
        host().progress_begin(total, message)
    }
    pub fn progress_advance(delta: u64) {
        host().progress_advance(delta)
    }
    pub fn progress_finish(message: &str) {
        host().progress_finish(message)
    }
}

#[cfg(not(target_family = "wasm"))]
pub use imp::install_native_host;
pub(crate) use imp::*;
