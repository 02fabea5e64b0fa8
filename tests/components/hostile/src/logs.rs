//! What a phase puts in the logs and on the terminal (issue 19, classes B and E): lines
//! with line breaks and terminal escape sequences, and a symlink planted where the host
//! keeps a phase's log. The host must escape the first and never write through the
//! second.

use pungi_phase_sdk::{PhaseError, Progress, Summary, log};

/// A forged status line, OSC 52 (sets the operator's clipboard) and OSC 0 (the window
/// title), through `log.write` and `progress`.
pub fn forgery() -> Result<Summary, PhaseError> {
    log::info("ok\nFINISHED forged\r\u{1b}[2K");
    log::warn("\u{1b}]52;c;aGVsbG8=\u{7}");
    let progress = Progress::begin(1, "\u{1b}]0;pwned\u{7}");
    progress.finish("\u{1b}]0;pwned again\u{7}");
    Ok(Summary::new("logged forged lines"))
}

/// `/logs/global/<name>` -> `target` (relative: WASI refuses absolute targets, not
/// climbing ones): where the host keeps `<name>` if the phase's `logs` grant were the
/// compose's whole `logs/`.
pub fn plant_link(name: &str, target: &str) -> Result<Summary, PhaseError> {
    let logs = crate::preopen("/logs")?;
    let _ = logs.create_directory_at("global");
    logs.symlink_at(target, &format!("global/{name}"))
        .map_err(|e| PhaseError::internal(format!("planting global/{name}: {e:?}")))?;
    Ok(Summary::new(format!(
        "planted /logs/global/{name} -> {target}"
    )))
}
