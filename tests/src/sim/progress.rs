//! A plain text progress bar on stderr (`[#####-----] 12/30 label`),
//! redrawn in place with a carriage return. No terminal library: when
//! stderr is not a terminal the lines simply follow each other.
//!
//! To show more, pass it in `label`.

use std::io::Write;

/// A progress bar of a fixed width.
#[derive(Debug, Clone)]
pub struct ProgressBar {
    total: u64,
    width: usize,
}

impl ProgressBar {
    /// A bar for `total` steps.
    pub fn new(total: u64) -> ProgressBar {
        ProgressBar {
            total: total.max(1),
            width: 30,
        }
    }

    /// Redraws the bar at step `done` with `label` after it.
    pub fn show(&self, done: u64, label: &str) {
        let done = done.min(self.total);
        let filled = usize::try_from(done * self.width as u64 / self.total).unwrap_or(0);
        let bar = format!(
            "{}{}",
            "#".repeat(filled),
            "-".repeat(self.width.saturating_sub(filled))
        );
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r[{bar}] {done}/{} {label:<48}", self.total);
        let _ = err.flush();
    }

    /// Ends the bar's line.
    pub fn finish(&self) {
        let _ = writeln!(std::io::stderr().lock());
    }
}
