//! A phase's progress bar on the terminal (hidden when stderr is not a terminal). Its
//! messages come from the phase, so they are escaped and bounded: no escape sequence or
//! line break of a phase's reaches the operator's terminal.

use indicatif::{ProgressBar, ProgressStyle};

use crate::logging::sanitize;

/// The longest message a bar shows.
const MESSAGE_BYTES: usize = 200;

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
        self.bar
            .set_message(sanitize(message, MESSAGE_BYTES).into_owned());
    }

    pub fn advance(&self, delta: u64) {
        self.bar.inc(delta);
    }

    pub fn finish(&self, message: &str) {
        self.bar
            .set_message(sanitize(message, MESSAGE_BYTES).into_owned());
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phases_escape_sequences_and_line_breaks_never_reach_the_bar() {
        let progress = PhaseProgress::new(ProgressBar::hidden());
        progress.begin(1, "ok\n\u{1b}]52;c;aGk=\u{7}\u{1b}]0;title\u{7}");
        let shown = progress.bar.message();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.contains("\\u{1b}]52;c;aGk="), "{shown:?}");
        progress.finish(&"x".repeat(10_000));
        assert!(progress.bar.message().len() < 300);
    }
}
