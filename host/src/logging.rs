//! Logs: a concise stream on the terminal, the whole compose in
//! `logs/global/pungi.global.log`, and each phase's own lines in
//! `logs/global/<phase>.global.log`. A phase's lines are the events inside its `phase`
//! span, which the pipeline enters around each run.
//!
//! Much of what is logged comes from phases (their log lines, their output, the
//! arguments of their denied calls): every field is escaped ([`sanitize`]) on the way to
//! the terminal and the files, so a phase cannot forge a line with `\n` or send the
//! operator's terminal an escape sequence (OSC 52 sets the clipboard, OSC 0 the title).
//! `logs/global` is the host's: no phase can mount it, and a log file is opened only as
//! a regular file, never through a link.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::field::MakeExt as _;
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
                match open_log(&dir.join(file_name)) {
                    Ok(file) => e.insert(file),
                    Err(why) => {
                        // Not through tracing: this layer is what would write it.
                        eprintln!("pungi-wasm: not writing {file_name}: {why}");
                        return;
                    }
                }
            }
        };
        let _ = file.write_all(line.as_bytes());
    }
}

/// Opens a log file to append to: created if missing, never through a symlink, and only
/// a regular file (not a device or a FIFO someone put in its place).
pub(crate) fn open_log(path: &std::path::Path) -> Result<File, String> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    match file.metadata() {
        Ok(meta) if meta.is_file() => Ok(file),
        Ok(_) => Err(format!("{} is not a regular file", path.display())),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// The longest field the terminal shows; files keep up to [`FILE_FIELD_BYTES`].
const TERMINAL_FIELD_BYTES: usize = 1024;
const FILE_FIELD_BYTES: usize = 16 * 1024;

/// `text` with every control character escaped (`\n`, `\r`, `\t`, `\u{1b}`, ...) and
/// cut to `max` bytes with a marker: what the terminal and the logs show of text a
/// phase may control.
pub fn sanitize(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max && !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(max) + 16);
    for c in text.chars() {
        if out.len() >= max {
            let _ = write!(out, "... ({} bytes in all)", text.len());
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Control characters, and the characters that reorder or break what a reader sees
/// without being controls: bidirectional overrides and isolates (which make a line read
/// otherwise than its bytes, "Trojan Source") and the Unicode line separators.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}'
        )
}

/// Installs the global subscriber. `verbosity` 0 shows warnings and errors on the
/// terminal, 1 info, 2 debug, 3 trace; `RUST_LOG` overrides it; `quiet` (`compose
/// --quiet`, as `pungi-koji`'s) shows none. Files get everything at debug and above.
pub fn init(verbosity: u8, quiet: bool) -> LogFiles {
    let files = LogFiles::default();
    let level = match verbosity {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let terminal_filter = if quiet {
        EnvFilter::new("off")
    } else {
        EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new(format!("{level},wasmtime=warn,cranelift=warn")))
    };
    let escaped_fields = tracing_subscriber::fmt::format::debug_fn(|writer, field, value| {
        let text = format!("{value:?}");
        let text = sanitize(&text, TERMINAL_FIELD_BYTES);
        match field.name() {
            "message" => write!(writer, "{text}"),
            name => write!(writer, "{name}={text}"),
        }
    })
    .delimited(" ");
    let terminal = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .fmt_fields(escaped_fields)
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
        let value = sanitize(value, FILE_FIELD_BYTES);
        match field.name() {
            "name" => self.name = Some(value.into_owned()),
            "message" => self.message = value.into_owned(),
            other => {
                let _ = write!(self.rest, " {other}={value}");
            }
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.record_str(field, &format!("{value:?}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_long_text_cut() {
        assert_eq!(sanitize("plain text", 100), "plain text");
        let forged = "ok\nFINISHED forged\r\u{1b}]52;c;aGk=\u{7}";
        let shown = sanitize(forged, 100);
        assert_eq!(shown, "ok\\nFINISHED forged\\r\\u{1b}]52;c;aGk=\\u{7}");
        let reordered = "ok \u{202e}gol.exe\u{2066}x\u{2069}\u{2028}FINISHED";
        assert_eq!(
            sanitize(reordered, 100),
            "ok \\u{202e}gol.exe\\u{2066}x\\u{2069}\\u{2028}FINISHED"
        );
        assert_eq!(sanitize("café ünïcode", 100), "café ünïcode");
        let text = "x".repeat(5000);
        let long = sanitize(&text, 1024);
        assert!(
            long.len() < 1100 && long.ends_with("(5000 bytes in all)"),
            "{long}"
        );
    }

    #[test]
    fn a_log_file_replaced_by_a_link_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "untouched\n").unwrap();
        let logs = dir.path().join("global");
        std::fs::create_dir(&logs).unwrap();
        std::os::unix::fs::symlink(&outside, logs.join("test.global.log")).unwrap();
        let files = LogFiles::default();
        files.attach(logs.clone());
        files.write("test.global.log", "planted\n");
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "untouched\n");
        files.write("ok.global.log", "line\n");
        assert_eq!(
            std::fs::read_to_string(logs.join("ok.global.log")).unwrap(),
            "line\n"
        );
    }
}
