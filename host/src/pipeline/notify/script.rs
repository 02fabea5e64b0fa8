//! Running one notification script as `pungi-koji` does (`<script> <message>`, the JSON
//! on stdin, in the compose directory), but without a shell, so no part of a message
//! is ever parsed as shell text, and with a time limit, so a hung publisher cannot hold
//! the compose.

use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt as _;

/// Runs `script message` in `workdir` with `json` on stdin; its stdout and stderr are
/// appended to `log` when given. An error says why the script failed.
pub fn run(
    script: &Path,
    message: &str,
    json: &str,
    workdir: &Path,
    log: Option<&Path>,
    timeout: Duration,
) -> Result<(), String> {
    let (stdout, stderr) = match log {
        Some(path) => {
            // Never through a link: the host writes here, whoever made the directory.
            let mut file = crate::logging::open_log(path)?;
            let _ = writeln!(file, "COMMAND: {} {message}", script.display());
            let copy = file.try_clone().map_err(|e| e.to_string())?;
            (Stdio::from(file), Stdio::from(copy))
        }
        None => (Stdio::null(), Stdio::null()),
    };
    let mut child = Command::new(script)
        .arg(message)
        .current_dir(workdir)
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(stderr)
        // Its own process group, so a timeout ends whatever it started too.
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = json.to_owned();
    // A script that does not read its stdin must not block the compose on a full pipe.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let status = match child.wait_timeout(timeout) {
        Ok(Some(status)) => status,
        Ok(None) => {
            // SAFETY: killpg takes no pointers; the group is the script's own
            // (`process_group(0)` above) while it lives.
            unsafe { libc::killpg(child.id() as libc::pid_t, libc::SIGKILL) };
            let _ = child.wait();
            let _ = writer.join();
            return Err(format!(
                "{} did not end within {} s and was killed",
                script.display(),
                timeout.as_secs()
            ));
        }
        Err(e) => return Err(format!("waiting for {}: {e}", script.display())),
    };
    let _ = writer.join();
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} {status}", script.display()))
    }
}
