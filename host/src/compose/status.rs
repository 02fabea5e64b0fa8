use std::fs::File;
use std::io::Read as _;
use std::os::fd::FromRawFd as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};

use crate::fsutil::write_atomic_or_in_place;

/// A compose's state as Pungi's `STATUS` file records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Started,
    Finished,
    FinishedIncomplete,
    Doomed,
    Terminated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Started => "STARTED",
            Status::Finished => "FINISHED",
            Status::FinishedIncomplete => "FINISHED_INCOMPLETE",
            Status::Doomed => "DOOMED",
            Status::Terminated => "TERMINATED",
        }
    }
}

/// Replaces `STATUS` atomically; on a full disk in place, so that a compose that ran out
/// of space can still say it is DOOMED.
pub fn write_status(path: &Path, status: Status) -> anyhow::Result<()> {
    write_atomic_or_in_place(path, format!("{}\n", status.as_str()).as_bytes())
}

/// The write end of the pipe the signal handler reports through; -1 until installed.
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(signal: libc::c_int) {
    let byte = signal as u8;
    // SAFETY: write(2) is async-signal-safe; the byte outlives the call.
    unsafe {
        libc::write(
            SIGNAL_PIPE.load(Ordering::Relaxed),
            (&raw const byte).cast(),
            1,
        );
    }
}

/// On SIGTERM or SIGINT, writes `TERMINATED` to `status_file` (atomically), calls
/// `terminated` (which tells the notification scripts) and exits, as `pungi-koji` does.
/// The handler only writes the signal's number to a pipe; a thread reading it does the
/// rest outside signal context.
pub fn terminate_on_signal(
    status_file: PathBuf,
    terminated: impl FnOnce() + Send + 'static,
) -> anyhow::Result<()> {
    let mut fds = [0; 2];
    // SAFETY: pipe(2) fills the two descriptors it is given.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        anyhow::bail!(
            "creating the signal pipe: {}",
            std::io::Error::last_os_error()
        );
    }
    // SAFETY: fds[0] is a fresh descriptor owned by nothing else.
    let mut reader = unsafe { File::from_raw_fd(fds[0]) };
    SIGNAL_PIPE.store(fds[1], Ordering::Relaxed);
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut signal = [0u8];
            if reader.read_exact(&mut signal).is_ok() {
                tracing::error!("compose terminated by signal {}", signal[0]);
                crate::capabilities::command::kill_running();
                if let Err(error) = write_status(&status_file, Status::Terminated) {
                    tracing::error!("{error:#}");
                }
                terminated();
                std::process::exit(128 + i32::from(signal[0]));
            }
        })?;
    for signal in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: the handler is async-signal-safe (one write(2)).
        unsafe { libc::signal(signal, on_signal as *const () as libc::sighandler_t) };
    }
    Ok(())
}
