use crate::host;

/// The phase's progress bar on the release engineer's terminal. Finished on drop.
pub struct Progress {
    finished: bool,
}

impl Progress {
    /// Starts a bar of `total` steps.
    pub fn begin(total: u64, message: &str) -> Self {
        host::progress_begin(total, message);
        Progress { finished: false }
    }

    /// Moves the bar `delta` steps on.
    pub fn advance(&self, delta: u64) {
        host::progress_advance(delta);
    }

    /// Ends the bar with a closing message.
    pub fn finish(mut self, message: &str) {
        host::progress_finish(message);
        self.finished = true;
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.finished {
            host::progress_finish("");
        }
    }
}
