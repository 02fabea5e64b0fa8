//! The phase's log. Lines go to `logs/global/<phase>.global.log` and the host's tracing.

use crate::bindings::pungi::phase::log::Level;
use crate::host;

fn write(level: Level, message: &str) {
    host::log(level, message);
}

/// Detail for debugging; in the phase log, not on the terminal by default.
pub fn debug(message: impl AsRef<str>) {
    write(Level::Debug, message.as_ref());
}

/// Progress worth reading later: what was done, to what, how many.
pub fn info(message: impl AsRef<str>) {
    write(Level::Info, message.as_ref());
}

/// Something the release engineer should look at; the phase goes on.
pub fn warn(message: impl AsRef<str>) {
    write(Level::Warn, message.as_ref());
}

/// A failure the phase reports but may survive; a fatal one is a returned error.
pub fn error(message: impl AsRef<str>) {
    write(Level::Error, message.as_ref());
}
