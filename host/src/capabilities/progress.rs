//! A phase's progress bar on the terminal (hidden when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressStyle};

/// The bar of one phase run.
#[derive(Clone)]
pub struct PhaseProgress {
    bar: ProgressBar,
}

impl PhaseProgress {
    pub fn new(bar: ProgressBar) -> Self {
        PhaseProgress { bar }
    }

    pub fn begin(&self, total: u64, message: &str) {
        self.bar.set_style(
            ProgressStyle::with_template("{prefix:>16} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        self.bar.set_length(total);
        self.bar.set_position(0);
        self.bar.set_message(message.to_owned());
    }

    pub fn advance(&self, delta: u64) {
        self.bar.inc(delta);
    }

    pub fn finish(&self, message: &str) {
        self.bar.set_message(message.to_owned());
        self.bar.finish_and_clear();
    }
}
