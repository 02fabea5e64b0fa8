//! `--notification-script`: the progress messages `pungi-koji` sends, under its names and
//! with its JSON fields, so scripts written for Pungi (fedora-messaging publishers) work
//! unchanged. Each script is run as `<script> <message>` with a JSON object on stdin, in
//! the compose's `compose/` directory, one message at a time; its output goes to
//! `logs/notifications/`. A failing script is a warning: the compose goes on, as in Pungi.
//!
//! Messages: `fail-to-start` (no compose yet), `status-change` (`status`), `phase-start`
//! and `phase-stop` (`phase_name`), `createiso-targets` (`deliverables`),
//! `createiso-imagedone` and `createiso-imagefail` (`file`, `arch`, `variant`). Once the
//! compose exists every message also carries `compose_id`, `location`, `compose_date`,
//! `compose_type`, `compose_respin`, `compose_label`, `compose_path`, the `release_*`
//! fields and, for a layered product, the `base_product_*` ones.

mod createiso;
mod script;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::capabilities::ComposeFacts;
use crate::compose::ComposeLayout;

pub use createiso::messages as createiso_messages;

/// How long one script may take for one message before it is killed.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

/// Sends messages to the operator's notification scripts (none: nothing is sent).
pub struct Notifier {
    scripts: Vec<PathBuf>,
    timeout: Duration,
    compose: OnceLock<Attached>,
    /// One message at a time, in the order they happen, as Pungi's lock keeps them.
    sending: Mutex<()>,
}

/// What every message of a compose carries, and where its scripts run.
struct Attached {
    fields: Map<String, Value>,
    workdir: PathBuf,
    logs: PathBuf,
}

impl Notifier {
    pub fn new(scripts: Vec<PathBuf>) -> Self {
        Notifier {
            scripts,
            timeout: SCRIPT_TIMEOUT,
            compose: OnceLock::new(),
            sending: Mutex::new(()),
        }
    }

    /// The same notifier with another time limit per script run.
    pub fn with_timeout(self, timeout: Duration) -> Self {
        Notifier { timeout, ..self }
    }

    /// From now on, messages are about this compose (Pungi's `notifier.compose = ...`).
    pub fn attach(&self, facts: &ComposeFacts, layout: &ComposeLayout) {
        let _ = self.compose.set(Attached {
            fields: compose_fields(facts, layout),
            workdir: layout.compose(),
            logs: layout.notification_logs(),
        });
    }

    /// Whether any script listens: without one, no message needs to be made.
    pub fn sends(&self) -> bool {
        !self.scripts.is_empty()
    }

    /// Whether messages are about a compose yet.
    pub fn attached(&self) -> bool {
        self.compose.get().is_some()
    }

    /// `fail-to-start`: the compose could not begin (bad options or config); Pungi sends
    /// the command line, target directory, config and what went wrong.
    pub fn fail_to_start(&self, target_dir: Option<&Path>, config: &Path, detail: &str) {
        let command: Vec<String> = std::env::args().collect();
        let fields = json!({
            "command": command,
            "target_dir": target_dir,
            "config": config,
            "detail": detail,
        });
        self.send_in("fail-to-start", fields, target_dir);
    }

    /// Sends `message` with `fields` (a JSON object) plus the compose's own fields.
    pub fn send(&self, message: &str, fields: Value) {
        self.send_in(message, fields, None);
    }

    fn send_in(&self, message: &str, fields: Value, workdir: Option<&Path>) {
        if !self.sends() {
            return;
        }
        let mut fields = match fields {
            Value::Object(map) => map,
            other => Map::from_iter([("data".to_owned(), other)]),
        };
        let attached = self.compose.get();
        if let Some(attached) = attached {
            for (key, value) in &attached.fields {
                fields.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
        let json = Value::Object(fields).to_string();
        let workdir = attached
            .map(|a| a.workdir.clone())
            .or_else(|| workdir.map(Path::to_path_buf))
            .filter(|dir| dir.is_dir())
            .unwrap_or_else(|| PathBuf::from("."));
        let _sending = self.sending.lock().unwrap_or_else(|p| p.into_inner());
        tracing::debug!("notification: {message} {json}");
        let log = attached.and_then(|a| log_file(&a.logs));
        for script in &self.scripts {
            if let Err(error) = script::run(
                script,
                message,
                &json,
                &workdir,
                log.as_deref(),
                self.timeout,
            ) {
                tracing::warn!("failed to invoke notification script ({message}): {error}");
            }
        }
    }
}

/// `logs/notifications/notification-<UTC time>.log`, Pungi's name; `None` (no log) when
/// the directory cannot be made.
fn log_file(dir: &Path) -> Option<PathBuf> {
    if let Err(error) = std::fs::create_dir_all(dir) {
        tracing::warn!("{}: {error}", dir.display());
        return None;
    }
    let stamp = chrono::Utc::now().format("%Y-%m-%d_%H-%M-%S");
    Some(dir.join(format!("notification-{stamp}.log")))
}

/// The fields Pungi adds to every message of a compose (`PungiNotifier._update_args`).
fn compose_fields(facts: &ComposeFacts, layout: &ComposeLayout) -> Map<String, Value> {
    let config = &facts.config;
    let text = |name: &str| config.get(name).and_then(Value::as_str).unwrap_or_default();
    let layered = !text("base_product_name").is_empty();
    let mut fields = Map::new();
    let mut put = |key: &str, value: Value| fields.insert(key.to_owned(), value);
    put("compose_id", json!(facts.id));
    let compose = layout.compose();
    put(
        "location",
        json!(translate_path(config.get("translate_paths"), &compose)),
    );
    put("compose_date", json!(facts.date));
    put("compose_type", json!(facts.compose_type));
    put("compose_respin", json!(facts.respin));
    put("compose_label", json!(facts.label));
    put("compose_path", json!(layout.topdir));
    put("release_short", json!(facts.release_short));
    put("release_name", json!(facts.release_name));
    put("release_version", json!(facts.release_version));
    put("release_type", json!(facts.release_type.to_lowercase()));
    put("release_is_layered", json!(layered));
    if layered {
        for name in [
            "base_product_name",
            "base_product_version",
            "base_product_short",
        ] {
            put(name, json!(text(name)));
        }
        let kind = match text("base_product_type") {
            "" => "ga".to_owned(),
            kind => kind.to_lowercase(),
        };
        put("base_product_type", json!(kind));
    }
    fields
}

/// `path` published through `translate_paths` (`[(local prefix, URL prefix)]`), the
/// first pair that matches. Unlike Pungi, which compares strings, a prefix matches only
/// whole path components: `/mnt/compose` does not turn `/mnt/composes/x` into a URL.
pub fn translate_path(pairs: Option<&Value>, path: &Path) -> String {
    let path = path.to_string_lossy();
    let pairs = pairs.and_then(Value::as_array).into_iter().flatten();
    for pair in pairs.filter_map(Value::as_array) {
        let (Some(prefix), Some(new)) = (
            pair.first().and_then(Value::as_str),
            pair.get(1).and_then(Value::as_str),
        ) else {
            continue;
        };
        let prefix = prefix.trim_end_matches('/');
        if let Some(rest) = path.strip_prefix(prefix)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return format!("{}{rest}", new.trim_end_matches('/'));
        }
    }
    path.into_owned()
}

#[cfg(test)]
mod tests;
