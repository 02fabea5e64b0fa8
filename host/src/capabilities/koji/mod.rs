//! The `koji` capability: a phase's only way to Koji. The host resolves which hub (from
//! the compose config's koji profile) and keeps the client; the grant lists the Koji
//! methods a phase may call (`koji-methods` in the policy). Every call is checked and
//! audited, denied ones included.

mod builds;
pub mod calls;
pub mod client;
pub mod error;
pub mod fetch;
pub mod model;
mod names;
pub mod profile;
mod runroot;
mod shell;
pub mod xmlrpc;

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

pub use client::Client;
pub use error::KojiError;
pub use profile::{Auth, HubSettings};

use super::PhaseEnv;

/// The hub of one compose, connected on first use and shared by its phases.
pub struct KojiHub {
    pub settings: HubSettings,
    client: OnceLock<Result<Arc<Client>, KojiError>>,
}

impl std::fmt::Debug for KojiHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.settings.fmt(f)
    }
}

impl KojiHub {
    pub fn new(settings: HubSettings) -> KojiHub {
        KojiHub {
            settings,
            client: OnceLock::new(),
        }
    }

    /// The client, logging in on the first call; a failed login is remembered.
    pub fn client(&self) -> Result<Arc<Client>, KojiError> {
        self.client
            .get_or_init(|| Client::connect(self.settings.clone()).map(Arc::new))
            .clone()
    }
}

/// What one phase may do with Koji: the methods it may call, on the compose's hub.
#[derive(Debug, Clone, Default)]
pub struct KojiGrant {
    /// Hub method names (`listTagged`, `getRPM`, ...) plus `download` for files.
    pub methods: BTreeSet<String>,
    /// What its `runroot` tasks may run (`koji-runroot` in the policy).
    pub runroot: Option<crate::policy::RunrootPolicy>,
    /// `None` when the compose configures no hub.
    pub hub: Option<Arc<KojiHub>>,
}

/// Runs `call` for `method` if granted, audited as `operation` either way (its intent
/// before, its result after), its requests bounded by what is left of the phase's time.
pub(crate) fn audited<T>(
    env: &PhaseEnv,
    operation: &str,
    methods: &[&str],
    args: serde_json::Value,
    call: impl FnOnce(&Client) -> Result<T, KojiError>,
    digest: impl FnOnce(&T) -> Option<String>,
) -> Result<T, KojiError> {
    let mut typed = None;
    let result = env.audited(
        "koji",
        operation,
        args,
        || {
            let outcome = check(env, methods).and_then(|client| {
                // No deadline only when the limit is too far to be an instant.
                match Instant::now().checked_add(env.remaining_time()) {
                    Some(deadline) => call(&client.until(deadline)),
                    None => call(&client),
                }
            });
            outcome.map_err(|e| {
                let host = e.to_host();
                typed = Some(e);
                host
            })
        },
        digest,
    );
    result.map_err(|host| typed.take().unwrap_or_else(|| KojiError::from_host(host)))
}

fn check(env: &PhaseEnv, methods: &[&str]) -> Result<Arc<Client>, KojiError> {
    let grant = &env.grant.koji;
    if let Some(missing) = methods.iter().find(|m| !grant.methods.contains(**m)) {
        return Err(KojiError::Denied(format!(
            "phase `{}` may not call koji method `{missing}` (koji-methods in the policy)",
            env.grant.phase
        )));
    }
    let hub = grant.hub.as_ref().ok_or_else(|| {
        KojiError::Invalid(
            "this compose configures no koji hub (koji_profile or koji_server)".to_owned(),
        )
    })?;
    hub.client()
}
