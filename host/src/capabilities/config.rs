//! The compose config, as JSON. Every phase may read all of it: it is the release
//! engineer's own input and holds no secrets (credentials live in koji profiles).

use super::{HostError, PhaseEnv};

/// The whole config as one JSON object.
pub fn all(env: &PhaseEnv) -> Result<String, HostError> {
    env.audited(
        "config",
        "all",
        serde_json::Value::Null,
        || serde_json::to_string(&env.facts.config).map_err(|e| HostError::Io(e.to_string())),
        |_| None,
    )
}

/// One option as JSON, or `None` when the config does not set it.
pub fn get(env: &PhaseEnv, name: &str) -> Result<Option<String>, HostError> {
    env.audited(
        "config",
        "get",
        serde_json::json!({ "name": name }),
        || Ok(env.facts.config.get(name).map(|v| v.to_string())),
        |_| None,
    )
}
