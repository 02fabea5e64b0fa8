//! What the benchmarks read off a finished run.

use anyhow::Context as _;

/// The peak resident memory `/usr/bin/time -v` wrote to `report`, in KiB.
pub fn max_rss_kib(report: &std::path::Path) -> anyhow::Result<u64> {
    let text =
        std::fs::read_to_string(report).with_context(|| format!("reading {}", report.display()))?;
    text.lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("{} has no maximum resident set size", report.display()))
}
