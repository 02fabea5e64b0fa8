//! Logs: a concise stream on the terminal, the whole compose in
//! `logs/global/pungi.global.log`, and each phase's own lines in
//! `logs/global/<phase>.global.log`. A phase's lines are the events inside its `phase`
//! span, which the pipeline enters around each run.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

/// The name of the span the pipeline opens around each phase; its `name` field routes
/// events to that phase's log file.
pub const PHASE_SPAN: &str = "phase";

/// Where log files go once the compose directory exists.
#[derive(Clone, Default)]
pub struct LogFiles {
    inner: Arc<Mutex<Files>>,
}

#[derive(Default)]
struct Files {
    dir: Option<PathBuf>,
    open: HashMap<String, File>,
}

impl LogFiles {
    /// Starts writing files under `dir` (the compose's `logs/global`).
    pub fn attach(&self, dir: PathBuf) {
        let mut files = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        files.dir = Some(dir);
        files.open.clear();
    }

    fn write(&self, file_name: &str, line: &str) {
        let mut files = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let Some(dir) = files.dir.clone() else {
            return;
        };
        let file = match files.open.entry(file_name.to_owned()) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let _ = std::fs::create_dir_all(&dir);
                match OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(dir.join(file_name))
                {
                    Ok(file) => e.insert(file),
                    Err(_) => return,
                }
            }
        };
        let _ = file.write_all(line.as_bytes());
    }
}

/// Installs the global subscriber. `verbosity` 0 shows warnings and errors on the
/// terminal, 1 info, 2 debug, 3 trace; `RUST_LOG` overrides it. Files get everything at
/// debug and above.
pub fn init(verbosity: u8) -> LogFiles {
    let files = LogFiles::default();
    let level = match verbosity {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let terminal_filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{level},wasmtime=warn,cranelift=warn")));
    let terminal = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .with_filter(terminal_filter);
    let router = FileRouter {
        files: files.clone(),
    }
    .with_filter(EnvFilter::new("debug,wasmtime=info,cranelift=info"));
    let _ = tracing_subscriber::registry()
        .with(terminal)
        .with(router)
        .try_init();
    files
}

struct FileRouter {
    files: LogFiles,
}

struct PhaseName(String);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for FileRouter {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != PHASE_SPAN {
            return;
        }
        let mut visitor = Fields::default();
        attrs.record(&mut visitor);
        if let (Some(span), Some(name)) = (ctx.span(id), visitor.name) {
            span.extensions_mut().insert(PhaseName(name));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let phase = ctx.event_scope(event).and_then(|scope| {
            scope
                .from_root()
                .find_map(|span| span.extensions().get::<PhaseName>().map(|p| p.0.clone()))
        });
        let mut fields = Fields::default();
        event.record(&mut fields);
        let meta = event.metadata();
        let mut line = format!(
            "{} [{:<5}] ",
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S%.3f"),
            meta.level()
        );
        if let Some(phase) = &phase {
            let _ = write!(line, "[{phase}] ");
        }
        line.push_str(&fields.message);
        line.push_str(&fields.rest);
        line.push('\n');
        self.files.write("pungi.global.log", &line);
        if let Some(phase) = phase {
            self.files.write(&format!("{phase}.global.log"), &line);
        }
    }
}

#[derive(Default)]
struct Fields {
    name: Option<String>,
    message: String,
    rest: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "name" => self.name = Some(value.to_owned()),
            "message" => self.message = value.to_owned(),
            other => {
                let _ = write!(self.rest, " {other}={value}");
            }
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "name" => self.name = Some(format!("{value:?}")),
            other => {
                let _ = write!(self.rest, " {other}={value:?}");
            }
        }
    }
}
