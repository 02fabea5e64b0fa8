//! The phase's log. Lines go to `logs/global/<phase>.global.log` and the host's tracing.

use crate::bindings::pungi::phase::log::Level;
use crate::host;

fn write(level: Level, message: &str) {
    host::log(level, message);
}

pub fn debug(message: impl AsRef<str>) {
    write(Level::Debug, message.as_ref());
}

pub fn info(message: impl AsRef<str>) {
    write(Level::Info, message.as_ref());
}

pub fn warn(message: impl AsRef<str>) {
    write(Level::Warn, message.as_ref());
}

pub fn error(message: impl AsRef<str>) {
    write(Level::Error, message.as_ref());
}
