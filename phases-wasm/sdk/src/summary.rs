use crate::bindings::pungi::phase::types;

/// What a successful phase reports: a sentence and named counters for the compose log.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    message: String,
    counts: Vec<(String, u64)>,
}

impl Summary {
    /// A summary with its one-line message, e.g. "3 SBOMs written".
    pub fn new(message: impl Into<String>) -> Self {
        Summary {
            message: message.into(),
            counts: Vec::new(),
        }
    }

    /// Adds a counter, e.g. `.count("packages", 120)`.
    pub fn count(mut self, name: &str, value: u64) -> Self {
        self.counts.push((name.to_owned(), value));
        self
    }

    pub(crate) fn into_wit(self) -> types::Summary {
        types::Summary {
            message: self.message,
            counts: self.counts,
        }
    }
}
