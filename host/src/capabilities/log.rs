//! A phase's log lines: tracing events inside the phase's span, which
//! [`crate::logging`] routes to `logs/global/<phase>.global.log`.

/// Severity of a phase log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// Longest line kept; a phase cannot flood the log with one call.
const MAX_LINE: usize = 16 * 1024;

pub fn write(level: Level, message: &str) {
    let message = truncate(message);
    match level {
        Level::Trace => tracing::trace!(target: "phase", "{message}"),
        Level::Debug => tracing::debug!(target: "phase", "{message}"),
        Level::Info => tracing::info!(target: "phase", "{message}"),
        Level::Warn => tracing::warn!(target: "phase", "{message}"),
        Level::Error => tracing::error!(target: "phase", "{message}"),
    }
}

fn truncate(message: &str) -> &str {
    if message.len() <= MAX_LINE {
        return message;
    }
    let mut end = MAX_LINE;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    &message[..end]
}
